package io.chainpulse.anomaly;

import java.util.List;

/**
 * Trend memory of one metric × scope: the last few values (bounded by the slope window) and a slow exponentially
 * weighted "history" average over about {@code trend.history.windows} windows.
 */
public record TrendState(List<Double> recent, double history, long count) {
    public TrendState {
        recent = List.copyOf(recent);
    }
}
