package io.chainpulse.cli;

import io.chainpulse.schema.ClientSettings;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chainpulse.schema.DeadLetters;
import io.chainpulse.schema.catalog.Topics;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./chainpulse dead-letters [--service S] [--topic T] [--json] [--republish]}. */
@Command(name = "dead-letters",
        mixinStandardHelpOptions = true,
        description = {
            "List the records services could not decode or process (" + Topics.Names.DEAD_LETTERS + "): when, which service, "
                    + "source topic-partition@offset, and why. Reads the whole topic up to its current end; no "
                    + "consumer group.",
            "--republish sends the selected records, key and value bytes unchanged, back to their source topic "
                    + "(once the cause is fixed, e.g. a schema registered again): each run republishes again."})
final class DeadLettersCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(200);

    @Spec
    CommandSpec spec;

    @Option(names = "--service", description = "Only dead letters of this service (processor, anomaly-detector, "
            + "sink-es, sink-pushgateway, notify, alerts, dashboard, report).")
    String service;

    @Option(names = "--topic", description = "Only dead letters from this source topic.")
    String topic;

    @Option(names = "--json", description = "One JSON object per line instead of a table.")
    boolean json;

    @Option(names = "--republish", description = "Send the selected records back to their source topic.")
    boolean republish;

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    private Map<String, Object> settings;
    private String bootstrapServers;

    /** One dead letter as listed. */
    record Letter(long timestampMs, String service, String sourceTopic, int sourcePartition, long sourceOffset,
                  String reason, byte[] key, byte[] value) {

        static Letter of(ConsumerRecord<byte[], byte[]> record) {
            Headers h = record.headers();
            return new Letter(record.timestamp(), text(h, DeadLetters.SERVICE_HEADER),
                    text(h, DeadLetters.SOURCE_TOPIC_HEADER), (int) number(h, DeadLetters.SOURCE_PARTITION_HEADER),
                    number(h, DeadLetters.SOURCE_OFFSET_HEADER), text(h, DeadLetters.REASON_HEADER), record.key(),
                    record.value());
        }

        private static String text(Headers headers, String name) {
            return DeadLetters.header(headers, name).orElse("");
        }

        private static long number(Headers headers, String name) {
            try {
                return Long.parseLong(text(headers, name));
            } catch (NumberFormatException e) {
                return -1;
            }
        }

        String tableLine() {
            return String.format("%s  %-16s %s-%d@%d  %s", Instant.ofEpochMilli(timestampMs), service, sourceTopic,
                    sourcePartition, sourceOffset, reason);
        }

        String jsonLine() {
            ObjectNode node = JSON.createObjectNode();
            node.put("timestamp", Instant.ofEpochMilli(timestampMs).toString());
            node.put("service", service);
            node.put("source_topic", sourceTopic);
            node.put("source_partition", sourcePartition);
            node.put("source_offset", sourceOffset);
            node.put("reason", reason);
            node.put("value_bytes", value == null ? 0 : value.length);
            return node.toString();
        }
    }

    @Override
    public Integer call() throws InterruptedException, ExecutionException {
        settings = kafka.settings(null, Map.of());
        if (kafka.printed(settings)) {
            return 0;
        }
        bootstrapServers = KafkaOptions.bootstrapServers(settings);
        PrintWriter out = spec.commandLine().getOut();
        List<Letter> letters = read().stream()
                .filter(l -> service == null || service.equals(l.service()))
                .filter(l -> topic == null || topic.equals(l.sourceTopic()))
                .toList();
        for (Letter letter : letters) {
            out.println(json ? letter.jsonLine() : letter.tableLine());
        }
        if (republish) {
            republish(letters);
            spec.commandLine().getErr().println("republished " + letters.size() + " record"
                    + (letters.size() == 1 ? "" : "s") + " to their source topic");
        } else if (!json) {
            spec.commandLine().getErr().println(letters.size() + " dead letter" + (letters.size() == 1 ? "" : "s"));
        }
        out.flush();
        return 0;
    }

    /** Every committed dead letter up to the topic's end offsets now. */
    private List<Letter> read() {
        Map<String, Object> props = ClientSettings.forClient(settings, ClientSettings.CONSUMER);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"); // Streams apps write them transactionally
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "chainpulse-dead-letters");
        List<Letter> letters = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(DeadLetters.TOPIC, TIMEOUT);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalArgumentException("topic " + DeadLetters.TOPIC + " does not exist on "
                        + bootstrapServers + " (./chainpulse up creates it)");
            }
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> remaining = new HashMap<>(consumer.endOffsets(partitions, TIMEOUT));
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (true) {
                for (TopicPartition p : List.copyOf(remaining.keySet())) {
                    // position, not the last record: transaction markers take offsets too
                    if (consumer.position(p, TIMEOUT) >= remaining.get(p)) {
                        remaining.remove(p);
                    }
                }
                if (remaining.isEmpty()) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading " + DeadLetters.TOPIC + " did not reach its end offsets "
                            + remaining + " within " + TIMEOUT.toSeconds() + " s");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    Long end = remaining.get(new TopicPartition(record.topic(), record.partition()));
                    if (end != null && record.offset() < end) {
                        letters.add(Letter.of(record));
                    }
                }
            }
        }
        letters.sort(java.util.Comparator.comparingLong(Letter::timestampMs));
        return letters;
    }

    private void republish(List<Letter> letters) throws InterruptedException, ExecutionException {
        Map<String, Object> props = ClientSettings.forClient(settings, ClientSettings.PRODUCER);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
            for (Letter letter : letters) {
                if (letter.sourceTopic().isEmpty()) {
                    throw new IllegalArgumentException("a dead letter of " + letter.service() + " has no source topic "
                            + "header: cannot republish it (narrow the selection with --service or --topic)");
                }
                // back to its own partition, so it is read in the same order relative to its key as before
                Integer partition = letter.sourcePartition() >= 0 ? letter.sourcePartition() : null;
                sent.add(producer.send(new ProducerRecord<>(letter.sourceTopic(), partition, letter.key(),
                        letter.value())));
            }
            for (var future : sent) {
                future.get();
            }
        }
    }
}
