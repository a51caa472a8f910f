package io.chainpulse.sdk;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Passes trouble to the {@link ErrorListener} once per change of state, not once per event or retry. */
final class ErrorReporter {
    private static final Logger LOG = LoggerFactory.getLogger(ChainPulseSdk.class);
    private static final long REPEAT_AFTER_NANOS = 60_000_000_000L;
    private final ErrorListener listener;
    private String last;
    private long lastAt;

    ErrorReporter(ErrorListener listener) {
        this.listener = listener;
    }

    synchronized void report(String message, Throwable cause) {
        long now = System.nanoTime();
        if (message.equals(last) && now - lastAt < REPEAT_AFTER_NANOS) {
            return;
        }
        last = message;
        lastAt = now;
        try {
            listener.onError(message, cause);
        } catch (RuntimeException e) {
            LOG.warn("ChainPulse SDK error listener threw; ignoring it", e);
        }
    }

    synchronized void recovered(String message) {
        if (last != null) {
            LOG.info("ChainPulse SDK: {}", message);
        }
        last = null;
    }

    static ErrorListener logging() {
        return (message, cause) -> LOG.warn("ChainPulse SDK: {}", message);
    }
}
