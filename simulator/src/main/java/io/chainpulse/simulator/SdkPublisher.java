package io.chainpulse.simulator;

import io.chainpulse.sdk.ChainPulseSdk;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Publishes a simulated network through the real producer SDK, one {@link ChainPulseSdk} per validator (as each node
 * would embed its own), either as fast as the SDKs accept events or paced like a live network. Each validator's
 * resource samples go through its SDK too ({@code recordResources}, to the resources topic).
 *
 * <pre>{@code
 * try (SdkPublisher publisher = new SdkPublisher(new NetworkSimulator(scenario, startMs),
 *         node -> ChainPulseSdk.builder().nodeId(node).chainId(scenario.chainId())
 *                 .bootstrapServers(kafka).schemaRegistryUrl(registry).spoolDirectory(spool).build())) {
 *     publisher.run(1.0);          // real time; 0 = as fast as possible; 10 = ten times faster than real time
 * }
 * }</pre>
 *
 * <p>{@link #stop()} (from any thread) ends {@link #run} at the next event; {@link #close()} flushes and closes the
 * SDKs, so what Kafka has not acknowledged stays in their spools.
 */
public final class SdkPublisher implements AutoCloseable {
    private final NetworkSimulator simulator;
    private final Map<String, ChainPulseSdk> sdks = new LinkedHashMap<>();
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong publishedSamples = new AtomicLong();
    private volatile boolean stopped;

    public SdkPublisher(NetworkSimulator simulator, Function<String, ChainPulseSdk> sdkForNode) {
        this.simulator = simulator;
        for (String node : simulator.nodes()) {
            sdks.put(node, sdkForNode.apply(node));
        }
    }

    /**
     * Generates the scenario into the SDKs until it ends or {@link #stop()} is called.
     *
     * @param speed 0 for as fast as possible; otherwise simulated seconds per wall-clock second (1 = real time). When
     *     paced, events and samples carry the simulator's timestamps and are sent when the wall clock, scaled, reaches
     *     them.
     * @return events published by this call (resource samples not counted: {@link #publishedSamples()})
     */
    public long run(double speed) throws InterruptedException {
        if (speed < 0 || Double.isNaN(speed)) {
            throw new IllegalArgumentException("speed must be >= 0 (0 = as fast as possible): " + speed);
        }
        long wallStartMs = System.currentTimeMillis();
        long simStartMs = simulator.startEpochMs();
        long before = published.get();
        try {
            simulator.run(event -> {
                awaitDue(event.getTimestampNs(), speed, wallStartMs, simStartMs);
                if (!sdks.get(event.getNodeId()).recordWaiting(event)) {
                    throw new Stopped(); // the SDK was closed under us
                }
                published.incrementAndGet();
            }, sample -> {
                awaitDue(sample.getTimestampNs(), speed, wallStartMs, simStartMs);
                if (!sdks.get(sample.getNodeId()).recordWaiting(sample)) {
                    throw new Stopped();
                }
                publishedSamples.incrementAndGet();
            });
        } catch (Stopped e) {
            // stop() or close(): end quietly, what was recorded is in the SDKs
        } catch (Interrupted e) {
            throw new InterruptedException("simulation interrupted after " + published.get() + " events");
        }
        return published.get() - before;
    }

    private void awaitDue(long timestampNs, double speed, long wallStartMs, long simStartMs) {
        if (stopped) {
            throw new Stopped();
        }
        if (speed > 0) {
            sleepUntil(wallStartMs + (long) ((timestampNs / 1_000_000L - simStartMs) / speed));
        }
    }

    private void sleepUntil(long dueMs) {
        long wait;
        while (!stopped && (wait = dueMs - System.currentTimeMillis()) > 0) {
            try {
                Thread.sleep(Math.min(wait, 200));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Interrupted();
            }
        }
    }

    /** Ends {@link #run} at the next event. */
    public void stop() {
        stopped = true;
    }

    /** Events handed to the SDKs so far. */
    public long published() {
        return published.get();
    }

    /** Resource samples handed to the SDKs so far. */
    public long publishedSamples() {
        return publishedSamples.get();
    }

    /** The SDK of each validator, e.g. for their {@code stats()}. */
    public Map<String, ChainPulseSdk> sdks() {
        return java.util.Collections.unmodifiableMap(sdks);
    }

    /**
     * Waits up to {@code timeout} for every SDK to have its events acknowledged by Kafka.
     *
     * @return true when all were acknowledged
     */
    public boolean flush(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean all = true;
        for (ChainPulseSdk sdk : sdks.values()) {
            all &= sdk.flush(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
        return all;
    }

    @Override
    public void close() {
        stopped = true;
        sdks.values().forEach(ChainPulseSdk::close);
    }

    private static final class Stopped extends RuntimeException {
        Stopped() {
            super(null, null, false, false);
        }
    }

    private static final class Interrupted extends RuntimeException {
        Interrupted() {
            super(null, null, false, false);
        }
    }
}
