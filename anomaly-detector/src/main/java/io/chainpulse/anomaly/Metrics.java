package io.chainpulse.anomaly;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the learned detectors know about each KPI: which statistic summarises a window and which direction is bad.
 * Rate KPIs are judged on {@code rate_per_s} and a drop is bad; latency KPIs on {@code p95} and a rise is bad (a
 * node much faster than its peers is not an operator's problem).
 */
final class Metrics {
    static final List<String> RATE = List.of("tx_ingress_tps", "tps");
    static final List<String> LATENCY = List.of("block_time_ms", "block_creation_ms", "block_execution_ms",
            "consensus_latency_ms", "propagation_delay_ms", "tx_validation_ms");
    static final List<String> ALL = List.of("tx_ingress_tps", "tps", "block_time_ms", "block_creation_ms",
            "block_execution_ms", "consensus_latency_ms", "propagation_delay_ms", "tx_validation_ms");

    private static final Map<String, String> HUMAN = Map.of(
            "tx_ingress_tps", "transaction ingress rate",
            "tps", "TPS",
            "block_time_ms", "block time",
            "block_creation_ms", "block creation time",
            "block_execution_ms", "block execution time",
            "consensus_latency_ms", "consensus latency",
            "propagation_delay_ms", "propagation delay",
            "tx_validation_ms", "transaction validation time");

    private Metrics() {}

    static boolean isRate(String metric) {
        return RATE.contains(metric);
    }

    /** The statistic baseline, peer and trend detectors compare. */
    static Statistic learnedStatistic(String metric) {
        return isRate(metric) ? Statistic.RATE : Statistic.P95;
    }

    /** true when a higher value is worse (latency); false when a lower value is worse (throughput). */
    static boolean higherIsWorse(String metric) {
        return !isRate(metric);
    }

    static String human(String metric) {
        return HUMAN.getOrDefault(metric, metric);
    }

    static String unit(String metric) {
        return isRate(metric) ? "/s" : metric.endsWith("_ms") ? " ms" : "";
    }

    /** {@code 964 ms}, {@code 12.5/s}: whole numbers from 100 up, one decimal below. */
    static String format(String metric, double value) {
        return number(value) + unit(metric);
    }

    static String number(double value) {
        return Math.abs(value) >= 100 ? String.format(Locale.ROOT, "%.0f", value)
                : String.format(Locale.ROOT, "%.1f", value);
    }

    /** "consensus latency p95" style label used at the start of descriptions: "p95 consensus latency". */
    static String label(String metric, Statistic statistic) {
        String stat = switch (statistic) {
            case RATE, COUNT -> "";
            default -> statistic.label() + " ";
        };
        return stat + human(metric);
    }
}
