package io.chainpulse.anomaly;

import io.chainpulse.schema.catalog.Kpi;
import io.chainpulse.schema.catalog.Topics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidList;
import org.apache.kafka.common.config.ConfigException;

/**
 * The anomaly detector's settings as a table (the README's table is generated from {@link #CONFIG}). Keys starting
 * with {@code streams.} go to Kafka Streams without the prefix.
 *
 * <pre>{@code
 * AnomalyConfig config = new AnomalyConfig(Map.of("bootstrap.servers", "127.0.0.1:9092",
 *         "schema.registry.url", "http://127.0.0.1:8081/apis/ccompat/v7"));
 * Topology topology = AnomalyTopology.build(config.detectors(), config.topics(serdeConfig));
 * }</pre>
 */
public final class AnomalyConfig extends AbstractConfig {
    public static final String APPLICATION_ID = "application.id";
    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String KPI_TOPIC = "kpi.topic";
    public static final String ANOMALY_TOPIC = "anomaly.topic";
    public static final String ANOMALY_CURRENT_TOPIC = "anomaly.current.topic";
    public static final String RULES_FILE = "rules.file";
    public static final String RESOLVE_WINDOWS = "resolve.windows";
    public static final String BASELINE_ALPHA = "baseline.alpha";
    public static final String BASELINE_WARMUP_WINDOWS = "baseline.warmup.windows";
    public static final String BASELINE_K_MEDIUM = "baseline.k.medium";
    public static final String BASELINE_K_HIGH = "baseline.k.high";
    public static final String BASELINE_K_CRITICAL = "baseline.k.critical";
    public static final String BASELINE_MIN_RELATIVE_CHANGE = "baseline.min.relative.change";
    public static final String BASELINE_FIRE_WINDOWS = "baseline.fire.windows";
    public static final String BASELINE_RATE_DROP = "baseline.rate.drop";
    public static final String BASELINE_RATE_HIGH_RATIO = "baseline.rate.high.ratio";
    public static final String BASELINE_RATE_CRITICAL_RATIO = "baseline.rate.critical.ratio";
    public static final String BASELINE_NODE_MIN_SHARE_ABOVE = "baseline.node.min.share.above";
    public static final String FAILURE_ALPHA = "failure.alpha";
    public static final String FAILURE_FLOOR_PCT = "failure.reference.floor.pct";
    public static final String FAILURE_POOLED_ALPHA = "failure.pooled.alpha";
    public static final String PEER_MAD_FACTOR = "peer.mad.factor";
    public static final String PEER_MIN_RELATIVE_DIFFERENCE = "peer.min.relative.difference";
    public static final String PEER_MIN_NODES = "peer.min.nodes";
    public static final String PEER_HIGH_RATIO = "peer.high.ratio";
    public static final String PEER_METRICS = "peer.metrics";
    public static final String PEER_FIRE_WINDOWS = "peer.fire.windows";
    public static final String PEER_TAIL_ALPHA = "peer.tail.alpha";
    public static final String PEER_LOCATION_ALPHA = "peer.location.alpha";
    public static final String PEER_LOCATION_MIN_SHIFT = "peer.location.min.shift";
    public static final String PEER_LOCATION_VALIDATION_ALPHA = "peer.location.validation.alpha";
    public static final String TREND_METRICS = "trend.metrics";
    public static final String TREND_RECENT_WINDOWS = "trend.recent.windows";
    public static final String TREND_HISTORY_WINDOWS = "trend.history.windows";
    public static final String TREND_RATIO = "trend.ratio";
    public static final String TREND_SLOPE_WINDOWS = "trend.slope.windows";
    public static final String TREND_SLOPE_DROP = "trend.slope.drop";
    public static final String TREND_WARMUP_WINDOWS = "trend.warmup.windows";
    public static final String LIVENESS_SILENT_WINDOWS = "liveness.silent.windows";
    public static final String LIVENESS_MAX_LAG_WINDOWS = "liveness.max.lag.windows";
    public static final String NODE_EXPIRY_MS = "node.expiry.ms";
    public static final String REGISTRY_WAIT_MAX_MS = "registry.wait.max.ms";
    public static final String MEMORY_LEAK_WINDOWS = "memory.leak.windows";
    public static final String MEMORY_LEAK_MIN_R2 = "memory.leak.min.r2";
    public static final String MEMORY_LEAK_MIN_GROWTH_PCT = "memory.leak.min.growth.pct";
    public static final String MEMORY_LEAK_ALPHA = "memory.leak.alpha";
    public static final String RESOURCE_PEER_MIN_POINTS = "resource.peer.min.points";
    public static final String RESOURCE_PEER_FIRE_WINDOWS = "resource.peer.fire.windows";
    public static final String STREAMS_PREFIX = "streams.";

    private static final ConfigDef.Validator METRICS = ValidList.in(Metrics.ALL.toArray(new String[0]));

    public static final ConfigDef CONFIG = new ConfigDef()
            .define(APPLICATION_ID, Type.STRING, "chainpulse-anomaly-detector", new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM, "Kafka Streams application id; distinct from the KPI processor's so the two "
                            + "scale and restart independently.")
            .define(BOOTSTRAP_SERVERS, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH,
                    "Kafka brokers, host:port[,host:port...].")
            .define(SCHEMA_REGISTRY_URL, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                    Importance.HIGH, "Confluent-compatible schema registry URL for KpiWindow and Anomaly records.")
            .define(KPI_TOPIC, Type.STRING, Topics.KPIS.name(), new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Input: KpiWindow records; only final windows are judged.")
            .define(ANOMALY_TOPIC, Type.STRING, Topics.ANOMALIES.name(), new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM, "Output: every FIRING/RESOLVED transition, key anomaly_id.")
            .define(ANOMALY_CURRENT_TOPIC, Type.STRING, Topics.ANOMALIES_CURRENT.name(),
                    new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Output, compacted: the latest FIRING record per anomaly_id and a tombstone when it resolves, so "
                            + "a consumer reading it from the start sees exactly the active incidents.")
            .define(RULES_FILE, Type.STRING, null, Importance.HIGH,
                    "YAML static rules file; unset means the shipped chainpulse-rules.yaml. An invalid file stops "
                            + "the start with FILE:LINE: reason for every problem.")
            .define(RESOLVE_WINDOWS, Type.INT, 3, Range.atLeast(1), Importance.MEDIUM,
                    "Clean windows before a baseline, peer or trend incident resolves (static rules use their own "
                            + "clear_windows).")
            .define(BASELINE_ALPHA, Type.DOUBLE, 0.1, Range.between(0.001, 1.0), Importance.LOW,
                    "Weight of the newest window in the baseline's exponentially weighted mean and variance.")
            .define(BASELINE_WARMUP_WINDOWS, Type.INT, 12, Range.atLeast(2), Importance.MEDIUM,
                    "Windows a node × metric baseline learns before it may flag anything (12 × 10 s = 2 minutes).")
            .define(BASELINE_K_MEDIUM, Type.DOUBLE, 4.0, Range.atLeast(1.0), Importance.MEDIUM,
                    "Standard deviations from the baseline for a MEDIUM anomaly.")
            .define(BASELINE_K_HIGH, Type.DOUBLE, 6.0, Range.atLeast(1.0), Importance.MEDIUM,
                    "Standard deviations from the baseline for a HIGH anomaly.")
            .define(BASELINE_K_CRITICAL, Type.DOUBLE, 10.0, Range.atLeast(1.0), Importance.MEDIUM,
                    "Standard deviations from the baseline for a CRITICAL anomaly.")
            .define(BASELINE_MIN_RELATIVE_CHANGE, Type.DOUBLE, 0.25, Range.atLeast(0.0), Importance.MEDIUM,
                    "Smallest departure from the baseline mean, as a fraction of it, that may be flagged: keeps "
                            + "very steady series from firing on tiny changes.")
            .define(BASELINE_FIRE_WINDOWS, Type.INT, 2, Range.atLeast(1), Importance.MEDIUM,
                    "Consecutive flagged windows before a baseline incident fires.")
            .define(BASELINE_RATE_DROP, Type.DOUBLE, 0.25, Range.between(0.01, 0.99), Importance.MEDIUM,
                    "A rate KPI (TPS, transaction ingress) is flagged when it falls below 1 - this of its baseline, "
                            + "and at least baseline.k.medium standard deviations below it; a node's rate only when "
                            + "it fell this much further than the network's.")
            .define(BASELINE_RATE_HIGH_RATIO, Type.DOUBLE, 0.5, Range.between(0.0, 0.99), Importance.LOW,
                    "A fallen rate at or below this share of its baseline is HIGH (above it: MEDIUM).")
            .define(BASELINE_RATE_CRITICAL_RATIO, Type.DOUBLE, 0.25, Range.between(0.0, 0.99), Importance.LOW,
                    "A fallen rate at or below this share of its baseline is CRITICAL.")
            .define(BASELINE_NODE_MIN_SHARE_ABOVE, Type.DOUBLE, BaselineDetector.Settings.DEFAULT_MIN_SHARE_ABOVE,
                    Range.between(0.0, 1.0), Importance.MEDIUM,
                    "A node's latency p95 above its baseline is flagged only when at least this share of the window's "
                            + "samples (its sketch) lie above the baseline's mean: a p95 of ten samples is the second "
                            + "largest, so two slow samples are no shift (blocks 200 ms late move all of them). 0 judges "
                            + "the p95 alone; windows without sketches are.")
            .define(FAILURE_ALPHA, Type.DOUBLE, FailureGate.DEFAULT_ALPHA, Range.between(1e-9, 0.5),
                    Importance.MEDIUM,
                    "A failure ratio (" + Kpi.TX_FAILURE_PCT.metric() + ", " + Kpi.CONSENSUS_FAILURE_PCT.metric()
                            + ") counts as too high for a static rule, "
                            + "the baseline or the peer comparison only when its failures are this unlikely at the "
                            + "healthy share: P(X >= failed | samples, share) < this, binomial (the share: the "
                            + "network's learned one for the rules, the series' for the baseline, the other nodes' "
                            + "pooled one in the window for peers). 0.01: at 1 % healthy failures, 3 of 28 or 4 of 50.")
            .define(FAILURE_POOLED_ALPHA, Type.DOUBLE, StaticRuleDetector.DEFAULT_POOLED_ALPHA,
                    Range.between(1e-12, 0.5), Importance.MEDIUM,
                    "failure.alpha for a static rule with pool_windows above 1 (shipped: "
                            + "validation_failure_pct_node_high, 2 windows): the latest windows' samples and failures "
                            + "judged as one, every window. 1e-4: at 1 % healthy failures, 7 of 76 or 8 of 120.")
            .define(FAILURE_FLOOR_PCT, Type.DOUBLE, FailureGate.DEFAULT_FLOOR_PCT, Range.between(0.0, 99.0),
                    Importance.LOW,
                    "Smallest healthy failure share, in percent, failure.alpha judges against: a network that "
                            + "learned 0 % would otherwise call its first failure or two significant.")
            .define(PEER_MAD_FACTOR, Type.DOUBLE, 5.0, Range.atLeast(0.0), Importance.MEDIUM,
                    "A node is an outlier beyond this many median absolute deviations from the network median.")
            .define(PEER_MIN_RELATIVE_DIFFERENCE, Type.DOUBLE, 0.5, Range.atLeast(0.0), Importance.MEDIUM,
                    "...and at least this fraction of the median away (0.5: 1.5× the median for latencies).")
            .define(PEER_MIN_NODES, Type.INT, 3, Range.atLeast(3), Importance.LOW,
                    "Fewest nodes in a window for a peer comparison to mean anything.")
            .define(PEER_HIGH_RATIO, Type.DOUBLE, 2.0, Range.atLeast(1.0), Importance.LOW,
                    "Ratio to the median from which a peer outlier is HIGH rather than MEDIUM.")
            .define(PEER_METRICS, Type.LIST, String.join(",", PeerOutlierDetector.Settings.defaults().metrics()),
                    METRICS, Importance.LOW, "KPIs compared across nodes (by default the catalog's peer-comparable ones: transaction ingress "
                            + "differs by design, block time is the network's).")
            .define(PEER_FIRE_WINDOWS, Type.INT, 2, Range.atLeast(1), Importance.MEDIUM,
                    "Consecutive outlier windows before a peer incident fires.")
            .define(PEER_TAIL_ALPHA, Type.DOUBLE, TailGate.DEFAULT_ALPHA, Range.between(1e-9, 0.5),
                    Importance.MEDIUM,
                    "A node's latency percentile above its peers' counts only when its samples show it (the KPI "
                            + "windows' sketches): more of them above the other nodes' pooled percentile than of theirs, by "
                            + "Fisher's exact test, P < this. 0.01: 5 of 8 samples against the peers' 1 of 22 is an outlier, 3 "
                            + "of 8 is not; one late block among eight is no outlier. Where the test is made it replaces "
                            + "peer.mad.factor, and a node whose median sample moved peer.min.relative.difference above the "
                            + "peers' meets that bar too (a clock ahead shifts every sample). Untested, judged as before: "
                            + "windows without sketches, a node with too few samples for any count to be significant (one or "
                            + "two blocks led).")
            .define(PEER_LOCATION_ALPHA, Type.DOUBLE, PeerOutlierDetector.Location.DEFAULT_ALPHA,
                    Range.between(1e-9, 0.5), Importance.MEDIUM,
                    "A node's latency whose samples moved as a whole is a peer outlier though its percentile is not: "
                            + "its samples of its latest 2 windows rank above the other nodes' of the same windows (the "
                            + "KPI windows' sketches, merged), by the one-sided rank-sum (Mann-Whitney) test, P < this, "
                            + "and its median sample lies peer.location.min.shift above theirs; fires at once. With no "
                            + "window just before (the first after a gap), the window alone, after peer.fire.windows "
                            + "such windows.")
            .define(PEER_LOCATION_MIN_SHIFT, Type.DOUBLE, PeerOutlierDetector.Location.DEFAULT_MIN_SHIFT,
                    Range.atLeast(0), Importance.LOW,
                    "Smallest rise of a node's median sample above its peers' pooled median, as a fraction of it, "
                            + "that the location test (peer.location.alpha) may flag.")
            .define(PEER_LOCATION_VALIDATION_ALPHA, Type.DOUBLE,
                    PeerOutlierDetector.Location.DEFAULT_VALIDATION_ALPHA, Range.between(1e-9, 0.5),
                    Importance.MEDIUM,
                    "A node's validation times (" + String.join(", ", Metrics.VALIDATION_TIMES) + ") are judged "
                            + "together: each is a peer outlier when its location test of its latest 2 windows gives "
                            + "P < this and the other's of the same window does too, both medians "
                            + "peer.location.min.shift above the peers'. A slow validator validates transactions and "
                            + "consensus messages slowly; a healthy node's slow run of one leaves the other alone.")
            .define(TREND_METRICS, Type.LIST, String.join(",", TrendDetector.Settings.defaults().metrics()), METRICS,
                    Importance.LOW,
                    "KPIs whose network-wide trend is watched.")
            .define(TREND_RECENT_WINDOWS, Type.INT, 3, Range.atLeast(1), Importance.LOW,
                    "Windows averaged as 'recent' for the below-history rule.")
            .define(TREND_HISTORY_WINDOWS, Type.INT, 360, Range.atLeast(2), Importance.LOW,
                    "Span of the long-term average in windows (360 × 10 s = 1 hour).")
            .define(TREND_RATIO, Type.DOUBLE, 0.8, Range.between(0.01, 1.0), Importance.MEDIUM,
                    "Flag when the recent average is worse than this fraction of the long-term average (0.9 fired on "
                            + "noise: a few times an hour at 20 TPS, see ./chainpulse evaluate).")
            .define(TREND_SLOPE_WINDOWS, Type.INT, 6, Range.atLeast(3), Importance.LOW,
                    "Windows the least-squares slope is fitted over.")
            .define(TREND_SLOPE_DROP, Type.DOUBLE, 0.5, Range.atLeast(0.0), Importance.LOW,
                    "Flag when the fitted slope worsens the value by this fraction of the long-term average over "
                            + "the slope windows.")
            .define(TREND_WARMUP_WINDOWS, Type.INT, 30, Range.atLeast(1), Importance.LOW,
                    "Windows of history before the trend rules may flag anything.")
            .define(LIVENESS_SILENT_WINDOWS, Type.INT, 2, Range.atLeast(1), Importance.HIGH,
                    "Windows of stream time without any KPI from a node that reported before, before it is "
                            + "CRITICAL node_silent (2: a node silent from mid-window is flagged 2 windows after the "
                            + "onset's; a lagging partition is covered by liveness.max.lag.windows).")
            .define(LIVENESS_MAX_LAG_WINDOWS, Type.INT, 3, Range.atLeast(0), Importance.LOW,
                    "Most windows a node's KPIs may be learned to arrive behind the other nodes' (the processor's "
                            + "partitions progress at different speeds); that node's silence threshold grows by its "
                            + "learned lag, so a lagging partition does not make a live node flap silent.")
            .define(NODE_EXPIRY_MS, Type.LONG, LivenessDetector.DEFAULT_NODE_EXPIRY_MS, Range.atLeast(60_000L),
                    Importance.MEDIUM,
                    "A node whose latest KPI window ends this long before stream time (event time, not the wall "
                            + "clock) is forgotten by liveness, so its state holds only nodes heard from within this "
                            + "span: its open node_silent incident resolves with reason expired, and a later KPI of "
                            + "that node starts afresh. Keep it well above liveness.silent.windows plus "
                            + "liveness.max.lag.windows windows, or a silent node is forgotten before it is flagged.")
            .define(MEMORY_LEAK_WINDOWS, Type.INT, MemoryLeakDetector.Settings.defaults().windows(),
                    Range.atLeast(MemoryLeakDetector.MIN_WINDOWS), Importance.MEDIUM, "Horizon of the memory-leak "
                            + "detector: a node's resident memory (and heap) window means over this many windows are "
                            + "fitted with a least-squares line (18 × 10 s = 3 minutes); nothing is judged before that "
                            + "many windows. The shorter, the steeper a leak must be to be significant "
                            + "(memory.leak.alpha).")
            .define(MEMORY_LEAK_MIN_R2, Type.DOUBLE, MemoryLeakDetector.Settings.defaults().minR2(),
                    Range.between(0.0, 1.0), Importance.LOW, "Fit (R²) the memory's growth must show to count as a "
                            + "leak: steady growth, not noise or a garbage collector's saw-tooth.")
            .define(MEMORY_LEAK_MIN_GROWTH_PCT, Type.DOUBLE, MemoryLeakDetector.Settings.defaults().minGrowthPct(),
                    Range.atLeast(0.0), Importance.LOW, "Rise of the fitted line over the horizon, as a percentage of "
                            + "where it started, below which memory growth is not flagged.")
            .define(MEMORY_LEAK_ALPHA, Type.DOUBLE, MemoryLeakDetector.DEFAULT_ALPHA, Range.between(1e-12, 1.0),
                    Importance.LOW, "One-sided significance the fitted line's slope must reach against the scatter "
                            + "around it (Student's t, windows − 2 degrees of freedom): the chance that memory "
                            + "which does not grow is flagged in a judged window. Unlike a fixed R², it asks as much "
                            + "of a short horizon as of a long one.")
            .define(RESOURCE_PEER_MIN_POINTS, Type.DOUBLE, ResourcePeerDetector.Settings.defaults().minPoints(),
                    Range.atLeast(1.0), Importance.LOW, "Percentage points a node's CPU (" + Kpi.CPU_USED_PCT.metric()
                            + "), data disk (" + Kpi.DISK_USED_PCT.metric() + ") or open files ("
                            + Kpi.OPEN_FDS_USED_PCT.metric() + ") — each a share of its own machine's — "
                            + "must lie above the median of its chain's other nodes, and more than 5 of their median "
                            + "absolute deviations, to be a peer outlier (peer.min.nodes nodes at least): 6 % against "
                            + "2 % is three times the peers' and still idle.")
            .define(RESOURCE_PEER_FIRE_WINDOWS, Type.INT, ResourcePeerDetector.Settings.defaults().fireAfter(),
                    Range.atLeast(1), Importance.LOW, "Windows in a row a node's resource must stand out from its "
                            + "peers' (resource.peer.min.points) before the peer outlier fires; it resolves after 3 "
                            + "windows back.")
            .define(REGISTRY_WAIT_MAX_MS, Type.LONG, 240_000L, Range.between(0, 290_000), Importance.LOW,
                    "How long a stream thread waits, retrying with backoff, for a schema registry it cannot reach "
                            + "(it reports /health 503 meanwhile; nothing is skipped or dead-lettered). Below the "
                            + "consumer's max.poll.interval.ms (5 min); after it the Streams client fails and the "
                            + "restarted process resumes from the last commit.");

    public AnomalyConfig(Map<?, ?> values) {
        super(CONFIG, values, false);
        List<String> problems = new ArrayList<>();
        if (getDouble(BASELINE_K_HIGH) < getDouble(BASELINE_K_MEDIUM)
                || getDouble(BASELINE_K_CRITICAL) < getDouble(BASELINE_K_HIGH)) {
            problems.add("baseline.k.medium <= baseline.k.high <= baseline.k.critical must hold: "
                    + getDouble(BASELINE_K_MEDIUM) + ", " + getDouble(BASELINE_K_HIGH) + ", "
                    + getDouble(BASELINE_K_CRITICAL));
        }
        double drop = getDouble(BASELINE_RATE_DROP);
        if (getDouble(BASELINE_RATE_CRITICAL_RATIO) > getDouble(BASELINE_RATE_HIGH_RATIO)
                || getDouble(BASELINE_RATE_HIGH_RATIO) > 1 - drop) {
            problems.add("baseline.rate.critical.ratio <= baseline.rate.high.ratio <= 1 - baseline.rate.drop must "
                    + "hold: " + getDouble(BASELINE_RATE_CRITICAL_RATIO) + ", " + getDouble(BASELINE_RATE_HIGH_RATIO)
                    + ", " + (1 - drop));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(String.join("; ", problems));
        }
    }

    /** The documented settings, for generated configuration tables. */
    public static ConfigDef configDef() {
        return CONFIG;
    }

    /** The detectors these settings describe; reads (and validates) the rules file. */
    public Detectors detectors() {
        String file = getString(RULES_FILE);
        List<Rule> rules = file == null || file.isBlank() ? RulesFile.defaults() : RulesFile.load(Path.of(file));
        int resolve = getInt(RESOLVE_WINDOWS);
        FailureGate gate = new FailureGate(getDouble(FAILURE_ALPHA), getDouble(FAILURE_FLOOR_PCT));
        return new Detectors(
                new StaticRuleDetector(rules, gate,
                        new FailureGate(getDouble(FAILURE_POOLED_ALPHA), getDouble(FAILURE_FLOOR_PCT))),
                new BaselineDetector(new BaselineDetector.Settings(getDouble(BASELINE_ALPHA),
                        getInt(BASELINE_WARMUP_WINDOWS), getDouble(BASELINE_K_MEDIUM), getDouble(BASELINE_K_HIGH),
                        getDouble(BASELINE_K_CRITICAL), getDouble(BASELINE_MIN_RELATIVE_CHANGE),
                        getInt(BASELINE_FIRE_WINDOWS), resolve, new BaselineDetector.RateDrop(
                                getDouble(BASELINE_RATE_DROP), getDouble(BASELINE_RATE_HIGH_RATIO),
                                getDouble(BASELINE_RATE_CRITICAL_RATIO)),
                        getDouble(BASELINE_NODE_MIN_SHARE_ABOVE)), gate),
                new PeerOutlierDetector(new PeerOutlierDetector.Settings(getDouble(PEER_MAD_FACTOR),
                        getDouble(PEER_MIN_RELATIVE_DIFFERENCE), getInt(PEER_MIN_NODES), getDouble(PEER_HIGH_RATIO),
                        getList(PEER_METRICS), getInt(PEER_FIRE_WINDOWS), resolve), gate,
                        new TailGate(getDouble(PEER_TAIL_ALPHA)), new PeerOutlierDetector.Location(
                                getDouble(PEER_LOCATION_ALPHA), getDouble(PEER_LOCATION_MIN_SHIFT),
                                getDouble(PEER_LOCATION_VALIDATION_ALPHA))),
                new TrendDetector(new TrendDetector.Settings(getList(TREND_METRICS), getInt(TREND_RECENT_WINDOWS),
                        getInt(TREND_HISTORY_WINDOWS), getDouble(TREND_RATIO), getInt(TREND_SLOPE_WINDOWS),
                        getDouble(TREND_SLOPE_DROP), getInt(TREND_WARMUP_WINDOWS), 1, resolve)),
                new LivenessDetector(getInt(LIVENESS_SILENT_WINDOWS), getInt(LIVENESS_MAX_LAG_WINDOWS),
                        getLong(NODE_EXPIRY_MS)),
                new MemoryLeakDetector(new MemoryLeakDetector.Settings(getInt(MEMORY_LEAK_WINDOWS),
                        getDouble(MEMORY_LEAK_MIN_R2), getDouble(MEMORY_LEAK_MIN_GROWTH_PCT),
                        getDouble(MEMORY_LEAK_ALPHA))),
                new ResourcePeerDetector(new ResourcePeerDetector.Settings(getDouble(RESOURCE_PEER_MIN_POINTS),
                        ResourcePeerDetector.Settings.defaults().madFactor(), getInt(PEER_MIN_NODES),
                        getInt(RESOURCE_PEER_FIRE_WINDOWS), ResourcePeerDetector.Settings.defaults().resolveAfter())));
    }

    /** Kafka Streams overrides: every {@code streams.*} key, prefix removed. */
    public Map<String, Object> streamsOverrides() {
        return originalsWithPrefix(STREAMS_PREFIX, true);
    }
}
