package io.chainpulse.anomaly.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.anomaly.AnomalyJson;
import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Members of one group (an Alertmanager cluster) are alternatives; separate webhooks each need every transition. */
class WebhookNotifierGroupTest {

    private static WebhookNotifier.Target member(Receiver receiver) {
        return new WebhookNotifier.Target(receiver.url(), AnomalyJson::write,
                WebhookNotifier.Target.ALERTMANAGER_CLUSTER);
    }

    @Test
    void shouldDeliverToAClusterOnceOneMemberAcceptedYetPostEveryTransitionToEveryMember() throws Exception {
        try (Receiver up = new Receiver(0); Receiver down = new Receiver(Integer.MAX_VALUE)) {
            WebhookNotifier notifier = new WebhookNotifier(List.of(member(down), member(up)));
            Anomaly firing = WebhookNotifierTest.anomaly(AnomalyState.FIRING, Severity.HIGH);
            Anomaly resolved = WebhookNotifierTest.anomaly(AnomalyState.RESOLVED, Severity.HIGH);

            assertThat(notifier.deliver(firing)).isEqualTo(new WebhookNotifier.Result(WebhookNotifier.Outcome.DELIVERED, null));
            assertThat(notifier.alreadyDelivered(firing)).isTrue();
            assertThat(notifier.deliver(resolved).outcome()).isEqualTo(WebhookNotifier.Outcome.DELIVERED);

            assertThat(up.idempotencyKeys).containsExactly(WebhookNotifier.transitionId(firing),
                    WebhookNotifier.transitionId(resolved));
            assertThat(down.requests.get()).isEqualTo(2); // tried with each transition, never held anything up
            assertThat(notifier.retries.sum()).isZero();
        }
    }

    @Test
    void shouldRetryWhenNoMemberAcceptedAndWhenOneOfTwoWebhooksIsDown() throws Exception {
        try (Receiver up = new Receiver(0); Receiver down = new Receiver(Integer.MAX_VALUE);
             Receiver alsoDown = new Receiver(Integer.MAX_VALUE)) {
            Anomaly firing = WebhookNotifierTest.anomaly(AnomalyState.FIRING, Severity.HIGH);

            WebhookNotifier cluster = new WebhookNotifier(List.of(member(down), member(alsoDown)));
            assertThat(cluster.deliver(firing)).isEqualTo(new WebhookNotifier.Result(WebhookNotifier.Outcome.RETRY,
                    alsoDown.url() + " answered HTTP 503"));

            WebhookNotifier webhooks = new WebhookNotifier(List.of(WebhookNotifier.Target.webhook(up.url(), false),
                    WebhookNotifier.Target.webhook(down.url(), false)));
            assertThat(webhooks.deliver(firing)).isEqualTo(new WebhookNotifier.Result(WebhookNotifier.Outcome.RETRY,
                    down.url() + " answered HTTP 503"));
            assertThat(webhooks.alreadyDelivered(firing)).isFalse();
            assertThat(webhooks.deliver(firing).outcome()).isEqualTo(WebhookNotifier.Outcome.RETRY);
            assertThat(up.requests.get()).isEqualTo(1); // the webhook that has it is not posted again
        }
    }
}
