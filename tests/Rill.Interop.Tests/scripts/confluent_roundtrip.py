"""confluent-kafka-python (librdkafka): one compression codec per run, idempotent producer."""
import sys
from confluent_kafka import Producer, Consumer, TopicPartition

bootstrap, topic, codec = sys.argv[1], sys.argv[2], sys.argv[3]
count = 5000
producer = Producer({'bootstrap.servers': bootstrap, 'compression.type': codec,
                     'enable.idempotence': True, 'acks': 'all', 'linger.ms': 5})
reports = []
def on_delivery(err, msg):
    reports.append((err, msg.partition() if msg else None, msg.offset() if msg else None))
for i in range(count):
    producer.produce(topic, key=f'k{i % 50}', value=(f'{codec}-{i}-' * 8).encode(), partition=0,
                     headers={'i': str(i)}, on_delivery=on_delivery)
    if i % 1000 == 0:
        producer.poll(0)
assert producer.flush(30) == 0
errors = [r for r in reports if r[0] is not None]
assert not errors, errors[:3]
offsets = sorted(r[2] for r in reports)
assert offsets == list(range(count)), (offsets[:5], offsets[-5:])

consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'unused-' + topic,
                     'enable.auto.commit': False, 'auto.offset.reset': 'earliest'})
consumer.assign([TopicPartition(topic, 0, 0)])
seen = []
while len(seen) < count:
    batch = consumer.consume(1000, timeout=10)
    assert batch, f'no more messages after {len(seen)}'
    for m in batch:
        assert m.error() is None, m.error()
        seen.append(m)
consumer.close()
for i, m in enumerate(seen):
    assert m.offset() == i, (i, m.offset())
    assert m.key() == f'k{i % 50}'.encode()
    assert m.value() == (f'{codec}-{i}-' * 8).encode()
    assert dict(m.headers()) == {'i': str(i).encode()}
print('ok', codec, count)
