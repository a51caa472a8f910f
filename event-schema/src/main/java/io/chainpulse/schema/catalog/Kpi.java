package io.chainpulse.schema.catalog;

import static io.chainpulse.schema.catalog.Direction.HIGHER_IS_WORSE;
import static io.chainpulse.schema.catalog.Direction.LOWER_IS_WORSE;



import io.chainpulse.schema.KpiScope;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The KPI catalog: every KPI the pipeline computes, named once. The processor's topology for a KPI takes its name
 * from here; the anomaly detector's metric list, directions and defaults, the report's columns, the dashboard's
 * charts, the Pushgateway series names, the README's KPI table and the generated Kibana and Grafana assets all
 * derive from it.
 *
 * <p>Adding a KPI is one entry here and one topology class in {@code stream-processor} (see the README's checklist).
 * The names are contracts: {@code kpis.jsonl}, Elasticsearch documents and scripts use them, so an entry is never
 * renamed.
 */
public enum Kpi {
    TX_INGRESS_TPS(rate("tx_ingress_tps", "tx/s").human("transaction ingress rate").label("tx ingress tps")
            .headline().definition("`transaction_ingress` events in the window ÷ window seconds; network = sum over nodes")),
    TPS(rate("tps", "tx/s").human("TPS").label("tps").peers().headline()
            .definition("node: Σ `tx_count` of its `block_finalization` events ÷ window seconds; network: each distinct"
                    + " `block_hash` once, in the window of its earliest finalization")),
    BLOCK_TIME_MS(latency("block_time_ms").human("block time").label("block time").headline()
            .definition("at a node, finalization of height h − finalization of h−1")),
    BLOCK_CREATION_MS(latency("block_creation_ms").human("block creation time").label("block creation").peers()
            .definition("`block_finalization` − `block_creation_start`, same node and height")),
    BLOCK_EXECUTION_MS(latency("block_execution_ms").human("block execution time").label("block execution").peers()
            .headline().definition("`block_execution_complete` − `block_execution_start`, same node and height")),
    CONSENSUS_LATENCY_MS(latency("consensus_latency_ms").human("consensus latency").label("consensus").peers()
            .validationTime().headline().definition("`consensus_validation_complete` −"
                    + " `consensus_validation_start`, same node, height and round; `duration_ns` wins")),
    PROPAGATION_DELAY_MS(latency("propagation_delay_ms").human("propagation delay").label("propagation").peers()
            .headline().definition("`block_propagation_complete` at the receiver − `block_propagation_start` at the"
                    + " origin, same `block_hash`; per receiving node")),
    TX_VALIDATION_MS(latency("tx_validation_ms").human("transaction validation time").label("tx validation").peers()
            .validationTime().headline().definition("`transaction_validation_complete` − `transaction_ingress`,"
                    + " same node and `tx_id`")),
    VOTE_TO_COMMIT_MS(latency("vote_to_commit_ms").human("vote-to-commit time").label("vote to commit").peers()
            .definition("`consensus_commit` − `consensus_vote`, same node, height and round")),
    BLOCK_PACKING_MS(latency("block_packing_ms").human("block packing time").label("block packing").peers()
            .definition("`block_execution_start` − `block_packing_start`, same node and height")),
    TX_FAILURE_PCT(ratio("tx_failure_pct").human("transaction failure rate").label("tx failures").peers()
            .definition("`transaction_validation_complete` events with `status` failure ÷ those with status success"
                    + " or failure × 100 (no status or UNKNOWN: not counted); node and network")),
    CONSENSUS_FAILURE_PCT(ratio("consensus_failure_pct").human("consensus failure rate").label("consensus failures")
            .peers().definition("`consensus_validation_complete` events with `status` failure ÷ those with status"
                    + " success or failure × 100 (no status or UNKNOWN: not counted); node and network")),
    VALIDATION_FAILURE_PCT(ratio("validation_failure_pct").human("validation failure rate")
            .label("validation failures").only(KpiScope.node).rulesOnly().definition("node: its"
                    + " `transaction_validation_complete` and `consensus_validation_complete` events with `status`"
                    + " failure ÷ those of both with status success or failure × 100 (no status or UNKNOWN: not"
                    + " counted); one test of all the node's validations")),
    GAS_PER_S(rate("gas_per_s", "gas/s").human("gas throughput").label("gas/s")
            .definition("node: Σ `gas_used` of its `block_finalization` events ÷ window seconds; network: each distinct"
                    + " `block_hash` once, in the window of its earliest finalization")),
    BLOCK_GAS_USED(distribution("block_gas_used", "gas").human("block gas used").label("block gas")
            .definition("`gas_used` per block: node: each of its `block_finalization` events; network: each distinct"
                    + " `block_hash` once, in the window of its earliest finalization")),
    BLOCK_SIZE_BYTES(distribution("block_size_bytes", "bytes").human("block size").label("block size")
            .definition("`size_bytes` per block: node: each of its `block_finalization` events; network: each distinct"
                    + " `block_hash` once, in the window of its earliest finalization")),
    LEADER_SHARE_PCT(ratio("leader_share_pct").worse(LOWER_IS_WORSE).human("leader share").label("leader share")
            .only(KpiScope.node).reportedByOthers()
            .definition("node: distinct blocks whose `leader` it is ÷ all distinct blocks in the window × 100 (each"
                    + " `block_hash` once, at its earliest `block_finalization`; `mean` is the share, `count` all blocks)")),
    PROPOSAL_TO_VOTE_MS(latency("proposal_to_vote_ms").human("proposal to vote time").label("proposal to vote").peers()
            .definition("at each voter: its `consensus_vote` − the leader's `consensus_proposal`, same height and"
                    + " round; per voting node")),
    CONSENSUS_ROUNDS(distribution("consensus_rounds", "rounds").human("consensus rounds per height").label("rounds")
            .only(KpiScope.network).definition("per height, in the window of its first `block_finalization`: the"
                    + " highest `round` of its `consensus_proposal`, `consensus_vote` and `consensus_commit` events"
                    + " before that window's end, + 1 (1 when none has a round)")),
    ROUND_CHANGES_PER_MIN(rate("round_changes_per_min", "heights/s").human("round changes").label("round changes")
            .worse(HIGHER_IS_WORSE).only(KpiScope.network).definition("heights whose `consensus_rounds` is above 1,"
                    + " in the window of their first finalization, ÷ window seconds: per second (`rate_per_s`) like"
                    + " every rate despite the name; × 60 for per minute")),
    VOTE_PARTICIPATION_PCT(ratio("vote_participation_pct").worse(LOWER_IS_WORSE).human("vote participation")
            .label("participation").only(KpiScope.network).definition("per height, in the window of its first"
                    + " `block_finalization`: distinct nodes with a `consensus_vote` of that height before the"
                    + " window's end ÷ active validators × 100, active = distinct nodes with a `consensus_vote`,"
                    + " `consensus_commit` or `block_finalization` (any height) in that window, and the height's"
                    + " voters; the window's mean is the participation")),
    CONFLICTING_VOTES(rate("conflicting_votes", "votes/s").worse(HIGHER_IS_WORSE).human("conflicting votes")
            .label("conflicting votes").only(KpiScope.node).rulesOnly().definition("node: its `consensus_vote` events"
                    + " whose `block_hash` differs from that of the leader's `consensus_proposal` of the same chain,"
                    + " height and round, in the window of the vote: `count` the votes, `rate_per_s` ÷ window seconds;"
                    + " a vote without a proposal or a hash is not judged; one is proof of equivocation")),
    CPU_PCT(gauge("cpu_pct", "%").human("machine CPU use").label("cpu")
            .definition("`cpu_percent` of the node's resource samples: machine CPU use, 0–100 × cores")),
    PROCESS_CPU_PCT(gauge("process_cpu_pct", "%").human("node process CPU use").label("process cpu")
            .definition("`process_cpu_percent` of the node's resource samples: the node process's CPU use, 0–100 × cores")),
    RSS_BYTES(gauge("rss_bytes", "bytes").human("resident memory").label("rss")
            .definition("`rss_bytes` of the node's resource samples: resident set size of the node process")),
    HEAP_BYTES(gauge("heap_bytes", "bytes").human("heap in use").label("heap")
            .definition("`heap_used_bytes` of the node's resource samples: heap (or allocator) bytes in use by the node"
                    + " process")),
    SYSTEM_MEMORY_USED_BYTES(gauge("system_memory_used_bytes", "bytes").human("machine memory in use")
            .label("memory used").definition("`system_memory_used_bytes` of the node's resource samples: machine"
                    + " memory in use (total − available); samples without it not counted")),
    SYSTEM_MEMORY_AVAILABLE_BYTES(gauge("system_memory_available_bytes", "bytes").worse(LOWER_IS_WORSE)
            .human("machine memory available").label("memory available")
            .definition("`system_memory_available_bytes` of the node's resource samples: machine memory available"
                    + " without swapping; samples without it not counted")),
    DISK_USED_PCT(gauge("disk_used_pct", "%").human("data disk use").label("disk used")
            .definition("`disk_used_percent` of the node's resource samples: use of the data directory's file"
                    + " system, 0–100; samples without it not counted")),
    OPEN_FDS(gauge("open_fds", "fds").human("open file descriptors").label("open fds")
            .definition("`open_fds` of the node's resource samples: open file descriptors of the node process")),
    PROCESS_THREADS(gauge("process_threads", "threads").human("threads").label("threads")
            .definition("`threads` of the node's resource samples: threads of the node process; samples without it"
                    + " not counted")),
    MEMPOOL_TXS(gauge("mempool_txs", "tx").human("mempool size").label("mempool")
            .definition("`mempool_size` of the node's resource samples: transactions waiting in the node's pool")),
    PEERS_CONNECTED(gauge("peers_connected", "peers").worse(LOWER_IS_WORSE).human("peer count").label("peers")
            .definition("`peer_count` of the node's resource samples: peers connected; samples without it not"
                    + " counted")),
    DISK_READ_BYTES_PER_S(byteRate("disk_read_bytes_per_s").worse(HIGHER_IS_WORSE).human("disk reads")
            .label("disk read").definition("Σ `disk_read_bytes` of the node's resource samples in the window ÷ window"
                    + " seconds; network = sum over nodes")),
    DISK_WRITE_BYTES_PER_S(byteRate("disk_write_bytes_per_s").worse(HIGHER_IS_WORSE).human("disk writes")
            .label("disk write").definition("Σ `disk_write_bytes` of the node's resource samples in the window ÷"
                    + " window seconds; network = sum over nodes")),
    NET_RX_BYTES_PER_S(byteRate("net_rx_bytes_per_s").human("network bytes received").label("net rx")
            .definition("Σ `net_rx_bytes` of the node's resource samples in the window ÷ window seconds; network ="
                    + " sum over nodes")),
    NET_TX_BYTES_PER_S(byteRate("net_tx_bytes_per_s").human("network bytes sent").label("net tx")
            .definition("Σ `net_tx_bytes` of the node's resource samples in the window ÷ window seconds; network ="
                    + " sum over nodes")),
    CPU_USED_PCT(gauge("cpu_used_pct", "%").human("machine CPU use of all cores").label("cpu used")
            .definition("`cpu_percent` ÷ `cpu_cores` of the node's resource samples: machine CPU use as a share of all"
                    + " its cores, 0–100 (what a \"CPU > 90 %\" rule needs); samples without `cpu_cores` not counted")),
    OPEN_FDS_USED_PCT(gauge("open_fds_used_pct", "%").human("open file descriptors of the limit")
            .label("fds used").definition("`open_fds` ÷ `open_fds_limit` × 100 of the node's resource samples: how"
                    + " close the node process is to its open-files limit; samples without `open_fds_limit` not"
                    + " counted"));

    private final String metric;
    private final KpiKind kind;
    private final String unit;
    private final String human;
    private final String label;
    private final Direction worse;
    private final boolean peerComparable;
    private final boolean headline;
    private final String definition;
    private final Set<KpiScope> scopes;
    private final boolean reportedByOthers;
    private final boolean resource;
    private final boolean rulesOnly;
    private final boolean validationTime;

    Kpi(Spec spec) {
        this.metric = spec.metric;
        this.kind = spec.kind;
        this.unit = spec.unit;
        this.human = spec.human;
        this.label = spec.label;
        this.worse = spec.worse;
        this.peerComparable = spec.peers;
        this.headline = spec.headline;
        this.definition = spec.definition;
        this.scopes = spec.scopes;
        this.reportedByOthers = spec.reportedByOthers;
        this.resource = spec.resource;
        this.rulesOnly = spec.rulesOnly;
        this.validationTime = spec.validationTime;
    }

    private static Spec latency(String metric) {
        return new Spec(metric, KpiKind.LATENCY, "ms", HIGHER_IS_WORSE);
    }

    private static Spec rate(String metric, String unit) {
        return new Spec(metric, KpiKind.RATE, unit, LOWER_IS_WORSE);
    }

    private static Spec distribution(String metric, String unit) {
        return new Spec(metric, KpiKind.DISTRIBUTION, unit, HIGHER_IS_WORSE);
    }

    /**
     * A resource gauge of {@code chainpulse.resources} samples (CPU %, memory bytes, …): a distribution per window,
     * whose node windows also carry the latest sample ({@code last}).
     */
    private static Spec gauge(String metric, String unit) {
        return distribution(metric, unit).resource();
    }

    /** A byte counter of {@code chainpulse.resources} samples (bytes since the previous sample) as bytes per second. */
    private static Spec byteRate(String metric) {
        return rate(metric, "bytes/s").resource();
    }

    /** A percentage per sample (a failed complete 100, a successful one 0): the window's mean is the ratio. */
    private static Spec ratio(String metric) {
        return new Spec(metric, KpiKind.RATIO, "%", HIGHER_IS_WORSE);
    }

    /** One entry's attributes, named where they are given. */
    private static final class Spec {
        private final String metric;
        private final KpiKind kind;
        private final String unit;
        private Direction worse;
        private String human;
        private String label;
        private boolean peers;
        private boolean headline;
        private String definition;
        private Set<KpiScope> scopes = EnumSet.allOf(KpiScope.class);
        private boolean reportedByOthers;
        private boolean resource;
        private boolean rulesOnly;
        private boolean validationTime;

        Spec(String metric, KpiKind kind, String unit, Direction worse) {
            this.metric = metric;
            this.kind = kind;
            this.unit = unit;
            this.worse = worse;
        }

        Spec human(String words) {
            this.human = words;
            return this;
        }

        Spec label(String heading) {
            this.label = heading;
            return this;
        }

        Spec peers() {
            this.peers = true;
            return this;
        }

        Spec headline() {
            this.headline = true;
            return this;
        }

        Spec worse(Direction direction) {
            this.worse = direction;
            return this;
        }

        Spec only(KpiScope scope) {
            this.scopes = EnumSet.of(scope);
            return this;
        }

        Spec reportedByOthers() {
            this.reportedByOthers = true;
            return this;
        }

        Spec resource() {
            this.resource = true;
            return this;
        }

        Spec rulesOnly() {
            this.rulesOnly = true;
            return this;
        }

        Spec validationTime() {
            this.validationTime = true;
            return this;
        }

        Spec definition(String markdown) {
            this.definition = markdown;
            return this;
        }
    }

    /** The name on every record, document and series: {@code consensus_latency_ms}. */
    public String metric() {
        return metric;
    }

    public KpiKind kind() {
        return kind;
    }

    /** Display unit: {@code ms}, {@code tx/s}, {@code %}. */
    public String unit() {
        return unit;
    }

    /** Words for people: {@code consensus latency}. */
    public String human() {
        return human;
    }

    /** A short column heading: {@code consensus}, {@code tx ingress tps}. */
    public String label() {
        return label;
    }

    /** A column heading with the statistic it shows: {@code consensus p95}, {@code tps}. */
    public String heading() {
        return kind == KpiKind.RATE ? label : label + " " + kind.statistic();
    }

    /** true for the KPIs shown first: the report's per-node table, the dashboard's charts. */
    public boolean headline() {
        return headline;
    }

    public Direction worse() {
        return worse;
    }

    public boolean higherIsWorse() {
        return worse == HIGHER_IS_WORSE;
    }

    /**
     * true when one node's value can be judged against its peers' (a slow validator); false when nodes differ by
     * design (ingress depends on which node clients reach; block time is the network's).
     */
    public boolean peerComparable() {
        return peerComparable;
    }

    /** One line of Markdown: what the KPI measures, from which events. */
    public String definition() {
        return definition;
    }

    /**
     * true when a node's windows come from its own events, so that they show the node is alive; false for resource
     * KPIs ({@link #resource()}) and when other nodes' events make them ({@code leader_share_pct}: every node's
     * finalizations name the block's leader, so a silent leader keeps its share).
     */
    public boolean fromOwnEvents() {
        return !reportedByOthers && !resource;
    }

    /**
     * true for a KPI of the node's resource samples ({@code chainpulse.resources}: CPU, memory, disk, network, file
     * descriptors, mempool, peers) rather than of its protocol events. A node's resource windows do not show that its
     * protocol is alive (the collector may run while consensus is stuck), so {@link #fromOwnEvents()} is false.
     */
    public boolean resource() {
        return resource;
    }

    /**
     * true when only the rules that name it judge it, not the learned detectors' defaults (baseline, trend): a count
     * whose healthy value is 0 and whose every non-zero value is a fault ({@code conflicting_votes}) has no baseline
     * to learn, and its drop is not a loss. Resource KPIs are judged by their rules only as well ({@link #resource()}).
     */
    public boolean rulesOnly() {
        return rulesOnly || resource;
    }

    /**
     * true for the time a node takes to validate what it is sent — transactions ({@code tx_validation_ms}) and
     * consensus messages ({@code consensus_latency_ms}): its own verification work, which a slow or overloaded
     * validator does slowly in both. The anomaly detector judges a node's validation times together, as
     * {@code validation_failure_pct} counts its validation failures together.
     */
    public boolean validationTime() {
        return validationTime;
    }

    /** The KPIs that are a node's validation times ({@link #validationTime()}), in catalog order. */
    public static List<Kpi> validationTimes() {
        return Arrays.stream(values()).filter(Kpi::validationTime).toList();
    }

    /** The resource KPIs, in catalog order. */
    public static List<Kpi> resources() {
        return Arrays.stream(values()).filter(Kpi::resource).toList();
    }

    /** The scopes it is computed for. */
    public Set<KpiScope> scopes() {
        return scopes;
    }

    /**
     * The Pushgateway series name, in Prometheus base units: {@code consensus_latency_ms} →
     * {@code chainpulse_consensus_latency_seconds}, {@code tx_failure_pct} → {@code chainpulse_tx_failure_ratio},
     * {@code tps} → {@code chainpulse_tps}.
     */
    public String prometheusName() {
        return prometheusName(metric, "");
    }

    /** The series of one statistic: {@code prometheusName("_max")} → {@code chainpulse_consensus_latency_max_seconds}. */
    public String prometheusName(String statistic) {
        return prometheusName(metric, statistic);
    }

    /** Factor from the KPI's unit to its series' (1e-3 for milliseconds → seconds, 0.01 for percent → ratio). */
    public double prometheusScale() {
        return prometheusScale(metric);
    }

    /** The naming rule for any metric name, in the catalog or not (a newer processor's KPI). */
    public static String prometheusName(String metric, String statistic) {
        for (String[] unit : BASE_UNITS) {
            if (metric.endsWith(unit[0])) {
                return "chainpulse_" + metric.substring(0, metric.length() - unit[0].length()) + statistic + unit[1];
            }
        }
        return "chainpulse_" + metric + statistic;
    }

    /** The scale of the naming rule for any metric name. */
    public static double prometheusScale(String metric) {
        for (String[] unit : BASE_UNITS) {
            if (metric.endsWith(unit[0])) {
                return Double.parseDouble(unit[2]);
            }
        }
        return 1;
    }

    /** Name suffix, Prometheus base-unit suffix, scale. */
    private static final String[][] BASE_UNITS = {{"_ms", "_seconds", "1e-3"}, {"_pct", "_ratio", "0.01"}};

    /** The KPI called {@code metric}, if the catalog has one. */
    public static Optional<Kpi> byMetric(String metric) {
        for (Kpi kpi : values()) {
            if (kpi.metric.equals(metric)) {
                return Optional.of(kpi);
            }
        }
        return Optional.empty();
    }

    /** The KPI called {@code metric}; an {@link IllegalArgumentException} naming the known ones otherwise. */
    public static Kpi of(String metric) {
        return byMetric(metric).orElseThrow(() -> new IllegalArgumentException(
                "unknown KPI '" + metric + "' (known: " + String.join(", ", metrics()) + ")"));
    }

    /** Every KPI name, in catalog order. */
    public static List<String> metrics() {
        return Arrays.stream(values()).map(Kpi::metric).toList();
    }

    /** The names of the KPIs of {@code kind}, in catalog order. */
    public static List<String> metrics(KpiKind kind) {
        return Arrays.stream(values()).filter(k -> k.kind == kind).map(Kpi::metric).toList();
    }
}
