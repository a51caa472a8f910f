/**
 * The Elasticsearch sink: {@link io.chainpulse.sink.es.SinkEsService} reads KPI windows and anomalies from Kafka in
 * its own consumer group and writes them with the bulk API.
 *
 * <ul>
 *   <li>{@link io.chainpulse.sink.es.Documents} — records to documents with deterministic ids and daily indices
 *       (pure);</li>
 *   <li>{@link io.chainpulse.sink.es.IndexTemplates} — the composable templates (explicit mappings, aliases, optional
 *       ILM) installed at start;</li>
 *   <li>{@link io.chainpulse.sink.es.BulkWriter}, {@link io.chainpulse.sink.es.Failures},
 *       {@link io.chainpulse.schema.retry.Retry}, {@link io.chainpulse.schema.retry.Backoff} — what is retried, what is
 *       dead-lettered, what stops the sink;</li>
 *   <li>{@link io.chainpulse.sink.es.SinkEsConfig}, {@link io.chainpulse.sink.es.SinkEsMetrics},
 *       {@link io.chainpulse.sink.es.EsClient} — configuration table, meters, connection.</li>
 * </ul>
 *
 * <p>Delivery is at least once into idempotent writes: offsets are committed after Elasticsearch (and the
 * dead-letter topic) acknowledged a batch, and every write is an upsert by id, so the index holds each KPI window and
 * each anomaly transition exactly once.
 */
package io.chainpulse.sink.es;
