package io.chainpulse.sink.es;

import io.chainpulse.schema.retry.Backoff;
import io.chainpulse.schema.retry.FakeTime;
import io.chainpulse.schema.retry.Retry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chainpulse.sink.es.BulkClient.ItemResult;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BulkWriterTest {
    private final FakeTime time = new FakeTime();
    private final List<String> retries = new ArrayList<>();
    private final Retry retry = new Retry(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(30)), time.clock(),
            time::sleep, () -> 0.5, (attempt, delay, reason) -> retries.add(reason));
    private final ScriptedClient client = new ScriptedClient();
    private final BulkWriter writer = new BulkWriter(client, retry);

    @Test
    void shouldIndexEveryDocumentOfAnAcceptedBatchInOneRequest() throws Exception {
        client.answer(ItemResult.ok(), ItemResult.ok(), ItemResult.ok());

        BulkWriter.Result result = writer.write(List.of(doc("a"), doc("b"), doc("c")));

        assertThat(result.indexed()).containsExactly(0, 1, 2);
        assertThat(result.rejected()).isEmpty();
        assertThat(client.requests).containsExactly(List.of("a", "b", "c"));
        assertThat(retries).isEmpty();
    }

    @Test
    void shouldRejectAMappingConflictForGoodAndIndexTheRestOfTheBatch() throws Exception {
        client.answer(ItemResult.ok(),
                new ItemResult(400, "document_parsing_exception", "[1:20] failed to parse field [p99] of type [double]"),
                ItemResult.ok());

        BulkWriter.Result result = writer.write(List.of(doc("a"), doc("poison"), doc("c")));

        assertThat(result.indexed()).containsExactly(0, 2);
        assertThat(result.rejected()).containsExactly(new BulkWriter.Rejected(1, 400,
                "document_parsing_exception: [1:20] failed to parse field [p99] of type [double]"));
        assertThat(client.requests).hasSize(1);
    }

    @Test
    void shouldResendOnlyTheThrottledItemsAfterABackoff() throws Exception {
        client.answer(ItemResult.ok(), new ItemResult(429, "es_rejected_execution_exception", "queue full"),
                new ItemResult(400, "mapper_parsing_exception", "bad"), new ItemResult(503, null, null));
        client.answer(new ItemResult(429, "es_rejected_execution_exception", "queue full"), ItemResult.ok());
        client.answer(ItemResult.ok());

        BulkWriter.Result result = writer.write(List.of(doc("a"), doc("b"), doc("c"), doc("d")));

        assertThat(client.requests).containsExactly(List.of("a", "b", "c", "d"), List.of("b", "d"), List.of("b"));
        assertThat(result.indexed()).containsExactly(0, 1, 3);
        assertThat(result.rejected()).extracting(BulkWriter.Rejected::position).containsExactly(2);
        // The last item of a request decides the label: d (503) in the first, b (429) in the second.
        assertThat(retries).containsExactly("unavailable", "throttled");
        assertThat(time.slept).containsExactly(Duration.ofMillis(50), Duration.ofMillis(100));
    }

    @Test
    void shouldResendTheWholeBatchWhileElasticsearchCannotBeReached() throws Exception {
        client.fail(new ConnectException("Connection refused"));
        client.fail(new ConnectException("Connection refused"));
        client.answer(ItemResult.ok(), ItemResult.ok());

        BulkWriter.Result result = writer.write(List.of(doc("a"), doc("b")));

        assertThat(result.indexed()).containsExactly(0, 1);
        assertThat(client.requests).containsExactly(List.of("a", "b"), List.of("a", "b"), List.of("a", "b"));
        assertThat(retries).containsExactly("connection", "connection");
    }

    @Test
    void shouldSendOnlyTheLastOfSeveralDocumentsWithTheSameId() throws Exception {
        client.answer(ItemResult.ok(), ItemResult.ok());

        BulkWriter.Result result = writer.write(List.of(doc("w1"), doc("w2"), doc("w1")));

        assertThat(client.requests).containsExactly(List.of("w2", "w1"));
        assertThat(client.sources.get(0).get(1)).containsEntry("position", 2);
        assertThat(result.indexed()).containsExactly(1, 2);
        assertThat(result.superseded()).isEqualTo(1);
    }

    @Test
    void shouldStopWithoutDeadLetteringWhenCredentialsAreRefused() {
        client.answer(ItemResult.ok(), new ItemResult(403, "security_exception",
                "action [indices:data/write/bulk[s]] is unauthorized for user [sink]"));

        assertThatThrownBy(() -> writer.write(List.of(doc("a"), doc("b"))))
                .isInstanceOf(SinkEsException.class)
                .hasMessage("Elasticsearch refused document b in idx with status 403 (security_exception: action "
                        + "[indices:data/write/bulk[s]] is unauthorized for user [sink]); check the sink's "
                        + "credentials and privileges");
    }

    @Test
    void shouldFailWhenTheAnswerDoesNotMatchTheRequest() {
        client.answer(ItemResult.ok());

        assertThatThrownBy(() -> writer.write(List.of(doc("a"), doc("b"))))
                .hasMessage("Elasticsearch answered 1 items for a bulk request of 2 documents");
    }

    private int positions;

    private IndexDoc doc(String id) {
        return new IndexDoc("idx", id, Map.of("position", positions++));
    }

    /** Answers each bulk request with the next scripted outcome and records what was sent. */
    private static final class ScriptedClient implements BulkClient {
        final List<List<String>> requests = new ArrayList<>();
        final List<List<Map<String, Object>>> sources = new ArrayList<>();
        private final Deque<Object> script = new ArrayDeque<>();

        void answer(ItemResult... items) {
            script.add(List.of(items));
        }

        void fail(IOException e) {
            script.add(e);
        }

        @Override
        @SuppressWarnings("unchecked")
        public List<ItemResult> bulk(List<IndexDoc> docs) throws IOException {
            requests.add(docs.stream().map(IndexDoc::id).toList());
            sources.add(docs.stream().map(IndexDoc::source).toList());
            Object next = script.remove();
            if (next instanceof IOException e) {
                throw e;
            }
            return (List<ItemResult>) next;
        }
    }
}
