package io.chainpulse.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PushgatewayIT {

    @Test
    void shouldServeWhatWasPushedAndForgetADeletedGroup(@TempDir Path dir) throws Exception {
        assumeTrue(Pushgateway.binary().isPresent() || System.getenv("CI") != null,
                "prometheus-pushgateway not installed (CI installs it)");
        try (Pushgateway gateway = Pushgateway.inDirectory(dir).start()) {
            HttpClient http = HttpClient.newHttpClient();
            String group = gateway.url() + "/metrics/job/chainpulse/node/v1";
            http.send(HttpRequest.newBuilder(URI.create(group))
                    .PUT(HttpRequest.BodyPublishers.ofString("# TYPE probe gauge\nprobe 42\n")).build(),
                    HttpResponse.BodyHandlers.discarding());

            assertThat(get(http, gateway.url() + "/metrics")).contains("probe{instance=\"\",job=\"chainpulse\",node=\"v1\"} 42");

            http.send(HttpRequest.newBuilder(URI.create(group)).DELETE().build(), HttpResponse.BodyHandlers.discarding());
            assertThat(get(http, gateway.url() + "/metrics")).doesNotContain("probe{");
        }
    }

    private static String get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
