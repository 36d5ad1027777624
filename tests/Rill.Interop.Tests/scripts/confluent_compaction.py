"""Compaction against rill serve (started with a short log.cleaner.backoff.ms), with confluent-kafka.
A compacted topic (lz4-compressed batches, segments rolled every 200 ms) gets ROUNDS rounds of
updates for KEYS keys, then tombstones for the first TOMBSTONED keys, then one filler record
that rolls the segment holding them. A reader from the start must then see, for every live key,
exactly one record: its latest value at the offset it was acknowledged with; and, once
delete.retention.ms has passed, no record at all of a tombstoned key."""
import sys, time
from confluent_kafka import Producer, Consumer, TopicPartition, OFFSET_BEGINNING
from confluent_kafka.admin import AdminClient, NewTopic

bootstrap, topic = sys.argv[1], sys.argv[2]
KEYS, ROUNDS, TOMBSTONED, DELETE_RETENTION_MS = 200, 12, 20, 4000
admin = AdminClient({'bootstrap.servers': bootstrap})
admin.create_topics([NewTopic(topic, 1, 1, config={
    'cleanup.policy': 'compact', 'segment.ms': '200', 'min.cleanable.dirty.ratio': '0.01',
    'delete.retention.ms': str(DELETE_RETENTION_MS)})])[topic].result()

producer = Producer({'bootstrap.servers': bootstrap, 'acks': 'all', 'linger.ms': 5, 'compression.type': 'lz4'})
acked = {}   # key -> (offset, value or None)
def on_delivery(err, msg):
    assert err is None, err
    acked[msg.key().decode()] = (msg.offset(), msg.value().decode() if msg.value() is not None else None)

def send(key, value):
    producer.produce(topic, key=key, value=value, partition=0, on_delivery=on_delivery)
    producer.poll(0)

for r in range(ROUNDS):
    for k in range(KEYS):
        send(f'rider-{k}', f'round-{r}-rider-{k}-' + 'x' * 100)
    assert producer.flush(30) == 0
    time.sleep(0.25)   # past segment.ms: the next round starts a new segment
for k in range(TOMBSTONED):
    send(f'rider-{k}', None)
assert producer.flush(30) == 0
time.sleep(0.25)
send('filler', 'rolls the segment holding the tombstones')
assert producer.flush(30) == 0
total = ROUNDS * KEYS + TOMBSTONED + 1
tombstones_written = time.time()

def read_all():
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': topic + '-reader', 'enable.auto.commit': False})
    low, high = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10, cached=False)
    assert high == total, (low, high, total)
    c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    seen, position, deadline = [], low, time.time() + 30
    while position < high and time.time() < deadline:
        for m in c.consume(10000, timeout=2):
            assert m.error() is None, m.error()
            seen.append((m.offset(), m.key().decode(), m.value().decode() if m.value() is not None else None))
            position = m.offset() + 1
    c.close()
    assert position == high, ('stalled', position, high)
    return seen

def compacted(seen, tombstones_gone):
    keys = [k for _, k, _ in seen]
    if len(keys) != len(set(keys)):
        return False
    live = {k for k, (_, v) in acked.items() if v is not None}
    dead = {k for k, (_, v) in acked.items() if v is None}
    return live <= set(keys) and (not tombstones_gone or not (dead & set(keys)))

# 1. The cleaner compacts: one record per key (tombstones still there, delete.retention.ms not passed).
deadline = time.time() + 60
seen = read_all()
while not compacted(seen, False) and time.time() < deadline:
    time.sleep(0.5)
    seen = read_all()
assert compacted(seen, False), f'not compacted: {len(seen)} records for {len(acked)} keys'
for offset, key, value in seen:
    assert acked[key] == (offset, value), (key, offset, value, acked[key])   # latest value, same offset
assert [o for o, _, _ in seen] == sorted(o for o, _ in acked.values())
if time.time() - tombstones_written < DELETE_RETENTION_MS / 1000 - 0.5:
    assert any(v is None for _, _, v in seen), 'tombstones went before delete.retention.ms'

# 2. After delete.retention.ms the tombstones are gone too; survivors keep their offsets.
deadline = time.time() + 60
while not compacted(seen, True) and time.time() < deadline:
    time.sleep(0.5)
    seen = read_all()
assert compacted(seen, True), 'tombstoned keys are still there'
for offset, key, value in seen:
    assert acked[key] == (offset, value), (key, offset, value, acked[key])
assert len(seen) == KEYS - TOMBSTONED + 1, len(seen)
print('ok compaction', len(seen), 'of', total)
