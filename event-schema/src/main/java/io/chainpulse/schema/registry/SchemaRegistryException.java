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
    private final boolean answerProblem;

    public SchemaRegistryException(String message, int httpStatus, int errorCode) {
        this(message, httpStatus, errorCode, false);
    }

    /**
     * @param answerProblem true when the registry answered 2xx but with something unusable (a schema of another type, a
     *     schema that does not parse): a problem of the id, not of the registry's availability
     */
    public SchemaRegistryException(String message, int httpStatus, int errorCode, boolean answerProblem) {
        super(message);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
        this.answerProblem = answerProblem;
    }

    public SchemaRegistryException(String message, Throwable cause) {
        super(message, cause);
        this.httpStatus = 0;
        this.errorCode = 0;
        this.answerProblem = false;
    }

    /** True when the registry answered, but the schema it sent is unusable (not Avro, does not parse). */
    public boolean isAnswerProblem() {
        return answerProblem;
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
