"""Retention against rill serve (started with a short log.retention.check.interval.ms).
  time:  a topic with retention.ms=3000 and 1 MiB segments: after the records age out the
         earliest offset advances to the end and a reader from the beginning gets nothing old.
  bytes: retention.bytes=1 MiB keeps the log within about one segment more than that, from the
         oldest segment on; the newest records stay readable."""
import sys, time
from confluent_kafka import Producer, Consumer, TopicPartition, OFFSET_BEGINNING
from confluent_kafka.admin import AdminClient, NewTopic

mode, bootstrap, topic = sys.argv[1], sys.argv[2], sys.argv[3]
configs = {'segment.bytes': '1048576'}
configs.update({'retention.ms': '3000'} if mode == 'time' else {'retention.bytes': '1048576', 'retention.ms': '-1'})
admin = AdminClient({'bootstrap.servers': bootstrap})
admin.create_topics([NewTopic(topic, 1, 1, config=configs)])[topic].result()
producer = Producer({'bootstrap.servers': bootstrap, 'linger.ms': 5})
value = b'x' * 1000
for i in range(4000):   # about 4 MB: several segments
    producer.produce(topic, key=str(i), value=value, partition=0)
    producer.poll(0)
assert producer.flush(30) == 0

c = Consumer({'bootstrap.servers': bootstrap, 'group.id': topic + '-reader', 'enable.auto.commit': False})
def watermarks():
    return c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10, cached=False)

low, high = watermarks()
assert (low, high) == (0, 4000) or mode == 'bytes', (low, high)
start = time.time()
if mode == 'time':
    while time.time() - start < 60 and watermarks()[0] < 4000:
        time.sleep(0.5)
    low, high = watermarks()
    assert (low, high) == (4000, 4000), (low, high)
    c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    m = c.poll(3)
    assert m is None or m.error(), 'an expired record was read'
else:
    while time.time() - start < 60 and watermarks()[0] == 0:
        time.sleep(0.5)
    low, high = watermarks()
    assert 0 < low < high == 4000, (low, high)
    assert (high - low) * 1000 < 3 * 1048576, (low, high)   # within retention.bytes plus the active segment
    c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    m = None
    while m is None or m.error():
        m = c.poll(5)
    assert m.offset() == low, (m.offset(), low)
c.close()
print('ok', mode, low, high)
