package io.chainpulse.anomaly;

import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.Severity;
import java.util.List;

/**
 * One static threshold rule as read from the rules file: "fire {@code severity} when {@code statistic} of
 * {@code metric} at {@code scope} is {@code comparison threshold} for {@code forWindows} windows; resolve after
 * {@code clearWindows} clean ones".
 *
 * @param description template with {node}, {metric}, {statistic}, {observed}, {threshold} placeholders
 */
public record Rule(String name, String metric, KpiScope scope, Statistic statistic, Comparison comparison,
                   double threshold, Severity severity, int forWindows, int clearWindows, String description,
                   List<String> suggestedActions) {

    public Rule {
        suggestedActions = List.copyOf(suggestedActions);
    }
}
