package io.chainpulse.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.EventType;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.json.EventJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code analyze} has no wall clock: an event is in the future relative to the recording's own progress. The
 * recordings here are longer than the reader's lookahead ({@value RecordingClock#LOOKAHEAD} events), so the clock
 * really moves while the file is read.
 */
class AnalyzeJobClockTest {
    private static final long T0 = 1_753_784_500_000L;
    private static final long W = 10_000;
    private static final int NODES = 8;
    private static final int WINDOWS = 35;
    private static final int PER_NODE_AND_WINDOW = 20;
    private static final long YEAR_MS = 365L * 24 * 3600 * 1000;

    @TempDir
    Path dir;

    /** Ingress events of 8 nodes, 20 per node and window, over 35 windows from {@code fromMs}: 5,600 events. */
    private static List<ProtocolEvent> traffic(long fromMs) {
        return traffic(fromMs, WINDOWS);
    }

    private static List<ProtocolEvent> traffic(long fromMs, int windows) {
        List<ProtocolEvent> out = new ArrayList<>();
        for (int w = 0; w < windows; w++) {
            for (int i = 0; i < PER_NODE_AND_WINDOW; i++) {
                for (int n = 1; n <= NODES; n++) {
                    out.add(event("v" + n, fromMs + w * W + i * 500L + n, "t" + fromMs + "-" + w + "-" + i + "-" + n));
                }
            }
        }
        return out;
    }

    private static ProtocolEvent event(String node, long ms, String tx) {
        return ProtocolEvent.newBuilder().setEventId(node + "-" + tx).setEventType(EventType.transaction_ingress)
                .setTimestampNs(ms * 1_000_000L).setNodeId(node).setTxId(tx).setMetadata(new HashMap<>()).build();
    }

    private AnalyzeJob.Result analyse(List<ProtocolEvent> events, String name) throws IOException {
        List<String> lines = events.stream().map(EventJson::write).toList();
        Path file = Files.write(dir.resolve(name + ".jsonl"), lines);
        return AnalyzeJob.run(file, Map.of(), problem -> {
            throw new AssertionError(problem);
        });
    }

    /** Every node window of {@code tx_ingress_tps} counted 20, every network window 160, from {@code fromMs}. */
    private static void assertExact(List<KpiWindow> kpis, long fromMs) {
        assertExact(kpis, fromMs, WINDOWS);
    }

    private static void assertExact(List<KpiWindow> kpis, long fromMs, int windows) {
        List<KpiWindow> ingress = kpis.stream().filter(k -> k.getMetric().equals(TxIngressTpsTopology.METRIC)
                && k.getWindowStartMs() >= fromMs && k.getWindowStartMs() < fromMs + windows * W).toList();
        assertThat(ingress).hasSize(windows * (NODES + 1));
        assertThat(ingress).allSatisfy(k -> assertThat(k.getCount())
                .isEqualTo(k.getScope() == KpiScope.node ? PER_NODE_AND_WINDOW : (long) NODES * PER_NODE_AND_WINDOW));
    }

    @Test
    void shouldSetAsideOneEventAYearAheadAndWriteTheSameKpisAsWithoutIt() throws IOException {
        List<ProtocolEvent> events = traffic(T0, 80); // 12,800 events
        AnalyzeJob.Result without = analyse(events, "without");
        events.add(events.size() / 2, event("v3", T0 + 400_000 + YEAR_MS, "from-the-future"));

        AnalyzeJob.Result with = analyse(events, "with");

        assertExact(with.kpis(), T0, 80);
        assertThat(with.kpis()).isEqualTo(without.kpis());
        AnalyzeJob.writeKpis(with.kpis(), dir.resolve("with-kpis.jsonl"));
        AnalyzeJob.writeKpis(without.kpis(), dir.resolve("without-kpis.jsonl"));
        assertThat(dir.resolve("with-kpis.jsonl")).hasSameBinaryContentAs(dir.resolve("without-kpis.jsonl"));
        assertThat(with.counters()).containsEntry("future|events|v3", 1L);
        assertThat(with.counters().keySet()).filteredOn(k -> k.startsWith("late|")).isEmpty();
        assertThat(with.lastEventMs()).isEqualTo(without.lastEventMs());
    }

    @Test
    void shouldCloseWindowsNormallyWhenEveryNodeJumpsAnHourAheadTogether() throws IOException {
        List<ProtocolEvent> events = traffic(T0);          // 5,600 events, then an hour of outage,
        events.addAll(traffic(T0 + 3_600_000L));           // then every node again: the jump is past the lookahead
        events.addAll(traffic(T0 + 7_200_000L));

        AnalyzeJob.Result result = analyse(events, "jump");

        assertExact(result.kpis(), T0);
        assertExact(result.kpis(), T0 + 3_600_000L);
        assertExact(result.kpis(), T0 + 7_200_000L);
        assertThat(result.counters().keySet()).filteredOn(k -> k.startsWith("future|") || k.startsWith("late|"))
                .isEmpty();
    }
}
