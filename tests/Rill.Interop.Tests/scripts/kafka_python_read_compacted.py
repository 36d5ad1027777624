"""kafka-python (Debian python3-kafka 2.0.x) reads partition 0 of a compacted TOPIC from the
beginning to the high watermark across the offset gaps compaction leaves, and prints
'offset key' per record, then 'read N'."""
import sys, time
from kafka import KafkaConsumer, TopicPartition

bootstrap, topic = sys.argv[1], sys.argv[2]
consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, consumer_timeout_ms=5000)
tp = TopicPartition(topic, 0)
consumer.assign([tp])
consumer.seek_to_beginning(tp)
high = consumer.end_offsets([tp])[tp]
count, deadline = 0, time.time() + 30
while consumer.position(tp) < high and time.time() < deadline:
    for records in consumer.poll(timeout_ms=1000).values():
        for r in records:
            print(r.offset, r.key.decode())
            count += 1
assert consumer.position(tp) == high, (consumer.position(tp), high)
consumer.close()
print('read', count)
