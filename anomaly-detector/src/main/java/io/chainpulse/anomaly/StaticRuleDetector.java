package io.chainpulse.anomaly;

import io.chainpulse.schema.KpiWindow;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Static thresholds from the rules file: every rule whose metric and scope match a window yields a verdict (breached
 * or clean); consecutive and clear window counts are the {@link IncidentTracker}'s job. Stateless.
 *
 * <pre>{@code
 * StaticRuleDetector rules = new StaticRuleDetector(RulesFile.defaults());
 * List<Verdict> verdicts = rules.evaluate(kpiWindow);
 * }</pre>
 */
public final class StaticRuleDetector {
    public static final String DETECTOR = "static_rule";

    private final List<Rule> rules;
    private final FailureGate gate;

    public StaticRuleDetector(List<Rule> rules) {
        this(rules, FailureGate.defaults());
    }

    /** @param gate when a failure ratio above a {@code >} or {@code >=} threshold is evidence rather than noise */
    public StaticRuleDetector(List<Rule> rules, FailureGate gate) {
        this.rules = List.copyOf(rules);
        this.gate = gate;
    }

    /** {@link #evaluate(KpiWindow, Double)} with the gate's floor as the healthy failure share. */
    public List<Verdict> evaluate(KpiWindow window) {
        return evaluate(window, null);
    }

    /**
     * @param referencePct the healthy share of the window's failure ratio (the network's learned share), null when
     *                     unknown; a failure ratio above its threshold counts only when its failed samples are
     *                     significant at that share ({@link FailureGate})
     */
    public List<Verdict> evaluate(KpiWindow window, Double referencePct) {
        List<Verdict> verdicts = new ArrayList<>();
        for (Rule rule : rules) {
            if (!rule.metric().equals(window.getMetric()) || rule.scope() != window.getScope()) {
                continue;
            }
            Optional<Double> value = rule.statistic().of(window);
            if (value.isEmpty()) {
                continue;
            }
            double observed = value.get();
            IncidentKey key = new IncidentKey(DETECTOR, rule.name(), rule.metric(), rule.scope(),
                    window.getNodeId());
            // a failure ratio above its threshold on a failure or two is the healthy share at work, not a breach
            boolean ratioTooThin = (rule.comparison() == Comparison.GT || rule.comparison() == Comparison.GE)
                    && !gate.significant(window, referencePct);
            if (rule.comparison().breached(observed, rule.threshold()) && !ratioTooThin) {
                verdicts.add(Verdict.breach(key, window.getWindowStartMs(), rule.severity(), observed,
                        rule.threshold(), describe(rule, window, observed), rule.suggestedActions(),
                        rule.forWindows(), rule.clearWindows()));
            } else {
                verdicts.add(Verdict.clean(key, window.getWindowStartMs(), observed, rule.threshold(),
                        rule.forWindows(), rule.clearWindows()));
            }
        }
        return verdicts;
    }

    static String describe(Rule rule, KpiWindow window, double observed) {
        return rule.description()
                .replace("{node}", window.getNodeId() == null ? "the network" : window.getNodeId())
                .replace("{metric}", Metrics.human(rule.metric()))
                .replace("{statistic}", rule.statistic().label().toLowerCase(Locale.ROOT))
                .replace("{observed}", format(rule, observed))
                .replace("{threshold}", format(rule, rule.threshold()));
    }

    /** A count is a whole number of samples ({@code 3}), not a value of the metric's unit ({@code 3.0/s}). */
    private static String format(Rule rule, double value) {
        return rule.statistic() == Statistic.COUNT ? String.format(Locale.ROOT, "%.0f", value)
                : Metrics.format(rule.metric(), value);
    }
}
