package io.chainpulse.schema.serde;

import io.chainpulse.schema.EventType;
import io.chainpulse.schema.ProtocolEvent;
import java.util.Map;

/** Sample events for serde tests. */
public final class Events {
    private Events() {}

    public static ProtocolEvent finalization(String node, long height) {
        return ProtocolEvent.newBuilder()
                .setEventId(node + "-" + height)
                .setEventType(EventType.block_finalization)
                .setTimestampNs(1_753_784_501_635_923_000L + height)
                .setNodeId(node)
                .setChainId("testnet")
                .setHeight(height)
                .setBlockHash("0x" + Long.toHexString(height))
                .setTxCount(120)
                .setLeader("v1")
                .setMetadata(Map.of("client", "geth/1.14"))
                .build();
    }
}
