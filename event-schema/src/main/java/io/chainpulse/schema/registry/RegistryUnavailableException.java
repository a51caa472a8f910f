package io.chainpulse.schema.registry;

import org.apache.kafka.common.errors.RetriableException;

/**
 * The schema registry could not answer: connection refused, a timeout, or a 5xx (any answer but a 2xx or a 404).
 * The record is <b>not</b> poison: the same bytes decode once the registry is back, so a service waits (see
 * {@link RegistryWait}) instead of dead-lettering or skipping it, and commits nothing past it.
 *
 * <p>Deliberately not a {@code SerializationException}: code that dead-letters undecodable records catches that one,
 * and must let this one through.
 */
public final class RegistryUnavailableException extends RetriableException {
    private static final long serialVersionUID = 1L;

    public RegistryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * True unless the registry's answer is about the id itself: 404 (it does not know the id) or a schema that is not
     * usable Avro. No answer, a timeout, 5xx — and 401/403, a configuration problem no record is to blame for — mean
     * the registry is unavailable to us.
     */
    public static boolean isUnavailable(SchemaRegistryException e) {
        return !(e.httpStatus().orElse(0) == 404 || e.isAnswerProblem());
    }
}
