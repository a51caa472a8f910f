package io.chainpulse.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/**
 * Pins the contract exactly-once rests on: whatever a processor put into a {@link WriteBackStore} while handling a
 * record is in the changelog when Kafka Streams commits that record (TopologyTestDriver commits after every input,
 * through the same {@code StreamTask.prepareCommit} path as the service) — written back once per commit, and an entry
 * created and deleted before a commit never written at all.
 */
class WriteBackStoreTest {
    private static final String STORE = "counts";

    @Test
    void writesEachCommitsLastValueToTheChangelogOnceAndSkipsEntriesThatNeverOutliveACommit() {
        try (Driver d = new Driver("rocksdb")) {
            d.send("a", "put 1");
            assertEquals(List.of(KeyValue.pair("a", 1L)), d.changelog());

            d.send("a", "put 2, put 3");
            assertEquals(List.of(KeyValue.pair("a", 3L)), d.changelog(), "one record per commit, the last value");

            d.send("t", "put 7, delete");
            assertEquals(List.of(), d.changelog(), "created and deleted within one commit: never written");

            d.send("a", "delete, put 4, delete");
            assertEquals(List.of(KeyValue.pair("a", (Long) null)), d.changelog(), "a stored key's delete is a tombstone");

            d.send("b", "put 5");
            d.send("b", "get");
            assertEquals(List.of(KeyValue.pair("b", 5L)), d.changelog());
            assertEquals(List.of("get b = 5"), d.reads);
        }
    }

    @Test
    void withoutAChangelogMemoryIsTheStore() {
        try (Driver d = new Driver("in_memory")) {
            d.send("a", "put 1, put 2");
            d.send("a", "get");
            d.send("b", "get");
            assertEquals(List.of("get a = 2", "get b = null"), d.reads);
        }
    }

    /** A processor applying the commands in each record's value ("put N", "delete", "get") to its key. */
    private static final class Driver implements AutoCloseable {
        final List<String> reads = new java.util.ArrayList<>();
        private final TopologyTestDriver driver;
        private final TestInputTopic<String, String> input;
        private final TestOutputTopic<String, Long> changelog;

        Driver(String stores) {
            Map<String, Object> settings = new HashMap<>();
            settings.put(ProcessorConfig.SCHEMA_REGISTRY_URL, "mock://write-back");
            settings.put(ProcessorConfig.STATE_STORES, stores);
            ProcessorConfig config = new ProcessorConfig(settings);
            StreamsBuilder builder = new StreamsBuilder();
            builder.addStateStore(WriteBackStore.builder(STORE, Serdes.String(), Serdes.Long(), config));
            builder.stream("in", Consumed.with(Serdes.String(), Serdes.String()))
                    .processValues(() -> new FixedKeyProcessor<String, String, String>() {
                        private KeyValueStore<String, Long> store;

                        @Override
                        public void init(FixedKeyProcessorContext<String, String> context) {
                            store = context.getStateStore(STORE);
                        }

                        @Override
                        public void process(FixedKeyRecord<String, String> record) {
                            for (String command : record.value().split(", ")) {
                                if (command.startsWith("put ")) {
                                    store.put(record.key(), Long.parseLong(command.substring(4)));
                                } else if (command.equals("delete")) {
                                    store.delete(record.key());
                                } else {
                                    reads.add("get " + record.key() + " = " + store.get(record.key()));
                                }
                            }
                        }
                    }, STORE);
            Properties props = new Properties();
            props.put(StreamsConfig.APPLICATION_ID_CONFIG, "write-back");
            props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
            props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
            props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/write-back-" + UUID.randomUUID());
            driver = new TopologyTestDriver(builder.build(), props);
            input = driver.createInputTopic("in", Serdes.String().serializer(), Serdes.String().serializer());
            changelog = driver.createOutputTopic("write-back-" + STORE + "-changelog", Serdes.String().deserializer(),
                    Serdes.Long().deserializer());
        }

        void send(String key, String commands) {
            input.pipeInput(key, commands);
        }

        List<KeyValue<String, Long>> changelog() {
            return changelog.readKeyValuesToList();
        }

        @Override
        public void close() {
            driver.close();
        }
    }
}
