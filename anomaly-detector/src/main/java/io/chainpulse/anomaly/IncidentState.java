package io.chainpulse.anomaly;

import io.chainpulse.schema.Severity;
import java.util.List;

/**
 * What the {@link IncidentTracker} remembers per incident key between windows (stored as JSON in a state store).
 *
 * @param breaches      consecutive breached windows so far (while not firing)
 * @param cleans        consecutive clean windows so far (while firing)
 * @param firstBreachMs window start of the first breached window of the current streak
 */
public record IncidentState(boolean firing, int breaches, int cleans, long firstBreachMs, String anomalyId,
                            Severity severity, long startedMs, String description, List<String> suggestedActions) {

    static IncidentState pending(int breaches, long firstBreachMs) {
        return new IncidentState(false, breaches, 0, firstBreachMs, null, null, 0, null, List.of());
    }
}
