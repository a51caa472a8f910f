#!/bin/sh
# Posts a batch of ChainPulse events to the ingest sidecar's HTTP endpoint (./chainpulse ingest --http :8470).
# The body is NDJSON: one event per line in the JSON Lines format (README "JSON Lines (replay and analyze format)").
# 202 {"accepted":N}: Kafka acknowledged all N. 400: the invalid lines with their reasons, none accepted.
# 401: bearer token missing or wrong. 413: body too large. 429 / 503: retry after the Retry-After seconds.
#
#   CHAINPULSE_URL=http://127.0.0.1:8470 CHAINPULSE_TOKEN_FILE=/etc/chainpulse/token NODE_ID=sh-node-1 \
#     examples/curl/post_events.sh
set -eu
url="${CHAINPULSE_URL:-http://127.0.0.1:8470}/v1/events"
node="${NODE_ID:-curl-node-1}"
height="${HEIGHT:-1}"
now_ns="${START_NS:-$(date +%s%N)}"
auth=""
if [ -n "${CHAINPULSE_TOKEN_FILE:-}" ]; then
  auth="Authorization: Bearer $(cat "$CHAINPULSE_TOKEN_FILE")"
fi

body=$(cat <<NDJSON
{"event_id": "$node:$height:exec-start", "event_type": "block_execution_start", "timestamp_ns": $now_ns, "node_id": "$node", "metadata": {"height": $height}}
{"event_id": "$node:$height:exec-done", "event_type": "block_execution_complete", "timestamp_ns": $((now_ns + 12000000)), "node_id": "$node", "metadata": {"height": $height, "duration_ns": 12000000}}
{"event_id": "$node:$height:final", "event_type": "block_finalization", "timestamp_ns": $((now_ns + 200000000)), "node_id": "$node", "metadata": {"height": $height, "tx_count": 2, "block_hash": "0xb$height"}}
NDJSON
)

# --fail-with-body: exit 22 on 4xx/5xx but still print the reasons; --retry: 429 and 503 again after Retry-After
printf '%s\n' "$body" | curl --silent --show-error --fail-with-body --retry 10 \
  -H "Content-Type: application/x-ndjson" ${auth:+-H "$auth"} --data-binary @- "$url"
echo
