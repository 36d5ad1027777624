#!/usr/bin/env bash
# Produce throughput of `rill serve` with metrics on (HTTP listener up, /metrics scraped every
# second over one keep-alive connection) versus off (rill.http.listener=none), same machine, same run, rounds interleaved.
# Usage: [SCRAPE_INTERVAL=1] [WARMUP=1000000] [WARMUP_SETTLE=5] bench/metrics-overhead.sh [rounds=3] [records=2000000]   (Release build of src/Rill.Server first)
# Prints records/s and the broker's CPU time per record (utime+stime from /proc) for each.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
records=${2:-2000000}
rill=src/Rill.Server/bin/Release/net10.0/rill.dll
[ -f "$rill" ] || { echo "build first: dotnet build -c Release src/Rill.Server/Rill.Server.csproj" >&2; exit 1; }
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}" $(cat "$work"/*.pid 2>/dev/null); do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

start() { # name, extra --set (runs in $(...): the broker's pid goes to a file, not to pids)
  local name=$1; shift
  dotnet "$rill" serve --set "log.dirs=$work/$name" --set listeners=PLAINTEXT://127.0.0.1:0 "$@" > "$work/$name.log" 2>&1 &
  echo $! > "$work/$name.pid"
  for _ in $(seq 300); do grep -q "Rill listening on" "$work/$name.log" && break; sleep 0.1; done
  grep -o 'Rill listening on 127.0.0.1:[0-9]*' "$work/$name.log" | cut -d: -f2
}
on_port=$(start on --set rill.http.listener=http://127.0.0.1:0)
off_port=$(start off --set rill.http.listener=none)
http=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/on.log")
# SCRAPE_INTERVAL=0 runs without the scraper: the instruments still record (the SDK listens), nothing collects.
scrape=${SCRAPE_INTERVAL:-1}
if [ "$scrape" != 0 ]; then
  # One curl, one keep-alive connection, one scrape per interval: as Prometheus scrapes. (A new
  # connection per scrape costs the broker several times the scrape itself.)
  curl -s --rate "$((60 / scrape))/m" $(for _ in $(seq 3600); do printf '%s ' "$http/metrics"; done) > /dev/null &
  pids+=($!)
fi

on_pid=$(cat "$work/on.pid"); off_pid=$(cat "$work/off.pid")
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # utime + stime of the broker, in clock ticks
hz=$(getconf CLK_TCK)

run() { # port pid -> "records/s broker-cpu-us/record"
  local before after rate
  before=$(cpu_ticks "$2")
  rate=$(dotnet "$rill" bench producer --bootstrap-server "127.0.0.1:$1" --records "$records" --record-size 100 --acks 1 2>/dev/null \
    | grep -o '[0-9.]* records/s' | head -1 | cut -d' ' -f1)
  after=$(cpu_ticks "$2")
  echo "$rate $(awk -v t=$((after - before)) -v hz="$hz" -v n="$records" 'BEGIN {printf "%.3f", t / hz * 1e6 / n}')"
}
# Warm-up, not measured: both brokers take WARMUP records (default 1,000,000) and then sit for a few seconds.
# Without it the first rounds measure the JIT: a perf profile of a fresh broker during a 1 M-record run had
# 36-43 % of its CPU in libclrjit.so and 21 % in libcoreclr.so (tiered compilation promoting the produce path),
# and the broker with the HTTP listener has more to compile (Kestrel, the OpenTelemetry SDK, the scrape and the
# console's timers) and keeps jitting new tier-0 code every second, which postpones the tier-up of the produce
# path: in the profile its produce code ran at tier 0 (QuickJitted) 5 times as often as the other broker's.
warmup=${WARMUP:-1000000}
if [ "$warmup" != 0 ]; then
  for p in "$off_port" "$on_port"; do
    dotnet "$rill" bench producer --bootstrap-server "127.0.0.1:$p" --records "$warmup" --record-size 100 --acks 1 >/dev/null 2>&1
  done
  sleep "${WARMUP_SETTLE:-5}"
fi
on=(); off=(); on_cpu=(); off_cpu=()
for r in $(seq "$rounds"); do
  if (( r % 2 )); then  # alternate which goes first, so neither always runs behind the other's flush
    read -r a b <<<"$(run "$off_port" "$off_pid")"; off+=("$a"); off_cpu+=("$b")
    read -r a b <<<"$(run "$on_port" "$on_pid")"; on+=("$a"); on_cpu+=("$b")
  else
    read -r a b <<<"$(run "$on_port" "$on_pid")"; on+=("$a"); on_cpu+=("$b")
    read -r a b <<<"$(run "$off_port" "$off_pid")"; off+=("$a"); off_cpu+=("$b")
  fi
  echo "round $r: off ${off[-1]} records/s (${off_cpu[-1]} broker CPU us/record), on ${on[-1]} records/s (${on_cpu[-1]} us/record)"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
m_on=$(median "${on[@]}"); m_off=$(median "${off[@]}")
c_on=$(median "${on_cpu[@]}"); c_off=$(median "${off_cpu[@]}")
echo "median: off $m_off records/s, on $m_on records/s, on/off $(awk -v a="$m_on" -v b="$m_off" 'BEGIN {printf "%.3f", a/b}')"
# Broker CPU per record is far less sensitive than wall-clock throughput to other load on the machine.
echo "median broker CPU: off $c_off us/record, on $c_on us/record, off/on $(awk -v a="$c_on" -v b="$c_off" 'BEGIN {printf "%.3f", b/a}')"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
curl -s "$http/metrics" | grep -E '^rill_topic_in_messages_total' || true
