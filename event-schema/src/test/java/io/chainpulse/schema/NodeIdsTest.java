package io.chainpulse.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class NodeIdsTest {
    @ParameterizedTest
    @ValueSource(strings = {"v1", "validator-7", "node.eu-west_3", "0xabc:9000", "A"})
    void acceptsIdsOfTheRule(String id) {
        assertThat(NodeIds.problem(id)).isEmpty();
        assertThat(NodeIds.require(id)).isEqualTo(id);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "..|node id '..' must start with a letter or digit and contain only A-Z a-z 0-9 . _ : -",
            "../etc|node id '../etc' must start with a letter or digit and contain only A-Z a-z 0-9 . _ : -",
            "v 1|node id 'v 1' must start with a letter or digit and contain only A-Z a-z 0-9 . _ : -",
            "a/b|node id 'a/b' must start with a letter or digit and contain only A-Z a-z 0-9 . _ : -",
            "~flush|node id '~flush' must start with a letter or digit and contain only A-Z a-z 0-9 . _ : -",
            "network|node id 'network' is reserved (reserved names: anomalies, network)",
            "Anomalies|node id 'Anomalies' is reserved (reserved names: anomalies, network)",
    })
    void refusesWithTheReason(String id, String message) {
        assertThat(NodeIds.problem(id)).contains(message);
        assertThatThrownBy(() -> NodeIds.require(id)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @org.junit.jupiter.api.Test
    void refusesEmptyAndTooLong() {
        assertThat(NodeIds.problem("")).contains("node id is missing or empty");
        assertThat(NodeIds.problem(null)).contains("node id is missing or empty");
        assertThat(NodeIds.problem("a".repeat(128))).isEmpty();
        assertThat(NodeIds.problem("a".repeat(129)))
                .contains("node id '" + "a".repeat(40) + "…' is 129 characters long; at most 128 are allowed");
    }
}
