"""Consumer groups and transactions against a Rill cluster, for Rill.Cluster.Tests (CoordinatorFailoverTests).

  find HOST:PORT KEY_TYPE KEY                   raw FindCoordinator v1 to that broker only; prints "error node host:port"
  group-consume BOOTSTRAP TOPIC GROUP COUNT     librdkafka: reads COUNT records in group GROUP, committing each one
                                                synchronously (acknowledged commits only); prints "p offset value" and "committed p next"
  kp-group-consume BOOTSTRAP TOPIC GROUP COUNT  kafka-python: prints "committed-before p offset" for each partition, then reads
                                                COUNT records committing each; prints "p offset value"
  txn BOOTSTRAP TOPIC TXN_ID SIGNAL_DIR         librdkafka transactional producer: t1 commit, t2 abort, t3 commit, then t4 left open
                                                (its records flushed; touches SIGNAL_DIR/open, waits for SIGNAL_DIR/go) and committed
                                                (or aborted when the coordinator says so), then t5 commit.
                                                Prints "committed NAME" / "aborted NAME" per transaction
  read-committed BOOTSTRAP TOPIC IDLE_S         read_committed consumer from the beginning until idle; prints "p offset value"
"""
import os
import socket
import struct
import sys
import time


def find(bootstrap, key_type, key):
    host, port = bootstrap.split(":")
    k = key.encode()
    client = b"raw"
    body = struct.pack(">h", len(k)) + k + struct.pack(">b", int(key_type))
    header = struct.pack(">hhi", 10, 1, 9) + struct.pack(">h", len(client)) + client
    frame = header + body
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(struct.pack(">i", len(frame)) + frame)
        size = struct.unpack(">i", s.recv(4, socket.MSG_WAITALL))[0]
        data = s.recv(size, socket.MSG_WAITALL)
    pos = 4 + 4  # correlation id, throttle time
    (error,) = struct.unpack_from(">h", data, pos)
    pos += 2
    (n,) = struct.unpack_from(">h", data, pos)
    pos += 2 + max(n, 0)
    (node,) = struct.unpack_from(">i", data, pos)
    pos += 4
    (n,) = struct.unpack_from(">h", data, pos)
    h = data[pos + 2:pos + 2 + n].decode()
    pos += 2 + n
    (p,) = struct.unpack_from(">i", data, pos)
    print(error, node, f"{h}:{p}")


def group_consume(bootstrap, topic, group, count):
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "auto.offset.reset": "earliest",
                  "enable.auto.commit": False, "session.timeout.ms": 6000})
    c.subscribe([topic])
    got = 0
    deadline = time.time() + 90
    while got < int(count) and time.time() < deadline:
        m = c.poll(0.2)
        if m is None:
            continue
        if m.error():
            print("error", m.error(), flush=True)
            continue
        got += 1
        print(m.partition(), m.offset(), m.value().decode(), flush=True)
        c.commit(offsets=[TopicPartition(topic, m.partition(), m.offset() + 1)], asynchronous=False)
        print("committed", m.partition(), m.offset() + 1, flush=True)
    c.close()


def kp_group_consume(bootstrap, topic, group, count):
    from kafka import KafkaConsumer, TopicPartition
    from kafka.structs import OffsetAndMetadata
    c = KafkaConsumer(bootstrap_servers=bootstrap.split(","), group_id=group, auto_offset_reset="earliest",
                      enable_auto_commit=False, session_timeout_ms=6000, heartbeat_interval_ms=1000,
                      request_timeout_ms=20000, api_version_auto_timeout_ms=10000)
    partitions = c.partitions_for_topic(topic) or set()
    for p in sorted(partitions):
        print("committed-before", p, c.committed(TopicPartition(topic, p)), flush=True)
    c.subscribe([topic])
    got = 0
    deadline = time.time() + 90
    while got < int(count) and time.time() < deadline:
        batches = c.poll(timeout_ms=500)
        for tp, records in batches.items():
            for r in records:
                got += 1
                print(tp.partition, r.offset, r.value.decode(), flush=True)
                c.commit({tp: OffsetAndMetadata(r.offset + 1, None)})
    c.close()


def txn(bootstrap, topic, txn_id, signal_dir):
    from confluent_kafka import Producer, KafkaException
    p = Producer({"bootstrap.servers": bootstrap, "transactional.id": txn_id, "transaction.timeout.ms": 60000,
                  "message.timeout.ms": 60000, "linger.ms": 5})
    p.init_transactions(60)

    def run(name, count, commit, wait_for=None):
        p.begin_transaction()
        for i in range(count):
            p.produce(topic, value=f"{name}-{i}".encode(), key=str(i).encode())
        p.flush(60)
        if wait_for is not None:
            open(os.path.join(signal_dir, "open"), "w").close()
            deadline = time.time() + 120
            while not os.path.exists(os.path.join(signal_dir, "go")) and time.time() < deadline:
                time.sleep(0.1)
        if not commit:
            p.abort_transaction(60)
            print("aborted", name, flush=True)
            return
        deadline = time.time() + 90
        while True:
            try:
                p.commit_transaction(30)
                print("committed", name, flush=True)
                return
            except KafkaException as e:
                err = e.args[0]
                print("commit-error", name, err, flush=True)
                if err.txn_requires_abort():
                    p.abort_transaction(60)
                    print("aborted", name, flush=True)
                    return
                if not err.retriable() or time.time() > deadline:
                    raise

    run("t1", 20, True)
    run("t2", 20, False)
    run("t3", 20, True)
    run("t4", 20, True, wait_for="go")
    run("t5", 20, True)
    p.flush(30)


def read_committed(bootstrap, topic, idle_s):
    from confluent_kafka import Consumer
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "rc-" + topic + str(time.time()), "auto.offset.reset": "earliest",
                  "enable.auto.commit": False, "isolation.level": "read_committed"})
    c.subscribe([topic])
    last = time.time()
    while time.time() - last < float(idle_s):
        m = c.poll(0.2)
        if m is None:
            continue
        if m.error():
            print("error", m.error(), flush=True)
            continue
        last = time.time()
        print(m.partition(), m.offset(), m.value().decode(), flush=True)
    c.close()


if __name__ == "__main__":
    {"find": find, "group-consume": group_consume, "kp-group-consume": kp_group_consume, "txn": txn,
     "read-committed": read_committed}[sys.argv[1]](*sys.argv[2:])
