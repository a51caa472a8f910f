package io.chainpulse.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.processor.Blocks.Block;
import io.chainpulse.schema.KpiWindow;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.junit.jupiter.api.Test;

/**
 * The leader-share stage alone, fed distinct blocks directly: blocks from several hash partitions reach it out of
 * order, which the one-partition {@link Harness} never produces. 10 s windows, 5 s grace, 60 s memory of leaders.
 */
class LeaderShareTopologyTest {
    private static final long T0 = Harness.T0;

    @Test
    void shouldCloseWindowsInOrderCountALateBlockAndReportARememberedLeaderAtZero() {
        ProcessorCounters counters = new ProcessorCounters();
        ProcessorConfig config = new ProcessorConfig(Map.of(ProcessorConfig.SCHEMA_REGISTRY_URL,
                "mock://leader-share-" + UUID.randomUUID()));
        KpiContext ctx = KpiContext.of(config, counters, 1);
        StreamsBuilder builder = new StreamsBuilder();
        LeaderShareTopology.build(builder, builder.stream("blocks", Consumed.with(Serdes.String(), Block.SERDE)), ctx);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "leader-share");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/leader-share-" + UUID.randomUUID());
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), props)) {
            TestInputTopic<String, Block> in = driver.createInputTopic("blocks", Serdes.String().serializer(),
                    Block.SERDE.serializer());
            TestOutputTopic<String, KpiWindow> out = driver.createOutputTopic(ctx.kpis().name(),
                    Serdes.String().deserializer(), ctx.kpis().valueSerde().deserializer());

            in.pipeInput("network", block("v1"), T0 + 1_000);
            in.pipeInput("network", block("v2"), T0 + 9_000);
            in.pipeInput("network", block("v1"), T0 + 20_000);  // stream time 20 s: window 0 closes (10 s + 5 s grace)
            in.pipeInput("network", block("v2"), T0 + 3_000);   // window 0 is out: late
            in.pipeInput("network", block("v2"), T0 + 12_000);  // window 10 s is still open
            in.pipeInput("network", block(null), T0 + 41_000);  // no leader: a block of window 40 s all the same
            in.pipeInput("network", block("v3"), T0 + 42_000);  // stream time 42 s: windows 10 s and 20 s close

            List<String> shares = out.readRecordsToList().stream().map(r -> r.key() + " count=" + r.value().getCount()
                    + " mean=" + r.value().getMean()).toList();
            assertThat(shares).containsExactly(
                    "leader_share_pct|node|v1|" + T0 + " count=2 mean=50.0",
                    "leader_share_pct|node|v2|" + T0 + " count=2 mean=50.0",
                    "leader_share_pct|node|v1|" + (T0 + 10_000) + " count=1 mean=0.0",
                    "leader_share_pct|node|v2|" + (T0 + 10_000) + " count=1 mean=100.0",
                    "leader_share_pct|node|v1|" + (T0 + 20_000) + " count=1 mean=100.0",
                    "leader_share_pct|node|v2|" + (T0 + 20_000) + " count=1 mean=0.0");
            assertThat(counters.snapshot()).containsEntry("late|leader_share_pct|network", 1L);

            in.pipeInput("network", block("v3"), T0 + 60_000);  // closes window 40 s: 2 blocks, one led by v3
            assertThat(out.readRecordsToList().stream().map(r -> r.value().getNodeId() + " " + r.value().getCount()
                    + " " + r.value().getMean()).toList()).containsExactly("v1 2 0.0", "v2 2 0.0", "v3 2 50.0");
        }
    }

    private static Block block(String leader) {
        return new Block(10, 210_000L, 2_000L, leader);
    }
}
