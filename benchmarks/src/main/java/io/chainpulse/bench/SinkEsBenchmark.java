package io.chainpulse.bench;

import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.catalog.Kpi;
import io.chainpulse.schema.serde.AvroSerde;
import io.chainpulse.sink.es.Documents;
import io.chainpulse.sink.es.EsClient;
import io.chainpulse.sink.es.IndexDoc;
import io.chainpulse.sink.es.IndexTemplates;
import io.chainpulse.sink.es.SinkEsConfig;
import io.chainpulse.sink.es.SinkEsService;
import io.chainpulse.stack.Elasticsearch;
import io.chainpulse.stack.RealStack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Documents per second into the real local Elasticsearch node, and event → searchable latency, on one machine with
 * the real broker and registry beside it:
 * <ol>
 *   <li>ceiling: the sink's own {@link EsClient} bulk-indexing KPI documents directly, 1000 per request, after a
 *       warm-up pass of a fifth as many;</li>
 *   <li>sink: {@code docs} KPI windows already in the topic, read and indexed by {@link SinkEsService} with its
 *       default bulk size and flush interval, timed from start until all are acknowledged;</li>
 *   <li>latency: with the sink idle, one window at a time is produced and a search for its id is repeated every
 *       5 ms until it is found (so the figure includes the flush interval and the index refresh, 1 s).</li>
 * </ol>
 * <pre>
 * mvn -B -q -pl benchmarks -am package -DskipTests
 * java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp benchmarks/target/benchmarks.jar \
 *      io.chainpulse.bench.SinkEsBenchmark [docs=100000] [probes=100] [flush.interval.ms=1000]
 * </pre>
 */
public final class SinkEsBenchmark {
    private static final long WINDOW_START = 1_753_783_200_000L;
    private static final long WINDOW_MS = 10_000L;
    private static final int NODES = 100;
    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    private SinkEsBenchmark() {}

    public static void main(String[] args) throws Exception {
        int docs = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int probes = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        long flushMs = args.length > 2 ? Long.parseLong(args[2]) : 1_000L;
        Path dir = Files.createTempDirectory("chainpulse-bench-es-");
        RealStack stack = RealStack.shared();
        try (Elasticsearch es = Elasticsearch.inDirectory(dir.resolve("elasticsearch")).start()) {
            System.out.printf("Elasticsearch 8.19 node %s, broker %s, %d documents, %d probes, flush %d ms%n",
                    es.url(), stack.bootstrapServers(), docs, probes, flushMs);
            bulkCeiling(es, "warmup", Math.max(1000, docs / 5)); // JIT and the node's caches, not measured
            double ceiling = bulkCeiling(es, "ceiling", docs);
            System.out.printf("bulk ceiling (EsClient, 1000/request):   %,.0f docs/s%n", ceiling);

            Map<String, Object> config = sinkConfig(stack, es, flushMs);
            stack.broker().createTopics(4, "bench.kpis", "bench.anomalies", "bench.dlq");
            produce(stack, "bench.kpis", 0, docs);
            SinkEsService sink = SinkEsService.create(config);
            long started = System.nanoTime();
            Thread runner = new Thread(sink::run, "bench-sink");
            runner.start();
            awaitIndexed(sink, docs);
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf("sink end to end (Kafka -> Avro -> bulk): %,.0f docs/s (%d docs in %.1f s, %d batches)%n",
                    docs / seconds, docs, seconds, sink.metrics().batchCount());

            long[] latencies = searchableLatencies(stack, es, docs, probes);
            System.out.printf("event -> searchable: p50 %d ms, p99 %d ms, max %d ms (%d probes)%n",
                    percentile(latencies, 0.50), percentile(latencies, 0.99), latencies[latencies.length - 1],
                    probes);
            sink.close();
            runner.join();
        } finally {
            stack.registry().stop();
            stack.broker().stop();
        }
    }

    private static double bulkCeiling(Elasticsearch es, String alias, int docs) throws Exception {
        SinkEsConfig config = new SinkEsConfig(Map.of(SinkEsConfig.ES_URLS, es.url(),
                SinkEsConfig.INDEX_KPIS, alias + "-kpis", SinkEsConfig.INDEX_ANOMALIES, alias + "-anomalies",
                SinkEsConfig.INDEX_REPLICAS, 0));
        try (EsClient client = EsClient.connect(config)) {
            client.install(IndexTemplates.of(config));
            List<IndexDoc> batch = new ArrayList<>(1000);
            long started = System.nanoTime();
            for (int i = 0; i < docs; i++) {
                batch.add(Documents.kpi(window(i), alias + "-kpis"));
                if (batch.size() == 1000 || i == docs - 1) {
                    client.bulk(batch).forEach(item -> {
                        if (!item.succeeded()) {
                            throw new IllegalStateException("ceiling bulk item failed: " + item);
                        }
                    });
                    batch.clear();
                }
            }
            return docs / ((System.nanoTime() - started) / 1e9);
        }
    }

    private static Map<String, Object> sinkConfig(RealStack stack, Elasticsearch es, long flushMs) {
        Map<String, Object> config = new HashMap<>();
        config.put("schema.registry.url", stack.registryUrl());
        config.put(SinkEsConfig.BOOTSTRAP_SERVERS, stack.bootstrapServers());
        config.put(SinkEsConfig.GROUP_ID, "bench-sink-es");
        config.put(SinkEsConfig.TOPIC_KPIS, "bench.kpis");
        config.put(SinkEsConfig.TOPIC_ANOMALIES, "bench.anomalies");
        config.put(SinkEsConfig.TOPIC_DLQ, "bench.dlq");
        config.put(SinkEsConfig.ES_URLS, es.url());
        config.put(SinkEsConfig.INDEX_REPLICAS, 0);
        config.put(SinkEsConfig.FLUSH_INTERVAL_MS, flushMs);
        return config;
    }

    private static KpiWindow window(int i) {
        long start = WINDOW_START + (i / NODES) * WINDOW_MS;
        return KpiWindow.newBuilder().setMetric(Kpi.CONSENSUS_LATENCY_MS.metric()).setScope(KpiScope.node)
                .setNodeId("v" + (i % NODES)).setChainId("bench").setWindowStartMs(start)
                .setWindowEndMs(start + WINDOW_MS).setFinal$(true).setCount(40).setMin(10.0).setMean(80.0 + i % 7)
                .setMax(300.0).setP50(75.0).setP90(150.0).setP95(200.0).setP99(280.0).setExcludedSkew(0)
                .setSketch(ByteBuffer.wrap(new byte[120])).build();
    }

    private static KafkaProducer<byte[], byte[]> producer(RealStack stack) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"), new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static void produce(RealStack stack, String topic, int from, int to) throws Exception {
        Serializer<KpiWindow> serializer = AvroSerde.of(KpiWindow.class,
                Map.of("schema.registry.url", stack.registryUrl())).serializer();
        try (KafkaProducer<byte[], byte[]> producer = producer(stack)) {
            for (int i = from; i < to; i++) {
                KpiWindow window = window(i);
                producer.send(new ProducerRecord<>(topic, Documents.kpiId(window).getBytes(StandardCharsets.UTF_8),
                        serializer.serialize(topic, window)));
            }
            producer.flush();
        }
    }

    private static void awaitIndexed(SinkEsService sink, long docs) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (sink.metrics().indexedCount("kpi") < docs) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + sink.metrics().indexedCount("kpi") + " of " + docs
                        + " documents indexed after " + TIMEOUT.toMinutes() + " min");
            }
            Thread.sleep(5);
        }
    }

    private static long[] searchableLatencies(RealStack stack, Elasticsearch es, int offset, int probes)
            throws Exception {
        Serializer<KpiWindow> serializer = AvroSerde.of(KpiWindow.class,
                Map.of("schema.registry.url", stack.registryUrl())).serializer();
        HttpClient http = HttpClient.newHttpClient();
        long[] latencies = new long[probes];
        try (KafkaProducer<byte[], byte[]> producer = producer(stack)) {
            for (int p = 0; p < probes; p++) {
                KpiWindow window = window(offset + p);
                String id = Documents.kpiId(window);
                long sent = System.nanoTime();
                producer.send(new ProducerRecord<>("bench.kpis", id.getBytes(StandardCharsets.UTF_8),
                        serializer.serialize("bench.kpis", window))).get();
                HttpRequest search = HttpRequest.newBuilder(URI.create(es.url() + "/chainpulse-kpis/_count"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"query\":{\"ids\":{\"values\":[\""
                                + id.replace("\"", "\\\"") + "\"]}}}")).build();
                long deadline = sent + Duration.ofSeconds(30).toNanos();
                while (!http.send(search, HttpResponse.BodyHandlers.ofString()).body().startsWith("{\"count\":1,")) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("probe " + id + " not searchable after 30 s");
                    }
                    Thread.sleep(5);
                }
                latencies[p] = (System.nanoTime() - sent) / 1_000_000;
            }
        }
        Arrays.sort(latencies);
        return latencies;
    }

    private static long percentile(long[] sorted, double q) {
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
    }
}
