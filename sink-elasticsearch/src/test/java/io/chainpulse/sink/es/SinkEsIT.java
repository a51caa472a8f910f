package io.chainpulse.sink.es;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.Severity;
import io.chainpulse.schema.serde.AvroSerde;
import io.chainpulse.stack.Elasticsearch;
import io.chainpulse.stack.RealStack;
import io.chainpulse.stack.RealStackExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The sink against a real Kafka broker, a real schema registry and a real Elasticsearch 8.19 node. */
@ExtendWith(RealStackExtension.class)
class SinkEsIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final AtomicInteger RUN = new AtomicInteger();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<SinkEsService> sinks = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicReference<Throwable> sinkFailure = new AtomicReference<>();
    private RealStack stack;
    private String name;
    private String kpiTopic;
    private String anomalyTopic;
    private String dlqTopic;
    private String kpiAlias;
    private String anomalyAlias;

    @BeforeEach
    void topics(RealStack stack, TestInfo test) {
        this.stack = stack;
        name = "it" + RUN.incrementAndGet() + "-" + test.getTestMethod().orElseThrow().getName().toLowerCase()
                .substring(0, 20);
        kpiTopic = name + ".kpis";
        anomalyTopic = name + ".anomalies";
        dlqTopic = name + ".dlq";
        kpiAlias = name + "-kpis";
        anomalyAlias = name + "-anomalies";
        stack.broker().createTopics(2, kpiTopic, anomalyTopic, dlqTopic);
    }

    @AfterEach
    void stopSinks() throws Exception {
        sinks.forEach(SinkEsService::close);
        for (Thread thread : threads) {
            thread.join(TIMEOUT.toMillis());
        }
    }

    @Test
    void shouldIndexKpisAndAnomaliesUnderTheirIdsWithTheTemplatesMappings(Elasticsearch es) throws Exception {
        sendKpis(Records.latency("v1", Records.WINDOW_START, true, 280.0).build(),
                Records.latency("v2", Records.WINDOW_START, true, 310.0).build(), Records.tps(Records.WINDOW_START, 500));
        sendAnomalies(Records.anomaly(AnomalyState.FIRING, Severity.HIGH));

        start(es, "group-a");

        awaitCount(es, kpiAlias, 3);
        awaitCount(es, anomalyAlias, 1);
        JsonNode v1 = get(es, kpiAlias + "-2025.07.29", "consensus_latency_ms|node|v1|1753783200000");
        assertThat(v1.at("/_source/p99").asDouble()).isEqualTo(280.0);
        assertThat(v1.at("/_source/final").asBoolean()).isTrue();
        assertThat(v1.at("/_source/sketch").asText()).isEqualTo("AQID");
        assertThat(get(es, kpiAlias + "-2025.07.29", "tps|network||1753783200000").at("/_source/rate_per_s")
                .asDouble()).isEqualTo(50.0);
        assertThat(get(es, anomalyAlias + "-2025.07.29",
                "static_rule|p99_high|consensus_latency_ms|node|v1|1753783200000|FIRING").at("/_source/severity")
                .asText()).isEqualTo("HIGH");

        JsonNode kpiMapping = json(es, "GET", "/" + kpiAlias + "-2025.07.29/_mapping")
                .at("/" + kpiAlias + "-2025.07.29/mappings/properties");
        assertThat(kpiMapping.at("/window_start/type").asText()).isEqualTo("date");
        assertThat(kpiMapping.at("/node_id/type").asText()).isEqualTo("keyword");
        assertThat(kpiMapping.at("/metric/type").asText()).isEqualTo("keyword");
        assertThat(kpiMapping.at("/p99/type").asText()).isEqualTo("double");
        assertThat(kpiMapping.at("/sketch/type").asText()).isEqualTo("binary");
        JsonNode anomalyMapping = json(es, "GET", "/" + anomalyAlias + "-2025.07.29/_mapping")
                .at("/" + anomalyAlias + "-2025.07.29/mappings/properties");
        assertThat(anomalyMapping.at("/severity/type").asText()).isEqualTo("keyword");
        assertThat(anomalyMapping.at("/state/type").asText()).isEqualTo("keyword");
        assertThat(json(es, "GET", "/_alias/" + kpiAlias).fieldNames()).toIterable()
                .containsExactly(kpiAlias + "-2025.07.29");
        // A date-range query on the alias finds the window: the date mapping works end to end.
        assertThat(json(es, "POST", "/" + kpiAlias + "/_count",
                "{\"query\":{\"range\":{\"window_start\":{\"gte\":\"2025-07-29T10:00:00Z\",\"lt\":\"2025-07-29T10:00:10Z\"}}}}")
                .get("count").asLong()).isEqualTo(3);
    }

    @Test
    void shouldAnswerTheReadmeAnalystQuestionsWithQueryDslOnTheTemplatesMappings(Elasticsearch es) throws Exception {
        // v2 is slow in the second window; v1 excluded skewed samples; the network ran at 40 then 60 TPS.
        sendKpis(Records.latency("v1", Records.WINDOW_START, true, 280.0).setExcludedSkew(3).build(),
                Records.latency("v2", Records.WINDOW_START, true, 310.0).setExcludedSkew(0).build(),
                Records.latency("v2", Records.WINDOW_START + Records.WINDOW_MS, true, 900.0).setExcludedSkew(0)
                        .build(),
                Records.tps(Records.WINDOW_START, 400), Records.tps(Records.WINDOW_START + 60_000, 600));
        start(es, "group-a");
        awaitCount(es, kpiAlias, 5);

        // 1. Slowest validators: max p99 per node, slowest first.
        JsonNode slowest = json(es, "POST", "/" + kpiAlias + "/_search", "{\"size\":0,\"query\":{\"bool\":{\"filter\":["
                + "{\"term\":{\"metric\":\"consensus_latency_ms\"}},{\"term\":{\"scope\":\"node\"}}]}},"
                + "\"aggs\":{\"nodes\":{\"terms\":{\"field\":\"node_id\",\"order\":{\"worst\":\"desc\"}},"
                + "\"aggs\":{\"worst\":{\"max\":{\"field\":\"p99\"}}}}}}");
        assertThat(slowest.at("/aggregations/nodes/buckets/0/key").asText()).isEqualTo("v2");
        assertThat(slowest.at("/aggregations/nodes/buckets/0/worst/value").asDouble()).isEqualTo(900.0);
        assertThat(slowest.at("/aggregations/nodes/buckets/1/key").asText()).isEqualTo("v1");
        // 2. Network TPS per minute.
        JsonNode tps = json(es, "POST", "/" + kpiAlias + "/_search", "{\"size\":0,\"query\":{\"bool\":{\"filter\":["
                + "{\"term\":{\"metric\":\"tps\"}},{\"term\":{\"scope\":\"network\"}}]}},"
                + "\"aggs\":{\"minute\":{\"date_histogram\":{\"field\":\"window_start\",\"fixed_interval\":\"1m\"},"
                + "\"aggs\":{\"tps\":{\"avg\":{\"field\":\"rate_per_s\"}}}}}}");
        assertThat(tps.at("/aggregations/minute/buckets/0/key_as_string").asText())
                .isEqualTo("2025-07-29T10:00:00.000Z");
        assertThat(tps.at("/aggregations/minute/buckets/0/tps/value").asDouble()).isEqualTo(40.0);
        assertThat(tps.at("/aggregations/minute/buckets/1/tps/value").asDouble()).isEqualTo(60.0);
        // 5. Nodes whose clocks look skewed.
        assertThat(json(es, "POST", "/" + kpiAlias + "/_count", "{\"query\":{\"bool\":{\"filter\":["
                + "{\"term\":{\"scope\":\"node\"}},{\"range\":{\"excluded_skew\":{\"gt\":0}}}]}}}")
                .get("count").asLong()).isEqualTo(1);
    }

    @Test
    void shouldLeaveOneDocumentWithTheFinalValuesAfterALiveUpdate(Elasticsearch es) throws Exception {
        start(es, "group-a");
        sendKpis(Records.latency("v1", Records.WINDOW_START, false, 100.0).build());
        awaitCount(es, kpiAlias, 1);

        sendKpis(Records.latency("v1", Records.WINDOW_START, true, 280.0).build());
        String index = kpiAlias + "-2025.07.29";
        String id = "consensus_latency_ms|node|v1|1753783200000";
        await("the final result replaced the live one",
                () -> get(es, index, id).at("/_source/final").asBoolean());

        assertThat(count(es, kpiAlias)).isEqualTo(1);
        assertThat(get(es, index, id).at("/_source/p99").asDouble()).isEqualTo(280.0);
        assertThat(get(es, index, id).at("/_version").asLong()).isEqualTo(2);
    }

    @Test
    void shouldChangeNoCountWhenTheTopicsAreReplayedFromTheStart(Elasticsearch es) throws Exception {
        List<KpiWindow> windows = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            windows.add(Records.latency("v" + (i % 6), Records.WINDOW_START + (i / 6) * Records.WINDOW_MS, true, 200.0)
                    .build());
        }
        sendKpis(windows.toArray(KpiWindow[]::new));
        sendAnomalies(Records.anomaly(AnomalyState.FIRING, Severity.HIGH),
                Records.anomaly(AnomalyState.RESOLVED, Severity.HIGH));
        SinkEsService first = start(es, "group-a");
        awaitCount(es, kpiAlias, 60);
        awaitCount(es, anomalyAlias, 2);
        await("first sink read everything", () -> first.metrics().indexedCount("kpi") == 60);

        // A new group reads both topics from offset 0 again: every document is written a second time.
        SinkEsService replay = start(es, "group-replay");
        await("replay indexed all 62 again", () -> replay.metrics().indexedCount("kpi") == 60
                && replay.metrics().indexedCount("anomaly") == 2);

        assertThat(count(es, kpiAlias)).isEqualTo(60);
        assertThat(count(es, anomalyAlias)).isEqualTo(2);
    }

    @Test
    void shouldHoldEveryDocumentExactlyOnceAfterElasticsearchWasKilledMidStream(@TempDir Path dir) throws Exception {
        try (Elasticsearch es = Elasticsearch.inDirectory(dir).start()) {
            SinkEsService sink = start(es, "group-a");
            sendKpis(windows(0, 200));
            awaitCount(es, kpiAlias, 200);

            es.kill();
            sendKpis(windows(200, 400));
            await("the sink retried while Elasticsearch was down",
                    () -> sink.metrics().retryCount("connection") >= 3);
            assertThat(sink.metrics().isPaused()).as("consumption paused during the outage").isTrue();
            es.start();

            awaitCount(es, kpiAlias, 400);
            await("consumption resumed", () -> !sink.metrics().isPaused());
            // Every id is distinct by construction, so 400 documents means each window exactly once.
            assertThat(count(es, kpiAlias)).isEqualTo(400);
            assertThat(sink.metrics().deadLetteredCount("rejected")).isZero();
            assertThat(sinkFailure.get()).isNull();
        }
    }

    @Test
    void shouldCommitNothingUnacknowledgedSoASinkStoppedDuringAnOutageLosesNothing(@TempDir Path dir)
            throws Exception {
        try (Elasticsearch es = Elasticsearch.inDirectory(dir).start()) {
            SinkEsService first = start(es, "group-a");
            sendKpis(windows(0, 100));
            awaitCount(es, kpiAlias, 100);

            es.kill();
            sendKpis(windows(100, 250));
            await("the first sink is retrying", () -> first.metrics().retryCount("connection") >= 2);
            first.close();
            es.start();

            // Same group: it starts from the committed offsets, which must not include the unacknowledged batch.
            SinkEsService second = start(es, "group-a");
            awaitCount(es, kpiAlias, 250);
            await("the second sink wrote the records the first never got acknowledged",
                    () -> second.metrics().indexedCount("kpi") >= 150);
            assertThat(count(es, kpiAlias)).isEqualTo(250);
        }
    }

    @Test
    void shouldDeadLetterAPoisonDocumentAndGoOnWithTheRest(Elasticsearch es) throws Exception {
        KpiWindow good1 = Records.latency("v1", Records.WINDOW_START, true, 280.0).build();
        // Elasticsearch accepts only finite numbers in a double field: rejected with a 400 for good.
        KpiWindow infinite = Records.latency("v2", Records.WINDOW_START, true, Double.POSITIVE_INFINITY).build();
        KpiWindow good2 = Records.latency("v3", Records.WINDOW_START, true, 300.0).build();
        sendKpis(good1, infinite);
        sendRaw(kpiTopic, "not-avro".getBytes(StandardCharsets.UTF_8));
        byte[] unknownSchemaId = {0, 0, 0x0f, 0x42, 0x3f, 2};
        sendRaw(anomalyTopic, unknownSchemaId);
        sendKpis(good2);

        SinkEsService sink = start(es, "group-a");

        awaitCount(es, kpiAlias, 2);
        List<ConsumerRecord<byte[], byte[]>> dead = readDeadLetters(1); // what Elasticsearch refused
        assertThat(dead).hasSize(1);
        ConsumerRecord<byte[], byte[]> rejected = dead.stream()
                .filter(r -> header(r, DeadLetters.STATUS).equals("400")).findFirst().orElseThrow();
        assertThat(header(rejected, DeadLetters.ID)).isEqualTo("consensus_latency_ms|node|v2|1753783200000");
        assertThat(header(rejected, DeadLetters.INDEX)).isEqualTo(kpiAlias + "-2025.07.29");
        assertThat(header(rejected, DeadLetters.TOPIC)).isEqualTo(kpiTopic);
        assertThat(header(rejected, DeadLetters.REASON)).startsWith("document_parsing_exception: ");
        // The original bytes, ready to be replayed once fixed.
        assertThat(AvroSerde.of(KpiWindow.class, registry()).deserializer().deserialize(kpiTopic,
                rejected.value())).isEqualTo(infinite);
        // what could not be decoded goes where every service's does, once each
        await("metrics count both", () -> sink.metrics().deadLetteredCount("rejected") == 1
                && sink.metrics().deadLetteredCount("undecodable") == 2 && sink.metrics().indexedCount("kpi") == 2);
        assertThat(sink.deadLetterCounter().snapshot()).isEqualTo(Map.of(kpiTopic, 1L, anomalyTopic, 1L));
        List<ConsumerRecord<byte[], byte[]>> undecodable = stack.broker().readCommitted(
                io.chainpulse.schema.DeadLetters.TOPIC).stream().filter(r -> List.of(kpiTopic, anomalyTopic)
                .contains(header(r, io.chainpulse.schema.DeadLetters.SOURCE_TOPIC_HEADER))).toList();
        assertThat(undecodable).hasSize(2);
        ConsumerRecord<byte[], byte[]> notAvro = undecodable.stream().filter(r -> header(r,
                io.chainpulse.schema.DeadLetters.SOURCE_TOPIC_HEADER).equals(kpiTopic)).findFirst().orElseThrow();
        assertThat(new String(notAvro.value(), StandardCharsets.UTF_8)).isEqualTo("not-avro");
        assertThat(header(notAvro, io.chainpulse.schema.DeadLetters.SERVICE_HEADER)).isEqualTo("sink-es");
        assertThat(header(notAvro, io.chainpulse.schema.DeadLetters.REASON_HEADER)).isEqualTo("record of topic '"
                + kpiTopic + "' starts with byte 110, not the Confluent magic byte 0: it was not written by a "
                + "schema-registry serializer");
        ConsumerRecord<byte[], byte[]> unknown = undecodable.stream().filter(r -> header(r,
                io.chainpulse.schema.DeadLetters.SOURCE_TOPIC_HEADER).equals(anomalyTopic)).findFirst().orElseThrow();
        assertThat(unknown.value()).isEqualTo(unknownSchemaId);
        assertThat(header(unknown, io.chainpulse.schema.DeadLetters.SOURCE_OFFSET_HEADER)).isEqualTo("0");
        assertThat(header(unknown, io.chainpulse.schema.DeadLetters.REASON_HEADER)).startsWith("record of topic '"
                + anomalyTopic + "' refers to schema id 999999 that could not be fetched: ");
    }

    // ---- helpers ----

    private SinkEsService start(Elasticsearch es, String group) {
        Map<String, Object> config = new HashMap<>(registry());
        config.put(SinkEsConfig.BOOTSTRAP_SERVERS, stack.bootstrapServers());
        config.put(SinkEsConfig.GROUP_ID, name + "-" + group);
        config.put(SinkEsConfig.TOPIC_KPIS, kpiTopic);
        config.put(SinkEsConfig.TOPIC_ANOMALIES, anomalyTopic);
        config.put(SinkEsConfig.TOPIC_DLQ, dlqTopic);
        config.put(SinkEsConfig.INDEX_KPIS, kpiAlias);
        config.put(SinkEsConfig.INDEX_ANOMALIES, anomalyAlias);
        config.put(SinkEsConfig.INDEX_REPLICAS, 0);
        config.put(SinkEsConfig.ES_URLS, es.url());
        config.put(SinkEsConfig.BULK_MAX_ACTIONS, 50);
        config.put(SinkEsConfig.FLUSH_INTERVAL_MS, 200L);
        config.put(SinkEsConfig.RETRY_BACKOFF_INITIAL_MS, 50L);
        config.put(SinkEsConfig.RETRY_BACKOFF_MAX_MS, 1000L);
        config.put(SinkEsConfig.ES_REQUEST_TIMEOUT_MS, 5000);
        SinkEsService sink = SinkEsService.create(config);
        Thread thread = new Thread(() -> {
            try {
                sink.run();
            } catch (Throwable t) {
                sinkFailure.set(t);
            }
        }, "sink-" + group);
        thread.start();
        sinks.add(sink);
        threads.add(thread);
        return sink;
    }

    private Map<String, Object> registry() {
        return Map.of("schema.registry.url", stack.registryUrl());
    }

    private KpiWindow[] windows(int from, int to) {
        List<KpiWindow> windows = new ArrayList<>();
        for (int i = from; i < to; i++) {
            windows.add(Records.latency("v" + (i % 10), Records.WINDOW_START + (i / 10) * Records.WINDOW_MS, true,
                    200.0 + i).build());
        }
        return windows.toArray(KpiWindow[]::new);
    }

    private void sendKpis(KpiWindow... windows) throws Exception {
        Serializer<KpiWindow> serializer = AvroSerde.of(KpiWindow.class, registry()).serializer();
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (KpiWindow window : windows) {
                producer.send(new ProducerRecord<>(kpiTopic, Documents.kpiId(window).getBytes(StandardCharsets.UTF_8),
                        serializer.serialize(kpiTopic, window))).get();
            }
        }
    }

    private void sendAnomalies(Anomaly... anomalies) throws Exception {
        Serializer<Anomaly> serializer = AvroSerde.of(Anomaly.class, registry()).serializer();
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (Anomaly anomaly : anomalies) {
                producer.send(new ProducerRecord<>(anomalyTopic, anomaly.getAnomalyId().getBytes(StandardCharsets.UTF_8),
                        serializer.serialize(anomalyTopic, anomaly))).get();
            }
        }
    }

    private void sendRaw(String topic, byte[] value) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(topic, "k".getBytes(StandardCharsets.UTF_8), value)).get();
        }
    }

    private KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
    }

    private List<ConsumerRecord<byte[], byte[]>> readDeadLetters(int expected) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, name + "-dlq-reader",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(dlqTopic));
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String key) {
        return new String(record.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
    }

    private void awaitCount(Elasticsearch es, String alias, long expected) {
        await(alias + " holds " + expected + " documents", () -> count(es, alias) == expected);
    }

    private long count(Elasticsearch es, String alias) {
        try {
            json(es, "POST", "/" + alias + "/_refresh");
            JsonNode count = json(es, "GET", "/" + alias + "/_count");
            return count.has("count") ? count.get("count").asLong() : -1;
        } catch (Exception e) {
            return -1; // the alias does not exist yet, or the node is restarting
        }
    }

    private JsonNode get(Elasticsearch es, String index, String id) throws Exception {
        return json(es, "GET", "/" + index + "/_doc/" + java.net.URLEncoder.encode(id, StandardCharsets.UTF_8));
    }

    private JsonNode json(Elasticsearch es, String method, String path) throws Exception {
        return json(es, method, path, null);
    }

    private JsonNode json(Elasticsearch es, String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(es.url() + path))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        return JSON.readTree(http.send(request.build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    private void await(String what, ThrowingCondition condition) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (sinkFailure.get() != null) {
                throw new AssertionError("the sink failed while waiting until " + what, sinkFailure.get());
            }
            try {
                if (condition.holds()) {
                    return;
                }
            } catch (Exception e) {
                // not yet: e.g. the index does not exist
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
        throw new AssertionError("timed out after " + TIMEOUT.toSeconds() + " s waiting until " + what);
    }

    @FunctionalInterface
    private interface ThrowingCondition {
        boolean holds() throws Exception;
    }

}
