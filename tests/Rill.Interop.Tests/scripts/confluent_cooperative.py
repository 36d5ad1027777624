"""Incremental cooperative rebalancing (KIP-429) driven by librdkafka over the classic protocol:
with partition.assignment.strategy=cooperative-sticky a joining member only takes partitions the
others give up, and the first member keeps consuming the partitions it keeps (it is never told to
revoke them). Prints 'ok' with what each callback saw."""
import sys, time
from confluent_kafka import Producer, Consumer, KafkaException
from confluent_kafka.admin import AdminClient, NewTopic

bootstrap, topic = sys.argv[1], sys.argv[2]
admin = AdminClient({'bootstrap.servers': bootstrap})
admin.create_topics([NewTopic(topic, 4, 1)])[topic].result()
producer = Producer({'bootstrap.servers': bootstrap})
for i in range(400):
    producer.produce(topic, key=f'k{i}', value=f'{i}', partition=i % 4)
assert producer.flush(10) == 0

events = {'a': [], 'b': []}

def consumer(name):
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'coop', 'auto.offset.reset': 'earliest',
                  'enable.auto.commit': False, 'session.timeout.ms': 6000,
                  'partition.assignment.strategy': 'cooperative-sticky'})
    c.subscribe([topic],
                on_assign=lambda c, ps: events[name].append(('assign', sorted(p.partition for p in ps))),
                on_revoke=lambda c, ps: events[name].append(('revoke', sorted(p.partition for p in ps))))
    return c

def poll_until(consumers, done, limit=60):
    start = time.time()
    while time.time() - start < limit and not done():
        for c in consumers:
            m = c.poll(0.05)
            if m is not None and not m.error():
                try:
                    c.commit(m, asynchronous=False)
                except KafkaException as e:
                    # A commit racing a rebalance may be refused (REBALANCE_IN_PROGRESS,
                    # ILLEGAL_GENERATION); the record is then consumed again by its next owner.
                    assert e.args[0].code() in (27, 22), e
    assert done(), events

a = consumer('a')
poll_until([a], lambda: len(a.assignment()) == 4)
b = consumer('b')
poll_until([a, b], lambda: len(a.assignment()) == 2 and len(b.assignment()) == 2)
kept = {tp.partition for tp in a.assignment()}
revoked = [p for kind, ps in events['a'] if kind == 'revoke' for p in ps]
assert set(revoked).isdisjoint(kept), events     # a never gave up what it kept
assert len(revoked) == 2, events                  # only the two that moved
assert {tp.partition for tp in b.assignment()} == {0, 1, 2, 3} - kept, events
b.close()
poll_until([a], lambda: len(a.assignment()) == 4)
a.close()
print('ok', events)
