"""Produces records (value v-<i>) with acks=all to partition 0 and appends one line
'offset value' per acknowledged record to OUT as acknowledgements arrive (flushed each time),
so a crash of the broker leaves an exact list of what was acknowledged.

Once THRESHOLD records are acknowledged it creates OUT.ready (the test's signal to kill the
broker) and keeps producing: it stops only when a delivery fails (the broker is gone) or after
LIMIT seconds, so production is always still running when the kill comes. Prints
'done acked=<n> failed=<m>'; exits 3 if no delivery ever failed (the broker was never killed)."""
import os
import sys
import time
from confluent_kafka import Producer

bootstrap, topic, out_path, threshold = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
limit = float(sys.argv[5]) if len(sys.argv) > 5 else 150.0
out = open(out_path, 'w', buffering=1)
producer = Producer({'bootstrap.servers': bootstrap, 'acks': 'all', 'enable.idempotence': True,
                     'linger.ms': 2, 'message.timeout.ms': 8000, 'queue.buffering.max.messages': 100000})
acked = 0
failed = 0
ready = False

def on_delivery(err, msg):
    global acked, failed, ready
    if err is None:
        out.write(f'{msg.offset()} {msg.value().decode()}\n')
        acked += 1
        if acked >= threshold and not ready:
            ready = True
            open(out_path + '.ready', 'w').close()
    else:
        failed += 1

deadline = time.monotonic() + limit
i = 0
while failed == 0 and time.monotonic() < deadline:
    try:
        producer.produce(topic, value=f'v-{i}'.encode(), partition=0, on_delivery=on_delivery)
        i += 1
    except BufferError:
        producer.poll(0.05)
    producer.poll(0)
producer.flush(20)
out.close()
print(f'done acked={acked} failed={failed} produced={i}')
sys.exit(0 if failed > 0 else 3)
