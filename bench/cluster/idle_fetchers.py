#!/usr/bin/python3
"""Replica fetcher cost of an idle cluster (issue 12): 3 etcd members + 3 brokers (no proxies) with the default internal
topics (50-partition __consumer_offsets and __transaction_state, RF 3, created by a consumer group and a transactional
producer), then nothing. Reports per broker the established connections it holds to the other brokers' listeners (its
replica fetchers, plus any transient probe) and the CPU time (utime + stime from /proc) it uses over IDLE seconds.

Usage: bench/cluster/idle_fetchers.py [idle_seconds=30]   (RILL_DLL selects the build, as in localcluster.py)
"""
import gc, os, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from localcluster import Cluster
from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient

idle = float(sys.argv[1]) if len(sys.argv) > 1 else 30.0
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def sockets(pid):
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[8:-1]))
    return inodes


def established():
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(name) as f:
            next(f)
            for line in f:
                p = line.split()
                if p[3] == "01":
                    yield int(p[1].rsplit(":", 1)[1], 16), int(p[2].rsplit(":", 1)[1], 16), int(p[9])


def outgoing(pid, ports):
    mine = sockets(pid)
    return sum(1 for _, remote, inode in established() if inode in mine and remote in ports)


def main():
    cluster = Cluster(3, [], proxied=False).start()
    try:
        bootstrap = cluster.bootstrap()
        c = Consumer({"bootstrap.servers": bootstrap, "group.id": "idle-bench", "auto.offset.reset": "earliest"})
        c.subscribe(["__idle"])
        p = Producer({"bootstrap.servers": bootstrap, "transactional.id": "idle-bench"})
        p.init_transactions(60)
        admin = AdminClient({"bootstrap.servers": bootstrap})
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            c.poll(0.2)
            topics = admin.list_topics(timeout=10).topics
            ready = [t for t in ("__consumer_offsets", "__transaction_state")
                     if t in topics and len(topics[t].partitions) == 50 and all(len(x.isrs) == 3 for x in topics[t].partitions.values())]
            if len(ready) == 2:
                break
        else:
            raise SystemExit("internal topics not ready")
        c.close()
        p = None  # the producer's destructor closes its connections
        gc.collect()
        time.sleep(10)  # settle: clients gone, coordinators loaded
        pids = {n: cluster.procs[n].pid for n in cluster.ids}
        ports = set(cluster.ports.values())
        conns = {n: outgoing(pids[n], ports - {cluster.ports[n]}) for n in cluster.ids}
        before = {n: cpu_seconds(pids[n]) for n in cluster.ids}
        time.sleep(idle)
        used = {n: cpu_seconds(pids[n]) - before[n] for n in cluster.ids}
        load = os.getloadavg()[0]
        for n in cluster.ids:
            print(f"broker {n}: {conns[n]} connections to other brokers, {used[n]:.2f} s CPU in {idle:.0f} s idle", flush=True)
        print(f"total: {sum(conns.values())} inter-broker connections, {sum(used.values()):.2f} s CPU "
              f"({100 * sum(used.values()) / idle / 3:.1f} % of a core per broker), load average {load:.1f}", flush=True)
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
