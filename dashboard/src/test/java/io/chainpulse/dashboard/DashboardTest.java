package io.chainpulse.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DashboardTest {

    @Test
    void shouldNameEveryMissingOrBadSettingAtOnce() {
        assertThatThrownBy(() -> Dashboard.builder().kpiTopic(" ").anomalyTopic(null).port(70_000).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid dashboard settings: bootstrapServers is required; schemaRegistryUrl is required; "
                        + "kpiTopic must not be blank: ' '; anomalyTopic is required; port must be in 0..65535: 70000");
    }

    @Test
    void shouldRejectANegativePortAndBlankServers() {
        assertThatThrownBy(() -> Dashboard.builder().bootstrapServers("").schemaRegistryUrl("mock://x").port(-1).build())
                .hasMessage("invalid dashboard settings: bootstrapServers must not be blank: ''; "
                        + "port must be in 0..65535: -1");
    }

    @Test
    void shouldRefuseUriBeforeStartAndASecondStart() {
        try (Dashboard dashboard = Dashboard.builder().bootstrapServers("127.0.0.1:1").schemaRegistryUrl("mock://x")
                .port(0).build()) {
            assertThatThrownBy(dashboard::uri).isInstanceOf(IllegalStateException.class)
                    .hasMessage("dashboard not started: call start() first");
            dashboard.start();
            assertThat(dashboard.uri().toString()).matches("http://127\\.0\\.0\\.1:\\d+/");
            assertThatThrownBy(dashboard::start).isInstanceOf(IllegalStateException.class)
                    .hasMessage("dashboard already started at " + dashboard.uri());
        }
    }
}
