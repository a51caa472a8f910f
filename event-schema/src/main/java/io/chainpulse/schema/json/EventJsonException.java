package io.chainpulse.schema.json;

/** A JSON Lines event that cannot be read; the message says which field was wrong and why. */
public final class EventJsonException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public EventJsonException(String message) {
        super(message);
    }

    public EventJsonException(String message, Throwable cause) {
        super(message, cause);
    }
}
