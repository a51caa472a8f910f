package io.chainpulse.anomaly;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.Severity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One published incident per metric, scope and node (or the network), however many detectors agree: what the
 * operator gets when the static rule, the baseline and the peer comparison all flag v3's transaction failures in the
 * same windows is one incident, not three. Stored per {@code metric|scope|node_id} (as JSON); pure like the
 * {@link IncidentTracker}, whose per-detector transitions it merges.
 *
 * <ul>
 *   <li>The first detector whose incident fires opens the group: its FIRING is published with the group's
 *   {@code anomaly_id} (that detector's id, format unchanged) and names in {@code corroborated_by} every other
 *   detector that fired on the same record. When several fire on the same record, the most severe opens it (the
 *   first in detector order on a tie).</li>
 *   <li>While the group is open, another detector's incident firing only joins it: nothing is published unless the
 *   group's severity (the highest of its firing detectors) rises or falls with that FIRING, then a FIRING with the
 *   group's id, detector and rule, the new severity and the firing detector's values and description.</li>
 *   <li>The group resolves, once, when the last of its detectors' incidents resolves: a RESOLVED with the group's id
 *   naming every detector that agreed.</li>
 * </ul>
 * An incident that fired before the groups existed (state from an older version) resolves as it was.
 *
 * <pre>{@code
 * IncidentGroup.Step step = IncidentGroup.apply(groups.get(key), transitionsOfThisRecord);
 * if (step.state() == null) groups.delete(key); else groups.put(key, step.state());
 * step.transitions().forEach(this::forward);
 * }</pre>
 *
 * @param anomalyId the published incident's id: its first detector's
 * @param detector  the detector that opened the group
 * @param rule      its rule
 * @param severity  the severity last published
 * @param startedMs the window the published incident began firing in
 * @param members   the firing detectors, {@code detector/rule} → severity, in the order they joined
 * @param agreed    every detector other than the first that fired while the group was open
 */
public record IncidentGroup(String anomalyId, String detector, String rule, Severity severity, long startedMs,
                            Map<String, Severity> members, List<String> agreed) {

    public IncidentGroup {
        members = members == null ? new LinkedHashMap<>() : new LinkedHashMap<>(members);
        agreed = agreed == null ? List.of() : List.copyOf(agreed);
    }

    /**
     * The group key of a transition: {@code metric|scope|node_id}, node id empty for the network, followed by
     * {@code |chain} on a chain other than the default.
     */
    static String key(Anomaly a) {
        String key = a.getMetric() + '|' + a.getScope() + '|' + (a.getNodeId() == null ? "" : a.getNodeId());
        return a.getChainId() == null ? key : key + '|' + a.getChainId();
    }

    /**
     * @param state       the group to store, or null when no detector fires on the key any more
     * @param transitions what to publish, in order
     */
    public record Step(IncidentGroup state, List<Anomaly> transitions) {}

    /**
     * Merges the per-detector transitions one record caused on one group key.
     *
     * @param group       the stored group, null when none is open
     * @param transitions the {@link IncidentTracker}'s transitions for this key from one record, in verdict order
     */
    public static Step apply(IncidentGroup group, List<Anomaly> transitions) {
        List<Anomaly> out = new ArrayList<>();
        Map<String, Severity> members = group == null ? new LinkedHashMap<>() : new LinkedHashMap<>(group.members());
        List<String> agreed = group == null ? new ArrayList<>() : new ArrayList<>(group.agreed());
        Anomaly strongest = null;
        Anomaly resolved = null;
        for (Anomaly t : transitions) {
            String member = member(t.getDetector(), t.getRule());
            if (t.getState() == AnomalyState.FIRING) {
                members.put(member, t.getSeverity());
                if (strongest == null || t.getSeverity().compareTo(strongest.getSeverity()) > 0) {
                    strongest = t;
                }
            } else if (members.remove(member) == null) {
                out.add(t); // fired before incidents were merged (or alone in an older version): resolves as it was
            } else if (resolved == null || group != null && member.equals(member(group.detector(), group.rule()))) {
                resolved = t;
            }
        }
        Severity highest = members.values().stream().max(Enum::compareTo).orElse(null);
        if (group == null) {
            if (strongest == null) {
                return new Step(null, out);
            }
            String first = member(strongest.getDetector(), strongest.getRule());
            for (String m : members.keySet()) {
                if (!m.equals(first) && !agreed.contains(m)) {
                    agreed.add(m);
                }
            }
            IncidentGroup opened = new IncidentGroup(strongest.getAnomalyId(), strongest.getDetector(),
                    strongest.getRule(), highest, strongest.getStartedMs(), members, agreed);
            out.add(publish(opened, strongest, others(opened, members), members));
            return new Step(opened, out);
        }
        String first = member(group.detector(), group.rule());
        for (String m : members.keySet()) {
            if (!m.equals(first) && !agreed.contains(m)) {
                agreed.add(m);
            }
        }
        if (highest == null) {
            if (resolved == null) { // only older incidents resolved: the group's detectors keep firing
                return new Step(new IncidentGroup(group.anomalyId(), group.detector(), group.rule(), group.severity(),
                        group.startedMs(), members, agreed), out);
            }
            IncidentGroup closed = new IncidentGroup(group.anomalyId(), group.detector(), group.rule(),
                    group.severity(), group.startedMs(), members, agreed);
            out.add(publish(closed, resolved, agreed, members));
            return new Step(null, out);
        }
        Severity published = group.severity();
        if (strongest != null && highest != group.severity()) {
            published = highest;
        }
        IncidentGroup next = new IncidentGroup(group.anomalyId(), group.detector(), group.rule(), published,
                group.startedMs(), members, agreed);
        if (published != group.severity()) {
            out.add(publish(next, strongest, others(next, members), members));
        }
        return new Step(next, out);
    }

    private static String member(String detector, String rule) {
        return detector + '/' + rule;
    }

    /** The firing detectors other than the group's first. */
    private static List<String> others(IncidentGroup group, Map<String, Severity> members) {
        String first = member(group.detector(), group.rule());
        return members.keySet().stream().filter(m -> !m.equals(first)).toList();
    }

    /**
     * {@code t} as the group's incident: its id, first detector, severity and start; {@code corroborated_by} the
     * detectors other than the first, a FIRING's description {@code t}'s followed by the other firing detectors.
     */
    private static Anomaly publish(IncidentGroup group, Anomaly t, List<String> others, Map<String, Severity> firing) {
        String description = t.getDescription();
        String own = member(t.getDetector(), t.getRule());
        List<String> alsoFiring = firing.keySet().stream().filter(m -> !m.equals(own)).toList();
        if (t.getState() == AnomalyState.FIRING && !alsoFiring.isEmpty()) {
            description += " (also flagged by " + String.join(", ", alsoFiring) + ")";
        }
        return Anomaly.newBuilder(t)
                .setAnomalyId(group.anomalyId())
                .setDetector(group.detector())
                .setRule(group.rule())
                .setSeverity(group.severity())
                .setSeverityLevel(group.severity().ordinal() + 1)
                .setStartedMs(group.startedMs())
                .setDescription(description)
                .setCorroboratedBy(others)
                .build();
    }
}
