package io.chainpulse.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.Severity;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RulesFileTest {

    private static final String VALID = """
            rules:
              - name: slow
                metric: consensus_latency_ms
                scope: node
                statistic: p95
                comparison: ">="
                threshold: 1500.5
                severity: HIGH
                for_windows: 3
                clear_windows: 4
                description: "{statistic} {metric} {observed} on {node}"
                suggested_actions: ["check cpu", "check disk"]
            """;

    @Test
    void shouldReadEveryFieldOfARule() {
        List<Rule> rules = RulesFile.parse("rules.yaml", new StringReader(VALID));

        assertThat(rules).containsExactly(new Rule("slow", "consensus_latency_ms", KpiScope.node, Statistic.P95,
                Comparison.GE, 1500.5, Severity.HIGH, 3, 4, "{statistic} {metric} {observed} on {node}",
                List.of("check cpu", "check disk")));
    }

    @Test
    void shouldShipDefaultsForTheOperatorRules() {
        assertThat(RulesFile.defaults()).extracting(Rule::name).containsExactly("consensus_latency_p95_high",
                "block_time_above_target", "tps_below_floor", "propagation_delay_p95_high", "tx_validation_p99_high",
                "tx_failure_pct_node_high", "tx_failure_pct_network_high", "consensus_failure_pct_node_high",
                "consensus_failure_pct_network_high", "validation_failure_pct_node_high", "vote_participation_low",
                "vote_participation_degraded", "consensus_rounds_above_one", "conflicting_votes", "cpu_used_p95_high",
                "disk_used_high", "open_fds_near_limit");
    }

    @Test
    void shouldReportEveryProblemWithFileAndLine() {
        String yaml = """
                rules:
                  - name: a
                    metric: consensus_latency_ms
                    scope: nodes
                    statistic: p42
                    comparison: "=>"
                    threshold: fast
                    severity: URGENT
                    for_windows: 0
                  - name: b
                    metric: tps
                    scope: network
                    statistic: p95
                    comparison: "<"
                    threshold: 1
                    severity: LOW
                    description: "{metric} at {nod}"
                  - name: c
                    metric: blocktime
                    scope: network
                    statistic: mean
                    treshold: 3
                """;

        assertThatThrownBy(() -> RulesFile.parse("rules.yaml", new StringReader(yaml)))
                .isInstanceOf(RulesFile.InvalidRulesException.class)
                .hasMessage("""
                        rules.yaml:4: rule 'a': scope must be node or network: 'nodes'
                        rules.yaml:5: rule 'a': unknown statistic 'p42' (expected one of rate, count, min, mean, max, p50, p90, p95, p99)
                        rules.yaml:6: rule 'a': comparison must be one of >, >=, <, <=: '=>'
                        rules.yaml:7: rule 'a': threshold must be a number: 'fast'
                        rules.yaml:8: rule 'a': severity must be one of INFO, LOW, MEDIUM, HIGH, CRITICAL: 'URGENT'
                        rules.yaml:9: rule 'a': for_windows must be an integer >= 1: '0'
                        rules.yaml:13: rule 'b': statistic 'p95' does not apply to rate metric tps (use rate or count)
                        rules.yaml:17: rule 'b': unknown placeholder {nod} in description (expected {node}, {metric}, {statistic}, {observed}, {threshold}, {pooled})
                        rules.yaml:22: rule 'c': unknown key 'treshold' (expected one of name, metric, scope, statistic, comparison, threshold, severity, for_windows, clear_windows, pool_windows, description, suggested_actions)
                        rules.yaml:18: rule 'c': missing required key 'comparison'
                        rules.yaml:18: rule 'c': missing required key 'threshold'
                        rules.yaml:18: rule 'c': missing required key 'severity'""");
    }

    @Test
    void shouldReadPoolWindowsOfAFailureRatioAndRejectItAndPooledElsewhere() {
        String yaml = """
                rules:
                  - name: pooled
                    metric: validation_failure_pct
                    scope: node
                    statistic: mean
                    comparison: ">"
                    threshold: 5
                    severity: HIGH
                    pool_windows: 2
                    description: "{metric} {observed} on {node} ({pooled})"
                """;
        assertThat(RulesFile.parse("rules.yaml", new StringReader(yaml))).extracting(Rule::poolWindows)
                .containsExactly(2);

        String wrong = """
                rules:
                  - name: latency
                    metric: consensus_latency_ms
                    scope: node
                    statistic: p95
                    comparison: ">"
                    threshold: 500
                    severity: HIGH
                    pool_windows: 2
                  - name: falling
                    metric: tx_failure_pct
                    scope: node
                    statistic: mean
                    comparison: "<"
                    threshold: 1
                    severity: LOW
                    pool_windows: 3
                  - name: alone
                    metric: tx_failure_pct
                    scope: node
                    statistic: mean
                    comparison: ">"
                    threshold: 5
                    severity: LOW
                    description: "{pooled}"
                """;
        assertThatThrownBy(() -> RulesFile.parse("rules.yaml", new StringReader(wrong)))
                .hasMessage("""
                        rules.yaml:9: rule 'latency': pool_windows applies to a failure ratio's mean above a threshold (> or >=), not to p95 consensus_latency_ms >
                        rules.yaml:17: rule 'falling': pool_windows applies to a failure ratio's mean above a threshold (> or >=), not to mean tx_failure_pct <
                        rules.yaml:25: rule 'alone': placeholder {pooled} needs pool_windows of 2 or more""");
    }

    @Test
    void shouldReportDuplicateNamesWithTheFirstLine() {
        String yaml = VALID + VALID.substring(VALID.indexOf("  - name"));

        assertThatThrownBy(() -> RulesFile.parse("rules.yaml", new StringReader(yaml)))
                .hasMessage("rules.yaml:13: duplicate rule name 'slow' (first defined at line 2)");
    }

    @Test
    void shouldReportYamlSyntaxErrorsWithLine() {
        assertThatThrownBy(() -> RulesFile.parse("rules.yaml", new StringReader("rules:\n  - name: [a\n")))
                .hasMessageStartingWith("rules.yaml:3: invalid YAML: ");
    }

    @Test
    void shouldReportAWrongTopLevelShape() {
        assertThatThrownBy(() -> RulesFile.parse("r.yaml", new StringReader("alerts: []\n")))
                .hasMessage("r.yaml:1: unknown top-level key 'alerts' (expected 'rules')\n"
                        + "r.yaml:1: missing top-level key 'rules'");
        assertThatThrownBy(() -> RulesFile.parse("r.yaml", new StringReader("")))
                .hasMessage("r.yaml:1: the file is empty; expected a mapping with a 'rules' list");
    }

    @Test
    void shouldNameTheFileWhenItCannotBeRead(@TempDir Path dir) {
        Path missing = dir.resolve("nope.yaml");

        assertThatThrownBy(() -> RulesFile.load(missing))
                .hasMessage(missing + ": cannot read rules file: " + missing);
    }

    @Test
    void shouldLoadAFileFromDisk(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("rules.yaml"), VALID);

        assertThat(RulesFile.load(file)).extracting(Rule::name).containsExactly("slow");
    }
}
