"""Reads partition 0 of TOPIC from the log start to the high watermark into OUT ('offset value' lines)."""
import sys
from confluent_kafka import Consumer, TopicPartition

bootstrap, topic, out_path = sys.argv[1], sys.argv[2], sys.argv[3]
consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'reader', 'enable.auto.commit': False})
low, high = consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)
consumer.assign([TopicPartition(topic, 0, low)])
with open(out_path, 'w') as out:
    position = low
    while position < high:
        batch = consumer.consume(10000, timeout=10)
        assert batch, f'stalled at {position} of {high}'
        for m in batch:
            assert m.error() is None, m.error()
            out.write(f'{m.offset()} {m.value().decode()}\n')
            position = m.offset() + 1
consumer.close()
print('read', low, high)
