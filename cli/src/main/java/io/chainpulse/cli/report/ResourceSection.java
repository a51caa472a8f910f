package io.chainpulse.cli.report;

import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.catalog.Kpi;
import io.chainpulse.schema.catalog.KpiKind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The report's "Resources" section: per node, for each of the catalog's resource KPIs ({@link Kpi#resources()}, so a
 * KPI added there appears here), its last, mean, max and p95 over the period, from the node's final windows only.
 *
 * <ul>
 *   <li>A gauge ({@code cpu_pct}, {@code rss_bytes}…): last = the {@code last} sample of the node's latest window;
 *   mean weighted by each window's samples; max exact; p95 from the windows' DDSketches merged (≤ 1% relative
 *   error, none when a window has no sketch), as the report's other percentiles.</li>
 *   <li>A byte rate ({@code disk_read_bytes_per_s}…): over the node's windows of it: last = the latest window's
 *   rate; mean = the bytes over those windows' seconds; max; p95 of the window rates (nearest rank).</li>
 * </ul>
 * Bytes are shown with binary prefixes ({@code 1.5 GiB}, {@code 12.5 KiB/s}). A period without any node resource
 * window gets no section, so a report of protocol KPIs alone reads exactly as before.
 */
final class ResourceSection {
    private static final String[] PREFIXES = {"", "Ki", "Mi", "Gi", "Ti", "Pi"};

    private ResourceSection() {}

    /** One row: a resource KPI of one node over the period; any value null when not known. */
    record Row(Kpi kpi, Double last, Double mean, Double max, Double p95) {}

    static void append(StringBuilder md, List<KpiWindow> now) {
        // by node and chain (a Series of no metric): the default chain's nodes first, as before chains
        Map<Series, Map<Kpi, List<KpiWindow>>> byNode = new TreeMap<>();
        for (KpiWindow w : now) {
            if (w.getScope() != KpiScope.node) {
                continue;
            }
            Kpi.byMetric(w.getMetric()).filter(Kpi::resource).ifPresent(kpi -> byNode
                    .computeIfAbsent(Series.of(w).ofNode(), n -> new TreeMap<>())
                    .computeIfAbsent(kpi, k -> new ArrayList<>()).add(w));
        }
        if (byNode.isEmpty()) {
            return;
        }
        // every node's table has the same rows: the resource KPIs any node reported, in catalog order
        List<Kpi> reported = Kpi.resources().stream()
                .filter(k -> byNode.values().stream().anyMatch(m -> m.containsKey(k))).toList();
        md.append("\n## Resources\n\n");
        md.append("Per node over the period, from its resource samples: the latest reading (a gauge's last sample, a "
                + "byte rate's last window), the mean and the maximum, and the p95 (of a gauge's samples, of a byte "
                + "rate's windows).\n");
        byNode.forEach((node, windows) -> {
            md.append("\n### ").append(node.where()).append("\n\n");
            md.append("| resource | last | mean | max | p95 |\n|---|---:|---:|---:|---:|\n");
            for (Kpi kpi : reported) {
                List<KpiWindow> list = windows.getOrDefault(kpi, List.of());
                Row row = kpi.kind() == KpiKind.RATE ? rate(kpi, list) : gauge(kpi, list);
                md.append("| ").append(kpi.metric()).append(" | ").append(value(row.last(), kpi.unit()))
                        .append(" | ").append(value(row.mean(), kpi.unit())).append(" | ")
                        .append(value(row.max(), kpi.unit())).append(" | ").append(value(row.p95(), kpi.unit()))
                        .append(" |\n");
            }
        });
    }

    static Row gauge(Kpi kpi, List<KpiWindow> windows) {
        if (windows.isEmpty()) {
            return new Row(kpi, null, null, null, null);
        }
        Summary summary = Summary.latency(windows);
        Double last = windows.stream().filter(w -> w.getLast() != null)
                .max(Comparator.comparingLong(KpiWindow::getWindowStartMs)).map(KpiWindow::getLast).orElse(null);
        return new Row(kpi, last, summary.mean(), summary.max(), summary.p95());
    }

    static Row rate(Kpi kpi, List<KpiWindow> windows) {
        if (windows.isEmpty()) {
            return new Row(kpi, null, null, null, null);
        }
        List<KpiWindow> ordered = windows.stream().sorted(Comparator.comparingLong(KpiWindow::getWindowStartMs))
                .toList();
        double bytes = 0;
        double seconds = 0;
        for (KpiWindow w : ordered) {
            double s = (w.getWindowEndMs() - w.getWindowStartMs()) / 1000.0;
            bytes += w.getRatePerS() * s;
            seconds += s;
        }
        List<Double> rates = ordered.stream().map(KpiWindow::getRatePerS).sorted().collect(Collectors.toList());
        int nearestRank = (int) Math.ceil(0.95 * rates.size());
        return new Row(kpi, ordered.get(ordered.size() - 1).getRatePerS(), seconds == 0 ? null : bytes / seconds,
                rates.get(rates.size() - 1), rates.get(nearestRank - 1));
    }

    /** {@code 97.5 %}, {@code 1.5 GiB}, {@code 12.5 KiB/s}, {@code —} when unknown. */
    static String value(Double v, String unit) {
        if (v == null) {
            return "—";
        }
        if (!unit.startsWith("bytes")) {
            return Report.number(v) + " " + unit;
        }
        double scaled = v;
        int prefix = 0;
        while (Math.abs(scaled) >= 1024 && prefix < PREFIXES.length - 1) {
            scaled /= 1024;
            prefix++;
        }
        return Report.number(scaled) + " " + (prefix == 0 ? unit : PREFIXES[prefix] + "B"
                + unit.substring("bytes".length()));
    }
}
