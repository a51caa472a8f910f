package io.chainpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chainpulse.schema.DeadLetters;
import io.chainpulse.stack.RealStack;
import io.chainpulse.stack.RealStackExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

/**
 * {@code report} meets poison on both topics it reads: it dead-letters each record once and reports the rest; then
 * {@code dead-letters} lists them (filtered, as JSON) and re-publishes them to their source topic.
 */
@ExtendWith(RealStackExtension.class)
class DeadLettersCommandIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] NOT_AVRO = "p95=120".getBytes(StandardCharsets.UTF_8);
    private static final byte[] UNKNOWN_SCHEMA_ID = {0, 0, 0x0f, 0x42, 0x3f, 2};

    private final StringWriter stdout = new StringWriter();
    private final StringWriter stderr = new StringWriter();

    private int run(String... args) {
        stdout.getBuffer().setLength(0);
        stderr.getBuffer().setLength(0);
        CommandLine cli = ChainPulseCli.commandLine();
        cli.setOut(new PrintWriter(stdout, true));
        cli.setErr(new PrintWriter(stderr, true));
        return cli.execute(args);
    }

    @Test
    void shouldDeadLetterWhatTheReportCannotReadListItAndRepublishIt(RealStack stack) throws Exception {
        String kpis = "report-dl-kpis-" + UUID.randomUUID();
        String anomalies = "report-dl-anomalies-" + UUID.randomUUID();
        stack.broker().createTopics(1, kpis, anomalies);
        long now = System.currentTimeMillis();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                stack.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(kpis, null, now, "k1".getBytes(StandardCharsets.UTF_8), NOT_AVRO)).get();
            producer.send(new ProducerRecord<>(anomalies, null, now, null, UNKNOWN_SCHEMA_ID)).get();
        }

        assertThat(run("report", "--bootstrap-servers", stack.bootstrapServers(), "--registry-url", stack.registryUrl(),
                "--kpi-topic", kpis, "--anomaly-topic", anomalies)).isEqualTo(0);
        assertThat(stderr.toString()).isEqualTo("2 records could not be decoded and went to chainpulse.dead-letters: "
                + "./chainpulse dead-letters --service report" + System.lineSeparator());

        assertThat(run("dead-letters", "--bootstrap-servers", stack.bootstrapServers(), "--service", "report",
                "--topic", kpis, "--json")).isEqualTo(0);
        List<JsonNode> listed = new ArrayList<>();
        for (String line : stdout.toString().lines().toList()) {
            listed.add(JSON.readTree(line));
        }
        assertThat(listed).hasSize(1);
        JsonNode letter = listed.get(0);
        assertThat(letter.get("service").asText()).isEqualTo("report");
        assertThat(letter.get("source_topic").asText()).isEqualTo(kpis);
        assertThat(letter.get("source_partition").asInt()).isEqualTo(0);
        assertThat(letter.get("source_offset").asLong()).isEqualTo(0);
        assertThat(letter.get("reason").asText()).isEqualTo("record of topic '" + kpis + "' starts with byte 112, "
                + "not the Confluent magic byte 0: it was not written by a schema-registry serializer");
        assertThat(letter.get("value_bytes").asInt()).isEqualTo(NOT_AVRO.length);
        assertThat(letter.get("timestamp").asText()).isNotEmpty();

        assertThat(run("dead-letters", "--bootstrap-servers", stack.bootstrapServers(), "--topic", anomalies))
                .isEqualTo(0);
        assertThat(stdout.toString()).contains("report           " + anomalies + "-0@0  record of topic '" + anomalies
                + "' refers to schema id 999999 that could not be fetched: ");
        assertThat(stdout.toString().lines()).hasSize(1);
        assertThat(stderr.toString()).isEqualTo("1 dead letter" + System.lineSeparator());

        assertThat(run("dead-letters", "--bootstrap-servers", stack.bootstrapServers(), "--topic", kpis,
                "--republish")).isEqualTo(0);
        assertThat(stderr.toString()).isEqualTo("republished 1 record to their source topic" + System.lineSeparator());
        List<ConsumerRecord<byte[], byte[]>> source = stack.broker().readCommitted(kpis);
        assertThat(source).hasSize(2);
        assertThat(source.get(1).key()).isEqualTo("k1".getBytes(StandardCharsets.UTF_8));
        assertThat(source.get(1).value()).isEqualTo(NOT_AVRO);
        assertThat(stack.broker().readCommitted(DeadLetters.TOPIC).stream()
                .filter(r -> kpis.equals(DeadLetters.header(r.headers(), DeadLetters.SOURCE_TOPIC_HEADER).orElse("")))
                .count()).as("listing and republishing dead-letter nothing themselves").isEqualTo(1);
    }
}
