package io.chainpulse.cli;

import static io.chainpulse.cli.report.Kpis.anomaly;
import static io.chainpulse.cli.report.Kpis.latency;
import static io.chainpulse.cli.report.Kpis.repeat;
import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.Severity;
import io.chainpulse.schema.serde.AvroSerde;
import io.chainpulse.stack.RealStack;
import io.chainpulse.stack.RealStackExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

/** {@code ./chainpulse report} reading the KPI and anomaly topics of a real broker and registry. */
@ExtendWith(RealStackExtension.class)
class ReportCommandIT {
    private static final long T0 = 1_764_470_400_000L; // 2025-11-30T02:40:00Z
    private static final long W = 10_000;

    @Test
    void shouldReadFinalWindowsOfBothPeriodsLastRecordPerKeyWinningAndFlagTheSlowNode(RealStack stack) {
        String kpis = "report-kpis-" + UUID.randomUUID();
        String anomalies = "report-anomalies-" + UUID.randomUUID();
        stack.broker().createTopics(2, kpis, anomalies);
        Map<String, Object> producer = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        Map<String, String> registry = Map.of("schema.registry.url", stack.registryUrl());
        try (var out = new KafkaProducer<>(producer, new StringSerializer(),
                AvroSerde.of(KpiWindow.class, registry).serializer())) {
            // long before the previous period: beyond the read margin, and would be a regression if read
            send(out, kpis, latency("consensus_latency_ms", "v3", T0 - 3_600_000, repeat(1, 120)));
            for (int i = 0; i < 6; i++) {
                long start = T0 + i * W;
                send(out, kpis, latency("consensus_latency_ms", "v1", start, repeat(40, 40)));
                if (i >= 3) {
                    // a first, wrong value the processor replaced: the last record per key wins
                    send(out, kpis, latency("consensus_latency_ms", "v3", start, repeat(500, 40)));
                }
                send(out, kpis, latency("consensus_latency_ms", "v3", start, repeat(i < 3 ? 40 : 120, 40)));
            }
            // a live "so far" value: not final, never counted
            send(out, kpis, KpiWindow.newBuilder(latency("consensus_latency_ms", "v1", T0 + 4 * W, repeat(900, 40)))
                    .setFinal$(false).build());
        }
        try (var out = new KafkaProducer<>(producer, new StringSerializer(),
                AvroSerde.of(Anomaly.class, registry).serializer())) {
            Anomaly firing = anomaly("peer_outlier|x|consensus_latency_ms|node|v3|" + (T0 + 3 * W), AnomalyState.FIRING,
                    Severity.HIGH, "v3", "consensus_latency_ms", T0 + 3 * W, T0 + 3 * W, List.of("check v3"));
            out.send(new ProducerRecord<>(anomalies, null, T0 + 4 * W, firing.getAnomalyId(), firing));
        }
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        CommandLine cli = ChainPulseCli.commandLine();
        cli.setOut(new PrintWriter(stdout, true));
        cli.setErr(new PrintWriter(stderr, true));

        int exit = cli.execute("report", "--from", "2025-11-30T02:40:30Z", "--to", "2025-11-30T02:41:00Z",
                "--bootstrap-servers", stack.bootstrapServers(), "--registry-url", stack.registryUrl(),
                "--kpi-topic", kpis, "--anomaly-topic", anomalies, "--fail-on-regression");

        assertThat(stderr.toString()).isEmpty();
        assertThat(exit).isEqualTo(3);
        assertThat(stdout.toString())
                .contains("- Windows: 6 final KPI windows in the period, 6 in the previous period\n")
                .contains("\n- REGRESSION consensus_latency_ms p95 v3: 40.0 ms → 120.3 ms (+200%)\n\n## Network")
                .contains("| v1 | — | — | — | — | 40.0 ms | — | — |")
                .contains("| HIGH | v3 | consensus_latency_ms | peer_outlier | 2025-11-30T02:40:30Z | ongoing | check v3 |")
                .doesNotContain("900").doesNotContain("500");
    }

    private static void send(KafkaProducer<String, KpiWindow> out, String topic, KpiWindow k) {
        // as Kafka Streams stamps a window's result: an event time inside the window
        out.send(new ProducerRecord<>(topic, null, k.getWindowEndMs() - 1, k.getMetric() + "|" + k.getScope() + "|"
                + k.getNodeId() + "|" + k.getWindowStartMs(), k));
    }
}
