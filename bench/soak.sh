#!/usr/bin/env bash
# Soak: one `rill serve` under sustained, mixed traffic for DURATION seconds (default an hour), with end-to-end latency
# and the broker's resources per window, and the run checked for lost, duplicated or reordered records at the end
# (bench/soak/soak.py says what runs and what is checked). Exit status 1 when a check fails.
#
# Usage: bench/soak.sh
# Knobs: DURATION (3600 s), WINDOW (60 s), RATE (20000 records/s of SIZE=100 B to 16 partitions), CHURN (30 s),
#        SEGMENT_BYTES (16 MiB) and RETENTION_BYTES (64 MiB per partition): segments roll and are deleted all along;
#        RDPERF (rdkafka_performance with the paced -r patch, built by bench/compare/run.sh into ~/.cache/rill-compare):
#        when present, every window also measures latency at PROBE_RATE (100000) msg/s for 6 s, as
#        bench/latency-after-traffic.sh does (PROBE=0: not); RILL_BIN (a published `rill`, as bench/compare/run.sh runs it) or RILL_DLL,
#        else src/Rill.Server is built in Release; KEEP=1 keeps the work dir (data, broker log, soak.json).
# tests/Rill.Interop.Tests/SoakTests.cs runs a short version in CI.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
DURATION=${DURATION:-3600}
WINDOW=${WINDOW:-60}
RDPERF=${RDPERF:-$HOME/.cache/rill-compare/rdperf/examples/rdkafka_performance-paced2}
work=$(mktemp -d /tmp/rill-soak.XXXXXX)
pid=""
cleanup() {
    [[ -n $pid ]] && { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
    if [[ ${KEEP:-0} == 1 ]]; then echo "# kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

if [[ -n ${RILL_BIN:-} ]]; then
    rill_cmd=("$RILL_BIN")
elif [[ -n ${RILL_DLL:-} ]]; then
    rill_cmd=(dotnet "$RILL_DLL")
else
    echo "# building src/Rill.Server (Release)" >&2
    dotnet build "$repo/src/Rill.Server" -c Release -nologo -v q >"$work/build.log" 2>&1 || { tail -30 "$work/build.log" >&2; exit 1; }
    rill_cmd=(dotnet "$(dotnet msbuild "$repo/src/Rill.Server" -nologo -getProperty:TargetPath -p:Configuration=Release)")
fi
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
# Retention checked every 5 s (Kafka's default is 5 min) so that the deletions keep pace with the small segments.
# The broker's runtime event log (GC pauses, allocation samples, thread-pool starvation, lock contention), summarised
# for the whole run at the end by bench/runtime_events.py.
RILL_RUNTIME_EVENT_LOG=$work/runtime-events.tsv "${rill_cmd[@]}" serve --set "log.dirs=$work/data" --set "listeners=PLAINTEXT://127.0.0.1:$port" --set rill.http.listener=none \
    --set group.initial.rebalance.delay.ms=0 --set log.retention.check.interval.ms=5000 >"$work/rill.log" 2>&1 &
pid=$!
for ((i = 0; i < 300; i++)); do
    grep -q "Rill listening" "$work/rill.log" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || { tail -20 "$work/rill.log" >&2; exit 1; }
    sleep 0.1
done
probe=()
if [[ ${PROBE:-1} == 0 ]]; then
    echo "# PROBE=0: no latency probe" >&2
elif [[ -x $RDPERF ]]; then
    probe=(--probe "$RDPERF" --probe-rate "${PROBE_RATE:-100000}")
else
    echo "# no rdkafka_performance at $RDPERF: no latency probe (run bench/compare/run.sh once, or set RDPERF)" >&2
fi
echo "# soak: ${DURATION} s, windows of ${WINDOW} s, load average $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
start_ms=$(date +%s%3N)
/usr/bin/python3 "$repo/bench/soak/soak.py" --bootstrap "127.0.0.1:$port" --pid "$pid" --data-dir "$work/data" \
    --duration "$DURATION" --window "$WINDOW" --rate "${RATE:-20000}" --size "${SIZE:-100}" --churn "${CHURN:-30}" \
    --segment-bytes "${SEGMENT_BYTES:-16777216}" --retention-bytes "${RETENTION_BYTES:-67108864}" "${probe[@]}" \
    --json "$work/soak.json" || status=$?
[[ -s $work/runtime-events.tsv ]] && /usr/bin/python3 "$repo/bench/runtime_events.py" "$work/runtime-events.tsv" "$start_ms" "$(date +%s%3N)" soak
echo "# load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); errors in the broker log: $(grep -c -E ' (fail|crit):' "$work/rill.log" || true)"
exit $status
