package io.chainpulse.sink.es;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SinkEsMetricsTest {

    @Test
    void shouldExposeCountsTakenBeforeAndAfterBindingAndRemoveThemOnClose() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SinkEsMetrics metrics = new SinkEsMetrics();
        metrics.indexed("kpi", 5);
        metrics.bindTo(registry);
        metrics.indexed("kpi", 2);
        metrics.retried("throttled");
        metrics.deadLettered("rejected");
        metrics.batch(Duration.ofMillis(40));

        assertThat(registry.get("chainpulse.sink.es.documents.indexed").tag("type", "kpi").functionCounter().count())
                .isEqualTo(7.0);
        assertThat(registry.get("chainpulse.sink.es.retries").tag("reason", "throttled").functionCounter().count())
                .isEqualTo(1.0);
        assertThat(registry.get("chainpulse.sink.es.dlq").tag("reason", "rejected").functionCounter().count())
                .isEqualTo(1.0);
        assertThat(registry.get("chainpulse.sink.es.batch.latency").timer().count()).isEqualTo(1);

        metrics.close();
        assertThat(registry.getMeters()).isEmpty();
    }

    @Test
    void shouldIgnoreAnUnknownRetryReasonRatherThanThrowIntoTheSink() {
        SinkEsMetrics metrics = new SinkEsMetrics();
        metrics.retried("gremlins");

        assertThat(SinkEsMetrics.RETRY_REASONS).allSatisfy(r -> assertThat(metrics.retryCount(r)).isZero());
    }
}
