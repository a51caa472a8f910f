package io.chainpulse.schema;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The Kafka client settings every ChainPulse service hands to the clients it creates, from one map of settings.
 * A key every Kafka client knows ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}, {@code client.dns.lookup}…)
 * goes to every client; a key prefixed {@code consumer.}, {@code producer.}, {@code admin.} or {@code streams.} goes,
 * prefix removed, only to that kind of client and wins over the unprefixed one.
 *
 * <pre>{@code
 * Map<String, Object> props = ClientSettings.forClient(config.originals(), ClientSettings.CONSUMER);
 * props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
 * }</pre>
 */
public final class ClientSettings {
    public static final String CONSUMER = "consumer.";
    public static final String PRODUCER = "producer.";
    public static final String ADMIN = "admin.";
    public static final String STREAMS = "streams.";

    /**
     * Keys that consumers, producers and admin clients all take, except those the service sets itself per client
     * ({@code bootstrap.servers}, {@code client.id}): the connection's security and networking.
     */
    public static final Set<String> COMMON = common();

    private ClientSettings() {}

    private static Set<String> common() {
        Set<String> keys = new TreeSet<>(ConsumerConfig.configNames());
        keys.retainAll(ProducerConfig.configNames());
        keys.retainAll(AdminClientConfig.configNames());
        keys.remove(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        keys.remove(CommonClientConfigs.CLIENT_ID_CONFIG);
        return Set.copyOf(keys);
    }

    /** True for a {@link #COMMON} key or one under a client prefix. */
    public static boolean isClientKey(String key) {
        return COMMON.contains(key) || key.startsWith(CONSUMER) || key.startsWith(PRODUCER) || key.startsWith(ADMIN)
                || key.startsWith(STREAMS);
    }

    /**
     * The settings of one kind of client: the {@link #COMMON} keys of {@code settings}, then its {@code prefix}ed
     * keys with the prefix removed. A mutable copy the caller adds its own fixed keys to.
     */
    public static Map<String, Object> forClient(Map<String, ?> settings, String prefix) {
        Map<String, Object> props = new HashMap<>();
        settings.forEach((key, value) -> {
            if (COMMON.contains(key) && value != null) {
                props.put(key, value);
            }
        });
        settings.forEach((key, value) -> {
            if (key.startsWith(prefix) && key.length() > prefix.length() && value != null) {
                props.put(key.substring(prefix.length()), value);
            }
        });
        return props;
    }
}
