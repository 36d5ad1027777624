"""Two confluent-kafka consumers in one group on a 4-partition topic: disjoint, complete assignments,
every record consumed once with synchronous commits; when one leaves, the other takes over; a
second and third group (fan-out) each read everything; committed offsets are visible."""
import sys, time
from confluent_kafka import Producer, Consumer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

bootstrap, topic = sys.argv[1], sys.argv[2]
admin = AdminClient({'bootstrap.servers': bootstrap})
admin.create_topics([NewTopic(topic, 4, 1)])[topic].result()
producer = Producer({'bootstrap.servers': bootstrap})
for i in range(800):
    producer.produce(topic, key=f'rider-{i % 40}', value=f'{i}')
assert producer.flush(10) == 0

def consumer(group):
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': group, 'auto.offset.reset': 'earliest',
                  'enable.auto.commit': False, 'session.timeout.ms': 6000})
    c.subscribe([topic])
    return c

def drain(consumers, expected, limit=60):
    seen = {}
    start = time.time()
    while time.time() - start < limit and len(seen) < expected:
        for c in consumers:
            m = c.poll(0.1)
            if m is None or m.error():
                continue
            key = (m.partition(), m.offset())
            assert key not in seen, f'{key} consumed twice'
            seen[key] = (c, m.value())
            c.commit(m, asynchronous=False)
    return seen

c1, c2 = consumer('main'), consumer('main')
seen = drain([c1, c2], 800)
assert len(seen) == 800, len(seen)
a1 = {tp.partition for tp in c1.assignment()}
a2 = {tp.partition for tp in c2.assignment()}
assert a1 and a2 and not (a1 & a2) and a1 | a2 == {0, 1, 2, 3}, (a1, a2)
for (partition, _), (c, _) in seen.items():
    assert partition in ({tp.partition for tp in c.assignment()}), 'record from a partition the consumer does not own'

# per-rider order within a partition
by_partition = {}
for (partition, offset), (_, value) in sorted(seen.items()):
    by_partition.setdefault(partition, []).append(int(value))
for values in by_partition.values():
    assert values == sorted(values)

c2.close()   # leaves the group
start = time.time()
while time.time() - start < 30 and len(c1.assignment()) < 4:
    c1.poll(0.1)
assert {tp.partition for tp in c1.assignment()} == {0, 1, 2, 3}, c1.assignment()

committed = c1.committed([TopicPartition(topic, p) for p in range(4)], timeout=10)
assert sum(tp.offset for tp in committed) == 800, committed
c1.close()

# fan-out: two more groups each see every record
fan = [consumer('fan-a'), consumer('fan-b')]
for c in fan:
    got = drain([c], 800)
    assert len(got) == 800, len(got)
    c.close()
print('ok')
