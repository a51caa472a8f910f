package io.chainpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.Test;

/** The one service shape: a loop's death is named, its return is an end, and close stops work and endpoint. */
class ServiceTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void shouldReportALoopThatThrowsAsItsDeathWithKafkasRefusalNamedAndTurnHealthDown() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        CountDownLatch go = new CountDownLatch(1);
        try (Service service = Service.looping("sink-es", 0, running::get, registry -> { }, () -> {
            try {
                go.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            running.set(false);
            throw new IllegalStateException("poll failed", new SaslAuthenticationException("invalid credentials"));
        }, () -> { })) {
            assertThat(health(service)).isEqualTo(200);
            go.countDown();
            String why = service.died().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(why).isEqualTo("Kafka refused sink-es's credentials (invalid credentials): check "
                    + "security.protocol, sasl.*, ssl.*");
            assertThat(health(service)).isEqualTo(503);
            assertThat(service.finished().toCompletableFuture().isDone()).isFalse();
        }
    }

    @Test
    void shouldFinishWhenItsLoopReturnsAndStopTheWorkThenTheEndpointOnClose() throws Exception {
        CountDownLatch closed = new CountDownLatch(1);
        Service service = Service.looping("notify", 0, () -> true, registry -> registry.counter("probe").increment(),
                () -> {
                    try {
                        closed.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, closed::countDown);
        assertThat(get(service, "/metrics")).contains("probe_total{service=\"notify\"} 1.0");
        service.close();
        service.finished().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(service.died().toCompletableFuture().isDone()).isFalse();
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> health(service))).isNotNull();
    }

    private static int health(Service service) throws Exception {
        return HTTP.send(request(service, "/health"), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static String get(Service service, String path) throws Exception {
        return HTTP.send(request(service, path), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static HttpRequest request(Service service, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.metricsPort() + path))
                .timeout(java.time.Duration.ofSeconds(5)).build();
    }
}
