package io.chainpulse.cli.report;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.Severity;
import io.chainpulse.schema.catalog.Kpi;
import io.chainpulse.schema.catalog.KpiKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import io.chainpulse.schema.Chains;

/**
 * A performance report in Markdown over one period of final KPI windows and anomaly transitions, compared with the
 * previous period of equal length. Pure: no I/O, the same input gives the same text.
 *
 * <pre>{@code
 * Report.Result result = Report.builder("analyze output out/", period).regressionThreshold(0.20).build()
 *         .render(kpis, anomalies);
 * System.out.print(result.markdown());
 * if (!result.regressions().isEmpty()) System.exit(3);
 * }</pre>
 *
 * Chains are kept apart: a series is a metric, scope, node and chain; when the input holds more than one chain, a
 * node or network of a chain other than the default is named with it ({@code v1 · beta}, {@code network · beta}, a
 * network row {@code tps · beta}). The default chain's, and a report of one chain only, read as before chains.
 *
 * <p>A regression is a series (metric, scope, node, chain) whose latency p95 rose, or whose mean rate fell, by more than the
 * threshold against the previous period. Latency series are compared only when both periods hold at least
 * {@code minSamples} samples (default {@value #DEFAULT_MIN_SAMPLES}): a p95 of a few dozen samples moves by more
 * than 20% on its own.
 */
public final class Report {
    public static final double DEFAULT_REGRESSION_THRESHOLD = 0.20;
    public static final int DEFAULT_TOP = 5;
    /**
     * A p95 of fewer samples is set by its top handful: between two healthy halves of a simulated run, a node's
     * propagation p95 over 40 samples moved by +43%, over 110 samples by at most 15%.
     */
    public static final long DEFAULT_MIN_SAMPLES = 100;

    /** The per-node table's columns: the catalog's headline KPIs of node scope, each by the statistic it is judged by. */
    private static final List<Kpi> NODE_COLUMNS = Arrays.stream(Kpi.values())
            .filter(k -> k.headline() && k.scopes().contains(KpiScope.node)).toList();

    private final String source;
    private final Period period;
    private final double threshold;
    private final int top;
    private final long minSamples;

    private Report(Builder b) {
        this.source = b.source;
        this.period = b.period;
        this.threshold = b.threshold;
        this.top = b.top;
        this.minSamples = b.minSamples;
    }

    /**
     * @param source what the data came from, shown in the header (e.g. {@code analyze output out/})
     * @param period the period reported on; the previous period is {@link Period#previous()}
     */
    public static Builder builder(String source, Period period) {
        return new Builder(source, period);
    }

    /** Settings with defaults; each setter checks its value and names it when wrong. */
    public static final class Builder {
        private final String source;
        private final Period period;
        private double threshold = DEFAULT_REGRESSION_THRESHOLD;
        private int top = DEFAULT_TOP;
        private long minSamples = DEFAULT_MIN_SAMPLES;

        private Builder(String source, Period period) {
            this.source = Objects.requireNonNull(source, "source");
            this.period = Objects.requireNonNull(period, "period");
        }

        /** @param fraction e.g. 0.20 for 20% */
        public Builder regressionThreshold(double fraction) {
            if (!(fraction > 0) || Double.isInfinite(fraction)) {
                throw new IllegalArgumentException("regression threshold must be > 0: " + fraction);
            }
            this.threshold = fraction;
            return this;
        }

        /** How many worst windows to list per latency KPI. */
        public Builder top(int windows) {
            if (windows < 1) {
                throw new IllegalArgumentException("top must be >= 1: " + windows);
            }
            this.top = windows;
            return this;
        }

        /** Fewest samples a latency series needs in each period to be judged for a regression. */
        public Builder minSamples(long samples) {
            if (samples < 0) {
                throw new IllegalArgumentException("minSamples must be >= 0: " + samples);
            }
            this.minSamples = samples;
            return this;
        }

        public Report build() {
            return new Report(this);
        }
    }

    /** @param markdown the whole report; {@code regressions} in the order the report lists them */
    public record Result(String markdown, List<Regression> regressions) {}

    /**
     * One series that got worse: {@code statistic} is {@code p95} (latency and distributions), {@code mean} (ratios)
     * or {@code rate} (rates), judged in the direction the KPI catalog gives.
     *
     * @param where the node id, or {@code network}; with its chain when not the default ({@code v1 · beta})
     */
    public record Regression(String metric, String statistic, String where, double previous, double current,
                             String unit) {
        /** Relative change, e.g. 2.0 for +200%. */
        public double change() {
            return (current - previous) / previous;
        }

        /** {@code REGRESSION consensus_latency_ms p95 v3: 41.2 ms → 128.0 ms (+211%)}. */
        public String line() {
            return "REGRESSION " + metric + " " + statistic + " " + where + ": " + number(previous) + unit + " → "
                    + number(current) + unit + " (" + percent(change()) + ")";
        }
    }

    public Result render(List<KpiWindow> kpis, List<Anomaly> anomalies) {
        if (Stream.concat(kpis.stream().map(KpiWindow::getChainId), anomalies.stream().map(Anomaly::getChainId))
                .map(Chains::idOf).distinct().count() <= 1) {
            // one chain (a recording of the simulator's chain, say): named nowhere, the report as before chains
            kpis = kpis.stream().map(w -> w.getChainId() == null ? w
                    : KpiWindow.newBuilder(w).setChainId(null).build()).toList();
            anomalies = anomalies.stream().map(a -> a.getChainId() == null ? a
                    : Anomaly.newBuilder(a).setChainId(null).build()).toList();
        }
        Period previous = period.previous();
        List<KpiWindow> finals = kpis.stream().filter(KpiWindow::getFinal$).toList();
        List<KpiWindow> now = finals.stream().filter(period::contains).toList();
        List<KpiWindow> before = finals.stream().filter(previous::contains).toList();
        Map<Series, Summary> current = summarise(now);
        Map<Series, Summary> past = summarise(before);
        List<Regression> regressions = regressions(current, past);

        StringBuilder md = new StringBuilder();
        header(md, now, before);
        regressionSection(md, regressions);
        networkSection(md, current, past);
        nodeSection(md, current);
        ResourceSection.append(md, now);
        worstWindows(md, now);
        anomalySection(md, anomalies);
        return new Result(md.toString(), regressions);
    }

    private static Map<Series, Summary> summarise(List<KpiWindow> windows) {
        Map<Long, Long> slots = new TreeMap<>();
        for (KpiWindow w : windows) {
            slots.merge(w.getWindowStartMs(), w.getWindowEndMs() - w.getWindowStartMs(), Math::max);
        }
        Map<Series, List<KpiWindow>> bySeries = windows.stream()
                .collect(Collectors.groupingBy(Series::of, TreeMap::new, Collectors.toList()));
        Map<Series, Summary> summaries = new TreeMap<>();
        bySeries.forEach((series, list) -> summaries.put(series, list.get(0).getRatePerS() != null
                ? Summary.rate(list, slots) : Summary.latency(list)));
        return summaries;
    }

    private List<Regression> regressions(Map<Series, Summary> current, Map<Series, Summary> past) {
        List<Regression> found = new ArrayList<>();
        past.forEach((series, before) -> {
            Summary now = current.get(series);
            Optional<Kpi> kpi = Kpi.byMetric(series.metric());
            // the catalog's direction; a KPI it does not know is judged as before: rates down, latencies up
            boolean higherIsWorse = kpi.map(Kpi::higherIsWorse).orElse(!before.rate());
            if (before.rate()) {
                Double was = before.rateMean();
                // a rate series with no window at all in a period that has data fell to zero
                Double is = now != null ? now.rateMean() : current.isEmpty() ? null : Double.valueOf(0);
                if (was != null && is != null && was > 0 && worse(was, is, higherIsWorse) > threshold) {
                    found.add(new Regression(series.metric(), "rate", series.where(), was, is, "/s"));
                }
            } else if (kpi.map(k -> k.kind() == KpiKind.RATIO).orElse(false)) {
                // a ratio's samples are 0 or 100 (or one per height): its mean is the percentage, and a change of a
                // few points is noise, whatever it is relative to a small base
                if (now != null && before.mean() != null && now.mean() != null && before.mean() > 0
                        && before.count() >= minSamples && now.count() >= minSamples
                        && worse(before.mean(), now.mean(), higherIsWorse) > threshold
                        && Math.abs(now.mean() - before.mean()) > KpiKind.RATIO_NOISE_POINTS) {
                    found.add(new Regression(series.metric(), "mean", series.where(), before.mean(), now.mean(),
                            unit(series.metric())));
                }
            } else if (now != null && before.p95() != null && now.p95() != null && before.p95() > 0
                    && before.count() >= minSamples && now.count() >= minSamples
                    && worse(before.p95(), now.p95(), higherIsWorse) > threshold) {
                found.add(new Regression(series.metric(), "p95", series.where(), before.p95(), now.p95(),
                        unit(series.metric())));
            }
        });
        return found;
    }

    /** How much worse {@code is} is than {@code was}, relative to it (negative when better). */
    private static double worse(double was, double is, boolean higherIsWorse) {
        return (higherIsWorse ? is - was : was - is) / was;
    }

    private void header(StringBuilder md, List<KpiWindow> now, List<KpiWindow> before) {
        Set<String> nodes = now.stream().filter(w -> w.getScope() == KpiScope.node).map(Series::of)
                .map(Series::ofNode).sorted().map(Series::where).collect(Collectors.toCollection(LinkedHashSet::new));
        md.append("# ChainPulse performance report\n\n");
        md.append("- Source: ").append(source).append('\n');
        md.append("- Period: ").append(period).append('\n');
        md.append("- Previous period: ").append(period.previous()).append('\n');
        md.append("- Nodes: ").append(nodes.isEmpty() ? "none" : String.join(", ", nodes)).append('\n');
        md.append("- Windows: ").append(now.size()).append(" final KPI windows in the period, ").append(before.size())
                .append(" in the previous period\n");
    }

    private void regressionSection(StringBuilder md, List<Regression> regressions) {
        md.append("\n## Regressions\n\n");
        String rule = "latency p95 up, or mean rate down, by more than " + percentPlain(threshold)
                + " against the previous period (latency series with at least " + minSamples
                + " samples in both periods)";
        if (regressions.isEmpty()) {
            md.append("None: no ").append(rule).append(".\n");
            return;
        }
        md.append(regressions.size()).append(" series with ")
                .append(rule).append(":\n\n");
        for (Regression r : regressions) {
            md.append("- ").append(r.line()).append('\n');
        }
    }

    private void networkSection(StringBuilder md, Map<Series, Summary> current, Map<Series, Summary> past) {
        md.append("\n## Network summary\n\n");
        Set<Series> network = new TreeSet<>();
        current.keySet().stream().filter(s -> s.scope() == KpiScope.network).forEach(network::add);
        past.keySet().stream().filter(s -> s.scope() == KpiScope.network).forEach(network::add);
        if (network.isEmpty()) {
            md.append("No network KPI windows in either period.\n");
            return;
        }
        md.append("| metric | statistic | period | previous | change |\n|---|---|---:|---:|---:|\n");
        for (Series series : network) {
            Summary now = current.get(series);
            Summary before = past.get(series);
            boolean rate = (now != null ? now : before).rate();
            Map<String, Function<Summary, Double>> rows = new LinkedHashMap<>();
            if (rate) {
                rows.put("mean rate", Summary::rateMean);
                rows.put("min rate", Summary::rateMin);
            } else {
                rows.put("samples", s -> (double) s.count());
                rows.put("mean", Summary::mean);
                rows.put("p50", Summary::p50);
                rows.put("p95", Summary::p95);
                rows.put("p99", Summary::p99);
                rows.put("max", Summary::max);
            }
            boolean first = true;
            for (Map.Entry<String, Function<Summary, Double>> row : rows.entrySet()) {
                Double is = now == null ? null : row.getValue().apply(now);
                Double was = before == null ? null : row.getValue().apply(before);
                String unit = row.getKey().equals("samples") ? "" : rate ? "/s" : unit(series.metric());
                md.append("| ").append(first ? Series.inChain(series.metric(), series.chain()) : "").append(" | ")
                        .append(row.getKey()).append(" | ")
                        .append(value(is, unit, row.getKey())).append(" | ").append(value(was, unit, row.getKey()))
                        .append(" | ").append(is == null || was == null || was == 0 ? "—" : percent((is - was) / was))
                        .append(" |\n");
                first = false;
            }
        }
    }

    private void nodeSection(StringBuilder md, Map<Series, Summary> current) {
        md.append("\n## Per node\n\n");
        Set<Series> nodes = current.keySet().stream().filter(s -> s.scope() == KpiScope.node).map(Series::ofNode)
                .collect(Collectors.toCollection(TreeSet::new));
        if (nodes.isEmpty()) {
            md.append("No node KPI windows in the period.\n");
            return;
        }
        md.append("| node |");
        NODE_COLUMNS.forEach(c -> md.append(' ').append(c.heading()).append(" |"));
        md.append("\n|---|");
        NODE_COLUMNS.forEach(c -> md.append("---:|"));
        md.append('\n');
        for (Series node : nodes) {
            md.append("| ").append(node.where()).append(" |");
            for (Kpi c : NODE_COLUMNS) {
                Summary s = current.get(new Series(c.metric(), KpiScope.node, node.node(), node.chain()));
                String statistic = c.kind() == KpiKind.RATE ? "mean rate" : c.kind().statistic();
                Double v = s == null ? null : switch (statistic) {
                    case "p95" -> s.p95();
                    case "mean" -> s.mean();
                    default -> s.rateMean();
                };
                md.append(' ').append(value(v, c.kind() == KpiKind.RATE ? "/s" : unit(c.metric()), statistic))
                        .append(" |");
            }
            md.append('\n');
        }
    }

    private void worstWindows(StringBuilder md, List<KpiWindow> now) {
        md.append("\n## Worst windows\n\n");
        Map<String, List<KpiWindow>> byMetric = now.stream()
                .filter(w -> w.getScope() == KpiScope.node && w.getRatePerS() == null && w.getP99() != null
                        && isLatency(w.getMetric()))
                .collect(Collectors.groupingBy(KpiWindow::getMetric, TreeMap::new, Collectors.toList()));
        if (byMetric.isEmpty()) {
            md.append("No node latency windows in the period.\n");
            return;
        }
        md.append("Up to ").append(top).append(" node windows with the highest p99, per latency KPI.\n\n");
        md.append("| metric | node | window start (UTC) | p99 | p95 | samples |\n|---|---|---|---:|---:|---:|\n");
        byMetric.forEach((metric, windows) -> windows.stream()
                .sorted(Comparator.comparingDouble(KpiWindow::getP99).reversed()
                        .thenComparingLong(KpiWindow::getWindowStartMs).thenComparing(KpiWindow::getNodeId)
                        .thenComparing(w -> w.getChainId() == null ? "" : w.getChainId()))
                .limit(top)
                .forEach(w -> md.append("| ").append(metric).append(" | ")
                        .append(Series.who(w.getNodeId(), w.getChainId())).append(" | ")
                        .append(Instant.ofEpochMilli(w.getWindowStartMs())).append(" | ")
                        .append(value(w.getP99(), unit(metric), "p99")).append(" | ")
                        .append(value(w.getP95(), unit(metric), "p95")).append(" | ").append(w.getCount())
                        .append(" |\n")));
    }

    /**
     * A latency KPI, or one the catalog does not know (a newer processor's): the highest p99 of a block size or a
     * leader share is no "worst" window.
     */
    private static boolean isLatency(String metric) {
        return Kpi.byMetric(metric).map(k -> k.kind() == KpiKind.LATENCY).orElse(true);
    }

    /** One incident: its transitions grouped by anomaly id. */
    private record Incident(String id, Anomaly firing, Severity severity, long startedMs, Long resolvedMs) {}

    private void anomalySection(StringBuilder md, List<Anomaly> anomalies) {
        md.append("\n## Anomalies\n\n");
        Map<String, List<Anomaly>> byId = anomalies.stream()
                .collect(Collectors.groupingBy(Anomaly::getAnomalyId, LinkedHashMap::new, Collectors.toList()));
        List<Incident> incidents = new ArrayList<>();
        byId.forEach((id, transitions) -> {
            List<Anomaly> firings = transitions.stream().filter(a -> a.getState() == AnomalyState.FIRING)
                    .sorted(Comparator.comparingLong(Anomaly::getWindowStartMs)).toList();
            if (firings.isEmpty()) {
                return; // its FIRING lies before what was read: nothing to say about it
            }
            Anomaly latest = firings.get(firings.size() - 1);
            Severity worst = firings.stream().map(Anomaly::getSeverity).max(Comparator.naturalOrder()).orElseThrow();
            long started = firings.stream().mapToLong(Anomaly::getStartedMs).min().orElseThrow();
            Long resolved = transitions.stream().filter(a -> a.getState() == AnomalyState.RESOLVED)
                    .map(Anomaly::getWindowStartMs).findFirst().orElse(null);
            if (started < period.toMs() && (resolved == null || resolved >= period.fromMs())) {
                incidents.add(new Incident(id, latest, worst, started, resolved));
            }
        });
        if (incidents.isEmpty()) {
            md.append("No anomalies in the period.\n");
            return;
        }
        incidents.sort(Comparator.comparing(Incident::severity, Comparator.reverseOrder())
                .thenComparingLong(Incident::startedMs).thenComparing(Incident::id));
        md.append("| severity | node | metric | detector | started (UTC) | resolved (UTC) | suggested action |\n")
                .append("|---|---|---|---|---|---|---|\n");
        for (Incident i : incidents) {
            Anomaly a = i.firing();
            md.append("| ").append(i.severity()).append(" | ").append(Series.who(a.getNodeId(), a.getChainId()))
                    .append(" | ").append(a.getMetric()).append(" | ").append(a.getDetector()).append(" | ")
                    .append(Instant.ofEpochMilli(i.startedMs())).append(" | ")
                    .append(i.resolvedMs() == null ? "ongoing" : Instant.ofEpochMilli(i.resolvedMs()).toString())
                    .append(" | ").append(cell(a.getSuggestedActions().isEmpty() ? "—"
                            : String.join("; ", a.getSuggestedActions()))).append(" |\n");
        }
    }

    private static String unit(String metric) {
        return Kpi.byMetric(metric).filter(k -> k.kind() != KpiKind.RATE).map(k -> " " + k.unit()).orElse("");
    }

    private static String value(Double v, String unit, String statistic) {
        if (v == null) {
            return "—";
        }
        return statistic.equals("samples") ? String.valueOf(v.longValue()) : number(v) + unit;
    }

    static String number(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** Whole percent with its sign; a change that rounds to 0 is {@code +0%}, never {@code -0%}. */
    static String percent(double change) {
        return String.format(Locale.ROOT, "%+d%%", Math.round(change * 100));
    }

    private static String percentPlain(double fraction) {
        return String.format(Locale.ROOT, "%.0f%%", fraction * 100);
    }

    /** Markdown table cells cannot hold a pipe or a line break. */
    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
