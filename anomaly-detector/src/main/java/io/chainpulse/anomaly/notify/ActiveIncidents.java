package io.chainpulse.anomaly.notify;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.Severity;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The incidents the notifier let through {@code min.severity} and that are still FIRING, each with its latest FIRING:
 * what passes the severity filter, and what the Alertmanager resend posts again. Thread-safe.
 *
 * <p>The filter, per incident: a FIRING passes when its severity is at least the minimum, or when the incident already
 * passed (an escalation MEDIUM → HIGH passes from the HIGH on; a later drop back to MEDIUM passes too, so a receiver
 * never keeps showing a severity the incident no longer has); a RESOLVED passes when its incident passed. An incident
 * this process has not seen (a restart) counts as passed when its current FIRING, rebuilt from the compacted
 * current-anomalies topic, is at least the minimum — or, for a RESOLVED, when the RESOLVED's severity (the incident's
 * last) is.
 *
 * <pre>{@code
 * ActiveIncidents active = new ActiveIncidents(Severity.HIGH);
 * if (active.passes(transition)) { deliver(transition); active.delivered(transition); }
 * }</pre>
 */
public final class ActiveIncidents {
    private final Severity min;
    private final Map<String, Anomaly> firing = new LinkedHashMap<>();

    public ActiveIncidents(Severity min) {
        this.min = min;
    }

    public Severity minSeverity() {
        return min;
    }

    /** Whether {@code transition} goes to the destinations (see the class comment). */
    public synchronized boolean passes(Anomaly transition) {
        return firing.containsKey(transition.getAnomalyId()) || transition.getSeverity().compareTo(min) >= 0;
    }

    /** The incident's latest FIRING the destinations got, or null. */
    public synchronized Anomaly previous(String anomalyId) {
        return firing.get(anomalyId);
    }

    /** {@code transition} passed and was dealt with (delivered or dead-lettered): a FIRING is now the incident's state. */
    public synchronized void delivered(Anomaly transition) {
        String id = transition.getAnomalyId();
        if (transition.getState() == AnomalyState.RESOLVED) {
            firing.remove(id);
            return;
        }
        Anomaly known = firing.get(id);
        if (known == null || known.getWindowStartMs() <= transition.getWindowStartMs()) {
            firing.put(id, transition); // an older, replayed FIRING never replaces a newer one
        }
    }

    /** A record of the compacted current-anomalies topic (null value: a tombstone, the incident resolved). */
    public synchronized void restore(String anomalyId, Anomaly current) {
        if (current == null || current.getState() != AnomalyState.FIRING) {
            firing.remove(anomalyId);
        } else if (current.getSeverity().compareTo(min) >= 0) {
            firing.put(anomalyId, current);
        } else {
            firing.remove(anomalyId);
        }
    }

    /** Every FIRING incident, in the order they first fired. */
    public synchronized List<Anomaly> firing() {
        return List.copyOf(firing.values());
    }

    public synchronized int size() {
        return firing.size();
    }
}
