package io.chainpulse.processor;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** A nullable string in a state store's value: its UTF-8 bytes behind their length, null as no bytes. */
final class StoreStrings {
    private StoreStrings() {
    }

    /** The bytes to write behind their length; null as none. */
    static byte[] bytes(String s) {
        return s == null ? new byte[0] : s.getBytes(StandardCharsets.UTF_8);
    }

    /** Reads a length and that many bytes; none is null. */
    static String read(ByteBuffer in) {
        byte[] b = new byte[in.getInt()];
        in.get(b);
        return b.length == 0 ? null : new String(b, StandardCharsets.UTF_8);
    }
}
