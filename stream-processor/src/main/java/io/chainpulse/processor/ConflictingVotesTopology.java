package io.chainpulse.processor;

import io.chainpulse.schema.Chains;
import io.chainpulse.schema.EventType;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.catalog.Kpi;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * {@code conflicting_votes} (node): a node's {@code consensus_vote} events whose {@code block_hash} differs from the
 * hash of the leader's {@code consensus_proposal} of the same chain, height and round, counted in the window of the
 * vote. An honest validator votes for the proposal it answers or not at all, so one such vote is proof of
 * equivocation (a byzantine or misconfigured validator, a key signing on two machines).
 *
 * <pre>{@code
 * SELECT vote.node, COUNT(vote.block_hash <> proposal.block_hash) FROM consensus_vote vote
 *   JOIN consensus_proposal proposal ON (chain, height, round) GROUP BY vote.node, TUMBLE(vote.timestamp, 10 s)
 * }</pre>
 *
 * <p>Input: {@link ConsensusEvents} (one task). Every vote paired with its proposal is one sample, 1 when its hash
 * differs and 0 when it agrees, so a voting node has a window of 0 when all its votes agree; a rate KPI: the window's
 * {@code count} is the conflicting votes, {@code rate_per_s} that ÷ window seconds. A vote may arrive before its
 * proposal and waits for it; a vote whose proposal does not come within the pairing timeout, and a vote or proposal
 * without a hash, is not judged. A second proposal of a height and round is a duplicate: the first one stays the
 * reference (the leader's own equivocation is not this KPI's). Late events are the window stage's, as for every KPI.
 */
public final class ConflictingVotesTopology {
    public static final String METRIC = Kpi.CONFLICTING_VOTES.metric();
    private static final String STORE = METRIC + "-proposals";
    /** How often stream time forgets heights and rounds untouched for the pairing timeout. */
    private static final Duration EVICT_EVERY = Duration.ofSeconds(1);
    /** At most this many votes wait for one proposal (a network's validators, with room). */
    private static final int MAX_WAITING = 256;

    private ConflictingVotesTopology() {}

    /** @param consensus the events of {@link ConsensusEvents#byNetwork}, all in one partition */
    public static void build(StreamsBuilder builder, KStream<String, ProtocolEvent> consensus, KpiContext ctx) {
        builder.addStateStore(WriteBackStore.builder(STORE, Serdes.String(), Serdes.ByteArray(), ctx.config()));
        KStream<String, Sample> votes = consensus.process(() -> new Judge(ctx), Named.as(METRIC + "-judge"), STORE);
        // every voter's samples come out of the one task that holds all consensus events: its node windows live there
        WindowedStats.oneScope(votes, METRIC, KpiScope.node, WindowedStats.Kind.RATE, ctx);
    }

    /** (chain, height, round) → the proposal's hash and the votes waiting for it; each vote judged once. */
    private static final class Judge implements Processor<String, ProtocolEvent, String, Sample> {
        private final long timeoutMs;
        private final ProcessorCounters counters;
        private ProcessorContext<String, Sample> context;
        private KeyValueStore<String, byte[]> store;

        Judge(KpiContext ctx) {
            this.timeoutMs = ctx.config().pairingTimeout().toMillis();
            this.counters = ctx.counters();
        }

        @Override
        public void init(ProcessorContext<String, Sample> context) {
            this.context = context;
            this.store = context.getStateStore(STORE);
            context.schedule(EVICT_EVERY, PunctuationType.STREAM_TIME, this::evict);
        }

        @Override
        public void process(Record<String, ProtocolEvent> record) {
            ProtocolEvent e = record.value();
            boolean proposal = e.getEventType() == EventType.consensus_proposal;
            if (!proposal && e.getEventType() != EventType.consensus_vote || e.getBlockHash() == null) {
                return;
            }
            String chain = Chains.chainOf(record.key());
            String key = Chains.scoped(chain, e.getHeight() + "|" + (e.getRound() == null ? "" : e.getRound()));
            byte[] stored = store.get(key);
            Round round = stored == null ? Round.NEW : Round.decode(stored);
            long seen = Math.max(round.lastSeenMs, record.timestamp());
            String node = Chains.scoped(chain, e.getNodeId());
            if (proposal) {
                if (round.proposalHash != null) {
                    counters.increment("duplicate", METRIC, node);
                    return;
                }
                for (Vote waiting : round.waiting) {
                    judge(waiting, e.getBlockHash());
                }
                store.put(key, new Round(e.getBlockHash(), seen, List.of()).encode());
                return;
            }
            Vote vote = new Vote(node, e.getBlockHash(), record.timestamp());
            if (round.proposalHash != null) {
                judge(vote, round.proposalHash);
                store.put(key, new Round(round.proposalHash, seen, List.of()).encode());
            } else if (round.waiting.size() < MAX_WAITING) {
                List<Vote> waiting = new ArrayList<>(round.waiting);
                waiting.add(vote);
                store.put(key, new Round(null, seen, waiting).encode());
            }
        }

        private void judge(Vote vote, String proposalHash) {
            double conflicting = vote.hash.equals(proposalHash) ? 0 : 1;
            context.forward(new Record<>(vote.node, Sample.of(vote.node, conflicting), vote.timestampMs));
        }

        private void evict(long streamTime) {
            List<KeyValue<String, Round>> expired = new ArrayList<>();
            try (KeyValueIterator<String, byte[]> all = store.all()) {
                while (all.hasNext()) {
                    KeyValue<String, byte[]> entry = all.next();
                    Round round = Round.decode(entry.value);
                    if (round.lastSeenMs < streamTime - timeoutMs) {
                        expired.add(KeyValue.pair(entry.key, round));
                    }
                }
            }
            for (KeyValue<String, Round> entry : expired) {
                for (Vote vote : entry.value.waiting) {
                    counters.increment("unpaired_complete", METRIC, vote.node);
                }
                store.delete(entry.key);
            }
        }
    }

    /** A vote waiting for its proposal: the voter within its chain, its hash, its time (ms). */
    private record Vote(String node, String hash, long timestampMs) {}

    /** One height and round: the proposal's hash (null before it), the latest event time seen, the votes waiting. */
    private record Round(String proposalHash, long lastSeenMs, List<Vote> waiting) {
        static final Round NEW = new Round(null, Long.MIN_VALUE, List.of());

        byte[] encode() {
            List<byte[]> parts = new ArrayList<>();
            parts.add(StoreStrings.bytes(proposalHash));
            int size = 4 + parts.get(0).length + 8 + 4;
            for (Vote vote : waiting) {
                byte[] node = StoreStrings.bytes(vote.node);
                byte[] hash = StoreStrings.bytes(vote.hash);
                parts.add(node);
                parts.add(hash);
                size += 4 + node.length + 4 + hash.length + 8;
            }
            ByteBuffer out = ByteBuffer.allocate(size);
            out.putInt(parts.get(0).length).put(parts.get(0)).putLong(lastSeenMs).putInt(waiting.size());
            for (int i = 0; i < waiting.size(); i++) {
                byte[] node = parts.get(1 + 2 * i);
                byte[] hash = parts.get(2 + 2 * i);
                out.putInt(node.length).put(node).putInt(hash.length).put(hash).putLong(waiting.get(i).timestampMs);
            }
            return out.array();
        }

        static Round decode(byte[] bytes) {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            String proposal = StoreStrings.read(in);
            long lastSeen = in.getLong();
            int n = in.getInt();
            List<Vote> waiting = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                waiting.add(new Vote(StoreStrings.read(in), StoreStrings.read(in), in.getLong()));
            }
            return new Round(proposal, lastSeen, waiting);
        }
    }
}
