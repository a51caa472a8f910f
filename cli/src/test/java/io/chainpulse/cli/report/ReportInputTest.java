package io.chainpulse.cli.report;

import static io.chainpulse.cli.report.Kpis.W;
import static io.chainpulse.cli.report.Kpis.anomaly;
import static io.chainpulse.cli.report.Kpis.latency;
import static io.chainpulse.cli.report.Kpis.rate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chainpulse.anomaly.AnomalyJson;
import io.chainpulse.processor.KpiJson;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.Severity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportInputTest {
    private static final long T0 = 1_764_470_400_000L;

    @TempDir
    Path dir;

    private List<KpiWindow> tenWindows() {
        List<KpiWindow> kpis = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            kpis.add(rate("tps", null, T0 + i * W, 100));
            kpis.add(latency("consensus_latency_ms", "v1", T0 + i * W, 40, 50));
        }
        return kpis;
    }

    private void write(List<KpiWindow> kpis, List<String> anomalyLines) throws IOException {
        Files.write(dir.resolve("kpis.jsonl"), kpis.stream().map(KpiJson::write).toList());
        Files.write(dir.resolve("anomalies.jsonl"), anomalyLines);
    }

    @Test
    void shouldReadBothFilesBackLeavingOutTheRecordingsFirstAndLastWindowSlots() throws IOException {
        String firing = AnomalyJson.write(anomaly("a", AnomalyState.FIRING, Severity.HIGH, "v1",
                "consensus_latency_ms", T0 + 3 * W, T0 + 3 * W, List.of("check v1")));
        write(tenWindows(), List.of(firing, ""));

        ReportInput input = ReportInput.readAnalyzeOutput(dir);

        assertThat(input.kpis()).hasSize(16).allSatisfy(k -> assertThat(k.getWindowStartMs())
                .isBetween(T0 + W, T0 + 8 * W));
        assertThat(input.kpis().get(1)).isEqualTo(tenWindows().get(3)); // sketch and all
        assertThat(input.anomalies()).extracting(a -> a.getSuggestedActions().get(0)).containsExactly("check v1");
        assertThat(input.source()).isEqualTo("analyze output " + dir + " (recording's first and last windows left out)");
    }

    @Test
    void shouldTakeTheSecondHalfOfTheDataOnAWindowBoundaryAsTheDefaultPeriod() throws IOException {
        write(tenWindows(), List.of());

        // windows 1..8 remain (80 s of data): the period is the last 40 s, the previous one the 40 s before
        assertThat(ReportInput.readAnalyzeOutput(dir).secondHalf()).isEqualTo(new Period(T0 + 5 * W, T0 + 9 * W));
    }

    @Test
    void shouldReportEveryBadLineAsFileLineReason() throws IOException {
        List<String> kpiLines = new ArrayList<>(tenWindows().stream().map(KpiJson::write).toList());
        kpiLines.set(2, "{\"metric\":\"tps\",\"scope\":\"nodes\"}");
        kpiLines.set(5, "not json");
        Files.write(dir.resolve("kpis.jsonl"), kpiLines);
        Files.write(dir.resolve("anomalies.jsonl"), List.of("{\"anomaly_id\": \"x\"}"));

        assertThatThrownBy(() -> ReportInput.readAnalyzeOutput(dir)).isInstanceOf(ReportInputException.class)
                .hasMessage(dir.resolve("kpis.jsonl") + ":3: scope must be node or network: \"nodes\"\n"
                        + dir.resolve("kpis.jsonl") + ":6: not valid JSON: Unrecognized token 'not': was expecting "
                        + "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n"
                        + dir.resolve("anomalies.jsonl") + ":1: missing required field severity");
    }

    @Test
    void shouldNameAMissingDirectoryOrFile() throws IOException {
        assertThatThrownBy(() -> ReportInput.readAnalyzeOutput(dir.resolve("nope")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("--input " + dir.resolve("nope")
                        + ": no such directory");
        Files.writeString(dir.resolve("kpis.jsonl"), "");
        assertThatThrownBy(() -> ReportInput.readAnalyzeOutput(dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--input " + dir + ": no anomalies.jsonl (expected the output directory of "
                        + "./chainpulse analyze)");
    }
}
