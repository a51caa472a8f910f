package io.chainpulse.anomaly;

import java.util.Map;
import java.util.TreeMap;

/** Node values collected for one metric × window until the window is complete enough to compare peers. */
public record PeerWindow(Map<String, Double> values, boolean networkSeen) {
    public PeerWindow {
        values = new TreeMap<>(values);
    }
}
