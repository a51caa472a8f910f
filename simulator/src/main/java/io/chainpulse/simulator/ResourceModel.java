package io.chainpulse.simulator;

import io.chainpulse.schema.NodeResourceSample;
import java.util.SplittableRandom;

/**
 * The resource samples of simulated validators: sample {@code k} of a node is taken at {@code k} ×
 * {@link NetworkSimulator#RESOURCE_INTERVAL} and describes the interval that ends there.
 *
 * <p>Values follow the scenario's load — every transaction is gossiped to, executed and stored by every validator,
 * each validator validates the transactions it ingests, votes go to every peer — times noise from a random stream of
 * the node and sample's own. Faults, looked up in the middle of the interval, only scale what was drawn, so a fault
 * changes exactly the samples and fields it touches:
 * <ul>
 *   <li>{@code slow_validator}: process (and so machine) CPU × magnitude, capped at {@value #CORES} cores;</li>
 *   <li>{@code late_blocks}: bytes received × block interval / (block interval + delay): a bad link;</li>
 *   <li>{@code tps_collapse}: the load × magnitude — CPU, disk, network and a mempool that shrinks with the
 *       arrivals;</li>
 *   <li>{@code silent_node}: no sample while it lasts (at the sample's time, as for events);</li>
 *   <li>{@code clock_skew}: the timestamp moves by the skew, as for events;</li>
 *   <li>{@code byzantine}: nothing — misbehaving costs no resources.</li>
 * </ul>
 */
final class ResourceModel {
    static final int CORES = 4;
    private static final double IDLE_CPU_PERCENT = 4.0;
    /** Process CPU per network-wide transaction per second: executing every block's transactions. */
    private static final double CPU_PER_TPS = 0.02;
    /** Process CPU per transaction per second the node ingests and validates itself. */
    private static final double CPU_PER_OWN_TPS = 0.06;
    /** Mean transaction size, as in the events (120 + tx % 400 bytes). */
    private static final long TX_BYTES = 320;
    private static final long VOTE_BYTES = 256;
    private static final long BLOCK_OVERHEAD_BYTES = 4_096;
    private static final long BASE_HEAP_BYTES = 512L << 20;
    private static final long HEAP_PER_POOLED_TX = 2_048;
    private static final long RSS_OVERHEAD_BYTES = 96L << 20;
    private static final int BASE_OPEN_FDS = 64;
    /** "resource" in ASCII: keeps the samples' streams apart from the blocks' and transactions'. */
    private static final long STREAM_SALT = 0x7265736F75726365L;

    private final Scenario scenario;
    private final String[] nodes;
    private final long startEpochMs;
    private final long intervalMs = NetworkSimulator.RESOURCE_INTERVAL.toMillis();

    ResourceModel(Scenario scenario, String[] nodes, long startEpochMs) {
        this.scenario = scenario;
        this.nodes = nodes;
        this.startEpochMs = startEpochMs;
    }

    /** Samples per node over the scenario's duration. */
    long samplesPerNode() {
        return scenario.duration().toMillis() / intervalMs;
    }

    /** Simulated time, ms, sample {@code k} is taken at. */
    long sampleTimeMs(long k) {
        return k * intervalMs;
    }

    /** Sample {@code k} (from 1) of validator {@code node}, or null when the node is silent then. */
    NodeResourceSample sample(int node, long k) {
        // every draw first, in a fixed order: faults must never shift a stream
        SplittableRandom random = new SplittableRandom(NetworkSimulator.mix(scenario.seed() ^ STREAM_SALT,
                ((long) node << 32) | k));
        double cpuNoise = NetworkSimulator.logNormal(random, 1.0, 0.08);
        double otherCpu = 2.0 + 3.0 * random.nextDouble();
        double heapNoise = NetworkSimulator.logNormal(random, 1.0, 0.05);
        double writeNoise = NetworkSimulator.logNormal(random, 1.0, 0.15);
        double readNoise = NetworkSimulator.logNormal(random, 1.0, 0.3);
        double rxNoise = NetworkSimulator.logNormal(random, 1.0, 0.1);
        double txNoise = NetworkSimulator.logNormal(random, 1.0, 0.1);
        double poolNoise = NetworkSimulator.logNormal(random, 1.0, 0.15);
        int extraFds = random.nextInt(8);

        String name = nodes[node];
        long atMs = sampleTimeMs(k);
        if (silent(name, atMs)) {
            return null;
        }
        long midMs = atMs - intervalMs / 2;
        double tps = scenario.tps() * scenario.faultMagnitude(Fault.Kind.TPS_COLLAPSE, null, midMs, 1.0);
        double ownTps = tps / nodes.length;
        double seconds = intervalMs / 1000.0;
        double blockMs = scenario.blockInterval().toMillis();
        double blocks = intervalMs / blockMs;
        int peers = nodes.length - 1;
        double slow = scenario.faultMagnitude(Fault.Kind.SLOW_VALIDATOR, name, midMs, 1.0);
        double link = blockMs / (blockMs + scenario.faultMagnitude(Fault.Kind.LATE_BLOCKS, name, midMs, 0));
        double skewMs = scenario.faultMagnitude(Fault.Kind.CLOCK_SKEW, name, atMs, 0);

        double cap = 100.0 * CORES;
        double processCpu = Math.min(cap, (IDLE_CPU_PERCENT + CPU_PER_TPS * tps + CPU_PER_OWN_TPS * ownTps) * cpuNoise * slow);
        int mempool = (int) Math.round(tps * blockMs / 1000.0 * poolNoise);
        long heap = (long) (BASE_HEAP_BYTES * heapNoise) + HEAP_PER_POOLED_TX * mempool;
        double txBytes = tps * seconds * TX_BYTES;
        double ownTxBytes = ownTps * seconds * TX_BYTES;
        return NodeResourceSample.newBuilder()
                .setNodeId(name)
                .setChainId(scenario.chainId())
                .setTimestampNs(startEpochMs * 1_000_000L + atMs * 1_000_000L + (long) (skewMs * 1_000_000L))
                .setCpuPercent(Math.min(cap, processCpu + otherCpu))
                .setProcessCpuPercent(processCpu)
                .setHeapUsedBytes(heap)
                .setRssBytes(heap + heap / 4 + RSS_OVERHEAD_BYTES)
                // blocks and state written, the blocks' transactions read back for state
                .setDiskWriteBytes((long) ((2 * txBytes + blocks * BLOCK_OVERHEAD_BYTES) * writeNoise))
                .setDiskReadBytes((long) ((txBytes / 4 + 64 * 1024) * readNoise))
                // gossiped transactions and block bodies in, every peer's votes in
                .setNetRxBytes((long) ((2 * txBytes + blocks * peers * VOTE_BYTES) * rxNoise * link))
                // own transactions and own votes out to every peer
                .setNetTxBytes((long) ((ownTxBytes + blocks * VOTE_BYTES) * peers * txNoise))
                .setOpenFds(BASE_OPEN_FDS + 2 * peers + extraFds)
                .setMempoolSize(mempool)
                .build();
    }

    private boolean silent(String node, long simMs) {
        for (Fault fault : scenario.faults()) {
            if (fault.kind() == Fault.Kind.SILENT_NODE && fault.hits(node, simMs)) {
                return true;
            }
        }
        return false;
    }
}
