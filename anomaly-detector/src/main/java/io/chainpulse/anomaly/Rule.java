package io.chainpulse.anomaly;

import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.Severity;
import java.util.List;

/**
 * One static threshold rule as read from the rules file: "fire {@code severity} when {@code statistic} of
 * {@code metric} at {@code scope} is {@code comparison threshold} for {@code forWindows} windows; resolve after
 * {@code clearWindows} clean ones".
 *
 * @param description template with {node}, {metric}, {statistic}, {observed}, {threshold}, {pooled} placeholders
 * @param poolWindows a failure ratio's samples and failures of this many latest windows judged as one (1: the window
 *                    alone): a burst too thin for one window's test shows in two pooled ({@link StaticRuleDetector})
 */
public record Rule(String name, String metric, KpiScope scope, Statistic statistic, Comparison comparison,
                   double threshold, Severity severity, int forWindows, int clearWindows, String description,
                   List<String> suggestedActions, int poolWindows) {

    public Rule {
        suggestedActions = List.copyOf(suggestedActions);
        if (poolWindows < 1) {
            throw new IllegalArgumentException("poolWindows must be >= 1: " + poolWindows);
        }
    }

    /** A rule judging each window alone. */
    public Rule(String name, String metric, KpiScope scope, Statistic statistic, Comparison comparison,
                double threshold, Severity severity, int forWindows, int clearWindows, String description,
                List<String> suggestedActions) {
        this(name, metric, scope, statistic, comparison, threshold, severity, forWindows, clearWindows, description,
                suggestedActions, 1);
    }

    boolean pooled() {
        return poolWindows > 1;
    }
}
