package io.chainpulse.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HttpIngestParseTest {
    private static final String GOOD = "{\"event_id\": \"e1\", \"event_type\": \"consensus_vote\", \"timestamp_ns\": 5, "
            + "\"node_id\": \"v1\", \"metadata\": {\"height\": 3, \"round\": 0}}";

    private static HttpIngest.Batch parse(String body) {
        return HttpIngest.parse(body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldNumberNdjsonLinesCountingBlankOnesAndTakeWindowsLineEnds() {
        HttpIngest.Batch batch = parse(GOOD + "\r\n\n   \n{\"event_id\": \"e2\"}\n" + GOOD.replace("e1", "e3"));

        assertThat(batch.events).extracting(e -> e.getEventId().toString()).containsExactly("e1", "e3");
        assertThat(batch.invalid).singleElement()
                .isEqualTo(new String[] {"line", "4", "missing required field event_type"});
        assertThat(batch.events.get(0).getHeight()).isEqualTo(3L);
    }

    @Test
    void shouldNumberArrayElementsFromOne() {
        HttpIngest.Batch batch = parse("  [" + GOOD + ", \"text\", {\"event_id\": 7}]");

        assertThat(batch.events).hasSize(1);
        assertThat(batch.invalid).containsExactly(new String[] {"element", "2", "expected a JSON object, got STRING"},
                new String[] {"element", "3", "missing required field event_type"});
    }

    @Test
    void shouldNameABrokenArray() {
        HttpIngest.Batch batch = parse("[" + GOOD);

        assertThat(batch.error).startsWith("the body starts with '[' but is not a JSON array: Unexpected end-of-input");
        assertThat(batch.events).isEmpty();
    }
}
