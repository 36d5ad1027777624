#!/usr/bin/python3
"""Jepsen-style safety check of a local Rill cluster under faults (issue 12).

3 etcd members + 3 `rill serve` brokers (each behind TCP proxies, bench/cluster/localcluster.py), one topic with
3 partitions, replication factor 3, min.insync.replicas=2. Throughout the run, independent clients write unique
values with acks=all:
  - librdkafka (confluent-kafka-python), idempotent producer ("ck-N");
  - kafka-python, acks=all, retries=0 and one request in flight ("kp-N": kafka-python 2.0 has no idempotent
    producer, so it never retries and never duplicates; what it saw acknowledged must still be there once);
and a librdkafka consumer reads every partition as it is written. Faults, one after another, each followed by
recovery (full ISR again):
  kill         kill -9 of partition 0's leader, restarted after the failover
  pause        SIGSTOP of partition 0's leader, SIGCONT after the failover
  partition    partition 0's leader cut from clients, brokers and etcd (proxies), healed after the failover
  etcd-member  kill -9 of one etcd member, restarted 5 s later
  etcd-quorum  kill -9 of two etcd members (no quorum) for 5 s, then restarted
At the end the whole log is read and checked:
  - every acknowledged record is in the log exactly once, at the offset it was acknowledged with;
  - per client and partition, acknowledged records are in the order they were sent;
  - every record the live consumer saw is in the final log at the same offset (no read above the high
    watermark: a consumer never sees a record that later disappears);
  - no two brokers led the same partition in the same leader epoch (each broker logs "leader (epoch N"
    when it takes a partition).
Unavailability per fault (from the fault to partition 0's next acknowledgement) is reported as p50/p99/max.

Usage: bench/cluster/jepsen.py [--faults kill,pause,partition,etcd-member,etcd-quorum] [--rounds 2] [--session-ms 9000]
       The 100-kill run: bench/cluster/jepsen.py --faults kill --rounds 100
Exit code 0 when every check holds. Build first: dotnet build src/Rill.Server/Rill.Server.csproj (or RILL_DLL=...).
"""
import argparse, calendar, os, re, sys, threading, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from localcluster import Cluster
from confluent_kafka import Producer, Consumer, TopicPartition, OFFSET_BEGINNING
from confluent_kafka.admin import AdminClient, NewTopic

TOPIC, PARTITIONS = "jepsen", 3


class Ledger:
    def __init__(self):
        self.lock = threading.Lock()
        self.acked = []          # (client, partition, offset, value)
        self.errors = {}         # client -> count
        self.last_ack = [0.0] * PARTITIONS
        self.acks = [[] for _ in range(PARTITIONS)]  # (ack time, send time) per partition
        self.seen = []           # (partition, offset, value) read by the live consumer

    def ack(self, client, partition, offset, value, sent):
        with self.lock:
            self.acked.append((client, partition, offset, value))
            now = time.monotonic()
            self.last_ack[partition] = now
            self.acks[partition].append((now, sent, client))

    def error(self, client):
        with self.lock:
            self.errors[client] = self.errors.get(client, 0) + 1


def ck_producer(cluster, ledger, stop):
    p = Producer({"bootstrap.servers": cluster.bootstrap(), "acks": "all", "enable.idempotence": True, "linger.ms": 5,
                  "message.timeout.ms": 180000, "retry.backoff.ms": 100,
                  **({"reconnect.backoff.max.ms": int(os.environ["CK_RECONNECT_BACKOFF_MAX_MS"])} if os.environ.get("CK_RECONNECT_BACKOFF_MAX_MS") else {}),
                  **({"debug": os.environ["CK_DEBUG"], "log_level": 7} if os.environ.get("CK_DEBUG") else {})})

    sent = {}

    def report(err, msg):
        if err is None:
            v = msg.value().decode()
            ledger.ack("ck", msg.partition(), msg.offset(), v, sent.pop(v, 0.0))
        else:
            ledger.error("ck")
    i = 0
    while not stop.is_set():
        try:
            sent[f"ck-{i}"] = time.monotonic()
            p.produce(TOPIC, value=f"ck-{i}".encode(), partition=i % PARTITIONS, on_delivery=report)
            i += 1
        except BufferError:
            pass
        p.poll(0.003)
    p.flush(180)


def kp_producer(cluster, ledger, stop):
    from kafka import KafkaProducer
    p = KafkaProducer(bootstrap_servers=cluster.bootstrap().split(","), acks="all", retries=0, linger_ms=5,
                      max_in_flight_requests_per_connection=1, request_timeout_ms=15000, metadata_max_age_ms=2000,
                      reconnect_backoff_max_ms=1000, max_block_ms=10000)
    i = 0
    while not stop.is_set():
        value = f"kp-{i}"
        partition = i % PARTITIONS
        try:
            f = p.send(TOPIC, value=value.encode(), partition=partition)
            f.add_callback(lambda md, v=value, t=time.monotonic(): ledger.ack("kp", md.partition, md.offset, v, t))
            f.add_errback(lambda e: ledger.error("kp"))
        except Exception:
            ledger.error("kp")
        i += 1
        time.sleep(0.01)
    p.flush(60)
    p.close(10)


def live_consumer(cluster, ledger, stop):
    c = Consumer({"bootstrap.servers": cluster.bootstrap(), "group.id": "jepsen-live", "enable.auto.commit": False,
                  "topic.metadata.refresh.interval.ms": 1000})
    c.assign([TopicPartition(TOPIC, p, OFFSET_BEGINNING) for p in range(PARTITIONS)])
    while not stop.is_set():
        m = c.poll(0.2)
        if m is not None and not m.error():
            with ledger.lock:
                ledger.seen.append((m.partition(), m.offset(), m.value().decode()))
    c.close()


def describe(bootstrap):
    md = AdminClient({"bootstrap.servers": bootstrap}).list_topics(TOPIC, timeout=10)
    return {p.id: (p.leader, sorted(p.isrs)) for p in md.topics[TOPIC].partitions.values()}


def wait_full_isr(cluster, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            d = describe(cluster.bootstrap())
            if len(d) == PARTITIONS and all(leader > 0 and isr == cluster.ids for leader, isr in d.values()):
                return True
        except Exception:
            pass
        time.sleep(0.3)
    return False


def wait_ack_after(ledger, t0, partition=0, timeout=90):
    """Seconds from the fault to the first acknowledgement of a record sent after it (records in flight at the
    fault may still be acknowledged by the old leader a moment later: they do not show availability)."""
    seen = 0
    while time.monotonic() - t0 < timeout:
        with ledger.lock:
            acks = ledger.acks[partition][seen:]
            seen += len(acks)
        first = min((a for a, s, _ in acks if s >= t0), default=None)
        if first is not None:
            return first - t0
        time.sleep(0.01)
    return None


def election_after(cluster, wall0, old_leader):
    """Seconds from the fault (wall clock) to the controller's log line electing partition 0's next leader."""
    day = time.strftime("%Y-%m-%d ", time.gmtime(wall0))
    for node in cluster.ids:
        for stamp, old in re.findall(r"^(\d\d:\d\d:\d\d\.\d+) \S+ [^\n]*Controller: jepsen-0 leader (\d+) -> ", cluster.log(node), re.M):
            # the broker logs UTC wall-clock times of day
            t = calendar.timegm(time.strptime(day + stamp.split(".")[0], "%Y-%m-%d %H:%M:%S")) + float("0." + stamp.split(".")[1])
            if t >= wall0 - 0.5 and int(old) == old_leader:
                return t - wall0
    return None


def run_fault(cluster, ledger, fault):
    leader = describe(cluster.bootstrap())[0][0]
    wall0 = time.time()
    t0 = time.monotonic()
    if fault == "kill":
        cluster.kill(leader)
        gap = wait_ack_after(ledger, t0)
        cluster.start_broker(leader)
    elif fault == "pause":
        cluster.pause(leader)
        gap = wait_ack_after(ledger, t0)
        cluster.resume(leader)
    elif fault == "partition":
        cluster.isolate(leader)
        gap = wait_ack_after(ledger, t0)
        cluster.heal(leader)
    elif fault in ("etcd-member", "etcd-quorum"):
        victims = [0] if fault == "etcd-member" else [0, 1]
        for v in victims:
            cluster.kill_etcd(v)
        worst, last = 0.0, time.monotonic()
        while time.monotonic() - t0 < 5:
            worst = max(worst, time.monotonic() - max(ledger.last_ack[0], last))
            time.sleep(0.05)
        for v in victims:
            cluster.restart_etcd(v)
        if not cluster.wait_etcd_healthy(60):
            print(f"  etcd did not become healthy again after {fault}", flush=True)
        gap = worst
        leader = None
    else:
        raise SystemExit(f"unknown fault {fault}")
    elected = election_after(cluster, wall0, leader) if leader else None
    recovered = wait_full_isr(cluster)
    if not recovered:
        try:
            print(f"  no full ISR after {fault}: {describe(cluster.bootstrap())}", flush=True)
        except Exception as e:
            print(f"  no full ISR after {fault}: describe failed: {e}", flush=True)
        for node in cluster.ids:
            tail = [l for l in cluster.log(node).splitlines() if not l.startswith("%")][-25:]
            print(f"  --- broker {node} log tail ---\n  " + "\n  ".join(tail), flush=True)
    per_client = {"t0": t0}  # and each client's first acknowledgement of a record sent after the fault, if any yet
    with ledger.lock:
        for a, s, c in ledger.acks[0]:
            if s >= t0 and c not in per_client:
                per_client[c] = round(a - t0, 2)
    shown = {c: v for c, v in per_client.items() if c != "t0"}
    g = "never" if gap is None else f"{gap:.2f} s"
    e = "" if elected is None else f", new leader elected after {elected:.2f} s"
    print(f"  {fault}: leader {leader}{e}, partition 0 unavailable {g} (first ack per client so far {shown}), full ISR again: {recovered}", flush=True)
    return gap, recovered, elected, per_client


def read_all(cluster):
    c = Consumer({"bootstrap.servers": cluster.bootstrap(), "group.id": "jepsen-final", "enable.auto.commit": False})
    log = {}
    for p in range(PARTITIONS):
        low, high = c.get_watermark_offsets(TopicPartition(TOPIC, p), timeout=30)
        log[p] = {}
        c.assign([TopicPartition(TOPIC, p, low)])
        idle = 0
        while len(log[p]) < high - low and idle < 150:
            m = c.poll(0.2)
            if m is None or m.error():
                idle += 1
                continue
            idle = 0
            log[p][m.offset()] = m.value().decode()
    c.close()
    return log


def check(cluster, ledger, log):
    problems = []
    positions = {}
    for p, records in log.items():
        for off, v in records.items():
            positions.setdefault(v, []).append((p, off))
    for v, where in positions.items():
        if len(where) > 1:
            problems.append(f"duplicate {v} at {where}")
    lost = [(c, p, o, v) for c, p, o, v in ledger.acked if log.get(p, {}).get(o) != v]
    for c, p, o, v in lost[:20]:
        problems.append(f"acknowledged {v} ({c}) at {p}@{o} is not in the log (log has {log.get(p, {}).get(o)!r})")
    for client in ("ck", "kp"):
        for p in range(PARTITIONS):
            seq = [int(v.split("-")[1]) for c, pp, o, v in sorted(ledger.acked, key=lambda a: a[2]) if c == client and pp == p]
            if any(a >= b for a, b in zip(seq, seq[1:])):
                problems.append(f"{client} partition {p}: acknowledged records out of send order")
    dirty = [(p, o, v) for p, o, v in ledger.seen if log.get(p, {}).get(o) != v]
    for p, o, v in dirty[:20]:
        problems.append(f"the live consumer read {v} at {p}@{o}, which is not in the final log (read above the high watermark)")
    leaders = {}
    for node in cluster.ids:
        for p, epoch in re.findall(rf"{TOPIC}-(\d+): leader \(epoch (\d+)", cluster.log(node)):
            leaders.setdefault((int(p), int(epoch)), set()).add(node)
    for (p, epoch), nodes in sorted(leaders.items()):
        if len(nodes) > 1:
            problems.append(f"partition {p} epoch {epoch} had two leaders: {sorted(nodes)}")
    return problems, len(lost), len(dirty), len(leaders)


def self_test():
    """The checker must catch each kind of violation: fed a made-up history with one of each, it reports all four."""
    class FakeCluster:
        ids = [1, 2]
        def log(self, node):
            return f"10:00:00.000 info: x jepsen-0: leader (epoch 3, ISR [1,2])\n"
    ledger = Ledger()
    ledger.acked = [("ck", 0, 0, "ck-0"), ("ck", 0, 1, "ck-1"), ("ck", 0, 2, "ck-2"), ("ck", 1, 0, "ck-4"), ("ck", 1, 1, "ck-3")]
    ledger.seen = [(0, 3, "ck-9")]
    log = {0: {0: "ck-0", 1: "ck-1", 3: "ck-0"}, 1: {0: "ck-4", 1: "ck-3"}, 2: {}}
    problems, lost, dirty, _ = check(FakeCluster(), ledger, log)
    kinds = ["duplicate ck-0", "ck-2 (ck) at 0@2 is not in the log", "out of send order", "read ck-9", "two leaders"]
    missing = [k for k in kinds if not any(k in p for p in problems)]
    print("self-test:", "ok" if not missing else f"MISSED {missing}", problems)
    return 0 if not missing else 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--faults", default="kill,pause,partition,etcd-member,etcd-quorum")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--session-ms", type=int, default=9000)
    ap.add_argument("--rill-dll", help="the rill.dll to run (default: RILL_DLL, else src/Rill.Server/bin)")
    ap.add_argument("--self-test", action="store_true", help="check the checker on a made-up history, no cluster")
    args = ap.parse_args()
    if args.self_test:
        return self_test()
    if args.rill_dll:
        os.environ["RILL_DLL"] = args.rill_dll
    cluster = Cluster(3, [f"broker.session.timeout.ms={args.session_ms}", "replica.lag.time.max.ms=5000"])
    code = 1
    try:
        cluster.start()
        admin = AdminClient({"bootstrap.servers": cluster.bootstrap()})
        admin.create_topics([NewTopic(TOPIC, PARTITIONS, 3, config={"min.insync.replicas": "2"})])[TOPIC].result(30)
        if not wait_full_isr(cluster):
            raise SystemExit("no full ISR at start")
        ledger, stop = Ledger(), threading.Event()
        workers = [threading.Thread(target=f, args=(cluster, ledger, stop)) for f in (ck_producer, kp_producer, live_consumer)]
        for w in workers:
            w.start()
        gaps, elections, client_gaps, unrecovered, fault_starts = {}, {}, {}, 0, []
        try:
            time.sleep(3)
            for r in range(args.rounds):
                for fault in args.faults.split(","):
                    gap, recovered, elected, per_client = run_fault(cluster, ledger, fault)
                    if fault in ("kill", "pause", "partition"):
                        fault_starts.append((fault, per_client["t0"]))
                    gaps.setdefault(fault, []).append(gap if gap is not None else float("inf"))
                    if elected is not None:
                        elections.setdefault(fault, []).append(elected)
                    unrecovered += 0 if recovered else 1
                    time.sleep(2)
        finally:
            time.sleep(2)
            stop.set()
            for w in workers:
                w.join(240)
        # each client's own first acknowledgement (of a record sent after the fault), however late it came
        for fault, t0 in fault_starts:
            for client in ("ck", "kp"):
                first = min((a for a, s, c in ledger.acks[0] if c == client and s >= t0), default=float("inf"))
                client_gaps.setdefault(f"{fault}, {client}", []).append(first - t0)
        log = read_all(cluster)
        problems, lost, dirty, terms = check(cluster, ledger, log)
        by_client = {c: sum(1 for a in ledger.acked if a[0] == c) for c in ("ck", "kp")}
        print(f"session {args.session_ms} ms; acknowledged: librdkafka {by_client['ck']}, kafka-python {by_client['kp']}; "
              f"client errors (unacknowledged sends) {ledger.errors}; log {sum(len(v) for v in log.values())} records; "
              f"live reads {len(ledger.seen)}; leader terms {terms}")
        for what, table in (("unavailable (first acknowledgement)", gaps), ("new leader elected", elections),
                            ("first acknowledgement per client", client_gaps)):
            for fault, gs in table.items():
                gs = sorted(gs)
                pct = lambda q: gs[min(len(gs) - 1, int(q * len(gs)))]
                print(f"{what} after {fault} ({len(gs)}): p50 {pct(0.5):.2f} s, p99 {pct(0.99):.2f} s, max {gs[-1]:.2f} s")
        for p in problems:
            print("VIOLATION", p)
        if unrecovered:
            print(f"VIOLATION {unrecovered} fault(s) without a full ISR again")
        ok = not problems and not unrecovered and by_client["ck"] > 0 and by_client["kp"] > 0
        print("CHECK OK" if ok else "CHECK FAILED", flush=True)
        code = 0 if ok else 1
    finally:
        cluster.stop()
    return code


if __name__ == "__main__":
    sys.exit(main())
