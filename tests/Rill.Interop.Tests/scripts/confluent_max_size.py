"""A message just under message.max.bytes is accepted; one over it is refused with MSG_SIZE_TOO_LARGE."""
import sys
from confluent_kafka import Producer, Consumer, TopicPartition, KafkaError

bootstrap, topic, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
# Let the client send anything; the broker must enforce the limit.
producer = Producer({'bootstrap.servers': bootstrap, 'message.max.bytes': 10_000_000,
                     'compression.type': 'none', 'enable.idempotence': True, 'batch.size': 10_000_000})
results = []
fits = b'x' * (limit - 200)        # batch overhead (61 + record framing) stays under the limit
too_big = b'y' * (limit + 1000)
producer.produce(topic, value=fits, partition=0, on_delivery=lambda e, m: results.append(('fits', e)))
producer.flush(30)
producer2 = Producer({'bootstrap.servers': bootstrap, 'message.max.bytes': 10_000_000,
                      'compression.type': 'none', 'batch.size': 10_000_000, 'message.send.max.retries': 0})
producer2.produce(topic, value=too_big, partition=0, on_delivery=lambda e, m: results.append(('big', e)))
producer2.flush(30)
outcome = dict(results)
assert outcome['fits'] is None, outcome
assert outcome['big'] is not None and outcome['big'].code() == KafkaError.MSG_SIZE_TOO_LARGE, outcome

consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'g-' + topic, 'enable.auto.commit': False,
                     'fetch.max.bytes': 10_000_000, 'max.partition.fetch.bytes': 10_000_000})
consumer.assign([TopicPartition(topic, 0, 0)])
m = consumer.poll(10)
assert m is not None and m.error() is None and m.value() == fits, m
consumer.close()
print('ok')
