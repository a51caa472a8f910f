package io.chainpulse.anomaly;

import io.chainpulse.schema.Severity;
import java.util.List;

/**
 * One detector's judgement of one window for one incident key: breached (with severity, values and wording) or
 * clean. Detectors emit clean verdicts too, because the {@link IncidentTracker} counts clean windows to resolve.
 *
 * @param fireAfter   consecutive breached windows before the incident fires
 * @param resolveAfter consecutive clean windows before a firing incident resolves
 */
public record Verdict(IncidentKey key, long windowStartMs, boolean breached, Severity severity, Double observed,
                      Double expected, String description, List<String> suggestedActions, int fireAfter,
                      int resolveAfter) {

    public Verdict {
        if (fireAfter < 1 || resolveAfter < 1) {
            throw new IllegalArgumentException("fireAfter and resolveAfter must be >= 1: " + fireAfter + ", "
                    + resolveAfter);
        }
        suggestedActions = suggestedActions == null ? List.of() : List.copyOf(suggestedActions);
    }

    /**
     * This verdict about {@code chain}'s window (null: the default chain, returned as it is): its key is the chain's,
     * and a breach's description starts {@code chain <name>: } so an operator sees which network or node is meant.
     */
    Verdict inChain(String chain) {
        if (chain == null) {
            return this;
        }
        return new Verdict(key.inChain(chain), windowStartMs, breached, severity, observed, expected,
                breached ? described(chain, description) : description, suggestedActions, fireAfter, resolveAfter);
    }

    /** {@code description} of something in {@code chain}: prefixed {@code chain <name>: } off the default chain (null). */
    static String described(String chain, String description) {
        return chain == null ? description : "chain " + chain + ": " + description;
    }

    static Verdict clean(IncidentKey key, long windowStartMs, Double observed, Double expected, int fireAfter,
                         int resolveAfter) {
        return new Verdict(key, windowStartMs, false, null, observed, expected, "", List.of(), fireAfter,
                resolveAfter);
    }

    static Verdict breach(IncidentKey key, long windowStartMs, Severity severity, double observed, Double expected,
                          String description, List<String> actions, int fireAfter, int resolveAfter) {
        return new Verdict(key, windowStartMs, true, severity, observed, expected, description, actions, fireAfter,
                resolveAfter);
    }
}
