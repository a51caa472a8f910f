package io.chainpulse.anomaly;

import java.util.List;

/**
 * What a pooled rule ({@link Rule#poolWindows()} above 1) remembers of a series between windows: its latest windows'
 * samples and failed samples, oldest first (stored as JSON in a state store, one entry per incident key).
 */
public record RuleWindows(List<Window> windows) {
    public RuleWindows {
        windows = List.copyOf(windows);
    }

    /** One window of a failure ratio: its start, its samples (the window's count) and how many of them failed. */
    public record Window(long startMs, long samples, long failed) {}

    /**
     * Where a pooled rule keeps its series' windows: a state store in the service, a map in a test; keys are the
     * incident keys' ids.
     */
    public interface Memory {
        /** Nothing kept: every window is judged alone. */
        Memory NONE = new Memory() {
            @Override
            public RuleWindows get(String key) {
                return null;
            }

            @Override
            public void put(String key, RuleWindows windows) {
            }
        };

        /** The windows kept for {@code key}; null when none. */
        RuleWindows get(String key);

        void put(String key, RuleWindows windows);
    }
}
