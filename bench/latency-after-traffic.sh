#!/usr/bin/env bash
# Regression benchmark for issue 16's tail latency: end-to-end latency (produce -> consume, 100 B records, one
# partition, acks=all, linger.ms=0) measured on a broker that has already served a fixed volume of traffic, as in
# bench/compare/run.sh where the p99 rose from ~4 ms (fresh broker) to 80 ms. Prints
#   pre_records=N rate=R achieved=A count=C p50_ms=.. p99_ms=.. p999_ms=.. max_ms=..
# With COUNTERS=1, dotnet-counters (System.Runtime: GC counts per generation, % time in GC, LOH size, allocation
# rate, thread-pool queue length and thread count) is recorded over the whole run into $work/counters.csv and
# summarised; with TRACE=1 the broker writes an EventPipe trace (GC + thread-pool events) to $work/rill.nettrace
# (open it with PerfView or `dotnet-trace report`). KEEP=1 keeps $work.
# The broker writes its runtime event log (RILL_RUNTIME_EVENT_LOG: every GC with its pause, allocation samples,
# thread-pool starvation, lock contention) and the script prints, for the earlier traffic and for the latency
# phase, GC counts per generation, pause total/p99/max, MB allocated (and on the LOH), starvation adjustments and
# contended locks, plus the broker's CPU per 1,000 records of the latency phase: figures that hold on a loaded
# machine, unlike the latency percentiles.
# Knobs: PRE_RECORDS (2000000 records of 100 B produced and consumed before the measurement; 0 = a fresh broker),
# PRE_MIX (simple: that topic only; harness: also 16 partitions, PRE_RECORDS/4 records of 1 KB and a fan-out to
# 4 groups, as bench/compare/run.sh does before its latency runs), RATE (100000),
# LAT_SECONDS (6), RDPERF (rdkafka_performance with the paced -r patch; bench/compare/run.sh builds it into
# ~/.cache/rill-compare), RILL_DLL (an already-built rill.dll), RILL_BIN (a published `rill` executable instead, e.g.
# from `dotnet publish src/Rill.Server -c Release -r linux-x64 -o DIR`, as bench/compare/run.sh runs it), DOTNET_COUNTERS (path of dotnet-counters),
# NICE (e.g. -15: see above), RILL_ENV (extra environment for the broker, e.g. "DOTNET_gcConcurrent=1").
set -euo pipefail
# NICE=-15 runs the broker and the load generators at a higher CPU priority than the rest of a shared machine
# (root only): the latency figures then say more about the broker than about the other processes' load.
if [[ -n ${NICE:-} && -z ${_RILL_LATENCY_NICED:-} ]]; then
    export _RILL_LATENCY_NICED=1
    exec nice -n "$NICE" bash "$0" "$@"
fi
repo=$(cd "$(dirname "$0")/.." && pwd)
PRE_RECORDS=${PRE_RECORDS:-2000000}
PRE_MIX=${PRE_MIX:-simple}
RATE=${RATE:-100000}
# Not SECONDS: bash sets that variable itself (seconds since the shell started), so it was always ~0 here.
SECONDS_=${LAT_SECONDS:-6}
RDPERF=${RDPERF:-$HOME/.cache/rill-compare/rdperf/examples/rdkafka_performance-paced2}
COUNTERS_BIN=${DOTNET_COUNTERS:-$(command -v dotnet-counters || echo /work/tools/dotnet-counters)}
[[ -x $RDPERF ]] || { echo "no rdkafka_performance at $RDPERF: run bench/compare/run.sh once (it builds it) or set RDPERF" >&2; exit 1; }
work=$(mktemp -d /tmp/rill-latency.XXXXXX)
server_pid="" counters_pid=""
cleanup() {
    [[ -n "$counters_pid" ]] && kill -KILL "$counters_pid" 2>/dev/null || true
    [[ -n "$server_pid" ]] && { kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true; }
    [[ "${KEEP:-0}" == 1 ]] && echo "# kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
log() { echo "# $*" >&2; }

dll=${RILL_DLL:-}
if [[ -n ${RILL_BIN:-} ]]; then
    [[ -x $RILL_BIN ]] || { echo "RILL_BIN=$RILL_BIN is not an executable" >&2; exit 1; }
    rill_cmd=("$RILL_BIN")
elif [[ -n "$dll" ]]; then
    rill_cmd=(dotnet "$dll")
else
    log "building src/Rill.Server (Release)"
    dotnet build "$repo/src/Rill.Server" -c Release -nologo -v q >"$work/build.log" 2>&1 || { tail -30 "$work/build.log" >&2; exit 1; }
    dll=$(dotnet msbuild "$repo/src/Rill.Server" -nologo -getProperty:TargetPath -p:Configuration=Release)
    rill_cmd=(dotnet "$dll")
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
b=127.0.0.1:$port
trace_env=()
if [[ "${TRACE:-0}" == 1 ]]; then
    # GC (0x1) at verbose level (pauses, per-generation collections, AllocationTick with LOH allocations) and
    # thread-pool (Threading 0x10000: worker adjustments, starvation).
    trace_env=(DOTNET_EnableEventPipe=1 "DOTNET_EventPipeOutputPath=$work/rill.nettrace"
        "DOTNET_EventPipeConfig=Microsoft-Windows-DotNETRuntime:0x10001:5")
fi
# shellcheck disable=SC2086
# The broker's own runtime event log (GC pauses, allocation samples, thread-pool starvation, lock contention):
# summarised per phase by bench/runtime_events.py. EVENTS=0 turns it off.
[[ "${EVENTS:-1}" == 1 ]] && trace_env+=("RILL_RUNTIME_EVENT_LOG=$work/runtime-events.tsv")
env "${trace_env[@]}" ${RILL_ENV:-} "${rill_cmd[@]}" serve --set "log.dirs=$work/data" --set "listeners=PLAINTEXT://$b" \
    --set group.initial.rebalance.delay.ms=0 --set rill.http.listener=none >"$work/server.log" 2>&1 &
server_pid=$!
for ((i = 0; i < 300; i++)); do
    grep -q "listening on $b" "$work/server.log" 2>/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || { tail -20 "$work/server.log" >&2; exit 1; }
    sleep 0.1
done
if [[ "${COUNTERS:-0}" == 1 ]]; then
    [[ -x $COUNTERS_BIN ]] || { echo "COUNTERS=1 needs dotnet-counters (dotnet tool install --tool-path /work/tools dotnet-counters)" >&2; exit 1; }
    "$COUNTERS_BIN" collect -p "$server_pid" --refresh-interval 1 --format csv -o "$work/counters.csv" --counters System.Runtime \
        >"$work/counters.log" 2>&1 &
    counters_pid=$!
fi

now_ms() { date +%s%3N; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$server_pid/stat"; }
pre_start=$(now_ms)
if ((PRE_RECORDS > 0)); then
    log "earlier traffic ($PRE_MIX): $PRE_RECORDS records of 100 B produced (acks=all, linger.ms=5) and consumed by a group"
    timeout 600 "$RDPERF" -P -b "$b" -t pre -p 0 -s 100 -c "$PRE_RECORDS" -a -1 -X linger.ms=5 >"$work/pre-produce.out" 2>&1 \
        || { tail -5 "$work/pre-produce.out" >&2; exit 1; }
    if [[ $PRE_MIX == harness ]]; then
        # What bench/compare/run.sh does before its latency runs, scaled: 16 partitions, 1 KB records, fan-out.
        log "earlier traffic (harness): 16 partitions, $((PRE_RECORDS / 4)) records of 1 KB, fan-out to 4 groups"
        /usr/bin/python3 "$repo/bench/compare/tools.py" create-topic "$b" pre16 16 >/dev/null
        timeout 600 "$RDPERF" -P -b "$b" -t pre16 -s 100 -c "$PRE_RECORDS" -a -1 -X linger.ms=5 -X sticky.partitioning.linger.ms=0 \
            >"$work/pre-produce16.out" 2>&1 || { tail -5 "$work/pre-produce16.out" >&2; exit 1; }
        timeout 600 "$RDPERF" -P -b "$b" -t pre1k -p 0 -s 1024 -c $((PRE_RECORDS / 4)) -a -1 -X linger.ms=5 \
            >"$work/pre-produce1k.out" 2>&1 || { tail -5 "$work/pre-produce1k.out" >&2; exit 1; }
        timeout 600 "$RDPERF" -C -b "$b" -t pre1k -p 0 -c $((PRE_RECORDS / 4)) -G pre1k-group -X auto.offset.reset=earliest \
            >"$work/pre-consume1k.out" 2>&1 || { tail -5 "$work/pre-consume1k.out" >&2; exit 1; }
        fan=()
        for g in 1 2 3 4; do
            timeout 600 "$RDPERF" -C -b "$b" -t pre -p 0 -c "$PRE_RECORDS" -G "fan-$g" -X auto.offset.reset=earliest >"$work/pre-fan.$g" 2>&1 &
            fan+=($!)
        done
        for p in "${fan[@]}"; do wait "$p" || { echo "fan-out consumer failed" >&2; exit 1; }; done
    fi
    timeout 600 "$RDPERF" -C -b "$b" -t pre -p 0 -c "$PRE_RECORDS" -G pre-group -X auto.offset.reset=earliest >"$work/pre-consume.out" 2>&1 \
        || { tail -5 "$work/pre-consume.out" >&2; exit 1; }
fi
pre_end=$(now_ms)

count=$((RATE * SECONDS_))
log "latency: $count records at $RATE msg/s"
# A new topic read from its beginning: the consumer gets every record however late it starts on a loaded machine.
/usr/bin/python3 - "$b" <<'PY'
import sys
from kafka.admin import KafkaAdminClient, NewTopic
admin = KafkaAdminClient(bootstrap_servers=sys.argv[1], request_timeout_ms=60000)
admin.create_topics([NewTopic("lat", 1, 1)], timeout_ms=60000)
admin.close()
PY
timeout $((SECONDS_ + 60)) "$RDPERF" -C -l -A "$work/latencies" -b "$b" -t lat -p 0 -o beginning -c "$count" >"$work/latc.out" 2>&1 &
cpid=$!
sleep 2
lat_start=$(now_ms) lat_cpu0=$(cpu_ticks)
timeout $((SECONDS_ + 60)) "$RDPERF" -P -l -r "$RATE" -b "$b" -t lat -p 0 -s 100 -c "$count" -a -1 -X linger.ms=0 >"$work/latp.out" 2>&1 \
    || { tail -5 "$work/latp.out" >&2; kill "$cpid" 2>/dev/null; exit 1; }
wait "$cpid" || { tail -5 "$work/latc.out" >&2; exit 1; }
lat_end=$(now_ms) lat_cpu1=$(cpu_ticks)
achieved=$(grep 'messages produced' "$work/latp.out" | tail -1 | sed -E 's/.*: ([0-9]+) msgs\/s.*/\1/')
read -r n p50 p99 p999 max < <(/usr/bin/python3 "$repo/bench/compare/tools.py" percentiles "$work/latencies")
# Broker CPU per 1,000 records of the latency phase (clock ticks are 10 ms): survives a loaded machine better than times.
cpu_ms=$(( (lat_cpu1 - lat_cpu0) * 1000 / $(getconf CLK_TCK) ))
echo "pre_records=$PRE_RECORDS pre_mix=$PRE_MIX rate=$RATE achieved=$achieved count=$n p50_ms=$p50 p99_ms=$p99 p999_ms=$p999 max_ms=$max broker_cpu_ms_per_1k=$(awk -v c="$cpu_ms" -v n="$n" 'BEGIN { printf "%.2f", n ? c * 1000 / n : 0 }')"
if [[ -s $work/runtime-events.tsv ]]; then
    /usr/bin/python3 "$repo/bench/runtime_events.py" "$work/runtime-events.tsv" "$pre_start" "$pre_end" earlier
    /usr/bin/python3 "$repo/bench/runtime_events.py" "$work/runtime-events.tsv" "$lat_start" "$lat_end" latency
fi
echo "# broker after the run: RSS $(awk '/^VmRSS/ { printf "%.1f MB", $2 / 1024 }' "/proc/$server_pid/status"), peak $(awk '/^VmHWM/ { printf "%.1f MB", $2 / 1024 }' "/proc/$server_pid/status")"

if [[ -n "$counters_pid" ]]; then
    # dotnet-counters ignores SIGINT without a terminal (it waited for 'q' and kept this script and the broker
    # running): TERM, then KILL.
    kill "$counters_pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do kill -0 "$counters_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$counters_pid" 2>/dev/null || true
    wait "$counters_pid" 2>/dev/null || true; counters_pid=""
    /usr/bin/python3 - "$work/counters.csv" <<'PY' >&2
import csv, sys, collections
last, peak = {}, collections.defaultdict(float)
with open(sys.argv[1]) as f:
    for row in csv.reader(f):
        if len(row) < 5 or row[0] == "Timestamp":
            continue
        name, value = row[2], row[4]
        try:
            v = float(value)
        except ValueError:
            continue
        last[name] = v
        peak[name] = max(peak[name], v)
for name in sorted(last):
    print(f"# counter {name}: last {last[name]:g}, peak {peak[name]:g}")
PY
fi
[[ -f $work/rill.nettrace ]] && log "trace: $work/rill.nettrace (KEEP=1 to keep it)"
echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
