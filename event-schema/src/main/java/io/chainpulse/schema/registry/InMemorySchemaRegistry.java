package io.chainpulse.schema.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * A registry held in memory, for unit tests and for in-process batch runs that never leave the JVM. Selected by a
 * {@code mock://scope} registry URL; clients with the same scope share one registry (as Confluent's
 * {@code mock://} does). It enforces no compatibility rules: use a real registry to test evolution.
 */
public final class InMemorySchemaRegistry implements SchemaRegistryClient {
    private static final Map<String, InMemorySchemaRegistry> SCOPES = new ConcurrentHashMap<>();

    private final List<Schema> schemas = new ArrayList<>();
    private final Map<String, Map<Schema, Integer>> subjects = new ConcurrentHashMap<>();

    /** The registry shared by every {@code mock://scope} client of this JVM. */
    public static InMemorySchemaRegistry forScope(String scope) {
        return SCOPES.computeIfAbsent(scope, s -> new InMemorySchemaRegistry());
    }

    @Override
    public synchronized int register(String subject, Schema schema) {
        Map<Schema, Integer> versions = subjects.computeIfAbsent(subject, s -> new ConcurrentHashMap<>());
        Integer existing = versions.get(schema);
        if (existing != null) {
            return existing;
        }
        int id = schemas.indexOf(schema) + 1;
        if (id == 0) {
            schemas.add(schema);
            id = schemas.size();
        }
        versions.put(schema, id);
        return id;
    }

    @Override
    public synchronized int lookup(String subject, Schema schema) {
        Integer id = subjects.getOrDefault(subject, Map.of()).get(schema);
        if (id == null) {
            throw new SchemaRegistryException("schema not found in subject '" + subject + "'", 404, 40403);
        }
        return id;
    }

    @Override
    public synchronized Schema schemaById(int id) {
        if (id < 1 || id > schemas.size()) {
            throw new SchemaRegistryException("schema id " + id + " not found", 404, 40403);
        }
        return schemas.get(id - 1);
    }
}
