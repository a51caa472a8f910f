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
 *   <li>{@code byzantine}: nothing — misbehaving costs no resources;</li>
 *   <li>{@code cpu_saturation}: machine CPU at 95–100 % of all {@value #CORES} cores (the level drawn from a stream
 *       of its own), the process taking what the rest leaves;</li>
 *   <li>{@code memory_leak}: heap and RSS + magnitude MiB per minute since the fault began (at the sample's time),
 *       machine memory available − as much.</li>
 * </ul>
 * Every sample carries its machine's {@value #CORES} cores, the process's open-files limit
 * ({@value #OPEN_FDS_LIMIT}) and its machine's memory: {@value #MACHINE_MEMORY_BYTES} bytes, of which the RSS and
 * {@value #OTHER_MEMORY_BYTES} bytes for the rest are used.
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
    /** The node process's soft limit of open files: the common default. */
    static final long OPEN_FDS_LIMIT = 1_024;
    /** "resource" in ASCII: keeps the samples' streams apart from the blocks' and transactions'. */
    private static final long STREAM_SALT = 0x7265736F75726365L;
    /**
     * "cpu-satu" in ASCII: the saturated CPU's level comes from a stream of its own, so the samples' streams stay
     * exactly as they were.
     */
    private static final long SATURATION_SALT = 0x6370752D73617475L;
    /** A saturated machine's CPU: at least this share of all its cores, up to all of them. */
    static final double SATURATED_SHARE = 0.95;
    /** Memory of each simulated validator's machine. */
    static final long MACHINE_MEMORY_BYTES = 16L << 30;
    /** Machine memory in use besides the node process (the system, other processes). */
    static final long OTHER_MEMORY_BYTES = 1L << 30;
    private static final long MIB = 1L << 20;

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
        double machineCpu = Math.min(cap, processCpu + otherCpu);
        if (scenario.faultMagnitude(Fault.Kind.CPU_SATURATION, name, midMs, 0) > 0) {
            SplittableRandom saturation = new SplittableRandom(NetworkSimulator.mix(scenario.seed() ^ SATURATION_SALT,
                    ((long) node << 32) | k));
            machineCpu = cap * (SATURATED_SHARE + (1 - SATURATED_SHARE) * saturation.nextDouble());
            processCpu = Math.max(processCpu, machineCpu - otherCpu);
        }
        int mempool = (int) Math.round(tps * blockMs / 1000.0 * poolNoise);
        long leaked = leakedBytes(name, atMs);
        long heap = (long) (BASE_HEAP_BYTES * heapNoise) + HEAP_PER_POOLED_TX * mempool;
        long rss = heap + heap / 4 + RSS_OVERHEAD_BYTES + leaked;
        long memoryUsed = Math.min(MACHINE_MEMORY_BYTES, rss + OTHER_MEMORY_BYTES);
        double txBytes = tps * seconds * TX_BYTES;
        double ownTxBytes = ownTps * seconds * TX_BYTES;
        return NodeResourceSample.newBuilder()
                .setNodeId(name)
                .setChainId(scenario.chainId())
                .setTimestampNs(startEpochMs * 1_000_000L + atMs * 1_000_000L + (long) (skewMs * 1_000_000L))
                .setCpuPercent(machineCpu)
                .setProcessCpuPercent(processCpu)
                .setHeapUsedBytes(heap + leaked)
                .setRssBytes(rss)
                .setSystemMemoryUsedBytes(memoryUsed)
                .setSystemMemoryAvailableBytes(MACHINE_MEMORY_BYTES - memoryUsed)
                // blocks and state written, the blocks' transactions read back for state
                .setDiskWriteBytes((long) ((2 * txBytes + blocks * BLOCK_OVERHEAD_BYTES) * writeNoise))
                .setDiskReadBytes((long) ((txBytes / 4 + 64 * 1024) * readNoise))
                // gossiped transactions and block bodies in, every peer's votes in
                .setNetRxBytes((long) ((2 * txBytes + blocks * peers * VOTE_BYTES) * rxNoise * link))
                // own transactions and own votes out to every peer
                .setNetTxBytes((long) ((ownTxBytes + blocks * VOTE_BYTES) * peers * txNoise))
                .setOpenFds(BASE_OPEN_FDS + 2 * peers + extraFds)
                .setMempoolSize(mempool)
                .setCpuCores(CORES)
                .setOpenFdsLimit(OPEN_FDS_LIMIT)
                .build();
    }

    /**
     * What a {@code memory_leak} at {@code node} has leaked by {@code simMs}: its magnitude in MiB per minute times
     * the minutes since it started; 0 outside the fault.
     */
    long leakedBytes(String node, long simMs) {
        for (Fault fault : scenario.faults()) {
            if (fault.kind() == Fault.Kind.MEMORY_LEAK && fault.hits(node, simMs)) {
                return (long) (fault.magnitude() * MIB * (simMs - fault.start().toMillis()) / 60_000.0);
            }
        }
        return 0;
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
