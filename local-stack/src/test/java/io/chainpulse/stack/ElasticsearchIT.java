package io.chainpulse.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ElasticsearchIT {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void shouldAnswerTheRootEndpointAsARealEightNineteenNode(@TempDir Path dir) throws Exception {
        try (Elasticsearch es = Elasticsearch.inDirectory(dir).start()) {
            HttpResponse<String> root = send(HttpRequest.newBuilder(URI.create(es.url() + "/")).build());

            assertThat(root.statusCode()).isEqualTo(200);
            // The Java client refuses any server that does not say this.
            assertThat(root.headers().firstValue("X-Elastic-Product")).hasValue("Elasticsearch");
            assertThat(root.body()).contains("\"cluster_name\":\"chainpulse-local\"")
                    .contains("\"number\":\"8.19.0\"").contains("\"tagline\":\"You Know, for Search\"");
            assertThat(send(HttpRequest.newBuilder(URI.create(es.url() + "/"))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build()).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void shouldKeepDocumentsAcrossACleanRestartAndACrashOnTheSamePort(@TempDir Path dir) throws Exception {
        try (Elasticsearch es = Elasticsearch.inDirectory(dir).start()) {
            int port = es.port();
            put(es, "/probe", "{\"settings\":{\"number_of_replicas\":0}}");
            put(es, "/probe/_doc/a", "{\"v\":1}");

            es.restart();
            put(es, "/probe/_doc/b", "{\"v\":2}");
            es.kill();
            assertThat(es.isRunning()).isFalse();
            es.start();

            assertThat(es.port()).isEqualTo(port);
            send(HttpRequest.newBuilder(URI.create(es.url() + "/probe/_refresh"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build());
            assertThat(send(HttpRequest.newBuilder(URI.create(es.url() + "/probe/_count")).build()).body())
                    .startsWith("{\"count\":2,");
        }
    }

    @Test
    void shouldRejectAPortOutOfRangeNamingIt(@TempDir Path dir) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Elasticsearch.inDirectory(dir, 70000))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("port must be in 1..65535: 70000");
    }

    private void put(Elasticsearch es, String path, String json) throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(es.url() + path))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json)).build());
        assertThat(response.statusCode()).as(response.body()).isBetween(200, 201);
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
