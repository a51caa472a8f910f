package io.chainpulse.cli.report;

import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.KpiWindow;
import java.util.Comparator;

/**
 * One KPI time series: a metric for one node, or for the network ({@code node} null).
 */
record Series(String metric, KpiScope scope, String node) implements Comparable<Series> {
    private static final Comparator<Series> ORDER = Comparator.comparing(Series::metric)
            .thenComparing(Series::scope, Comparator.reverseOrder()) // network before its nodes
            .thenComparing(s -> s.node == null ? "" : s.node);

    static Series of(KpiWindow w) {
        return new Series(w.getMetric(), w.getScope(), w.getScope() == KpiScope.network ? null : w.getNodeId());
    }

    /** The node id, or {@code network}. */
    String where() {
        return node == null ? "network" : node;
    }

    @Override
    public int compareTo(Series other) {
        return ORDER.compare(this, other);
    }
}
