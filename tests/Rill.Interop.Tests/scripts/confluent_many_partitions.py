"""Creates a topic of N partitions (or uses it), writes one record to each partition, reads them all back.

usage: confluent_many_partitions.py BOOTSTRAP TOPIC PARTITIONS create|write|check|delete
  create: CreateTopics, prints "created"
  delete: DeleteTopics (30 s request timeout), prints "deleted"
  write:  one record "p<i>" to each partition i, acks=all; prints "written N"
  check:  reads every partition from the beginning; prints "read N" when each holds exactly its record
Exit 1 with a message on any error.
"""
import sys, time
from confluent_kafka import Producer, Consumer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

bootstrap, topic, count, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]

if mode == "create":
    admin = AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.create_topics([NewTopic(topic, count, 1)], request_timeout=60, operation_timeout=60)
    futures[topic].result(timeout=90)
    print("created")
elif mode == "delete":
    admin = AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.delete_topics([topic], request_timeout=30, operation_timeout=30)
    futures[topic].result(timeout=45)
    print("deleted")
elif mode == "write":
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5, "enable.idempotence": False})
    errors = []
    def report(err, msg):
        if err is not None:
            errors.append(f"{msg.partition()}: {err}")
    for p in range(count):
        producer.produce(topic, value=f"p{p}".encode(), partition=p, on_delivery=report)
        producer.poll(0)
    left = producer.flush(90)
    if left or errors:
        print(f"not delivered: {left}, errors: {errors[:5]}")
        sys.exit(1)
    print(f"written {count}")
elif mode == "check":
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"check-{time.time()}", "enable.auto.commit": False,
                         "fetch.wait.max.ms": 100})
    consumer.assign([TopicPartition(topic, p, 0) for p in range(count)])
    seen = {}
    deadline = time.monotonic() + 90
    while len(seen) < count and time.monotonic() < deadline:
        for msg in consumer.consume(1000, 1.0):
            if msg.error():
                print(f"error: {msg.error()}")
                sys.exit(1)
            if msg.partition() in seen:
                print(f"partition {msg.partition()} returned a second record at offset {msg.offset()}")
                sys.exit(1)
            seen[msg.partition()] = (msg.offset(), msg.value().decode())
    consumer.close()
    wrong = [p for p in range(count) if seen.get(p) != (0, f"p{p}")]
    if wrong:
        print(f"{len(wrong)} partitions wrong or missing, e.g. {[(p, seen.get(p)) for p in wrong[:5]]}")
        sys.exit(1)
    print(f"read {count}")
