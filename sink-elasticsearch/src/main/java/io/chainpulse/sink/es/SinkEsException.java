package io.chainpulse.sink.es;

/** The sink cannot go on (bad credentials, missing privileges, a broken dead-letter topic): it stops uncommitted. */
public final class SinkEsException extends RuntimeException {
    public SinkEsException(String message) {
        super(message);
    }

    public SinkEsException(String message, Throwable cause) {
        super(message, cause);
    }
}
