package io.chainpulse.processor;

import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.catalog.Kpi;

/**
 * {@code gas_per_s}: per node, Σ {@code gas_used} of its {@code block_finalization} events ÷ window seconds; for
 * the network, each distinct {@code block_hash} once, in the window of its earliest finalization ({@link Blocks}).
 * Finalizations without {@code gas_used} are left out (no window rather than a rate of 0 for a chain without gas).
 */
public final class GasPerSecondTopology {
    public static final String METRIC = Kpi.GAS_PER_S.metric();

    private GasPerSecondTopology() {}

    static void build(Blocks blocks, KpiContext ctx) {
        blocks.perNodeAndBlock(METRIC, WindowedStats.Kind.RATE, ProtocolEvent::getGasUsed, Blocks.Block::gasUsed, ctx);
    }
}
