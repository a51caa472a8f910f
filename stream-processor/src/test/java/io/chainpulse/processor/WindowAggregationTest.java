package io.chainpulse.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.processor.WindowAggregation.Closed;
import io.chainpulse.processor.WindowAggregation.Emitted;
import io.chainpulse.processor.WindowAggregation.Progress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BiFunction;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/** The window stages' logic on a mock context: 10 s windows; node grace 5 s, network grace 30 s. */
class WindowAggregationTest {
    private static final long T0 = 1_753_784_500_000L;
    private final ProcessorCounters counters = new ProcessorCounters();

    @Test
    void aNodeStageEmitsClosedWindowsThenItsPartitionsProgressOncePerWindow() {
        Stage<Sample> node = new Stage<>(WindowAggregation.stage("m", "node", Duration.ofSeconds(10),
                Duration.ofSeconds(5), (s, v) -> s.add(v, false), true, 0, config()), 3);

        node.send("v1", Sample.of("v1", 2), T0 + 100);
        node.send("v2", Sample.of("v2", 5), T0 + 9_000);
        node.send("v1", Sample.of("v1", 1), T0 + 14_999);       // window 1; window 0 still open: it closes at 15 s
        assertThat(node.out()).as("the windows ending at T0 − 10 s and T0 are out: there are none")
                .containsExactly("Progress p3 " + (T0 - 10_000), "Progress p3 " + T0);

        node.send("v1", Sample.of("v1", 7), T0 + 15_000);
        assertThat(node.out()).containsExactly(
                "Closed v1 " + T0 + " sum 2.0",
                "Closed v2 " + T0 + " sum 5.0",
                "Progress p3 " + (T0 + 10_000));

        node.send("v1", Sample.of("v1", 1), T0 + 16_000);       // same boundary: no second progress
        node.send("v2", Sample.of("v2", 1), T0 + 9_999);        // window 0 is closed: late, counted
        assertThat(node.out()).isEmpty();
        assertThat(counters.snapshot()).containsEntry("late|m|v2", 1L);
    }

    @Test
    void aNetworkStageClosesAWindowOnceEveryPartitionsProgressPassedItsEnd() {
        BiFunction<Stats, Emitted, Stats> merge = (s, e) -> s.merge(((Closed) e).stats());
        Stage<Emitted> network = new Stage<>(WindowAggregation.stage("m", "network", Duration.ofSeconds(10),
                Duration.ofSeconds(30), merge, false, 2, config()), 0);

        network.send("network", closed("v1", 3), T0 + 9_999);
        network.send("network", new Progress(0, T0 + 10_000), T0 + 9_999);
        assertThat(network.out()).as("partition 1 has not reported").isEmpty();

        network.send("network", closed("v2", 4), T0 + 9_999);
        network.send("network", new Progress(1, T0 + 10_000), T0 + 9_999);
        assertThat(network.out()).containsExactly("Closed network " + T0 + " sum 7.0");

        network.send("network", closed("v3", 1), T0 + 9_999);   // after both partitions said window 0 was out
        assertThat(network.out()).isEmpty();
        assertThat(counters.snapshot()).containsEntry("late|m|network", 1L);
    }

    @Test
    void withoutEveryPartitionsProgressANetworkWindowClosesAfterItsGrace() {
        BiFunction<Stats, Emitted, Stats> merge = (s, e) -> s.merge(((Closed) e).stats());
        Stage<Emitted> network = new Stage<>(WindowAggregation.stage("m", "network", Duration.ofSeconds(10),
                Duration.ofSeconds(30), merge, false, 2, config()), 0);

        network.send("network", closed("v1", 3), T0 + 9_999);
        network.send("network", new Progress(0, T0 + 50_000), T0 + 49_999);
        network.send("network", closed("v1", 1), T0 + 39_999);
        assertThat(network.out()).isEmpty();

        network.send("network", closed("v1", 1), T0 + 40_000);   // window 0's end + 30 s
        assertThat(network.out()).containsExactly("Closed network " + T0 + " sum 3.0");
    }

    @Test
    void aStragglerAfterARestartIsLateForTheWindowClosedBeforeAndNeverASecondFinalWindow() {
        ProcessorSupplier<String, Sample, String, Emitted> supplier = WindowAggregation.stage("m", "node",
                Duration.ofSeconds(10), Duration.ofSeconds(5), (s, v) -> s.add(v, false), true, 0, config());
        Stage<Sample> node = new Stage<>(supplier, 3);
        node.send("v1", Sample.of("v1", 2), T0 + 100);
        node.send("v1", Sample.of("v1", 4), T0 + 15_000);       // closes window 0
        assertThat(node.out()).containsExactly("Progress p3 " + (T0 - 10_000), "Closed v1 " + T0 + " sum 2.0",
                "Progress p3 " + (T0 + 10_000));
        node.commit();

        node.restart();                                          // a new instance on the restored store
        node.send("v1", Sample.of("v1", 8), T0 + 9_000);         // for window 0, already final
        assertThat(node.out()).isEmpty();
        assertThat(counters.snapshot()).containsEntry("late|m|v1", 1L);

        node.send("v1", Sample.of("v1", 1), T0 + 25_000);       // closes window 1, opened before the restart
        assertThat(node.out()).as("window 1 once, window 0 never again, no progress reported twice")
                .containsExactly("Closed v1 " + (T0 + 10_000) + " sum 4.0", "Progress p3 " + (T0 + 20_000));
    }

    @Test
    void aNetworkStageRemembersWhatItClosedAndEveryPartitionsProgressAcrossARestart() {
        BiFunction<Stats, Emitted, Stats> merge = (s, e) -> s.merge(((Closed) e).stats());
        Stage<Emitted> network = new Stage<>(WindowAggregation.stage("m", "network", Duration.ofSeconds(10),
                Duration.ofSeconds(30), merge, false, 2, config()), 0);
        network.send("network", closed("v1", 3), T0 + 9_999);
        network.send("network", closed("v2", 4), T0 + 9_999);
        network.send("network", new Progress(0, T0 + 10_000), T0 + 9_999);
        network.send("network", new Progress(1, T0 + 20_000), T0 + 19_999);   // partition 1 is a window ahead
        assertThat(network.out()).containsExactly("Closed network " + T0 + " sum 7.0");
        network.commit();

        network.restart();
        network.send("network", closed("v3", 1), T0 + 9_999);  // the straggler: window 0 was emitted before the restart
        network.send("network", new Closed("v1", T0 + 10_000, T0 + 20_000, Stats.empty().add(Sample.of("v1", 5), false)),
                T0 + 19_999);
        assertThat(network.out()).isEmpty();
        assertThat(counters.snapshot()).containsEntry("late|m|network", 1L);

        network.send("network", new Progress(0, T0 + 20_000), T0 + 19_999);
        assertThat(network.out()).as("partition 1's progress from before the restart is remembered")
                .containsExactly("Closed network " + (T0 + 10_000) + " sum 5.0");
    }

    @Test
    void aTaskRevivedOnTheSameInstanceReplaysItsUncommittedRecordsToTheSameFinalWindows() {
        Stage<Sample> node = new Stage<>(WindowAggregation.stage("m", "node", Duration.ofSeconds(10),
                Duration.ofSeconds(5), (s, v) -> s.add(v, false), true, 0, config()), 3);
        node.send("v1", Sample.of("v1", 2), T0 + 100);
        node.send("v2", Sample.of("v2", 5), T0 + 9_000);
        node.commit();
        assertThat(node.out()).containsExactly("Progress p3 " + (T0 - 10_000), "Progress p3 " + T0);
        node.send("v1", Sample.of("v1", 7), T0 + 15_000);
        List<String> first = node.out();
        assertThat(first).containsExactly("Closed v1 " + T0 + " sum 2.0", "Closed v2 " + T0 + " sum 5.0",
                "Progress p3 " + (T0 + 10_000));

        node.revive();                                           // the transaction is aborted, state back to the commit
        node.send("v1", Sample.of("v1", 7), T0 + 15_000);        // and the record is processed again
        assertThat(node.out()).isEqualTo(first);
        assertThat(counters.snapshot()).doesNotContainKey("late|m|v1");
    }

    private static Closed closed(String node, double sum) {
        Stats stats = Stats.empty().add(Sample.of(node, sum), false);
        return new Closed(node, T0, T0 + 10_000, stats);
    }

    private KpiContext config() {
        Map<String, Object> settings = new HashMap<>();
        settings.put(ProcessorConfig.SCHEMA_REGISTRY_URL, "mock://window-aggregation");
        settings.put(ProcessorConfig.STATE_STORES, "in_memory");
        return KpiContext.of(new ProcessorConfig(settings), counters);
    }

    /**
     * One stage on a mock context for the task of input partition {@code partition}. Its store writes back to an
     * in-memory store that stands for RocksDB and the changelog: {@link #commit} writes back, {@link #restart} and
     * {@link #revive} lose what was not.
     */
    private final class Stage<V> {
        private final ProcessorSupplier<String, V, String, Emitted> supplier;
        private final MockProcessorContext<String, Emitted> context;
        private final WriteBackStore<?, ?> store;
        private Processor<String, V, String, Emitted> processor;

        Stage(ProcessorSupplier<String, V, String, Emitted> supplier, int partition) {
            this.supplier = supplier;
            Properties props = new Properties();
            props.put(StreamsConfig.APPLICATION_ID_CONFIG, "window-aggregation");
            props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
            context = new MockProcessorContext<>(props, new TaskId(0, partition), null);
            String name = supplier.stores().iterator().next().name();
            store = WriteBackStore.over(Stores.inMemoryKeyValueStore(name).get(), WindowAggregation.WindowKey.SERDE,
                    WindowAggregation.Slot.SERDE);
            store.init(context.getStateStoreContext(), store);
            context.addStateStore(store);
            processor = supplier.get();
            processor.init(context);
        }

        /** What Kafka Streams does at a commit: the store's changes are written back. */
        void commit() {
            store.flushCache();
        }

        /** The process dies and a new one takes the task: a new processor over the store as last committed. */
        void restart() {
            store.clearCache();
            context.resetForwards();
            processor = supplier.get();
            processor.init(context);
        }

        /** Kafka Streams revives the task: the same processor instance initialized again, the store as last committed. */
        void revive() {
            store.clearCache();
            context.resetForwards();
            processor.init(context);
        }

        void send(String key, V value, long timestamp) {
            processor.process(new Record<>(key, value, timestamp));
        }

        /** What was forwarded since the last call, as text. */
        List<String> out() {
            List<String> out = context.forwarded().stream().map(f -> {
                Emitted e = f.record().value();
                return e instanceof Closed c ? "Closed " + c.key() + " " + c.start() + " sum " + c.stats().sum()
                        : "Progress p" + ((Progress) e).partition() + " " + ((Progress) e).finalUpTo();
            }).toList();
            context.resetForwards();
            return out;
        }
    }
}
