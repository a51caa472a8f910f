package io.chainpulse.sdk;

/**
 * Told about trouble the SDK handles on its own (broker unreachable, registry down, events dropped). Called from
 * the SDK's threads, never from the thread that records; once per change of state, not once per event. An
 * exception thrown by the listener is swallowed, so a faulty listener cannot stop the SDK.
 */
@FunctionalInterface
public interface ErrorListener {
    void onError(String message, Throwable cause);
}
