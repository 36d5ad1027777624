#!/usr/bin/env bash
# Produce-path profile: one `rill serve`, one topic per case, librdkafka's rdkafka_performance as the
# load generator (acks=all), and per case the measures that survive a loaded machine: the broker's CPU
# seconds per GB produced and, with STRACE=1, its syscalls per MB (strace -c -f, a separate run, since
# strace slows the broker). With PERF=1 a `perf record` CPU profile of the broker (perf map enabled) is
# written to the work dir and its top symbols printed. See docs/dev/storage.md (Append: profile).
#
# Usage: bench/produce-profile.sh /path/to/rdkafka_performance
# Knobs: CASES="SIZE:PARTITIONS:COUNT ..." (default "100:1:1000000 100:16:1000000 1024:1:300000 1024:16:300000")
#        RILL_DLL (else src/Rill.Server is built in Release), STRACE=1, PERF=1, KEEP=1
set -euo pipefail
perf_tool=${1:?usage: $0 /path/to/rdkafka_performance}
CASES=${CASES:-"100:1:1000000 100:16:1000000 1024:1:300000 1024:16:300000"}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/rill-produce-profile.XXXXXX)
hz=$(getconf CLK_TCK)
PY=/usr/bin/python3
pid=""
cleanup() {
    [[ -n $pid ]] && { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
    if [[ ${KEEP:-0} == 1 ]]; then echo "# kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
cpu() { awk -v hz="$hz" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }
ucpu() { awk -v hz="$hz" '{ printf "%.2f", $14 / hz }' "/proc/$1/stat"; }

dll=${RILL_DLL:-}
if [[ -z $dll ]]; then
    dotnet build "$repo/src/Rill.Server" -c Release -nologo -v q -p:SkipConsoleFrontend=true >"$work/build.log" 2>&1 || { tail -20 "$work/build.log"; exit 1; }
    dll=$(dotnet msbuild "$repo/src/Rill.Server" -nologo -getProperty:TargetPath -p:Configuration=Release)
fi
port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
DOTNET_PerfMapEnabled=${PERF:-0} DOTNET_EnableWriteXorExecute=$((1 - ${PERF:-0})) DOTNET_ReadyToRun=$((1 - ${PERF:-0})) DOTNET_TieredPGO=0 dotnet "$dll" serve --set "log.dirs=$work/data" --set "listeners=PLAINTEXT://127.0.0.1:$port" >"$work/rill.out" 2>&1 &
pid=$!
for ((i = 0; i < 1200; i++)); do grep -q "Rill listening" "$work/rill.out" && break; sleep 0.1; done
b=127.0.0.1:$port

run() { # topic size count [extra]
    local t=$1 s=$2 c=$3; shift 3
    timeout 300 "$perf_tool" -P -b "$b" -t "$t" -s "$s" -c "$c" -a -1 -X linger.ms=5 "$@" >"$work/perf.out" 2>&1
    local line
    line=$(grep 'messages produced' "$work/perf.out" | tail -1)
    # Every record must be delivered (a broker refusing batches, e.g. CORRUPT_MESSAGE, would still print a rate).
    [[ $(sed -E 's/.* ([0-9]+) delivered .*/\1/' <<<"$line") == "$c" ]] || { echo "not all delivered: $line" >&2; exit 1; }
    sed -E 's/.*: ([0-9]+) msgs\/s and ([0-9.]+) MB\/s.*/\1 \2/' <<<"$line"
}
n=0
echo "| case | records/s | MB/s | broker CPU s | CPU s per GB | of it user | syscalls per MB | load avg |"
echo "|---|---:|---:|---:|---:|---:|---:|---|"
for c in $CASES; do
    IFS=: read -r size parts count <<<"$c"
    extra=(-X sticky.partitioning.linger.ms=0); [[ $parts == 1 ]] && extra=(-p 0)
    n=$((n + 1)); t=prof-$n
    "$PY" "$repo/bench/compare/tools.py" create-topic "$b" "$t" "$parts" >/dev/null
    run "$t" "$size" "${WARMUP:-50000}" "${extra[@]}" >/dev/null # warm-up (PERF: enough for the JIT to finish)
    before=$(cpu "$pid"); ubefore=$(ucpu "$pid")
    if [[ ${PERF:-0} == 1 ]]; then
        perf record -F 999 -g -p "$pid" -o "$work/perf-$size-$parts.data" >/dev/null 2>&1 & ppid=$!
    fi
    r=$(run "$t" "$size" "$count" "${extra[@]}")
    after=$(cpu "$pid"); uafter=$(ucpu "$pid")
    if [[ ${PERF:-0} == 1 ]]; then kill -INT $ppid; wait $ppid 2>/dev/null || true; fi
    mb=$(awk -v s="$size" -v c="$count" 'BEGIN { printf "%.1f", s * c / 1e6 }')
    spm="-"
    if [[ ${STRACE:-0} == 1 ]]; then
        strace -c -f -p "$pid" -o "$work/strace-$size-$parts.txt" & spid=$!
        sleep 1
        sc=$((count / 4))
        run "$t" "$size" "$sc" "${extra[@]}" >/dev/null
        kill -INT $spid; wait $spid 2>/dev/null || true
        calls=$(awk '/^-+/ { n++ } n == 2 && /total/ { print $3 }' "$work/strace-$size-$parts.txt")
        [[ -z $calls ]] && calls=$(tail -1 "$work/strace-$size-$parts.txt" | awk '{ print $(NF-2) }')
        spm=$(awk -v k="$calls" -v s="$size" -v c="$sc" 'BEGIN { printf "%.0f", k / (s * c / 1e6) }')
    fi
    echo "| ${size} B x $parts p | $(awk '{ print $1 }' <<<"$r") | $(awk '{ print $2 }' <<<"$r") | $(awk -v a="$after" -v b="$before" 'BEGIN { printf "%.2f", a - b }') | $(awk -v a="$after" -v b="$before" -v mb="$mb" 'BEGIN { printf "%.2f", (a - b) / mb * 1000 }') | $(awk -v a="$uafter" -v b="$ubefore" -v mb="$mb" 'BEGIN { printf "%.2f", (a - b) / mb * 1000 }') | $spm | $(cut -d' ' -f1 /proc/loadavg) |"
done
if [[ ${PERF:-0} == 1 ]]; then
    for f in "$work"/perf-*.data; do
        echo; echo "## $(basename "$f")"
        perf report -i "$f" --no-children --sort dso,symbol --stdio -g none 2>/dev/null | grep -v '^#' | grep '%' | head -40
    done
fi
