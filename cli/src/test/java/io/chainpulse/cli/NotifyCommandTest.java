package io.chainpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chainpulse.anomaly.notify.NotifyConfig;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class NotifyCommandTest {

    private static Map<String, Object> values(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "notify";
        System.arraycopy(args, 0, all, 1, args.length);
        NotifyCommand command = (NotifyCommand) ChainPulseCli.commandLine().parseArgs(all).subcommand().commandSpec()
                .userObject();
        return command.values();
    }

    @Test
    void shouldPostToAnAlertmanagerPairAloneWithAMinimumSeverityAndTheDashboardAsGeneratorUrl() {
        Map<String, Object> values = values("--alertmanager", "http://am-1:9093,http://am-2:9093",
                "--min-severity", "high", "--dashboard-url", "http://dashboard.example:8088/");
        NotifyConfig config = new NotifyConfig(values);

        assertThat(config.getList(NotifyConfig.ALERTMANAGER_URLS)).containsExactly("http://am-1:9093", "http://am-2:9093");
        assertThat(config.getList(NotifyConfig.WEBHOOK_URLS)).isEmpty();
        assertThat(config.getString(NotifyConfig.MIN_SEVERITY)).isEqualTo("high");
        assertThat(config.getString(NotifyConfig.DASHBOARD_URL)).isEqualTo("http://dashboard.example:8088/");
        assertThat(config.getLong(NotifyConfig.ALERTMANAGER_RESEND_INTERVAL_MS)).isEqualTo(60_000L);
        assertThat(config.getString(NotifyConfig.ALERTMANAGER_CHAIN)).isEqualTo("default");
        assertThat(config.getString(NotifyConfig.CURRENT_TOPIC)).isEqualTo("chainpulse.anomalies.current");
    }

    @Test
    void shouldTakeRepeatedAlertmanagersAndAWebhookBesideThem() {
        Map<String, Object> values = values("--alertmanager", "http://am-1:9093", "--alertmanager", "http://am-2:9093",
                "--webhook", "https://hooks.example/x");
        assertThat(values).containsEntry(NotifyConfig.ALERTMANAGER_URLS, "http://am-1:9093,http://am-2:9093")
                .containsEntry(NotifyConfig.WEBHOOK_URLS, "https://hooks.example/x")
                .doesNotContainKeys(NotifyConfig.MIN_SEVERITY, NotifyConfig.DASHBOARD_URL);
        assertThat(new NotifyConfig(values).getString(NotifyConfig.MIN_SEVERITY)).isEqualTo("INFO");
    }

    @Test
    void shouldIgnoreAnEmptyUrlAsComposeGivesWhenNoWebhookIsSet() {
        assertThat(values("--url", "", "--alertmanager", "http://alertmanager:9093"))
                .doesNotContainKey(NotifyConfig.WEBHOOK_URLS);
    }

    @Test
    void shouldAcceptADestinationGivenOnlyThroughSet() {
        assertThat(values("--set", "alertmanager.urls=http://alertmanager:9093"))
                .containsEntry(NotifyConfig.ALERTMANAGER_URLS, "http://alertmanager:9093");
    }

    @Test
    void shouldNameTheMissingDestination() {
        assertThatThrownBy(() -> values("--url", "")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("notify needs a destination: --url URL (a webhook), --alertmanager URL, or both");
        assertThatThrownBy(() -> new NotifyConfig(Map.of())).isInstanceOf(ConfigException.class)
                .hasMessage("Invalid value [] for configuration webhook.urls: at least one webhook URL or "
                        + "alertmanager.urls entry is needed");
    }

    @Test
    void shouldRefuseAnUnknownSeverityAndABadAlertmanagerUrlNamingTheKey() {
        for (List<String> bad : List.of(
                List.of(NotifyConfig.MIN_SEVERITY, "SEVERE", "Invalid value SEVERE for configuration min.severity: "
                        + "must be one of INFO, LOW, MEDIUM, HIGH, CRITICAL (any case)"),
                List.of(NotifyConfig.ALERTMANAGER_URLS, "alertmanager:9093", "Invalid value alertmanager:9093 for "
                        + "configuration alertmanager.urls: not an http(s) URL"),
                List.of(NotifyConfig.ALERTMANAGER_RESEND_INTERVAL_MS, "10", "Invalid value 10 for configuration "
                        + "alertmanager.resend.interval.ms: Value must be at least 100"))) {
            Map<String, Object> values = new java.util.HashMap<>(Map.of(NotifyConfig.ALERTMANAGER_URLS,
                    "http://alertmanager:9093"));
            values.put(bad.get(0), bad.get(1));
            assertThatThrownBy(() -> new NotifyConfig(values)).as(bad.get(0))
                    .isInstanceOf(ConfigException.class).hasMessage(bad.get(2));
        }
    }
}
