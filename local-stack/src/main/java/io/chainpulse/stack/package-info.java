/**
 * Real servers on loopback, started from Maven Central artifacts as child JVMs: {@link io.chainpulse.stack.KafkaBroker}
 * (KRaft), {@link io.chainpulse.stack.SchemaRegistry} (Apicurio, Confluent API) and
 * {@link io.chainpulse.stack.Elasticsearch} (an 8.19 node). {@link io.chainpulse.stack.RealStack}
 * shares one of each across the integration tests of a JVM; {@code ./chainpulse up} runs them for people.
 * {@code KafkaBroker.inDirectory(dir).withSaslSsl(user, password)} is a broker that only SASL_SSL (SCRAM-SHA-512)
 * clients with its generated CA get into; its {@code clientProperties()} say how.
 */
package io.chainpulse.stack;
