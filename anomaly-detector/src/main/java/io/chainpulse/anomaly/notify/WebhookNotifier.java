package io.chainpulse.anomaly.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.chainpulse.anomaly.AnomalyJson;
import io.chainpulse.schema.Anomaly;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts anomaly transitions to webhooks: the {@code anomalies.jsonl} JSON of the transition, or with {@code slack}
 * a Slack-compatible {@code {"text": "…"}}. Each transition (anomaly id + state + severity) is posted once per URL:
 * a repeat — a replayed topic, a redelivered record — is skipped. Connection errors, timeouts, 429 and 5xx are
 * retried with exponential backoff and full jitter up to {@code maxAttempts}; other answers are not retried. Runs
 * on the consumer of {@link WebhookService}, its own consumer group, so a slow webhook never holds back the pipeline.
 *
 * <pre>{@code
 * WebhookNotifier notifier = new WebhookNotifier(List.of(URI.create("https://hooks.example/x")), false, 5, Duration.ofMillis(200));
 * notifier.notify(anomaly);
 * }</pre>
 */
public final class WebhookNotifier {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookNotifier.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int REMEMBERED = 10_000;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final List<URI> urls;
    private final boolean slack;
    private final int maxAttempts;
    private final Duration initialBackoff;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final Map<String, Boolean> posted = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };
    final LongAdder delivered = new LongAdder();
    final LongAdder duplicates = new LongAdder();
    final LongAdder retries = new LongAdder();
    final LongAdder failed = new LongAdder();

    public WebhookNotifier(List<URI> urls, boolean slack, int maxAttempts, Duration initialBackoff) {
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("at least one webhook URL is needed");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1: " + maxAttempts);
        }
        this.urls = List.copyOf(urls);
        this.slack = slack;
        this.maxAttempts = maxAttempts;
        this.initialBackoff = initialBackoff;
    }

    /** Posts one transition to every URL (once each); returns when done or given up. */
    public void notify(Anomaly anomaly) throws InterruptedException {
        String body = slack ? slackText(anomaly) : AnomalyJson.write(anomaly);
        for (URI url : urls) {
            String key = url + "|" + anomaly.getAnomalyId() + "|" + anomaly.getState() + "|" + anomaly.getSeverity();
            synchronized (posted) {
                if (posted.containsKey(key)) {
                    duplicates.increment();
                    continue;
                }
            }
            if (post(url, body, anomaly.getAnomalyId())) {
                synchronized (posted) {
                    posted.put(key, Boolean.TRUE);
                }
            }
        }
    }

    private boolean post(URI url, String body, String id) throws InterruptedException {
        long cap = initialBackoff.toMillis();
        for (int attempt = 1; ; attempt++) {
            String problem;
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(url).timeout(TIMEOUT)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status / 100 == 2) {
                    delivered.increment();
                    return true;
                }
                problem = "HTTP " + status;
                if (status != 429 && status / 100 != 5) {
                    failed.increment();
                    LOG.warn("webhook {} refused anomaly {}: {} (not retried)", url, id, problem);
                    return false;
                }
            } catch (IOException e) {
                problem = e.toString();
            }
            if (attempt >= maxAttempts) {
                failed.increment();
                LOG.warn("webhook {}: giving up on anomaly {} after {} attempts: {}", url, id, attempt, problem);
                return false;
            }
            retries.increment();
            Thread.sleep(ThreadLocalRandom.current().nextLong(cap + 1)); // full jitter
            cap = Math.min(cap * 2, 30_000);
        }
    }

    /** One line a person reads in a channel: severity, state, node, metric, the description and what to do. */
    static String slackText(Anomaly a) {
        StringBuilder text = new StringBuilder()
                .append(a.getState().name().equals("FIRING") ? ":rotating_light: " : ":white_check_mark: ")
                .append('*').append(a.getSeverity()).append(' ').append(a.getState()).append("* ")
                .append(a.getNodeId() == null ? "network" : a.getNodeId()).append(' ').append(a.getMetric())
                .append(" (").append(Instant.ofEpochMilli(a.getWindowStartMs())).append("): ")
                .append(a.getDescription());
        if (!a.getSuggestedActions().isEmpty()) {
            text.append("\nSuggested: ").append(String.join("; ", a.getSuggestedActions()));
        }
        return JSON.createObjectNode().put("text", text.toString()).toString();
    }
}
