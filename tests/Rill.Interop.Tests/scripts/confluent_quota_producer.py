"""librdkafka (confluent-kafka-python) producing as fast as it can for a bounded time, as one client id.

Prints one line: achieved=<bytes/s> throttle_max=<ms> throttle_responses=<n> delivered=<n>.
throttle_max comes from librdkafka's own statistics (brokers[*].throttle.max), so a non-zero value
means the client read throttle_time_ms from the broker's responses (KIP-219).
Usage: confluent_quota_producer.py BOOTSTRAP TOPIC CLIENT_ID SECONDS
"""
import json
import sys
import time

from confluent_kafka import Producer

bootstrap, topic, client_id, seconds = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
throttle_max = 0
delivered_bytes = 0
delivered = 0
errors = []


def on_stats(text):
    global throttle_max
    stats = json.loads(text)
    for broker in stats.get("brokers", {}).values():
        throttle_max = max(throttle_max, broker.get("throttle", {}).get("max", 0))


def on_delivery(err, msg):
    global delivered_bytes, delivered
    if err is not None:
        errors.append(str(err))
    else:
        delivered_bytes += len(msg.value())
        delivered += 1


producer = Producer({
    "bootstrap.servers": bootstrap,
    "client.id": client_id,
    "linger.ms": 5,
    "batch.size": 16384,
    "queue.buffering.max.kbytes": 256,
    "statistics.interval.ms": 500,
    "stats_cb": on_stats,
    "message.timeout.ms": 60000,
})
payload = b"q" * 1000
# Wait for metadata so the clock starts with a connected producer.
producer.list_topics(topic, timeout=10)
start = time.monotonic()
while time.monotonic() - start < seconds:
    try:
        producer.produce(topic, payload, on_delivery=on_delivery)
    except BufferError:
        producer.poll(0.05)
    producer.poll(0)
elapsed = time.monotonic() - start
counted = delivered_bytes
producer.flush(60)
producer.poll(1.0)  # one more statistics callback
if errors:
    print("errors", errors[:3])
    sys.exit(1)
print(f"achieved={counted / elapsed:.0f} throttle_max={throttle_max} delivered={delivered}")
