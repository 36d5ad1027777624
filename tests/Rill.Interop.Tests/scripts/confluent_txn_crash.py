"""A broker kill -9 with transactions open (confluent-kafka-python / librdkafka).
  open  BOOTSTRAP TOPIC: commits one transaction (3 records on partition 0), then leaves a second
        one open (5 records on partition 0, transaction.timeout.ms 4000) and exits without ending it.
  check BOOTSTRAP TOPIC [read_committed]: after the broker's restart, waits for the open
        transaction's abort marker (its timeout passes), then read_uncommitted sees all 8 records
        and, with the flag, read_committed exactly the 3 committed ones in order."""
import os
import sys
import time
from confluent_kafka import Producer, Consumer, TopicPartition, KafkaError
from confluent_kafka.admin import AdminClient, NewTopic

mode, bootstrap, topic = sys.argv[1], sys.argv[2], sys.argv[3]

if mode == 'open':
    admin = AdminClient({'bootstrap.servers': bootstrap})
    for f in admin.create_topics([NewTopic(topic, 1, 1)]).values():
        f.result(30)
    p = Producer({'bootstrap.servers': bootstrap, 'transactional.id': topic + '-tx', 'transaction.timeout.ms': 4000})
    p.init_transactions(30)
    p.begin_transaction()
    for i in range(3):
        p.produce(topic, value=f'committed-{i}', partition=0)
    p.commit_transaction(30)
    p.begin_transaction()
    for i in range(5):
        p.produce(topic, value=f'open-{i}', partition=0)
    assert p.flush(30) == 0
    print('open', flush=True)
    os._exit(0)  # no abort, no close: the transaction stays open at the coordinator


def read(isolation, expected):
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': topic + isolation, 'isolation.level': isolation,
                  'enable.auto.commit': False, 'enable.partition.eof': True})
    c.assign([TopicPartition(topic, 0, 0)])
    values, deadline = [], time.time() + 30
    while time.time() < deadline:
        m = c.poll(1)
        if m is None:
            continue
        if m.error():
            if m.error().code() == KafkaError._PARTITION_EOF and len(values) >= expected:
                break
            continue
        values.append(m.value().decode())
    c.close()
    return values


# Committed transaction: 3 records + marker (offset 3); the open one: offsets 4-8; its abort marker at 9.
probe = Consumer({'bootstrap.servers': bootstrap, 'group.id': topic + '-probe'})
deadline, high = time.time() + 60, -1
while time.time() < deadline:
    high = probe.get_watermark_offsets(TopicPartition(topic, 0), 10)[1]
    if high >= 10:
        break
    time.sleep(0.2)
probe.close()
assert high == 10, ('the open transaction was not aborted after the restart', high)
uncommitted = read('read_uncommitted', 8)
assert uncommitted == [f'committed-{i}' for i in range(3)] + [f'open-{i}' for i in range(5)], uncommitted
if len(sys.argv) > 4 and sys.argv[4] == 'read_committed':
    committed = read('read_committed', 3)
    assert committed == [f'committed-{i}' for i in range(3)], committed
print('ok crash', len(uncommitted))
