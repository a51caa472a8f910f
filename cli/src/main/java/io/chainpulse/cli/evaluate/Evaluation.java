package io.chainpulse.cli.evaluate;

import io.chainpulse.schema.Anomaly;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * What a {@link Sweep} measured, per fault kind and magnitude and on the healthy runs, and the detection floor read
 * from it. Pure: {@link Sweep.Results} in, numbers out.
 *
 * <pre>{@code
 * Evaluation evaluation = Evaluation.of(Sweep.run(settings, progress));
 * System.out.print(evaluation.markdown());
 * }</pre>
 */
public record Evaluation(Sweep.Settings settings, List<Row> rows, List<Floor> floor, List<Sweep.HealthyResult> healthy) {
    /** The delay within which a detection counts for the floor and the targets. */
    public static final int TARGET_DELAY_WINDOWS = 2;

    /**
     * One fault kind at one magnitude, over every seed and network size.
     *
     * @param caught        trials where a right alert fired during the fault (or the window after it)
     * @param caughtInTime  ... within {@link #TARGET_DELAY_WINDOWS} windows of the onset's window
     * @param firstRight    trials whose first alert after the onset was a right one
     * @param otherAlerts   alerts during the faults that named another node, scope or metric
     * @param missed        {@code nodes/seed} of the trials without a right alert
     */
    public record Row(String kind, String label, double magnitude, boolean target, int trials, int caught,
                      int caughtInTime, Double delayMedian, Integer delayMax, int firstRight, int otherAlerts,
                      List<String> missed) {
        public double recall() {
            return (double) caught / trials;
        }

        public double recallInTime() {
            return (double) caughtInTime / trials;
        }

        public double namedRight() {
            return (double) firstRight / trials;
        }
    }

    /**
     * @param label the weakest magnitude from which every stronger step of the ladder was caught in every trial
     *              within {@link #TARGET_DELAY_WINDOWS} windows, its first alert right; null when none was
     */
    public record Floor(String kind, String label, Double magnitude) {}

    public static Evaluation of(Sweep.Results results) {
        Map<Sweep.Case, List<Sweep.TrialResult>> byCase = results.trials().stream()
                .collect(Collectors.groupingBy(r -> r.trial().c(), LinkedHashMap::new, Collectors.toList()));
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<Sweep.Case, List<Sweep.TrialResult>> e : byCase.entrySet()) {
            rows.add(row(e.getKey(), e.getValue()));
        }
        List<Floor> floor = new ArrayList<>();
        for (FaultLadder ladder : FaultLadder.all()) {
            List<Row> steps = rows.stream().filter(r -> r.kind().equals(ladder.id())
                    && ladder.magnitudes().contains(r.magnitude()) && !r.label().endsWith("3 windows")).toList();
            if (steps.isEmpty()) {
                continue;
            }
            Row lowest = null;
            for (int i = steps.size() - 1; i >= 0 && perfect(steps.get(i)); i--) {
                lowest = steps.get(i);
            }
            floor.add(new Floor(ladder.id(), lowest == null ? null : lowest.label(),
                    lowest == null ? null : lowest.magnitude()));
        }
        return new Evaluation(results.settings(), rows, floor, results.healthy());
    }

    private static boolean perfect(Row row) {
        return row.caughtInTime() == row.trials() && row.firstRight() == row.trials();
    }

    private static Row row(Sweep.Case c, List<Sweep.TrialResult> trials) {
        List<Integer> delays = trials.stream().map(Sweep.TrialResult::delayWindows).filter(Objects::nonNull).sorted()
                .toList();
        Double median = delays.isEmpty() ? null : delays.size() % 2 == 1 ? (double) delays.get(delays.size() / 2)
                : (delays.get(delays.size() / 2 - 1) + delays.get(delays.size() / 2)) / 2.0;
        return new Row(c.ladder().id(), c.label(), c.magnitude(), c.target(), trials.size(), delays.size(),
                (int) delays.stream().filter(d -> d <= TARGET_DELAY_WINDOWS).count(), median,
                delays.isEmpty() ? null : delays.get(delays.size() - 1),
                (int) trials.stream().filter(Sweep.TrialResult::firstRight).count(),
                trials.stream().mapToInt(Sweep.TrialResult::otherAlerts).sum(),
                trials.stream().filter(t -> t.delayWindows() == null)
                        .map(t -> t.trial().nodes() + "/" + t.trial().seed()).toList());
    }

    public double nodeHours() {
        return healthy.stream().mapToDouble(Sweep.HealthyResult::nodeHours).sum();
    }

    public int falseIncidents() {
        return healthy.stream().mapToInt(h -> h.incidents().size()).sum();
    }

    /** False incidents per 10 node-hours of healthy runs; NaN without healthy runs. */
    public double falsePer10NodeHours() {
        return nodeHours() == 0 ? Double.NaN : 10 * falseIncidents() / nodeHours();
    }

    /** The rows the targets are stated for: each ladder's target step and the three-window dip. */
    public List<Row> targetRows() {
        return rows.stream().filter(Row::target).toList();
    }

    /** The report: rows, floor, healthy runs. */
    public String markdown() {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Sweep: network sizes %s, %d seeds each (from %d), %s TPS, faults of %d s "
                        + "(a silence: its length) starting %d–%d s into the run; healthy runs of %s h per size. "
                        + "Delays are in %d s windows after the window of the onset.%n%n",
                settings.sizes().stream().map(String::valueOf).collect(Collectors.joining(", ")), settings.seeds(),
                settings.firstSeed(), FaultLadder.number(settings.tps()), settings.faultDuration().toSeconds(),
                Sweep.ONSET.toSeconds(), Sweep.ONSET.toSeconds() + Sweep.WINDOW_MS / 1000 - 1,
                FaultLadder.number(settings.healthyHours()), Sweep.WINDOW_MS / 1000));
        md.append("| fault | magnitude | trials | recall | caught ≤ 2 windows | delay median | delay max "
                + "| first alert right | other alerts |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            md.append(String.format(Locale.ROOT, "| %s | %s%s | %d | %s | %s | %s | %s | %s | %d |%n", r.kind(),
                    r.label(), r.target() ? " (target)" : "", r.trials(), percent(r.recall()),
                    percent(r.recallInTime()), r.delayMedian() == null ? "–" : FaultLadder.number(r.delayMedian()),
                    r.delayMax() == null ? "–" : r.delayMax(), percent(r.namedRight()), r.otherAlerts()));
        }
        md.append("\n**Detection floor** — the smallest magnitude from which every trial was caught within 2 windows, "
                + "its first alert naming the right node (or the network) and metric:\n\n");
        if (settings.targetsOnly()) {
            md.append("(Only the target steps ran: a weaker step may be caught too.)\n\n");
        }
        md.append("| fault | detection floor |\n|---|---|\n");
        for (Floor f : floor) {
            md.append("| ").append(f.kind()).append(" | ").append(f.label() == null ? "not reached on this ladder"
                    : f.label()).append(" |\n");
        }
        if (!healthy.isEmpty()) {
            md.append("\n**Healthy runs** — every incident is a false one:\n\n");
            md.append("| nodes | simulated hours | node-hours | false incidents |\n|---:|---:|---:|---:|\n");
            for (Sweep.HealthyResult h : healthy) {
                md.append(String.format(Locale.ROOT, "| %d | %.1f | %.1f | %d |%n", h.nodes(), h.hours(),
                        h.nodeHours(), h.incidents().size()));
            }
            md.append(String.format(Locale.ROOT, "%n%d false incidents in %.1f node-hours: **%.2f per 10 node-hours**.%n",
                    falseIncidents(), nodeHours(), falsePer10NodeHours()));
            for (Sweep.HealthyResult h : healthy) {
                for (Anomaly a : h.incidents()) {
                    md.append(String.format(Locale.ROOT, "- %d nodes, %s s: %s %s %s/%s — %s%n", h.nodes(),
                            (a.getWindowStartMs() - Sweep.START_MS) / 1000, a.getSeverity(), a.getMetric(),
                            a.getDetector(), a.getRule(), a.getDescription()));
                }
            }
        }
        return md.toString();
    }

    /** The JSON document of {@code --json}. */
    public Map<String, Object> json() {
        Map<String, Object> doc = new LinkedHashMap<>();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("sizes", settings.sizes());
        s.put("seeds", settings.seeds());
        s.put("first_seed", settings.firstSeed());
        s.put("tps", settings.tps());
        s.put("fault_duration_s", settings.faultDuration().toSeconds());
        s.put("healthy_hours", settings.healthyHours());
        s.put("window_s", Sweep.WINDOW_MS / 1000);
        s.put("targets_only", settings.targetsOnly());
        doc.put("settings", s);
        List<Map<String, Object>> rowDocs = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("fault", r.kind());
            m.put("magnitude", r.magnitude());
            m.put("label", r.label());
            m.put("target", r.target());
            m.put("trials", r.trials());
            m.put("recall", r.recall());
            m.put("recall_within_2_windows", r.recallInTime());
            m.put("delay_median_windows", r.delayMedian());
            m.put("delay_max_windows", r.delayMax());
            m.put("first_alert_right", r.namedRight());
            m.put("other_alerts", r.otherAlerts());
            m.put("missed", r.missed());
            rowDocs.add(m);
        }
        doc.put("rows", rowDocs);
        List<Map<String, Object>> floorDocs = new ArrayList<>();
        for (Floor f : floor) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("fault", f.kind());
            m.put("magnitude", f.magnitude());
            m.put("label", f.label());
            floorDocs.add(m);
        }
        doc.put("floor", floorDocs);
        List<Map<String, Object>> healthyDocs = new ArrayList<>();
        for (Sweep.HealthyResult h : healthy) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("nodes", h.nodes());
            m.put("seed", h.seed());
            m.put("hours", h.hours());
            m.put("node_hours", h.nodeHours());
            m.put("false_incidents", h.incidents().stream().map(a -> Map.of("anomaly_id", a.getAnomalyId(),
                    "severity", a.getSeverity().name(), "description", a.getDescription())).toList());
            healthyDocs.add(m);
        }
        doc.put("healthy", healthyDocs);
        doc.put("false_incidents", falseIncidents());
        doc.put("node_hours", nodeHours());
        doc.put("false_per_10_node_hours", healthy.isEmpty() ? null : falsePer10NodeHours());
        return doc;
    }

    static String percent(double share) {
        return String.format(Locale.ROOT, "%.0f %%", 100 * share);
    }
}
