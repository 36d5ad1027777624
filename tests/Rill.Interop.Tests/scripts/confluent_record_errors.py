"""KIP-467 with librdkafka 2.0.2 (confluent-kafka-python): one batch to a compacted topic where some
records have no key. librdkafka 2.0.2 speaks Produce up to v7 (checked from its protocol log), which
has no record_errors, so every record of the batch fails with INVALID_RECORD (permanent, not retried).
Nothing of the batch is appended; a keyed record afterwards is delivered. (librdkafka 2.15, see
ckjs/record_errors.js, uses v8+ and fails only the named records with INVALID_RECORD.)"""
import logging, sys
from confluent_kafka import Producer, KafkaError, TopicPartition, Consumer
from confluent_kafka.admin import AdminClient, NewTopic

bootstrap, topic = sys.argv[1], sys.argv[2]
admin = AdminClient({'bootstrap.servers': bootstrap})
for f in admin.create_topics([NewTopic(topic, 1, 1, config={'cleanup.policy': 'compact'})]).values():
    f.result(15)

class Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []
    def emit(self, record):
        self.lines.append(record.getMessage())
lines = Lines()
log = logging.getLogger('rdkafka')
log.addHandler(lines)
log.setLevel(logging.DEBUG)
log.propagate = False
p = Producer({'bootstrap.servers': bootstrap, 'linger.ms': 1000, 'acks': 'all', 'debug': 'protocol'}, logger=log)
# Learn the leader first: records produced while the topic's metadata is still unknown wait in a queue, and on a
# loaded machine librdkafka may send the first of them on its own once that metadata arrives after linger.ms.
p.list_topics(topic, timeout=15)
results = {}
keys = [b'k0', None, b'k2', None, b'k4', b'k5']
for i, key in enumerate(keys):
    p.produce(topic, value=b'v%d' % i, key=key, partition=0,
              on_delivery=lambda err, msg, i=i: results.__setitem__(i, err))
assert p.flush(30) == 0
p.poll(0)
versions = {l.split('(')[1].split(',')[0] for l in lines.lines if 'Sent ProduceRequest' in l}
print('produce versions', versions)
assert versions == {'v7'}, versions
for i, key in enumerate(keys):
    err = results[i]
    print(f'record {i} key={key} error={err.name() if err else None} retriable={err.retriable() if err else None} str={err.str() if err else None}')
    assert err is not None and err.code() == KafkaError.INVALID_RECORD, (i, err)

p.produce(topic, value=b'after', key=b'ka', partition=0, on_delivery=lambda err, msg: results.__setitem__('after', err))
assert p.flush(30) == 0 and results['after'] is None, results['after']
c = Consumer({'bootstrap.servers': bootstrap, 'group.id': topic + '-check'})
low, high = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)
c.close()
assert (low, high) == (0, 1), (low, high)
print('ok librdkafka 2.0.2 record errors')
