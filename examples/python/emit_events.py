#!/usr/bin/python3
"""Publish ChainPulse protocol events from Python, straight to Kafka, with Confluent's client.

The recipe every direct producer follows, whatever its language:
  * topic `chainpulse.events`, value subject `chainpulse.events-value` (TopicNameStrategy);
  * value: the registered `io.chainpulse.schema.ProtocolEvent` Avro schema in the Confluent wire format
    (byte 0, 4-byte big-endian schema id, Avro binary body);
  * key: the node id as plain UTF-8 bytes (not Avro), so each node's events stay in order on one partition;
  * `event_id` unique per event (the KPIs count events, so resend an event only with the same id);
  * idempotent producer, acks=all.

It uses the schema already registered under the subject (by any ChainPulse producer), or registers the copy in
ProtocolEvent.avsc next to this file. Debian: apt-get install python3-confluent-kafka python3-avro; run with
/usr/bin/python3.

    /usr/bin/python3 examples/python/emit_events.py --node-id py-node-1 --blocks 10

Each block height h gives five events at the node: two transactions' ingress and validation (tx_validation_ms),
block execution start/complete (block_execution_ms) and the block's finalization (block_time_ms, tps) — event ids
"<node>:<h>:<kind>".
"""
import argparse
import os
import sys
import time

from confluent_kafka import Producer
from confluent_kafka.avro import CachedSchemaRegistryClient, loads
from confluent_kafka.avro.serializer.message_serializer import MessageSerializer


def event(node, event_id, event_type, timestamp_ns, **fields):
    record = {
        "event_id": event_id,
        "event_type": event_type,
        "timestamp_ns": timestamp_ns,
        "node_id": node,
        "chain_id": None, "tx_id": None, "height": None, "block_hash": None, "round": None, "tx_count": None,
        "gas_used": None, "size_bytes": None, "duration_ns": None, "status": None, "leader": None,
        "metadata": {},
    }
    record.update(fields)
    return record


def block_events(node, height, start_ns):
    ms = 1_000_000
    yield event(node, f"{node}:{height}:tx-in", "transaction_ingress", start_ns, tx_id=f"0x{height:x}a")
    yield event(node, f"{node}:{height}:tx-ok", "transaction_validation_complete", start_ns + 4 * ms,
                tx_id=f"0x{height:x}a", status="success")
    yield event(node, f"{node}:{height}:exec-start", "block_execution_start", start_ns + 100 * ms, height=height)
    yield event(node, f"{node}:{height}:exec-done", "block_execution_complete", start_ns + 112 * ms, height=height,
                duration_ns=12 * ms)
    yield event(node, f"{node}:{height}:final", "block_finalization", start_ns + 200 * ms, height=height,
                block_hash=f"0xb{height:x}", tx_count=2, metadata={"source": "python-example"})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap-servers", default="127.0.0.1:9092")
    parser.add_argument("--registry-url", default="http://127.0.0.1:8081/apis/ccompat/v7")
    parser.add_argument("--topic", default="chainpulse.events")
    parser.add_argument("--node-id", default="py-node-1")
    parser.add_argument("--blocks", type=int, default=10, help="block heights to report, one per second")
    parser.add_argument("--start-height", type=int, default=1)
    parser.add_argument("--start-ns", type=int, default=None, help="event time of the first block (default: now)")
    args = parser.parse_args()

    registry = CachedSchemaRegistryClient({"url": args.registry_url})
    subject = args.topic + "-value"
    _, schema, _ = registry.get_latest_schema(subject)
    if schema is None:
        with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "ProtocolEvent.avsc")) as f:
            schema = loads(f.read())
    serializer = MessageSerializer(registry)
    producer = Producer({
        "bootstrap.servers": args.bootstrap_servers,
        "enable.idempotence": True,
        "acks": "all",
        "linger.ms": 5,
        "client.id": "chainpulse-python-example-" + args.node_id,
    })
    failures = []

    def delivered(err, msg):
        if err is not None:
            failures.append(err)

    start_ns = args.start_ns if args.start_ns is not None else time.time_ns()
    sent = 0
    for i in range(args.blocks):
        height = args.start_height + i
        for record in block_events(args.node_id, height, start_ns + i * 1_000_000_000):
            value = serializer.encode_record_with_schema(args.topic, schema, record)
            producer.produce(args.topic, key=args.node_id.encode("utf-8"), value=value, on_delivery=delivered)
            producer.poll(0)
            sent += 1
    left = producer.flush(30)
    if left or failures:
        print(f"emit_events: {left} events not acknowledged, {len(failures)} failed: {failures[:3]}", file=sys.stderr)
        return 1
    print(f"{sent} events published to {args.topic} as node {args.node_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
