package io.chainpulse.anomaly;

import com.datadoghq.sketch.ddsketch.DDSketch;
import java.util.Map;
import java.util.TreeMap;

/**
 * Node values collected for one metric × window until the window is complete enough to compare peers.
 *
 * @param failed  for a failure ratio, the failed samples behind each node's value ({@link Metrics#failedSamples});
 *                empty otherwise and in windows stored by older versions
 * @param samples for a failure ratio, the samples of each node's window (its count); empty otherwise and in windows
 *                stored by older versions
 * @param sketches for a latency, each node's samples as the KPI window's DDSketch bytes ({@link TailGate}); empty
 *                 otherwise and in windows stored by older versions
 */
public record PeerWindow(Map<String, Double> values, boolean networkSeen, Map<String, Long> failed,
                         Map<String, Long> samples, Map<String, byte[]> sketches) {
    public PeerWindow {
        values = new TreeMap<>(values);
        failed = failed == null ? new TreeMap<>() : new TreeMap<>(failed);
        samples = samples == null ? new TreeMap<>() : new TreeMap<>(samples);
        sketches = sketches == null ? new TreeMap<>() : new TreeMap<>(sketches);
    }

    /** A window without failed samples or sketches. */
    public PeerWindow(Map<String, Double> values, boolean networkSeen) {
        this(values, networkSeen, Map.of(), Map.of(), Map.of());
    }

    /** Each node's samples, for the nodes whose sketch is known. */
    Map<String, DDSketch> decodedSketches() {
        Map<String, DDSketch> decoded = new TreeMap<>();
        sketches.forEach((node, bytes) -> decoded.put(node, TailGate.decode(bytes)));
        return decoded;
    }

    /** Each node's samples and failed samples, for the nodes that have both. */
    Map<String, PeerOutlierDetector.Counted> counted() {
        Map<String, PeerOutlierDetector.Counted> counted = new TreeMap<>();
        failed.forEach((node, f) -> {
            Long n = samples.get(node);
            if (n != null) {
                counted.put(node, new PeerOutlierDetector.Counted(n, f));
            }
        });
        return counted;
    }
}
