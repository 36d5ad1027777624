# Produces argv[3] keyed records with kafka-python's default partitioner (murmur2), compression argv[4].
import sys
from kafka import KafkaProducer

bootstrap, topic, count, codec = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
producer = KafkaProducer(bootstrap_servers=bootstrap, compression_type=None if codec == "none" else codec, acks="all")
for i in range(count):
    producer.send(topic, key=f"key-{i}".encode(), value=f"value-{i}".encode(), headers=[("n", str(i).encode())])
producer.flush()
producer.close()
