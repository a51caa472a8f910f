package io.chainpulse.processor;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * One measurement on its way into a window: a latency in ms, or a count for rate KPIs, taken at {@code node}.
 * {@code skewed} marks a delta that was negative or absurd (clock skew): counted, never averaged in.
 * An internal record: its serde is private to the processor's repartition topics and stores.
 */
public record Sample(String node, double value, boolean skewed) {

    static Sample of(String node, double value) {
        return new Sample(node, value, false);
    }

    public static final Serde<Sample> SERDE = Serdes.serdeFrom(
            (Serializer<Sample>) (topic, s) -> {
                byte[] node = s.node().getBytes(StandardCharsets.UTF_8);
                return ByteBuffer.allocate(4 + node.length + 9).putInt(node.length).put(node).putDouble(s.value())
                        .put((byte) (s.skewed() ? 1 : 0)).array();
            },
            (Deserializer<Sample>) (topic, bytes) -> {
                ByteBuffer in = ByteBuffer.wrap(bytes);
                byte[] node = new byte[in.getInt()];
                in.get(node);
                return new Sample(new String(node, StandardCharsets.UTF_8), in.getDouble(), in.get() == 1);
            });
}
