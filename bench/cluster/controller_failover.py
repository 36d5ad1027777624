#!/usr/bin/python3
"""Controller failover time on a local Rill cluster (issue 12 target: <= 2 s after the controller's lease expires).

3 etcd members + 3 brokers (default broker.session.timeout.ms 9000 unless given). Each round stops the active
controller and watches the controller key in etcd (etcdctl watch, each event stamped when it arrives):
  pause   SIGSTOP: the port still accepts, so only the session can end it. Measured: from the key's DELETE (the
          lease expired in etcd) to the PUT by the next controller. SIGCONT afterwards.
  kill    kill -9: the fast failure detector fences it. Measured: from the kill to the next controller's PUT.
Usage: bench/cluster/controller_failover.py [rounds=5] [session_ms=9000]
"""
import json, os, subprocess, sys, threading, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from localcluster import Cluster

rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
session_ms = int(sys.argv[2]) if len(sys.argv) > 2 else 9000
ENV = {**os.environ, "ETCDCTL_API": "3"}


def controller(cluster):
    out = subprocess.run(["etcdctl", "--endpoints", cluster.etcd_endpoints, "get", cluster.prefix + "/controller", "--print-value-only"],
                         capture_output=True, text=True, env=ENV).stdout.strip()
    return json.loads(out)["BrokerId"] if out else None


def main():
    cluster = Cluster(3, [f"broker.session.timeout.ms={session_ms}"], proxied=False).start()
    events, lock = [], threading.Lock()
    watch = subprocess.Popen(["etcdctl", "--endpoints", cluster.etcd_endpoints, "watch", cluster.prefix + "/controller"],
                             stdout=subprocess.PIPE, text=True, env=ENV)

    def read():
        for line in watch.stdout:
            if line.strip() in ("PUT", "DELETE"):
                with lock:
                    events.append((time.monotonic(), line.strip()))
    threading.Thread(target=read, daemon=True).start()
    results = {"pause": [], "kill": []}
    try:
        time.sleep(2)
        for r in range(rounds):
            for fault in ("pause", "kill"):
                while controller(cluster) is None:
                    time.sleep(0.1)
                victim = controller(cluster)
                with lock:
                    start = len(events)
                t0 = time.monotonic()
                (cluster.pause if fault == "pause" else cluster.kill)(victim)
                deadline = t0 + 60
                measured = None
                while time.monotonic() < deadline and measured is None:
                    with lock:
                        new = events[start:]
                    deletes = [t for t, e in new if e == "DELETE"]
                    puts = [t for t, e in new if e == "PUT" and (deletes and t > deletes[0])]
                    if puts:
                        measured = puts[0] - (deletes[0] if fault == "pause" else t0)
                        lease = deletes[0] - t0
                    time.sleep(0.02)
                results[fault].append(measured if measured is not None else float("inf"))
                after = controller(cluster)
                print(f"round {r + 1} {fault} of controller {victim}: " + ("no new controller" if measured is None else
                      f"key deleted {lease:.2f} s after the fault, new controller {after} {measured:.2f} s "
                      + ("after the deletion (lease expiry)" if fault == "pause" else "after the kill")), flush=True)
                if fault == "pause":
                    cluster.resume(victim)
                else:
                    cluster.start_broker(victim)
                time.sleep(3)
        for fault, values in results.items():
            values.sort()
            print(f"{fault}: p50 {values[len(values) // 2]:.2f} s, max {values[-1]:.2f} s over {len(values)}")
    finally:
        watch.kill()
        cluster.stop()


if __name__ == "__main__":
    main()
