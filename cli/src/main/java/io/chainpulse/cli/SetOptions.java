package io.chainpulse.cli;

import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.common.config.ConfigDef;

/** The {@code --set key=value} options of the service commands, checked against the service's configuration table. */
final class SetOptions {
    private SetOptions() {}

    /**
     * Fails with a usage error naming the first key {@code definition} does not know, and listing the keys it does;
     * keys starting with one of {@code passThroughPrefixes} (e.g. {@code consumer.}) go to a client and are let through.
     */
    static void requireKnown(Map<String, String> settings, ConfigDef definition, String... passThroughPrefixes) {
        for (String key : settings.keySet()) {
            if (!definition.names().contains(key) && !java.util.Arrays.stream(passThroughPrefixes).anyMatch(key::startsWith)) {
                throw new IllegalArgumentException("--set " + key + ": unknown setting; known: "
                        + String.join(", ", new TreeSet<>(definition.names())));
            }
        }
    }
}
