#!/usr/bin/env bash
# Creates every ChainPulse topic (idempotent). Run by the topic-init service of docker-compose.yml; usable against any
# cluster:  BOOTSTRAP=broker:9092 PARTITIONS=12 REPLICATION=3 bash topic-init.sh
# (add --command-config with SASL/SSL client properties through KAFKA_TOPICS_OPTS for a secured cluster).
set -euo pipefail
: "${BOOTSTRAP:?BOOTSTRAP (host:port) is required}"
PARTITIONS="${PARTITIONS:-4}"
REPLICATION="${REPLICATION:-1}"
TOPICS_BIN="${TOPICS_BIN:-/opt/kafka/bin/kafka-topics.sh}"
DAY=86400000

# name | cleanup.policy | retention.ms (-1 = by size only) | what it holds
TOPICS="
chainpulse.events|delete|-1|protocol events from the nodes (retained by size: replays and restarts re-read them)
chainpulse.resources|delete|$((7 * DAY))|node resource samples
chainpulse.kpis|delete|$((30 * DAY))|final KPI windows
chainpulse.late-events|delete|$((7 * DAY))|late and future events with their reason
chainpulse.anomalies|delete|$((30 * DAY))|anomaly transitions
chainpulse.anomalies.current|compact|-1|current state per incident (compacted: sinks rebuild from it)
chainpulse.dead-letters|delete|$((30 * DAY))|records a service could not decode or process
chainpulse.sink-es.dlq|delete|$((30 * DAY))|KPI and anomaly records Elasticsearch rejected for good
"

while IFS='|' read -r name policy retention _; do
  [[ -z "$name" ]] && continue
  "$TOPICS_BIN" --bootstrap-server "$BOOTSTRAP" ${KAFKA_TOPICS_OPTS:-} --create --if-not-exists --topic "$name" \
    --partitions "$PARTITIONS" --replication-factor "$REPLICATION" \
    --config "cleanup.policy=$policy" --config "retention.ms=$retention"
  echo "topic-init: $name ($policy, retention.ms=$retention)"
done <<< "$TOPICS"
