package io.chainpulse.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class PeerWindowTest {
    private final Serde<PeerWindow> serde = JsonSerde.of(PeerWindow.class);

    @Test
    void shouldKeepEachNodesSamplesThroughTheStore() throws Exception {
        GrowingByteArrayOutput out = GrowingByteArrayOutput.withDefaultInitialCapacity();
        TailGateTest.samples(30, 40, 90).encode(out, false);
        PeerWindow window = new PeerWindow(Map.of("v1", 90.0), true, Map.of(), Map.of(),
                Map.of("v1", out.trimmedCopy()));

        PeerWindow read = serde.deserializer().deserialize("t", serde.serializer().serialize("t", window));

        DDSketch v1 = read.decodedSketches().get("v1");
        assertThat(v1.getCount()).isEqualTo(3.0);
        assertThat(TailGate.above(v1, 35)).isEqualTo(2);
        assertThat(read.values()).containsExactly(Map.entry("v1", 90.0));
    }

    @Test
    void shouldReadAWindowStoredBeforeSketchesAsOneWithout() {
        byte[] old = "{\"values\":{\"v1\":90.0},\"networkSeen\":true,\"failed\":{},\"samples\":{}}"
                .getBytes(StandardCharsets.UTF_8);

        PeerWindow read = serde.deserializer().deserialize("t", old);

        assertThat(read.sketches()).isEmpty();
        assertThat(read.decodedSketches()).isEmpty();
    }
}
