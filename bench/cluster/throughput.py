#!/usr/bin/python3
"""acks=all produce throughput, replication factor 3 vs 1, on the same local 3-broker Rill cluster (issue 12 target:
RF=3 >= 40 % of RF=1). 3 etcd members + 3 brokers (no proxies), two topics with 3 partitions each (one leader per
broker): "rf1" and "rf3" (min.insync.replicas=2). librdkafka (confluent-kafka-python) produces COUNT records of SIZE
bytes with acks=all, idempotent, linger.ms=5, alternating topics for RUNS runs each; msgs/s and MB/s are the records
acknowledged over the time from the first produce() to the end of flush().

Usage: bench/cluster/throughput.py [count=200000] [size=100] [runs=3]
"""
import os, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from localcluster import Cluster
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

count = int(sys.argv[1]) if len(sys.argv) > 1 else 200000
size = int(sys.argv[2]) if len(sys.argv) > 2 else 100
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3


def produce(bootstrap, topic):
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True, "linger.ms": 5,
                  "batch.num.messages": 10000, "queue.buffering.max.messages": 500000})
    acked = [0]

    def report(err, msg):
        if err is None:
            acked[0] += 1
    payload = b"x" * size
    # warm-up: metadata, connections, producer id
    p.produce(topic, payload, on_delivery=report); p.flush(30)
    acked[0] = 0
    start = time.monotonic()
    for _ in range(count):
        while True:
            try:
                p.produce(topic, payload, on_delivery=report)
                break
            except BufferError:
                p.poll(0.01)
        p.poll(0)
    p.flush(300)
    elapsed = time.monotonic() - start
    return acked[0] / elapsed, acked[0]


def main():
    cluster = Cluster(3, [], proxied=False).start()
    try:
        admin = AdminClient({"bootstrap.servers": cluster.bootstrap()})
        fs = admin.create_topics([NewTopic("rf1", 3, 1), NewTopic("rf3", 3, 3, config={"min.insync.replicas": "2"})])
        for f in fs.values():
            f.result(30)
        time.sleep(3)
        results = {"rf1": [], "rf3": []}
        for r in range(runs):
            for topic in ("rf1", "rf3"):
                rate, acked = produce(cluster.bootstrap(), topic)
                results[topic].append(rate)
                print(f"run {r + 1} {topic}: {rate:,.0f} msgs/s ({rate * size / 1e6:.1f} MB/s), {acked} acknowledged", flush=True)
        best = {t: max(v) for t, v in results.items()}
        median = {t: sorted(v)[len(v) // 2] for t, v in results.items()}
        print(f"median: rf1 {median['rf1']:,.0f} msgs/s, rf3 {median['rf3']:,.0f} msgs/s, rf3/rf1 {median['rf3'] / median['rf1']:.2f} "
              f"(best: {best['rf3'] / best['rf1']:.2f}); load average {os.getloadavg()[0]:.1f}")
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
