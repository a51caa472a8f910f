package io.chainpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chainpulse.schema.NodeResourceSample;
import io.chainpulse.schema.json.EventJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulateCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final CliRun cli = new CliRun();

    @TempDir
    Path dir;

    @Test
    void shouldWriteResourceSamplesToTheirOwnFileAndOnlyEventsToTheEventsFile() throws Exception {
        Path events = dir.resolve("events.jsonl");
        Path samples = dir.resolve("resources.jsonl");

        assertThat(cli.run("simulate", "--duration", "10s", "--output", events.toString(),
                "--resources-output", samples.toString())).isZero();

        List<String> lines = Files.readAllLines(samples);
        assertThat(lines).hasSize(8); // 4 validators, one sample every 5 s
        List<String> nodes = new ArrayList<>();
        for (String line : lines) {
            JsonNode sample = JSON.readTree(line);
            List<String> fields = new ArrayList<>();
            sample.fieldNames().forEachRemaining(fields::add);
            assertThat(fields).containsExactly("node_id", "chain_id", "timestamp_ns", "cpu_percent",
                    "process_cpu_percent", "heap_used_bytes", "rss_bytes", "disk_read_bytes", "disk_write_bytes",
                    "net_rx_bytes", "net_tx_bytes", "open_fds", "mempool_size", "peer_count",
                    "system_memory_used_bytes", "system_memory_available_bytes", "disk_used_percent", "threads",
                    "sample_interval_ns", "cpu_cores", "open_fds_limit");
            nodes.add(sample.get("node_id").asText());
        }
        assertThat(nodes).containsExactly("v1", "v2", "v3", "v4", "v1", "v2", "v3", "v4");
        List<String> eventLines = Files.readAllLines(events);
        assertThat(eventLines).isNotEmpty().noneMatch(l -> l.contains("cpu_percent"));
        eventLines.forEach(EventJson::parse); // every line is an event
    }

    @Test
    void shouldWriteEverySampleFieldUnderItsSchemaName() {
        NodeResourceSample sample = NodeResourceSample.newBuilder().setNodeId("v3").setChainId(null)
                .setTimestampNs(1_753_784_505_000_000_000L).setCpuPercent(11.5).setProcessCpuPercent(7.25)
                .setHeapUsedBytes(536_870_912L).setRssBytes(771_751_936L).setDiskReadBytes(98_304L)
                .setDiskWriteBytes(393_216L).setNetRxBytes(360_000L).setNetTxBytes(120_000L).setOpenFds(72)
                .setMempoolSize(101).build();

        assertThat(SimulateCommand.sampleJson(sample)).isEqualTo("{\"node_id\":\"v3\",\"chain_id\":null,"
                + "\"timestamp_ns\":1753784505000000000,\"cpu_percent\":11.5,\"process_cpu_percent\":7.25,"
                + "\"heap_used_bytes\":536870912,\"rss_bytes\":771751936,\"disk_read_bytes\":98304,"
                + "\"disk_write_bytes\":393216,\"net_rx_bytes\":360000,\"net_tx_bytes\":120000,\"open_fds\":72,"
                + "\"mempool_size\":101,\"peer_count\":null,\"system_memory_used_bytes\":null,"
                + "\"system_memory_available_bytes\":null,\"disk_used_percent\":null,\"threads\":null,"
                + "\"sample_interval_ns\":null,\"cpu_cores\":null,\"open_fds_limit\":null}");
    }

    @Test
    void shouldRefuseResourcesOutputWithoutOutput() {
        assertThat(cli.run("simulate", "--resources-output", dir.resolve("r.jsonl").toString())).isEqualTo(2);

        assertThat(cli.err()).isEqualTo("chainpulse simulate: --resources-output needs --output (when publishing, "
                + "the samples go to the resources topic)" + System.lineSeparator());
    }
}
