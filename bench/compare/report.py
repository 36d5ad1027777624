#!/usr/bin/python3
"""Turns bench/compare/run.sh's results into markdown and SVG (standard library only).

  report.py --print META RESULTS         print the markdown section
  report.py --write REPO META RESULTS    write docs/benchmarks.md's comparison section (between
                                         <!-- compare:start --> and <!-- compare:end -->, added at
                                         the top if absent), README.md's Benchmarks section and
                                         docs/img/compare-*.svg

RESULTS has tab-separated lines: system, workload, metric, value (a median over the runs).
"""
import math
import os
import sys
from xml.sax.saxutils import escape

NAMES = {
    "rill": "Rill",
    "mock": "librdkafka mock cluster",
    "rill-client": "Rill.Client (`rill bench`)",
    "redis": "Redis Streams",
    "nats": "NATS JetStream (file)",
    "postgres": "PostgreSQL (insert + poll)",
}
ORDER = ["rill", "mock", "redis", "nats", "postgres"]
COLORS = {"rill": "#1f77b4", "mock": "#7f7f7f", "redis": "#d62728", "nats": "#2ca02c", "postgres": "#9467bd"}


def load(meta_path, results_path):
    meta = {}
    with open(meta_path) as f:
        for line in f:
            if "\t" in line:
                k, v = line.rstrip("\n").split("\t", 1)
                meta[k] = v
    res = {}
    with open(results_path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 4:
                res[(parts[0], parts[1], parts[2])] = parts[3]
    return meta, res


def num(res, system, workload, metric):
    v = res.get((system, workload, metric))
    try:
        return float(v) if v not in (None, "", "NA") else None
    except ValueError:
        return None


def fmt(v, digits=0):
    if v is None:
        return "–"
    if digits == 0:
        return f"{v:,.0f}"
    return f"{v:,.{digits}f}"


def systems(res):
    present = {k[0] for k in res}
    return [s for s in ORDER if s in present]


# ------------------------------------------------------------------ SVG
def bar_chart(title, unit, groups, series, log_scale=False, width=760):
    """groups: list of (label, {series_key: value}); series: list of (key, label, color)."""
    row_h, bar_h, left, right, top = 0, 16, 230, 90, 40
    n_series = len(series)
    group_h = n_series * (bar_h + 2) + 12
    height = top + len(groups) * group_h + 48
    values = [v for _, d in groups for v in d.values() if v]
    vmax = max(values) if values else 1
    vmin = min(values) if values else 1
    plot_w = width - left - right

    def x(v):
        if log_scale:
            lo = 10 ** math.floor(math.log10(max(vmin, 1e-3)))
            hi = 10 ** math.ceil(math.log10(vmax))
            return plot_w * (math.log10(max(v, lo)) - math.log10(lo)) / max(1e-9, math.log10(hi) - math.log10(lo))
        return plot_w * v / vmax

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">{escape(title)}</text>']
    y = top
    for label, data in groups:
        out.append(f'<text x="{left - 8}" y="{y + group_h / 2 - 2}" text-anchor="end" dominant-baseline="middle">{escape(label)}</text>')
        for i, (key, slabel, color) in enumerate(series):
            v = data.get(key)
            by = y + i * (bar_h + 2)
            if v is None:
                out.append(f'<text x="{left + 4}" y="{by + bar_h - 4}" fill="#999">{escape(slabel)}: not measured</text>')
                continue
            w = max(1.0, x(v))
            out.append(f'<rect x="{left}" y="{by}" width="{w:.1f}" height="{bar_h}" fill="{color}"><title>{escape(slabel)}: {v:,.3g}</title></rect>')
            out.append(f'<text x="{left + w + 4}" y="{by + bar_h - 4}">{fmt(v, 0 if v >= 100 else 2)}</text>')
        y += group_h
    out.append(f'<line x1="{left}" y1="{top - 4}" x2="{left}" y2="{y}" stroke="#333"/>')
    out.append(f'<text x="{left + plot_w / 2}" y="{height - 6}" text-anchor="middle" fill="#333">{escape(unit)}{" (log scale)" if log_scale else ""}</text>')
    # legend
    lx = left
    for key, slabel, color in series:
        if len(series) == 1:
            break
        out.append(f'<rect x="{lx}" y="{height - 38}" width="10" height="10" fill="{color}"/>')
        out.append(f'<text x="{lx + 14}" y="{height - 29}">{escape(slabel)}</text>')
        lx += 14 + 7 * len(slabel) + 16
    out.append("</svg>")
    return "\n".join(out) + "\n"


def line_chart(title, xlabel, ylabel, lines, width=760, height=360):
    """lines: list of (label, color, [(x, y)]) ; x on a log10 scale."""
    left, right, top, bottom = 90, 170, 40, 50
    pts = [p for _, _, ps in lines for p in ps]
    if not pts:
        pts = [(1, 1)]
    xmin, xmax = min(p[0] for p in pts), max(p[0] for p in pts)
    ymax = max(p[1] for p in pts) * 1.1 or 1
    lxmin, lxmax = math.log10(xmin), math.log10(max(xmax, xmin * 10))
    pw, ph = width - left - right, height - top - bottom

    def px(v):
        return left + pw * (math.log10(v) - lxmin) / (lxmax - lxmin)

    def py(v):
        return top + ph - ph * v / ymax

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">{escape(title)}</text>',
           f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" stroke="#333"/>',
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + ph}" stroke="#333"/>']
    for i in range(0, 5):
        v = ymax * i / 4
        out.append(f'<text x="{left - 6}" y="{py(v) + 4}" text-anchor="end">{v / 1e6:.2f}M</text>')
        out.append(f'<line x1="{left}" y1="{py(v)}" x2="{left + pw}" y2="{py(v)}" stroke="#eee"/>')
    last_label = -1e9
    for xv in sorted({p[0] for p in pts}):
        if px(xv) - last_label < 40:
            continue
        last_label = px(xv)
        out.append(f'<text x="{px(xv)}" y="{top + ph + 16}" text-anchor="middle">{xv:,.0f}</text>')
    for n, (label, color, ps) in enumerate(lines):
        if not ps:
            continue
        d = " ".join(f"{'M' if i == 0 else 'L'}{px(a):.1f},{py(b):.1f}" for i, (a, b) in enumerate(ps))
        out.append(f'<path d="{d}" fill="none" stroke="{color}" stroke-width="2"/>')
        for a, b in ps:
            out.append(f'<circle cx="{px(a):.1f}" cy="{py(b):.1f}" r="3" fill="{color}"><title>{escape(label)} {a:,.0f}: {b:,.0f}</title></circle>')
        out.append(f'<rect x="{left + pw + 14}" y="{top + 10 + n * 18}" width="10" height="10" fill="{color}"/>')
        out.append(f'<text x="{left + pw + 28}" y="{top + 19 + n * 18}">{escape(label)}</text>')
    out.append(f'<text x="{left + pw / 2}" y="{height - 12}" text-anchor="middle">{escape(xlabel)}</text>')
    out.append(f'<text x="16" y="{top + ph / 2}" transform="rotate(-90 16 {top + ph / 2})" text-anchor="middle">{escape(ylabel)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------ markdown
def target_rows(res):
    rows = []

    def row(name, measured, target, ok, margin):
        rows.append(f"| {name} | {measured} | {target} | {'met' if ok else ('**missed**' if ok is False else 'not measured')} | {margin} |")

    r, m = num(res, "rill", "produce-100B-1p", "records_per_s"), num(res, "mock", "produce-100B-1p", "records_per_s")
    if r and m:
        row("librdkafka producer, 100 B, acks=all, 1 partition", f"Rill {fmt(r)} vs mock {fmt(m)} rec/s ({r / m:.0%})",
            "Rill >= mock", r >= m, f"{(r / m - 1) * 100:+.1f} %")
    else:
        row("librdkafka producer, 100 B, acks=all, 1 partition", "–", "Rill >= mock", None, "")
    for mode, target in (("producer", 2e6), ("consumer", 3e6)):
        v = num(res, "rill-client", f"{mode}-100B-1p", "records_per_s")
        skipped = res.get(("rill-client", "note", "skipped"))
        if v:
            row(f"Rill.Client {mode}, 100 B", f"{fmt(v)} rec/s", f">= {fmt(target)} rec/s", v >= target, f"{(v / target - 1) * 100:+.1f} %")
        else:
            row(f"Rill.Client {mode}, 100 B", skipped or "–", f">= {fmt(target)} rec/s", None, "")
    p99, p999 = num(res, "rill", "latency-100000", "p99_ms"), num(res, "rill", "latency-100000", "p999_ms")
    for label, v, t in (("end-to-end latency at 100k msg/s, p99", p99, 5.0), ("end-to-end latency at 100k msg/s, p99.9", p999, 15.0)):
        if v is None:
            row(label, "–", f"<= {t:g} ms", None, "")
        else:
            row(label, f"{v:.2f} ms", f"<= {t:g} ms", v <= t, f"{v - t:+.2f} ms ({v / t:.1f}x the target)" if v > t else f"{t - v:.2f} ms to spare")
    s, rss = num(res, "rill", "startup", "ms"), num(res, "rill", "startup", "idle_rss_mb")
    if s is not None:
        row("start to serving (exec to first ApiVersions answer)", f"{s:.0f} ms", "<= 150 ms", s <= 150, f"{s - 150:+.0f} ms")
    if rss is not None:
        row("idle RSS of `rill serve` (VmRSS, 5 s after start)", f"{rss:.1f} MB", "<= 60 MB", rss <= 60, f"{rss - 60:+.1f} MB")
    one, ten = num(res, "rill", "partitions-1", "records_per_s"), num(res, "rill", "partitions-10000", "records_per_s")
    if one and ten:
        row("produce to 10,000 partitions vs 1", f"{fmt(ten)} vs {fmt(one)} rec/s ({ten / one:.0%})", ">= 50 %", ten / one >= 0.5,
            f"{(ten / one - 0.5) * 100:+.0f} points")
    elif one:
        parts = sorted(int(k[1].split("-")[1]) for k in res if k[0] == "rill" and k[1].startswith("partitions-") and k[2] == "records_per_s"
                       and num(res, "rill", k[1], "records_per_s"))
        top = parts[-1] if parts else 1
        v = num(res, "rill", f"partitions-{top}", "records_per_s")
        note = res.get(("rill", "partitions-10000", "note"), "the run failed")
        row("produce to 10,000 partitions vs 1", f"10,000: not measured ({note}); largest measured, {top:,}: "
            f"{fmt(v)} vs {fmt(one)} rec/s ({v / one:.0%})", ">= 50 %", False if v / one < 0.5 else None,
            f"{(v / one - 0.5) * 100:+.0f} points at {top:,}")
    return rows


def section(meta, res):
    sy = systems(res)
    L = []
    L.append("## Rill compared: Kafka mock, Redis Streams, NATS JetStream, PostgreSQL")
    L.append("")
    L.append(f"Generated by `bench/compare/run.sh` (run of {meta.get('date', '?')}, "
             f"{'QUICK=1, ' if meta.get('quick') == '1' else ''}median of {meta.get('runs', '?')} run(s) per figure, "
             f"{int(meta.get('elapsed', '0')) // 60} min in all). Every system ran alone on loopback on the same machine, "
             "with its own temp dir and port; how each is driven is described below the tables. "
             "Raw medians: [bench/compare/results.tsv](../bench/compare/results.tsv).")
    L.append("")
    L.append(f"Machine: {meta.get('cpu', '?')}, {meta.get('memory', '?')}, {meta.get('os', '?')}. "
             f"Versions: Rill {meta.get('rill', '?')} on .NET {meta.get('dotnet', '?')}; librdkafka {meta.get('librdkafka', '?')} "
             f"(mock cluster and `rdkafka_performance`); Redis {meta.get('redis', '?')}; nats-server {meta.get('nats', '?')}; "
             f"PostgreSQL {meta.get('postgres', '?')}; Node.js {meta.get('node', '?')} (probe). Sizes: {meta.get('sizes', '')}."
             + (f" Load average (1/5/15 min) at the start {meta['load_start']}, at the end {meta['load_end']}: other work shared the machine."
                if meta.get("load_start") else ""))
    L.append("")
    L.append("### Targets")
    L.append("")
    L.append("| Target | Measured | Wanted | | Margin |")
    L.append("|---|---|---|---|---|")
    L.extend(target_rows(res))
    L.append("")
    L.append("![Produce throughput](img/compare-produce.svg)")
    L.append("")
    L.append("### Produce throughput (records/s, acks=all or the system's equivalent)")
    L.append("")
    L.append("| System | 100 B, 1 partition | 100 B, 16 partitions | 1 KB, 1 partition | 1 KB, 16 partitions |")
    L.append("|---|---:|---:|---:|---:|")
    for s in sy:
        cells = []
        for wl in ("produce-100B-1p", "produce-100B-16p", "produce-1024B-1p", "produce-1024B-16p"):
            v = num(res, s, wl, "records_per_s")
            size = 100 if "100B" in wl else 1024
            cells.append(f"{fmt(v)} ({v * size / 1e6:,.0f} MB/s)" if v else "–")
        L.append(f"| {NAMES[s]} | " + " | ".join(cells) + " |")
    if ("rill-client", "producer-100B-1p", "records_per_s") in res:
        L.append(f"| {NAMES['rill-client']} | {fmt(num(res, 'rill-client', 'producer-100B-1p', 'records_per_s'))} | – | – | – |")
    L.append("")
    L.append("### Consume throughput and fan-out (records/s)")
    L.append("")
    L.append("| System | consume 100 B | consume 1 KB | fan-out: 1 group | 4 groups (all together) | 16 groups (all together) |")
    L.append("|---|---:|---:|---:|---:|---:|")
    for s in sy:
        cells = [fmt(num(res, s, wl, "records_per_s")) for wl in ("consume-100B-1p", "consume-1024B-1p", "fanout-1", "fanout-4", "fanout-16")]
        L.append(f"| {NAMES[s]} | " + " | ".join(cells) + " |")
    if ("rill-client", "consumer-100B-1p", "records_per_s") in res:
        L.append(f"| {NAMES['rill-client']} | {fmt(num(res, 'rill-client', 'consumer-100B-1p', 'records_per_s'))} | – | – | – | – |")
    L.append("")
    L.append("![End-to-end latency](img/compare-latency.svg)")
    L.append("")
    L.append("### End-to-end latency (produce to consume, 100 B records, one partition)")
    L.append("")
    L.append("| System | rate asked | rate achieved | p50 ms | p99 ms | p99.9 ms |")
    L.append("|---|---:|---:|---:|---:|---:|")
    for s in sy:
        for wl in ("latency-10000", "latency-100000", "latency-max80"):
            a = num(res, s, wl, "achieved_rate")
            if a is None:
                continue
            asked = {"latency-10000": "10,000", "latency-100000": "100,000", "latency-max80": "80 % of max"}[wl]
            note = "" if wl == "latency-max80" or a >= 0.95 * float(asked.replace(",", "")) else " (load generator fell behind)"
            L.append(f"| {NAMES[s]} | {asked} | {fmt(a)}{note} | {fmt(num(res, s, wl, 'p50_ms'), 2)} | "
                     f"{fmt(num(res, s, wl, 'p99_ms'), 2)} | {fmt(num(res, s, wl, 'p999_ms'), 2)} |")
    L.append("")
    kafka = [s for s in ("rill", "mock") if s in sy]
    if kafka:
        L.append("![Partition scaling](img/compare-partitions.svg)")
        L.append("")
        L.append("### Scaling with partitions and connections (Kafka protocol only)")
        L.append("")
        parts = sorted({int(k[1].split("-")[1]) for k in res if k[1].startswith("partitions-")})
        L.append("Produce, 100 B records spread evenly over all partitions (`sticky.partitioning.linger.ms=0`), acks=all, records/s:")
        L.append("")
        L.append("| System | " + " | ".join(f"{p:,} partition{'' if p == 1 else 's'}" for p in parts) + " |")
        L.append("|---|" + "---:|" * len(parts))
        for s in kafka:
            base = num(res, s, "partitions-1", "records_per_s")
            cells = []
            for p in parts:
                v = num(res, s, f"partitions-{p}", "records_per_s")
                note = res.get((s, f"partitions-{p}", "note"))
                if v is None and note:
                    crashed = res.get((s, "note", "crashed"))
                    cells.append(f"failed: {note}" + ("; the server then crashed" if crashed else ""))
                    continue
                cells.append(f"{fmt(v)}" + (f" ({v / base:.0%})" if v and base and p != 1 else ""))
            L.append(f"| {NAMES[s]} | " + " | ".join(cells) + " |")
        L.append("")
        conns = sorted({int(k[1].split("-")[1]) for k in res if k[1].startswith("connections-")})
        if conns:
            L.append("Idle connections, each opened and sent one ApiVersions request, all kept open: seconds to open and answer all, "
                     "and the server's RSS with all of them open:")
            L.append("")
            L.append("| System | " + " | ".join(f"{c:,} connections" for c in conns) + " |")
            L.append("|---|" + "---:|" * len(conns))
            for s in kafka:
                cells = []
                for c in conns:
                    t, m = num(res, s, f"connections-{c}", "seconds"), num(res, s, f"connections-{c}", "rss_mb")
                    a = num(res, s, f"connections-{c}", "answered")
                    if a is not None and a < c:
                        cells.append(f"only {a:,.0f} answered in {t:.0f} s")
                    else:
                        cells.append(f"{t:.2f} s, {m:.0f} MB" if t is not None and m is not None else "–")
                L.append(f"| {NAMES[s]} | " + " | ".join(cells) + " |")
            L.append("")
    L.append("![Start-up and idle memory](img/compare-startup.svg)")
    L.append("")
    L.append("### Start-up and memory")
    L.append("")
    L.append("| System | exec to serving | CPU used until serving | idle RSS | RSS after the whole run |")
    L.append("|---|---:|---:|---:|---:|")
    for s in sy:
        st, rss, after = num(res, s, "startup", "ms"), num(res, s, "startup", "idle_rss_mb"), num(res, s, "rss", "rss_after_mb")
        cpu = num(res, s, "startup", "cpu_ms")
        if not after or res.get((s, "note", "crashed")):
            after = None  # the server was gone by then
        L.append(f"| {NAMES[s]} | {fmt(st, 0) + ' ms' if st is not None else '–'} | {fmt(cpu, 0) + ' ms' if cpu is not None else '–'} | "
                 f"{fmt(rss, 1) + ' MB' if rss is not None else '–'} | {fmt(after, 0) + ' MB' if after is not None else '–'} |")
    L.append("")
    L.append("Exec to serving is the median over RUNS + 2 starts, each with a fresh data directory, measured as the time "
             "from exec to the first answered request (ApiVersions for Rill, PING for Redis, the INFO greeting for NATS, "
             "an accepted connection for PostgreSQL); idle RSS is VmRSS of the process tree 5 s later. CPU used until "
             "serving (user + system, 10 ms ticks) moves less than the wall time when the machine is busy.")
    L.append("")
    L.append("### How each system is driven")
    L.append("")
    L.append("- **Rill**: `rill serve` from a release publish (`dotnet publish -c Release -r linux-x64`, framework-dependent, ReadyToRun), default flush policy (page cache, no fsync per request), "
             "`group.initial.rebalance.delay.ms=0`. **Mock**: librdkafka's in-memory mock cluster "
             "(`rd_kafka_mock_cluster_new`, one broker, in its own process: `bench/compare/mock_cluster.c`), the reference for the "
             "Kafka protocol's own overhead: it keeps records in memory and writes nothing to disk. Both are driven by librdkafka's "
             "`rdkafka_performance`: produce with `-a -1` (acks=all) and `linger.ms=5`; consume with a consumer group from the "
             "beginning, timed from the first record; fan-out runs one `rdkafka_performance -G` per group at once, aggregate = "
             "groups x records / the slowest group's time; latency runs `rdkafka_performance -C -l` and `-P -l -r RATE` "
             "(`linger.ms=0`), each record carrying its send time, percentiles over every record. Start-up is timed from exec to "
             "the first answered ApiVersions request.")
    L.append("- The mock cluster keeps only the last 5 MB (or 100,000 batches) of each partition, so it has no consume or "
             "fan-out figures: a consumer reading millions of records from the beginning falls off its log. It has no latency "
             "figures either: it answers a fetch only when the consumer's fetch.wait.max.ms (500 ms) runs out, so its p50 "
             "was about 380 ms at 10,000 msg/s.")
    L.append("- **Redis Streams** (AOF on, `appendfsync no`, the same durability as Rill's default): produce with `redis-benchmark` "
             "(XADD, 4 connections x 64 pipelined; 16 partitions = 16 streams); consume, fan-out and latency with the Node probe "
             "(`bench/compare/probe/probe.mjs`, ioredis): XREADGROUP ... COUNT 1000 NOACK, one consumer group per fan-out group.")
    L.append("- **NATS JetStream** (file storage): the Node probe (nats.js): asynchronous publishes with every PubAck awaited "
             "(at most 10,000 outstanding) and durable pull consumers with `AckNone`, one per fan-out group. There is no `nats` "
             "CLI in Debian, so no `nats bench`.")
    L.append("- **PostgreSQL** (the database approach; `synchronous_commit=off`): one table `(id bigserial, payload bytea)`; produce "
             "with multi-row INSERTs of 1,000 rows over 4 connections, consume by polling `WHERE id > $last ORDER BY id LIMIT 1000`, "
             "one poller per fan-out group.")
    L.append("- Redis, NATS and PostgreSQL latency comes from a Node.js producer and consumer (two processes) sharing the 2 cores "
             "with the server; where the producer could not keep up with the asked rate the table says so, and those "
             "percentiles measure the backlog, not the system. Their produce figures are Node-client-bound as well; "
             "`rdkafka_performance` and `redis-benchmark` are C.")
    L.append("- The 2 cores are shared by the load generator and the server, so every figure includes the client's cost.")
    return "\n".join(L) + "\n"


def readme_section(meta, res):
    L = ["## Benchmarks", ""]
    L.append(f"From `bench/compare/run.sh` ({meta.get('date', '?')}, {meta.get('cpu', '?')}): produce throughput with "
             "librdkafka's `rdkafka_performance` (Rill and librdkafka's mock cluster) or each system's own client, 100-byte "
             "records, acks=all. All figures, latency, fan-out, partition and connection scaling, start-up and memory: "
             "[docs/benchmarks.md](docs/benchmarks.md).")
    L.append("")
    L.append("![Produce throughput](docs/img/compare-produce.svg)")
    L.append("")
    L.append("| System | produce 100 B, 1 partition | consume 100 B | e2e p99 at 10k msg/s | exec to serving | idle RSS |")
    L.append("|---|---:|---:|---:|---:|---:|")
    for s in systems(res):
        p = num(res, s, "produce-100B-1p", "records_per_s")
        c = num(res, s, "consume-100B-1p", "records_per_s")
        l99 = num(res, s, "latency-10000", "p99_ms")
        st, rss = num(res, s, "startup", "ms"), num(res, s, "startup", "idle_rss_mb")
        L.append(f"| {NAMES[s]} | {fmt(p)} | {fmt(c)} | {fmt(l99, 2) + ' ms' if l99 is not None else '–'} | "
                 f"{fmt(st) + ' ms' if st is not None else '–'} | {fmt(rss, 1) + ' MB' if rss is not None else '–'} |")
    return "\n".join(L) + "\n"


def charts(res):
    sy = systems(res)
    out = {}
    groups = [(NAMES[s].replace("`", ""), {"100": num(res, s, "produce-100B-1p", "records_per_s"),
                                           "1k": num(res, s, "produce-1024B-1p", "records_per_s")}) for s in sy]
    out["compare-produce.svg"] = bar_chart("Produce throughput, 1 partition, acks=all", "records/s", groups,
                                           [("100", "100 B records", "#1f77b4"), ("1k", "1 KB records", "#ff7f0e")])
    groups = []
    for s in sy:
        for wl, label in (("latency-10000", "10k/s"), ("latency-100000", "100k/s")):
            achieved, asked = num(res, s, wl, "achieved_rate"), 10000 if wl == "latency-10000" else 100000
            if achieved is None or achieved < 0.95 * asked:
                continue  # the load generator fell behind: its percentiles measure the backlog
            if num(res, s, wl, "p50_ms") is not None:
                groups.append((f"{NAMES[s].replace('`', '')} @ {label}",
                               {m: num(res, s, wl, m) for m in ("p50_ms", "p99_ms", "p999_ms")}))
    out["compare-latency.svg"] = bar_chart("End-to-end latency, 100 B records (rates the load generator reached)", "milliseconds", groups,
                                           [("p50_ms", "p50", "#2ca02c"), ("p99_ms", "p99", "#ff7f0e"), ("p999_ms", "p99.9", "#d62728")],
                                           log_scale=True)
    lines = []
    for s in ("rill", "mock"):
        pts = sorted((int(k[1].split("-")[1]), float(v)) for k, v in res.items()
                     if k[0] == s and k[1].startswith("partitions-") and k[2] == "records_per_s" and v not in ("", "NA"))
        if pts:
            lines.append((NAMES[s], COLORS[s], pts))
    out["compare-partitions.svg"] = line_chart("Produce throughput vs partitions (100 B, acks=all)", "partitions (log scale)",
                                               "records/s", lines)
    groups = [(NAMES[s].replace("`", ""), {"ms": num(res, s, "startup", "ms"), "mb": num(res, s, "startup", "idle_rss_mb")})
              for s in sy if num(res, s, "startup", "ms") is not None]
    out["compare-startup.svg"] = bar_chart("Exec to serving (ms) and idle RSS (MB)", "ms / MB", groups,
                                           [("ms", "start-up, ms", "#1f77b4"), ("mb", "idle RSS, MB", "#9467bd")])
    return out


def replace_between(text, start, end, body, where_if_absent):
    if start in text and end in text:
        a, b = text.index(start), text.index(end) + len(end)
        return text[:a] + start + "\n" + body + end + text[b:]
    return where_if_absent(text, start + "\n" + body + end)


def main():
    if sys.argv[1] == "--print":
        meta, res = load(sys.argv[2], sys.argv[3])
        print(section(meta, res))
        print(readme_section(meta, res))
        return
    repo = sys.argv[2]
    meta, res = load(sys.argv[3], sys.argv[4])
    os.makedirs(os.path.join(repo, "docs", "img"), exist_ok=True)
    for name, svg in charts(res).items():
        with open(os.path.join(repo, "docs", "img", name), "w") as f:
            f.write(svg)
    bench = os.path.join(repo, "docs", "benchmarks.md")
    with open(bench) as f:
        text = f.read()

    def after_title(t, block):
        first_nl = t.index("\n") + 1 if t.startswith("# ") else 0
        return t[:first_nl] + "\n" + block + "\n" + t[first_nl:]
    text = replace_between(text, "<!-- compare:start -->", "<!-- compare:end -->", section(meta, res), after_title)
    with open(bench, "w") as f:
        f.write(text)
    readme = os.path.join(repo, "README.md")
    with open(readme) as f:
        text = f.read()
    text = replace_between(text, "<!-- benchmarks:start -->", "<!-- benchmarks:end -->", readme_section(meta, res),
                           lambda t, block: t.rstrip("\n") + "\n\n" + block + "\n")
    with open(readme, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
