package io.chainpulse.cli.evaluate;

import io.chainpulse.schema.catalog.Kpi;
import io.chainpulse.simulator.Fault;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * How {@code evaluate} sweeps one fault kind: its ladder of magnitudes (weakest first, the second step twice the
 * first's departure from healthy, so it is the "2× the smallest step" target), and what a right alert names — the
 * faulty node or the network, and one of the metrics the fault is about.
 *
 * <pre>{@code
 * FaultLadder slow = FaultLadder.of(Fault.Kind.SLOW_VALIDATOR);   // ×1.25, ×1.5, ×2, ×3; right: consensus or validation
 * Fault fault = slow.fault("v3", Duration.ofSeconds(150), Duration.ofSeconds(60), 1.5);
 * }</pre>
 *
 * @param magnitudes weakest first; for {@link Fault.Kind#SILENT_NODE} and {@link Fault.Kind#STOP_VOTING} the
 *                   fault's length in seconds ({@link #timed()})
 * @param node       false when the right alert is at network scope: a network-wide fault, or a node's fault that
 *                   only a network KPI shows ({@link Fault.Kind#STOP_VOTING}: {@code vote_participation_pct})
 * @param metrics    the metrics a right alert may name
 */
public record FaultLadder(Fault.Kind kind, List<Double> magnitudes, boolean node, Set<String> metrics) {

    public FaultLadder {
        magnitudes = List.copyOf(magnitudes);
        metrics = Set.copyOf(metrics);
    }

    /** The ladder of every kind the simulator has that {@code evaluate} sweeps ({@link #swept}), in its order. */
    public static List<FaultLadder> all() {
        return Arrays.stream(Fault.Kind.values()).filter(FaultLadder::swept).map(FaultLadder::of).toList();
    }

    /**
     * false for the resource faults: {@code evaluate} judges the protocol events' KPIs, and a
     * {@code cpu_saturation}'s events are exactly a {@code slow_validator}'s of the same magnitude while a
     * {@code memory_leak} changes no event — their ladders would repeat one row and miss by design.
     */
    public static boolean swept(Fault.Kind kind) {
        return kind != Fault.Kind.CPU_SATURATION && kind != Fault.Kind.MEMORY_LEAK;
    }

    /**
     * The ladder of {@code kind}. The switch has no default: a kind the simulator gains does not compile until it has
     * a ladder (or is named not {@link #swept}), so {@code evaluate} always sweeps every kind it can judge.
     */
    public static FaultLadder of(Fault.Kind kind) {
        return switch (kind) {
            // consensus and transaction validation at the node take this many times longer
            case SLOW_VALIDATOR -> new FaultLadder(kind, List.of(1.25, 1.5, 2.0, 3.0), true,
                    metrics(Kpi.CONSENSUS_LATENCY_MS, Kpi.TX_VALIDATION_MS));
            // blocks reach the node this many ms late
            case LATE_BLOCKS -> new FaultLadder(kind, List.of(100.0, 200.0, 500.0, 1500.0), true,
                    metrics(Kpi.PROPAGATION_DELAY_MS));
            // transaction arrivals fall to this fraction, network-wide: 80 %, 60 %, 40 %, 10 %; the network's gas per
            // second falls with them (fewer transactions, less gas), often first: one throughput as much as the other
            case TPS_COLLAPSE -> new FaultLadder(kind, List.of(0.8, 0.6, 0.4, 0.1), false,
                    metrics(Kpi.TPS, Kpi.TX_INGRESS_TPS, Kpi.GAS_PER_S));
            // the node sends nothing for this many seconds
            case SILENT_NODE -> new FaultLadder(kind, List.of(20.0, 40.0, 80.0, 160.0), true, Set.of("kpis"));
            // the node misses votes and forces an extra round on its blocks with this probability; every vote it
            // casts is for another block than the proposal's, which its conflicting votes count
            case BYZANTINE -> new FaultLadder(kind, List.of(0.1, 0.2, 0.4, 0.8), true,
                    metrics(Kpi.BLOCK_CREATION_MS, Kpi.CONFLICTING_VOTES));
            // the node's clock runs this many ms ahead. No KPI measures a clock; the skew shows, by exactly its
            // size, in the latencies that subtract another node's timestamp from this node's: a block's arrival here
            // (propagation delay) and this node's vote after the leader's proposal (proposal to vote). Either one
            // points at the node's clock as much as the other, so either is right
            case CLOCK_SKEW -> new FaultLadder(kind, List.of(25.0, 50.0, 100.0, 250.0), true,
                    metrics(Kpi.PROPAGATION_DELAY_MS, Kpi.PROPOSAL_TO_VOTE_MS));
            // the node's transaction and consensus validations fail with this probability: either ratio, or both
            // pooled. The ladder starts at 0.1, ten times the healthy 1 % of transactions: at 20 TPS a node
            // validates ~40 transactions and blocks a window, and below that no test within the false-alarm budget
            // sees a burst within 2 windows in every trial (README, Detection floor)
            case FAILURE_BURST -> new FaultLadder(kind, List.of(0.1, 0.2, 0.4, 0.8), true,
                    metrics(Kpi.TX_FAILURE_PCT, Kpi.CONSENSUS_FAILURE_PCT, Kpi.VALIDATION_FAILURE_PCT));
            // the node casts no vote for this many seconds; participation is a network KPI
            case STOP_VOTING -> new FaultLadder(kind, List.of(20.0, 40.0, 80.0, 160.0), false,
                    metrics(Kpi.VOTE_PARTICIPATION_PCT));
            case CPU_SATURATION, MEMORY_LEAK -> throw new IllegalArgumentException("evaluate does not sweep "
                    + kind.id() + ": it judges protocol events, which it leaves as slow_validator does or unchanged");
        };
    }

    private static Set<String> metrics(Kpi... kpis) {
        return java.util.Arrays.stream(kpis).map(Kpi::metric).collect(java.util.stream.Collectors.toSet());
    }

    /** The step twice the smallest: the magnitude the targets are stated for. */
    public double target() {
        return magnitudes.get(1);
    }

    /** {@code slow_validator}, as on the command line. */
    public String id() {
        return kind.id();
    }

    /** {@code ×1.5}, {@code +200 ms}, {@code to 60 %}, {@code 40 s}, {@code p=0.2}. */
    public String label(double magnitude) {
        return switch (kind) {
            case SLOW_VALIDATOR, CPU_SATURATION -> "×" + number(magnitude);
            case MEMORY_LEAK -> number(magnitude) + " MiB/min";
            case LATE_BLOCKS, CLOCK_SKEW -> "+" + number(magnitude) + " ms";
            case TPS_COLLAPSE -> "to " + Math.round(magnitude * 100) + " %";
            case SILENT_NODE, STOP_VOTING -> number(magnitude) + " s";
            case BYZANTINE, FAILURE_BURST -> "p=" + number(magnitude);
        };
    }

    /** true when the magnitude is how long the fault lasts, in seconds (a silence, a stop of votes). */
    public boolean timed() {
        return kind == Fault.Kind.SILENT_NODE || kind == Fault.Kind.STOP_VOTING;
    }

    /** How long the fault lasts: the magnitude for a {@link #timed()} kind, {@code duration} otherwise. */
    public Duration duration(double magnitude, Duration duration) {
        return timed() ? Duration.ofMillis(Math.round(magnitude * 1000)) : duration;
    }

    /** The simulator fault: at {@code node} (ignored for a network-wide kind) from {@code onset} for its duration. */
    public Fault fault(String node, Duration onset, Duration duration, double magnitude) {
        return new Fault(kind, kind == Fault.Kind.TPS_COLLAPSE ? null : node, onset,
                onset.plus(duration(magnitude, duration)), timed() ? 0 : magnitude);
    }

    static String number(double value) {
        return value == Math.rint(value) ? String.format(Locale.ROOT, "%.0f", value)
                : String.format(Locale.ROOT, "%s", Double.toString(value).replaceAll("0+$", ""));
    }
}
