package io.chainpulse.cli;

/** Names of the topics the local stack creates. */
final class Topics {
    static final String EVENTS = "chainpulse.events";
    /** The nodes' resource samples (producer SDK {@code resources.topic}). */
    static final String RESOURCES = "chainpulse.resources";
    static final String KPIS = "chainpulse.kpis";
    static final String LATE = "chainpulse.late-events";
    static final String ANOMALIES = "chainpulse.anomalies";
    /** Compacted: the current state per incident. */
    static final String ANOMALIES_CURRENT = "chainpulse.anomalies.current";
    /** Records a service could not decode or process, with headers naming source and reason. */
    static final String DEAD_LETTERS = io.chainpulse.schema.DeadLetters.TOPIC;
    static final String[] ALL = {EVENTS, RESOURCES, KPIS, LATE, ANOMALIES, DEAD_LETTERS};
    /** Topics whose values are Avro with a registry subject {@code <topic>-value} (dead letters keep raw bytes). */
    static final java.util.List<String> AVRO = java.util.List.of(EVENTS, RESOURCES, KPIS, LATE, ANOMALIES,
            ANOMALIES_CURRENT);

    private Topics() {}
}
