package io.chainpulse.anomaly;

import java.util.Map;
import java.util.TreeMap;

/**
 * Node values collected for one metric × window until the window is complete enough to compare peers.
 *
 * @param failed for a failure ratio, the failed samples behind each node's value ({@link Metrics#failedSamples});
 *               empty otherwise and in windows stored by older versions
 */
public record PeerWindow(Map<String, Double> values, boolean networkSeen, Map<String, Long> failed) {
    public PeerWindow {
        values = new TreeMap<>(values);
        failed = failed == null ? new TreeMap<>() : new TreeMap<>(failed);
    }

    /** A window without failed samples. */
    public PeerWindow(Map<String, Double> values, boolean networkSeen) {
        this(values, networkSeen, Map.of());
    }
}
