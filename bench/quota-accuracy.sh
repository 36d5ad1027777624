#!/usr/bin/env bash
# Client quota accuracy: a librdkafka producer (confluent-kafka-python) sends as fast as it can for
# SECONDS against a producer_byte_rate quota on its client id, next to an unthrottled producer on the
# same broker; prints the achieved rate of each, the ratio to the quota and librdkafka's throttle.max.
# Kafka's default windows (quota.window.num=11 x 1 s) unless WINDOWS is given: the first ~10 windows'
# worth goes through before the first throttle, so short runs overshoot by (SECONDS + 10) / SECONDS at most.
# Usage: bench/quota-accuracy.sh [seconds=30] [quotas="1000000 5000000"] [windows=11]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
quotas=${2:-"1000000 5000000"}
windows=${3:-11}
rill=src/Rill.Server/bin/Release/net10.0/rill.dll
[ -f "$rill" ] || rill=src/Rill.Server/bin/Debug/net10.0/rill.dll
[ -f "$rill" ] || { echo "build first: dotnet build -c Release src/Rill.Server/Rill.Server.csproj" >&2; exit 1; }
producer=tests/Rill.Interop.Tests/scripts/confluent_quota_producer.py
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

dotnet "$rill" serve --set "log.dirs=$work/data" --set listeners=PLAINTEXT://127.0.0.1:0 --set rill.http.listener=none \
  --set "quota.window.num=$windows" > "$work/broker.log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "Rill listening on" "$work/broker.log" && break; sleep 0.1; done
b=127.0.0.1:$(grep -o 'Rill listening on 127.0.0.1:[0-9]*' "$work/broker.log" | cut -d: -f2)
dotnet "$rill" topics --bootstrap-server "$b" --create --topic quota-bench --partitions 1 > /dev/null

for q in $quotas; do
  dotnet "$rill" configs --bootstrap-server "$b" --alter --add-config "producer_byte_rate=$q" --client "slow-$q" > /dev/null
  /usr/bin/python3 "$producer" "$b" quota-bench "slow-$q" "$seconds" > "$work/slow" &
  slow=$!
  /usr/bin/python3 "$producer" "$b" quota-bench "free-$q" "$seconds" > "$work/free"
  wait "$slow"
  achieved=$(grep -o 'achieved=[0-9]*' "$work/slow" | cut -d= -f2)
  echo "quota $q B/s, ${seconds} s, $windows windows: throttled $(cat "$work/slow") -> $(awk -v a="$achieved" -v q="$q" 'BEGIN {printf "%.3f", a/q}') x quota; unthrottled $(cat "$work/free")"
done
