package io.chainpulse.sink.prometheus;

import io.chainpulse.schema.Chains;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * The Pushgateway's HTTP API for one job: {@code PUT} replaces a group's series, {@code DELETE} removes the group.
 * Group values are sent base64url-encoded ({@code /group@base64/…}) so any node id is a valid path segment.
 * Prometheus' own Java pushgateway exporter does the same; it is not used because its release line lags the metrics
 * client that Micrometer's registry needs in the same JVM.
 */
final class PushgatewayClient {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final String baseUrl;
    private final String job;
    private final String authorization;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    PushgatewayClient(String baseUrl, String job, String basicAuthUserInfo) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.job = job;
        this.authorization = basicAuthUserInfo == null ? null
                : "Basic " + Base64.getEncoder().encodeToString(basicAuthUserInfo.getBytes(StandardCharsets.UTF_8));
    }

    void put(String group, String exposition) throws IOException, InterruptedException {
        send(request(group).header("Content-Type", CONTENT_TYPE)
                .PUT(HttpRequest.BodyPublishers.ofString(exposition, StandardCharsets.UTF_8)), "push group " + group);
    }

    void delete(String group) throws IOException, InterruptedException {
        send(request(group).DELETE(), "delete group " + group);
    }

    /**
     * The group's URL: {@code group} is a group name within its chain ({@link Chains#scoped}); a chain other than the
     * default is a grouping label {@code chain} of its own, the default chain has none (its groups are those of a
     * single-chain pipeline).
     */
    static String path(String job, String group) {
        String chain = Chains.chainOf(group);
        return "/metrics/job@base64/" + base64(job) + (chain == null ? "" : "/chain@base64/" + base64(chain))
                + "/group@base64/" + base64(Chains.keyOf(group));
    }

    private static String base64(String value) {
        return Base64.getUrlEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }

    private HttpRequest.Builder request(String group) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path(job, group))).timeout(TIMEOUT);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return request;
    }

    private void send(HttpRequest.Builder request, String what) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IOException("Pushgateway at " + baseUrl + " refused to " + what + ": HTTP " + response.statusCode()
                    + " " + response.body().strip());
        }
    }
}
