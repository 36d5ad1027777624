"""confluent-kafka-python (librdkafka) transactional producer: commit, abort, a fenced zombie,
and consume-transform-produce with the offsets in the transaction.
Usage: confluent_transactions.py BOOTSTRAP PREFIX [read_committed]"""
import sys
import time
from confluent_kafka import Producer, Consumer, TopicPartition, KafkaException, KafkaError
from confluent_kafka.admin import AdminClient, NewTopic

bootstrap, prefix = sys.argv[1], sys.argv[2]
check_committed = len(sys.argv) > 3 and sys.argv[3] == 'read_committed'
topic, source, sink = prefix + '-out', prefix + '-in', prefix + '-sink'
admin = AdminClient({'bootstrap.servers': bootstrap})
for f in admin.create_topics([NewTopic(t, 2, 1) for t in (topic, source, sink)]).values():
    f.result(30)


def producer(tid):
    p = Producer({'bootstrap.servers': bootstrap, 'transactional.id': tid, 'transaction.timeout.ms': 60000})
    p.init_transactions(30)
    return p


def read_all(isolation, t, expect_end):
    """Every data record of both partitions (values) once the partitions reach expect_end."""
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'reader-' + isolation + t,
                  'isolation.level': isolation, 'enable.auto.commit': False, 'auto.offset.reset': 'earliest',
                  'enable.partition.eof': True})
    c.assign([TopicPartition(t, 0, 0), TopicPartition(t, 1, 0)])
    values, eof, deadline = [], set(), time.time() + 30
    while len(eof) < 2 and time.time() < deadline:
        m = c.poll(1)
        if m is None:
            continue
        if m.error():
            if m.error().code() == KafkaError._PARTITION_EOF:
                lo, hi = c.get_watermark_offsets(TopicPartition(t, m.partition()), cached=True)
                if hi >= expect_end[m.partition()]:
                    eof.add(m.partition())
                continue
            raise KafkaException(m.error())
        values.append((m.partition(), m.offset(), m.value().decode()))
    c.close()
    assert len(eof) == 2, ('did not reach the end', eof, values)
    return values


# 1. commit, abort, commit: 6 + 4 + 2 records over two partitions.
p = producer(prefix + '-tx')
for n, (count, commit) in enumerate([(6, True), (4, False), (2, True)]):
    p.begin_transaction()
    for i in range(count):
        p.produce(topic, value=f't{n}-{i}', partition=i % 2)
    p.flush(30)
    if commit:
        p.commit_transaction(30)
    else:
        p.abort_transaction(30)
# Per partition: t0 3 records + marker, t1 2 + marker, t2 1 + marker = 9 offsets.
lo, hi = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'wm'}).get_watermark_offsets(TopicPartition(topic, 0), 10)
assert hi == 9, ('partition 0 end offset (3 markers expected)', hi)
uncommitted = read_all('read_uncommitted', topic, {0: 9, 1: 9})
assert [v for _, _, v in uncommitted if _ == 0] or True
by_partition = {0: [], 1: []}
for part, off, v in uncommitted:
    by_partition[part].append((off, v))
# Markers take offsets 3, 6, 8 and are never returned as records.
assert [o for o, _ in by_partition[0]] == [0, 1, 2, 4, 5, 7], by_partition[0]
assert [v for _, v in by_partition[0]] == ['t0-0', 't0-2', 't0-4', 't1-0', 't1-2', 't2-0'], by_partition[0]
assert len(uncommitted) == 12, uncommitted
if check_committed:
    committed = sorted(v for _, _, v in read_all('read_committed', topic, {0: 9, 1: 9}))
    assert committed == sorted([f't0-{i}' for i in range(6)] + ['t2-0', 't2-1']), committed
print('ok commit-abort', len(uncommitted))

# 2. A zombie: a second producer with the same transactional id fences the first.
zombie = producer(prefix + '-zombie')
zombie.begin_transaction()
zombie.produce(topic, value='zombie-open', partition=0)
zombie.flush(30)
successor = producer(prefix + '-zombie')  # bumps the epoch, aborts the zombie's open transaction
fenced = None
try:
    zombie.produce(topic, value='zombie-late', partition=0)
    zombie.flush(10)
    zombie.commit_transaction(10)
except KafkaException as e:
    fenced = e.args[0]
assert fenced is not None, 'the zombie committed after being fenced'
assert fenced.fatal() or fenced.code() in (KafkaError._FENCED, KafkaError.PRODUCER_FENCED, KafkaError.INVALID_PRODUCER_EPOCH), fenced
successor.begin_transaction()
successor.produce(topic, value='successor', partition=0)
successor.commit_transaction(30)
print('ok fenced', fenced.code())

# 3. consume-transform-produce: offsets go with the transaction.
seed = Producer({'bootstrap.servers': bootstrap})
for i in range(10):
    seed.produce(source, value=f'in-{i}', partition=i % 2)
seed.flush(30)
group = prefix + '-ctp'
consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': group, 'enable.auto.commit': False,
                     'auto.offset.reset': 'earliest', 'isolation.level': 'read_committed'})
consumer.subscribe([source])
ctp = producer(prefix + '-ctp')
got, deadline = [], time.time() + 30
while len(got) < 10 and time.time() < deadline:
    m = consumer.poll(1)
    if m is None or m.error():
        continue
    got.append(m)
assert len(got) == 10, len(got)
ctp.begin_transaction()
for m in got:
    ctp.produce(sink, value=m.value().decode().upper(), partition=m.partition())
positions = consumer.position(consumer.assignment())
ctp.send_offsets_to_transaction(positions, consumer.consumer_group_metadata(), 30)
ctp.commit_transaction(30)
committed = {tp.partition: tp.offset for tp in consumer.committed([TopicPartition(source, 0), TopicPartition(source, 1)], 30)}
assert committed == {0: 5, 1: 5}, committed

# An aborted transaction's offsets are dropped: the committed offsets stay where they were.
ctp.begin_transaction()
ctp.produce(sink, value='aborted', partition=0)
ctp.send_offsets_to_transaction([TopicPartition(source, 0, 1), TopicPartition(source, 1, 1)], consumer.consumer_group_metadata(), 30)
ctp.abort_transaction(30)
committed = {tp.partition: tp.offset for tp in consumer.committed([TopicPartition(source, 0), TopicPartition(source, 1)], 30)}
assert committed == {0: 5, 1: 5}, committed
consumer.close()
print('ok consume-transform-produce', committed)
