package io.chainpulse.anomaly;

import io.chainpulse.schema.KpiScope;

/**
 * What an incident is about: one detector's rule on one metric for one node (or the network) of one chain. The
 * incident tracker keeps one lifecycle per key; {@link #id()} is also the key of the state stores.
 *
 * @param nodeId the node, or null for network scope
 * @param chain  the chain ({@code chain_id} of the windows judged), or null for the default chain
 */
public record IncidentKey(String detector, String rule, String metric, KpiScope scope, String nodeId, String chain) {

    /** A key on the default chain: what every detector makes; {@link #inChain} moves it to the window's chain. */
    public IncidentKey(String detector, String rule, String metric, KpiScope scope, String nodeId) {
        this(detector, rule, metric, scope, nodeId, null);
    }

    /**
     * {@code detector|rule|metric|scope|node_id} (node id empty for network scope), followed by {@code |chain} on a
     * chain other than the default.
     */
    public String id() {
        String id = detector + '|' + rule + '|' + metric + '|' + scope + '|' + (nodeId == null ? "" : nodeId);
        return chain == null ? id : id + '|' + chain;
    }

    /** The same key on {@code chain} (null: the default chain). */
    IncidentKey inChain(String chain) {
        return new IncidentKey(detector, rule, metric, scope, nodeId, chain);
    }

    /** "on v3" or "on the network", for descriptions. */
    String where() {
        return nodeId == null ? "on the network" : "on " + nodeId;
    }
}
