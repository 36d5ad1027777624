#!/usr/bin/env bash
# End-to-end producer benchmark: librdkafka's rdkafka_performance against Rill and against
# librdkafka's own in-memory mock cluster, in the same run. See bench/README.md.
#
# Usage: bench/run-rdkafka-performance.sh [/path/to/rdkafka_performance]
#   (or set RDKAFKA_PERFORMANCE=/path/to/rdkafka_performance)
#
# Knobs (environment):
#   RECORDS=2000000  records per run        SIZE=100      record value size in bytes
#   RUNS=5           timed runs per target  WARMUP=200000 records of an untimed first run
#   LINGER_MS=5      producer linger.ms (rdkafka_performance itself defaults to 1000, which
#                    makes every run wait up to a second for its last, partial batch)
#   TARGETS="rill mock-process mock-inprocess"   which targets to run, in this order
#   RILL_DLL=...     an already-built rill.dll; otherwise src/Rill.Server is built in Release
#   KEEP=1           keep the temp dir (Rill's log dir, all raw outputs) for inspection
set -euo pipefail

perf=${1:-${RDKAFKA_PERFORMANCE:-}}
if [[ -z "$perf" || ! -x "$perf" ]]; then
    echo "usage: $0 /path/to/rdkafka_performance   (or RDKAFKA_PERFORMANCE=...)" >&2
    exit 2
fi
perf=$(cd "$(dirname "$perf")" && pwd)/$(basename "$perf")

RECORDS=${RECORDS:-2000000}
SIZE=${SIZE:-100}
RUNS=${RUNS:-5}
WARMUP=${WARMUP:-200000}
LINGER_MS=${LINGER_MS:-5}
TARGETS=${TARGETS:-"rill mock-process mock-inprocess"}

repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/rill-rdperf.XXXXXX)
hz=$(getconf CLK_TCK)
server_pid=""

cleanup() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [[ "${KEEP:-0}" == 1 ]]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

log() { echo "# $*" >&2; }

# CPU seconds (user+system) used so far by a process, from /proc/PID/stat.
cpu_seconds() {
    awk -v hz="$hz" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"
}

free_port() {
    local py=/usr/bin/python3
    [[ -x $py ]] || py=python3
    "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Waits (bounded) until a file contains a pattern; fails if the process died first.
wait_for() { # file pattern pid seconds
    local i
    for ((i = 0; i < $4 * 10; i++)); do
        if grep -q -- "$2" "$1" 2>/dev/null; then return 0; fi
        if ! kill -0 "$3" 2>/dev/null; then
            log "process $3 exited before printing '$2':"; tail -20 "$1" >&2; return 1
        fi
        sleep 0.1
    done
    log "timed out after $4 s waiting for '$2' in $1"; tail -20 "$1" >&2; return 1
}

# One producer run. Prints "records_per_s MB_per_s producer_cpu_s server_cpu_s wall_s".
# Args: label run-index count [extra rdkafka_performance args...]
produce() {
    local label=$1 idx=$2 count=$3; shift 3
    local out="$work/$label-$idx.out" tfile="$work/$label-$idx.time"
    local before=0 after=0
    [[ -n "$server_pid" ]] && before=$(cpu_seconds "$server_pid")
    local t0 t1
    t0=$(date +%s.%N)
    /usr/bin/time -f '%U %S' -o "$tfile" \
        "$perf" -P -t "rdperf-$label-$idx" -p 0 -s "$SIZE" -c "$count" -a -1 \
        -X "linger.ms=$LINGER_MS" "$@" >"$out" 2>&1 || { log "rdkafka_performance failed:"; tail -20 "$out" >&2; return 1; }
    t1=$(date +%s.%N)
    [[ -n "$server_pid" ]] && after=$(cpu_seconds "$server_pid")
    local summary
    summary=$(grep 'messages produced' "$out" | tail -1)
    local delivered failed
    delivered=$(sed -E 's/.* ([0-9]+) delivered .*/\1/' <<<"$summary")
    failed=$(sed -E 's/.*, ([0-9]+) failed\).*/\1/' <<<"$summary")
    if [[ "$delivered" != "$count" || "$failed" != 0 ]]; then
        log "$label run $idx: $delivered of $count delivered, $failed failed:"; tail -5 "$out" >&2; return 1
    fi
    local rps mbps
    rps=$(sed -E 's/.*: ([0-9]+) msgs\/s.*/\1/' <<<"$summary")
    mbps=$(sed -E 's/.* and ([0-9.]+) MB\/s.*/\1/' <<<"$summary")
    local pcpu
    pcpu=$(awk '{ printf "%.2f", $1 + $2 }' "$tfile")
    echo "$rps $mbps $pcpu $(awk -v a="$after" -v b="$before" 'BEGIN { printf "%.2f", a - b }') $(awk -v a="$t1" -v b="$t0" 'BEGIN { printf "%.2f", a - b }')"
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

rows=()
# Runs the warm-up and RUNS timed runs for one target and appends a table row.
measure() { # label description [extra args...]
    local label=$1 desc=$2; shift 2
    log "$label: warm-up ($WARMUP records)"
    produce "$label" warmup "$WARMUP" "$@" >/dev/null
    local i results=()
    for ((i = 1; i <= RUNS; i++)); do
        local r
        r=$(produce "$label" "$i" "$RECORDS" "$@")
        log "$label run $i: records/s MB/s producer-cpu-s server-cpu-s wall-s = $r"
        results+=("$r")
    done
    local rps mbps pcpu scpu wall all
    rps=$(printf '%s\n' "${results[@]}" | awk '{ print $1 }' | median)
    mbps=$(printf '%s\n' "${results[@]}" | awk '{ print $2 }' | median)
    pcpu=$(printf '%s\n' "${results[@]}" | awk '{ print $3 }' | median)
    scpu=$(printf '%s\n' "${results[@]}" | awk '{ print $4 }' | median)
    wall=$(printf '%s\n' "${results[@]}" | awk '{ print $5 }' | median)
    all=$(printf '%s\n' "${results[@]}" | awk '{ printf "%s%s", sep, $1; sep = ", " }')
    [[ -n "$server_pid" ]] || scpu="-"
    rows+=("| $desc | $rps | $mbps | $pcpu | $scpu | $wall | $all |")
}

start_rill() {
    local dll=${RILL_DLL:-}
    if [[ -z "$dll" ]]; then
        log "building src/Rill.Server (Release)"
        dotnet build "$repo/src/Rill.Server" -c Release -nologo -v q >"$work/build.log" 2>&1 \
            || { tail -30 "$work/build.log" >&2; return 1; }
        dll=$(dotnet msbuild "$repo/src/Rill.Server" -nologo -getProperty:TargetPath -p:Configuration=Release)
    fi
    local port
    port=$(free_port)
    mkdir -p "$work/rill-data"
    log "starting rill serve on 127.0.0.1:$port, log.dirs=$work/rill-data"
    dotnet "$dll" serve --set "log.dirs=$work/rill-data" --set "listeners=PLAINTEXT://127.0.0.1:$port" \
        >"$work/rill.out" 2>&1 &
    server_pid=$!
    wait_for "$work/rill.out" "Rill listening on 127.0.0.1:$port" "$server_pid" 120
    rill_addr=127.0.0.1:$port
}

stop_server() {
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
}

version=$({ "$perf" 2>&1 || true; } | sed -nE 's/^librdkafka version ([^ ]+).*/\1/p' | head -1)
log "rdkafka_performance $perf (librdkafka $version), $RECORDS x $SIZE B, acks=all, 1 partition, $RUNS runs"

for target in $TARGETS; do
    case $target in
    rill)
        start_rill
        measure rill "Rill (\`rill serve\`, release, separate process)" -b "$rill_addr"
        grep -E '^VmHWM' "/proc/$server_pid/status" | awk '{ printf "# rill peak RSS: %d MB\n", $2 / 1024 }' >&2
        stop_server
        ;;
    mock-process)
        # An idle rdkafka_performance (-I) with test.mock.num.brokers=1 is a mock cluster in its own
        # process; it logs the address that replaced bootstrap.servers.
        "$perf" -P -I -t idle -X test.mock.num.brokers=1 >"$work/mock.out" 2>&1 &
        server_pid=$!
        wait_for "$work/mock.out" "replaced with 127.0.0.1:" "$server_pid" 30
        mock_addr=$(grep -oE 'replaced with 127\.0\.0\.1:[0-9]+' "$work/mock.out" | head -1 | awk '{ print $3 }')
        measure mock-process "librdkafka mock cluster (separate process)" -b "$mock_addr"
        stop_server
        ;;
    mock-inprocess)
        measure mock-inprocess "librdkafka mock cluster (inside the producer process)" -X test.mock.num.brokers=1
        ;;
    *) log "unknown target $target"; exit 2 ;;
    esac
done

echo
echo "rdkafka_performance (librdkafka $version), $RECORDS records x $SIZE B, acks=all (-a -1), partition 0," \
    "linger.ms=$LINGER_MS, median of $RUNS runs after a $WARMUP-record warm-up; $(nproc) cores."
echo
echo "| Target | records/s | MB/s | producer CPU s | server CPU s | wall s | records/s of each run |"
echo "|---|---:|---:|---:|---:|---:|---|"
printf '%s\n' "${rows[@]}"
