package io.chainpulse.anomaly;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.catalog.Kpi;
import io.chainpulse.schema.catalog.KpiKind;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * The causes named in an alert: when a latency or throughput incident of a node fires, its description and suggested
 * actions cite that node's resource KPIs of the anomaly's window (or a later one) against the network median, and say
 * which resource is the likely cause — or that its resources are normal and the cause lies with its peers or the
 * network. A node with no resource KPIs known gets nothing extra.
 *
 * <pre>
 * p95 consensus latency 2600 ms on v3, above 2000 ms; CPU max 97.3 % (network median 2.4 %) → CPU-bound
 * p95 consensus latency 2600 ms on v3, above 2000 ms; resources normal (CPU max 2.6 % (network median 2.4 %); ...) → look at peers and the network
 * p95 consensus latency 2600 ms on v3, above 2000 ms; resources of v3 for 22:13:20–22:13:30 UTC not reported
 * </pre>
 *
 * <p>The anomaly topology partitions by metric, so a node's consensus latency and its CPU are judged in different
 * tasks. The few resource KPIs cited ({@link Reading}) are therefore sent, besides their own record, as a context copy
 * (key {@value #CONTEXT_PREFIX} + metric) to <em>every</em> partition of the metric repartition ({@link Broadcast}):
 * each task remembers each node's latest reading of each ({@link Seen}, nodes × {@value #READINGS} entries) and
 * judges nothing on it. A node's resource window closes up to a sample after its protocol window of the same time, so
 * a firing transition may wait a little for it ({@link ResourceWait}); only readings of the anomaly's window or later
 * are cited, never an older window's (which can predate the fault). Transitions are made exactly as before; only the
 * text of a FIRING one grows, so nothing is lost or repeated, and without resource KPIs on the topic the output is the
 * same as without this class.
 */
final class NodeResources {
    /** Key prefix of a context copy on the metric repartition; metric names never hold a '|'. */
    static final String CONTEXT_PREFIX = "resources|";
    /** Other nodes' readings count for the median when within this many windows of the node's. */
    private static final int MEDIAN_WINDOWS = 3;
    private static final int READINGS = 6;

    /** The resource KPIs an alert cites, the statistic read, and from which level each is the likely cause. */
    enum Reading {
        /**
         * The window's busiest sample: with a sample every 5 s a 10 s window's p95 is its lower sample, and resource
         * windows trail the protocol's by up to a sample, so the first window of a saturation shows in the max only.
         */
        CPU(Kpi.CPU_USED_PCT, Statistic.MAX, "CPU max"),
        MEMORY_AVAILABLE(Kpi.SYSTEM_MEMORY_AVAILABLE_BYTES, Statistic.MEAN, "memory available"),
        MEMORY_USED(Kpi.SYSTEM_MEMORY_USED_BYTES, Statistic.MEAN, "memory used"),
        DISK(Kpi.DISK_USED_PCT, Statistic.MAX, "disk"),
        FDS(Kpi.OPEN_FDS_USED_PCT, Statistic.MAX, "open fds"),
        PEERS(Kpi.PEERS_CONNECTED, Statistic.MEAN, "peers");

        final Kpi kpi;
        final Statistic statistic;
        final String label;

        Reading(Kpi kpi, Statistic statistic, String label) {
            this.kpi = kpi;
            this.statistic = statistic;
            this.label = label;
        }

        static Optional<Reading> of(String metric) {
            return Arrays.stream(values()).filter(r -> r.kpi.metric().equals(metric)).findFirst();
        }
    }

    /** CPU use (% of all cores, the window's max) from which a node is CPU-bound. */
    static final double CPU_BOUND_PCT = 90;
    /** Machine memory available, % of the machine's, below which a node is short of memory. */
    static final double MEMORY_SHORT_PCT = 10;
    static final double DISK_FULL_PCT = 90;
    static final double FDS_NEAR_LIMIT_PCT = 80;
    /** A node with fewer than this share of the network median's peers is short of peers. */
    static final double FEW_PEERS_SHARE = 0.5;

    private static final DateTimeFormatter WINDOW_CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    /** A node's latest window of one cited resource KPI. */
    record Seen(long windowStartMs, long windowEndMs, double value) {}

    /** What the task remembers: a node's latest reading of a KPI, and every node's. */
    interface Memory {
        Seen get(Reading reading, String node);

        /** node → latest reading, every node that has one. */
        Map<String, Seen> all(Reading reading);
    }

    private NodeResources() {}

    /** The key of a node's reading in the store: {@code metric|node}. */
    static String storeKey(Reading reading, String node) {
        return reading.kpi.metric() + '|' + node;
    }

    /** The records a final KPI window becomes on the metric repartition: itself, and its context copy if cited. */
    static List<org.apache.kafka.streams.KeyValue<String, KpiWindow>> keyed(KpiWindow kpi) {
        org.apache.kafka.streams.KeyValue<String, KpiWindow> own = org.apache.kafka.streams.KeyValue.pair(
                Metrics.partitionKey(kpi.getMetric()), kpi);
        if (!isCited(kpi)) {
            return List.of(own);
        }
        return List.of(own, org.apache.kafka.streams.KeyValue.pair(CONTEXT_PREFIX + kpi.getMetric(), kpi));
    }

    static boolean isContext(String key) {
        return key != null && key.startsWith(CONTEXT_PREFIX);
    }

    private static boolean isCited(KpiWindow kpi) {
        return kpi.getScope() == KpiScope.node && kpi.getNodeId() != null && !kpi.getNodeId().isEmpty()
                && Reading.of(kpi.getMetric()).isPresent();
    }

    /** The reading a context copy leaves in the store, if its statistic is present. */
    static Optional<Seen> seen(KpiWindow kpi) {
        return Reading.of(kpi.getMetric()).flatMap(r -> r.statistic.of(kpi))
                .map(v -> new Seen(kpi.getWindowStartMs(), kpi.getWindowEndMs(), v));
    }

    /** Sends context copies to every partition; everything else where the default partitioner would. */
    static final class Broadcast implements StreamPartitioner<String, KpiWindow> {
        @Override
        public Optional<Set<Integer>> partitions(String topic, String key, KpiWindow value, int numPartitions) {
            if (isContext(key)) {
                return Optional.of(IntStream.range(0, numPartitions).boxed().collect(Collectors.toSet()));
            }
            return Optional.empty(); // the producer's partitioner: murmur2 of the key, as without this class
        }
    }

    /** true for a transition whose text names causes: a node's latency or throughput incident firing. */
    static boolean explains(Anomaly anomaly) {
        if (anomaly.getState() != AnomalyState.FIRING || anomaly.getScope() != KpiScope.node
                || anomaly.getNodeId() == null) {
            return false;
        }
        return Kpi.byMetric(anomaly.getMetric())
                .map(k -> !k.rulesOnly() && (k.kind() == KpiKind.LATENCY || k.kind() == KpiKind.RATE))
                .orElse(false);
    }

    /**
     * true when every resource KPI cited that {@code node} has ever reported has a window starting at or after
     * {@code windowStartMs}: its resources of that window have arrived (true, too, for a node that reports none).
     */
    static boolean arrived(String node, long windowStartMs, Memory memory) {
        return Arrays.stream(Reading.values()).map(r -> memory.get(r, node))
                .allMatch(seen -> seen == null || seen.windowStartMs() >= windowStartMs);
    }

    /**
     * true when {@code anomaly} names causes ({@link #explains}) and its node reports resources, but not yet of the
     * anomaly's window: publishing it now would cite an older window, or none.
     */
    static boolean waits(Anomaly anomaly, Memory memory) {
        if (!explains(anomaly)) {
            return false;
        }
        String node = anomaly.getNodeId();
        boolean reports = Arrays.stream(Reading.values()).anyMatch(r -> memory.get(r, node) != null);
        return reports && !arrived(node, anomaly.getWindowStartMs(), memory);
    }

    /**
     * {@code anomaly} with the node's resources of its window (or a later one) cited in its description and the
     * likely cause's action first, when {@link #explains} applies and the node has resource readings; otherwise
     * {@code anomaly} itself. A reading only known from an older window is not judged: "CPU max not reported", or,
     * when none is of the window, "resources of v3 for 22:13:20–22:13:30 UTC not reported".
     *
     * @param windowSizeMs the anomaly's window size, to name the window whose resources are missing
     */
    static Anomaly explain(Anomaly anomaly, Memory memory, long windowSizeMs) {
        if (!explains(anomaly)) {
            return anomaly;
        }
        String node = anomaly.getNodeId();
        long window = anomaly.getWindowStartMs();
        List<String> cited = new ArrayList<>();
        List<String> causes = new ArrayList<>();
        List<String> actions = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        Map<Reading, Seen> fresh = new EnumMap<>(Reading.class);
        for (Reading reading : Reading.values()) {
            Seen seen = memory.get(reading, node);
            if (seen != null && seen.windowStartMs() >= window) {
                fresh.put(reading, seen);
            } else if (seen != null) {
                stale.add(reading.label + " not reported");
            }
        }
        if (fresh.isEmpty() && stale.isEmpty()) {
            return anomaly; // nothing known about the node's resources: say nothing
        }
        if (fresh.isEmpty()) {
            String description = anomaly.getDescription() + "; resources of " + node + " for "
                    + WINDOW_CLOCK.format(Instant.ofEpochMilli(window)) + "–"
                    + WINDOW_CLOCK.format(Instant.ofEpochMilli(window + windowSizeMs)) + " UTC not reported";
            List<String> all = new ArrayList<>();
            all.add("Resources of " + node + " were not reported for this window: check its resource collector (the"
                    + " SDK's collectResources or chainpulse collect), and its CPU, memory and peers on the machine");
            all.addAll(anomaly.getSuggestedActions());
            return Anomaly.newBuilder(anomaly).setDescription(description).setSuggestedActions(all).build();
        }
        Seen cpu = fresh.get(Reading.CPU);
        if (cpu != null) {
            cited.add(citation(Reading.CPU, cpu, memory));
            if (cpu.value() >= CPU_BOUND_PCT) {
                causes.add("CPU-bound");
                actions.add(node + " is CPU-bound: find what takes the machine's CPU (top -H; the node's process CPU"
                        + " next to the machine's) and add cores or move other work off the machine");
            }
        }
        Seen available = fresh.get(Reading.MEMORY_AVAILABLE);
        Seen used = fresh.get(Reading.MEMORY_USED);
        if (available != null) {
            cited.add(citation(Reading.MEMORY_AVAILABLE, available, memory));
            if (used != null && available.value() + used.value() > 0
                    && available.value() * 100 / (available.value() + used.value()) < MEMORY_SHORT_PCT) {
                causes.add("short of memory");
                actions.add(node + " is short of memory: check for swapping and the OOM killer (dmesg), and what"
                        + " holds the memory (the node's resident memory, other processes)");
            }
        }
        Seen disk = fresh.get(Reading.DISK);
        if (disk != null && disk.value() >= DISK_FULL_PCT) {
            cited.add(citation(Reading.DISK, disk, memory));
            causes.add("data disk nearly full");
            actions.add(node + "'s data disk is nearly full: free space or grow it before writes fail");
        }
        Seen fds = fresh.get(Reading.FDS);
        if (fds != null && fds.value() >= FDS_NEAR_LIMIT_PCT) {
            cited.add(citation(Reading.FDS, fds, memory));
            causes.add("near its open-files limit");
            actions.add(node + " is near its open-files limit: it may refuse peers; raise the limit or find the leak");
        }
        Seen peers = fresh.get(Reading.PEERS);
        if (peers != null) {
            double median = median(Reading.PEERS, peers, memory);
            if (median >= 2 && peers.value() < FEW_PEERS_SHARE * median) {
                cited.add(citation(Reading.PEERS, peers, memory));
                causes.add("few peers");
                actions.add(node + " has few peers: check its peer list, firewall and network link");
            }
        }
        cited.addAll(stale);
        String description = anomaly.getDescription() + "; " + (causes.isEmpty()
                ? "resources normal (" + String.join("; ", cited) + ") → look at peers and the network"
                : String.join("; ", cited) + " → " + String.join(", ", causes));
        if (causes.isEmpty()) {
            actions.add("Resources of " + node + " are normal: look at its peers and the network (its propagation"
                    + " delay and peer count, the leaders it waits for)");
        }
        List<String> all = new ArrayList<>(actions);
        all.addAll(anomaly.getSuggestedActions());
        return Anomaly.newBuilder(anomaly).setDescription(description).setSuggestedActions(all).build();
    }

    /** {@code CPU max 97.3 % (network median 41.0 %)}; the median is left out when the node is alone. */
    private static String citation(Reading reading, Seen seen, Memory memory) {
        String metric = reading.kpi.metric();
        StringBuilder text = new StringBuilder(reading.label).append(' ').append(format(metric, seen.value()));
        Map<String, Seen> all = memory.all(reading);
        if (peersNear(all, seen).size() >= 2) {
            text.append(" (network median ").append(format(metric, median(reading, seen, memory))).append(')');
        }
        return text.toString();
    }

    private static double median(Reading reading, Seen seen, Memory memory) {
        List<Double> values = peersNear(memory.all(reading), seen);
        return values.isEmpty() ? seen.value()
                : PeerOutlierDetector.median(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** Every node's latest reading within {@value #MEDIAN_WINDOWS} windows of {@code seen}. */
    private static List<Double> peersNear(Map<String, Seen> all, Seen seen) {
        long size = Math.max(1, seen.windowEndMs() - seen.windowStartMs());
        return all.values().stream()
                .filter(s -> Math.abs(s.windowStartMs() - seen.windowStartMs()) <= MEDIAN_WINDOWS * size)
                .map(Seen::value).toList();
    }

    private static String format(String metric, double value) {
        return Kpi.of(metric).unit().equals("bytes") ? MemoryLeakDetector.bytes(value)
                : Metrics.number(value) + Metrics.unit(metric).replace(" peers", "");
    }
}
