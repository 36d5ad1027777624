"""Produces records with given timestamps and commits a group offset, with librdkafka (confluent-kafka).

Usage:
  produce_and_commit.py produce BOOTSTRAP TOPIC COUNT TIMESTAMP_MS   (one flushed batch)
  produce_and_commit.py commit BOOTSTRAP GROUP TOPIC PARTITION OFFSET
"""
import sys

from confluent_kafka import Consumer, Producer, TopicPartition

command, bootstrap = sys.argv[1], sys.argv[2]
if command == "produce":
    topic, count, timestamp = sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 50})
    for i in range(count):
        producer.produce(topic, value=f"value-{i}".encode(), partition=0, timestamp=timestamp)
    if producer.flush(30) != 0:
        sys.exit("records not delivered")
elif command == "commit":
    group, topic, partition, offset = sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
    committed = consumer.commit(offsets=[TopicPartition(topic, partition, offset)], asynchronous=False)
    if any(tp.error for tp in committed):
        sys.exit(f"commit failed: {committed}")
    consumer.close()
else:
    sys.exit(f"unknown command {command}")
