package io.chainpulse.schema.registry;

import org.apache.avro.Schema;

/**
 * The two calls a serde needs from a Confluent-compatible schema registry.
 *
 * <p>Implementations cache: after the first call for a given subject and schema (or id), the answer comes from memory,
 * so a serializer on a hot path never reaches the network again.
 *
 * <pre>{@code
 * SchemaRegistryClient registry = SchemaRegistryClients.forUrl("http://127.0.0.1:8081/apis/ccompat/v7");
 * int id = registry.register("protocol-events-value", ProtocolEvent.getClassSchema());
 * }</pre>
 */
public interface SchemaRegistryClient {

    /**
     * Registers {@code schema} under {@code subject} (or finds it when it is already registered) and returns its
     * global id.
     *
     * @throws SchemaRegistryException when the registry refuses the schema (for example it is incompatible with the
     *     subject's compatibility level) or cannot be reached
     */
    int register(String subject, Schema schema);

    /**
     * Returns the id under which {@code schema} is already registered in {@code subject}, without registering it.
     *
     * @throws SchemaRegistryException when the schema is not registered there or the registry cannot be reached
     */
    int lookup(String subject, Schema schema);

    /**
     * Returns the schema with the global id {@code id}.
     *
     * @throws SchemaRegistryException when no schema has that id or the registry cannot be reached
     */
    Schema schemaById(int id);
}
