package io.chainpulse.sdk;

import io.chainpulse.schema.EventType;

/** A step a node can time with {@link ChainPulseSdk#time}: the pair of events recorded at its start and end. */
public enum Phase {
    TRANSACTION_VALIDATION(EventType.transaction_validation_start, EventType.transaction_validation_complete),
    BLOCK_CREATION(EventType.block_creation_start, EventType.block_finalization),
    BLOCK_EXECUTION(EventType.block_execution_start, EventType.block_execution_complete),
    CONSENSUS_VALIDATION(EventType.consensus_validation_start, EventType.consensus_validation_complete);

    final EventType start;
    final EventType complete;

    Phase(EventType start, EventType complete) {
        this.start = start;
        this.complete = complete;
    }
}
