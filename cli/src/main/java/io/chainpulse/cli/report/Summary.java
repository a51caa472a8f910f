package io.chainpulse.cli.report;

import com.datadoghq.sketch.ddsketch.DDSketch;
import io.chainpulse.processor.Sketches;
import io.chainpulse.schema.KpiWindow;
import java.util.Collection;
import java.util.Map;

/**
 * One series over one period, from its final windows only (never from raw events).
 *
 * <p>Latency KPIs: count and max exact, mean weighted by each window's count, p50/p95/p99 from the windows' DDSketches
 * merged (relative error ≤ 1%, as in each window); percentiles are null when a window with samples carries no
 * sketch (a {@code kpis.jsonl} written before sketches were), because averaging per-window percentiles is wrong.
 *
 * <p>Rate KPIs: the mean rate is the events counted over the seconds the period has data for (every window slot seen
 * for any KPI), and the minimum is over those slots; a slot without a window of this series counts as 0, since a
 * rate window exists only when something happened.
 */
record Summary(boolean rate, long count, Double mean, Double p50, Double p95, Double p99, Double max,
               Double rateMean, Double rateMin) {

    static Summary latency(Collection<KpiWindow> windows) {
        long count = 0;
        double weighted = 0;
        double max = Double.NEGATIVE_INFINITY;
        DDSketch merged = Sketches.empty();
        boolean sketches = true;
        for (KpiWindow w : windows) {
            if (w.getCount() == 0 || w.getMean() == null) {
                continue;
            }
            count += w.getCount();
            weighted += w.getMean() * w.getCount();
            max = Math.max(max, w.getMax());
            if (w.getSketch() == null) {
                sketches = false;
            } else {
                merged.mergeWith(Sketches.decode(w.getSketch()));
            }
        }
        if (count == 0) {
            return new Summary(false, 0, null, null, null, null, null, null, null);
        }
        return new Summary(false, count, weighted / count,
                sketches ? merged.getValueAtQuantile(0.50) : null,
                sketches ? merged.getValueAtQuantile(0.95) : null,
                sketches ? merged.getValueAtQuantile(0.99) : null,
                max, null, null);
    }

    /** @param slots window start → window length in ms, for every window slot the period has data for */
    static Summary rate(Collection<KpiWindow> windows, Map<Long, Long> slots) {
        double events = 0;
        long count = 0;
        Map<Long, Double> bySlot = new java.util.HashMap<>();
        for (KpiWindow w : windows) {
            double seconds = (w.getWindowEndMs() - w.getWindowStartMs()) / 1000.0;
            events += w.getRatePerS() * seconds;
            count += w.getCount();
            bySlot.merge(w.getWindowStartMs(), w.getRatePerS(), Double::sum);
        }
        double seconds = slots.values().stream().mapToLong(Long::longValue).sum() / 1000.0;
        double min = slots.keySet().stream().mapToDouble(start -> bySlot.getOrDefault(start, 0.0)).min().orElse(0);
        return new Summary(true, count, null, null, null, null, null, seconds == 0 ? null : events / seconds,
                seconds == 0 ? null : min);
    }

    /** The statistic a regression is judged on: p95 for latency (higher is worse), mean rate (lower is worse). */
    Double headline() {
        return rate ? rateMean : p95;
    }
}
