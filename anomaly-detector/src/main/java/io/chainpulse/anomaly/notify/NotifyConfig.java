package io.chainpulse.anomaly.notify;

import io.chainpulse.schema.DeadLetters;
import io.chainpulse.schema.Severity;
import io.chainpulse.schema.catalog.Topics;
import io.chainpulse.schema.retry.Backoff;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * Settings of the notifier ({@code ./chainpulse notify}: webhooks, Slack, Alertmanager); the README's table is generated from
 * {@link #CONFIG}. Keys prefixed {@code consumer.} / {@code producer.} go to its Kafka consumer / dead-letter producer.
 *
 * <pre>{@code
 * NotifyConfig config = new NotifyConfig(Map.of(NotifyConfig.WEBHOOK_URLS, "https://hooks.example/x"));
 * }</pre>
 */
public final class NotifyConfig extends AbstractConfig {
    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String TOPIC = "topic";
    public static final String GROUP_ID = "group.id";
    public static final String WEBHOOK_URLS = "webhook.urls";
    public static final String WEBHOOK_SLACK = "webhook.slack";
    public static final String RETRY_BACKOFF_INITIAL_MS = "retry.backoff.initial.ms";
    public static final String RETRY_BACKOFF_MAX_MS = "retry.backoff.max.ms";
    public static final String MAX_AGE_MS = "max.age.ms";
    public static final String DEAD_LETTER_TOPIC = "dead.letter.topic";
    public static final String MIN_SEVERITY = "min.severity";
    public static final String ALERTMANAGER_URLS = "alertmanager.urls";
    public static final String ALERTMANAGER_RESEND_INTERVAL_MS = "alertmanager.resend.interval.ms";
    public static final String ALERTMANAGER_CHAIN = "alertmanager.chain";
    public static final String DASHBOARD_URL = "dashboard.url";
    public static final String CURRENT_TOPIC = "current.topic";

    public static final ConfigDef CONFIG = new ConfigDef()
            .define(BOOTSTRAP_SERVERS, Type.LIST, "127.0.0.1:9092", Importance.HIGH, "Kafka brokers.")
            .define(SCHEMA_REGISTRY_URL, Type.STRING, "http://127.0.0.1:8081/apis/ccompat/v7",
                    new ConfigDef.NonEmptyString(), Importance.HIGH, "Confluent-compatible schema registry.")
            .define(TOPIC, Type.STRING, Topics.ANOMALIES.name(), new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Topic of anomaly transitions (read_committed).")
            .define(GROUP_ID, Type.STRING, "chainpulse-notify", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Consumer group of the notifier (its own, so a slow webhook never holds back the pipeline).")
            .define(WEBHOOK_URLS, Type.LIST, "", Importance.HIGH,
                    "Webhook URLs; every transition is posted to each, once, with an Idempotency-Key header "
                            + "(anomaly_id|state|severity|window_start_ms) receivers can de-duplicate on. At least "
                            + "one webhook or Alertmanager URL is needed.")
            .define(WEBHOOK_SLACK, Type.BOOLEAN, false, Importance.LOW,
                    "Post Slack-compatible {\"text\": …} payloads instead of the anomalies.jsonl JSON.")
            .define(RETRY_BACKOFF_INITIAL_MS, Type.LONG, 200L, Range.atLeast(1), Importance.LOW,
                    "First retry delay cap; doubles per attempt up to retry.backoff.max.ms, full jitter. Connection "
                            + "errors, timeouts, 408, 429 and 5xx are retried; other answers dead-letter the "
                            + "transition at once.")
            .define(RETRY_BACKOFF_MAX_MS, Type.LONG, 30_000L, Range.atLeast(1), Importance.LOW,
                    "Cap of the retry delay.")
            .define(MAX_AGE_MS, Type.LONG, 86_400_000L, Range.atLeast(1_000), Importance.MEDIUM,
                    "A transition still undeliverable this long after it was written (record timestamp) goes to the "
                            + "dead-letter topic (service notify) and is counted. Until then it is retried without "
                            + "limit, with its partition paused and nothing after it committed.")
            .define(DEAD_LETTER_TOPIC, Type.STRING, DeadLetters.TOPIC, new ConfigDef.NonEmptyString(),
                    Importance.LOW, "Where undeliverable and rejected transitions go, with the dead-letter headers.")
            .define(MIN_SEVERITY, Type.STRING, Severity.INFO.name(),
                    new SeverityName(), Importance.MEDIUM,
                    "Least severity posted, to every destination. Per incident: a FIRING passes at this severity or "
                            + "above, or once its incident passed (an escalation passes from the escalated "
                            + "severity on, a later drop too); a RESOLVED passes when its FIRING did. Skipped "
                            + "transitions are committed and counted (chainpulse_notify_filtered_total).")
            .define(ALERTMANAGER_URLS, Type.LIST, "", Importance.HIGH,
                    "Alertmanager base URLs, the members of one cluster (an HA pair): each is posted every "
                            + "transition at /api/v2/alerts, as Prometheus does; one member accepting delivers it "
                            + "(the resend brings a member that was down up to date). Until one does: the same "
                            + "retries, max.age.ms and dead letters as webhooks.")
            .define(ALERTMANAGER_RESEND_INTERVAL_MS, Type.LONG, 60_000L, Range.atLeast(100), Importance.LOW,
                    "Every FIRING alert is posted again this often, so Alertmanager neither resolves it "
                            + "(resolve_timeout, default 5 m: keep this well below) nor forgets it across its own "
                            + "restart. At start the firing set is rebuilt from current.topic.")
            .define(ALERTMANAGER_CHAIN, Type.STRING, AlertmanagerAlerts.DEFAULT_CHAIN, new ConfigDef.NonEmptyString(),
                    Importance.LOW, "Value of the chain label of the default chain's alerts (events without a "
                            + "chain_id belong to it); an anomaly of another chain is labelled with its chain_id.")
            .define(DASHBOARD_URL, Type.STRING, "http://127.0.0.1:8088/", new ConfigDef.NonEmptyString(),
                    Importance.LOW, "The dashboard, the alerts' generatorURL.")
            .define(CURRENT_TOPIC, Type.STRING, Topics.ANOMALIES_CURRENT.name(), new ConfigDef.NonEmptyString(),
                    Importance.LOW, "Compacted topic of the incidents currently firing, read at start (with "
                            + "Alertmanager or a min.severity) to rebuild the firing set.");

    /** A severity name in any case, listed in the order of the severities (Kafka's own validator lists a hash set). */
    private static final class SeverityName implements ConfigDef.Validator {
        private static final List<String> NAMES = java.util.Arrays.stream(Severity.values()).map(Enum::name).toList();

        @Override
        public void ensureValid(String name, Object value) {
            if (value == null || !NAMES.contains(value.toString().toUpperCase(java.util.Locale.ROOT))) {
                throw new ConfigException(name, value, "must be one of " + this);
            }
        }

        @Override
        public String toString() {
            return String.join(", ", NAMES) + " (any case)";
        }
    }

    public NotifyConfig(Map<?, ?> values) {
        super(CONFIG, values, false);
        if (urls().isEmpty() && alertmanagerUrls().isEmpty()) {
            throw new ConfigException(WEBHOOK_URLS, getList(WEBHOOK_URLS),
                    "at least one webhook URL or " + ALERTMANAGER_URLS + " entry is needed");
        }
        URI dashboard = http(DASHBOARD_URL, getString(DASHBOARD_URL));
        if (!alertmanagerUrls().isEmpty() && dashboard.getHost() == null) {
            throw new ConfigException(DASHBOARD_URL, getString(DASHBOARD_URL), "no host");
        }
        if (getLong(RETRY_BACKOFF_MAX_MS) < getLong(RETRY_BACKOFF_INITIAL_MS)) {
            throw new ConfigException(RETRY_BACKOFF_MAX_MS, getLong(RETRY_BACKOFF_MAX_MS),
                    "must be >= " + RETRY_BACKOFF_INITIAL_MS + " " + getLong(RETRY_BACKOFF_INITIAL_MS));
        }
    }

    List<URI> urls() {
        return getList(WEBHOOK_URLS).stream().map(url -> http(WEBHOOK_URLS, url)).toList();
    }

    List<URI> alertmanagerUrls() {
        return getList(ALERTMANAGER_URLS).stream().map(url -> http(ALERTMANAGER_URLS, url)).toList();
    }

    Severity minSeverity() {
        return Severity.valueOf(getString(MIN_SEVERITY).toUpperCase(java.util.Locale.ROOT));
    }

    URI dashboardUrl() {
        return URI.create(getString(DASHBOARD_URL));
    }

    Duration resendInterval() {
        return Duration.ofMillis(getLong(ALERTMANAGER_RESEND_INTERVAL_MS));
    }

    private static URI http(String key, String url) {
        try {
            URI uri = URI.create(url);
            if (uri.getScheme() == null || !uri.getScheme().startsWith("http")) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key, url, e.getMessage());
        }
    }

    Backoff backoff() {
        return new Backoff(Duration.ofMillis(getLong(RETRY_BACKOFF_INITIAL_MS)),
                Duration.ofMillis(getLong(RETRY_BACKOFF_MAX_MS)));
    }

    Duration maxAge() {
        return Duration.ofMillis(getLong(MAX_AGE_MS));
    }
}
