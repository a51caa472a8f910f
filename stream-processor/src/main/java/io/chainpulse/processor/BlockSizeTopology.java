package io.chainpulse.processor;

import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.catalog.Kpi;

/**
 * {@code block_size_bytes}: the distribution of {@code size_bytes} per block — per node over each of its
 * {@code block_finalization} events, for the network over each distinct {@code block_hash} once, in the window of its
 * earliest finalization ({@link Blocks}). Finalizations without {@code size_bytes} are left out.
 */
public final class BlockSizeTopology {
    public static final String METRIC = Kpi.BLOCK_SIZE_BYTES.metric();

    private BlockSizeTopology() {}

    static void build(Blocks blocks, KpiContext ctx) {
        blocks.perNodeAndBlock(METRIC, WindowedStats.Kind.LATENCY, ProtocolEvent::getSizeBytes, Blocks.Block::sizeBytes, ctx);
    }
}
