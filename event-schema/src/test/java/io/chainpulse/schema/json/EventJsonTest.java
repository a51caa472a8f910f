package io.chainpulse.schema.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chainpulse.schema.EventStatus;
import io.chainpulse.schema.EventType;
import io.chainpulse.schema.ProtocolEvent;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class EventJsonTest {

    @Test
    void shouldMapTypedMetadataKeysAndKeepTheRest() {
        ProtocolEvent event = EventJson.parse("{\"event_id\": \"e1\", \"event_type\": \"block_finalization\", "
                + "\"timestamp_ns\": 1753784501635923000, \"node_id\": \"v1\", \"metadata\": {\"height\": 42, "
                + "\"block_hash\": \"0xbb\", \"tx_count\": \"7\", \"status\": \"success\", \"chain_id\": \"main\", "
                + "\"amount\": 100, \"tags\": [\"a\"]}}");

        assertThat(event.getEventId()).isEqualTo("e1");
        assertThat(event.getEventType()).isEqualTo(EventType.block_finalization);
        assertThat(event.getTimestampNs()).isEqualTo(1753784501635923000L);
        assertThat(event.getNodeId()).isEqualTo("v1");
        assertThat(event.getHeight()).isEqualTo(42L);
        assertThat(event.getBlockHash()).isEqualTo("0xbb");
        assertThat(event.getTxCount()).isEqualTo(7);
        assertThat(event.getStatus()).isEqualTo(EventStatus.success);
        assertThat(event.getChainId()).isEqualTo("main");
        assertThat(event.getTxId()).isNull();
        assertThat(event.getMetadata()).isEqualTo(Map.of("amount", "100", "tags", "[\"a\"]"));
    }

    @Test
    void shouldRoundTripThroughWrite() {
        ProtocolEvent event = ProtocolEvent.newBuilder().setEventId("e2")
                .setEventType(EventType.consensus_validation_complete).setTimestampNs(5L).setNodeId("v3")
                .setHeight(9L).setRound(1).setDurationNs(1_500_000L).setLeader("v1")
                .setMetadata(Map.of("phase", "prevote")).build();

        assertThat(EventJson.parse(EventJson.write(event))).isEqualTo(event);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "not json             | {oops                                                                      | not valid JSON: Unexpected character ('o' (code 111)): was expecting double-quote to start field name",
        "array                | []                                                                         | expected a JSON object, got ARRAY",
        "missing node         | {\"event_id\":\"e\",\"event_type\":\"consensus_vote\",\"timestamp_ns\":1} | missing required field node_id",
        "unknown type         | {\"event_id\":\"e\",\"event_type\":\"block_party\",\"timestamp_ns\":1,\"node_id\":\"v\"} | unknown event_type 'block_party'; expected one of block_creation_start, block_execution_complete, block_execution_start, block_finalization, block_packing_start, block_propagation_complete, block_propagation_start, consensus_commit, consensus_proposal, consensus_validation_complete, consensus_validation_start, consensus_vote, leader_selection, transaction_ingress, transaction_pool_enqueued, transaction_validation_complete, transaction_validation_start",
        "fractional timestamp | {\"event_id\":\"e\",\"event_type\":\"consensus_vote\",\"timestamp_ns\":1.5,\"node_id\":\"v\"} | timestamp_ns must be an integer: 1.5",
        "bad height           | {\"event_id\":\"e\",\"event_type\":\"consensus_vote\",\"timestamp_ns\":1,\"node_id\":\"v\",\"metadata\":{\"height\":\"tall\"}} | height must be an integer: \"tall\"",
        "bad status           | {\"event_id\":\"e\",\"event_type\":\"consensus_vote\",\"timestamp_ns\":1,\"node_id\":\"v\",\"metadata\":{\"status\":\"meh\"}} | status must be success or failure: \"meh\"",
        "metadata not object  | {\"event_id\":\"e\",\"event_type\":\"consensus_vote\",\"timestamp_ns\":1,\"node_id\":\"v\",\"metadata\":3} | metadata must be an object, got NUMBER",
    })
    void shouldNameTheFieldThatIsWrong(String name, String line, String message) {
        assertThatThrownBy(() -> EventJson.parse(line))
                .isInstanceOf(EventJsonException.class)
                .hasMessage(message);
    }
}
