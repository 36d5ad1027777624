# Joins group argv[3] on topic argv[2] with kafka-python (range assignor), polls for argv[4] seconds,
# and prints "assigned <epoch seconds> p,p,..." each time its assignment changes.
import sys, time
from kafka import KafkaConsumer

bootstrap, topic, group, seconds = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset="earliest",
                         heartbeat_interval_ms=300, session_timeout_ms=10000, api_version_auto_timeout_ms=10000)
end = time.time() + seconds
last = None
while time.time() < end:
    consumer.poll(timeout_ms=200)
    now = sorted(tp.partition for tp in consumer.assignment())
    if now != last:
        print("assigned", time.time(), ",".join(map(str, now)), flush=True)
        last = now
consumer.close()
