package io.chainpulse.schema.registry;

import java.util.OptionalInt;

/**
 * A schema registry call that failed: the registry answered with an error, or could not be reached.
 *
 * <p>{@link #httpStatus()} and {@link #errorCode()} carry the registry's answer when there was one, so callers can
 * tell an incompatible schema (409) from an unknown id (404, error code 40403) or an outage (empty status).
 */
public final class SchemaRegistryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int httpStatus;
    private final int errorCode;

    public SchemaRegistryException(String message, int httpStatus, int errorCode) {
        super(message);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    public SchemaRegistryException(String message, Throwable cause) {
        super(message, cause);
        this.httpStatus = 0;
        this.errorCode = 0;
    }

    /** The registry's HTTP status, or empty when it could not be reached. */
    public OptionalInt httpStatus() {
        return httpStatus == 0 ? OptionalInt.empty() : OptionalInt.of(httpStatus);
    }

    /** The Confluent error code from the response body ({@code error_code}), or empty when there was none. */
    public OptionalInt errorCode() {
        return errorCode == 0 ? OptionalInt.empty() : OptionalInt.of(errorCode);
    }
}
