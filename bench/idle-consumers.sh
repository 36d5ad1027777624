#!/usr/bin/env bash
# What idle consumers cost the broker: CONSUMERS (default 20) librdkafka consumers long-poll an empty
# partition (fetch.wait.max.ms 500, so each Fetch ends by its timeout, twice a second) and the broker's CPU
# time is read from /proc over MEASURE_S (default 10) seconds. Prints
#   consumers=N seconds=S broker_cpu_ms_per_s=..
# A CPU figure, so it holds better on a loaded machine than a latency would; compare builds back to back
# (RILL_DLL=path/to/rill.dll). Issue 16: the end of each timed-out long poll used to spin.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
CONSUMERS=${CONSUMERS:-20}
MEASURE_S=${MEASURE_S:-10}
RDPERF=${RDPERF:-$HOME/.cache/rill-compare/rdperf/examples/rdkafka_performance-paced2}
[[ -x $RDPERF ]] || { echo "no rdkafka_performance at $RDPERF: run bench/compare/run.sh once (it builds it) or set RDPERF" >&2; exit 1; }
work=$(mktemp -d /tmp/rill-idle.XXXXXX)
server_pid="" consumer_pids=()
cleanup() {
    for p in "${consumer_pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${consumer_pids[@]}"; do wait "$p" 2>/dev/null || true; done
    [[ -n "$server_pid" ]] && { kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true; }
    rm -rf "$work"
}
trap cleanup EXIT
dll=${RILL_DLL:-}
if [[ -z "$dll" ]]; then
    dotnet build "$repo/src/Rill.Server" -c Release -nologo -v q >"$work/build.log" 2>&1 || { tail -30 "$work/build.log" >&2; exit 1; }
    dll=$(dotnet msbuild "$repo/src/Rill.Server" -nologo -getProperty:TargetPath -p:Configuration=Release)
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
b=127.0.0.1:$port
dotnet "$dll" serve --set "log.dirs=$work/data" --set "listeners=PLAINTEXT://$b" --set rill.http.listener=none >"$work/server.log" 2>&1 &
server_pid=$!
for ((i = 0; i < 300; i++)); do
    grep -q "listening on $b" "$work/server.log" 2>/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || { tail -20 "$work/server.log" >&2; exit 1; }
    sleep 0.1
done
/usr/bin/python3 "$repo/bench/compare/tools.py" create-topic "$b" idle 1 >/dev/null
for ((i = 0; i < CONSUMERS; i++)); do
    timeout $((MEASURE_S + 60)) "$RDPERF" -C -b "$b" -t idle -p 0 -o end -q >"$work/c.$i" 2>&1 &
    consumer_pids+=($!)
done
sleep 3 # connected and polling
ticks() { awk '{ print $14 + $15 }' "/proc/$server_pid/stat"; }
COUNTERS_BIN=${DOTNET_COUNTERS:-$(command -v dotnet-counters || echo /work/tools/dotnet-counters)}
alloc=""
if [[ -x $COUNTERS_BIN ]]; then
    # Allocation rate over the same window (dotnet-counters, System.Runtime's dotnet.gc.heap.total_allocated).
    "$COUNTERS_BIN" collect -p "$server_pid" --refresh-interval 1 --format csv -o "$work/counters.csv" \
        --counters 'System.Runtime[dotnet.gc.heap.total_allocated]' --duration "00:00:$(printf %02d "$MEASURE_S")" >/dev/null 2>&1 &
    counters=$!
fi
t0=$(ticks)
sleep "$MEASURE_S"
t1=$(ticks)
if [[ -n ${counters:-} ]]; then
    wait "$counters" 2>/dev/null || true
    alloc=" broker_alloc_mb_per_s=$(awk -F, '/total_allocated/ { s += $5; n++ } END { printf "%.2f", n ? s / n / 1e6 : 0 }' "$work/counters.csv" 2>/dev/null)"
fi
echo "consumers=$CONSUMERS seconds=$MEASURE_S broker_cpu_ms_per_s=$(( (t1 - t0) * 1000 / $(getconf CLK_TCK) / MEASURE_S ))$alloc"
echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
