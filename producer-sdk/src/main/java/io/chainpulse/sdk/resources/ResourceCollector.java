package io.chainpulse.sdk.resources;

import io.chainpulse.schema.NodeResourceSample;
import io.chainpulse.sdk.ErrorListener;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples a process and its host every {@code interval} on its own daemon thread and hands each
 * {@link NodeResourceSample} to a sink. {@link io.chainpulse.sdk.ChainPulseSdk.Builder#collectResources} runs one
 * for the node's own JVM; {@code ./chainpulse collect} runs one for another process (a node not written in Java).
 *
 * <pre>{@code
 * ResourceCollector collector = ResourceCollector.builder("validator-3", Duration.ofSeconds(5))
 *         .process(pid).dataDirectory(Path.of("/var/lib/node"))
 *         .start(sdk::recordResources);
 * …
 * collector.close();
 * }</pre>
 *
 * <p>The first reading, taken at start, is the baseline and is not published: CPU percentages and the byte deltas
 * need two readings. The first sample follows one interval later, then one every interval; so a collector that ran
 * for {@code d} publishes {@code floor(d / interval)} samples. When the thread was starved (a stalled machine) and
 * runs late, a tick that comes less than half an interval after the previous reading is skipped rather than
 * publishing the noise of a few milliseconds; {@code sample_interval_ns} of the next sample says how long it covers.
 *
 * <p>Never throws into its caller and never stops on a failure: a probe that fails (a permission denied, a file
 * missing) is counted ({@link #probeFailures()}) and reported to the {@link ErrorListener} once, until it works
 * again; the sample goes out with what worked (0 in a required field, {@code null} in an optional one). When the
 * process is gone, nothing more is published, {@code onProcessGone} runs once and the collector stops.
 */
public final class ResourceCollector implements AutoCloseable {
    /**
     * 1 s: OSHI caches the machine's CPU ticks and memory for 300 ms, so readings closer than that would repeat the
     * previous ones (a CPU of 0 %).
     */
    public static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
    public static final Duration MAX_INTERVAL = Duration.ofHours(1);
    private static final Logger LOG = LoggerFactory.getLogger(ResourceCollector.class);

    private final String nodeId;
    private final String chainId;
    private final Supplier<Probe> probeFactory;
    private final Supplier<NodeGauges> gauges;
    private final ErrorListener errors;
    private final Runnable onProcessGone;
    private final Consumer<NodeResourceSample> sink;
    private final long minGapNanos;
    private final ScheduledThreadPoolExecutor thread;
    private final LongAdder samples = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final Map<String, LongAdder> failuresByProbe = new ConcurrentHashMap<>();
    // touched by the collector thread only
    private final Set<String> failing = new HashSet<>();
    private Probe probe;
    private Reading previous;
    private volatile boolean gone;

    private ResourceCollector(Builder b, Supplier<Probe> probeFactory, Consumer<NodeResourceSample> sink) {
        this.nodeId = b.nodeId;
        this.chainId = b.chainId;
        this.probeFactory = probeFactory;
        this.gauges = b.gauges;
        this.errors = b.errorListener;
        this.onProcessGone = b.onProcessGone;
        this.sink = sink;
        this.thread = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "chainpulse-resources-" + nodeId);
            t.setDaemon(true);
            return t;
        });
        thread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        thread.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        long nanos = b.interval.toNanos();
        this.minGapNanos = nanos / 2;
        thread.scheduleAtFixedRate(this::tick, 0, nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * @param nodeId   the node id written into every sample (the SDK's builder and {@code collect} check it)
     * @param interval between samples, {@link #MIN_INTERVAL} to {@link #MAX_INTERVAL}
     * @throws IllegalArgumentException when the interval is out of range, naming it
     */
    public static Builder builder(String nodeId, Duration interval) {
        return new Builder(nodeId, checkInterval(interval));
    }

    /** For tests of the collector's logic with a scripted {@link Probe}: any positive interval. */
    static Builder builderForTest(String nodeId, Duration interval) {
        return new Builder(nodeId, interval);
    }

    /**
     * Checks a sampling interval where it enters.
     *
     * @throws IllegalArgumentException naming the interval when it is shorter than {@link #MIN_INTERVAL} or longer
     *     than {@link #MAX_INTERVAL}
     */
    public static Duration checkInterval(Duration interval) {
        Objects.requireNonNull(interval, "interval");
        if (interval.compareTo(MIN_INTERVAL) < 0 || interval.compareTo(MAX_INTERVAL) > 0) {
            throw new IllegalArgumentException("resource sampling interval must be between 1 s and 1 h: "
                    + (interval.isNegative() ? "-" : "") + interval.abs().toMillis() + " ms");
        }
        return interval;
    }

    /** Samples published so far. */
    public long samples() {
        return samples.sum();
    }

    /** Probe failures so far, every reading counted (a probe failing in 10 readings counts 10). */
    public long probeFailures() {
        return failures.sum();
    }

    /** {@link #probeFailures()} by probe ({@code process cpu}, {@code network}, {@code gauges}…). */
    public Map<String, Long> probeFailuresByProbe() {
        Map<String, Long> counts = new java.util.TreeMap<>();
        failuresByProbe.forEach((probe, count) -> counts.put(probe, count.sum()));
        return counts;
    }

    /** True once the sampled process was found gone. */
    public boolean processGone() {
        return gone;
    }

    /** Stops sampling; a sample being taken is finished (and handed to the sink) first, for up to 5 s. */
    @Override
    public void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void tick() {
        try {
            if (probe == null) {
                probe = probeFactory.get();
            }
            if (previous != null && System.nanoTime() - previous.nanoTime() < minGapNanos) {
                // a starved thread catching up on missed ticks: a few ms of deltas would be noise, not a sample
                return;
            }
            Set<String> failedNow = new HashSet<>();
            Reading current = probe.read((name, cause) -> {
                if (failedNow.add(name)) {
                    failed(name, cause);
                }
            });
            if (current == null) {
                processEnded();
                return;
            }
            NodeGauges nodeGauges = readGauges(failedNow);
            if (previous != null) {
                sink.accept(Samples.between(nodeId, chainId, previous, current, nodeGauges));
                samples.increment();
            }
            previous = current;
            for (String recovered : Set.copyOf(failing)) {
                if (!failedNow.contains(recovered)) {
                    failing.remove(recovered);
                    LOG.info("ChainPulse resource collector of {}: probe '{}' works again", nodeId, recovered);
                }
            }
        } catch (RuntimeException | LinkageError e) {
            // a periodic task that throws is never run again: keep the collector alive
            failed(probe == null ? "start" : "sample", e);
        }
    }

    private NodeGauges readGauges(Set<String> failedNow) {
        if (gauges == null) {
            return null;
        }
        try {
            return gauges.get();
        } catch (RuntimeException e) {
            failedNow.add("gauges");
            failed("gauges", e);
            return null;
        }
    }

    private void failed(String name, Throwable cause) {
        failures.increment();
        failuresByProbe.computeIfAbsent(name, k -> new LongAdder()).increment();
        if (failing.add(name)) {
            report("resource probe '" + name + "' of node " + nodeId + " failed: " + cause
                    + " (samples go out without it; reported once until it works again)", cause);
        }
    }

    private void processEnded() {
        gone = true;
        thread.shutdown();
        if (onProcessGone != null) {
            try {
                onProcessGone.run();
            } catch (RuntimeException e) {
                LOG.warn("ChainPulse resource collector of {}: onProcessGone threw; ignoring it", nodeId, e);
            }
        }
    }

    private void report(String message, Throwable cause) {
        try {
            errors.onError(message, cause);
        } catch (RuntimeException e) {
            LOG.warn("ChainPulse resource collector error listener threw; ignoring it", e);
        }
    }

    /** Settings of a {@link ResourceCollector}; {@link #start} begins sampling. */
    public static final class Builder {
        private final String nodeId;
        private final Duration interval;
        private String chainId;
        private long pid = -1;
        private Path dataDirectory = Path.of(".");
        private Supplier<NodeGauges> gauges;
        private ErrorListener errorListener = (message, cause) -> LOG.warn("ChainPulse: {}", message);
        private Runnable onProcessGone;
        private Clock clock = Clock.systemUTC();

        private Builder(String nodeId, Duration interval) {
            this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
            this.interval = interval;
        }

        public Builder chainId(String chainId) {
            this.chainId = chainId;
            return this;
        }

        /** The process to sample (default: this JVM, whose heap is sampled too). */
        public Builder process(long pid) {
            if (pid <= 0) {
                throw new IllegalArgumentException("pid must be > 0: " + pid);
            }
            this.pid = pid;
            return this;
        }

        /** The directory whose file system's use is reported (default: the working directory). */
        public Builder dataDirectory(Path directory) {
            this.dataDirectory = Objects.requireNonNull(directory, "dataDirectory");
            return this;
        }

        /** What only the node knows, read once per sample on the collector's thread ({@link NodeGauges}). */
        public Builder gauges(Supplier<NodeGauges> gauges) {
            this.gauges = Objects.requireNonNull(gauges, "gauges");
            return this;
        }

        public Builder errorListener(ErrorListener listener) {
            this.errorListener = Objects.requireNonNull(listener, "errorListener");
            return this;
        }

        /** Run once, on the collector's thread, when the sampled process is found gone. */
        public Builder onProcessGone(Runnable action) {
            this.onProcessGone = Objects.requireNonNull(action, "onProcessGone");
            return this;
        }

        Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** Starts sampling on the collector's own daemon thread; the first sample comes one interval later. */
        public ResourceCollector start(Consumer<NodeResourceSample> sink) {
            Objects.requireNonNull(sink, "sink");
            long p = pid;
            Path dir = dataDirectory;
            Clock c = clock;
            return new ResourceCollector(this, () -> new OshiProbe(p, dir, c), sink);
        }

        /** For tests of the collector's logic: readings from {@code probe}. */
        ResourceCollector start(Probe probe, Consumer<NodeResourceSample> sink) {
            return new ResourceCollector(this, () -> probe, sink);
        }
    }
}
