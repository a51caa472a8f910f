package io.chainpulse.cli;

import io.chainpulse.cli.report.KpiTopics;
import io.chainpulse.cli.report.Period;
import io.chainpulse.cli.report.Report;
import io.chainpulse.cli.report.ReportInput;
import io.chainpulse.cli.report.ReportInputException;
import io.chainpulse.cli.report.TimeArgument;
import io.chainpulse.schema.catalog.Topics;
import java.util.Map;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code ./chainpulse report [--input DIR | --from T --to T] [--output FILE]}: a Markdown performance report with the
 * regressions against the previous period of equal length.
 */
@Command(name = "report",
        mixinStandardHelpOptions = true,
        description = {
            "A Markdown performance report over a period: network summary, per-node KPIs, per-node resources (when "
                    + "the input has resource KPIs: last, mean, max, p95), the worst windows, the "
                    + "anomalies with suggested actions, and regressions against the previous period of equal length "
                    + "(latency p95 up, or mean rate down, by more than --regression-threshold).",
            "Source: --input DIR (the output of ./chainpulse analyze; default period: the second half of the data) or "
                    + "the topics " + Topics.Names.KPIS + " and " + Topics.Names.ANOMALIES
                    + " (default period: the last hour).",
            "Exit code 0; with --fail-on-regression 3 when any regression is found."})
final class ReportCommand implements Callable<Integer> {
    /** Exit code of --fail-on-regression when a regression is found (1 and 2 mean the report could not be made). */
    static final int REGRESSION_FOUND = 3;
    private static final Duration DEFAULT_TOPIC_PERIOD = Duration.ofHours(1);

    @Spec
    CommandSpec spec;

    /** Replaced in tests so relative times are exact. */
    Clock clock = Clock.systemUTC();

    @Option(names = "--input", description = "Directory written by ./chainpulse analyze (kpis.jsonl, anomalies.jsonl). "
            + "Without it, the report reads the Kafka topics.")
    Path input;

    @Option(names = "--from", description = "Start of the period: ISO-8601 instant (2026-11-30T04:00:00Z) or relative "
            + "(-1h, -30m, -2d, now).")
    String from;

    @Option(names = "--to", description = "End of the period, exclusive; same formats as --from (default: the end of "
            + "the data for --input, now for the topics).")
    String to;

    @Option(names = "--output", description = "Write the Markdown here instead of stdout.")
    Path output;

    @Option(names = "--regression-threshold", defaultValue = "20%", converter = PercentConverter.class,
            description = "Relative change that counts as a regression (default: ${DEFAULT-VALUE}).")
    double threshold;

    @Option(names = "--min-samples", defaultValue = "" + Report.DEFAULT_MIN_SAMPLES,
            description = "Latency series need this many samples in both periods to be judged (default: ${DEFAULT-VALUE}).")
    long minSamples;

    @Option(names = "--top", defaultValue = "" + Report.DEFAULT_TOP,
            description = "Worst windows listed per latency KPI (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--fail-on-regression", description = "Exit with code 3 when any regression is found (for CI).")
    boolean failOnRegression;

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Option(names = "--kpi-topic", defaultValue = Topics.Names.KPIS, description = "KPI topic (default: ${DEFAULT-VALUE}).")
    String kpiTopic;

    @Option(names = "--anomaly-topic", defaultValue = Topics.Names.ANOMALIES,
            description = "Anomaly transitions topic (default: ${DEFAULT-VALUE}).")
    String anomalyTopic;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> settings = kafka.settings(null, Map.of());
        if (kafka.printed(settings)) {
            return 0;
        }
        String bootstrapServers = KafkaOptions.bootstrapServers(settings);
        String registryUrl = KafkaOptions.registryUrl(settings);
        Instant now = clock.instant();
        Instant fromTime = from == null ? null : TimeArgument.parse("--from", from, now);
        Instant toTime = to == null ? null : TimeArgument.parse("--to", to, now);
        if (top < 1) {
            throw new IllegalArgumentException("--top must be >= 1: " + top);
        }
        if (minSamples < 0) {
            throw new IllegalArgumentException("--min-samples must be >= 0: " + minSamples);
        }
        ReportInput data;
        Period period;
        if (input != null) {
            data = ReportInput.readAnalyzeOutput(input);
            if (fromTime == null && toTime == null) {
                period = data.secondHalf();
            } else {
                long end = toTime != null ? toTime.toEpochMilli() : data.lastMs();
                long start = fromTime != null ? fromTime.toEpochMilli() : data.firstMs() + (end - data.firstMs()) / 2;
                period = period(start, end);
            }
        } else {
            Instant end = toTime != null ? toTime : now;
            Instant start = fromTime != null ? fromTime : end.minus(DEFAULT_TOPIC_PERIOD);
            period = period(start.toEpochMilli(), end.toEpochMilli());
            KpiTopics topics = new KpiTopics(bootstrapServers, registryUrl, settings, kpiTopic, anomalyTopic);
            data = topics.read(period);
            long dead = topics.deadLetters().snapshot().values().stream().mapToLong(Long::longValue).sum();
            if (dead > 0) {
                spec.commandLine().getErr().printf("%d record%s could not be decoded and went to %s: "
                        + "./chainpulse dead-letters --service report%n", dead, dead == 1 ? "" : "s",
                        io.chainpulse.schema.DeadLetters.TOPIC);
            }
        }
        Report.Result result = Report.builder(data.source(), period).regressionThreshold(threshold).top(top)
                .minSamples(minSamples).build().render(data.kpis(), data.anomalies());
        PrintWriter out = spec.commandLine().getOut();
        if (output != null) {
            if (output.toAbsolutePath().getParent() != null) {
                Files.createDirectories(output.toAbsolutePath().getParent());
            }
            Files.writeString(output, result.markdown(), StandardCharsets.UTF_8);
            out.printf("wrote %s: %d regression%s%n", output, result.regressions().size(),
                    result.regressions().size() == 1 ? "" : "s");
            result.regressions().forEach(r -> out.println("  " + r.line()));
        } else {
            out.print(result.markdown());
        }
        out.flush();
        return failOnRegression && !result.regressions().isEmpty() ? REGRESSION_FOUND : 0;
    }

    private Period period(long start, long end) {
        if (end <= start) {
            throw new IllegalArgumentException("--from " + (from == null ? Instant.ofEpochMilli(start) : from)
                    + " must be before --to " + (to == null ? Instant.ofEpochMilli(end) : to) + " ("
                    + Instant.ofEpochMilli(start) + " → " + Instant.ofEpochMilli(end) + ")");
        }
        return new Period(start, end);
    }

    /** {@code 20%} or {@code 20}: a percentage, as a fraction. */
    static final class PercentConverter implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            String number = value.trim().endsWith("%") ? value.trim().substring(0, value.trim().length() - 1) : value.trim();
            double percent;
            try {
                percent = Double.parseDouble(number);
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a percentage: use e.g. 20%");
            }
            if (!(percent > 0) || Double.isInfinite(percent)) {
                throw new TypeConversionException("'" + value + "' must be a percentage above 0, e.g. 20%");
            }
            return percent / 100;
        }
    }
}
