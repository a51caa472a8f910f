package io.chainpulse.simulator;

import java.time.Duration;
import java.util.Locale;

/**
 * A fault scheduled in a scenario, active from {@code start} (inclusive) to {@code end} (exclusive), measured from
 * the start of the simulation. What {@code magnitude} means depends on the kind.
 *
 * @param node the node affected; null for network-wide faults ({@link Kind#TPS_COLLAPSE})
 */
public record Fault(Kind kind, String node, Duration start, Duration end, double magnitude) {

    public enum Kind {
        /** Consensus and transaction validation at {@code node} take {@code magnitude} times longer (e.g. 3). */
        SLOW_VALIDATOR,
        /** Blocks reach {@code node} {@code magnitude} ms later than usual: a partition or a bad link. */
        LATE_BLOCKS,
        /** Transaction arrivals drop to {@code magnitude} times the normal rate (e.g. 0.1), network-wide. */
        TPS_COLLAPSE,
        /** {@code node} emits nothing (crashed, or its monitoring died). */
        SILENT_NODE,
        /**
         * {@code node} misses votes with probability {@code magnitude}, votes conflicting otherwise, and forces an
         * extra round on a block it leads with probability {@code magnitude} (e.g. 0.5).
         */
        BYZANTINE,
        /** {@code node}'s clock runs {@code magnitude} ms ahead (negative: behind). */
        CLOCK_SKEW,
        /**
         * {@code node}'s transaction and consensus validations fail with probability {@code magnitude} in [0, 1]
         * (e.g. 0.3): a bad upgrade or a corrupt state. A failed transaction is not enqueued; a failed consensus
         * validation is reported as such, and the node still votes.
         */
        FAILURE_BURST,
        /**

         * {@code node} emits no {@code consensus_vote} (a validator whose signer stopped), but still validates,
         * commits and finalizes; {@code magnitude} is not used. The commit quorum does not depend on it, so only
         * the votes are missing.
         */
        STOP_VOTING,
        /**
         * {@code node}'s CPU is saturated: its machine CPU runs at 95–100 % of all cores (the node's process taking
         * what the rest leaves), so consensus and transaction validation there take {@code magnitude} times longer
         * (at least 1, e.g. 3) — a CPU-bound validator, as its resource samples show.
         */
        CPU_SATURATION,
        /**
         * {@code node}'s process leaks {@code magnitude} MiB per minute (above 0, e.g. 200) from the fault's start:
         * its heap in use and RSS grow steadily by that much, its machine's available memory shrinks by it; when the
         * fault ends the memory is back (the node restarted). Protocol events are unchanged.
         */
        MEMORY_LEAK;

        /** The name used in scenario files and on the command line, e.g. {@code slow_validator}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Fault {
        if (end.compareTo(start) <= 0) {
            throw new IllegalArgumentException("fault " + kind.id() + " must end after it starts: start " + start
                    + ", end " + end);
        }
        if (kind != Kind.TPS_COLLAPSE && node == null) {
            throw new IllegalArgumentException("fault " + kind.id() + " needs a node");
        }
        if (kind == Kind.CPU_SATURATION && !(magnitude >= 1)) {
            throw new IllegalArgumentException("fault " + kind.id() + " magnitude must be a slowdown of at least 1: "
                    + magnitude);
        }
        if (kind == Kind.MEMORY_LEAK && !(magnitude > 0)) {
            throw new IllegalArgumentException("fault " + kind.id() + " magnitude must be MiB per minute above 0: "
                    + magnitude);
        }
        if (kind == Kind.FAILURE_BURST && !(magnitude >= 0 && magnitude <= 1)) {
            throw new IllegalArgumentException("fault " + kind.id() + " magnitude must be a probability in [0, 1]: "
                    + magnitude);
        }
    }

    boolean activeAt(long simMillis) {
        return simMillis >= start.toMillis() && simMillis < end.toMillis();
    }

    boolean hits(String candidate, long simMillis) {
        return activeAt(simMillis) && (node == null || node.equals(candidate));
    }
}
