#!/usr/bin/python3
"""Leader kill -9 fault run on a local Rill cluster (issue 12): 3 etcd members + 3 `rill serve` brokers on
127.0.0.1 (ports picked free / port 0), one RF=3 topic (min.insync.replicas=2), an idempotent acks=all
librdkafka producer running throughout. Each round kills the partition leader with SIGKILL, measures the
time until the next record is acknowledged (unavailability), restarts the killed broker and waits for the
ISR to be full again. At the end every acknowledged record must be read back exactly once, in order.

Usage: bench/cluster/failover.py [kills=10] [session_ms=9000]
       (build first: dotnet build src/Rill.Server/Rill.Server.csproj; RILL_DLL overrides the rill.dll path)
"""
import os, re, signal, socket, subprocess, sys, tempfile, threading, time
from confluent_kafka import Producer, Consumer
from confluent_kafka.admin import AdminClient, NewTopic

kills = int(sys.argv[1]) if len(sys.argv) > 1 else 10
session_ms = int(sys.argv[2]) if len(sys.argv) > 2 else 9000
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
rill = os.environ.get("RILL_DLL") or next(p for p in [f"{root}/src/Rill.Server/bin/Release/net10.0/rill.dll",
                                                       f"{root}/src/Rill.Server/bin/Debug/net10.0/rill.dll"] if os.path.exists(p))
work = tempfile.mkdtemp(prefix="rill-failover-")
procs = {}


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port


def start_etcd():
    ports = [(free_port(), free_port()) for _ in range(3)]
    initial = ",".join(f"e{i}=http://127.0.0.1:{p[1]}" for i, p in enumerate(ports))
    for i, (client, peer) in enumerate(ports):
        log = open(f"{work}/etcd{i}.log", "w")
        procs[f"etcd{i}"] = subprocess.Popen(["/usr/bin/etcd", "--name", f"e{i}", "--data-dir", f"{work}/etcd{i}",
            "--listen-client-urls", f"http://127.0.0.1:{client}", "--advertise-client-urls", f"http://127.0.0.1:{client}",
            "--listen-peer-urls", f"http://127.0.0.1:{peer}", "--initial-advertise-peer-urls", f"http://127.0.0.1:{peer}",
            "--initial-cluster", initial, "--initial-cluster-state", "new", "--heartbeat-interval", "50", "--election-timeout", "500"],
            stdout=log, stderr=log)
    endpoints = ",".join(f"http://127.0.0.1:{c}" for c, _ in ports)
    for _ in range(100):
        if subprocess.run(["etcdctl", "--endpoints", endpoints, "endpoint", "health"], capture_output=True,
                          env={**os.environ, "ETCDCTL_API": "3"}).returncode == 0:
            return endpoints
        time.sleep(0.2)
    raise SystemExit("etcd did not become healthy")


def start_broker(node, endpoints):
    log_path = f"{work}/broker{node}.log"
    log = open(log_path, "a")
    args = ["dotnet", rill, "serve", "--set", f"log.dirs={work}/broker{node}", "--set", "listeners=PLAINTEXT://127.0.0.1:0",
            "--set", "rill.http.listener=none", "--set", f"node.id={node}", "--set", f"rill.metadata.etcd.endpoints={endpoints}",
            "--set", "rill.metadata.etcd.prefix=/failover", "--set", f"broker.session.timeout.ms={session_ms}"]
    procs[node] = subprocess.Popen(args, stdout=log, stderr=log)
    start = os.path.getsize(log_path) if os.path.exists(log_path) else 0
    for _ in range(600):
        with open(log_path) as f:
            f.seek(start)
            m = re.search(r"Rill listening on 127\.0\.0\.1:(\d+)", f.read())
        if m:
            return f"127.0.0.1:{m.group(1)}"
        time.sleep(0.1)
    raise SystemExit(f"broker {node} did not start")


def describe(bootstrap):
    md = AdminClient({"bootstrap.servers": bootstrap}).list_topics("failover", timeout=10)
    p = md.topics["failover"].partitions[0]
    return p.leader, sorted(p.isrs)


def main():
    endpoints = start_etcd()
    addresses = {n: start_broker(n, endpoints) for n in (1, 2, 3)}
    bootstrap = lambda: ",".join(addresses.values())
    admin = AdminClient({"bootstrap.servers": bootstrap()})
    admin.create_topics([NewTopic("failover", 1, 3, config={"min.insync.replicas": "2"})])["failover"].result(30)
    while describe(bootstrap())[1] != [1, 2, 3]:
        time.sleep(0.2)

    acked, errors, last_ack = [], [], [0.0]
    lock = threading.Lock()
    stop = threading.Event()

    def report(err, msg):
        if err is not None:
            errors.append(str(err))
        else:
            with lock:
                acked.append((msg.offset(), msg.value().decode()))
                last_ack[0] = time.monotonic()

    def produce():
        p = Producer({"bootstrap.servers": bootstrap(), "acks": "all", "enable.idempotence": True, "linger.ms": 5,
                      "message.timeout.ms": 120000})
        i = 0
        while not stop.is_set():
            try:
                p.produce("failover", value=f"r-{i}".encode(), on_delivery=report)
                i += 1
            except BufferError:
                pass
            p.poll(0.002)
        p.flush(120)

    producer = threading.Thread(target=produce)
    producer.start()
    gaps = []
    try:
        for k in range(kills):
            time.sleep(2)
            leader, _ = describe(bootstrap())
            survivors = ",".join(a for n, a in addresses.items() if n != leader)
            procs[leader].send_signal(signal.SIGKILL); procs[leader].wait()
            killed_at = time.monotonic()
            while last_ack[0] <= killed_at and time.monotonic() - killed_at < 60:
                time.sleep(0.01)
            gap = last_ack[0] - killed_at
            new_leader, _ = describe(survivors)
            gaps.append(gap)
            print(f"kill {k + 1}: leader {leader} -> {new_leader}, first ack after {gap:.2f} s", flush=True)
            addresses[leader] = start_broker(leader, endpoints)
            deadline = time.monotonic() + 120
            while describe(bootstrap())[1] != [1, 2, 3] and time.monotonic() < deadline:
                time.sleep(0.2)
    finally:
        stop.set()
        producer.join()

    c = Consumer({"bootstrap.servers": bootstrap(), "group.id": "check", "auto.offset.reset": "earliest", "enable.auto.commit": False})
    c.subscribe(["failover"])
    read, idle = [], 0
    while len(read) < len(acked) and idle < 100:
        m = c.poll(0.2)
        if m is None or m.error():
            idle += 1
            continue
        idle = 0
        read.append((m.offset(), m.value().decode()))
    c.close()
    expected = sorted(acked)
    ok = expected == read
    gaps.sort()
    pct = lambda q: gaps[min(len(gaps) - 1, int(q * len(gaps)))]
    print(f"session {session_ms} ms, {kills} leader kills: unavailable p50 {pct(0.5):.2f} s, p99 {pct(0.99):.2f} s, max {gaps[-1]:.2f} s")
    print(f"acknowledged {len(acked)}, read {len(read)}, producer errors {len(errors)}: "
          + ("every acknowledged record read once, in order" if ok else "MISMATCH"))
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        code = main()
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.kill(); p.wait()
        subprocess.run(["rm", "-rf", work])
    sys.exit(code)
