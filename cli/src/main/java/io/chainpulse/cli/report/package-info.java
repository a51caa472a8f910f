/**
 * {@code ./chainpulse report}: a Markdown performance report over a period of final KPI windows and anomalies,
 * compared with the previous period of equal length.
 *
 * <p>{@link io.chainpulse.cli.report.ReportInput} reads an analyze output directory and
 * {@link io.chainpulse.cli.report.KpiTopics} the Kafka topics; {@link io.chainpulse.cli.report.Report} is the pure
 * part: windows and anomalies in, Markdown and the list of regressions out. Percentiles over a period come from the
 * windows' DDSketches merged ({@link io.chainpulse.processor.Sketches}), never from averaged per-window percentiles.
 */
package io.chainpulse.cli.report;
