"""Old consumers read what a modern producer wrote: confluent-kafka (librdkafka, magic-2 batches, every
codec, headers) produces; kafka-python with api_version (0, 8, 2) / (0, 9) / (0, 10, 0) / (0, 10, 1)
reads with Fetch v0 / v1 / v2 / v3 (checked by recording the requests kafka-python sends), so the broker
must down-convert to magic 0 (v0-1) or magic 1 with timestamps (v2-3). Also: a fetch offset inside a
batch, a message larger than max_partition_fetch_bytes (v0-2: RecordTooLargeError; v3: KIP-74 returns it)."""
import sys, time
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic
from kafka import KafkaConsumer, TopicPartition
from kafka.client_async import KafkaClient
from kafka.consumer.fetcher import RecordTooLargeError

bootstrap, topic = sys.argv[1], sys.argv[2]
big_topic = topic + '-big'
admin = AdminClient({'bootstrap.servers': bootstrap})
for f in admin.create_topics([NewTopic(topic, 1, 1), NewTopic(big_topic, 1, 1)]).values():
    f.result(15)

base = int(time.time() * 1000) - 500_000
sent = []  # (key, value, timestamp)
for codec in ['none', 'gzip', 'snappy', 'lz4', 'zstd']:
    p = Producer({'bootstrap.servers': bootstrap, 'compression.type': codec, 'linger.ms': 50, 'acks': 'all'})
    for i in range(40):
        n = len(sent)
        key = None if n % 17 == 0 else f'k-{codec}-{i}'.encode()
        value = None if n % 23 == 5 else (f'v-{codec}-{i}-'.encode() + b'x' * (i * 7))
        ts = base + n * 10
        p.produce(topic, key=key, value=value, timestamp=ts, headers=[('h', b'dropped-for-old-clients')])
        sent.append((key, value, ts))
    assert p.flush(15) == 0
p = Producer({'bootstrap.servers': bootstrap})
p.produce(big_topic, key=b'big', value=b'B' * 5000, timestamp=base)
p.produce(big_topic, key=b'small', value=b's', timestamp=base + 1)
assert p.flush(15) == 0

sent_requests = []
original_send = KafkaClient.send
def recording_send(self, node_id, request, wakeup=True):
    sent_requests.append(type(request).__name__)
    return original_send(self, node_id, request, wakeup)
KafkaClient.send = recording_send

def consume(api_version, t, start=None, expect=None, **config):
    c = KafkaConsumer(bootstrap_servers=bootstrap, api_version=api_version, enable_auto_commit=False,
                      consumer_timeout_ms=4000, **config)
    tp = TopicPartition(t, 0)
    c.assign([tp])
    if start is None:
        c.seek_to_beginning(tp)
    else:
        c.seek(tp, start)
    got = []
    try:
        for m in c:
            got.append(m)
            if len(got) >= (expect or len(sent) - (start or 0)):
                break
    finally:
        c.close()
    return got

for api_version, fetch_version, magic in [((0, 8, 2), 0, 0), ((0, 9), 1, 0), ((0, 10, 0), 2, 1), ((0, 10, 1), 3, 1)]:
    sent_requests.clear()
    got = consume(api_version, topic)
    fetches = {r for r in sent_requests if r.startswith('FetchRequest')}
    assert fetches == {f'FetchRequest_v{fetch_version}'}, (api_version, fetches)
    assert [m.offset for m in got] == list(range(len(sent))), (api_version, [m.offset for m in got][:10], len(got))
    for m, (key, value, ts) in zip(got, sent):
        assert m.key == key and m.value == value, (api_version, m.offset, m.key, key, m.value, value)
        assert m.headers == [], m.headers
        if magic == 0:
            assert m.timestamp in (None, -1), (api_version, m.timestamp)
        else:
            assert m.timestamp == ts and m.timestamp_type == 0, (api_version, m.offset, m.timestamp, ts)
    # a fetch offset inside a (compressed) batch starts exactly there
    mid = consume(api_version, topic, start=57)
    assert [m.offset for m in mid] == list(range(57, len(sent))), (api_version, [m.offset for m in mid][:5])
    # a 5000-byte message and a 1024-byte partition fetch size
    if fetch_version < 3:
        try:
            consume(api_version, big_topic, expect=2, max_partition_fetch_bytes=1024)
            raise AssertionError(f'{api_version}: expected RecordTooLargeError')
        except RecordTooLargeError:
            pass
    else:
        big = consume(api_version, big_topic, expect=2, max_partition_fetch_bytes=1024)
        assert [(m.key, len(m.value)) for m in big[:2]] == [(b'big', 5000), (b'small', 1)], big
    print(f'ok {api_version} fetch v{fetch_version} magic {magic} {len(got)}')

# consumer groups with the old protocol versions: subscribe, read everything, commit, and the commit is seen
for api_version in [(0, 9), (0, 10, 1)]:
    group = f'{topic}-group-{api_version[1]}-{len(api_version)}'
    sent_requests.clear()
    c = KafkaConsumer(topic, bootstrap_servers=bootstrap, api_version=api_version, group_id=group,
                      auto_offset_reset='earliest', enable_auto_commit=False, consumer_timeout_ms=8000)
    got = []
    for m in c:
        got.append(m.offset)
        if len(got) == len(sent):
            break
    assert got == list(range(len(sent))), (api_version, len(got))
    c.commit()
    tp = TopicPartition(topic, 0)
    assert c.committed(tp) == len(sent), c.committed(tp)
    c.close()
    names = set(sent_requests)
    assert any(n.startswith('JoinGroupRequest') for n in names) and any(n.startswith('OffsetCommitRequest') for n in names), names
    print(f'ok group {api_version} {sorted(n for n in names if n.startswith(("Fetch", "JoinGroup", "OffsetCommit", "ListOffsets", "OffsetRequest", "Metadata")))}')
