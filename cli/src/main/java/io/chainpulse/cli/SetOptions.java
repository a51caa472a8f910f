package io.chainpulse.cli;

import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.kafka.common.config.ConfigDef;

/** The {@code --set key=value} options of the service commands, checked against the service's configuration table. */
final class SetOptions {
    private SetOptions() {}

    /**
     * Fails with a usage error naming the first key {@code definition} does not know and that starts with none of
     * {@code passThroughPrefixes} (keys handed on to a client, e.g. {@code streams.} to Kafka Streams), listing the
     * keys and prefixes it does know.
     */
    static void requireKnown(Map<String, String> settings, ConfigDef definition, String... passThroughPrefixes) {
        for (String key : settings.keySet()) {
            if (!definition.names().contains(key) && Stream.of(passThroughPrefixes).noneMatch(key::startsWith)) {
                String prefixes = passThroughPrefixes.length == 0 ? ""
                        : "; or any key starting with " + String.join(", ", passThroughPrefixes);
                throw new IllegalArgumentException("--set " + key + ": unknown setting; known: "
                        + String.join(", ", new TreeSet<>(definition.names())) + prefixes);
            }
        }
    }
}
