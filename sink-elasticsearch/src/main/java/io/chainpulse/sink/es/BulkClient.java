package io.chainpulse.sink.es;

import java.io.IOException;
import java.util.List;

/** Sends one bulk request of index operations; {@link EsClient} is the real one, tests use fakes. */
@FunctionalInterface
public interface BulkClient {

    /**
     * Indexes {@code docs} in one request and returns one result per document, in order. Throws when the request as a
     * whole failed (connection refused, timeout, an HTTP error for the whole request).
     */
    List<ItemResult> bulk(List<IndexDoc> docs) throws IOException;

    /** One document's outcome: its HTTP status, and for a failure Elasticsearch's error type and reason. */
    record ItemResult(int status, String errorType, String errorReason) {
        public static ItemResult ok() {
            return new ItemResult(200, null, null);
        }

        public boolean succeeded() {
            return status >= 200 && status < 300;
        }
    }
}
