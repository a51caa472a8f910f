package io.chainpulse.cli;

/** Names of the topics the local stack creates. */
final class Topics {
    static final String EVENTS = "chainpulse.events";
    static final String KPIS = "chainpulse.kpis";
    static final String LATE = "chainpulse.late-events";
    static final String ANOMALIES = "chainpulse.anomalies";
    /** Compacted: the current state per incident. */
    static final String ANOMALIES_CURRENT = "chainpulse.anomalies.current";
    static final String[] ALL = {EVENTS, KPIS, LATE, ANOMALIES};

    private Topics() {}
}
