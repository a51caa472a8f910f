package io.chainpulse.sink.es;

import io.chainpulse.schema.catalog.Topics;
import io.chainpulse.schema.retry.Backoff;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * Configuration of the Elasticsearch sink. The serde keys ({@code schema.registry.url}, …) sit beside these in the
 * same map; keys starting with {@code consumer.} or {@code producer.} go, without the prefix, to the Kafka consumer and
 * to the dead-letter producer (e.g. {@code consumer.security.protocol=SSL}).
 *
 * <p>Secrets ({@value #ES_PASSWORD}, {@value #ES_API_KEY}) are {@link Password}s: {@link #toString()} and Kafka's
 * config logging print {@code [hidden]}, never their value.
 *
 * <pre>{@code
 * SinkEsConfig config = new SinkEsConfig(Map.of("bootstrap.servers", "127.0.0.1:9092",
 *         "elasticsearch.urls", "http://127.0.0.1:9200", "schema.registry.url", registryUrl));
 * }</pre>
 */
public final class SinkEsConfig extends AbstractConfig {
    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String GROUP_ID = "group.id";
    public static final String TOPIC_KPIS = "topic.kpis";
    public static final String TOPIC_ANOMALIES = "topic.anomalies";
    public static final String TOPIC_DLQ = "topic.dlq";
    public static final String ES_URLS = "elasticsearch.urls";
    public static final String ES_USERNAME = "elasticsearch.username";
    public static final String ES_PASSWORD = "elasticsearch.password";
    public static final String ES_API_KEY = "elasticsearch.api.key";
    public static final String ES_TLS_CA_PATH = "elasticsearch.tls.ca.path";
    public static final String ES_CONNECT_TIMEOUT_MS = "elasticsearch.connect.timeout.ms";
    public static final String ES_REQUEST_TIMEOUT_MS = "elasticsearch.request.timeout.ms";
    public static final String INDEX_KPIS = "index.kpis";
    public static final String INDEX_ANOMALIES = "index.anomalies";
    public static final String INDEX_SHARDS = "index.shards";
    public static final String INDEX_REPLICAS = "index.replicas";
    public static final String ILM_POLICY = "ilm.policy";
    public static final String ILM_DELETE_AFTER_DAYS = "ilm.delete.after.days";
    public static final String BULK_MAX_ACTIONS = "bulk.max.actions";
    public static final String FLUSH_INTERVAL_MS = "flush.interval.ms";
    public static final String RETRY_BACKOFF_INITIAL_MS = "retry.backoff.initial.ms";
    public static final String RETRY_BACKOFF_MAX_MS = "retry.backoff.max.ms";

    public static final ConfigDef CONFIG = new ConfigDef()
            .define(BOOTSTRAP_SERVERS, Type.LIST, "127.0.0.1:9092", new NonEmptyList("host:port[,host:port...]"),
                    Importance.HIGH, "Kafka brokers to read KPIs and anomalies from.")
            .define(GROUP_ID, Type.STRING, "chainpulse-sink-es", new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Consumer group of the sink. Offsets are committed only after Elasticsearch acknowledged the "
                            + "documents, so a restart resumes without loss.")
            .define(TOPIC_KPIS, Type.STRING, Topics.KPIS.name(), new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Topic of KpiWindow records (key metric|scope|node_id|window_start_ms).")
            .define(TOPIC_ANOMALIES, Type.STRING, Topics.ANOMALIES.name(), new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM, "Topic of Anomaly records (key anomaly_id).")
            .define(TOPIC_DLQ, Type.STRING, Topics.SINK_ES_DLQ.name(), new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM, "Dead-letter topic: the original key and value of each record Elasticsearch "
                            + "rejected for good, with headers chainpulse.dlq.reason, "
                            + "chainpulse.dlq.status, chainpulse.dlq.topic, chainpulse.dlq.partition, "
                            + "chainpulse.dlq.offset, chainpulse.dlq.index and chainpulse.dlq.id. Records that cannot be "
                            + "decoded go to " + Topics.DEAD_LETTERS.name() + ", like every service's.")
            .define(ES_URLS, Type.LIST, "http://127.0.0.1:9200", new HttpUrls(), Importance.HIGH,
                    "Elasticsearch HTTP endpoints (8.x or 9.x).")
            .define(ES_USERNAME, Type.STRING, null, Importance.MEDIUM,
                    "User for HTTP basic authentication; needs " + ES_PASSWORD + ". Leave empty for API key or none.")
            .define(ES_PASSWORD, Type.PASSWORD, null, Importance.MEDIUM, "Password for " + ES_USERNAME + ".")
            .define(ES_API_KEY, Type.PASSWORD, null, Importance.MEDIUM,
                    "Encoded API key (the 'encoded' value Elasticsearch returns), sent as 'Authorization: ApiKey'. "
                            + "Excludes " + ES_USERNAME + ".")
            .define(ES_TLS_CA_PATH, Type.STRING, null, Importance.MEDIUM,
                    "PEM file of the CA that signed the cluster's HTTP certificate, for https URLs whose CA the JVM "
                            + "does not trust already.")
            .define(ES_CONNECT_TIMEOUT_MS, Type.INT, 5_000, Range.atLeast(1), Importance.LOW,
                    "Connect timeout of each Elasticsearch request, in milliseconds.")
            .define(ES_REQUEST_TIMEOUT_MS, Type.INT, 30_000, Range.atLeast(1), Importance.LOW,
                    "Socket timeout of each Elasticsearch request, in milliseconds; a timeout is retried.")
            .define(INDEX_KPIS, Type.STRING, "chainpulse-kpis", new IndexName(), Importance.MEDIUM,
                    "Alias over the daily KPI indices <alias>-yyyy.MM.dd (UTC day of the window start).")
            .define(INDEX_ANOMALIES, Type.STRING, "chainpulse-anomalies", new IndexName(), Importance.MEDIUM,
                    "Alias over the daily anomaly indices <alias>-yyyy.MM.dd.")
            .define(INDEX_SHARDS, Type.INT, 1, Range.between(1, 1024), Importance.LOW,
                    "Primary shards of each daily index.")
            .define(INDEX_REPLICAS, Type.INT, 1, Range.between(0, 16), Importance.LOW,
                    "Replicas of each daily index; 0 for a one-node cluster.")
            .define(ILM_POLICY, Type.STRING, null, Importance.LOW,
                    "Name of an ILM policy that the sink creates (deleting indices " + ILM_DELETE_AFTER_DAYS
                            + " days after creation) and sets on its indices. Empty: no ILM, retention is the "
                            + "operator's (clusters without ILM reject the setting).")
            .define(ILM_DELETE_AFTER_DAYS, Type.INT, 30, Range.atLeast(1), Importance.LOW,
                    "Days an index is kept when " + ILM_POLICY + " is set.")
            .define(BULK_MAX_ACTIONS, Type.INT, 1_000, Range.between(1, 100_000), Importance.MEDIUM,
                    "Documents per bulk request, and the consumer's max.poll.records: it fetches nothing while a "
                            + "batch is retried, so the sink holds fewer than twice this many records in memory.")
            .define(FLUSH_INTERVAL_MS, Type.LONG, 1_000L, Range.atLeast(1), Importance.MEDIUM,
                    "Longest a document waits for a fuller bulk request, in milliseconds.")
            .define(RETRY_BACKOFF_INITIAL_MS, Type.LONG, 100L, Range.atLeast(1), Importance.LOW,
                    "First retry delay cap in milliseconds; doubles per attempt (full jitter: the delay is random "
                            + "between 0 and the cap).")
            .define(RETRY_BACKOFF_MAX_MS, Type.LONG, 30_000L, Range.atLeast(1), Importance.LOW,
                    "Largest retry delay in milliseconds. Retries of 429, 5xx and connection errors go on "
                            + "until Elasticsearch answers; consumption stays paused meanwhile.");

    public SinkEsConfig(Map<?, ?> originals) {
        super(CONFIG, originals, false);
        List<String> problems = new ArrayList<>();
        if (username() != null && getPassword(ES_PASSWORD) == null) {
            problems.add(ES_PASSWORD + " is required when " + ES_USERNAME + " is set: " + username());
        }
        if (username() != null && getPassword(ES_API_KEY) != null) {
            problems.add(ES_USERNAME + " and " + ES_API_KEY + " exclude each other: use one");
        }
        if (getLong(RETRY_BACKOFF_MAX_MS) < getLong(RETRY_BACKOFF_INITIAL_MS)) {
            problems.add(RETRY_BACKOFF_MAX_MS + " must be >= " + RETRY_BACKOFF_INITIAL_MS + ": "
                    + getLong(RETRY_BACKOFF_MAX_MS) + " < " + getLong(RETRY_BACKOFF_INITIAL_MS));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(String.join("; ", problems));
        }
    }

    /** The basic-auth user, or null when none is set (a blank value in a properties file counts as none). */
    String username() {
        String username = getString(ES_USERNAME);
        return username == null || username.isBlank() ? null : username.trim();
    }

    Duration flushInterval() {
        return Duration.ofMillis(getLong(FLUSH_INTERVAL_MS));
    }

    Backoff backoff() {
        return new Backoff(Duration.ofMillis(getLong(RETRY_BACKOFF_INITIAL_MS)),
                Duration.ofMillis(getLong(RETRY_BACKOFF_MAX_MS)));
    }

    /** Every key with its value, secrets as {@code [hidden]}. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("SinkEsConfig{");
        values().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> out
                .append(e.getKey()).append('=').append(e.getValue()).append(", "));
        out.setLength(out.length() - 2);
        return out.append('}').toString();
    }

    private static final class NonEmptyList implements ConfigDef.Validator {
        private final String shape;

        NonEmptyList(String shape) {
            this.shape = shape;
        }

        @Override
        public void ensureValid(String name, Object value) {
            if (value == null || ((List<?>) value).isEmpty()) {
                throw new ConfigException(name, value, "at least one entry is required: " + shape);
            }
        }

        @Override
        public String toString() {
            return shape;
        }
    }

    private static final class HttpUrls implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            List<?> urls = (List<?>) value;
            if (urls == null || urls.isEmpty()) {
                throw new ConfigException(name, value, "at least one http:// or https:// URL is required");
            }
            for (Object url : urls) {
                try {
                    URI uri = URI.create(url.toString());
                    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                    if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
                        throw new ConfigException(name, url, "not an http:// or https:// URL with a host");
                    }
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(name, url, "not a URL: " + e.getMessage());
                }
            }
        }

        @Override
        public String toString() {
            return "http(s)://host:port[,...]";
        }
    }

    /** Elasticsearch's own rule for index names, which the daily suffix keeps. */
    private static final class IndexName implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            String index = value == null ? "" : value.toString();
            if (!index.matches("[a-z0-9][a-z0-9._-]{0,200}")) {
                throw new ConfigException(name, value,
                        "an index alias is lowercase letters, digits, '.', '_' or '-', not starting with one of "
                                + "'._-', at most 201 characters");
            }
        }

        @Override
        public String toString() {
            return "lowercase [a-z0-9._-], no leading '._-'";
        }
    }
}
