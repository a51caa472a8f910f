package io.chainpulse.cli.evaluate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The bars of {@code evaluate --fail-under}, e.g. {@code recall=1.0,false-per-10-node-hours=1}. Detection bars apply
 * to every target row (each ladder's step twice the smallest, and the three-window TPS dip); the false-alarm bar to
 * the healthy runs.
 *
 * <pre>{@code
 * List<String> shortfalls = FailUnder.parse("recall-2w=1.0,false-per-10-node-hours=1").check(evaluation);
 * }</pre>
 */
public record FailUnder(Map<String, Double> bars) {
    /** Share of trials with a right alert during the fault. */
    public static final String RECALL = "recall";
    /** Share of trials with a right alert within two windows of the onset. */
    public static final String RECALL_IN_TIME = "recall-2w";
    /** Share of trials whose first alert named the right node (or the network) and metric. */
    public static final String NAMED_RIGHT = "named-right";
    /** Most false incidents per 10 node-hours of healthy runs (a ceiling, not a floor). */
    public static final String FALSE_RATE = "false-per-10-node-hours";
    private static final List<String> KEYS = List.of(RECALL, RECALL_IN_TIME, NAMED_RIGHT, FALSE_RATE);

    public FailUnder {
        bars = Map.copyOf(bars);
    }

    /** Parses {@code key=value[,key=value...]}; every problem is named at once. */
    public static FailUnder parse(String text) {
        Map<String, Double> bars = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (String part : text.split(",")) {
            String item = part.trim();
            int eq = item.indexOf('=');
            if (eq < 0) {
                problems.add("'" + item + "' is not key=value");
                continue;
            }
            String key = item.substring(0, eq).trim();
            String value = item.substring(eq + 1).trim();
            if (!KEYS.contains(key)) {
                problems.add("unknown key '" + key + "' (known: " + String.join(", ", KEYS) + ")");
                continue;
            }
            try {
                double bar = Double.parseDouble(value);
                if (bar < 0 || (!key.equals(FALSE_RATE) && bar > 1)) {
                    problems.add(key + " must be " + (key.equals(FALSE_RATE) ? ">= 0" : "in [0, 1]") + ": " + value);
                } else {
                    bars.put(key, bar);
                }
            } catch (NumberFormatException e) {
                problems.add(key + " must be a number: '" + value + "'");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("--fail-under " + text + ": " + String.join("; ", problems));
        }
        return new FailUnder(bars);
    }

    /** What fell short, one sentence each; empty when every bar was met. */
    public List<String> check(Evaluation evaluation) {
        List<String> shortfalls = new ArrayList<>();
        for (String key : KEYS) {
            Double bar = bars.get(key);
            if (bar == null) {
                continue;
            }
            if (key.equals(FALSE_RATE)) {
                if (evaluation.healthy().isEmpty()) {
                    shortfalls.add(FALSE_RATE + ": no healthy runs to measure it (--healthy-hours 0)");
                } else if (evaluation.falsePer10NodeHours() > bar) {
                    shortfalls.add(String.format(Locale.ROOT, "%s %.2f > %s (%d false incidents in %.1f node-hours)",
                            FALSE_RATE, evaluation.falsePer10NodeHours(), FaultLadder.number(bar),
                            evaluation.falseIncidents(), evaluation.nodeHours()));
                }
                continue;
            }
            for (Evaluation.Row row : evaluation.targetRows()) {
                double value = switch (key) {
                    case RECALL -> row.recall();
                    case RECALL_IN_TIME -> row.recallInTime();
                    default -> row.namedRight();
                };
                if (value < bar) {
                    shortfalls.add(String.format(Locale.ROOT, "%s of %s %s %.2f < %s%s", key, row.kind(),
                            row.label(), value, FaultLadder.number(bar), row.missed().isEmpty() ? ""
                                    : " (missed nodes/seed: " + String.join(", ", row.missed()) + ")"));
                }
            }
        }
        return shortfalls;
    }
}
