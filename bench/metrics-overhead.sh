#!/usr/bin/env bash
# Produce throughput of `rill serve` with metrics on (HTTP listener up, /metrics scraped every
# second) versus off (rill.http.listener=none), same machine, same run, rounds interleaved.
# Usage: bench/metrics-overhead.sh [rounds=3] [records=2000000]   (Release build of src/Rill.Server first)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
records=${2:-2000000}
rill=src/Rill.Server/bin/Release/net10.0/rill.dll
[ -f "$rill" ] || { echo "build first: dotnet build -c Release src/Rill.Server/Rill.Server.csproj" >&2; exit 1; }
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

start() { # name, extra --set
  local name=$1; shift
  dotnet "$rill" serve --set "log.dirs=$work/$name" --set listeners=PLAINTEXT://127.0.0.1:0 "$@" > "$work/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do grep -q "Rill listening on" "$work/$name.log" && break; sleep 0.1; done
  grep -o 'Rill listening on 127.0.0.1:[0-9]*' "$work/$name.log" | cut -d: -f2
}
on_port=$(start on --set rill.http.listener=http://127.0.0.1:0)
off_port=$(start off --set rill.http.listener=none)
http=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/on.log")
( while sleep 1; do curl -s "$http/metrics" > /dev/null || true; done ) &
pids+=($!)

run() { # port -> records/s
  dotnet "$rill" bench producer --bootstrap-server "127.0.0.1:$1" --records "$records" --record-size 100 --acks 1 2>/dev/null \
    | grep -o '[0-9.]* records/s' | head -1 | cut -d' ' -f1
}
on=(); off=()
for r in $(seq "$rounds"); do
  if (( r % 2 )); then  # alternate which goes first, so neither always runs behind the other's flush
    off+=("$(run "$off_port")"); on+=("$(run "$on_port")")
  else
    on+=("$(run "$on_port")"); off+=("$(run "$off_port")")
  fi
  echo "round $r: off ${off[-1]} records/s, on ${on[-1]} records/s"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
m_on=$(median "${on[@]}"); m_off=$(median "${off[@]}")
echo "median: off $m_off records/s, on $m_on records/s, on/off $(awk -v a="$m_on" -v b="$m_off" 'BEGIN {printf "%.3f", a/b}')"
curl -s "$http/metrics" | grep -E '^rill_topic_in_messages_total' || true
