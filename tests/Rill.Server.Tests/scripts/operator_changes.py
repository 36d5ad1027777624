"""Makes every operator-relevant state change once, with confluent-kafka (librdkafka), against rill serve
(started with a short log.cleaner.backoff.ms):
  a topic (flush.messages=1: every append is fsynced) created, produced to, grown from 1 to 3 partitions,
  its config altered; a consumer group that joins (a rebalance), consumes and leaves (a rebalance to Empty);
  a compacted topic with superseded keys across rolled segments (a cleaner pass); the first topic deleted.
Usage: operator_changes.py BOOTSTRAP TOPIC COMPACTED_TOPIC GROUP"""
import sys, time
from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic, NewPartitions, ConfigResource

bootstrap, topic, compacted, group = sys.argv[1:5]
admin = AdminClient({'bootstrap.servers': bootstrap})
admin.create_topics([NewTopic(topic, 1, 1, config={'flush.messages': '1'}),
                     NewTopic(compacted, 1, 1, config={'cleanup.policy': 'compact', 'segment.ms': '100',
                                                      'min.cleanable.dirty.ratio': '0.01'})])[topic].result()

producer = Producer({'bootstrap.servers': bootstrap, 'acks': 'all', 'linger.ms': 0})
for i in range(20):
    producer.produce(topic, value=b'flushed-%d' % i, partition=0)
    producer.flush(30)
for round in range(3):
    for k in range(50):
        producer.produce(compacted, key=b'key-%d' % k, value=b'round-%d' % round, partition=0)
    assert producer.flush(30) == 0
    time.sleep(0.2)   # past segment.ms: the next round rolls a new segment
producer.produce(compacted, key=b'filler', value=b'rolls the last round', partition=0)
assert producer.flush(30) == 0

admin.create_partitions([NewPartitions(topic, 3)])[topic].result()
resource = ConfigResource('topic', topic, set_config={'retention.ms': '3600000', 'flush.messages': '1'})
admin.alter_configs([resource])[resource].result()

consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': group, 'auto.offset.reset': 'earliest',
                     'enable.auto.commit': False, 'session.timeout.ms': 10000})
consumer.subscribe([topic])
read, deadline = 0, time.time() + 30
while read < 20 and time.time() < deadline:
    m = consumer.poll(0.5)
    if m is not None and m.error() is None:
        read += 1
assert read == 20, read
consumer.commit(asynchronous=False)
consumer.close()   # LeaveGroup: the group rebalances to Empty

admin.delete_topics([topic])[topic].result()
print('ok changes')
