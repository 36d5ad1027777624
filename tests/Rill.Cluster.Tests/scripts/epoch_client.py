"""Leader-epoch checks against a Rill cluster, for Rill.Cluster.Tests (LeaderEpochTests).

  produce-acks1 BOOTSTRAP TOPIC COUNT PREFIX            acks=1, not idempotent; prints "acked p offset value"
  ofle HOST:PORT TOPIC PARTITION CURRENT EPOCH VERSION  a raw OffsetForLeaderEpoch (v2 or v3) to that broker only;
                                                        prints "error leader_epoch end_offset"
"""
import socket
import struct
import sys
from confluent_kafka import Producer


def produce_acks1(bootstrap, topic, count, prefix):
    p = Producer({"bootstrap.servers": bootstrap, "acks": "1", "enable.idempotence": False, "linger.ms": 0,
                  "message.timeout.ms": 20000})

    def report(err, msg):
        if err is None:
            print("acked", msg.partition(), msg.offset(), msg.value().decode(), flush=True)
        else:
            print("error", err, flush=True)

    for i in range(int(count)):
        p.produce(topic, value=f"{prefix}-{i}".encode(), on_delivery=report)
        p.flush(20)


def _string(s):
    b = s.encode()
    return struct.pack(">h", len(b)) + b


def ofle(address, topic, partition, current, epoch, version):
    version = int(version)
    if version not in (2, 3):
        raise SystemExit("versions 2 and 3 only")
    body = b""
    if version >= 3:
        body += struct.pack(">i", -1)  # replica id: a consumer
    body += struct.pack(">i", 1) + _string(topic) + struct.pack(">i", 1)
    body += struct.pack(">iii", int(partition), int(current), int(epoch))
    header = struct.pack(">hhi", 23, version, 7) + _string("epoch-client")
    frame = header + body
    host, port = address.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(struct.pack(">i", len(frame)) + frame)
        size = struct.unpack(">i", _read(s, 4))[0]
        data = _read(s, size)
    correlation, throttle, topics = struct.unpack(">iii", data[:12])
    assert correlation == 7 and topics == 1
    pos = 12
    name_len = struct.unpack(">h", data[pos:pos + 2])[0]
    pos += 2 + name_len
    count = struct.unpack(">i", data[pos:pos + 4])[0]
    assert count == 1
    pos += 4
    error, _partition, leader_epoch, end_offset = struct.unpack(">hiiq", data[pos:pos + 18])
    print(error, leader_epoch, end_offset)


def _read(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise EOFError("connection closed")
        buf += chunk
    return buf


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"produce-acks1": produce_acks1, "ofle": ofle}[cmd](*args)
