package io.chainpulse.sdk;

import io.chainpulse.schema.EventStatus;
import io.chainpulse.schema.EventType;
import java.util.HashMap;
import java.util.Map;

/**
 * One event being described on the node's thread; {@link #record()} hands it to the SDK. Obtain it from
 * {@link ChainPulseSdk#event(EventType)}; every setter is optional and returns {@code this}.
 *
 * <pre>{@code
 * sdk.event(EventType.block_finalization).height(1042).blockHash("0x9f…").txCount(118).record();
 * }</pre>
 *
 * <p>Not thread-safe and not reusable: describe it on one thread, record it once.
 */
public final class Event {
    final ChainPulseSdk sdk;
    final EventType type;
    long timestampNs;
    String eventId;
    String nodeId;
    String txId;
    Long height;
    String blockHash;
    Integer round;
    Integer txCount;
    Long gasUsed;
    Long sizeBytes;
    Long durationNs;
    EventStatus status;
    String leader;
    Map<String, String> metadata;

    Event(ChainPulseSdk sdk, EventType type) {
        this.sdk = sdk;
        this.type = type;
    }

    /** When it happened, nanoseconds since the epoch; default: the SDK clock when {@link #record()} is called. */
    public Event timestampNs(long epochNanos) {
        this.timestampNs = epochNanos;
        return this;
    }

    /** Unique id; default: {@code <node id>:<SDK instance>:<sequence>}. */
    public Event eventId(String id) {
        this.eventId = id;
        return this;
    }

    public Event txId(String txId) {
        this.txId = txId;
        return this;
    }

    public Event height(long height) {
        this.height = height;
        return this;
    }

    public Event blockHash(String blockHash) {
        this.blockHash = blockHash;
        return this;
    }

    public Event round(int round) {
        this.round = round;
        return this;
    }

    public Event txCount(int txCount) {
        this.txCount = txCount;
        return this;
    }

    public Event gasUsed(long gasUsed) {
        this.gasUsed = gasUsed;
        return this;
    }

    public Event sizeBytes(long sizeBytes) {
        this.sizeBytes = sizeBytes;
        return this;
    }

    /** Duration the node measured itself, preferred by the KPIs over timestamp differences. */
    public Event durationNs(long durationNs) {
        this.durationNs = durationNs;
        return this;
    }

    public Event success(boolean success) {
        this.status = success ? EventStatus.success : EventStatus.failure;
        return this;
    }

    public Event leader(String leader) {
        this.leader = leader;
        return this;
    }

    /** Any other attribute; keep the set of keys small and bounded. */
    public Event metadata(String key, String value) {
        if (metadata == null) {
            metadata = new HashMap<>(4);
        }
        metadata.put(key, value);
        return this;
    }

    /** Hands the event to the SDK without blocking; never throws. See {@link ChainPulseSdk} for what happens next. */
    public void record() {
        sdk.accept(this);
    }
}
