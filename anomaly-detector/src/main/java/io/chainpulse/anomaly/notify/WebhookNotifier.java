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
import java.util.Set;
import java.util.stream.Collectors;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts anomaly transitions to its {@link Target}s: webhooks (the {@code anomalies.jsonl} JSON of the transition, or
 * with {@code slack} a Slack-compatible {@code {"text": "…"}}) and Alertmanagers ({@link AlertmanagerAlerts}). Every post carries an {@code Idempotency-Key} header, the transition's
 * id {@code anomaly_id|state|severity|window_start_ms} (the same fields are in the JSON body), so a receiver can
 * drop a transition it has already seen — after a notifier restart, a transition is posted again. Within one
 * process each transition is posted at most once per URL: a repeat (a replayed topic, a redelivered record) is
 * skipped.
 *
 * <p>{@link #deliver} makes one attempt per URL still missing the transition and says what came of it; retrying,
 * backing off and giving up are {@link WebhookService}'s, which never loses a transition.
 *
 * <pre>{@code
 * WebhookNotifier notifier = new WebhookNotifier(List.of(URI.create("https://hooks.example/x")), false);
 * WebhookNotifier.Result result = notifier.deliver(anomaly);
 * }</pre>
 */
public final class WebhookNotifier {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookNotifier.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int REMEMBERED = 10_000;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    public static final String IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";

    private final List<Target> targets;
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
    final LongAdder rejected = new LongAdder();

    public WebhookNotifier(List<URI> urls, boolean slack) {
        this(urls.stream().map(url -> Target.webhook(url, slack)).toList());
    }

    /** Posts to each of {@code targets} (webhooks and Alertmanagers alike). */
    public WebhookNotifier(List<Target> targets) {
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("at least one webhook or Alertmanager URL is needed");
        }
        this.targets = List.copyOf(targets);
    }

    /**
     * One destination: the URL every transition is posted to, how a transition is written for it, and the group it
     * belongs to — a transition is delivered to a group once one of its members accepted it.
     *
     * @param body  the request body of one transition (rendered again at each attempt)
     * @param group members of one group are alternatives: the members of one Alertmanager cluster; a webhook is a
     *              group of its own
     */
    public record Target(URI url, Function<Anomaly, String> body, String group) {
        public static final String ALERTMANAGER_CLUSTER = "alertmanager";

        /** A webhook: the {@code anomalies.jsonl} JSON, or with {@code slack} a Slack-compatible text. */
        public static Target webhook(URI url, boolean slack) {
            return new Target(url, slack ? WebhookNotifier::slackText : AnomalyJson::write, url.toString());
        }

        /**
         * A member of the Alertmanager cluster at {@code baseUrl}: its {@code /api/v2/alerts}, each transition as
         * {@code alerts} write it. Every member is posted every transition (Alertmanagers share silences and what
         * they notified, not alerts); one member accepting delivers it, so a member down for maintenance holds
         * nothing up — the resend gives it the firing alerts once it is back.
         */
        public static Target alertmanager(URI baseUrl, AlertmanagerAlerts alerts, ActiveIncidents active) {
            return new Target(alertsEndpoint(baseUrl), a -> alerts.transition(a, active.previous(a.getAnomalyId())),
                    ALERTMANAGER_CLUSTER);
        }
    }

    /** {@code baseUrl}'s {@code /api/v2/alerts} (a trailing slash of the base is dropped). */
    public static URI alertsEndpoint(URI baseUrl) {
        String base = baseUrl.toString();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return URI.create(base + "/api/v2/alerts");
    }

    /** What one delivery attempt came to. */
    public enum Outcome {
        /** Every URL has the transition. */
        DELIVERED,
        /** A URL could not be reached or answered 408, 429 or 5xx: try again later. */
        RETRY,
        /** A URL refused the transition for good (another 4xx, or 3xx): retrying cannot help. */
        REJECTED
    }

    /** The outcome, and for RETRY and REJECTED what went wrong. */
    public record Result(Outcome outcome, String reason) {}

    /** The id a receiver de-duplicates on: {@code anomaly_id|state|severity|window_start_ms}. */
    public static String transitionId(Anomaly a) {
        return a.getAnomalyId() + "|" + a.getState() + "|" + a.getSeverity() + "|" + a.getWindowStartMs();
    }

    /** One attempt to post {@code anomaly} to every URL that does not have it yet. */
    public Result deliver(Anomaly anomaly) throws InterruptedException {
        String id = transitionId(anomaly);
        Map<String, Result> failed = new LinkedHashMap<>(); // by group: its worst failure this attempt
        Set<String> delivered = targets.stream().map(Target::group).filter(group -> hasIt(group, id))
                .collect(Collectors.toSet());
        for (Target target : targets) {
            boolean has;
            synchronized (posted) {
                has = posted.containsKey(target.url() + "|" + id);
            }
            if (has || delivered.contains(target.group())) {
                continue; // this member has it, or another of its group got it in an earlier attempt
            }
            Result one = post(target.url(), target.body().apply(anomaly), id);
            if (one.outcome() == Outcome.DELIVERED) {
                synchronized (posted) {
                    posted.put(target.url() + "|" + id, Boolean.TRUE);
                }
            } else if (failed.get(target.group()) == null || failed.get(target.group()).outcome() != Outcome.REJECTED) {
                failed.put(target.group(), one);
            }
        }
        Result result = new Result(Outcome.DELIVERED, null);
        for (Map.Entry<String, Result> group : failed.entrySet()) {
            if (!hasIt(group.getKey(), id) && result.outcome() != Outcome.REJECTED) {
                result = group.getValue();
            }
        }
        if (result.outcome() == Outcome.RETRY) {
            retries.increment();
        }
        return result;
    }

    /** True if every group (every webhook, the Alertmanager cluster) already has this transition: a redelivered record, skipped (and counted). */
    boolean alreadyDelivered(Anomaly anomaly) {
        String id = transitionId(anomaly);
        if (targets.stream().allMatch(target -> hasIt(target.group(), id))) {
            duplicates.increment();
            return true;
        }
        return false;
    }

    /** Whether a member of {@code group} accepted transition {@code id}. */
    private boolean hasIt(String group, String id) {
        synchronized (posted) {
            return targets.stream().anyMatch(t -> t.group().equals(group) && posted.containsKey(t.url() + "|" + id));
        }
    }

    /**
     * One post of {@code body} to {@code url} outside the transitions' bookkeeping (the Alertmanager resend): not
     * remembered, not counted as delivered.
     */
    Result postOnce(URI url, String body) throws InterruptedException {
        return send(url, body, null);
    }

    private Result post(URI url, String body, String id) throws InterruptedException {
        Result result = send(url, body, id);
        if (result.outcome() == Outcome.DELIVERED) {
            delivered.increment();
        } else if (result.outcome() == Outcome.REJECTED) {
            rejected.increment();
            LOG.warn("{} refused transition {}: {} (not retried)", url, id, result.reason());
        }
        return result;
    }

    private Result send(URI url, String body, String id) throws InterruptedException {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(TIMEOUT)
                    .header("Content-Type", "application/json");
            if (id != null) {
                request.header(IDEMPOTENCY_KEY_HEADER, id);
            }
            HttpResponse<String> response = http.send(request.POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            int status = response.statusCode();
            if (status / 100 == 2) {
                return new Result(Outcome.DELIVERED, null);
            }
            String problem = url + " answered HTTP " + status;
            if (status == 408 || status == 429 || status / 100 == 5) {
                return new Result(Outcome.RETRY, problem);
            }
            String answer = response.body() == null || response.body().isBlank() ? ""
                    : ": " + abbreviate(response.body().strip());
            return new Result(Outcome.REJECTED, problem + answer);
        } catch (IOException e) {
            return new Result(Outcome.RETRY, url + ": " + e);
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "…";
    }

    /**
     * One line a person reads in a channel: severity, state, node, metric, the description and what to do. Every part
     * that comes from data (node ids, metric names, descriptions and actions, which rules files write) is escaped as
     * Slack asks ({@code & < >}), so a text such as {@code <!channel>} is shown, never a mention that pings a channel.
     */
    static String slackText(Anomaly a) {
        StringBuilder text = new StringBuilder()
                .append(a.getState().name().equals("FIRING") ? ":rotating_light: " : ":white_check_mark: ")
                .append('*').append(a.getSeverity()).append(' ').append(a.getState()).append("* ")
                .append(slackEscape(a.getNodeId() == null ? "network" : a.getNodeId())).append(' ')
                .append(slackEscape(a.getMetric()))
                .append(" (").append(Instant.ofEpochMilli(a.getWindowStartMs())).append("): ")
                .append(slackEscape(a.getDescription()));
        if (!a.getSuggestedActions().isEmpty()) {
            text.append("\nSuggested: ").append(slackEscape(String.join("; ", a.getSuggestedActions())));
        }
        return JSON.createObjectNode().put("text", text.toString()).toString();
    }

    /** Slack's control characters as the entities it documents for message text. */
    static String slackEscape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
