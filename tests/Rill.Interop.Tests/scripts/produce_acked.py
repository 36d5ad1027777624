"""Produces COUNT records (value v-<i>) with acks=all to partition 0 and appends one line
'offset value' per acknowledged record to OUT as acknowledgements arrive (flushed each time),
so a crash of the broker leaves an exact list of what was acknowledged."""
import sys
from confluent_kafka import Producer

bootstrap, topic, out_path, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
out = open(out_path, 'w', buffering=1)
producer = Producer({'bootstrap.servers': bootstrap, 'acks': 'all', 'enable.idempotence': True,
                     'linger.ms': 2, 'message.timeout.ms': 8000, 'queue.buffering.max.messages': 100000})

def on_delivery(err, msg):
    if err is None:
        out.write(f'{msg.offset()} {msg.value().decode()}\n')

for i in range(count):
    while True:
        try:
            producer.produce(topic, value=f'v-{i}'.encode(), partition=0, on_delivery=on_delivery)
            break
        except BufferError:
            producer.poll(0.05)
    producer.poll(0)
producer.flush(20)
out.close()
print('done')
