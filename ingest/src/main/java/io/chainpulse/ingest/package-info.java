/**
 * The ingest sidecar: any node emits without embedding the SDK. {@link io.chainpulse.ingest.Ingest} follows JSON Lines
 * files ({@code FileFollower}: identity by inode plus a CRC of the first bytes, rotation, truncation, rejects) and
 * serves {@code POST /v1/events} ({@code HttpIngest}); both record through one producer SDK behind a group commit
 * ({@code Publisher}) that tells each writer when Kafka acknowledged its events. The file checkpoint
 * ({@code Checkpoint}) advances only then and keeps the topic's end offsets, from which a restart reads back what it
 * must not publish again ({@code Recovery}). {@link io.chainpulse.ingest.IngestMetrics} binds the metrics.
 */
package io.chainpulse.ingest;
