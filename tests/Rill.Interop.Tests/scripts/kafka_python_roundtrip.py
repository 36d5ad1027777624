"""kafka-python (Debian python3-kafka 2.0.x): keys, headers, timestamps, default partitioner,
assignment, beginning/end offsets and offsets_for_times against a Rill broker."""
import sys, time
from kafka import KafkaProducer, KafkaConsumer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.partitioner.default import murmur2

bootstrap, topic = sys.argv[1], sys.argv[2]
admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10000)
admin.create_topics([NewTopic(topic, 4, 1)])
admin.close()

producer = KafkaProducer(bootstrap_servers=bootstrap, acks='all')
base = int(time.time() * 1000) - 1_000_000
sent = []
for i in range(200):
    key = f'rider-{i % 13}'.encode()
    meta = producer.send(topic, key=key, value=f'pos-{i}'.encode(),
                         headers=[('source', b'gps'), ('seq', str(i).encode())],
                         timestamp_ms=base + i * 1000).get(timeout=10)
    # kafka-python's default partitioner: murmur2(key) & 0x7fffffff % partitions
    expected = (murmur2(key) & 0x7fffffff) % 4
    assert meta.partition == expected, (key, meta.partition, expected)
    sent.append((meta.partition, meta.offset, key, i))
producer.close()

consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, consumer_timeout_ms=5000)
tps = [TopicPartition(topic, p) for p in range(4)]
consumer.assign(tps)
consumer.seek_to_beginning()
got = {}
for m in consumer:
    got[(m.partition, m.offset)] = m
    if len(got) == len(sent):
        break
assert len(got) == len(sent), (len(got), len(sent))
for partition, offset, key, i in sent:
    m = got[(partition, offset)]
    assert m.key == key and m.value == f'pos-{i}'.encode(), m
    assert m.headers == [('source', b'gps'), ('seq', str(i).encode())], m.headers
    assert m.timestamp == base + i * 1000 and m.timestamp_type == 0, (m.timestamp, m.timestamp_type)

# per-key order within each partition
for p in range(4):
    values = [int(got[(p, o)].value.split(b'-')[1]) for o in sorted(o for (pp, o) in got if pp == p)]
    assert values == sorted(values), values

ends = consumer.end_offsets(tps)
begins = consumer.beginning_offsets(tps)
for p in range(4):
    assert begins[tps[p]] == 0
    assert ends[tps[p]] == sum(1 for s in sent if s[0] == p), (ends, p)

# offsets_for_times: the first record at or after a timestamp, per partition
target = base + 100 * 1000
answer = consumer.offsets_for_times({tp: target for tp in tps})
for p in range(4):
    expected = min((o for (pp, o, k, i) in sent if pp == p and base + i * 1000 >= target), default=None)
    got_offset = answer[tps[p]]
    if expected is None:
        assert got_offset is None, got_offset
    else:
        assert got_offset.offset == expected, (p, got_offset, expected)
future = consumer.offsets_for_times({tps[0]: base + 10_000_000})
assert future[tps[0]] is None, future
consumer.close()
print('ok', len(sent))
