#!/usr/bin/env bash
# Transactional producer committing every 100 ms versus the idempotent producer (issue 13's target:
# >= 70 %), `rill bench producer` (Rill.Client) against one `rill serve`, 100-byte records, acks=all,
# one partition, a new topic per run, rounds alternating which goes first; medians.
# Usage: bench/transactions/throughput.sh [rounds=3] [records=1000000]   (Release build of src/Rill.Server first)
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3}
records=${2:-1000000}
rill=${RILL_DLL:-src/Rill.Server/bin/Release/net10.0/rill.dll}
[ -f "$rill" ] || { echo "build first: dotnet build -c Release src/Rill.Server/Rill.Server.csproj" >&2; exit 1; }
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
dotnet "$rill" serve --set "log.dirs=$work/data" --set "listeners=PLAINTEXT://127.0.0.1:0" --set rill.http.listener=none > "$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 200); do grep -q 'Rill listening on' "$work/serve.log" && break; sleep 0.1; done
port=$(grep -o 'Rill listening on 127.0.0.1:[0-9]*' "$work/serve.log" | head -1 | cut -d: -f2)
run() { # topic, extra args -> records/s
  local topic=$1; shift
  dotnet "$rill" bench producer --bootstrap-server "127.0.0.1:$port" --topic "$topic" --records "$records" --record-size 100 --acks all --quiet "$@" 2>/dev/null \
    | grep -o '[0-9.]* records/sec' | head -1 | cut -d' ' -f1
}
i=(); t=()
for r in $(seq "$rounds"); do
  if (( r % 2 )); then
    i+=("$(run "idem-$r")"); t+=("$(run "txn-$r" --transactional-id "bench-$r" --transaction-duration-ms 100)")
  else
    t+=("$(run "txn-$r" --transactional-id "bench-$r" --transaction-duration-ms 100)"); i+=("$(run "idem-$r")")
  fi
  echo "round $r: idempotent ${i[-1]} records/s, transactional (commit every 100 ms) ${t[-1]} records/s"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
m_i=$(median "${i[@]}"); m_t=$(median "${t[@]}")
echo "median: idempotent $m_i records/s, transactional $m_t records/s, ratio $(awk -v a="$m_t" -v b="$m_i" 'BEGIN {printf "%.3f", a/b}')"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
