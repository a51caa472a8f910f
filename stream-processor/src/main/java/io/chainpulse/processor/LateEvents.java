package io.chainpulse.processor;

/**
 * The late-events topic ({@code late.topic}, default {@code chainpulse.late-events}): events the processor set aside
 * instead of counting, with the reason in the header {@value #REASON_HEADER}, starting with {@code late} (its window
 * closed), {@code future} (stamped too far ahead) or {@code max.nodes} (its node is beyond the bound). Never dropped
 * silently, as Kafka Streams' own windows would; {@link EventGate} decides.
 */
public final class LateEvents {
    public static final String REASON_HEADER = "chainpulse.reason";

    private LateEvents() {}
}
