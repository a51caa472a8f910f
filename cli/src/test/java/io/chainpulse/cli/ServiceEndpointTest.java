package io.chainpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ServiceEndpointTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void shouldServePrometheusTextThatPromtoolAcceptsAndAHealthThatFollowsTheService() throws Exception {
        AtomicBoolean healthy = new AtomicBoolean(true);
        try (ServiceEndpoint endpoint = ServiceEndpoint.start("test-service", 0, healthy::get)) {
            Counter.builder("chainpulse.test.events").description("Events seen by the test.").register(endpoint.registry())
                    .increment(3);

            HttpResponse<String> metrics = get(endpoint, "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("chainpulse_test_events_total{service=\"test-service\"} 3.0")
                    .contains("jvm_memory_used_bytes{");
            Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
            promtool.getOutputStream().write(metrics.body().getBytes(StandardCharsets.UTF_8));
            promtool.getOutputStream().close();
            String verdict = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(promtool.waitFor()).as(verdict).isZero();

            assertThat(get(endpoint, "/health").body()).isEqualTo("{\"service\":\"test-service\",\"status\":\"UP\"}");
            healthy.set(false);
            HttpResponse<String> down = get(endpoint, "/health");
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(down.body()).isEqualTo("{\"service\":\"test-service\",\"status\":\"DOWN\"}");
        }
    }

    private static HttpResponse<String> get(ServiceEndpoint endpoint, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
