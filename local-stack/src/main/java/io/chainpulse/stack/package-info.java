/**
 * Real servers on loopback, started from Maven Central artifacts as child JVMs: {@link io.chainpulse.stack.KafkaBroker}
 * (KRaft), {@link io.chainpulse.stack.SchemaRegistry} (Apicurio, Confluent API) and
 * {@link io.chainpulse.stack.Elasticsearch} (an 8.19 node). {@link io.chainpulse.stack.RealStack}
 * shares one of each across the integration tests of a JVM; {@code ./chainpulse up} runs them for people.
 */
package io.chainpulse.stack;
