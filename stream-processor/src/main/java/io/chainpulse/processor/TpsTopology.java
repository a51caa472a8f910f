package io.chainpulse.processor;

import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.catalog.Kpi;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;

/**
 * {@code tps}: per node, the sum of {@code tx_count} over the node's {@code block_finalization} events ÷ window
 * seconds; for the network, each distinct {@code block_hash} counted once, in the window of its earliest
 * finalization ({@link Blocks#distinct()}, which tps computed alone before and whose names it still gives).
 */
public final class TpsTopology {
    public static final String METRIC = Kpi.TPS.metric();

    private TpsTopology() {}

    static void build(Blocks blocks, KpiContext ctx) {
        KStream<String, Sample> perNode = blocks.finalizations().mapValues(
                (node, e) -> Sample.of(node, e.getTxCount() == null ? 0 : e.getTxCount()), Named.as(METRIC + "-node-samples"));
        WindowedStats.oneScope(perNode, METRIC, KpiScope.node, WindowedStats.Kind.RATE, ctx);
        KStream<String, Sample> network = blocks.distinct().mapValues(
                b -> Sample.of(WindowedStats.NETWORK, b.txCount()), Named.as(METRIC + "-network-block-samples"));
        WindowedStats.oneScope(network, METRIC, KpiScope.network, WindowedStats.Kind.RATE, ctx);
    }
}
