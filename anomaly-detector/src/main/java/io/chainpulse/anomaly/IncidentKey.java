package io.chainpulse.anomaly;

import io.chainpulse.schema.KpiScope;

/**
 * What an incident is about: one detector's rule on one metric for one node (or the network). The incident tracker
 * keeps one lifecycle per key; {@link #id()} is also the key of the state stores.
 *
 * @param nodeId the node, or null for network scope
 */
public record IncidentKey(String detector, String rule, String metric, KpiScope scope, String nodeId) {

    /** {@code detector|rule|metric|scope|node_id} (node id empty for network scope). */
    public String id() {
        return detector + '|' + rule + '|' + metric + '|' + scope + '|' + (nodeId == null ? "" : nodeId);
    }

    /** "on v3" or "on the network", for descriptions. */
    String where() {
        return nodeId == null ? "on the network" : "on " + nodeId;
    }
}
