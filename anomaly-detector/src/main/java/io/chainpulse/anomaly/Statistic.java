package io.chainpulse.anomaly;

import io.chainpulse.schema.KpiWindow;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The statistic of a {@link KpiWindow} a detector looks at; {@link #of} returns empty when the window lacks it. */
public enum Statistic {
    RATE, COUNT, MIN, MEAN, MAX, P50, P90, P95, P99;

    /** The value in {@code window}, or empty when the window does not carry it (e.g. p95 of a rate KPI). */
    public Optional<Double> of(KpiWindow window) {
        Double value = switch (this) {
            case RATE -> window.getRatePerS();
            case COUNT -> (double) window.getCount();
            case MIN -> window.getMin();
            case MEAN -> window.getMean();
            case MAX -> window.getMax();
            case P50 -> window.getP50();
            case P90 -> window.getP90();
            case P95 -> window.getP95();
            case P99 -> window.getP99();
        };
        return value == null || value.isNaN() ? Optional.empty() : Optional.of(value);
    }

    /** The quantile a percentile statistic stands for ({@code P95}: 0.95); empty for the others. */
    public java.util.OptionalDouble quantile() {
        return switch (this) {
            case P50 -> java.util.OptionalDouble.of(0.5);
            case P90 -> java.util.OptionalDouble.of(0.9);
            case P95 -> java.util.OptionalDouble.of(0.95);
            case P99 -> java.util.OptionalDouble.of(0.99);
            case RATE, COUNT, MIN, MEAN, MAX -> java.util.OptionalDouble.empty();
        };
    }

    /** Lower-case name as written in rule files and descriptions ({@code p95}, {@code rate}). */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Optional<Statistic> parse(String text) {
        return Arrays.stream(values()).filter(s -> s.label().equals(text)).findFirst();
    }

    static String labels() {
        return Arrays.stream(values()).map(Statistic::label).collect(Collectors.joining(", "));
    }
}
