package io.chainpulse.sink.prometheus;

import io.chainpulse.schema.catalog.Topics;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.types.Password;

/**
 * Settings of the Pushgateway sink; the README's table is generated from {@link #CONFIG}. Keys prefixed
 * {@code consumer.} go to its Kafka consumers (e.g. {@code consumer.max.poll.records}).
 */
public final class PushgatewaySinkConfig extends AbstractConfig {
    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String GROUP_ID = "group.id";
    public static final String KPI_TOPIC = "kpi.topic";
    public static final String ANOMALY_TOPIC = "anomaly.topic";
    public static final String PUSHGATEWAY_URL = "pushgateway.url";
    public static final String PUSHGATEWAY_JOB = "pushgateway.job";
    public static final String PUSHGATEWAY_USER_INFO = "pushgateway.basic.auth.user.info";
    public static final String PUSH_INTERVAL_MS = "push.interval.ms";
    public static final String NODE_EXPIRY_MS = "node.expiry.ms";

    public static final ConfigDef CONFIG = new ConfigDef()
            .define(BOOTSTRAP_SERVERS, Type.LIST, "127.0.0.1:9092", Importance.HIGH, "Kafka brokers.")
            .define(SCHEMA_REGISTRY_URL, Type.STRING, "http://127.0.0.1:8081/apis/ccompat/v7", Importance.HIGH,
                    "Confluent-compatible schema registry.")
            .define(GROUP_ID, Type.STRING, "chainpulse-sink-pushgateway", Importance.MEDIUM,
                    "Consumer group of this sink (its own, so it never slows other consumers).")
            .define(KPI_TOPIC, Type.STRING, Topics.KPIS.name(), Importance.MEDIUM,
                    "Topic of KpiWindow records; only final windows are pushed.")
            .define(ANOMALY_TOPIC, Type.STRING, Topics.ANOMALIES_CURRENT.name(), Importance.MEDIUM,
                    "Compacted topic of the current state of each anomaly (FIRING record, tombstone once resolved), "
                            + "read from its beginning at every start, without a consumer group, before the first "
                            + "push: a restarted sink still knows every incident that is firing.")
            .define(PUSHGATEWAY_URL, Type.STRING, "http://127.0.0.1:9091", Importance.HIGH, "Pushgateway base URL.")
            .define(PUSHGATEWAY_JOB, Type.STRING, "chainpulse", Importance.LOW, "Value of the job grouping label.")
            .define(PUSHGATEWAY_USER_INFO, Type.PASSWORD, null, Importance.LOW,
                    "user:password for the Pushgateway's basic auth; never logged.")
            .define(PUSH_INTERVAL_MS, Type.LONG, 10_000L, Range.atLeast(100), Importance.MEDIUM,
                    "How often every group is pushed (all of them, so a restarted Pushgateway has every series back "
                            + "within one interval); a failed push is retried at the next interval. KPI offsets are "
                            + "committed once the groups their records changed have been pushed.")
            .define(NODE_EXPIRY_MS, Type.LONG, 300_000L, Range.atLeast(1_000), Importance.MEDIUM,
                    "A node whose latest KPI window ends this long before the newest window seen (stream time, not "
                            + "wall clock) has its Pushgateway group deleted, so its series do not stay forever.");

    public PushgatewaySinkConfig(Map<?, ?> values) {
        super(CONFIG, values, false);
    }

    String userInfo() {
        Password password = getPassword(PUSHGATEWAY_USER_INFO);
        return password == null ? null : password.value();
    }
}
