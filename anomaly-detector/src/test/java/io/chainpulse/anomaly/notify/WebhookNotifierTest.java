package io.chainpulse.anomaly.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.Severity;
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
    void shouldSayRetryOnA503AndDeliverTheTransitionOnceItIsAccepted() throws Exception {
        try (Receiver receiver = new Receiver(2)) {
            WebhookNotifier notifier = new WebhookNotifier(List.of(receiver.url()), false);
            Anomaly firing = anomaly(AnomalyState.FIRING, Severity.HIGH);

            assertThat(notifier.deliver(firing)).isEqualTo(new WebhookNotifier.Result(WebhookNotifier.Outcome.RETRY,
                    receiver.url() + " answered HTTP 503"));
            assertThat(notifier.deliver(firing).outcome()).isEqualTo(WebhookNotifier.Outcome.RETRY);
            assertThat(notifier.deliver(firing)).isEqualTo(new WebhookNotifier.Result(WebhookNotifier.Outcome.DELIVERED, null));

            assertThat(receiver.requests.get()).isEqualTo(3);
            assertThat(receiver.bodies).singleElement().asString()
                    .startsWith("{\"anomaly_id\": \"peer_outlier|p95|consensus_latency_ms|node|v3|1753784500000\", \"state\": \"FIRING\", \"severity\": \"HIGH\"");
            assertThat(receiver.idempotencyKeys).containsExactly(
                    "peer_outlier|p95|consensus_latency_ms|node|v3|1753784500000|FIRING|HIGH|1753784500000");
            assertThat(notifier.retries.sum()).isEqualTo(2);
            assertThat(notifier.delivered.sum()).isEqualTo(1);
        }
    }

    @Test
    void shouldPostEachTransitionOnceButASeverityChangeAndAReturnToAnEarlierSeverityAgain() throws Exception {
        try (Receiver receiver = new Receiver(0)) {
            WebhookNotifier notifier = new WebhookNotifier(List.of(receiver.url()), false);
            Anomaly high = anomaly(AnomalyState.FIRING, Severity.HIGH);
            Anomaly critical = anomaly(AnomalyState.FIRING, Severity.CRITICAL);
            critical.setWindowStartMs(high.getWindowStartMs() + 10_000);
            Anomaly highAgain = anomaly(AnomalyState.FIRING, Severity.HIGH);
            highAgain.setWindowStartMs(high.getWindowStartMs() + 20_000);

            for (Anomaly a : List.of(high, high, critical, highAgain, anomaly(AnomalyState.RESOLVED, Severity.HIGH))) {
                if (!notifier.alreadyDelivered(a)) {
                    notifier.deliver(a);
                }
            }

            assertThat(receiver.idempotencyKeys).containsExactly(
                    "peer_outlier|p95|consensus_latency_ms|node|v3|1753784500000|FIRING|HIGH|1753784500000",
                    "peer_outlier|p95|consensus_latency_ms|node|v3|1753784500000|FIRING|CRITICAL|1753784510000",
                    "peer_outlier|p95|consensus_latency_ms|node|v3|1753784500000|FIRING|HIGH|1753784520000",
                    "peer_outlier|p95|consensus_latency_ms|node|v3|1753784500000|RESOLVED|HIGH|1753784500000");
            assertThat(notifier.duplicates.sum()).isEqualTo(1);
        }
    }

    @Test
    void shouldSayRejectedOnA400WhichNoRetryCanFix() throws Exception {
        try (Receiver receiver = new Receiver(100, 400)) {
            WebhookNotifier notifier = new WebhookNotifier(List.of(receiver.url()), false);

            assertThat(notifier.deliver(anomaly(AnomalyState.FIRING, Severity.HIGH))).isEqualTo(new WebhookNotifier.Result(
                    WebhookNotifier.Outcome.REJECTED, receiver.url() + " answered HTTP 400"));
            assertThat(receiver.requests.get()).isEqualTo(1);
            assertThat(notifier.rejected.sum()).isEqualTo(1);
        }
    }

    @Test
    void shouldSendASlackTextPayload() throws Exception {
        try (Receiver receiver = new Receiver(0)) {
            new WebhookNotifier(List.of(receiver.url()), true).deliver(anomaly(AnomalyState.FIRING, Severity.HIGH));

            assertThat(receiver.bodies).containsExactly("{\"text\":\":rotating_light: *HIGH FIRING* v3 consensus_latency_ms "
                    + "(2025-07-29T10:21:40Z): p95 consensus latency 964 ms on v3, 8.1× the network median\\n"
                    + "Suggested: check v3's CPU and disk; compare its peers\"}");
        }
    }

    @Test
    void shouldEscapeWhatARulesFileWroteSoNoMentionPingsAChannel() {
        Anomaly a = Anomaly.newBuilder(anomaly(AnomalyState.FIRING, Severity.HIGH))
                .setDescription("<!channel> latency > 2 s & rising on <@U024BE7LH>")
                .setSuggestedActions(List.of("page <!here>")).build();

        assertThat(WebhookNotifier.slackText(a)).isEqualTo("{\"text\":\":rotating_light: *HIGH FIRING* v3 "
                + "consensus_latency_ms (2025-07-29T10:21:40Z): &lt;!channel&gt; latency &gt; 2 s &amp; rising on "
                + "&lt;@U024BE7LH&gt;\\nSuggested: page &lt;!here&gt;\"}");
    }
}
