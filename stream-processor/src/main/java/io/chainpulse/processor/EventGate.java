package io.chainpulse.processor;

import org.apache.kafka.streams.kstream.Produced;
import io.chainpulse.schema.Chains;
import io.chainpulse.schema.DeadLetters;
import io.chainpulse.schema.NodeIds;
import io.chainpulse.schema.ProtocolEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * The first stage after the input: decides, from the event itself, what becomes of each record — one bad record
 * never reaches anyone else's KPIs.
 *
 * <pre>{@code
 * events ─▶ gate ─┬─ no value, node_id breaking NodeIds ────────────────▶ chainpulse.dead-letters
 *                 ├─ future, late, node beyond max.nodes ───────────────▶ chainpulse.late-events (reason header)
 *                 ├─ key ≠ node_id, or not in its node's partition ─▶ events-by-node repartition ─┐
 *                 └─ on time, keyed by its node ─────────────────────────────────────────────────┴─▶ KPI topologies
 * }</pre>
 * Past the gate an event is keyed by its node <em>within its chain</em> ({@link Chains#scoped}: the node id on the
 * default chain, {@code chain/node} on another), so every window, pair and counter downstream keeps chains apart
 * while the partitioning stays by node id (no repartition: the same node id of two chains shares a task).
 * <ul>
 *   <li><b>The event decides the key.</b> Same-node pairs and node windows need all of a node's events in one task,
 *   keyed by {@code node_id}; a producer may send no key, another string, or bytes (read as a string, never an
 *   error). Those records, and records in another partition than the default partitioner gives their node (a
 *   producer with another partitioner), go through the named repartition topic {@code …-events-by-node-repartition}
 *   keyed by node id; records already where they belong go straight on, costing a string comparison.</li>
 *   <li><b>Future events</b> got the partition's time from {@link EventTimestampExtractor}; they go to the late topic
 *   with a reason starting {@code future} and are counted {@code future|events|node}.</li>
 *   <li><b>Late events</b> (their window closed: window end + grace at or before stream time) go to the late topic
 *   with a reason starting {@code late}, counted {@code late|events|node}.</li>
 *   <li><b>Node ids</b> are checked once per node ({@link NodeIds}): an invalid one goes to
 *   {@value DeadLetters#TOPIC} with {@link DeadLetters} headers (source topic, partition, offset, service
 *   {@value #SERVICE}, the rule broken as reason), counted {@code invalid_node_id|events|*}. A valid node beyond
 *   {@code max.nodes} of its chain ({@link NodeRegistry}) goes to the late topic with a reason starting
 *   {@code max.nodes}, counted {@code max_nodes|events|chain}.</li>
 * </ul>
 * The synthetic {@link FlushEvents} of a batch run are recognised by their node ids and only checked for time.
 */
final class EventGate {
    static final String SERVICE = "processor";

    private EventGate() {}

    enum Verdict { ON_TIME, REKEY, SET_ASIDE, DEAD }

    /** A record and what becomes of it. Lives between the gate and the split only: no serde needed. */
    record Gated(ProtocolEvent event, Verdict verdict) {}

    /** The on-time events keyed by node within their chain, in the partition of their node id. */
    static KStream<String, ProtocolEvent> gate(KStream<String, ProtocolEvent> events, KpiContext ctx) {
        Map<String, KStream<String, Gated>> branches = events
                .process(() -> new Gate(ctx), Named.as("event-gate"))
                .split(Named.as("event-split-"))
                .branch((key, gated) -> gated.verdict() == Verdict.ON_TIME, Branched.as("on-time"))
                .branch((key, gated) -> gated.verdict() == Verdict.REKEY, Branched.as("rekey"))
                .branch((key, gated) -> gated.verdict() == Verdict.SET_ASIDE, Branched.as("set-aside"))
                .defaultBranch(Branched.as("dead"));
        branches.get("event-split-set-aside").mapValues(Gated::event, Named.as("set-aside-unwrap"))
                .to(ctx.late().name(), Produced.with(ctx.late().keySerde(), ctx.late().valueSerde()));
        branches.get("event-split-dead").mapValues(Gated::event, Named.as("dead-unwrap"))
                .to(ctx.deadLetters().name(),
                        Produced.with(ctx.deadLetters().keySerde(), ctx.deadLetters().valueSerde()));
        Repartitioned<String, ProtocolEvent> byNode = Repartitioned.<String, ProtocolEvent>as("events-by-node")
                .withKeySerde(ctx.events().keySerde()).withValueSerde(ctx.events().valueSerde());
        KStream<String, ProtocolEvent> rekeyed = branches.get("event-split-rekey")
                .map((key, gated) -> org.apache.kafka.streams.KeyValue.pair(gated.event().getNodeId(), gated.event()),
                        Named.as("rekey-by-node"))
                .repartition(ctx.inputPartitions() > 0 ? byNode.withNumberOfPartitions(ctx.inputPartitions()) : byNode)
                .map((node, e) -> org.apache.kafka.streams.KeyValue.pair(Chains.scoped(e.getChainId(), node), e),
                        Named.as("rekeyed-in-chain"));
        return branches.get("event-split-on-time").mapValues(Gated::event, Named.as("on-time-unwrap"))
                .merge(rekeyed, Named.as("events-keyed-by-node"));
    }

    private static final class Gate implements Processor<String, ProtocolEvent, String, Gated> {
        private final long size;
        private final long grace;
        private final long maxFutureSkew;
        private final ProcessorCounters counters;
        private final NodeRegistry nodes;
        private final KpiContext ctx;
        private ProcessorContext<String, Gated> context;

        Gate(KpiContext ctx) {
            this.ctx = ctx;
            this.size = ctx.windowSize().toMillis();
            this.grace = ctx.grace().toMillis();
            this.maxFutureSkew = ctx.config().maxFutureSkew().toMillis();
            this.counters = ctx.counters();
            this.nodes = ctx.nodes();
        }

        @Override
        public void init(ProcessorContext<String, Gated> context) {
            this.context = context;
        }

        @Override
        public void process(Record<String, ProtocolEvent> record) {
            ProtocolEvent event = record.value();
            if (event == null) {
                dead(record, "the record has no value (a tombstone): not a ProtocolEvent");
                return;
            }
            String node = event.getNodeId();
            long eventMs = Math.floorDiv(event.getTimestampNs(), 1_000_000L);
            NodeRegistry.Node held = null;
            boolean flush = FlushEvents.isFlushNode(node);
            if (!flush) {
                held = nodes.known(event.getChainId(), node, eventMs);
                if (held == null) {
                    Optional<String> problem = NodeIds.problem(node);
                    if (problem.isPresent()) {
                        counters.increment("invalid_node_id", "events", "*");
                        dead(record, problem.get());
                        return;
                    }
                    held = nodes.admit(event.getChainId(), node, eventMs);
                    if (held == null) {
                        String chain = event.getChainId() == null ? NodeRegistry.DEFAULT_CHAIN : event.getChainId();
                        boolean chainHeld = nodes.size(event.getChainId()) > 0;
                        counters.increment("max_nodes", "events", chainHeld ? chain : "*");
                        setAside(record, chainHeld
                                ? "max.nodes: chain '" + chain + "' already has " + ctx.config().maxNodes()
                                        + " nodes; node '" + node + "' is not counted until one is forgotten"
                                : "max.nodes: already " + NodeRegistry.MAX_CHAINS + " chains; chain '" + chain
                                        + "' of node '" + node + "' is not counted");
                        return;
                    }
                }
            }
            long ts = record.timestamp();
            if (ts != eventMs) {
                counters.increment(eventMs > ts ? "future" : "late", "events", node);
                setAside(record, eventMs > ts
                        ? "future: event time " + Instant.ofEpochMilli(eventMs) + " is more than " + maxFutureSkew
                                + " ms (max.future.skew.ms) ahead of the reference clock; stream time not advanced"
                        : "late: event time " + eventMs + " ms is before the epoch");
                return;
            }
            long windowEnd = Math.floorDiv(ts, size) * size + size;
            long streamTime = context.currentStreamTimeMs();
            if (windowEnd + grace <= streamTime) {
                counters.increment("late", "events", node);
                setAside(record, "late: event time " + Instant.ofEpochMilli(ts) + " is " + (streamTime - ts)
                        + " ms behind stream time " + Instant.ofEpochMilli(streamTime) + "; its window closed at "
                        + Instant.ofEpochMilli(windowEnd + grace) + " (grace " + grace + " ms)");
                return;
            }
            if (!flush && (!node.equals(record.key()) || held.partition >= 0 && held.partition != partition())) {
                context.forward(record.withValue(new Gated(event, Verdict.REKEY)));
            } else {
                // on the default chain the node's key is its id: the record (and its key) go on unchanged
                context.forward(new Record<>(flush ? record.key() : held.key, new Gated(event, Verdict.ON_TIME),
                        record.timestamp(), record.headers()));
            }
        }

        private int partition() {
            return context.recordMetadata().map(RecordMetadata::partition).orElse(-1);
        }

        private void setAside(Record<String, ProtocolEvent> record, String reason) {
            record.headers().add(LateEvents.REASON_HEADER, reason.getBytes(StandardCharsets.UTF_8));
            context.forward(record.withValue(new Gated(record.value(), Verdict.SET_ASIDE)));
        }

        private void dead(Record<String, ProtocolEvent> record, String reason) {
            Optional<RecordMetadata> source = context.recordMetadata();
            for (Header h : DeadLetters.headers(source.map(RecordMetadata::topic).orElse(""),
                    source.map(RecordMetadata::partition).orElse(-1), source.map(RecordMetadata::offset).orElse(-1L),
                    SERVICE, reason)) {
                record.headers().add(h);
            }
            context.forward(record.withValue(new Gated(record.value(), Verdict.DEAD)));
        }
    }
}
