"""Kafka clients (librdkafka via confluent-kafka) that the web console tests check the console against.

Usage:
  console_clients.py produce BOOTSTRAP TOPIC COUNT BATCH_BYTES  COUNT records key-N / value-N, batches of at most BATCH_BYTES
  console_clients.py consume BOOTSTRAP GROUP TOPIC COUNT     subscribe, read COUNT records, commit them, leave
  console_clients.py hold BOOTSTRAP GROUP TOPIC SECONDS      subscribe, print "assigned" once assigned, stay a member until
                                                             stdin closes (at most SECONDS), leave
  console_clients.py config BOOTSTRAP TOPIC NAME             print the topic config's value (DescribeConfigs)
  console_clients.py committed BOOTSTRAP GROUP TOPIC PARTITION   print the committed offset (OffsetFetch)
  console_clients.py commit-many BOOTSTRAP PREFIX COUNT TOPIC     groups PREFIX-0..COUNT-1 each commit offset 0 of TOPIC partition 0
  console_clients.py produce-bulk BOOTSTRAP TOPIC MB VALUE_BYTES NEEDLE COMPRESSION
                                                             about MB megabytes of random hex values to partition 0, NEEDLE last
"""
import sys
import threading
import time

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource

command, bootstrap = sys.argv[1], sys.argv[2]


def consumer(group):
    return Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False,
                     "auto.offset.reset": "earliest", "session.timeout.ms": 6000})


if command == "produce":
    topic, count, batch = sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 20, "batch.size": batch})
    for i in range(count):
        while True:
            try:
                producer.produce(topic, key=f"key-{i}".encode(), value=f"value-{i}".encode(), partition=0)
                break
            except BufferError:
                producer.poll(0.1)
    if producer.flush(60) != 0:
        sys.exit("records not delivered")
elif command == "consume":
    group, topic, count = sys.argv[3], sys.argv[4], int(sys.argv[5])
    c = consumer(group)
    c.subscribe([topic])
    read, deadline = 0, time.time() + 60
    while read < count and time.time() < deadline:
        m = c.poll(1)
        if m is not None and not m.error():
            read += 1
    if read < count:
        sys.exit(f"read {read} of {count}")
    c.commit(asynchronous=False)
    c.close()
elif command == "hold":
    group, topic, seconds = sys.argv[3], sys.argv[4], float(sys.argv[5])
    c = consumer(group)
    assigned = []
    c.subscribe([topic], on_assign=lambda _, parts: assigned.extend(parts))
    deadline = time.time() + seconds
    announced = False
    stdin_closed = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stdin_closed.set()), daemon=True).start()
    while time.time() < deadline and not stdin_closed.is_set():
        c.poll(0.2)
        if assigned and not announced:
            print("assigned", flush=True)
            announced = True
    c.close()
elif command == "config":
    topic, name = sys.argv[3], sys.argv[4]
    admin = AdminClient({"bootstrap.servers": bootstrap})
    resource = ConfigResource("topic", topic)
    configs = admin.describe_configs([resource])[resource].result(30)
    print(configs[name].value)
elif command == "committed":
    group, topic, partition = sys.argv[3], sys.argv[4], int(sys.argv[5])
    c = consumer(group)
    print(c.committed([TopicPartition(topic, partition)], timeout=30)[0].offset)
    c.close()
elif command == "commit-many":
    prefix, count, topic = sys.argv[3], int(sys.argv[4]), sys.argv[5]
    for i in range(count):
        c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"{prefix}-{i}", "enable.auto.commit": False})
        result = c.commit(offsets=[TopicPartition(topic, 0, 0)], asynchronous=False)
        if any(tp.error for tp in result):
            sys.exit(f"commit failed: {result}")
        c.close()
elif command == "produce-bulk":
    import os
    topic, mb, size, needle, compression = sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6], sys.argv[7]
    pool = os.urandom(1 << 20).hex().encode()  # 2 MB of hex text: values no search can skip cheaply
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 50, "batch.size": 1000000,
                         "compression.type": compression, "queue.buffering.max.kbytes": 1048576})
    count = mb * 1024 * 1024 // size
    for i in range(count):
        start = (i * 7919) % (len(pool) - size)
        while True:
            try:
                producer.produce(topic, value=pool[start:start + size], partition=0)
                break
            except BufferError:
                producer.poll(0.05)
    producer.produce(topic, key=b"needle", value=needle.encode(), partition=0)
    if producer.flush(300) != 0:
        sys.exit("records not delivered")
    print(count + 1)
else:
    sys.exit(f"unknown command {command}")
