# Reads every record of a topic from the beginning with kafka-python; prints "partition offset key value h=v;..." per record.
import sys
from kafka import KafkaConsumer

bootstrap, topic, expected = sys.argv[1], sys.argv[2], int(sys.argv[3])
consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False,
                         consumer_timeout_ms=15000, api_version_auto_timeout_ms=10000)
count = 0
for r in consumer:
    headers = ";".join(f"{k}={(v or b'').decode()}" for k, v in (r.headers or []))
    print(r.partition, r.offset, r.key.decode() if r.key is not None else "null", r.value.decode(), headers, flush=True)
    count += 1
    if count >= expected:
        break
consumer.close()
