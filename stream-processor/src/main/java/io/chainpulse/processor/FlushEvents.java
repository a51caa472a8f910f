package io.chainpulse.processor;

import io.chainpulse.schema.EventStatus;
import io.chainpulse.schema.EventType;
import io.chainpulse.schema.NodeResourceSample;
import io.chainpulse.schema.ProtocolEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/**
 * Synthetic events that move every part of the topology's stream time past the end of a finite input, so that a
 * batch run ({@link AnalyzeJob}, tests) gets the final result of every real window. A live stream needs none: new
 * events do this. They come from the nodes {@value #NODE} and {@value #PEER}, at least one network grace period after
 * the last real event, and exercise every KPI; their own windows start at or after {@link #firstWindowStartMs} and
 * are not results.
 */
public final class FlushEvents {
    public static final String NODE = "~flush";
    public static final String PEER = "~flush-peer";
    private final long firstMs;
    private final long gapMs;

    /**
     * @param lastEventMs event time of the last real event
     */
    public FlushEvents(long lastEventMs, ProcessorConfig config, KpiContext ctx) {
        long size = config.windowSize().toMillis();
        long networkGrace = WindowedStats.networkGrace(ctx).toMillis();
        long gap = size + networkGrace + config.grace().toMillis() + 1_000;
        this.gapMs = Math.floorDiv(gap + size - 1, size) * size; // whole windows: flush windows start at firstMs
        this.firstMs = (Math.floorDiv(lastEventMs, size) + 1) * size + gapMs;
    }

    /** Start of the first window that holds flush events: KPI windows from here on are not results. */
    public long firstWindowStartMs() {
        return firstMs;
    }

    public static boolean isFlushNode(String node) {
        return NODE.equals(node) || PEER.equals(node);
    }

    /** Three rounds, each a full block and transaction lifecycle, one gap apart. */
    public List<ProtocolEvent> events() {
        List<ProtocolEvent> out = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            out.addAll(round(round));
        }
        return out;
    }

    public static final int ROUNDS = 3;

    /**
     * The resource sample of {@value #NODE} of one round, at the round's time: it moves the resource KPIs' stream time
     * the way {@link #round} moves the events'. Send each round's sample with its events (a batch run shares one
     * task's stream time between the two, so a later round of one would make the other's earlier round late).
     */
    public NodeResourceSample sample(int round) {
        return NodeResourceSample.newBuilder().setNodeId(NODE).setTimestampNs((firstMs + round * gapMs) * 1_000_000L)
                .setCpuPercent(0).setProcessCpuPercent(0).setHeapUsedBytes(0).setRssBytes(0).setDiskReadBytes(0)
                .setDiskWriteBytes(0).setNetRxBytes(0).setNetTxBytes(0).setOpenFds(0).setMempoolSize(0).build();
    }

    /**
     * One round. Round 0 closes every node window of the real input; rounds 1 and 2 close the network windows. With
     * several partitions, send round 0 first and wait for the node results: partitions processed at different
     * speeds would otherwise let the network stage close a window before a slow partition's node result arrives.
     */
    public List<ProtocolEvent> round(int round) {
        List<ProtocolEvent> out = new ArrayList<>();
        {
            long t = firstMs + round * gapMs;
            long h = 1_000_000_000L + 2L * round;
            String hash = "~flush-" + round;
            out.add(event(NODE, EventType.transaction_ingress, t).setTxId("~tx-" + round).build());
            out.add(event(NODE, EventType.transaction_validation_complete, t + 1).setTxId("~tx-" + round)
                    .setStatus(EventStatus.success).build());
            out.add(event(NODE, EventType.block_creation_start, t + 2).setHeight(h).build());
            out.add(event(NODE, EventType.block_packing_start, t + 2).setHeight(h).build());
            out.add(event(NODE, EventType.block_execution_start, t + 3).setHeight(h).build());
            out.add(event(NODE, EventType.block_execution_complete, t + 4).setHeight(h).build());
            out.add(event(NODE, EventType.consensus_validation_start, t + 5).setHeight(h).setRound(0).build());
            out.add(event(NODE, EventType.consensus_validation_complete, t + 6).setHeight(h).setRound(0)
                    .setStatus(EventStatus.success).build());
            out.add(event(NODE, EventType.consensus_proposal, t + 5).setHeight(h).setRound(0).setBlockHash(hash).build());
            out.add(event(NODE, EventType.consensus_vote, t + 6).setHeight(h).setRound(0).setBlockHash(hash).build());
            out.add(event(PEER, EventType.consensus_vote, t + 6).setHeight(h).setRound(0).setBlockHash(hash).build());
            out.add(event(NODE, EventType.consensus_commit, t + 7).setHeight(h).setRound(0).setBlockHash(hash).build());
            out.add(event(NODE, EventType.block_propagation_start, t + 7).setBlockHash(hash).build());
            out.add(event(PEER, EventType.block_propagation_complete, t + 8).setBlockHash(hash).build());
            out.add(event(NODE, EventType.block_finalization, t + 9).setHeight(h).setBlockHash(hash).setTxCount(0)
                    .setGasUsed(0L).setSizeBytes(0L).setLeader(NODE).build());
            out.add(event(NODE, EventType.block_finalization, t + 10).setHeight(h + 1).setBlockHash(hash + "b").setTxCount(0)
                    .setGasUsed(0L).setSizeBytes(0L).setLeader(NODE).build());
        }
        return out;
    }

    private static ProtocolEvent.Builder event(String node, EventType type, long ms) {
        return ProtocolEvent.newBuilder().setEventId(node + "-" + type + "-" + ms).setEventType(type)
                .setTimestampNs(ms * 1_000_000L).setNodeId(node).setMetadata(new HashMap<>());
    }
}
