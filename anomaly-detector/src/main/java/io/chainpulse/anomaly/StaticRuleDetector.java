package io.chainpulse.anomaly;

import io.chainpulse.schema.KpiWindow;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Static thresholds from the rules file: every rule whose metric and scope match a window yields a verdict (breached
 * or clean); consecutive and clear window counts are the {@link IncidentTracker}'s job. Stateless: a pooled rule
 * ({@link Rule#poolWindows()} above 1, failure ratios only) keeps its series' latest windows in the
 * {@code Kept<RuleWindows>} it is given and judges their samples and failures as one, at {@code pooledGate}'s alpha.
 *
 * <p>Why pool: a node's window at 20 TPS holds ~40 validations, so a burst of 10 % failures shows ~4 in it, and a
 * test that keeps a healthy node quiet (1 % failing) wants 3 of 38 in each of two windows in a row — 58 % of such
 * bursts at 7 nodes within 2 windows. The same two windows pooled, tested at {@code alpha = 1e-4} (7 of 76), catch
 * ~76 % and keep a healthy node's false incidents at ~0.002 an hour (README, Detection floor).
 *
 * <pre>{@code
 * StaticRuleDetector rules = new StaticRuleDetector(RulesFile.defaults());
 * List<Verdict> verdicts = rules.evaluate(kpiWindow, null, memory);
 * }</pre>
 */
public final class StaticRuleDetector {
    public static final String DETECTOR = "static_rule";

    /** Default alpha of a pooled rule's test ({@code failure.pooled.alpha}). */
    public static final double DEFAULT_POOLED_ALPHA = 1e-4;

    private final List<Rule> rules;
    private final FailureGate gate;
    private final FailureGate pooledGate;

    public StaticRuleDetector(List<Rule> rules) {
        this(rules, FailureGate.defaults());
    }

    /** {@link #StaticRuleDetector(List, FailureGate, FailureGate)} with pooled rules at the default alpha. */
    public StaticRuleDetector(List<Rule> rules, FailureGate gate) {
        this(rules, gate, new FailureGate(DEFAULT_POOLED_ALPHA, gate.floorPct()));
    }

    /**
     * @param gate       when a failure ratio above a {@code >} or {@code >=} threshold is evidence rather than noise
     * @param pooledGate the same for a pooled rule's windows judged as one: a stricter alpha, since every window
     *                   tests its predecessors' samples again and one pooled test fires
     */
    public StaticRuleDetector(List<Rule> rules, FailureGate gate, FailureGate pooledGate) {
        this.rules = List.copyOf(rules);
        this.gate = gate;
        this.pooledGate = pooledGate;
    }

    /** {@link #evaluate(KpiWindow, Double)} with the gate's floor as the healthy failure share. */
    public List<Verdict> evaluate(KpiWindow window) {
        return evaluate(window, null);
    }

    /** {@link #evaluate(KpiWindow, Double, Kept)} with nothing remembered: pooled rules see one window. */
    public List<Verdict> evaluate(KpiWindow window, Double referencePct) {
        return evaluate(window, referencePct, Kept.nothing());
    }

    /**
     * @param referencePct the healthy share of the window's failure ratio (the network's learned share), null when
     *                     unknown; a failure ratio above its threshold counts only when its failed samples are
     *                     significant at that share ({@link FailureGate})
     * @param memory       where pooled rules keep their series' latest windows (read and updated here)
     */
    public List<Verdict> evaluate(KpiWindow window, Double referencePct, Kept<RuleWindows> memory) {
        List<Verdict> verdicts = new ArrayList<>();
        for (Rule rule : rules) {
            if (!rule.metric().equals(window.getMetric()) || rule.scope() != window.getScope()) {
                continue;
            }
            Optional<Double> value = rule.statistic().of(window);
            if (value.isEmpty()) {
                continue;
            }
            double observed = value.get();
            IncidentKey key = new IncidentKey(DETECTOR, rule.name(), rule.metric(), rule.scope(),
                    window.getNodeId());
            Pool pool = rule.pooled() && FailureGate.gates(rule.metric()) ? pool(rule, key.id(), window, memory)
                    : null;
            boolean rising = rule.comparison() == Comparison.GT || rule.comparison() == Comparison.GE;
            boolean ratioTooThin;
            if (pool != null) {
                observed = pool.pct();
                ratioTooThin = rising && !pooledGate.significant(pool.samples(), pool.failed(), referencePct);
            } else {
                // a failure ratio above its threshold on a failure or two is the healthy share at work, not a breach
                ratioTooThin = rising && !gate.significant(window, referencePct);
            }
            if (rule.comparison().breached(observed, rule.threshold()) && !ratioTooThin) {
                verdicts.add(Verdict.breach(key, window.getWindowStartMs(), rule.severity(), observed,
                        rule.threshold(), describe(rule, window, observed, pool), rule.suggestedActions(),
                        rule.forWindows(), rule.clearWindows()));
            } else {
                verdicts.add(Verdict.clean(key, window.getWindowStartMs(), observed, rule.threshold(),
                        rule.forWindows(), rule.clearWindows()));
            }
        }
        return verdicts;
    }

    /** A pooled rule's windows judged as one: their samples and failed samples, and how many windows they are. */
    record Pool(long samples, long failed, int windows) {
        double pct() {
            return samples == 0 ? 0 : 100.0 * failed / samples;
        }

        /** {@code 9 failed of 76 in its latest 2 windows}, {@code 3 failed of 38 in its latest window}. */
        String describe() {
            return failed + " failed of " + samples + " in its latest "
                    + (windows == 1 ? "window" : windows + " windows");
        }
    }

    /**
     * The window with the rule's kept windows of the same series that end at most {@code poolWindows} windows back,
     * and what is kept for the next: the newest {@code poolWindows − 1} windows of the series (a window arriving late
     * is pooled with those before it and never evicts a newer one).
     */
    private static Pool pool(Rule rule, String key, KpiWindow window, Kept<RuleWindows> memory) {
        long size = window.getWindowEndMs() - window.getWindowStartMs();
        long start = window.getWindowStartMs();
        java.util.TreeMap<Long, RuleWindows.Window> windows = new java.util.TreeMap<>();
        RuleWindows kept = memory.get(key);
        if (kept != null) {
            kept.windows().forEach(w -> windows.put(w.startMs(), w));
        }
        windows.put(start, new RuleWindows.Window(start, window.getCount(), FailureGate.failed(window)));
        long samples = 0;
        long failed = 0;
        int counted = 0;
        for (RuleWindows.Window w : windows.subMap(start - (rule.poolWindows() - 1) * size, true, start, true)
                .values()) {
            samples += w.samples();
            failed += w.failed();
            counted++;
        }
        long newest = windows.lastKey();
        memory.put(key, new RuleWindows(List.copyOf(windows.tailMap(newest - (rule.poolWindows() - 2) * size, true)
                .values())));
        return new Pool(samples, failed, counted);
    }

    static String describe(Rule rule, KpiWindow window, double observed, Pool pool) {
        return rule.description()
                .replace("{pooled}", pool == null ? "" : pool.describe())
                .replace("{node}", window.getNodeId() == null ? "the network" : window.getNodeId())
                .replace("{metric}", Metrics.human(rule.metric()))
                .replace("{statistic}", rule.statistic().label().toLowerCase(Locale.ROOT))
                .replace("{observed}", format(rule, observed))
                .replace("{threshold}", format(rule, rule.threshold()));
    }

    /** A count is a whole number of samples ({@code 3}), not a value of the metric's unit ({@code 3.0/s}). */
    private static String format(Rule rule, double value) {
        return rule.statistic() == Statistic.COUNT ? String.format(Locale.ROOT, "%.0f", value)
                : Metrics.format(rule.metric(), value);
    }
}
