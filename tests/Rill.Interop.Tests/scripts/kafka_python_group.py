"""kafka-python 2.0 consumer group: subscribe, consume everything, commit, and read the commit back."""
import sys
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

bootstrap, topic = sys.argv[1], sys.argv[2]
producer = KafkaProducer(bootstrap_servers=bootstrap)
for i in range(100):
    producer.send(topic, key=f'k{i}'.encode(), value=str(i).encode())
producer.flush()
consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id='kp-group', auto_offset_reset='earliest',
                         enable_auto_commit=False, consumer_timeout_ms=15000)
values = []
for m in consumer:
    values.append(int(m.value))
    if len(values) == 100:
        break
assert sorted(values) == list(range(100)), len(values)
consumer.commit()
assert consumer.committed(TopicPartition(topic, 0)) == 100
consumer.close()
print('ok', len(values))
