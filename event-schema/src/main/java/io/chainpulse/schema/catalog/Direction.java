package io.chainpulse.schema.catalog;

/** Which way a KPI goes wrong: latencies and failure rates rise, throughput and participation fall. */
public enum Direction {
    HIGHER_IS_WORSE,
    LOWER_IS_WORSE
}
