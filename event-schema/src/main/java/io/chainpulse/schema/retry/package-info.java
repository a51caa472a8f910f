/**
 * Retrying what is worth retrying, shared by the services: {@link io.chainpulse.schema.retry.Backoff} (exponential,
 * full jitter, capped) and {@link io.chainpulse.schema.retry.Retry} (the loop, with injected clock, sleeper and random
 * source). What is retriable is decided by the caller (e.g. the Elasticsearch sink's {@code Failures}).
 */
package io.chainpulse.schema.retry;
