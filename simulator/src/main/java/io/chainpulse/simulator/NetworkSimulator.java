package io.chainpulse.simulator;

import io.chainpulse.schema.EventStatus;
import io.chainpulse.schema.EventType;
import io.chainpulse.schema.NodeResourceSample;
import io.chainpulse.schema.ProtocolEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Generates the protocol events of a {@link Scenario}, deterministically for its seed, in timestamp order.
 *
 * <p>Per block interval: Poisson transaction arrivals, each ingested at a random validator, validated and enqueued;
 * then a block from the round-robin leader — leader selection, creation, packing, execution, proposal — consensus
 * validation and votes at every validator, commit at a 2/3 quorum, finalization at each validator, and propagation
 * from the leader to every other validator. All 17 event types appear.
 *
 * <p>Every {@link #RESOURCE_INTERVAL} of simulated time, each validator also takes a {@link NodeResourceSample} (CPU,
 * memory, disk, network, mempool) that follows the load and reacts to the faults — a slow validator burns CPU, a
 * node behind a bad link receives less, a collapse of arrivals empties the mempools, a silent node takes none (see
 * {@code ResourceModel}). {@link #run(Consumer, Consumer)} delivers them, merged in timestamp order with the events.
 *
 * <p>Random draws do not depend on faults (each block, each transaction and each resource sample has its own random
 * stream, and faults only scale or drop what was drawn), so a faulted run differs from its baseline only in the events
 * and samples the fault touches.
 */
public final class NetworkSimulator {
    private static final double VALIDATION_MEDIAN_MS = 2.0;
    private static final double CONSENSUS_MEDIAN_MS = 40.0;
    private static final double PROPAGATION_MEDIAN_MS = 30.0;
    private static final double NETWORK_MEDIAN_MS = 5.0;
    private static final double EXTRA_ROUND_MS = 150.0;
    private static final double FAILED_TX_SHARE = 0.01;
    /** Seed salt of the per-block stream of consensus validation outcomes. */
    private static final long OUTCOME_STREAM = 0x5EEDFA11L;
    /** A block's size: this header plus its transactions' {@code size_bytes}. */
    static final long BLOCK_HEADER_BYTES = 512;
    /** Events are released once the generator is this far past them: later blocks never produce earlier events. */
    private static final long REORDER_HORIZON_MS = 10_000;
    /** Simulated time between two resource samples of a validator. */
    public static final Duration RESOURCE_INTERVAL = Duration.ofSeconds(5);

    private final Scenario scenario;
    private final long startEpochMs;
    private final String[] nodes;
    private final boolean[] byzantine;
    private final PriorityQueue<ProtocolEvent> pending = new PriorityQueue<>(
            Comparator.comparingLong(ProtocolEvent::getTimestampNs).thenComparing(ProtocolEvent::getEventId));
    private final PriorityQueue<NodeResourceSample> pendingSamples = new PriorityQueue<>(
            Comparator.comparingLong(NodeResourceSample::getTimestampNs).thenComparing(NodeResourceSample::getNodeId));
    private final ResourceModel resources;
    private final Map<String, Long> sequence = new HashMap<>();
    private long txCounter;

    public NetworkSimulator(Scenario scenario, long startEpochMs) {
        this.scenario = scenario;
        this.startEpochMs = startEpochMs;
        this.nodes = new String[scenario.validators()];
        this.byzantine = new boolean[scenario.validators()];
        int faulty = (int) Math.floor(scenario.validators() * scenario.byzantineFraction());
        for (int i = 0; i < nodes.length; i++) {
            nodes[i] = "v" + (i + 1);
            byzantine[i] = i >= nodes.length - faulty;
        }
        this.resources = new ResourceModel(scenario, nodes, startEpochMs);
    }

    /** Wall-clock time, ms since the epoch, of simulated time zero. */
    public long startEpochMs() {
        return startEpochMs;
    }

    /** Names of the simulated validators, v1 … vN. */
    public List<String> nodes() {
        return List.of(nodes);
    }

    /** Generates the events of the whole scenario into {@code sink}, in timestamp order; no resource samples. */
    public void run(Consumer<ProtocolEvent> sink) {
        run(sink, sample -> {});
    }

    /**
     * Generates the whole scenario: events into {@code events}, resource samples into {@code samples}, both in
     * timestamp order and interleaved by it (a sample is delivered before the events after its timestamp). The events
     * are exactly those of {@link #run(Consumer)}.
     */
    public void run(Consumer<ProtocolEvent> events, Consumer<NodeResourceSample> samples) {
        long interval = scenario.blockInterval().toMillis();
        long blocks = scenario.duration().toMillis() / interval;
        SplittableRandom txRandom = new SplittableRandom(scenario.seed() * 0x9E3779B97F4A7C15L + 17);
        long nextSample = 1;
        for (long h = 1; h <= blocks; h++) {
            long blockStart = h * interval;
            List<Tx> included = transactions(txRandom, blockStart - interval, blockStart);
            block(h, blockStart, included);
            for (; nextSample <= resources.samplesPerNode() && resources.sampleTimeMs(nextSample) <= blockStart; nextSample++) {
                takeSamples(nextSample);
            }
            release(events, samples, blockStart - REORDER_HORIZON_MS - maxLateMs());
        }
        for (; nextSample <= resources.samplesPerNode(); nextSample++) {
            takeSamples(nextSample);
        }
        release(events, samples, Long.MAX_VALUE);
    }

    private void takeSamples(long k) {
        for (int v = 0; v < nodes.length; v++) {
            NodeResourceSample sample = resources.sample(v, k);
            if (sample != null) {
                pendingSamples.add(sample);
            }
        }
    }

    private record Tx(String id, int node, long validatedAtMs, boolean ok, long sizeBytes) {}

    private List<Tx> transactions(SplittableRandom random, long fromMs, long toMs) {
        List<Tx> out = new ArrayList<>();
        double ratePerMs = scenario.tps() / 1000.0;
        if (ratePerMs <= 0) {
            return out;
        }
        double t = fromMs + exponential(random, ratePerMs);
        while (t < toMs) {
            long tx = txCounter++;
            int node = random.nextInt(nodes.length);
            double keep = random.nextDouble();
            double validationStart = 0.1 + random.nextDouble() * 0.4;
            double validation = logNormal(random, VALIDATION_MEDIAN_MS, 0.5);
            double failDraw = random.nextDouble();
            long arrival = (long) t;
            t += exponential(random, ratePerMs);
            if (keep >= collapseFactor(arrival)) {
                continue; // thinned out by a TPS collapse
            }
            String txId = String.format("0x%016x", mix(scenario.seed(), tx));
            String name = nodes[node];
            boolean ok = failDraw >= Math.max(FAILED_TX_SHARE, factor(Fault.Kind.FAILURE_BURST, name, arrival, 0));
            double slow = slowdown(name, arrival);
            double startMs = arrival + validationStart;
            double completeMs = startMs + validation * slow;
            long size = 120L + (tx % 400);
            emit(event(EventType.transaction_ingress, node, arrival).setTxId(txId).setSizeBytes(size));
            emit(event(EventType.transaction_validation_start, node, startMs).setTxId(txId));
            emit(event(EventType.transaction_validation_complete, node, completeMs).setTxId(txId)
                    .setDurationNs((long) ((completeMs - startMs) * 1e6))
                    .setStatus(ok ? EventStatus.success : EventStatus.failure));
            if (ok) {
                emit(event(EventType.transaction_pool_enqueued, node, completeMs + 0.1).setTxId(txId));
                out.add(new Tx(txId, node, (long) completeMs, true, size));
            }
        }
        return out;
    }

    private void block(long h, long startMs, List<Tx> txs) {
        SplittableRandom random = new SplittableRandom(mix(scenario.seed(), -h));
        int leader = (int) ((h - 1) % nodes.length);
        String hash = String.format("0x%016x%016x", mix(scenario.seed(), h), mix(h, scenario.seed()));
        int txCount = txs.size();
        long gas = 21_000L * txCount;
        long size = BLOCK_HEADER_BYTES + txs.stream().mapToLong(Tx::sizeBytes).sum();

        for (int v = 0; v < nodes.length; v++) {
            emit(event(EventType.leader_selection, v, startMs).setHeight(h).setLeader(nodes[leader]));
        }
        double creation = startMs + 1;
        emit(event(EventType.block_creation_start, leader, creation).setHeight(h));
        emit(event(EventType.block_packing_start, leader, creation + 1).setHeight(h).setTxCount(txCount));
        double execStart = creation + 5;
        double execution = (10 + 0.02 * txCount) * logNormal(random, 1.0, 0.2);
        emit(event(EventType.block_execution_start, leader, execStart).setHeight(h));
        emit(event(EventType.block_execution_complete, leader, execStart + execution).setHeight(h)
                .setTxCount(txCount).setGasUsed(gas).setSizeBytes(size).setDurationNs((long) (execution * 1e6)));

        // draw everything per validator first, so that faults never shift the random streams
        double[] network = new double[nodes.length];
        double[] consensus = new double[nodes.length];
        double[] propagation = new double[nodes.length];
        double[] voteDraw = new double[nodes.length];
        for (int v = 0; v < nodes.length; v++) {
            network[v] = logNormal(random, NETWORK_MEDIAN_MS, 0.4);
            consensus[v] = logNormal(random, CONSENSUS_MEDIAN_MS, 0.35);
            propagation[v] = logNormal(random, PROPAGATION_MEDIAN_MS, 0.4);
            voteDraw[v] = random.nextDouble();
        }
        boolean extraRound = random.nextDouble() < extraRoundProbability(leader, startMs);
        int rounds = extraRound ? 2 : 1;
        double proposal = execStart + execution + 1;
        // quorum from the undisturbed latencies: a fault at one node must not move everybody else's commit
        double[] arrival = new double[nodes.length];
        for (int v = 0; v < nodes.length; v++) {
            arrival[v] = network[v] + consensus[v];
        }
        double[] sorted = arrival.clone();
        Arrays.sort(sorted);
        double commit = proposal + (rounds - 1) * EXTRA_ROUND_MS + sorted[(2 * nodes.length) / 3] + 5;
        // consensus validation outcomes come from a stream of their own, drawn for every validator and round
        // whether a fault needs them or not: the block's stream above stays exactly as it was
        SplittableRandom outcomes = new SplittableRandom(mix(scenario.seed() ^ OUTCOME_STREAM, h));

        for (int round = 0; round < rounds; round++) {
            double roundStart = proposal + round * EXTRA_ROUND_MS;
            emit(event(EventType.consensus_proposal, leader, roundStart).setHeight(h).setRound(round)
                    .setLeader(nodes[leader]).setBlockHash(hash));
            for (int v = 0; v < nodes.length; v++) {
                String name = nodes[v];
                double slow = slowdown(name, startMs);
                double validationStart = roundStart + network[v];
                double duration = consensus[v] * slow;
                boolean validated = outcomes.nextDouble() >= factor(Fault.Kind.FAILURE_BURST, name, startMs, 0);
                emit(event(EventType.consensus_validation_start, v, validationStart).setHeight(h).setRound(round));
                emit(event(EventType.consensus_validation_complete, v, validationStart + duration).setHeight(h)
                        .setRound(round).setDurationNs((long) (duration * 1e6))
                        .setStatus(validated ? EventStatus.success : EventStatus.failure));
                boolean faulty = byzantine[v] || factor(Fault.Kind.BYZANTINE, name, startMs, 0) > 0;
                double missProbability = byzantine[v] ? 0.5 : factor(Fault.Kind.BYZANTINE, name, startMs, 0);
                if (faulty && voteDraw[v] < missProbability) {
                    continue; // missed vote
                }
                ProtocolEvent.Builder vote = event(EventType.consensus_vote, v, validationStart + duration + 0.5).setHeight(h)
                        .setRound(round).setBlockHash(hash);
                if (faulty) {
                    vote.getMetadata().put("conflicting", "true");
                    vote.setBlockHash(String.format("0x%016x", mix(h, v)));
                }
                // built before it is dropped, so the node's later event ids are those of the run without the fault
                if (!stopsVoting(name, (long) (validationStart + duration + 0.5))) {
                    emit(vote);
                }
            }
        }

        emit(event(EventType.block_propagation_start, leader, commit + 1).setHeight(h).setBlockHash(hash));
        for (int v = 0; v < nodes.length; v++) {
            double received = v == leader ? commit : commit + 1 + propagation[v] + factor(Fault.Kind.LATE_BLOCKS, nodes[v], startMs, 0);
            if (v != leader) {
                emit(event(EventType.block_propagation_complete, v, received).setHeight(h).setBlockHash(hash));
            }
            double local = Math.max(commit + network[v], received);
            emit(event(EventType.consensus_commit, v, local).setHeight(h).setRound(rounds - 1).setBlockHash(hash));
            emit(event(EventType.block_finalization, v, local + 2).setHeight(h).setBlockHash(hash).setTxCount(txCount)
                    .setGasUsed(gas).setSizeBytes(size).setLeader(nodes[leader]));
        }
    }

    /**
     * How likely a block led by {@code leader} needs a second round: 0.5 for a validator byzantine for the whole run,
     * the fault's magnitude for a {@link Fault.Kind#BYZANTINE} fault (so a stronger fault disturbs more of its blocks),
     * 0 for an honest leader. The draw is taken for every block, so faults never shift the random stream.
     */
    private double extraRoundProbability(int leader, long simMs) {
        return byzantine[leader] ? 0.5 : factor(Fault.Kind.BYZANTINE, nodes[leader], simMs, 0);
    }

    /**
     * How many times longer consensus and transaction validation take at {@code node}: a slow validator's and a
     * saturated CPU's magnitudes (1 × 1 = 1 without either, so a run without them is exactly what it was).
     */
    private double slowdown(String node, long simMs) {
        return factor(Fault.Kind.SLOW_VALIDATOR, node, simMs, 1.0) * factor(Fault.Kind.CPU_SATURATION, node, simMs, 1.0);
    }

    /** The magnitude of an active fault of {@code kind} at {@code node}, or {@code otherwise}. */
    private double factor(Fault.Kind kind, String node, long simMs, double otherwise) {
        return scenario.faultMagnitude(kind, node, simMs, otherwise);
    }

    private double collapseFactor(long simMs) {
        return factor(Fault.Kind.TPS_COLLAPSE, null, simMs, 1.0);
    }

    private long maxLateMs() {
        return (long) scenario.faults().stream().filter(f -> f.kind() == Fault.Kind.LATE_BLOCKS)
                .mapToDouble(Fault::magnitude).max().orElse(0);
    }

    private ProtocolEvent.Builder event(EventType type, int node, double simMs) {
        String name = nodes[node];
        long seq = sequence.merge(name, 1L, Long::sum);
        return ProtocolEvent.newBuilder()
                .setEventId(name + "-" + seq)
                .setEventType(type)
                .setTimestampNs(startEpochMs * 1_000_000L + (long) (simMs * 1_000_000L))
                .setNodeId(name)
                .setChainId(scenario.chainId())
                .setMetadata(new HashMap<>());
    }

    private void emit(ProtocolEvent.Builder builder) {
        ProtocolEvent event = builder.build();
        long simMs = event.getTimestampNs() / 1_000_000L - startEpochMs;
        String node = event.getNodeId();
        if (factor(Fault.Kind.SILENT_NODE, node, simMs, 0) != 0 || silent(node, simMs)) {
            return;
        }
        double skew = factor(Fault.Kind.CLOCK_SKEW, node, simMs, 0);
        if (skew != 0) {
            event.setTimestampNs(event.getTimestampNs() + (long) (skew * 1_000_000L));
        }
        pending.add(event);
    }

    private boolean stopsVoting(String node, long simMs) {
        for (Fault fault : scenario.faults()) {
            if (fault.kind() == Fault.Kind.STOP_VOTING && fault.hits(node, simMs)) {
                return true;
            }
        }
        return false;
    }

    private boolean silent(String node, long simMs) {
        for (Fault fault : scenario.faults()) {
            if (fault.kind() == Fault.Kind.SILENT_NODE && fault.hits(node, simMs)) {
                return true;
            }
        }
        return false;
    }

    private void release(Consumer<ProtocolEvent> events, Consumer<NodeResourceSample> samples, long beforeSimMs) {
        long limit = beforeSimMs == Long.MAX_VALUE ? Long.MAX_VALUE : (startEpochMs + beforeSimMs) * 1_000_000L;
        while (true) {
            ProtocolEvent event = pending.peek();
            NodeResourceSample sample = pendingSamples.peek();
            boolean eventDue = event != null && event.getTimestampNs() < limit;
            boolean sampleDue = sample != null && sample.getTimestampNs() < limit;
            if (sampleDue && (!eventDue || sample.getTimestampNs() <= event.getTimestampNs())) {
                samples.accept(pendingSamples.poll());
            } else if (eventDue) {
                events.accept(pending.poll());
            } else {
                return;
            }
        }
    }

    private static double exponential(SplittableRandom random, double ratePerMs) {
        return -Math.log(1 - random.nextDouble()) / ratePerMs;
    }

    static double logNormal(SplittableRandom random, double median, double sigma) {
        // Box-Muller: the JDK's nextGaussian is not on SplittableRandom in Java 17
        double u1 = 1 - random.nextDouble();
        double u2 = random.nextDouble();
        double gaussian = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
        return median * Math.exp(sigma * gaussian);
    }

    static long mix(long a, long b) {
        long z = a * 0x9E3779B97F4A7C15L + b;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
