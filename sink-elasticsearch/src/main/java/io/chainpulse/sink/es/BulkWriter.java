package io.chainpulse.sink.es;

import io.chainpulse.schema.retry.Retry;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.transport.TransportException;
import io.chainpulse.schema.retry.Retry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a batch of documents until every one is either acknowledged or rejected for good. Retriable failures —
 * of the whole request or of single items — are sent again, only those, through the {@link Retry} loop; items
 * rejected for good come back as {@link Rejected} so the caller can dead-letter them while the rest of the batch goes
 * on. A {@link Failures.Verdict#FATAL} failure throws {@link SinkEsException}.
 *
 * <p>When one batch holds several documents with the same index and id (a window's live result and its final one),
 * only the last is sent: it supersedes the others, and sending one alone means a retry can never put an older value
 * back over a newer one.
 *
 * <pre>{@code
 * BulkWriter.Result result = new BulkWriter(esClient, retry).write(docs);
 * result.rejected().forEach(r -> deadLetter(records.get(r.position()), r.status(), r.reason()));
 * }</pre>
 */
public final class BulkWriter {
    private final BulkClient client;
    private final Retry retry;

    public BulkWriter(BulkClient client, Retry retry) {
        this.client = client;
        this.retry = retry;
    }

    /** A document rejected for good: its position in the batch, the item's HTTP status and Elasticsearch's reason. */
    public record Rejected(int position, int status, String reason) {}

    /**
     * How a batch ended: positions of the documents Elasticsearch acknowledged, how many were superseded by a later
     * one with the same id (not sent), and the rejects.
     */
    public record Result(List<Integer> indexed, int superseded, List<Rejected> rejected) {}

    public Result write(List<IndexDoc> docs) throws InterruptedException {
        List<Integer> latest = latestPerId(docs);
        int superseded = docs.size() - latest.size();
        List<Rejected> rejected = new ArrayList<>();
        List<Integer> indexed = new ArrayList<>();
        List<Integer> pending = new ArrayList<>(latest);
        retry.run(attempt -> {
            List<Integer> positions = List.copyOf(pending);
            List<BulkClient.ItemResult> results;
            try {
                results = client.bulk(positions.stream().map(docs::get).toList());
            } catch (IOException | ElasticsearchException e) {
                Failures.Verdict verdict = Failures.ofRequest(e);
                if (verdict == Failures.Verdict.FATAL) {
                    throw new SinkEsException("Elasticsearch refused the bulk request of " + positions.size()
                            + " documents: " + e.getMessage(), e);
                }
                return Retry.Step.retry(requestRetryReason(e));
            }
            if (results.size() != positions.size()) {
                throw new SinkEsException("Elasticsearch answered " + results.size() + " items for a bulk request of "
                        + positions.size() + " documents");
            }
            List<Integer> again = new ArrayList<>();
            String reason = null;
            for (int i = 0; i < results.size(); i++) {
                BulkClient.ItemResult item = results.get(i);
                int position = positions.get(i);
                if (item.succeeded()) {
                    indexed.add(position);
                    continue;
                }
                switch (Failures.ofItem(item.status(), item.errorType())) {
                    case RETRIABLE -> {
                        again.add(position);
                        reason = Failures.retryReason(item.status());
                    }
                    case PERMANENT -> rejected.add(new Rejected(position, item.status(),
                            item.errorType() + ": " + item.errorReason()));
                    case FATAL -> throw new SinkEsException("Elasticsearch refused document " + docs.get(position).id()
                            + " in " + docs.get(position).index() + " with status " + item.status() + " ("
                            + item.errorType() + ": " + item.errorReason() + "); check the sink's credentials "
                            + "and privileges");
                }
            }
            pending.clear();
            pending.addAll(again);
            return again.isEmpty() ? Retry.Step.done(null) : Retry.Step.retry(reason);
        });
        indexed.sort(null);
        return new Result(List.copyOf(indexed), superseded, List.copyOf(rejected));
    }

    /** Positions of the last document per index and id, in batch order. */
    static List<Integer> latestPerId(List<IndexDoc> docs) {
        Map<String, Integer> last = new LinkedHashMap<>();
        for (int i = 0; i < docs.size(); i++) {
            IndexDoc doc = docs.get(i);
            String key = doc.index() + '/' + doc.id();
            last.remove(key);
            last.put(key, i);
        }
        return new ArrayList<>(last.values());
    }

    private static String requestRetryReason(Exception e) {
        if (e instanceof ElasticsearchException es) {
            return Failures.retryReason(es.status());
        }
        if (e instanceof TransportException transport) {
            return Failures.retryReason(transport.statusCode());
        }
        return Failures.retryReason(0);
    }
}
