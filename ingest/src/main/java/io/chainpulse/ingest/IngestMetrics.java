package io.chainpulse.ingest;

import io.chainpulse.sdk.SdkMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * The sidecar's metrics, per followed path (label {@code file}: the name a file was found under, so a rotated file
 * and its successor share one series; bounded by the files the glob matches):
 * {@code chainpulse_ingest_lines_read_total}, {@code chainpulse_ingest_events_published_total} (acknowledged by
 * Kafka), {@code chainpulse_ingest_lines_rejected_total}, {@code chainpulse_ingest_lag_bytes} (bytes not read yet);
 * {@code chainpulse_ingest_republish_skipped_total} (lines after the checkpoint found on the topic at restart);
 * {@code chainpulse_ingest_http_responses_total{status}} and {@code chainpulse_ingest_http_events_accepted_total};
 * and the SDK's own ({@link SdkMetrics}). Never throws into the host.
 *
 * <pre>{@code
 * new IngestMetrics(ingest).bindTo(registry);
 * }</pre>
 */
public final class IngestMetrics implements MeterBinder, AutoCloseable {
    private static final int[] STATUSES = {202, 400, 401, 404, 405, 413, 429, 503};

    private final Ingest ingest;
    private final SdkMetrics sdkMetrics;
    private final List<Meter> meters = new CopyOnWriteArrayList<>();
    private volatile MeterRegistry registry;

    public IngestMetrics(Ingest ingest) {
        this.ingest = ingest;
        this.sdkMetrics = new SdkMetrics(ingest.sdk());
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = registry;
        sdkMetrics.bindTo(registry);
        HttpIngest http = ingest.http();
        if (http != null) {
            for (int status : STATUSES) {
                LongAdder count = http.responses().computeIfAbsent(status, s -> new LongAdder());
                meters.add(FunctionCounter.builder("chainpulse.ingest.http.responses", count, LongAdder::sum)
                        .description("HTTP answers of POST /v1/events by status").tag("status", String.valueOf(status))
                        .register(registry));
            }
            meters.add(FunctionCounter.builder("chainpulse.ingest.http.events.accepted", http, HttpIngest::eventsAccepted)
                    .description("Events of batches answered 202").register(registry));
        }
        meters.add(Gauge.builder("chainpulse.ingest.recovered", ingest, i -> i.recovered() ? 1 : 0)
                .description("1 once the checkpoint is restored and files are followed").register(registry));
        // the follower exists once recovery is done: bind its series then, and each new path as it appears
        Thread binder = new Thread(this::bindFollowerWhenReady, "chainpulse-ingest-metrics");
        binder.setDaemon(true);
        binder.start();
    }

    private void bindFollowerWhenReady() {
        while (ingest.follower() == null) {
            if (!ingest.healthy()) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
        }
        FileFollower follower = ingest.follower();
        MeterRegistry r = registry;
        meters.add(FunctionCounter.builder("chainpulse.ingest.republish.skipped", follower,
                        FileFollower::skippedAsPublished)
                .description("Lines after the checkpoint whose event was already on the topic at restart").register(r));
        follower.onNewPath(this::bindPath);
        follower.stats().keySet().forEach(this::bindPath);
    }

    private synchronized void bindPath(String path) {
        FileFollower follower = ingest.follower();
        FileFollower.PathStats s = follower.stats().get(path);
        MeterRegistry r = registry;
        if (s == null || r == null || r.find("chainpulse.ingest.lines.read").tag("file", path).meter() != null) {
            return;
        }
        meters.add(FunctionCounter.builder("chainpulse.ingest.lines.read", s, x -> x.linesRead.sum())
                .description("Non-blank lines read").tag("file", path).register(r));
        meters.add(FunctionCounter.builder("chainpulse.ingest.events.published", s, x -> x.published.sum())
                .description("Events acknowledged by Kafka").tag("file", path).register(r));
        meters.add(FunctionCounter.builder("chainpulse.ingest.lines.rejected", s, x -> x.rejected.sum())
                .description("Lines that are not valid events, written to the rejects file").tag("file", path)
                .register(r));
        meters.add(Gauge.builder("chainpulse.ingest.lag", follower, f -> f.lagBytes(path)).baseUnit("bytes")
                .description("Bytes of the file not read yet").tag("file", path).register(r));
    }

    @Override
    public void close() {
        MeterRegistry r = registry;
        if (r != null) {
            meters.forEach(r::remove);
        }
        sdkMetrics.close();
    }
}
