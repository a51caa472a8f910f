package io.chainpulse.cli;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.Severity;
import io.chainpulse.schema.registry.SchemaRegistryClients;
import io.chainpulse.schema.serde.AvroSerializer;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Stands in for a processor that dies mid-transaction, in a JVM of its own: {@code TransactionalWriter bootstrap
 * registry kpiTopic anomalyTopic currentTopic transactionalId} opens a transaction, writes final KPI windows and a FIRING
 * anomaly of node {@value #GHOST}, flushes them to the broker, prints {@value #READY} and waits to be SIGKILLed —
 * so the transaction stays open until a producer with the same transactional id aborts it.
 */
public final class TransactionalWriter {
    static final String GHOST = "ghost";
    static final String READY = "UNCOMMITTED RECORDS FLUSHED";
    static final long WINDOW_START = 1_753_783_200_000L;
    static final long W = 10_000L;

    private TransactionalWriter() {}

    public static void main(String[] args) throws Exception {
        KafkaProducer<String, SpecificRecord> producer = producer(args[0], args[1], args[5]);
        producer.initTransactions();
        producer.beginTransaction();
        for (int i = 0; i < 3; i++) {
            producer.send(new ProducerRecord<>(args[2], GHOST, latency(GHOST, WINDOW_START + i * W, 999.0)));
        }
        Anomaly ghost = anomaly(GHOST, AnomalyState.FIRING);
        producer.send(new ProducerRecord<>(args[3], ghost.getAnomalyId(), ghost));
        producer.send(new ProducerRecord<>(args[4], ghost.getAnomalyId(), ghost));
        producer.flush();
        System.out.println(READY);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    static KafkaProducer<String, SpecificRecord> producer(String bootstrap, String registry, String transactionalId) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId,
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 60_000),
                new StringSerializer(), new AvroSerializer<>(SchemaRegistryClients.forUrl(registry), true));
    }

    static KpiWindow latency(String node, long windowStart, double p95) {
        return KpiWindow.newBuilder().setMetric("consensus_latency_ms").setScope(KpiScope.node).setNodeId(node)
                .setWindowStartMs(windowStart).setWindowEndMs(windowStart + W).setFinal$(true).setCount(10)
                .setMin(p95 / 4).setMean(p95 / 2).setMax(p95 * 1.5).setP50(p95 / 2).setP90(p95 * 0.9).setP95(p95)
                .setP99(p95 * 1.2).build();
    }

    static Anomaly anomaly(String node, AnomalyState state) {
        return Anomaly.newBuilder().setAnomalyId("static_rule|p95_high|consensus_latency_ms|node|" + node + "|" + WINDOW_START)
                .setState(state).setSeverity(Severity.HIGH).setSeverityLevel(4).setDetector("static_rule")
                .setRule("p95_high").setMetric("consensus_latency_ms").setScope(KpiScope.node).setNodeId(node)
                .setWindowStartMs(WINDOW_START).setObserved(999.0).setExpected(500.0)
                .setDescription("p95 consensus latency 999 ms on " + node).setSuggestedActions(List.of())
                .setStartedMs(WINDOW_START).build();
    }
}
