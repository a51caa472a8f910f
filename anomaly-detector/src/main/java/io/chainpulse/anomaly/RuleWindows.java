package io.chainpulse.anomaly;

import java.util.List;

/**
 * What a pooled rule ({@link Rule#poolWindows()} above 1) remembers of a series between windows: its latest windows'
 * samples and failed samples, oldest first (stored as JSON in a state store, one entry per incident key: {@link Kept}).
 */
public record RuleWindows(List<Window> windows) {
    public RuleWindows {
        windows = List.copyOf(windows);
    }

    /** One window of a failure ratio: its start, its samples (the window's count) and how many of them failed. */
    public record Window(long startMs, long samples, long failed) {}
}
