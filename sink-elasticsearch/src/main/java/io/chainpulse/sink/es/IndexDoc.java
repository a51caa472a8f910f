package io.chainpulse.sink.es;

import java.util.Map;
import java.util.Objects;

/** One document to index (create or replace) under a deterministic id. */
public record IndexDoc(String index, String id, Map<String, Object> source) {
    public IndexDoc {
        Objects.requireNonNull(index, "index");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
    }
}
