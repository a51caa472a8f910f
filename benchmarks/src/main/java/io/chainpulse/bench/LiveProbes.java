package io.chainpulse.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chainpulse.bench.BenchResult.Percentiles;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.serde.AvroSerde;
import io.chainpulse.sink.es.Documents;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * What the live phase measures from the outside, the way a user sees it:
 * <ul>
 *   <li>a read_committed consumer of the KPI topic notes, for every final window, the wall-clock time it arrived
 *       minus the window's end, and spreads the window's samples evenly over the window for event → final KPI (the
 *       live load is paced evenly, so an event at offset u of the window waited {@code arrival − start − u});</li>
 *   <li>a searcher asks Elasticsearch every 100 ms for the ids of the KPI documents not yet seen (a search, so
 *       only refreshed, searchable documents count) and notes found time minus window end.</li>
 * </ul>
 * Only windows starting at or after {@code measureFromMs} count, so that the processor's start-up does not skew the
 * figures.
 */
final class LiveProbes implements AutoCloseable {
    private static final int SAMPLE_POINTS = 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final long measureFromMs;
    private final Histogram eventToKpi = new Histogram(3_600_000L, 3);
    private final Histogram windowToKpi = new Histogram(3_600_000L, 3);
    private final Histogram windowToNetworkKpi = new Histogram(3_600_000L, 3);
    private final Histogram windowToSearchable = new Histogram(3_600_000L, 3);
    private final Map<String, Long> pendingDocs = new ConcurrentHashMap<>();
    private final AtomicLong finalRecords = new AtomicLong();
    private final AtomicLong docsProbed = new AtomicLong();
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Deserializer<KpiWindow> deserializer;
    private final String kpiTopic;
    private final String searchUrl;
    private final HttpClient http = HttpClient.newHttpClient();
    private final Thread consumerThread;
    private final Thread searchThread;
    private volatile boolean running = true;
    private volatile Throwable failure;

    LiveProbes(String bootstrap, String registryUrl, String kpiTopic, String esUrl, String kpiIndexAlias,
               long measureFromMs) {
        this.kpiTopic = kpiTopic;
        this.measureFromMs = measureFromMs;
        this.searchUrl = esUrl + "/" + kpiIndexAlias + "*/_search";
        this.consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "bench-kpi-latency", ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.deserializer = AvroSerde.of(KpiWindow.class, Map.of("schema.registry.url", registryUrl)).deserializer();
        this.consumerThread = new Thread(this::consume, "bench-kpi-probe");
        this.searchThread = new Thread(this::search, "bench-es-probe");
    }

    void start() {
        consumer.subscribe(List.of(kpiTopic));
        consumerThread.start();
        searchThread.start();
    }

    private void consume() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    long arrival = System.currentTimeMillis();
                    KpiWindow window = deserializer.deserialize(kpiTopic, record.value());
                    if (window == null || !window.getFinal$() || window.getWindowStartMs() < measureFromMs) {
                        continue;
                    }
                    noteFinal(window, arrival);
                }
            }
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void noteFinal(KpiWindow window, long arrival) {
        long close = Math.max(0, arrival - window.getWindowEndMs());
        synchronized (this) {
            windowToKpi.recordValue(close);
            if (window.getScope() == io.chainpulse.schema.KpiScope.network) {
                windowToNetworkKpi.recordValue(close);
            }
            long count = window.getCount();
            if (count > 0) {
                int points = (int) Math.min(count, SAMPLE_POINTS);
                long weight = Math.max(1, Math.round((double) count / points));
                long size = window.getWindowEndMs() - window.getWindowStartMs();
                for (int i = 0; i < points; i++) {
                    // a sample at offset (i + 0.5) / points of the window waited the rest of the window, then `close`
                    eventToKpi.recordValueWithCount(close + Math.round(size * (1 - (i + 0.5) / points)), weight);
                }
            }
        }
        finalRecords.incrementAndGet();
        pendingDocs.put(Documents.kpiId(window), window.getWindowEndMs());
        docsProbed.incrementAndGet();
    }

    private void search() {
        while (running || !pendingDocs.isEmpty()) {
            try {
                Thread.sleep(100);
                if (pendingDocs.isEmpty()) {
                    continue;
                }
                List<String> ids = new ArrayList<>();
                for (Iterator<String> it = pendingDocs.keySet().iterator(); it.hasNext() && ids.size() < 1000; ) {
                    ids.add(it.next());
                }
                ObjectNode body = JSON.createObjectNode().put("size", ids.size()).put("_source", false);
                ArrayNode values = body.putObject("query").putObject("ids").putArray("values");
                ids.forEach(values::add);
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(searchUrl))
                        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                        HttpResponse.BodyHandlers.ofString());
                long found = System.currentTimeMillis();
                if (response.statusCode() == 404 || response.statusCode() == 503) {
                    continue; // no KPI index yet, or its shard is still starting
                }
                if (response.statusCode() != 200) {
                    throw new IllegalStateException("Elasticsearch search answered " + response.statusCode() + ": "
                            + response.body());
                }
                for (JsonNode hit : JSON.readTree(response.body()).path("hits").path("hits")) {
                    Long windowEnd = pendingDocs.remove(hit.path("_id").asText());
                    if (windowEnd != null) {
                        synchronized (this) {
                            windowToSearchable.recordValue(Math.max(0, found - windowEnd));
                        }
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                failure = e;
                return;
            }
        }
    }

    /** Waits up to {@code timeout} for the documents noted so far to become searchable; returns how many did not. */
    long awaitSearchable(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!pendingDocs.isEmpty() && System.nanoTime() < deadline && failure == null) {
            Thread.sleep(100);
        }
        return pendingDocs.size();
    }

    long finalRecords() {
        return finalRecords.get();
    }

    long docsProbed() {
        return docsProbed.get();
    }

    synchronized Percentiles eventToKpi() {
        return percentiles(eventToKpi);
    }

    synchronized Percentiles windowToKpi() {
        return percentiles(windowToKpi);
    }

    /** Window end → final KPI record, network-scope windows only (merged from every partition's node windows). */
    synchronized Percentiles windowToNetworkKpi() {
        return percentiles(windowToNetworkKpi);
    }

    synchronized Percentiles windowToSearchable() {
        return percentiles(windowToSearchable);
    }

    /** Rethrows what stopped a probe thread, if anything did. */
    void check() {
        if (failure != null) {
            throw new IllegalStateException("live probe failed: " + failure, failure);
        }
    }

    private static Percentiles percentiles(Histogram h) {
        if (h.getTotalCount() == 0) {
            throw new IllegalStateException("no final KPI window was measured in the live phase");
        }
        return new Percentiles(h.getValueAtPercentile(50), h.getValueAtPercentile(95), h.getValueAtPercentile(99),
                h.getMaxValue());
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumerThread.join(10_000);
        pendingDocs.clear();
        searchThread.interrupt();
        searchThread.join(10_000);
    }
}
