package io.chainpulse.cli.report;

import io.chainpulse.schema.Chains;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.KpiWindow;
import java.util.Comparator;

/**
 * One KPI time series: a metric for one node, or for the network ({@code node} null), of one chain ({@code chain}
 * null: the default chain). Two chains' windows never share a series, even of nodes with the same id.
 */
record Series(String metric, KpiScope scope, String node, String chain) implements Comparable<Series> {
    private static final Comparator<Series> ORDER = Comparator.comparing(Series::metric)
            .thenComparing(Series::scope, Comparator.reverseOrder()) // network before its nodes
            .thenComparing(s -> s.chain == null ? "" : s.chain)       // the default chain first
            .thenComparing(s -> s.node == null ? "" : s.node);

    /** A series of the default chain. */
    Series(String metric, KpiScope scope, String node) {
        this(metric, scope, node, null);
    }

    static Series of(KpiWindow w) {
        return new Series(w.getMetric(), w.getScope(), w.getScope() == KpiScope.network ? null : w.getNodeId(),
                Chains.idOf(w.getChainId()));
    }

    /** The node id, or {@code network}; on a chain other than the default with it: {@code v1 · beta}. */
    String where() {
        return who(node, chain);
    }

    /** {@code v1}, {@code network} on the default chain; {@code v1 · beta}, {@code network · beta} on chain beta. */
    static String who(String node, String chain) {
        return inChain(node == null ? "network" : node, chain);
    }

    /** {@code name} on the default chain, {@code name · beta} on chain beta. */
    static String inChain(String name, String chain) {
        return Chains.isDefault(chain) ? name : name + " · " + chain;
    }

    /** This series' node (or network) and chain, as a series of no metric: what per-node rows are keyed by. */
    Series ofNode() {
        return new Series("", KpiScope.node, node, chain);
    }

    @Override
    public int compareTo(Series other) {
        return ORDER.compare(this, other);
    }
}
