package io.chainpulse.processor;

import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.catalog.Kpi;

/**
 * {@code block_gas_used}: the distribution of {@code gas_used} per block — per node over each of its
 * {@code block_finalization} events, for the network over each distinct {@code block_hash} once, in the window of its
 * earliest finalization ({@link Blocks}). Finalizations without {@code gas_used} are left out.
 */
public final class BlockGasUsedTopology {
    public static final String METRIC = Kpi.BLOCK_GAS_USED.metric();

    private BlockGasUsedTopology() {}

    static void build(Blocks blocks, KpiContext ctx) {
        blocks.perNodeAndBlock(METRIC, WindowedStats.Kind.LATENCY, ProtocolEvent::getGasUsed, Blocks.Block::gasUsed, ctx);
    }
}
