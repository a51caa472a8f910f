package io.chainpulse.processor;

import io.chainpulse.schema.EventType;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.catalog.Kpi;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * {@code tps}: per node, the sum of {@code tx_count} over the node's {@code block_finalization} events ÷ window
 * seconds; for the network, each distinct {@code block_hash} counted once, in the window of its earliest
 * finalization. For the network value, finalizations are repartitioned by block hash; a block is released once
 * stream time is a grace period past its earliest finalization (so an earlier finalization arriving out of order
 * still wins) and remembered for the pairing timeout so later finalizations of it are not counted again.
 */
public final class TpsTopology {
    public static final String METRIC = Kpi.TPS.metric();
    private static final String BLOCKS_STORE = METRIC + "-network-blocks";

    private TpsTopology() {}

    public static void build(StreamsBuilder builder, KStream<String, ProtocolEvent> events, KpiContext ctx) {
        KStream<String, ProtocolEvent> finalizations = events.filter(
                (node, e) -> e.getEventType() == EventType.block_finalization, Named.as(METRIC + "-finalizations"));
        KStream<String, Sample> perNode = finalizations.mapValues(
                (node, e) -> Sample.of(node, e.getTxCount() == null ? 0 : e.getTxCount()), Named.as(METRIC + "-node-samples"));
        WindowedStats.oneScope(perNode, METRIC, KpiScope.node, WindowedStats.Kind.RATE, ctx);

        builder.addStateStore(WriteBackStore.builder(BLOCKS_STORE, Serdes.String(), Serdes.ByteArray(), ctx.config()));
        KStream<String, Sample> distinctBlocks = finalizations
                .filter((node, e) -> e.getBlockHash() != null, Named.as(METRIC + "-with-hash"))
                .map((node, e) -> KeyValue.pair(e.getBlockHash(), e), Named.as(METRIC + "-key-by-hash"))
                .repartition(Repartitioned.<String, ProtocolEvent>as(METRIC + "-by-block-hash")
                        .withKeySerde(Serdes.String()).withValueSerde(ctx.events().valueSerde()))
                .process(() -> new EarliestFinalization(ctx.grace(), ctx.config().pairingTimeout()),
                        Named.as(METRIC + "-earliest-finalization"), BLOCKS_STORE);
        WindowedStats.oneScope(WindowedStats.byKey(distinctBlocks, METRIC + "-network"), METRIC, KpiScope.network,
                WindowedStats.Kind.RATE, ctx);
    }

    /** hash → [earliest finalization ms, tx count, released?]; releases each block once. */
    private static final class EarliestFinalization implements Processor<String, ProtocolEvent, String, Sample> {
        private final long graceMs;
        private final long forgetMs;
        private ProcessorContext<String, Sample> context;
        private KeyValueStore<String, byte[]> blocks;

        EarliestFinalization(Duration grace, Duration forget) {
            this.graceMs = grace.toMillis();
            this.forgetMs = forget.toMillis();
        }

        @Override
        public void init(ProcessorContext<String, Sample> context) {
            this.context = context;
            this.blocks = context.getStateStore(BLOCKS_STORE);
            context.schedule(Duration.ofSeconds(1), PunctuationType.STREAM_TIME, this::release);
        }

        @Override
        public void process(Record<String, ProtocolEvent> record) {
            byte[] current = blocks.get(record.key());
            int txCount = record.value().getTxCount() == null ? 0 : record.value().getTxCount();
            if (current == null) {
                blocks.put(record.key(), encode(record.timestamp(), txCount, false));
            } else if (!released(current) && record.timestamp() < time(current)) {
                blocks.put(record.key(), encode(record.timestamp(), txCount, false));
            }
        }

        private void release(long streamTime) {
            List<KeyValue<String, byte[]>> released = new ArrayList<>();
            List<String> forgotten = new ArrayList<>();
            try (KeyValueIterator<String, byte[]> all = blocks.all()) {
                while (all.hasNext()) {
                    KeyValue<String, byte[]> block = all.next();
                    long earliest = time(block.value);
                    if (!released(block.value) && earliest + graceMs <= streamTime) {
                        released.add(block);
                    } else if (released(block.value) && earliest + forgetMs <= streamTime) {
                        forgotten.add(block.key);
                    }
                }
            }
            // in time order, not the store's: a later window's block first would advance the network stage's
            // stream time past an earlier window, and which blocks share a release depends on arrival order
            released.sort(Comparator.<KeyValue<String, byte[]>>comparingLong(b -> time(b.value)).thenComparing(b -> b.key));
            for (KeyValue<String, byte[]> block : released) {
                long earliest = time(block.value);
                context.forward(new Record<>(WindowedStats.NETWORK,
                        Sample.of(WindowedStats.NETWORK, txCount(block.value)), earliest));
                blocks.put(block.key, encode(earliest, txCount(block.value), true));
            }
            forgotten.forEach(blocks::delete);
        }

        private static byte[] encode(long time, int txCount, boolean released) {
            return java.nio.ByteBuffer.allocate(13).putLong(time).putInt(txCount).put((byte) (released ? 1 : 0)).array();
        }

        private static long time(byte[] b) {
            return java.nio.ByteBuffer.wrap(b).getLong(0);
        }

        private static int txCount(byte[] b) {
            return java.nio.ByteBuffer.wrap(b).getInt(8);
        }

        private static boolean released(byte[] b) {
            return b[12] == 1;
        }
    }
}
