package io.chainpulse.sink.es;

import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.transport.TransportException;
import java.io.IOException;

/**
 * Decides what a failed write is: worth retrying, wrong for good (dead-letter it), or a fault of the sink's own
 * setup (stop: retrying cannot help, and dead-lettering every document would empty the pipeline into the DLQ).
 */
public final class Failures {
    private Failures() {}

    /** What to do with a failed document or request. */
    public enum Verdict {
        /** Overload or outage (429, 5xx, timeouts, connection errors, a cluster block): retry later. */
        RETRIABLE,
        /** This document can never be indexed as it is (mapping conflict, bad value, 400): dead-letter it. */
        PERMANENT,
        /** The sink cannot write at all (401, 403 security): stop without committing. */
        FATAL
    }

    /** Verdict for one bulk item's status and error type. */
    public static Verdict ofItem(int status, String errorType) {
        if (status == 408 || status == 429 || status >= 500) {
            return Verdict.RETRIABLE;
        }
        if (status == 403 && "cluster_block_exception".equals(errorType)) {
            // A read-only block (disk flood stage, or an operator's) is lifted eventually; the documents are fine.
            return Verdict.RETRIABLE;
        }
        if (status == 401 || status == 403) {
            return Verdict.FATAL;
        }
        return Verdict.PERMANENT;
    }

    /** Verdict for a whole bulk request that failed. A request is never dead-lettered: nothing says which doc was bad. */
    public static Verdict ofRequest(Exception e) {
        if (e instanceof ElasticsearchException es) {
            return whole(ofItem(es.status(), es.error() == null ? null : es.error().type()));
        }
        if (e instanceof TransportException transport) {
            // statusCode() is 0 or negative when no HTTP response came back at all.
            return transport.statusCode() <= 0 ? Verdict.RETRIABLE : whole(ofItem(transport.statusCode(), null));
        }
        if (e instanceof IOException) {
            return Verdict.RETRIABLE;
        }
        return Verdict.FATAL;
    }

    /** A short, bounded label for metrics and logs: throttled, unavailable, blocked, connection. */
    public static String retryReason(int status) {
        if (status == 429) {
            return "throttled";
        }
        if (status == 403) {
            return "blocked";
        }
        return status <= 0 ? "connection" : "unavailable";
    }

    private static Verdict whole(Verdict item) {
        return item == Verdict.PERMANENT ? Verdict.FATAL : item;
    }
}
