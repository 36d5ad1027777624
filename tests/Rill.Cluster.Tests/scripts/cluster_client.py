"""librdkafka (confluent-kafka-python) against a Rill cluster, for Rill.Cluster.Tests.

  create BOOTSTRAP TOPIC PARTITIONS RF [key=value ...]   prints "created"
  describe BOOTSTRAP TOPIC                               prints "p leader replicas isr" per partition
  produce BOOTSTRAP TOPIC COUNT PREFIX [PAUSE_MS]        acks=all, idempotent (pausing every 10 records); prints "acked p offset value"
  consume BOOTSTRAP TOPIC EXPECTED                       from the beginning; prints "p offset value" per record
  list-offsets-error HOST:PORT TOPIC PARTITION           raw ListOffsets v1 to that broker only; prints the error code
  create-assigned BOOTSTRAP TOPIC 1,2 [2,3 ...]          one partition per replica list; prints "created"
  elect HOST:PORT TYPE TOPIC PARTITION                   raw ElectLeaders v1 (TYPE 0 preferred, 1 unclean); prints "top-error partition-error"
  alter-config BOOTSTRAP TOPIC key=value                 AlterConfigs (librdkafka); prints "altered"
  describe-config BOOTSTRAP TOPIC KEY                    DescribeConfigs (librdkafka); prints the value and its source
  delete-records HOST:PORT TOPIC PARTITION OFFSET        raw DeleteRecords v0 to that broker only; prints "error low-watermark"
  low-watermark BOOTSTRAP TOPIC PARTITION                librdkafka's watermark query; prints the low watermark
  produce-raw HOST:PORT TOPIC PARTITION VALUE TIMEOUT_MS  one acks=all Produce v3 to that broker only (kafka-python's
                                                         codec, no routing); prints the error code (or "no-answer")
"""
import sys
import time
from confluent_kafka import Producer, Consumer, KafkaException, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic


def create(bootstrap, topic, partitions, rf, *configs):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    cfg = dict(c.split("=", 1) for c in configs)
    fs = admin.create_topics([NewTopic(topic, int(partitions), int(rf), config=cfg)], operation_timeout=15)
    fs[topic].result(30)
    print("created")


def describe(bootstrap, topic):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    md = admin.list_topics(topic, timeout=10)
    t = md.topics[topic]
    if t.error is not None:
        raise KafkaException(t.error)
    for p in sorted(t.partitions.values(), key=lambda p: p.id):
        print(p.id, p.leader, ",".join(map(str, p.replicas)), ",".join(map(str, p.isrs)))


def produce(bootstrap, topic, count, prefix, pause_ms="0"):
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True,
                  "linger.ms": 5, "message.timeout.ms": 60000, "retry.backoff.ms": 100})
    errors = []

    def report(err, msg):
        if err is not None:
            errors.append(str(err))
        else:
            print("acked", msg.partition(), msg.offset(), msg.value().decode(), flush=True)

    for i in range(int(count)):
        while True:
            try:
                p.produce(topic, value=f"{prefix}-{i}".encode(), key=str(i).encode(), on_delivery=report)
                break
            except BufferError:
                p.poll(0.1)
        p.poll(0)
        if int(pause_ms) > 0 and i % 10 == 9:
            p.poll(int(pause_ms) / 1000.0)
    left = p.flush(90)
    for e in errors:
        print("error", e, flush=True)
    if left:
        print("unflushed", left, flush=True)


def consume(bootstrap, topic, expected):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "g-" + topic, "auto.offset.reset": "earliest",
                  "enable.auto.commit": False, "enable.partition.eof": False})
    c.subscribe([topic])
    got = 0
    idle = 0
    while got < int(expected) and idle < 300:
        m = c.poll(0.1)
        if m is None:
            idle += 1
            continue
        if m.error():
            print("error", m.error(), flush=True)
            continue
        idle = 0
        got += 1
        print(m.partition(), m.offset(), m.value().decode(), flush=True)
    c.close()


def list_offsets_error(bootstrap, topic, partition):
    """A raw ListOffsets v1 to exactly this broker (no client routing): prints the partition's error code."""
    import socket, struct
    host, port = bootstrap.split(":")
    name = topic.encode()
    client = b"raw"
    body = struct.pack(">i", -1) + struct.pack(">i", 1) + struct.pack(">h", len(name)) + name \
        + struct.pack(">i", 1) + struct.pack(">iq", int(partition), -1)
    header = struct.pack(">hhi", 2, 1, 7) + struct.pack(">h", len(client)) + client
    frame = header + body
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(struct.pack(">i", len(frame)) + frame)
        size = struct.unpack(">i", s.recv(4, socket.MSG_WAITALL))[0]
        data = s.recv(size, socket.MSG_WAITALL)
    pos = 4 + 4  # correlation id, topics count
    (n,) = struct.unpack_from(">h", data, pos)
    pos += 2 + n + 4  # topic name, partitions count
    _, error = struct.unpack_from(">ih", data, pos)
    print(error)


def _raw(bootstrap, api_key, version, body):
    """One request frame (header v1) to exactly this broker; returns the response body after the correlation id."""
    import socket, struct
    host, port = bootstrap.split(":")
    client = b"raw"
    frame = struct.pack(">hhi", api_key, version, 7) + struct.pack(">h", len(client)) + client + body
    with socket.create_connection((host, int(port)), timeout=60) as s:
        s.settimeout(60)
        s.sendall(struct.pack(">i", len(frame)) + frame)
        size = struct.unpack(">i", s.recv(4, socket.MSG_WAITALL))[0]
        data = s.recv(size, socket.MSG_WAITALL)
    return data[4:]


def _string(v):
    import struct
    b = v.encode()
    return struct.pack(">h", len(b)) + b


def create_assigned(bootstrap, topic, *assignments):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    replicas = [[int(r) for r in a.split(",")] for a in assignments]
    fs = admin.create_topics([NewTopic(topic, len(replicas), replica_assignment=replicas)], operation_timeout=15)
    fs[topic].result(30)
    print("created")


def elect(bootstrap, election_type, topic, partition):
    """ElectLeaders v1 (KIP-460, not flexible): election_type, [topic [partitions]], timeout_ms."""
    import struct
    body = struct.pack(">b", int(election_type)) + struct.pack(">i", 1) + _string(topic) + struct.pack(">ii", 1, int(partition)) \
        + struct.pack(">i", 30000)
    data = _raw(bootstrap, 43, 1, body)
    _, top_error, topics = struct.unpack_from(">ihi", data, 0)
    pos = 10
    errors = []
    for _ in range(topics):
        (n,) = struct.unpack_from(">h", data, pos)
        pos += 2 + n
        (count,) = struct.unpack_from(">i", data, pos)
        pos += 4
        for _ in range(count):
            _, error, mlen = struct.unpack_from(">ihh", data, pos)
            pos += 8 + max(mlen, 0)
            errors.append(error)
    print(top_error, *errors)


def alter_config(bootstrap, topic, *configs):
    from confluent_kafka.admin import ConfigResource
    admin = AdminClient({"bootstrap.servers": bootstrap})
    resource = ConfigResource(ConfigResource.Type.TOPIC, topic, set_config=dict(c.split("=", 1) for c in configs))
    admin.alter_configs([resource])[resource].result(30)
    print("altered")


def describe_config(bootstrap, topic, key):
    from confluent_kafka.admin import ConfigResource
    admin = AdminClient({"bootstrap.servers": bootstrap})
    resource = ConfigResource(ConfigResource.Type.TOPIC, topic)
    entries = admin.describe_configs([resource])[resource].result(30)
    entry = entries[key]
    print(entry.value, entry.source)


def delete_records(bootstrap, topic, partition, offset):
    """DeleteRecords v0: [topic [partition offset]] timeout_ms; prints the partition's error and low watermark."""
    import struct
    body = struct.pack(">i", 1) + _string(topic) + struct.pack(">iiq", 1, int(partition), int(offset)) + struct.pack(">i", 30000)
    data = _raw(bootstrap, 21, 0, body)
    pos = 4 + 4  # throttle, topics count
    (n,) = struct.unpack_from(">h", data, pos)
    pos += 2 + n + 4
    _, low, error = struct.unpack_from(">iqh", data, pos)
    print(error, low)


def low_watermark(bootstrap, topic, partition):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "wm-" + topic})
    low, _ = c.get_watermark_offsets(TopicPartition(topic, int(partition)), timeout=10, cached=False)
    c.close()
    print(low)
def produce_raw(address, topic, partition, value, timeout_ms):
    """One acks=all record sent to exactly this broker, whatever the metadata says (a partitioned old leader)."""
    import socket, struct
    from kafka.protocol.produce import ProduceRequest
    from kafka.record.memory_records import MemoryRecordsBuilder
    builder = MemoryRecordsBuilder(magic=2, compression_type=0, batch_size=1 << 20)
    builder.append(timestamp=int(time.time() * 1000), key=None, value=value.encode(), headers=[])
    builder.close()
    request = ProduceRequest[3](transactional_id=None, required_acks=-1, timeout=int(timeout_ms),
                                topics=[(topic, [(int(partition), builder.buffer())])])
    header = struct.pack(">hhi", 0, 3, 11) + struct.pack(">h", 3) + b"raw"
    frame = header + request.encode()
    host, port = address.split(":")
    try:
        with socket.create_connection((host, int(port)), timeout=int(timeout_ms) / 1000 + 10) as s:
            s.sendall(struct.pack(">i", len(frame)) + frame)
            size = struct.unpack(">i", s.recv(4, socket.MSG_WAITALL))[0]
            data = s.recv(size, socket.MSG_WAITALL)
    except (OSError, struct.error):
        print("no-answer")
        return
    response = ProduceRequest[3].RESPONSE_TYPE.decode(data[4:])
    print(response.topics[0][1][0][1])


if __name__ == "__main__":
    {"create": create, "describe": describe, "produce": produce, "consume": consume,
     "list-offsets-error": list_offsets_error, "create-assigned": create_assigned, "elect": elect,
     "alter-config": alter_config, "describe-config": describe_config, "delete-records": delete_records,
     "low-watermark": low_watermark, "produce-raw": produce_raw}[sys.argv[1]](*sys.argv[2:])
