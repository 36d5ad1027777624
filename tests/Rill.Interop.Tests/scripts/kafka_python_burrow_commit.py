"""Creates a topic (when asked), produces records and commits offsets for a group with kafka-python.
Usage: kafka_python_burrow_commit.py BOOTSTRAP TOPIC GROUP create|nocreate RECORDS_PER_PARTITION P0_OFFSET P1_OFFSET"""
import sys
from kafka import KafkaProducer, KafkaConsumer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.structs import OffsetAndMetadata

bootstrap, topic, group, create, per_partition, p0, p1 = sys.argv[1:8]
if create == "create":
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    admin.create_topics([NewTopic(topic, 2, 1)])
    admin.close()
producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
for i in range(int(per_partition)):
    for partition in (0, 1):
        producer.send(topic, b"record-%d" % i, partition=partition)
producer.flush()
producer.close()
consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
consumer.commit({TopicPartition(topic, 0): OffsetAndMetadata(int(p0), ""), TopicPartition(topic, 1): OffsetAndMetadata(int(p1), "")})
consumer.close()
print("ok")
