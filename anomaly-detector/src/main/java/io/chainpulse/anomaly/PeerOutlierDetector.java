package io.chainpulse.anomaly;

import com.datadoghq.sketch.ddsketch.DDSketch;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.Severity;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Peer comparison within one window: a node whose statistic is more than {@code madFactor} median absolute
 * deviations from the median of all nodes on the bad side, and at least {@code minRelativeDifference} of the median
 * away (so a tight cluster with a tiny MAD does not fire on a 3% difference). This is what tells "v3 is slow" from
 * "the whole network is slow": when every node slows down, the median moves with them. A failure ratio must also be
 * more than {@link io.chainpulse.schema.catalog.KpiKind#RATIO_NOISE_POINTS} percentage points above the median (against a median of 0 %, one failed
 * transaction would otherwise be an outlier), and its failed samples must be significant at the pooled share of the
 * other nodes in the same window ({@link FailureGate}): a node with three failures of 28 where its peers failed 1 %
 * is an outlier, one with two is the healthy share at work. Where the KPI windows carry their samples (sketches), a
 * latency's node must show it in them: significantly more of its samples above the other nodes' pooled percentile
 * than of theirs ({@link TailGate}, Fisher's exact test), so that one late block among eight does not make a node's
 * p95 an outlier. That test then stands in for the MAD bar (the spread of four nodes' percentiles is itself noise),
 * and a node whose median sample lies {@code minRelativeDifference} above the peers' meets the relative bar too: a
 * clock 50 ms ahead moves every propagation delay, its p95 less than 1.5× but its median 2.5×.
 *
 * <p>A latency's node is an outlier, too, when its samples moved as a whole, though its percentile is no outlier: the
 * location test ({@link Location}, {@link LocationGate}) ranks the node's samples among the other nodes' pooled ones —
 * significantly higher (the rank-sum test, {@code peer.location.alpha}), its median sample at least
 * {@code peer.location.min.shift} above theirs. A validator 1.5× slower has ~9 of its 10 consensus validations and
 * ~35 of its 45 transaction validations of a window above its peers' median, where half are expected, but only ~3 of
 * 10 above their p95: the tail test is the wrong place to look for a slowdown of every sample. The test ranks the
 * node's samples of its latest two windows (the sketches merged) among its peers' of the same two and fires at once:
 * twice the samples tell a shift of ten consensus validations a window from chance, where two windows tested apart,
 * each at a looser bar, let through a healthy node's slow run as often (README, Detection floor).
 *
 * <p>A node's validation times ({@code tx_validation_ms}, {@code consensus_latency_ms}: {@code Kpi.validationTime})
 * are judged together as well: each at the looser {@code peer.location.validation.alpha}, an outlier when the other of
 * the same window moved too. A slow validator validates both slowly; a healthy node's run of slow consensus
 * validations (which its {@code proposal_to_vote_ms} repeats) leaves its transaction validations alone. Each
 * judgement keeps its node's evidence ({@link Evidence}, {@link Kept}) for the other's, whichever window is
 * complete second fires.
 *
 * <pre>{@code
 * List<Verdict> verdicts = peers.evaluate("consensus_latency_ms", windowStart, Map.of("v1", 120.0, "v2", 118.0, "v3", 964.0));
 * }</pre>
 */
public final class PeerOutlierDetector {
    public static final String DETECTOR = "peer_outlier";
    public static final String RULE = "network_median_mad";

    /** Tunables; see {@link AnomalyConfig}. {@code highRatio}: ratio to the median from which severity is HIGH. */
    public record Settings(double madFactor, double minRelativeDifference, int minNodes, double highRatio,
                           List<String> metrics, int fireAfter, int resolveAfter) {
        public static Settings defaults() {
            return new Settings(5, 0.5, 3, 2, Metrics.peerComparable(), 2, 2);
        }
    }

    /**
     * The location test's bars: the rank-sum test of the node's samples against the peers' pooled ones
     * ({@link LocationGate}), P below {@code alpha}, and the node's median sample at least {@code minShift} (a
     * fraction) above the peers' pooled median. A validation time ({@code Kpi.validationTime}) whose latest 2 windows
     * are tested at P below {@code validationAlpha} is evidence too when the node's other validation time of the same
     * window is as well: two independent samples of its own work, slow together.
     */
    public record Location(double alpha, double minShift, double validationAlpha) {
        public static final double DEFAULT_ALPHA = LocationGate.DEFAULT_ALPHA;
        public static final double DEFAULT_MIN_SHIFT = 0.2;
        public static final double DEFAULT_VALIDATION_ALPHA = 1e-3;

        public Location {
            if (!(alpha > 0 && alpha < 1)) {
                throw new IllegalArgumentException("alpha must be in (0, 1): " + alpha);
            }
            if (!(minShift >= 0)) {
                throw new IllegalArgumentException("minShift must be >= 0: " + minShift);
            }
            if (!(validationAlpha > 0 && validationAlpha < 1)) {
                throw new IllegalArgumentException("validationAlpha must be in (0, 1): " + validationAlpha);
            }
        }

        /** With the default {@code validationAlpha}. */
        public Location(double alpha, double minShift) {
            this(alpha, minShift, DEFAULT_VALIDATION_ALPHA);
        }

        public static Location defaults() {
            return new Location(DEFAULT_ALPHA, DEFAULT_MIN_SHIFT);
        }
    }

    /**
     * A node's location test of one window of a validation time, as its other validation times' judgement of the same
     * window reads it: the P of its samples of its latest 2 windows, 1 when they did not move (the test not made, the
     * median less than {@link Location#minShift()} up, or the latest window alone not leaning).
     */
    public record Evidence(long windowStartMs, double p) {}

    /** The key of a node's {@link Evidence} of a validation time in what is kept: {@code metric|node}. */
    static String evidenceKey(String metric, String node) {
        return metric + '|' + node;
    }

    /** A node's window of a failure ratio: its samples and how many of them failed. */
    public record Counted(long samples, long failed) {}

    /** How far the latest window alone must lean with the two pooled: its rank-sum P below 0.05. */
    private static final LocationGate LEANS = new LocationGate(0.05);

    private final Settings settings;
    private final FailureGate gate;
    private final TailGate tails;
    private final Location location;
    private final LocationGate medians;
    private final LocationGate validations;

    public PeerOutlierDetector(Settings settings) {
        this(settings, FailureGate.defaults());
    }

    /** @param gate when a node's failure ratio above its peers' is evidence rather than noise */
    public PeerOutlierDetector(Settings settings, FailureGate gate) {
        this(settings, gate, TailGate.defaults());
    }

    /**
     * @param gate  when a node's failure ratio above its peers' is evidence rather than noise
     * @param tails when a node's latency percentile above its peers' is evidence rather than one extreme sample
     */
    public PeerOutlierDetector(Settings settings, FailureGate gate, TailGate tails) {
        this(settings, gate, tails, Location.defaults());
    }

    /**
     * @param gate     when a node's failure ratio above its peers' is evidence rather than noise
     * @param tails    when a node's latency percentile above its peers' is evidence rather than one extreme sample
     * @param location when a node's latency samples moved as a whole above its peers'
     */
    public PeerOutlierDetector(Settings settings, FailureGate gate, TailGate tails, Location location) {
        this.settings = settings;
        this.gate = gate;
        this.tails = tails;
        this.location = location;
        this.medians = new LocationGate(location.alpha());
        this.validations = new LocationGate(Math.max(location.alpha(), location.validationAlpha()));
    }

    public boolean appliesTo(String metric) {
        return settings.metrics().contains(metric);
    }

    /** {@link #evaluate(String, long, Map, Map, Map)} without the nodes' failed samples or samples. */
    public List<Verdict> evaluate(String metric, long windowStartMs, Map<String, Double> valueByNode) {
        return evaluate(metric, windowStartMs, valueByNode, Map.of());
    }

    /** {@link #evaluate(String, long, Map, Map, Map)} without the nodes' samples. */
    public List<Verdict> evaluate(String metric, long windowStartMs, Map<String, Double> valueByNode,
                                  Map<String, Counted> countedByNode) {
        return evaluate(metric, windowStartMs, valueByNode, countedByNode, Map.of());
    }

    /**
     * One verdict per node of the window (none when fewer than minNodes reported).
     *
     * @param countedByNode for a failure ratio, each node's samples and failed samples: a node is flagged only when
     *                      its failures are significant at the others' pooled share (a node missing here is judged on
     *                      its value alone)
     * @param sketchByNode  for a latency, each node's samples of the window: a node is flagged only when enough of
     *                      them lie above the others' pooled percentile ({@link TailGate}; a node missing here, or
     *                      whose peers are, is judged on its value alone)
     */
    public List<Verdict> evaluate(String metric, long windowStartMs, Map<String, Double> valueByNode,
                                  Map<String, Counted> countedByNode, Map<String, DDSketch> sketchByNode) {
        return evaluate(metric, windowStartMs, valueByNode, countedByNode, sketchByNode, Map.of());
    }

    /**
     * {@link #evaluate(String, long, Map, Map, Map)} with each node's samples of the window just before this one: the
     * location test ranks a node's samples of both windows among its peers' of both and fires at once, since two
     * windows' evidence is in; without them it ranks this window's and fires after {@code fireAfter} windows.
     *
     * @param sketchBefore each node's samples of the previous window (empty: not known, or not the window just before)
     */
    public List<Verdict> evaluate(String metric, long windowStartMs, Map<String, Double> valueByNode,
                                  Map<String, Counted> countedByNode, Map<String, DDSketch> sketchByNode,
                                  Map<String, DDSketch> sketchBefore) {
        return evaluate(metric, windowStartMs, valueByNode, countedByNode, sketchByNode, sketchBefore,
                Kept.nothing());
    }

    /**
     * {@link #evaluate(String, long, Map, Map, Map, Map)} with each node's latest evidence of its validation times: a
     * validation time's node whose latest 2 windows rank above its peers' at P below {@link Location#validationAlpha()}
     * is an outlier when its other validation time of the same window did too; its own evidence is kept there for the
     * other's judgement.
     */
    public List<Verdict> evaluate(String metric, long windowStartMs, Map<String, Double> valueByNode,
                                  Map<String, Counted> countedByNode, Map<String, DDSketch> sketchByNode,
                                  Map<String, DDSketch> sketchBefore, Kept<Evidence> kept) {
        if (!appliesTo(metric) || valueByNode.size() < settings.minNodes()) {
            return List.of();
        }
        double[] values = valueByNode.values().stream().mapToDouble(Double::doubleValue).toArray();
        double median = median(values);
        double mad = mad(values, median);
        boolean higherIsWorse = Metrics.higherIsWorse(metric);
        Statistic statistic = Metrics.learnedStatistic(metric);
        List<Verdict> verdicts = new ArrayList<>();
        for (Map.Entry<String, Double> e : new TreeMap<>(valueByNode).entrySet()) {
            double value = e.getValue();
            IncidentKey key = new IncidentKey(DETECTOR, RULE, metric, KpiScope.node, e.getKey());
            double deviation = higherIsWorse ? value - median : median - value;
            // a node's samples, where known, tell noise from a shift better than the spread of a handful of nodes;
            // a shift of all of them (a clock ahead) counts when its median moved as far as a percentile must
            Tail tail = tail(statistic, e.getKey(), valueByNode.keySet(), sketchByNode);
            boolean breached = (tail.outcome() == TailGate.Outcome.UNTESTED ? deviation > settings.madFactor() * mad
                            : tail.outcome() == TailGate.Outcome.EVIDENCE)
                    && (deviation >= settings.minRelativeDifference() * Math.abs(median)
                            || tail.medianShift() >= settings.minRelativeDifference())
                    && Metrics.risesEnough(metric, deviation)
                    && significant(metric, e.getKey(), countedByNode);
            // every sample moved, the percentile not far enough: the location test (a latency's samples only)
            Shift shift = breached || !higherIsWorse ? null
                    : shift(statistic, metric, windowStartMs, e.getKey(), valueByNode.keySet(), sketchByNode,
                            sketchBefore, kept);
            if (shift != null) {
                verdicts.add(Verdict.breach(key, windowStartMs,
                        shift.ratio() >= settings.highRatio() ? Severity.HIGH : Severity.MEDIUM, shift.median(),
                        shift.peersMedian(), shift.describe(metric, e.getKey()), latencyActions(e.getKey()),
                        shift.windows() > 1 ? 1 : settings.fireAfter(), settings.resolveAfter()));
                continue;
            }
            if (!breached) {
                verdicts.add(Verdict.clean(key, windowStartMs, value, median, settings.fireAfter(),
                        settings.resolveAfter()));
                continue;
            }
            double ratio = median == 0 ? Double.POSITIVE_INFINITY : value / median;
            boolean far = higherIsWorse ? ratio >= settings.highRatio() : ratio <= 1 / settings.highRatio();
            String description = String.format(Locale.ROOT, "%s %s on %s, %s× the network median of %s",
                    Metrics.label(metric, statistic), Metrics.format(metric, value), e.getKey(),
                    Double.isInfinite(ratio) ? "∞" : String.format(Locale.ROOT, "%.1f", ratio),
                    Metrics.format(metric, median));
            List<String> actions = Metrics.isRatio(metric)
                    ? List.of("Only " + e.getKey() + " fails this often: check its logs for what it rejects",
                            "Compare its software version and configuration with its peers")
                    : higherIsWorse ? latencyActions(e.getKey())
                    : List.of(e.getKey() + " lags its peers: check whether it is syncing, partitioned or overloaded");
            verdicts.add(Verdict.breach(key, windowStartMs, far ? Severity.HIGH : Severity.MEDIUM, value, median,
                    description, actions, settings.fireAfter(), settings.resolveAfter()));
        }
        return verdicts;
    }

    private static List<String> latencyActions(String node) {
        return List.of("Only " + node + " is affected: check its CPU, disk, memory and peer connections",
                "Compare its software version and configuration with its peers");
    }

    /**
     * A node's samples that moved as a whole above its peers' ({@link Location}): its median sample and the peers'
     * pooled one, and the counts of the test.
     */
    private record Shift(double median, double peersMedian, LocationGate.Test count, int windows, String with,
                         double withP) {
        double ratio() {
            return median / peersMedian;
        }

        /**
         * "median transaction validation 13.2 ms on v3, 1.5× its peers' median of 8.8 ms: 35 of its 45 samples above
         * that median where 22 are expected (the peers': 67 of 135; rank-sum P = 4.1e-05)"; pooled, "… 18 of its 20
         * samples of its latest 2 windows above …"; with its other validation time, "…; rank-sum P = 9.4e-05), and its
         * transaction validation time of the same windows too (rank-sum P = 6.1e-04): it validates slowly".
         */
        String describe(String metric, String node) {
            return String.format(Locale.ROOT, "median %s %s on %s, %.1f× its peers' median of %s: %d of its %d "
                            + "samples%s above that median where %.0f are expected (the peers': %d of %d; rank-sum "
                            + "P = %.1e)%s",
                    Metrics.human(metric), Metrics.format(metric, median), node, ratio(),
                    Metrics.format(metric, peersMedian), count.above(), count.samples(),
                    windows > 1 ? " of its latest " + windows + " windows" : "", count.expectedAbove(),
                    count.peersAbove(), count.peerSamples(), count.p(), with == null ? ""
                            : String.format(Locale.ROOT, ", and its %s of the same windows too (rank-sum P = %.1e): it"
                                    + " validates slowly", Metrics.human(with), withP));
        }
    }

    /** Each node's samples of this window merged with its samples of the window before, where known. */
    private static Map<String, DDSketch> pooled(Map<String, DDSketch> sketchByNode, Map<String, DDSketch> before) {
        Map<String, DDSketch> pooled = new TreeMap<>();
        sketchByNode.forEach((node, sketch) -> {
            DDSketch earlier = before.get(node);
            if (earlier == null || sketch == null) {
                pooled.put(node, sketch);
            } else {
                DDSketch both = sketch.copy();
                both.mergeWith(earlier);
                pooled.put(node, both);
            }
        });
        return pooled;
    }

    /**
     * The location test of a latency's node against its peers' pooled median; null when it is not made (no
     * percentile, a sketch unknown, too few samples), finds chance, or the node's median moved less than
     * {@link Location#minShift()} above the peers'. A validation time's evidence of 2 windows is kept in {@code kept},
     * and one below {@link Location#validationAlpha()} counts when the node's other validation time of the same
     * window kept such evidence too.
     */
    private Shift shift(Statistic statistic, String metric, long windowStartMs, String node,
                        java.util.Set<String> nodes, Map<String, DDSketch> sketchByNode,
                        Map<String, DDSketch> sketchBefore, Kept<Evidence> kept) {
        DDSketch ownBefore = sketchBefore.get(node);
        boolean twoWindows = ownBefore != null && !ownBefore.isEmpty();
        boolean validationTime = Metrics.VALIDATION_TIMES.contains(metric);
        boolean validation = twoWindows && validationTime;
        Map<String, DDSketch> samples = twoWindows ? pooled(sketchByNode, sketchBefore) : sketchByNode;
        DDSketch own = samples.get(node);
        LocationGate.Test count = moved(validation ? validations : medians, own,
                peerSketches(statistic, node, nodes, samples));
        // pooled, this window must have moved too: the window after a slowdown ended is no evidence of it
        if (count != null && twoWindows && moved(LEANS, sketchByNode.get(node),
                peerSketches(statistic, node, nodes, sketchByNode)) == null) {
            count = null;
        }
        if (validationTime) {
            kept.put(evidenceKey(metric, node),
                    new Evidence(windowStartMs, validation && count != null ? count.p() : 1));
        }
        if (count == null) {
            return null;
        }
        double median = own.getValueAtQuantile(0.5);
        if (count.p() < location.alpha()) {
            return new Shift(median, count.median(), count, twoWindows ? 2 : 1, null, 1);
        }
        for (String other : Metrics.VALIDATION_TIMES) { // below validationAlpha only: corroborated or nothing
            Evidence evidence = other.equals(metric) ? null : kept.get(evidenceKey(other, node));
            if (evidence != null && evidence.windowStartMs() == windowStartMs
                    && evidence.p() < location.validationAlpha()) {
                return new Shift(median, count.median(), count, 2, other, evidence.p());
            }
        }
        return null;
    }

    /**
     * {@code gate}'s test of a node's samples against its peers' when it finds evidence and the node's median sample
     * lies {@link Location#minShift()} above the peers' pooled median; null otherwise (and for unknown peers). The
     * latest window alone is tested at {@link #LEANS}: one slow window and a normal one after it rank high together,
     * but the second is no evidence of a slowdown now.
     */
    private LocationGate.Test moved(LocationGate gate, DDSketch own, List<DDSketch> peers) {
        if (peers == null) {
            return null;
        }
        LocationGate.Test test = gate.test(own, peers);
        return test.outcome() == TailGate.Outcome.EVIDENCE && test.median() > 0
                && own.getValueAtQuantile(0.5) >= (1 + location.minShift()) * test.median() ? test : null;
    }

    /** The peers' sketches of a percentile's window; null when the node's or any peer's is unknown. */
    private static List<DDSketch> peerSketches(Statistic statistic, String node, java.util.Set<String> nodes,
                                               Map<String, DDSketch> sketchByNode) {
        DDSketch own = sketchByNode.get(node);
        if (own == null || own.isEmpty() || statistic.quantile().isEmpty()) {
            return null;
        }
        List<DDSketch> peers = new ArrayList<>();
        for (String other : nodes) {
            DDSketch sketch = sketchByNode.get(other);
            if (!other.equals(node)) {
                if (sketch == null) {
                    return null;
                }
                peers.add(sketch);
            }
        }
        return peers;
    }

    /** A failure ratio's failures are significant at the other nodes' pooled share; anything else passes. */
    private boolean significant(String metric, String node, Map<String, Counted> countedByNode) {
        Counted own = countedByNode.get(node);
        if (!FailureGate.gates(metric) || own == null) {
            return true;
        }
        long samples = 0;
        long failed = 0;
        for (Map.Entry<String, Counted> other : countedByNode.entrySet()) {
            if (!other.getKey().equals(node)) {
                samples += other.getValue().samples();
                failed += other.getValue().failed();
            }
        }
        Double peersPct = samples == 0 ? null : 100.0 * failed / samples;
        return gate.significant(own.samples(), own.failed(), peersPct);
    }

    /**
     * Fisher's test of a latency's node against its peers' pooled percentile ({@link TailGate}), and how far the
     * node's median sample lies above the peers' pooled median, relative to it (0 when the test is not made).
     */
    private record Tail(TailGate.Outcome outcome, double medianShift) {
        static final Tail UNTESTED = new Tail(TailGate.Outcome.UNTESTED, 0);
    }

    /** Untested for a statistic other than a percentile and when the node's sketch or any of its peers' is unknown. */
    private Tail tail(Statistic statistic, String node, java.util.Set<String> nodes, Map<String, DDSketch> sketchByNode) {
        List<DDSketch> peers = peerSketches(statistic, node, nodes, sketchByNode);
        if (peers == null) {
            return Tail.UNTESTED;
        }
        DDSketch own = sketchByNode.get(node);
        TailGate.Outcome outcome = tails.judge(own, peers, statistic.quantile().getAsDouble());
        if (outcome != TailGate.Outcome.EVIDENCE) {
            return new Tail(outcome, 0);
        }
        double peersMedian = TailGate.pool(peers).getValueAtQuantile(0.5);
        return new Tail(outcome, peersMedian > 0 ? own.getValueAtQuantile(0.5) / peersMedian - 1 : 0);
    }

    /** The median absolute deviation of {@code values} from their {@code median}. */
    static double mad(double[] values, double median) {
        return median(Arrays.stream(values).map(v -> Math.abs(v - median)).toArray());
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
