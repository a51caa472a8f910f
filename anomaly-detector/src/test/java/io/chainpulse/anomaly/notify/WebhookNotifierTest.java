package io.chainpulse.anomaly.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.Severity;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class WebhookNotifierTest {

    static Anomaly anomaly(AnomalyState state, Severity severity) {
        return Anomaly.newBuilder().setAnomalyId("peer_outlier|p95|consensus_latency_ms|node|v3|1753784500000")
                .setState(state).setSeverity(severity).setSeverityLevel(severity.ordinal() + 1)
                .setDetector("peer_outlier").setRule("network_median_mad").setMetric("consensus_latency_ms")
                .setScope(KpiScope.node).setNodeId("v3").setWindowStartMs(1_753_784_500_000L).setObserved(964.0)
                .setExpected(119.0).setDescription("p95 consensus latency 964 ms on v3, 8.1× the network median")
                .setSuggestedActions(List.of("check v3's CPU and disk", "compare its peers")).setStartedMs(1_753_784_500_000L)
                .build();
    }

    @Test
    void shouldRetryA503AndDeliverTheTransitionOnce() throws Exception {
        try (Receiver receiver = new Receiver(2)) {
            WebhookNotifier notifier = new WebhookNotifier(List.of(receiver.url()), false, 5, Duration.ofMillis(10));

            notifier.notify(anomaly(AnomalyState.FIRING, Severity.HIGH));

            assertThat(receiver.requests.get()).isEqualTo(3);
            assertThat(receiver.bodies).singleElement().asString()
                    .startsWith("{\"anomaly_id\": \"peer_outlier|p95|consensus_latency_ms|node|v3|1753784500000\", \"state\": \"FIRING\", \"severity\": \"HIGH\"");
            assertThat(notifier.retries.sum()).isEqualTo(2);
            assertThat(notifier.delivered.sum()).isEqualTo(1);
        }
    }

    @Test
    void shouldPostEachTransitionOnceButASeverityChangeAgain() throws Exception {
        try (Receiver receiver = new Receiver(0)) {
            WebhookNotifier notifier = new WebhookNotifier(List.of(receiver.url()), false, 3, Duration.ofMillis(10));

            notifier.notify(anomaly(AnomalyState.FIRING, Severity.HIGH));
            notifier.notify(anomaly(AnomalyState.FIRING, Severity.HIGH));      // redelivered: skipped
            notifier.notify(anomaly(AnomalyState.FIRING, Severity.CRITICAL));  // worse: posted
            notifier.notify(anomaly(AnomalyState.RESOLVED, Severity.CRITICAL));

            assertThat(receiver.bodies).hasSize(3);
            assertThat(notifier.duplicates.sum()).isEqualTo(1);
        }
    }

    @Test
    void shouldGiveUpAfterMaxAttemptsWithoutThrowing() throws Exception {
        try (Receiver receiver = new Receiver(100)) {
            WebhookNotifier notifier = new WebhookNotifier(List.of(receiver.url()), false, 3, Duration.ofMillis(10));

            notifier.notify(anomaly(AnomalyState.FIRING, Severity.HIGH));

            assertThat(receiver.requests.get()).isEqualTo(3);
            assertThat(notifier.failed.sum()).isEqualTo(1);
        }
    }

    @Test
    void shouldSendASlackTextPayload() throws Exception {
        try (Receiver receiver = new Receiver(0)) {
            new WebhookNotifier(List.of(receiver.url()), true, 1, Duration.ofMillis(10))
                    .notify(anomaly(AnomalyState.FIRING, Severity.HIGH));

            assertThat(receiver.bodies).containsExactly("{\"text\":\":rotating_light: *HIGH FIRING* v3 consensus_latency_ms "
                    + "(2025-07-29T10:21:40Z): p95 consensus latency 964 ms on v3, 8.1× the network median\\n"
                    + "Suggested: check v3's CPU and disk; compare its peers\"}");
        }
    }
}
