package io.chainpulse.anomaly;

import java.util.Map;

/**
 * What a detector keeps between records, by key: a state store in the service (seen from the record's chain), a map in
 * a test. The detectors stay functions of what they are handed: a pooled rule's latest windows
 * ({@link StaticRuleDetector}, {@link RuleWindows}), a node's validation-time evidence ({@link PeerOutlierDetector},
 * {@link PeerOutlierDetector.Evidence}).
 *
 * <pre>{@code
 * Kept<RuleWindows> windows = Kept.in(new HashMap<>());
 * List<Verdict> verdicts = rules.evaluate(kpi, null, windows);
 * }</pre>
 */
public interface Kept<V> {
    /** The value kept for {@code key}; null when none. */
    V get(String key);

    void put(String key, V value);

    /** Keeps nothing: every record is judged alone. */
    static <V> Kept<V> nothing() {
        return new Kept<>() {
            @Override
            public V get(String key) {
                return null;
            }

            @Override
            public void put(String key, V value) {
            }
        };
    }

    /** Kept in {@code map}. */
    static <V> Kept<V> in(Map<String, V> map) {
        return new Kept<>() {
            @Override
            public V get(String key) {
                return map.get(key);
            }

            @Override
            public void put(String key, V value) {
                map.put(key, value);
            }
        };
    }
}
