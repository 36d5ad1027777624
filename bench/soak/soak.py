#!/usr/bin/python3
"""Soak: hours of sustained, mixed traffic against a running broker, with end-to-end latency and the broker's
resources reported per window, and the run checked for lost, duplicated or reordered records at the end.

What runs at once (each in its own process, confluent-kafka / librdkafka):
  - a paced idempotent producer (acks=all, linger.ms=5) writing --rate records/s of --size bytes, spread evenly over
    the --partitions of topic soak, whose small segments and retention.bytes make the broker roll and delete
    segments all along; and a tenth of that rate of keyed records to soak-compact (cleanup.policy=compact, keys
    k0..k{--keys - 1}), which the cleaner compacts all along;
  - --groups consumer groups reading soak from the beginning; the first measures end-to-end latency (each record
    carries its send time) and reports it per window;
  - churn every --churn seconds: a new 8-partition topic, 200 records, a new consumer group reading them, the topic
    deleted (new connections, group joins and leaves, topic creation and deletion, as admin tools and short-lived
    services cause in production).
Every --window seconds it prints a line: the window's latency percentiles and the broker's (--pid) RSS, threads, open
file descriptors, CPU and the size and segment count of its data directory (--data-dir).

At the end the producer stops and flushes, the groups read up to the end, and the checks run (exit 1 if one fails):
  every record acknowledged, none failed; every group read every acknowledged record of soak exactly once, in offset
  order with no gap; reading soak-compact from the beginning gives, for every key, the last value acknowledged for
  it; every churn round went through; the broker's open descriptors and threads in the last third of the run stay
  within a margin of the first third's (a leak grows them window by window); soak's directory stays within
  retention.bytes plus two segments per partition.

bench/soak.sh starts a broker and runs this for hours; tests/Rill.Interop.Tests/SoakTests.cs runs a short version.
"""
import argparse
import json
import math
import multiprocessing as mp
import os
import queue
import re
import struct
import subprocess
import sys
import tempfile
import time

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition, OFFSET_BEGINNING
from confluent_kafka.admin import AdminClient, NewTopic

STAMP = struct.Struct('>qq')  # sequence number, send time (time.time_ns)
TOPIC, COMPACT = 'soak', 'soak-compact'
HZ = os.sysconf('SC_CLK_TCK')


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--bootstrap', required=True)
    p.add_argument('--pid', type=int, help="the broker's process id (resources are not sampled without it)")
    p.add_argument('--data-dir', help="the broker's log.dirs (its size is not sampled without it)")
    p.add_argument('--duration', type=float, default=3600, help='seconds of traffic (default 3600)')
    p.add_argument('--window', type=float, default=60, help='seconds per reported window (default 60)')
    p.add_argument('--rate', type=int, default=20000, help='records/s to soak (default 20000)')
    p.add_argument('--size', type=int, default=100, help='record value bytes (default 100)')
    p.add_argument('--partitions', type=int, default=16)
    p.add_argument('--groups', type=int, default=3)
    p.add_argument('--keys', type=int, default=1000, help='distinct keys in soak-compact')
    p.add_argument('--segment-bytes', type=int, default=16 << 20, help='of soak (1 MiB at least)')
    p.add_argument('--retention-bytes', type=int, default=64 << 20, help='per partition of soak')
    p.add_argument('--churn', type=float, default=30, help='seconds between churn rounds (0: none)')
    p.add_argument('--fd-margin', type=int, default=64, help='open descriptors the last third may exceed the first by')
    p.add_argument('--thread-margin', type=int, default=24)
    p.add_argument('--probe', help="rdkafka_performance with the paced -r patch (bench/compare/run.sh builds it): every window "
                   "also measures latency as bench/latency-after-traffic.sh does, on topic soak-lat")
    p.add_argument('--probe-rate', type=int, default=100000, help='records/s of the probe (default 100000)')
    p.add_argument('--probe-seconds', type=float, default=6)
    p.add_argument('--json', help='also write the windows and the checks to this file')
    a = p.parse_args(argv)
    if a.size < STAMP.size:
        p.error(f'--size must be at least {STAMP.size}')
    return a


class Histogram:
    """Latencies in buckets 0.5 % wide: O(1) per record, so the consumer that measures never stops to sort a
    window's million samples (that pause, ~0.4 s per window, showed up as the records' own latency)."""
    SCALE = 200.0

    def __init__(self):
        self.counts, self.n, self.max_ns = {}, 0, 0

    def add(self, ns):
        key = int(math.log1p(max(ns, 0) / 1000.0) * self.SCALE)
        self.counts[key] = self.counts.get(key, 0) + 1
        self.n += 1
        if ns > self.max_ns:
            self.max_ns = ns

    def summary(self):
        if not self.n:
            return None
        keys = sorted(self.counts)
        out = {'n': self.n, 'max': self.max_ns / 1e6}
        for name, q in (('p50', 0.5), ('p99', 0.99), ('p999', 0.999)):
            rank, seen = min(self.n - 1, int(q * self.n)), 0
            for k in keys:
                seen += self.counts[k]
                if seen > rank:
                    out[name] = min(math.expm1((k + 1) / self.SCALE) / 1000.0, out['max'])  # upper edge, us -> ms
                    break
        return out


def produce(a, stop, out):
    """Paced producer: ticks of 10 ms, each producing its share of the rate; reports what was acknowledged."""
    p = Producer({'bootstrap.servers': a.bootstrap, 'acks': 'all', 'linger.ms': 5, 'enable.idempotence': True,
                  'queue.buffering.max.messages': 1000000, 'message.timeout.ms': 120000})
    state = {'delivered': 0, 'errors': 0, 'first_errors': [], 'last': {}}

    def done(err, msg):
        if err is not None:
            state['errors'] += 1
            if len(state['first_errors']) < 5:
                state['first_errors'].append(str(err))
        elif msg.topic() == TOPIC:
            state['delivered'] += 1
        else:  # delivery reports of one partition come in offset order: the last one per key is its newest value
            state['last'][msg.key().decode()] = msg.value().decode()

    pad = b'r' * (a.size - STAMP.size)
    seq = compact_seq = 0
    tick = 0.01
    per_tick = a.rate * tick
    owed = 0.0
    start = time.monotonic()
    next_tick = start
    while not stop.is_set():
        owed += per_tick
        while owed >= 1:
            owed -= 1
            while True:
                try:
                    p.produce(TOPIC, STAMP.pack(seq, time.time_ns()) + pad, partition=seq % a.partitions, on_delivery=done)
                    break
                except BufferError:
                    p.poll(0.05)
            seq += 1
            if seq % 10 == 0:
                k = f'k{compact_seq % a.keys}'
                p.produce(COMPACT, str(compact_seq).encode(), key=k.encode(), on_delivery=done)
                compact_seq += 1
        p.poll(0)
        next_tick += tick
        delay = next_tick - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        elif delay < -1:  # fell more than a second behind (machine busy): do not burst to catch up
            next_tick = time.monotonic()
    left = p.flush(120)
    out.put(('producer', {'produced': seq, 'delivered': state['delivered'], 'errors': state['errors'] + left,
                          'first_errors': state['first_errors'], 'compact_last': state['last'],
                          'compact_produced': compact_seq, 'seconds': time.monotonic() - start}))


def consume(a, index, stop, ends, out, t0):
    """One group member reading soak from the beginning; checks offsets per partition; group 0 measures latency."""
    c = Consumer({'bootstrap.servers': a.bootstrap, 'group.id': f'soak-g{index}', 'auto.offset.reset': 'earliest',
                  'enable.auto.commit': True, 'fetch.wait.max.ms': 100})
    c.subscribe([TOPIC])
    expected = {}
    count = gaps = dups = 0
    first_problems = []
    lat, window = Histogram(), 0
    target = None
    while True:
        # consume(n, timeout) waits for n records or the timeout: take what is there, else wait for one.
        msgs = c.consume(1000, 0) or c.consume(1, 0.2)
        now = time.time_ns()
        for m in msgs:
            if m.error():
                if m.error().code() != KafkaError._PARTITION_EOF and len(first_problems) < 5:
                    first_problems.append(str(m.error()))
                continue
            part, off = m.partition(), m.offset()
            want = expected.get(part, 0)
            if off > want:
                gaps += 1
                if len(first_problems) < 5:
                    first_problems.append(f'partition {part}: offset {off} after {want - 1}')
            elif off < want:
                dups += 1
                if len(first_problems) < 5:
                    first_problems.append(f'partition {part}: offset {off} again (next was {want})')
            expected[part] = off + 1
            count += 1
            if index == 0:
                lat.add(now - STAMP.unpack_from(m.value())[1])
        if index == 0:
            w = int((time.monotonic() - t0) / a.window)
            if w > window:
                out.put(('latency', window, lat.summary()))
                lat, window = Histogram(), w
        if stop.is_set():
            if target is None:
                try:
                    target = ends.get_nowait()
                except queue.Empty:
                    continue
                deadline = time.monotonic() + 120
            if all(expected.get(part, 0) >= end for part, end in target.items()) or time.monotonic() > deadline:
                break
    if index == 0 and lat.n:
        out.put(('latency', window, lat.summary()))
    c.close()
    behind = {part: end - expected.get(part, 0) for part, end in (target or {}).items() if expected.get(part, 0) < end}
    out.put(('group', index, {'consumed': count, 'gaps': gaps, 'dups': dups, 'behind': behind, 'first_problems': first_problems}))


def churn(a, stop, out):
    """Every --churn seconds: create a topic, write 200 records, read them with a new group, delete the topic."""
    admin = AdminClient({'bootstrap.servers': a.bootstrap})
    rounds = failures = 0
    first_failures = []
    n = 0
    while not stop.wait(a.churn):
        n += 1
        topic, group = f'soak-churn-{n}', f'soak-churn-group-{n}'
        try:
            admin.create_topics([NewTopic(topic, 8, 1)])[topic].result(60)
            p = Producer({'bootstrap.servers': a.bootstrap, 'acks': 'all'})
            for i in range(200):
                p.produce(topic, str(i).encode(), partition=i % 8)
            if p.flush(60) != 0:
                raise RuntimeError('records not acknowledged')
            c = Consumer({'bootstrap.servers': a.bootstrap, 'group.id': group, 'auto.offset.reset': 'earliest'})
            c.subscribe([topic])
            got, deadline = set(), time.monotonic() + 60
            while len(got) < 200 and time.monotonic() < deadline:
                for m in c.consume(500, 0.5):
                    if not m.error():
                        got.add(int(m.value()))
            c.commit(asynchronous=False)
            c.close()
            if got != set(range(200)):
                raise RuntimeError(f'read {len(got)} of 200 records')
            admin.delete_topics([topic])[topic].result(60)
            rounds += 1
        except Exception as e:  # noqa: BLE001  reported, and the check fails
            failures += 1
            if len(first_failures) < 5:
                first_failures.append(f'round {n}: {e}')
    out.put(('churn', {'rounds': rounds, 'failures': failures, 'first_failures': first_failures}))


def probe(a, stop, out, t0):
    """Each window, a second into it: --probe-seconds of 100 B records at --probe-rate (acks=all, linger.ms=0) to
    soak-lat, read by a consumer started just before; every record's latency counts (rdkafka_performance -l)."""
    w = 0
    while not stop.wait(max(0.0, t0 + w * a.window + 1 - time.monotonic())):
        count = int(a.probe_rate * a.probe_seconds)
        with tempfile.NamedTemporaryFile(prefix='soak-lat-') as f:
            limit = str(int(a.probe_seconds + 60))
            c = subprocess.Popen(['timeout', limit, a.probe, '-C', '-l', '-A', f.name, '-b', a.bootstrap, '-t', 'soak-lat', '-p', '0',
                                  '-o', 'end', '-c', str(count)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(2)
            produced = subprocess.run(['timeout', limit, a.probe, '-P', '-l', '-r', str(a.probe_rate), '-b', a.bootstrap, '-t',
                                       'soak-lat', '-p', '0', '-s', '100', '-c', str(count), '-a', '-1', '-X', 'linger.ms=0'],
                                      capture_output=True, text=True)
            c.wait()
            lat = Histogram()
            with open(f.name) as values:
                for line in values:
                    if line.strip():
                        lat.add(int(line) * 1000)  # us -> ns
        stats = lat.summary() or {}
        rates = [line for line in produced.stdout.splitlines() if 'messages produced' in line]
        achieved = re.search(r'([0-9]+) msgs/s', rates[-1]) if rates else None
        stats['achieved'] = int(achieved.group(1)) if achieved else None
        out.put(('probe', w, stats))
        w = int((time.monotonic() - t0) / a.window) + 1


def sample(a, cpu0):
    """The broker's resources now: RSS MB, threads, open descriptors, CPU seconds since cpu0, data dir MB and segments."""
    s = {}
    if a.pid:
        try:
            with open(f'/proc/{a.pid}/status') as f:
                for line in f:
                    if line.startswith('VmRSS:'):
                        s['rss_mb'] = int(line.split()[1]) / 1024
                    elif line.startswith('Threads:'):
                        s['threads'] = int(line.split()[1])
            s['fds'] = len(os.listdir(f'/proc/{a.pid}/fd'))
            s['cpu_s'] = broker_cpu(a.pid) - cpu0
        except OSError:
            s['gone'] = True
    if a.data_dir:
        total = segments = soak = 0
        for root, _, files in os.walk(a.data_dir):
            in_soak = os.path.basename(root).rsplit('-', 1)[0] == TOPIC
            for name in files:
                try:
                    size = os.path.getsize(os.path.join(root, name))
                except OSError:
                    continue
                total += size
                if name.endswith('.log'):
                    segments += 1
                    soak += size if in_soak else 0
        s['disk_mb'], s['soak_mb'], s['segments'] = total / 1e6, soak / 1e6, segments
    return s


def broker_cpu(pid):
    if not pid:
        return 0.0
    with open(f'/proc/{pid}/stat') as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / HZ


def create_topics(a):
    admin = AdminClient({'bootstrap.servers': a.bootstrap})
    topics = [
        NewTopic(TOPIC, a.partitions, 1, config={'segment.bytes': str(a.segment_bytes),
                                                 'retention.bytes': str(a.retention_bytes), 'retention.ms': '-1'}),
        NewTopic(COMPACT, 4, 1, config={'cleanup.policy': 'compact', 'segment.bytes': str(1 << 20),
                                        'min.cleanable.dirty.ratio': '0.1', 'segment.ms': '10000'}),
    ]
    if a.probe:
        topics.append(NewTopic('soak-lat', 1, 1, config={'segment.bytes': str(a.segment_bytes), 'retention.bytes': str(a.retention_bytes)}))
    for topic, f in admin.create_topics(topics).items():
        f.result(60)
    return admin


def end_offsets(a):
    c = Consumer({'bootstrap.servers': a.bootstrap, 'group.id': 'soak-ends'})
    ends = {p: c.get_watermark_offsets(TopicPartition(TOPIC, p), timeout=30, cached=False)[1] for p in range(a.partitions)}
    c.close()
    return ends


def read_compacted(a):
    """The newest value per key of soak-compact, read from the beginning."""
    c = Consumer({'bootstrap.servers': a.bootstrap, 'group.id': 'soak-compact-check', 'enable.auto.commit': False})
    ends = {p: c.get_watermark_offsets(TopicPartition(COMPACT, p), timeout=30, cached=False)[1] for p in range(4)}
    c.assign([TopicPartition(COMPACT, p, OFFSET_BEGINNING) for p in range(4)])
    newest, read, positions = {}, 0, {}
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and any(positions.get(p, 0) < e for p, e in ends.items()):
        for m in c.consume(1000, 0.5):
            if m.error():
                continue
            positions[m.partition()] = m.offset() + 1
            newest[m.key().decode()] = m.value().decode()
            read += 1
    c.close()
    return newest, read


def self_test():
    """The checks on made-up results: a clean run passes, and each kind of fault fails the check that should see it."""
    a = parse_args(['--bootstrap', 'none', '--pid', '1', '--data-dir', '/nonexistent', '--groups', '2', '--partitions', '2',
                    '--segment-bytes', '100', '--retention-bytes', '1000'])
    def run(mutate=lambda r, w, f, c: None):
        results = {'producer': {'produced': 10, 'delivered': 10, 'errors': 0, 'first_errors': [], 'compact_produced': 4,
                                'compact_last': {'k0': '2', 'k1': '3'}},
                   'group0': {'consumed': 10, 'gaps': 0, 'dups': 0, 'behind': {}},
                   'group1': {'consumed': 10, 'gaps': 0, 'dups': 0, 'behind': {}},
                   'churn': {'rounds': 3, 'failures': 0}}
        windows = [{'fds': 100, 'threads': 20, 'soak_mb': 0.002} for _ in range(6)]
        final, compacted = {0: 5, 1: 5}, ({'k0': '2', 'k1': '3'}, 2)
        mutate(results, windows, final, compacted)
        return {name for name, ok, _ in check(a, results, windows, final, {'soak_mb': 0.002}, compacted) if not ok}
    cases = {
        'clean': (lambda r, w, f, c: None, set()),
        'unacknowledged': (lambda r, w, f, c: r['producer'].update(delivered=9, errors=1), {'acknowledged', 'group 0 read every record once, in order', 'group 1 read every record once, in order'}),
        'gap': (lambda r, w, f, c: r['group1'].update(gaps=1), {'group 1 read every record once, in order'}),
        'duplicate': (lambda r, w, f, c: r['group0'].update(dups=1, consumed=11), {'group 0 read every record once, in order'}),
        'behind': (lambda r, w, f, c: r['group0'].update(behind={1: 3}), {'group 0 read every record once, in order'}),
        'compaction lost a newest value': (lambda r, w, f, c: c[0].update(k1='1'), {'soak-compact keeps the newest value of every key'}),
        'churn failed': (lambda r, w, f, c: r['churn'].update(failures=1), {'churn rounds'}),
        'descriptor leak': (lambda r, w, f, c: [x.update(fds=100 + 40 * i) for i, x in enumerate(w)], {'fds do not grow'}),
        'descriptors grow before retention, then level': (lambda r, w, f, c: [x.update(fds=100 + 80 * min(i, 2), soak_mb=0.002 if i >= 2 else 0.001)
                                                          for i, x in enumerate(w)], set()),
        'thread leak': (lambda r, w, f, c: w[-1].update(threads=60), {'threads do not grow'}),
        'retention not enforced': (lambda r, w, f, c: w[3].update(soak_mb=0.01), {'retention bounds soak'}),
    }
    for name, (mutate, want) in cases.items():
        got = run(mutate)
        assert got == want, f'{name}: failed checks {sorted(got)}, expected {sorted(want)}'
    print(f'self-test: ok ({len(cases)} cases)')
    return 0


def main(argv):
    if argv == ['--self-test']:
        return self_test()
    a = parse_args(argv)
    create_topics(a)
    cpu0 = broker_cpu(a.pid)
    stop, out, ends = mp.Event(), mp.Queue(), mp.Queue()
    t0 = time.monotonic()
    procs = [mp.Process(target=produce, args=(a, stop, out))]
    procs += [mp.Process(target=consume, args=(a, g, stop, ends, out, t0)) for g in range(a.groups)]
    if a.churn > 0:
        procs.append(mp.Process(target=churn, args=(a, stop, out)))
    if a.probe:
        procs.append(mp.Process(target=probe, args=(a, stop, out, t0)))
    for proc in procs:
        proc.start()

    windows, latency, probes, results = [], {}, {}, {}
    print('| window | s | p50 ms | p99 ms | p99.9 ms | max ms | records | probe: rate | p50 | p99 | p99.9 ms | broker CPU s | '
          'RSS MB | threads | fds | data MB | soak .log MB | segments |', flush=True)
    print('|' + '---:|' * 18, flush=True)

    def drain(timeout):
        try:
            item = out.get(timeout=timeout)
        except queue.Empty:
            return
        if item[0] == 'latency':
            latency[item[1]] = item[2]
        elif item[0] == 'probe':
            probes[item[1]] = item[2]
        elif item[0] == 'group':
            results[f'group{item[1]}'] = item[2]
        else:
            results[item[0]] = item[1]

    def report(w, seconds, cpu_before):
        s = sample(a, cpu0)
        lat, pr = latency.get(w) or {}, probes.get(w) or {}
        row = {'window': w, 'seconds': round(seconds, 1), **{k: lat.get(k) for k in ('n', 'p50', 'p99', 'p999', 'max')}, **s,
               'cpu_window_s': None if 'cpu_s' not in s else round(s['cpu_s'] - cpu_before, 2),
               **{'probe_' + k: v for k, v in pr.items()}}
        windows.append(row)
        f = lambda v, fmt: '-' if v is None else format(v, fmt)  # noqa: E731
        print(f"| {w} | {row['seconds']:.0f} | {f(lat.get('p50'), '.2f')} | {f(lat.get('p99'), '.2f')} | "
              f"{f(lat.get('p999'), '.2f')} | {f(lat.get('max'), '.1f')} | {f(lat.get('n'), 'd')} | "
              f"{f(pr.get('achieved'), 'd')} | {f(pr.get('p50'), '.2f')} | {f(pr.get('p99'), '.2f')} | {f(pr.get('p999'), '.2f')} | "
              f"{f(row['cpu_window_s'], '.1f')} | {f(s.get('rss_mb'), '.0f')} | {f(s.get('threads'), 'd')} | "
              f"{f(s.get('fds'), 'd')} | {f(s.get('disk_mb'), '.0f')} | {f(s.get('soak_mb'), '.0f')} | "
              f"{f(s.get('segments'), 'd')} |", flush=True)
        return s.get('cpu_s', 0.0)

    w, cpu_before = 0, 0.0
    while time.monotonic() - t0 < a.duration:
        drain(min(1.0, max(0.01, t0 + (w + 1) * a.window - time.monotonic())))
        if time.monotonic() >= t0 + (w + 1) * a.window:
            drain(1.5)  # the latency consumer reports the window it just closed
            cpu_before = report(w, time.monotonic() - t0, cpu_before)
            w += 1
            if a.pid and not os.path.exists(f'/proc/{a.pid}'):
                print('the broker exited', file=sys.stderr)
                break
    stop.set()
    deadline = time.monotonic() + 300
    while 'producer' not in results and time.monotonic() < deadline:
        drain(1)
    final = end_offsets(a)
    for _ in range(a.groups):
        ends.put(final)
    while time.monotonic() < deadline and (len([k for k in results if k.startswith('group')]) < a.groups
                                           or (a.churn > 0 and 'churn' not in results)):
        drain(1)
    for proc in procs:
        proc.join(30)
        if proc.is_alive():
            proc.kill()
    while not out.empty():
        drain(0.1)
    last = sample(a, cpu0)
    checks = check(a, results, windows, final, last, read_compacted(a) if 'producer' in results else ({}, 0))
    summary = {'args': vars(a), 'windows': windows, 'results': results, 'final': last, 'checks': checks}
    summary['results'].get('producer', {}).pop('compact_last', None)
    if a.json:
        with open(a.json, 'w') as f:
            json.dump(summary, f, indent=1, default=str)
    thirds = max(1, len(windows) // 3)
    for name, part in (('first third', windows[:thirds]), ('last third', windows[-thirds:])):
        p99 = [r['p99'] for r in part if r.get('p99') is not None]
        rss = [r['rss_mb'] for r in part if r.get('rss_mb') is not None]
        print(f"{name}: windows {len(part)}, p99 median {sorted(p99)[len(p99) // 2] if p99 else '-'} ms, "
              f"RSS max {max(rss) if rss else '-'} MB")
    prod = results.get('producer', {})
    print(f"produced {prod.get('produced')} records in {prod.get('seconds', 0):.0f} s, acknowledged {prod.get('delivered')}, "
          f"failed {prod.get('errors')}; soak end offsets sum {sum(final.values())}")
    for name, ok, detail in checks:
        print(f"{'ok' if ok else 'FAILED'} {name}: {detail}")
    bad = [c for c in checks if not c[1]]
    print('SOAK OK' if not bad else f'SOAK FAILED: {len(bad)} check(s)')
    return 0 if not bad else 1


def check(a, results, windows, final, last, compacted):
    checks = []
    prod = results.get('producer')
    if prod is None:
        return [('producer', False, 'never reported')]
    checks.append(('acknowledged', prod['errors'] == 0 and prod['delivered'] == prod['produced'] == sum(final.values()),
                   f"{prod['delivered']} of {prod['produced']} acknowledged, {prod['errors']} failed {prod['first_errors']}, "
                   f"end offsets sum {sum(final.values())}"))
    for g in range(a.groups):
        r = results.get(f'group{g}')
        ok = r is not None and r['consumed'] == prod['delivered'] and r['gaps'] == 0 and r['dups'] == 0 and not r['behind']
        checks.append((f'group {g} read every record once, in order', ok, r))
    newest, read = compacted
    wrong = {k: (newest.get(k), v) for k, v in prod['compact_last'].items() if newest.get(k) != v}
    checks.append(('soak-compact keeps the newest value of every key', not wrong and len(newest) == len(prod['compact_last']),
                   f"{len(prod['compact_last'])} keys, {read} records read of {prod['compact_produced']} produced "
                   f"(compacted {prod['compact_produced'] - read}), wrong {list(wrong.items())[:5]}"))
    if a.churn > 0:
        c = results.get('churn')
        checks.append(('churn rounds', c is not None and c['failures'] == 0 and c['rounds'] > 0, c))
    # Descriptors follow the segments: they grow until retention starts deleting (soak reaches retention.bytes per
    # partition), then stay level. Compare thirds of the windows from then on.
    full = a.partitions * a.retention_bytes / 1e6
    steady = windows[next((i for i, r in enumerate(windows) if r.get('soak_mb', full) >= full), len(windows)):]
    thirds = max(1, len(steady) // 3)
    if a.pid and len(steady) >= 3:
        for key, margin in (('fds', a.fd_margin), ('threads', a.thread_margin)):
            first = max(r.get(key, 0) for r in steady[:thirds])
            late = max(r.get(key, 0) for r in steady[-thirds:])
            checks.append((f'{key} do not grow', late <= first + margin,
                           f'max {first} in the first third of the {len(steady)} windows since retention began, {late} in the '
                           f'last (margin {margin})'))
    elif a.pid:
        print(f'# descriptors and threads not checked: only {len(steady)} windows after soak reached retention.bytes')
    if a.data_dir and 'soak_mb' in last:
        bound = a.partitions * (a.retention_bytes + 2 * a.segment_bytes) / 1e6
        peak = max([r.get('soak_mb', 0) for r in windows] + [last['soak_mb']])
        checks.append(('retention bounds soak', peak <= bound, f'peak {peak:.1f} MB, bound {bound:.1f} MB'))
    return checks


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
