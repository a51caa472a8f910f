package io.chainpulse.anomaly;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput;
import com.datadoghq.sketch.ddsketch.store.CollapsingLowestDenseStore;
import com.datadoghq.sketch.ddsketch.store.Store;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Collection;

/**
 * When a node's latency percentile above its peers' is evidence: its window's samples must lie above the peers'
 * pooled percentile more often than the peers' own do. With {@code q} the percentile compared (0.95 for a p95), count
 * the node's samples above the peers' pooled {@code q}-quantile ({@code k} of its {@code n}) and the peers' ({@code j}
 * of their {@code m}, about {@code (1 − q)·m}); the node is an outlier only when so many of the {@code k + j} samples
 * above fall to it by chance with probability below {@code alpha}: Fisher's exact test, the hypergeometric tail
 * {@code P(X ≥ k)}, {@code X ~ H(n + m, k + j, n)}. Comparing with the peers' count, not with a fixed {@code 1 − q},
 * keeps the test honest when the peers' percentile is itself an estimate from a few dozen samples.
 *
 * <p>Why: a node's p95 of eight samples (its propagation delays of one 10 s window at 1 s blocks, four nodes) is its
 * largest sample, so one late block makes it 1.5× its peers' by chance every few hours; a node whose delays all moved
 * (a clock 50 ms ahead, blocks arriving late) has most of its samples above its peers' p95. At {@code alpha = 0.01},
 * 8 samples against 22: 3 above with the peers' 1 is chance ({@code P = 0.034}), 5 above is not ({@code 0.0021}). A
 * window whose node or peers carry no sketch (records of older versions) passes, and so does a node with too few
 * samples for any count to be significant (even all of them above and none of the peers' would have
 * {@code P = 1 / C(n + m, n) ≥ alpha}: one or two blocks a node led in a window).
 *
 * <pre>{@code
 * TailGate gate = new TailGate(0.01);
 * boolean evidence = gate.significant(nodeSketch, peerSketches, 0.95);   // 5 of 8 above the peers' p95, theirs 1 of 22: true
 * }</pre>
 */
public record TailGate(double alpha) {
    public static final double DEFAULT_ALPHA = 0.01;
    /** The KPI windows' DDSketch store bound (the KPI processor's {@code Sketches.MAX_BINS}). */
    private static final int MAX_BINS = 2048;

    public TailGate {
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1): " + alpha);
        }
    }

    public static TailGate defaults() {
        return new TailGate(DEFAULT_ALPHA);
    }

    /**
     * @param node  the node's samples of the window
     * @param peers the other nodes' samples of the same window
     * @param q     the percentile compared, in (0, 1)
     * @return false only when the node has samples enough to be judged and the share of them above the peers'
     *         pooled {@code q}-quantile is not significantly larger than the peers' own (Fisher's exact test)
     */
    public boolean significant(DDSketch node, Collection<DDSketch> peers, double q) {
        return judge(node, peers, q) != Outcome.CHANCE;
    }

    /** What the test says of a node's samples against its peers'. */
    public enum Outcome {
        /** Significantly more of the node's samples lie above the peers' percentile than of theirs. */
        EVIDENCE,
        /** As many as chance allows. */
        CHANCE,
        /** Too few samples (or none known) for any count to be significant: the test cannot tell. */
        UNTESTED
    }

    /** {@link #significant}, telling a failed test from one that could not be made. */
    public Outcome judge(DDSketch node, Collection<DDSketch> peers, double q) {
        DDSketch pooled = pool(peers);
        long n = Math.round(node.getCount());
        if (pooled == null || pooled.isEmpty() || n == 0) {
            return Outcome.UNTESTED;
        }
        long m = Math.round(pooled.getCount());
        if (-logChoose(n + m, n) >= Math.log(alpha)) {
            return Outcome.UNTESTED; // no count of samples above could be evidence
        }
        double threshold = pooled.getValueAtQuantile(q);
        long k = above(node, threshold);
        long j = above(pooled, threshold);
        return tail(n + m, k + j, n, k) < alpha ? Outcome.EVIDENCE : Outcome.CHANCE;
    }

    /** The samples of {@code sketches} together (a copy; null for none). */
    static DDSketch pool(Collection<DDSketch> sketches) {
        DDSketch pooled = null;
        for (DDSketch sketch : sketches) {
            if (pooled == null) {
                pooled = sketch.copy();
            } else {
                pooled.mergeWith(sketch);
            }
        }
        return pooled;
    }

    /**
     * The hypergeometric upper tail {@code P(X ≥ k)} for {@code X ~ H(total, marked, drawn)}: drawing {@code drawn} of
     * {@code total} samples of which {@code marked} are above, at least {@code k} of the drawn ones are.
     */
    static double tail(long total, long marked, long drawn, long k) {
        long most = Math.min(marked, drawn);
        if (k <= Math.max(0, drawn - (total - marked))) {
            return 1;
        }
        if (k > most) {
            return 0;
        }
        double logAll = logChoose(total, drawn);
        double sum = 0;
        for (long i = k; i <= most; i++) {
            sum += Math.exp(logChoose(marked, i) + logChoose(total - marked, drawn - i) - logAll);
        }
        return Math.min(1, sum);
    }

    /** {@code log C(n, k)} as a sum of logarithms (no overflow for thousands of samples). */
    static double logChoose(long n, long k) {
        long r = Math.min(k, n - k);
        double log = 0;
        for (long i = 1; i <= r; i++) {
            log += Math.log((double) (n - r + i) / i);
        }
        return log;
    }

    /**
     * The samples of {@code sketch} above {@code threshold}: those in bins above the threshold's bin (a sample in the
     * same bin, within the sketch's 1 % accuracy of it, does not count).
     */
    static long above(DDSketch sketch, double threshold) {
        Store positive = sketch.getPositiveValueStore();
        if (!(threshold >= sketch.getIndexMapping().minIndexableValue())) {
            return Math.round(positive.getTotalCount()); // at or below zero: every positive sample is above
        }
        int index = sketch.getIndexMapping().index(threshold);
        double[] count = {0};
        positive.forEach((i, c) -> {
            if (i > index) {
                count[0] += c;
            }
        });
        return Math.round(count[0]);
    }

    /** Reads {@code KpiWindow.getSketch()} (without moving the buffer's position). */
    static DDSketch decode(ByteBuffer bytes) {
        return decode(bytes(bytes));
    }

    /** The bytes of {@code KpiWindow.getSketch()}, as a peer window stores them (the buffer's position unmoved). */
    static byte[] bytes(ByteBuffer sketch) {
        ByteBuffer view = sketch.duplicate();
        byte[] array = new byte[view.remaining()];
        view.get(array);
        return array;
    }

    static DDSketch decode(byte[] bytes) {
        try {
            return DDSketch.decode(ByteArrayInput.wrap(bytes), () -> new CollapsingLowestDenseStore(MAX_BINS));
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable DDSketch bytes: " + e.getMessage(), e);
        }
    }
}
