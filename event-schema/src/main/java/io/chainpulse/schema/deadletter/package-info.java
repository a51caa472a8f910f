/**
 * Poison records go to the dead letters, never silently away: {@link io.chainpulse.schema.deadletter.RecordDecoder}
 * (plain consumers, decoding outside {@code poll()}) and {@link io.chainpulse.schema.deadletter.DeadLetterHandler}
 * (Kafka Streams apps) send what cannot be decoded to {@link io.chainpulse.schema.DeadLetters#TOPIC} through a
 * {@link io.chainpulse.schema.deadletter.DeadLetterPublisher} or the task's producer, and count it in a
 * {@link io.chainpulse.schema.deadletter.DeadLetterCounter}. An unreachable schema registry is not poison: see
 * {@link io.chainpulse.schema.registry.RegistryWait}.
 */
package io.chainpulse.schema.deadletter;
