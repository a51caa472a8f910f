package io.chainpulse.anomaly.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chainpulse.anomaly.StaticRuleDetector;
import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import java.net.URI;
import java.time.Instant;
import java.util.Collection;
import java.util.Locale;

/**
 * Anomaly transitions as the body of Alertmanager's {@code POST /api/v2/alerts}: one alert per incident and severity,
 * identified (as Alertmanager identifies alerts) by its labels
 * {@code alertname, chain, node, metric, severity, detector}.
 * <ul>
 *   <li>{@code alertname}: {@code ChainPulse} + the rule in UpperCamelCase for a static rule
 *   ({@code consensus_latency_p95_high} → {@code ChainPulseConsensusLatencyP95High}), else + the detector and the rule
 *   ({@code trend}, {@code slope} → {@code ChainPulseTrendSlope});</li>
 *   <li>{@code chain}: the anomaly's {@code chain_id}; for an anomaly of the default chain (none: its events had no
 *   {@code chain_id}) the configured name, {@code default} unless set;</li>
 *   <li>{@code node}: the node id, {@code network} for a network-wide anomaly; {@code severity}: lower case
 *   ({@code critical, high, medium, low, info});</li>
 *   <li>annotations {@code summary}, {@code description}, {@code suggested_actions} (joined by {@code "; "}, absent
 *   when there are none) and {@code anomaly_id};</li>
 *   <li>FIRING: {@code startsAt} = the transition's window start, no {@code endsAt} (Alertmanager resolves it after its
 *   {@code resolve_timeout} unless it is sent again, which the notifier does every resend interval); RESOLVED:
 *   {@code startsAt} = the incident's start, {@code endsAt} = the window start of the RESOLVED transition;</li>
 *   <li>{@code generatorURL}: the dashboard.</li>
 * </ul>
 * A severity change within one incident is a new alert (other labels): the post that fires the new severity also
 * ends the previous one at the new window's start.
 *
 * <pre>{@code
 * AlertmanagerAlerts alerts = new AlertmanagerAlerts("default", URI.create("http://127.0.0.1:8088/"));
 * String body = alerts.transition(anomaly, previousFiringOrNull);
 * }</pre>
 */
public final class AlertmanagerAlerts {
    /** The chain label when none is configured: what the processor calls events without a {@code chain_id}. */
    public static final String DEFAULT_CHAIN = io.chainpulse.schema.Chains.DEFAULT;
    static final String NETWORK = "network";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String chain;
    private final URI dashboard;

    public AlertmanagerAlerts(String chain, URI dashboard) {
        if (chain == null || chain.isBlank()) {
            throw new IllegalArgumentException("chain must be non-empty: '" + chain + "'");
        }
        this.chain = chain;
        this.dashboard = dashboard;
    }

    /**
     * The body posting one transition. {@code previous} is the incident's FIRING the receiver last got (null if
     * none): when its severity differs, that alert is ended in the same post; when it is newer than
     * {@code transition} (a replayed, older FIRING), the body re-asserts {@code previous} instead, so a replay never
     * rolls an alert back.
     */
    public String transition(Anomaly transition, Anomaly previous) {
        ArrayNode alerts = JSON.createArrayNode();
        if (transition.getState() == AnomalyState.RESOLVED) {
            alerts.add(alert(transition, transition.getStartedMs(), transition.getWindowStartMs()));
        } else if (previous != null && previous.getWindowStartMs() > transition.getWindowStartMs()) {
            alerts.add(alert(previous, previous.getWindowStartMs(), null));
        } else {
            if (previous != null && previous.getSeverity() != transition.getSeverity()) {
                alerts.add(alert(previous, previous.getWindowStartMs(), transition.getWindowStartMs()));
            }
            alerts.add(alert(transition, transition.getWindowStartMs(), null));
        }
        return alerts.toString();
    }

    /** The body re-sending every active (FIRING) alert, so Alertmanager does not time them out. */
    public String firing(Collection<Anomaly> active) {
        ArrayNode alerts = JSON.createArrayNode();
        for (Anomaly a : active) {
            alerts.add(alert(a, a.getWindowStartMs(), null));
        }
        return alerts.toString();
    }

    private ObjectNode alert(Anomaly a, long startsAtMs, Long endsAtMs) {
        ObjectNode alert = JSON.createObjectNode();
        ObjectNode labels = alert.putObject("labels");
        labels.put("alertname", alertname(a));
        labels.put("chain", a.getChainId() == null ? chain : a.getChainId());
        labels.put("node", a.getNodeId() == null ? NETWORK : a.getNodeId());
        labels.put("metric", a.getMetric());
        labels.put("severity", a.getSeverity().name().toLowerCase(Locale.ROOT));
        labels.put("detector", a.getDetector());
        ObjectNode annotations = alert.putObject("annotations");
        annotations.put("summary", "ChainPulse: " + a.getSeverity() + " anomaly on "
                + (a.getNodeId() == null ? "the network" : a.getNodeId()) + " (" + a.getMetric() + ")");
        annotations.put("description", a.getDescription());
        if (!a.getSuggestedActions().isEmpty()) {
            annotations.put("suggested_actions", String.join("; ", a.getSuggestedActions()));
        }
        annotations.put("anomaly_id", a.getAnomalyId());
        alert.put("startsAt", Instant.ofEpochMilli(startsAtMs).toString());
        if (endsAtMs != null) {
            alert.put("endsAt", Instant.ofEpochMilli(endsAtMs).toString());
        }
        if (dashboard != null) {
            alert.put("generatorURL", dashboard.toString());
        }
        return alert;
    }

    /** {@code ChainPulse} + UpperCamelCase of the rule (static rules) or of the detector and the rule. */
    static String alertname(Anomaly a) {
        String base = StaticRuleDetector.DETECTOR.equals(a.getDetector()) ? a.getRule() : a.getDetector() + "_" + a.getRule();
        StringBuilder name = new StringBuilder("ChainPulse");
        boolean upper = true;
        for (char c : base.toCharArray()) {
            if (!Character.isLetterOrDigit(c)) {
                upper = true;
            } else {
                name.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return name.toString();
    }
}
