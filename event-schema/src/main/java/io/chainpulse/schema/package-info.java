/**
 * ChainPulse's event model: Avro types generated from {@code src/main/avro} ({@link io.chainpulse.schema.ProtocolEvent},
 * {@link io.chainpulse.schema.EventType}, {@link io.chainpulse.schema.NodeResourceSample}), the Confluent-wire-format
 * serdes in {@code serde} and the schema registry client in {@code registry}.
 */
package io.chainpulse.schema;
