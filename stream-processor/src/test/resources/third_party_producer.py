"""A third-party producer: Confluent's Python client publishing ProtocolEvents with the registered schema, keyed the
ways other producers key them. Used by EventGateIT.

usage: third_party_producer.py BOOTSTRAP REGISTRY_URL TOPIC SCHEMA_FILE T0_MS WINDOW

Nodes and their keys:
  p1  no key (AvroProducer, value only: most clients' default)
  p2  an Avro-encoded string key (AvroProducer with key_schema "string": wire-format bytes, not the node id)
  p3  the key "someone-else"
  p4  the key bytes C3 28 (not UTF-8)
  p5  the key "p5", placed by librdkafka's own partitioner (CRC32), not the Java client's murmur2
Each node, in window WINDOW (10 s windows from T0_MS): 20 rounds of an ingress and a consensus pair 50 ms long, as
EventGateIT's SDK nodes send, all in the window's first 5 s.
"""
import sys

from confluent_kafka import Producer
from confluent_kafka.avro import AvroProducer, CachedSchemaRegistryClient, loads
from confluent_kafka.avro.serializer.message_serializer import MessageSerializer

bootstrap, registry, topic, schema_file, t0, window = sys.argv[1:7]
t0 = int(t0)
window = int(window)
schema = loads(open(schema_file).read())
key_schema = loads('"string"')

avro_producer = AvroProducer({"bootstrap.servers": bootstrap, "schema.registry.url": registry},
                             default_value_schema=schema)
plain = Producer({"bootstrap.servers": bootstrap})
serializer = MessageSerializer(CachedSchemaRegistryClient({"url": registry}))

FIELDS = ["chain_id", "tx_id", "height", "block_hash", "round", "tx_count", "gas_used", "size_bytes",
          "duration_ns", "status", "leader"]


def event(node, kind, ms, **fields):
    e = {f: None for f in FIELDS}
    e.update({"event_id": "%s-%s-%d" % (node, kind, ms), "event_type": kind, "timestamp_ns": ms * 1_000_000,
              "node_id": node, "metadata": {}})
    e.update(fields)
    return e


def send(node, value):
    if node == "p1":
        avro_producer.produce(topic=topic, value=value)
    elif node == "p2":
        avro_producer.produce(topic=topic, value=value, key=node, key_schema=key_schema)
    else:
        key = {"p3": b"someone-else", "p4": b"\xc3\x28", "p5": b"p5"}[node]
        plain.produce(topic, serializer.encode_record_with_schema(topic, schema, value), key)


sent = 0
for w in [window]:
    for i in range(20):
        for n, node in enumerate(["p1", "p2", "p3", "p4", "p5"]):
            t = t0 + w * 10_000 + i * 200 + 20 + n
            height = w * 100 + i
            send(node, event(node, "transaction_ingress", t, tx_id="tx-%d-%s" % (height, node)))
            send(node, event(node, "consensus_validation_start", t + 100, height=height, round=0))
            send(node, event(node, "consensus_validation_complete", t + 150, height=height, round=0))
            sent += 3
            avro_producer.poll(0)
            plain.poll(0)
left = avro_producer.flush(60) + plain.flush(60)
print("sent %d events, %d undelivered" % (sent, left))
sys.exit(0 if left == 0 else 1)
