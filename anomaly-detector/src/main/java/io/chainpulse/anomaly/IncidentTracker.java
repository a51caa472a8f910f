package io.chainpulse.anomaly;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.Severity;

/**
 * The incident lifecycle, one key at a time: FIRING once after the verdict's {@code fireAfter} consecutive breached
 * windows, FIRING again only when the severity changes, RESOLVED once after {@code resolveAfter} consecutive clean
 * windows; nothing while an incident simply continues. Pure: the caller stores the returned state.
 *
 * <pre>{@code
 * IncidentTracker.Step step = IncidentTracker.apply(store.get(key), verdict);
 * store.put(key, step.state());          // null: forget the key
 * if (step.transition() != null) forward(step.transition());
 * }</pre>
 *
 * The anomaly id is {@code detector|rule|metric|scope|node_id|first breached window start} ({@code node_id|chain|…}
 * on a chain other than the default): stable for the whole
 * incident, different for the next incident on the same key, and the same on every replay of the same KPIs.
 */
public final class IncidentTracker {

    /** {@code reason} of the RESOLVED transition of an incident whose key was forgotten (a node that expired). */
    public static final String EXPIRED = "expired";

    private IncidentTracker() {}

    /**
     * @param state      the next state to store, or null when nothing needs remembering
     * @param transition the record to publish, or null
     */
    public record Step(IncidentState state, Anomaly transition) {}

    public static Step apply(IncidentState state, Verdict verdict) {
        if (state == null || !state.firing()) {
            if (!verdict.breached()) {
                return new Step(null, null);
            }
            int breaches = state == null ? 1 : state.breaches() + 1;
            long firstBreach = state == null ? verdict.windowStartMs() : state.firstBreachMs();
            if (breaches < verdict.fireAfter()) {
                return new Step(IncidentState.pending(breaches, firstBreach), null);
            }
            String id = verdict.key().id() + '|' + firstBreach;
            IncidentState firing = new IncidentState(true, 0, 0, firstBreach, id, verdict.severity(),
                    verdict.windowStartMs(), verdict.description(), verdict.suggestedActions());
            return new Step(firing, anomaly(firing, AnomalyState.FIRING, verdict, verdict.description()));
        }
        if (verdict.breached()) {
            IncidentState next = new IncidentState(true, 0, 0, state.firstBreachMs(), state.anomalyId(),
                    verdict.severity(), state.startedMs(), verdict.description(), verdict.suggestedActions());
            Anomaly transition = verdict.severity() == state.severity() ? null
                    : anomaly(next, AnomalyState.FIRING, verdict, verdict.description());
            return new Step(next, transition);
        }
        int cleans = state.cleans() + 1;
        if (cleans < verdict.resolveAfter()) {
            return new Step(new IncidentState(true, 0, cleans, state.firstBreachMs(), state.anomalyId(),
                    state.severity(), state.startedMs(), state.description(), state.suggestedActions()), null);
        }
        String description = "resolved after " + cleans + " clean window" + (cleans == 1 ? "" : "s") + " (was: "
                + state.description() + ")";
        return new Step(null, anomaly(state, AnomalyState.RESOLVED, verdict, description));
    }

    /**
     * The key is being forgotten (liveness: its node was silent for {@code node.expiry.ms}): a firing incident
     * resolves now with reason {@value #EXPIRED} and {@code description} followed by what it was; a pending one
     * (breached, not yet firing) is dropped silently. The state to store is always null.
     */
    public static Step expire(IncidentState state, Verdict verdict, String description) {
        if (state == null || !state.firing()) {
            return new Step(null, null);
        }
        Anomaly resolved = anomaly(state, AnomalyState.RESOLVED, verdict,
                description + " (was: " + state.description() + ")");
        resolved.setReason(EXPIRED);
        return new Step(null, resolved);
    }

    private static Anomaly anomaly(IncidentState state, AnomalyState lifecycle, Verdict verdict, String description) {
        IncidentKey key = verdict.key();
        Severity severity = state.severity();
        return Anomaly.newBuilder()
                .setAnomalyId(state.anomalyId())
                .setState(lifecycle)
                .setSeverity(severity)
                .setSeverityLevel(severity.ordinal() + 1)
                .setDetector(key.detector())
                .setRule(key.rule())
                .setMetric(key.metric())
                .setScope(key.scope())
                .setNodeId(key.nodeId())
                .setChainId(key.chain())
                .setWindowStartMs(verdict.windowStartMs())
                .setObserved(verdict.observed())
                .setExpected(verdict.expected())
                .setDescription(description)
                .setSuggestedActions(lifecycle == AnomalyState.FIRING ? verdict.suggestedActions()
                        : java.util.List.of())
                .setStartedMs(state.startedMs())
                .build();
    }
}
