#!/usr/bin/env python3
"""Summarises the broker's runtime event log (RILL_RUNTIME_EVENT_LOG, src/Rill.Server/Diagnostics/RuntimeEventLog.cs)
for one time window: GC pauses per generation, heap sizes, allocation sources, thread-pool starvation, lock contention.

    runtime_events.py EVENTS_TSV FROM_UNIX_MS TO_UNIX_MS [LABEL]

Prints one machine-readable line first (key=value, prefixed by LABEL), then a readable breakdown prefixed by '#'.
"""
import collections
import sys

GC_REASONS = {0: "alloc_small", 1: "induced", 2: "low_memory", 3: "empty", 4: "alloc_large", 5: "oos_small",
              6: "oos_large", 7: "induced_noforce", 8: "stress", 9: "lowmemory_blocking", 10: "induced_compacting",
              11: "lowmemory_host", 12: "pm_full_gc", 13: "lowmemory_host_blocking", 14: "bgc_tuning_soh",
              15: "bgc_tuning_loh", 16: "bgc_stepping"}
TP_REASONS = {0: "warmup", 1: "initializing", 2: "random_move", 3: "climbing_move", 4: "change_point",
              5: "stabilizing", 6: "starvation", 7: "thread_timed_out", 8: "cooperative_blocking"}


def pct(values, p):
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, int(p / 100.0 * len(s)))]


def main():
    path, start, end = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    label = sys.argv[4] if len(sys.argv) > 4 else "window"
    pauses = collections.defaultdict(list)
    reasons = collections.Counter()
    last_heap = None
    alloc = collections.Counter()
    loh = collections.Counter()
    alloc_total = 0
    tp = collections.Counter()
    locks = []
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 2:
                continue
            try:
                t = int(parts[0])
            except ValueError:
                continue
            if t < start or t > end:
                continue
            kind = parts[1]
            if kind == "gc" and len(parts) >= 11:
                gen, reason, gctype, pause = int(parts[3]), int(parts[4]), int(parts[5]), float(parts[6])
                pauses[gen].append(pause)
                reasons[(gen, GC_REASONS.get(reason, str(reason)), "background" if gctype == 1 else "blocking")] += 1
                last_heap = (int(parts[8]), int(parts[9]), int(parts[10]))
            elif kind == "alloc" and len(parts) >= 5:
                k, amount, name = int(parts[2]), int(parts[3]), parts[4]
                alloc[name] += amount
                alloc_total += amount
                if k == 1:
                    loh[name] += amount
            elif kind == "tp" and len(parts) >= 4:
                tp[TP_REASONS.get(int(parts[3]), parts[3])] += 1
            elif kind == "lock" and len(parts) >= 3:
                locks.append(float(parts[2]))
    seconds = max(1e-3, (end - start) / 1000.0)
    all_pauses = [p for v in pauses.values() for p in v]
    fields = [
        f"{label}_s={seconds:.1f}",
        f"gc0={len(pauses[0])}", f"gc1={len(pauses[1])}", f"gc2={len(pauses[2])}",
        f"gc_pause_total_ms={sum(all_pauses):.1f}", f"gc_pause_max_ms={max(all_pauses, default=0):.2f}",
        f"gc_pause_p99_ms={pct(all_pauses, 99):.2f}",
        f"alloc_mb={alloc_total / 1e6:.1f}", f"loh_alloc_mb={sum(loh.values()) / 1e6:.1f}",
        f"tp_starvation={tp['starvation']}", f"lock_contentions={len(locks)}", f"lock_wait_ms={sum(locks):.1f}",
    ]
    print(label + ": " + " ".join(fields))
    for (gen, reason, gctype), n in sorted(reasons.items()):
        p = pauses[gen]
        print(f"#   gen{gen} {gctype} ({reason}): {n}; pauses of gen{gen}: max {max(p):.2f} ms, mean {sum(p) / len(p):.2f} ms")
    if last_heap:
        print(f"#   after the last GC: gen2 {last_heap[0] / 1e6:.1f} MB, LOH {last_heap[1] / 1e6:.1f} MB, POH {last_heap[2] / 1e6:.1f} MB")
    if alloc_total:
        print(f"#   allocation samples ({alloc_total / 1e6:.1f} MB, {alloc_total / 1e6 / seconds:.1f} MB/s), by type:")
        for name, amount in alloc.most_common(8):
            print(f"#     {amount / 1e6:8.1f} MB  {name}")
    for name, amount in loh.most_common(5):
        print(f"#   LOH: {amount / 1e6:.1f} MB  {name}")
    if tp:
        print("#   thread-pool adjustments: " + ", ".join(f"{k} {v}" for k, v in tp.most_common()))
    if locks:
        print(f"#   lock contention: {len(locks)} waits, max {max(locks):.2f} ms, total {sum(locks):.1f} ms")


if __name__ == "__main__":
    main()
