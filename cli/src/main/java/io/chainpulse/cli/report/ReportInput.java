package io.chainpulse.cli.report;

import io.chainpulse.anomaly.AnomalyJson;
import io.chainpulse.processor.KpiJson;
import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.KpiWindow;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * What a report is built from: final KPI windows and anomaly transitions, and where they came from.
 *
 * <pre>{@code
 * ReportInput input = ReportInput.readAnalyzeOutput(Path.of("out"));   // out/kpis.jsonl, out/anomalies.jsonl
 * }</pre>
 *
 * @param source shown in the report's header
 */
public record ReportInput(String source, List<KpiWindow> kpis, List<Anomaly> anomalies) {
    /** Problems listed before giving up, so a damaged file does not print thousands of lines. */
    static final int MAX_PROBLEMS = 10;

    /**
     * Reads {@code DIR/kpis.jsonl} and {@code DIR/anomalies.jsonl} as {@code ./chainpulse analyze} writes them. The
     * first and the last window slot of the recording are left out: a recording rarely starts or ends on a window
     * boundary, so those windows are cut short and would read as a drop in throughput (analyze judges anomalies
     * without them for the same reason).
     *
     * @throws IllegalArgumentException when the directory or a file is missing
     * @throws ReportInputException listing every line that cannot be read (up to {@value #MAX_PROBLEMS}) as
     *                              {@code file:line: reason}
     */
    public static ReportInput readAnalyzeOutput(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--input " + dir + ": no such directory");
        }
        Path kpiFile = dir.resolve("kpis.jsonl");
        Path anomalyFile = dir.resolve("anomalies.jsonl");
        for (Path file : List.of(kpiFile, anomalyFile)) {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("--input " + dir + ": no " + file.getFileName()
                        + " (expected the output directory of ./chainpulse analyze)");
            }
        }
        List<String> problems = new ArrayList<>();
        List<KpiWindow> kpis = read(kpiFile, KpiJson::parse, problems);
        List<Anomaly> anomalies = read(anomalyFile, AnomalyJson::parse, problems);
        if (!problems.isEmpty()) {
            throw new ReportInputException(problems);
        }
        return new ReportInput("analyze output " + dir + " (recording's first and last windows left out)",
                withoutEdgeWindows(kpis), anomalies);
    }

    static List<KpiWindow> withoutEdgeWindows(List<KpiWindow> kpis) {
        if (kpis.isEmpty()) {
            return kpis;
        }
        long first = kpis.stream().mapToLong(KpiWindow::getWindowStartMs).min().orElseThrow();
        long last = kpis.stream().mapToLong(KpiWindow::getWindowStartMs).max().orElseThrow();
        return kpis.stream().filter(k -> k.getWindowStartMs() != first && k.getWindowStartMs() != last).toList();
    }

    private static <T> List<T> read(Path file, Function<String, T> parse, List<String> problems) throws IOException {
        List<T> records = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            long number = 0;
            while ((line = reader.readLine()) != null && problems.size() < MAX_PROBLEMS) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    records.add(parse.apply(line));
                } catch (IllegalArgumentException e) {
                    problems.add(file + ":" + number + ": " + e.getMessage());
                }
            }
        }
        return records;
    }

    /**
     * The default period of a recording: its second half, starting on a window boundary, so the previous period is
     * the first half.
     *
     * @throws IllegalArgumentException when there are fewer than two windows to split
     */
    public Period secondHalf() {
        if (kpis.isEmpty()) {
            throw new IllegalArgumentException(source + ": no KPI windows to report on");
        }
        long start = kpis.stream().mapToLong(KpiWindow::getWindowStartMs).min().orElseThrow();
        long end = kpis.stream().mapToLong(KpiWindow::getWindowEndMs).max().orElseThrow();
        long window = mostCommonWindowMs();
        long half = (end - start) / 2 / window * window;
        if (half == 0) {
            throw new IllegalArgumentException(source + ": one window of data cannot be split into a period and "
                    + "the one before; pass --from and --to");
        }
        return new Period(end - half, end);
    }

    /** The earliest window start and the latest window end, for periods given with one end only. */
    public long firstMs() {
        return kpis.stream().mapToLong(KpiWindow::getWindowStartMs).min().orElseThrow(
                () -> new IllegalArgumentException(source + ": no KPI windows to report on"));
    }

    public long lastMs() {
        return kpis.stream().mapToLong(KpiWindow::getWindowEndMs).max().orElseThrow(
                () -> new IllegalArgumentException(source + ": no KPI windows to report on"));
    }

    private long mostCommonWindowMs() {
        Map<Long, Long> lengths = new TreeMap<>();
        kpis.forEach(k -> lengths.merge(k.getWindowEndMs() - k.getWindowStartMs(), 1L, Long::sum));
        return lengths.entrySet().stream().max(Map.Entry.<Long, Long>comparingByValue()
                .thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder()))).orElseThrow().getKey();
    }
}
