#!/usr/bin/python3
"""Small measuring tools for bench/compare/run.sh (Debian's python3, standard library plus
python3-confluent-kafka for topic creation). Every loop is bounded in count and time.

  tools.py create-topic BOOTSTRAP TOPIC PARTITIONS
      creates a topic (replication factor 1) through the Kafka admin API, waits for it.
  tools.py startup PROTO HOST PORT IDLE_S -- CMD ARGS...
      execs CMD and polls HOST:PORT every 2 ms until it serves (PROTO kafka: an ApiVersions
      request answered with error 0; redis: PING answered; nats: the INFO greeting; tcp: an
      accepted connection). Then waits IDLE_S seconds and reads the resident set size of the
      process and its children (VmRSS from /proc). Prints "startup_ms rss_mb cpu_ms" (cpu_ms: CPU
      time used until it served, less sensitive to a busy machine than the wall time), then stops CMD.
  tools.py connections HOST PORT COUNT SERVER_PID
      opens COUNT TCP connections, sends one ApiVersions request on each, waits for every answer,
      keeps them all open, and prints "answered seconds rss_before_mb rss_after_mb" (server RSS);
      gives up after CONNECT_DEADLINE_S (60) seconds, printing how many were answered by then.
  tools.py delete-topic BOOTSTRAP TOPIC
      deletes a topic through the Kafka admin API (frees the broker's files for the next one).
  tools.py percentiles FILE
      reads one latency in microseconds per line, prints "count p50_ms p99_ms p999_ms max_ms".
  tools.py rss PID
      resident set size in MB of PID and its descendants.
"""
import os
import selectors
import signal
import socket
import struct
import subprocess
import sys
import time


def api_versions_request(correlation_id):
    client = b"rill-compare"
    body = struct.pack(">hhih", 18, 0, correlation_id, len(client)) + client
    return struct.pack(">i", len(body)) + body


def read_exact(sock, n, deadline):
    data = b""
    while len(data) < n:
        sock.settimeout(max(0.001, deadline - time.monotonic()))
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def probe_once(proto, host, port, timeout=0.5):
    deadline = time.monotonic() + timeout
    with socket.create_connection((host, port), timeout=timeout) as s:
        if proto == "kafka":
            s.sendall(api_versions_request(1))
            size = struct.unpack(">i", read_exact(s, 4, deadline))[0]
            payload = read_exact(s, size, deadline)
            _, error = struct.unpack(">ih", payload[:6])
            return error == 0
        if proto == "redis":
            s.sendall(b"PING\r\n")
            return read_exact(s, 7, deadline) == b"+PONG\r\n"
        if proto == "nats":
            return read_exact(s, 4, deadline) == b"INFO"
        return True


def tree_pids(root):
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def rss_mb(pid):
    total = 0
    for p in tree_pids(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024.0


def cpu_ms(pid):
    """CPU time (user + system) of a process and its children so far, in ms (10 ms ticks)."""
    total = 0
    for p in tree_pids(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total * 1000.0 / os.sysconf("SC_CLK_TCK")


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def cmd_startup(args):
    proto, host, port, idle = args[0], args[1], int(args[2]), float(args[3])
    cmd = args[args.index("--") + 1:]
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        ready = None
        while time.monotonic() - t0 < 60:
            if proc.poll() is not None:
                sys.exit(f"{cmd[0]} exited with {proc.returncode} before serving")
            try:
                if probe_once(proto, host, port):
                    ready = time.monotonic()
                    break
            except OSError:
                pass
            time.sleep(0.002)
        if ready is None:
            sys.exit("not serving after 60 s")
        cpu = cpu_ms(proc.pid)
        time.sleep(idle)
        print(f"{(ready - t0) * 1000:.1f} {rss_mb(proc.pid):.1f} {cpu:.0f}")
    finally:
        stop(proc)


def cmd_connections(args):
    host, port, count, server_pid = args[0], int(args[1]), int(args[2]), int(args[3])
    before = rss_mb(server_pid)
    sel = selectors.DefaultSelector()
    socks = []
    t0 = time.monotonic()
    deadline = t0 + float(os.environ.get("CONNECT_DEADLINE_S", "60"))
    pending = {}
    answered = 0
    opened = 0
    # Open in waves of 500 so the listen backlog never overflows; answer-reading interleaved.
    while answered < count and time.monotonic() < deadline:
        while opened < count and len(pending) < 500:
            s = socket.socket()
            s.setblocking(True)
            s.settimeout(10)
            s.connect((host, port))
            s.sendall(api_versions_request(opened))
            s.setblocking(False)
            socks.append(s)
            pending[s] = b""
            sel.register(s, selectors.EVENT_READ)
            opened += 1
        for key, _ in sel.select(timeout=1):
            s = key.fileobj
            try:
                chunk = s.recv(65536)
            except BlockingIOError:
                continue
            if not chunk:
                sys.exit("server closed a connection")
            buf = pending[s] + chunk
            if len(buf) >= 4 and len(buf) >= 4 + struct.unpack(">i", buf[:4])[0]:
                sel.unregister(s)
                del pending[s]
                answered += 1
            else:
                pending[s] = buf
    elapsed = time.monotonic() - t0
    time.sleep(2)
    after = rss_mb(server_pid)
    # Fewer than asked when the deadline ran out first: the caller reports how many were served.
    print(f"{answered} {elapsed:.3f} {before:.1f} {after:.1f}")
    for s in socks:
        s.close()


def cmd_create_topic(args):
    from confluent_kafka.admin import AdminClient, NewTopic
    bootstrap, topic, partitions = args[0], args[1], int(args[2])
    admin = AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.create_topics([NewTopic(topic, partitions, 1)], operation_timeout=120, request_timeout=120)
    futures[topic].result(timeout=180)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        md = admin.list_topics(topic, timeout=10)
        t = md.topics.get(topic)
        if t is not None and t.error is None and len(t.partitions) == partitions:
            return
        time.sleep(0.2)
    sys.exit(f"topic {topic} not visible with {partitions} partitions")


def cmd_delete_topic(args):
    from confluent_kafka.admin import AdminClient
    admin = AdminClient({"bootstrap.servers": args[0]})
    admin.delete_topics([args[1]], operation_timeout=120, request_timeout=120)[args[1]].result(timeout=180)


def cmd_percentiles(args):
    with open(args[0]) as f:
        values = sorted(int(line) for line in f if line.strip())
    if not values:
        sys.exit("no latencies recorded")

    def pct(p):
        return values[min(len(values) - 1, int(p * len(values)))] / 1000.0
    print(f"{len(values)} {pct(0.50):.3f} {pct(0.99):.3f} {pct(0.999):.3f} {values[-1] / 1000.0:.3f}")


def main():
    command, args = sys.argv[1], sys.argv[2:]
    {"startup": cmd_startup, "connections": cmd_connections, "create-topic": cmd_create_topic, "delete-topic": cmd_delete_topic,
     "percentiles": cmd_percentiles, "rss": lambda a: print(f"{rss_mb(int(a[0])):.1f}")}[command](args)


if __name__ == "__main__":
    main()
