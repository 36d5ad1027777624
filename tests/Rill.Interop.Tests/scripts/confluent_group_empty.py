"""Two librdkafka consumers of one classic group close one right after the other (the second
before it has heard of the rebalance the first started). DescribeGroups (kafka-python's admin
client) must then answer Empty with 0 members within seconds, well before the rebalance
timeout (max.poll.interval.ms = 60 s), as Kafka does: nobody is left to wait for."""
import sys, time
from confluent_kafka import Producer, Consumer
from confluent_kafka.admin import AdminClient, NewTopic
from kafka import KafkaAdminClient

bootstrap, topic = sys.argv[1], sys.argv[2]
group = topic + '-group'
creator = AdminClient({'bootstrap.servers': bootstrap})
creator.create_topics([NewTopic(topic, 2, 1)])[topic].result()
producer = Producer({'bootstrap.servers': bootstrap})
for i in range(20):
    producer.produce(topic, value=b'%d' % i, partition=i % 2)
assert producer.flush(10) == 0

def consumer():
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': group, 'auto.offset.reset': 'earliest',
                  'session.timeout.ms': 10000, 'heartbeat.interval.ms': 3000, 'max.poll.interval.ms': 60000})
    c.subscribe([topic])
    return c

c1, c2 = consumer(), consumer()
deadline = time.time() + 60
while not (c1.assignment() and c2.assignment()):
    assert time.time() < deadline, 'both consumers never got partitions'
    c1.poll(0.1)
    c2.poll(0.1)

admin = KafkaAdminClient(bootstrap_servers=bootstrap)
def describe():
    return admin.describe_consumer_groups([group])[0]

before = describe()
assert before.state == 'Stable' and len(before.members) == 2, before
c1.close()
c2.close()
closed = time.time()
states = []
while True:
    d = describe()
    states.append(d.state)
    if d.state == 'Empty':
        break
    assert time.time() - closed < 15, f'still {d.state} with {len(d.members)} members after 15 s: {sorted(set(states))}'
    time.sleep(0.1)
assert len(d.members) == 0, d
print(f'ok Empty members=0 after {time.time() - closed:.1f}s states {sorted(set(states))}')
