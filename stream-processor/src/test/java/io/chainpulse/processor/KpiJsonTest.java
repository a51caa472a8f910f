package io.chainpulse.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datadoghq.sketch.ddsketch.DDSketch;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.KpiWindow;
import java.nio.ByteBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class KpiJsonTest {
    private static final String LATENCY_PREFIX = "{\"metric\":\"consensus_latency_ms\",\"scope\":\"node\","
            + "\"node_id\":\"v3\",\"window_start_ms\":1700000010000,\"window_end_ms\":1700000020000,\"count\":3,"
            + "\"min\":10.0,\"mean\":20.0,\"max\":30.0,\"p50\":20.1,\"p90\":30.2,\"p95\":30.2,\"p99\":30.2,"
            + "\"excluded_skew\":1";

    private static KpiWindow latency() {
        DDSketch sketch = Sketches.empty();
        sketch.accept(10);
        sketch.accept(20);
        sketch.accept(30);
        return KpiWindow.newBuilder().setMetric("consensus_latency_ms").setScope(KpiScope.node).setNodeId("v3")
                .setWindowStartMs(1_700_000_010_000L).setWindowEndMs(1_700_000_020_000L).setCount(3)
                .setMin(10.0).setMean(20.0).setMax(30.0).setP50(20.1).setP90(30.2).setP95(30.2).setP99(30.2)
                .setExcludedSkew(1).setSketch(ByteBuffer.wrap(Sketches.encode(sketch))).build();
    }

    @Test
    void shouldWriteTheLatencyFieldsInTheirContractOrderWithTheBase64SketchLast() {
        assertThat(KpiJson.write(latency())).isEqualTo(LATENCY_PREFIX + ",\"sketch\":\"Av1KgVq/UvA/AAAAAAAAAAAFA+YBAkQCKgI=\"}");
    }

    @Test
    void shouldWriteRateLinesAsBeforeWithoutASketch() {
        KpiWindow tps = KpiWindow.newBuilder().setMetric("tps").setScope(KpiScope.network).setWindowStartMs(0)
                .setWindowEndMs(10_000).setCount(3100).setRatePerS(310.0).build();

        assertThat(KpiJson.write(tps)).isEqualTo("{\"metric\":\"tps\",\"scope\":\"network\",\"node_id\":null,"
                + "\"window_start_ms\":0,\"window_end_ms\":10000,\"count\":3100,\"rate_per_s\":310.0,"
                + "\"excluded_skew\":0}");
    }

    @Test
    void shouldWriteNullStatisticsAndNoSketchWhenEverySampleWasExcluded() {
        KpiWindow empty = KpiWindow.newBuilder().setMetric("tx_validation_ms").setScope(KpiScope.node)
                .setNodeId("v1").setWindowStartMs(0).setWindowEndMs(10_000).setCount(0).setExcludedSkew(4).build();

        assertThat(KpiJson.write(empty)).isEqualTo("{\"metric\":\"tx_validation_ms\",\"scope\":\"node\","
                + "\"node_id\":\"v1\",\"window_start_ms\":0,\"window_end_ms\":10000,\"count\":0,\"min\":null,"
                + "\"mean\":null,\"max\":null,\"p50\":null,\"p90\":null,\"p95\":null,\"p99\":null,\"excluded_skew\":4}");
    }

    @Test
    void shouldReadBackWhatItWroteSketchIncluded() {
        KpiWindow read = KpiJson.parse(KpiJson.write(latency()));

        assertThat(read).isEqualTo(latency());
        assertThat(Sketches.decode(read.getSketch()).getCount()).isEqualTo(3.0);
    }

    @Test
    void shouldReadLinesWrittenBeforeTheSketchExisted() {
        KpiWindow read = KpiJson.parse(LATENCY_PREFIX + "}");

        assertThat(read.getSketch()).isNull();
        assertThat(read.getP95()).isEqualTo(30.2);
        assertThat(read.getFinal$()).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "{\"metric\":                                                     | `not valid JSON: Unexpected end-of-input within/between Object entries`",
        "[1]                                                              | expected a JSON object, got ARRAY",
        "{\"scope\":\"node\",\"node_id\":\"v1\"}                          | missing required field metric",
        "{\"metric\":\"tps\",\"scope\":\"nodes\"}                         | scope must be node or network: \"nodes\"",
        "{\"metric\":\"tps\",\"scope\":\"node\",\"node_id\":null}         | node_id is required for scope node",
        "{\"metric\":\"tps\",\"scope\":\"network\",\"window_start_ms\":\"0\"} | window_start_ms must be an integer: \"0\"",
        "{\"metric\":\"tps\",\"scope\":\"network\",\"window_start_ms\":0,\"window_end_ms\":10,\"count\":1,\"rate_per_s\":\"x\"} | rate_per_s must be a number: \"x\"",
        "{\"metric\":\"tps\",\"scope\":\"network\",\"window_start_ms\":10,\"window_end_ms\":10,\"count\":1} | window_end_ms must be after window_start_ms: 10 <= 10",
        "{\"metric\":\"p\",\"scope\":\"network\",\"window_start_ms\":0,\"window_end_ms\":10,\"count\":1,\"sketch\":\"@@\"} | `sketch is not a base64 DDSketch: Illegal base64 character 40`",
    })
    void shouldNameTheFieldAndValueThatCannotBeRead(String line, String message) {
        assertThatThrownBy(() -> KpiJson.parse(line)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }
}
