package io.chainpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.EventType;
import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.registry.SchemaRegistryClients;
import io.chainpulse.schema.serde.AvroDeserializer;
import io.chainpulse.stack.RealStack;
import io.chainpulse.stack.RealStackExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@ExtendWith(RealStackExtension.class)
class ReplayCommandIT {
    @TempDir
    Path dir;

    @Test
    void shouldPublishEveryGoodLineKeyedByItsNodeAndReportTheBadOneWithFileAndLine(RealStack stack) throws Exception {
        String topic = "replay-" + UUID.randomUUID();
        stack.broker().createTopics(2, topic);
        Path file = dir.resolve("incident.jsonl");
        Files.writeString(file, String.join("\n",
                "{\"event_id\": \"a1\", \"event_type\": \"transaction_ingress\", \"timestamp_ns\": 1753784501635923000, \"node_id\": \"v1\", \"metadata\": {\"tx_id\": \"0xab\", \"amount\": 100}}",
                "{\"event_id\": \"a2\", \"event_type\": \"block_finalisation\", \"timestamp_ns\": 1753784501735923000, \"node_id\": \"v2\"}",
                "{\"event_id\": \"a3\", \"event_type\": \"block_finalization\", \"timestamp_ns\": 1753784501835923000, \"node_id\": \"v2\", \"metadata\": {\"height\": 5, \"tx_count\": 12}}",
                "{\"event_id\": \"a4\", \"event_type\": \"consensus_vote\", \"timestamp_ns\": 1753784501935923000, \"node_id\": \"v3\", \"metadata\": {\"height\": 5, \"round\": 0}}"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = ChainPulseCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));

        int exit = cli.execute("replay", "--input", file.toString(), "--bootstrap-servers", stack.bootstrapServers(),
                "--registry-url", stack.registryUrl(), "--topic", topic, "--spool-dir", dir.resolve("spool").toString());

        assertThat(exit).isZero();
        assertThat(out.toString()).startsWith(file + ": 3 events published, 1 bad lines skipped, in ");
        assertThat(err.toString()).contains(file + ":2: unknown event_type 'block_finalisation'; expected one of block_creation_start, ");
        List<ConsumerRecord<String, ProtocolEvent>> records = read(stack, topic, 3);
        assertThat(records).extracting(r -> r.value().getEventId()).containsExactlyInAnyOrder("a1", "a3", "a4");
        for (ConsumerRecord<String, ProtocolEvent> record : records) {
            assertThat(record.key()).isEqualTo(record.value().getNodeId());
        }
        ProtocolEvent finalization = records.stream().map(ConsumerRecord::value)
                .filter(e -> e.getEventType() == EventType.block_finalization).findFirst().orElseThrow();
        assertThat(finalization.getHeight()).isEqualTo(5L);
        assertThat(finalization.getTxCount()).isEqualTo(12);
        assertThat(finalization.getTimestampNs()).isEqualTo(1753784501835923000L);
    }

    @Test
    void shouldExitWithTwoNamingAMissingInputFile() {
        StringWriter err = new StringWriter();
        CommandLine cli = ChainPulseCli.commandLine();
        cli.setErr(new PrintWriter(err, true));

        int exit = cli.execute("replay", "--input", dir.resolve("nope.jsonl").toString());

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("chainpulse replay: --input " + dir.resolve("nope.jsonl") + ": no such file"
                + System.lineSeparator());
    }

    private static List<ConsumerRecord<String, ProtocolEvent>> read(RealStack stack, String topic, int expected) {
        List<ConsumerRecord<String, ProtocolEvent>> out = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "replay-reader",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(),
                new AvroDeserializer<>(ProtocolEvent.class, SchemaRegistryClients.forUrl(stack.registryUrl())))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}
