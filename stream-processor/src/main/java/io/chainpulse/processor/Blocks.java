package io.chainpulse.processor;

import io.chainpulse.schema.Chains;
import io.chainpulse.schema.EventType;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.ProtocolEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
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
 * The {@code block_finalization} events, keyed by node, and each distinct block once, keyed {@code network}: what
 * {@code tps}, {@code gas_per_s}, {@code block_gas_used}, {@code block_size_bytes} and {@code leader_share_pct} are
 * computed from, each chain's blocks apart (a block is its chain's and hash's). Built once per topology ({@link KpiTopology}), so the five KPIs share one repartition by block hash
 * and one repartition to the network task.
 *
 * <p>Distinct blocks: finalizations with a {@code block_hash} are repartitioned by it ({@code tps-by-block-hash}); a
 * block is released once stream time is a grace period past its earliest finalization (so an earlier finalization
 * arriving out of order still wins), with that finalization's fields, at its time, and remembered for twice the
 * pairing timeout so later finalizations of it are not released again; a finalization more than the pairing timeout
 * behind the stage's stream time (an input partition far behind the others) is counted {@code late} for
 * {@code tps network}, as its block may be forgotten already. Released blocks go to the one network task through
 * {@code tps-network-samples}. The stage's names are {@code tps}'s, which computed the distinct blocks alone before:
 * existing state and topics stay valid (the store and the topic read the records they held before, whose gas, size
 * and leader are unknown).
 */
final class Blocks {
    private static final String NAME = TpsTopology.METRIC;
    private static final String BLOCKS_STORE = NAME + "-network-blocks";

    private final KStream<String, ProtocolEvent> finalizations;
    private final KStream<String, Block> distinct;

    private Blocks(KStream<String, ProtocolEvent> finalizations, KStream<String, Block> distinct) {
        this.finalizations = finalizations;
        this.distinct = distinct;
    }

    /**
     * One distinct block: the fields of its earliest finalization (null when the event had none), and its chain (null:
     * the default chain).
     */
    record Block(int txCount, Long gasUsed, Long sizeBytes, String leader, String chain) {
        /** A block of the default chain. */
        Block(int txCount, Long gasUsed, Long sizeBytes, String leader) {
            this(txCount, gasUsed, sizeBytes, leader, null);
        }

        static Block of(ProtocolEvent e) {
            return new Block(e.getTxCount() == null ? 0 : e.getTxCount(), e.getGasUsed(), e.getSizeBytes(), e.getLeader(),
                    Chains.idOf(e.getChainId()));
        }

        /** Where the block's network samples go: {@code network} of its chain. */
        String networkKey() {
            return Chains.scoped(chain, WindowedStats.NETWORK);
        }

        /**
         * The wire form on {@code tps-network-samples}: the {@link Sample} {@code tps} sent there before ({@code
         * network}, tx count, not skewed), then the fields it lacked. A record without them (written before) reads as
         * a block of unknown gas, size and leader, of the default chain.
         */
        static final Serde<Block> SERDE = Serdes.serdeFrom(
                (Serializer<Block>) (topic, b) -> {
                    byte[] sample = Sample.SERDE.serializer().serialize(topic, Sample.of(WindowedStats.NETWORK, b.txCount()));
                    return b.appendTo(ByteBuffer.allocate(sample.length + b.extraBytes()).put(sample)).array();
                },
                (Deserializer<Block>) (topic, bytes) -> {
                    ByteBuffer in = ByteBuffer.wrap(bytes);
                    in.position(4 + in.getInt(0));
                    int txCount = (int) in.getDouble();
                    in.get(); // skewed: never
                    return readRest(txCount, in);
                });

        private int extraBytes() {
            return 1 + (gasUsed == null ? 0 : 8) + (sizeBytes == null ? 0 : 8)
                    + (leader == null ? 0 : 4 + leader.getBytes(StandardCharsets.UTF_8).length)
                    + (chain == null ? 0 : 4 + chain.getBytes(StandardCharsets.UTF_8).length);
        }

        private ByteBuffer appendTo(ByteBuffer out) {
            out.put((byte) ((gasUsed == null ? 0 : 1) | (sizeBytes == null ? 0 : 2) | (leader == null ? 0 : 4)
                    | (chain == null ? 0 : 8)));
            if (gasUsed != null) {
                out.putLong(gasUsed);
            }
            if (sizeBytes != null) {
                out.putLong(sizeBytes);
            }
            if (leader != null) {
                byte[] name = leader.getBytes(StandardCharsets.UTF_8);
                out.putInt(name.length).put(name);
            }
            if (chain != null) {
                byte[] name = chain.getBytes(StandardCharsets.UTF_8);
                out.putInt(name.length).put(name);
            }
            return out;
        }

        private static Block readRest(int txCount, ByteBuffer in) {
            if (!in.hasRemaining()) {
                return new Block(txCount, null, null, null);
            }
            byte present = in.get();
            Long gas = (present & 1) != 0 ? in.getLong() : null;
            Long size = (present & 2) != 0 ? in.getLong() : null;
            String leader = (present & 4) != 0 ? readString(in) : null;
            String chain = (present & 8) != 0 ? readString(in) : null;
            return new Block(txCount, gas, size, leader, chain);
        }

        private static String readString(ByteBuffer in) {
            byte[] name = new byte[in.getInt()];
            in.get(name);
            return new String(name, StandardCharsets.UTF_8);
        }
    }

    /**
     * A block in the store {@code tps-network-blocks}: its earliest finalization's time and fields, and whether it was
     * released. Stored as the 13 bytes written before (time, tx count, released) followed by the block's other fields.
     */
    record Pending(long time, Block block, boolean released) {
        static final Serde<Pending> SERDE = Serdes.serdeFrom(
                (Serializer<Pending>) (topic, p) -> p.block.appendTo(ByteBuffer.allocate(13 + p.block.extraBytes())
                        .putLong(p.time).putInt(p.block.txCount()).put((byte) (p.released ? 1 : 0))).array(),
                (Deserializer<Pending>) (topic, bytes) -> {
                    ByteBuffer in = ByteBuffer.wrap(bytes);
                    long time = in.getLong();
                    int txCount = in.getInt();
                    boolean released = in.get() == 1;
                    return new Pending(time, Block.readRest(txCount, in), released);
                });

        Pending release() {
            return new Pending(time, block, true);
        }
    }

    static Blocks build(StreamsBuilder builder, EventsByType events, KpiContext ctx) {
        KStream<String, ProtocolEvent> finalizations = events.of(EventType.block_finalization);
        builder.addStateStore(WriteBackStore.builder(BLOCKS_STORE, Serdes.String(), Pending.SERDE, ctx.config()));
        KStream<String, Block> distinct = finalizations
                .filter((node, e) -> e.getBlockHash() != null, Named.as(NAME + "-with-hash"))
                .map((node, e) -> KeyValue.pair(Chains.scoped(e.getChainId(), e.getBlockHash()), e),
                        Named.as(NAME + "-key-by-hash"))
                .repartition(Repartitioned.<String, ProtocolEvent>as(NAME + "-by-block-hash")
                        .withKeySerde(Serdes.String()).withValueSerde(ctx.events().valueSerde()))
                .process(() -> new EarliestFinalization(ctx.grace(), ctx.config().pairingTimeout(), ctx.counters()),
                        Named.as(NAME + "-earliest-finalization"), BLOCKS_STORE)
                .repartition(Repartitioned.<String, Block>as(NAME + "-network-samples")
                        .withKeySerde(Serdes.String()).withValueSerde(Block.SERDE)
                        .withNumberOfPartitions(WindowedStats.NETWORK_PARTITIONS));
        return new Blocks(finalizations, distinct);
    }

    /** Every {@code block_finalization}, keyed by its node. */
    KStream<String, ProtocolEvent> finalizations() {
        return finalizations;
    }

    /** Each distinct block once, keyed {@code network} of its chain, timestamped at its earliest finalization. */
    KStream<String, Block> distinct() {
        return distinct;
    }

    /**
     * {@code metric} from one field of the blocks: per node from each of its finalizations, for the network from each
     * distinct block; finalizations and blocks without the field are left out.
     */
    void perNodeAndBlock(String metric, WindowedStats.Kind kind, Function<ProtocolEvent, Long> ofEvent,
                         Function<Block, Long> ofBlock, KpiContext ctx) {
        KStream<String, Sample> node = finalizations
                .filter((n, e) -> ofEvent.apply(e) != null, Named.as(metric + "-node-finalizations"))
                .mapValues((n, e) -> Sample.of(n, ofEvent.apply(e)), Named.as(metric + "-node-samples"));
        WindowedStats.oneScope(node, metric, KpiScope.node, kind, ctx);
        KStream<String, Sample> network = distinct
                .filter((n, b) -> ofBlock.apply(b) != null, Named.as(metric + "-network-blocks"))
                .mapValues(b -> Sample.of(WindowedStats.NETWORK, ofBlock.apply(b)), Named.as(metric + "-network-samples"));
        WindowedStats.oneScope(network, metric, KpiScope.network, kind, ctx);
    }

    /** hash → earliest finalization; releases each block once, in time order. */
    private static final class EarliestFinalization implements Processor<String, ProtocolEvent, String, Block> {
        private final long graceMs;
        private final long rememberMs;
        private final long forgetMs;
        private final ProcessorCounters counters;
        private ProcessorContext<String, Block> context;
        private KeyValueStore<String, Pending> blocks;

        /**
         * @param remember how far behind stream time a finalization may be: its block is kept twice as long after
         *                 release, so a later finalization of a block (up to {@code remember} after the earliest,
         *                 from a partition running behind the others) finds it and is not counted again
         */
        EarliestFinalization(Duration grace, Duration remember, ProcessorCounters counters) {
            this.graceMs = grace.toMillis();
            this.rememberMs = remember.toMillis();
            this.forgetMs = 2 * rememberMs;
            this.counters = counters;
        }

        @Override
        public void init(ProcessorContext<String, Block> context) {
            this.context = context;
            this.blocks = context.getStateStore(BLOCKS_STORE);
            context.schedule(Duration.ofSeconds(1), PunctuationType.STREAM_TIME, this::release);
        }

        @Override
        public void process(Record<String, ProtocolEvent> record) {
            // the task's stream time, as its punctuation's: the largest finalization time it has seen, kept over restarts
            if (record.timestamp() + rememberMs <= context.currentStreamTimeMs()) {
                // its block may be forgotten already: counting it again would count the block twice
                counters.increment("late", NAME, WindowedStats.NETWORK);
                return;
            }
            Pending current = blocks.get(record.key());
            if (current == null || !current.released() && record.timestamp() < current.time()) {
                blocks.put(record.key(), new Pending(record.timestamp(), Block.of(record.value()), false));
            }
        }

        private void release(long streamTime) {
            List<KeyValue<String, Pending>> released = new ArrayList<>();
            List<String> forgotten = new ArrayList<>();
            try (KeyValueIterator<String, Pending> all = blocks.all()) {
                while (all.hasNext()) {
                    KeyValue<String, Pending> block = all.next();
                    if (!block.value.released() && block.value.time() + graceMs <= streamTime) {
                        released.add(block);
                    } else if (block.value.released() && block.value.time() + forgetMs <= streamTime) {
                        forgotten.add(block.key);
                    }
                }
            }
            // in time order, not the store's: a later window's block first would advance the network stages' stream
            // time past an earlier window, and which blocks share a release depends on arrival order
            released.sort(Comparator.<KeyValue<String, Pending>>comparingLong(b -> b.value.time()).thenComparing(b -> b.key));
            for (KeyValue<String, Pending> block : released) {
                context.forward(new Record<>(block.value.block().networkKey(), block.value.block(), block.value.time()));
                blocks.put(block.key, block.value.release());
            }
            forgotten.forEach(blocks::delete);
        }
    }
}
