package io.chainpulse.sdk;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One record in the spool: what it is, its Kafka key and its Confluent-framed value (the schema id in the frame is
 * stamped again when it is sent, so it may be stale here).
 *
 * <p>Layout: {@code [short header][key, UTF-8][value]}, where the header's top bit is set for a resource sample and
 * its low 15 bits are the key's length. An event has the top bit clear, which is exactly the layout spools had before
 * resource samples existed ({@code [short key length][key][value]}): spools written by earlier versions are read as
 * events. A key can therefore be at most {@value #MAX_KEY_BYTES} bytes long.
 */
record SpoolRecord(Kind kind, String key, byte[] value) {
    static final int MAX_KEY_BYTES = 0x7fff;
    private static final int SAMPLE_BIT = 0x8000;

    /** What a record is, and so which topic and schema subject it goes to. */
    enum Kind {
        /** A {@link io.chainpulse.schema.ProtocolEvent}, for the events topic. */
        EVENT,
        /** A {@link io.chainpulse.schema.NodeResourceSample}, for the resources topic. */
        RESOURCE_SAMPLE
    }

    /** @throws IllegalArgumentException when the key is longer than {@value #MAX_KEY_BYTES} bytes */
    byte[] encode() {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        if (k.length > MAX_KEY_BYTES) {
            throw new IllegalArgumentException("a key of " + k.length + " bytes does not fit the spool (at most "
                    + MAX_KEY_BYTES + "): '" + key.substring(0, 40) + "…'");
        }
        int header = (kind == Kind.RESOURCE_SAMPLE ? SAMPLE_BIT : 0) | k.length;
        return ByteBuffer.allocate(2 + k.length + value.length).putShort((short) header).put(k).put(value).array();
    }

    static SpoolRecord decode(byte[] body) {
        ByteBuffer record = ByteBuffer.wrap(body);
        int header = record.getShort() & 0xffff;
        byte[] k = new byte[header & MAX_KEY_BYTES];
        record.get(k);
        byte[] value = new byte[record.remaining()];
        record.get(value);
        return new SpoolRecord((header & SAMPLE_BIT) != 0 ? Kind.RESOURCE_SAMPLE : Kind.EVENT,
                new String(k, StandardCharsets.UTF_8), value);
    }
}
