"""Creates TOPIC compacted (1 MiB segments, min.cleanable.dirty.ratio 0.01: the cleaner runs at
every roll) and produces COUNT records over KEYS keys with acks=all; the value is 'key|v-<i>'.
Appends 'offset value' per acknowledged record to OUT as acknowledgements arrive (line-buffered),
so a crash of the broker leaves an exact list of what was acknowledged."""
import sys
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

bootstrap, topic, out_path, count, keys = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
admin = AdminClient({'bootstrap.servers': bootstrap})
admin.create_topics([NewTopic(topic, 1, 1, config={
    'cleanup.policy': 'compact', 'segment.bytes': '1048576', 'min.cleanable.dirty.ratio': '0.01'})])[topic].result()
out = open(out_path, 'w', buffering=1)
producer = Producer({'bootstrap.servers': bootstrap, 'acks': 'all', 'enable.idempotence': True,
                     'linger.ms': 2, 'message.timeout.ms': 8000, 'queue.buffering.max.messages': 100000})

def on_delivery(err, msg):
    if err is None:
        out.write(f'{msg.offset()} {msg.value().decode()}\n')

for i in range(count):
    key = f'k{(i * 7919) % keys}'
    while True:
        try:
            producer.produce(topic, key=key, value=f'{key}|v-{i}-'.encode() + b'p' * 60, partition=0, on_delivery=on_delivery)
            break
        except BufferError:
            producer.poll(0.05)
    producer.poll(0)
producer.flush(20)
out.close()
print('done')
