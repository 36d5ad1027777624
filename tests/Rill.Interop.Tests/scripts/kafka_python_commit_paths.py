"""kafka-python 2.0 (classic protocol): every way it commits, each checked through OffsetFetch from
the admin client and by where a new consumer of the group starts.
  subscribe   subscribe, poll, commit explicit offsets (with metadata), close
  assign      assign() without subscribing: a simple commit (generation -1, no member id)
  revoked     a second member takes a partition; the first commits both, the lost one included,
              at its current generation
  left        the only member unsubscribes (leaves the group), then commits: a simple commit to
              the now Empty group
Usage: kafka_python_commit_paths.py <bootstrap> <topic> <mode>"""
import sys, threading, time
from kafka import KafkaConsumer, KafkaProducer, KafkaAdminClient, TopicPartition
from kafka.admin import NewTopic
from kafka.structs import OffsetAndMetadata

bootstrap, topic, mode = sys.argv[1], sys.argv[2], sys.argv[3]
group = topic + '-group'
admin = KafkaAdminClient(bootstrap_servers=bootstrap)
admin.create_topics([NewTopic(topic, 2, 1)])
producer = KafkaProducer(bootstrap_servers=bootstrap)
for i in range(20):
    producer.send(topic, value=b'v%d' % i, partition=i % 2)
producer.flush()
tp0, tp1 = TopicPartition(topic, 0), TopicPartition(topic, 1)

def consumer(subscribe=True):
    c = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, auto_offset_reset='earliest', enable_auto_commit=False,
                      session_timeout_ms=10000, heartbeat_interval_ms=500, max_poll_interval_ms=30000)
    if subscribe:
        c.subscribe([topic])
    return c

def until(what, check, limit=60):
    deadline = time.time() + limit
    while not check():
        assert time.time() < deadline, 'timed out waiting for ' + what

def poll_some(c):
    c.poll(timeout_ms=100)
    return True

def commit(c, offsets):
    c.commit({tp: OffsetAndMetadata(o, m) for tp, (o, m) in offsets.items()})

if mode == 'subscribe':
    c = consumer()
    until('assignment', lambda: poll_some(c) and len(c.assignment()) == 2)
    expected = {tp0: (6, 'sub-0'), tp1: (3, 'sub-1')}
    commit(c, expected)
    c.close()
elif mode == 'assign':
    c = consumer(subscribe=False)
    c.assign([tp0, tp1])
    c.poll(timeout_ms=500)
    expected = {tp0: (4, 'assign-0'), tp1: (7, '')}
    commit(c, expected)
    c.close()
elif mode == 'revoked':
    a = consumer()
    until('a owns both', lambda: poll_some(a) and len(a.assignment()) == 2)
    # b polls on its own thread: a kafka-python join blocks until every member has rejoined.
    b, b_owns, stop = consumer(), [], threading.Event()
    def run_b():
        while not stop.is_set():
            b.poll(timeout_ms=100)
            b_owns[:] = list(b.assignment())
    thread = threading.Thread(target=run_b)
    thread.start()
    until('b takes one partition', lambda: poll_some(a) and len(a.assignment()) == 1 and len(b_owns) == 1)
    lost = ({tp0, tp1} - a.assignment()).pop()
    print('a lost partition', lost.partition)
    expected = {tp0: (5, ''), tp1: (5, '')}
    commit(a, expected)
    stop.set()
    thread.join()
    b.close()
    a.close()
elif mode == 'left':
    c = consumer()
    until('assignment', lambda: poll_some(c) and len(c.assignment()) == 2)
    c.unsubscribe()
    c.poll(timeout_ms=200)
    expected = {tp0: (7, 'left'), tp1: (2, 'left')}
    commit(c, expected)
    c.close()
else:
    raise SystemExit('unknown mode ' + mode)

read = admin.list_consumer_group_offsets(group)
for tp, (offset, metadata) in expected.items():
    assert tp in read and read[tp].offset == offset and read[tp].metadata == metadata, (tp, read.get(tp), offset, metadata)

# A new member of the group starts at the committed offsets.
c = consumer()
first = {}
def read_first():
    for tp, records in c.poll(timeout_ms=200).items():
        first.setdefault(tp, records[0].offset)
    return len(first) == 2
until('the new member reads both partitions', read_first)
c.close()
assert first == {tp: o for tp, (o, _) in expected.items()}, first
print('ok kafka-python', mode, sorted((tp.partition, o) for tp, (o, _) in expected.items()))
