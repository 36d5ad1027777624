"""Phase 'commit': produce 100 records, a group consumer reads 60 and commits each synchronously.
Phase 'resume': a new consumer of the same group must start at offset 60 and read to 100."""
import sys, time
from confluent_kafka import Producer, Consumer

bootstrap, topic, phase = sys.argv[1], sys.argv[2], sys.argv[3]
conf = {'bootstrap.servers': bootstrap, 'group.id': 'resume-' + topic, 'auto.offset.reset': 'earliest',
        'enable.auto.commit': False, 'session.timeout.ms': 6000}
if phase == 'commit':
    producer = Producer({'bootstrap.servers': bootstrap})
    for i in range(100):
        producer.produce(topic, value=str(i).encode(), partition=0)
    assert producer.flush(10) == 0
    consumer = Consumer(conf)
    consumer.subscribe([topic])
    read = 0
    deadline = time.time() + 60
    while read < 60 and time.time() < deadline:
        m = consumer.poll(0.2)
        if m is None or m.error():
            continue
        consumer.commit(m, asynchronous=False)
        read += 1
    assert read == 60, read
    consumer.close()
else:
    consumer = Consumer(conf)
    consumer.subscribe([topic])
    offsets = []
    deadline = time.time() + 60
    while len(offsets) < 40 and time.time() < deadline:
        m = consumer.poll(0.2)
        if m is None or m.error():
            continue
        offsets.append(m.offset())
    consumer.close()
    assert offsets == list(range(60, 100)), offsets[:5]
print('ok', phase)
