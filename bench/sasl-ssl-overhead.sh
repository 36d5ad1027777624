#!/usr/bin/env bash
# Produce throughput over SASL_SSL (TLS + SCRAM-SHA-512) versus PLAINTEXT on the same `rill serve`
# (two listeners), `rill bench producer`, 100-byte records, acks=all, one partition, a topic per
# listener and round, rounds interleaved (which goes first alternates), after one untimed warm-up run per
# listener. Each run is a new client process that connects (TLS handshake, SCRAM) inside its timed window:
# use a few million records so the run measures throughput rather than connection setup. Target (issue 14):
# SASL_SSL >= 70 % of PLAINTEXT.
# Usage: bench/sasl-ssl-overhead.sh [rounds=3] [records=3000000]   (Release build of src/Rill.Server first;
# RILL_DLL=path/rill.dll runs another build, e.g. a copy of the previous one, to compare)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
records=${2:-3000000}
rill=${RILL_DLL:-src/Rill.Server/bin/Release/net10.0/rill.dll}
[ -f "$rill" ] || { echo "build first: dotnet build -c Release src/Rill.Server/Rill.Server.csproj" >&2; exit 1; }
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

# A CA and a server certificate for 127.0.0.1 (PEM keystore: chain and PKCS#8 key in one file).
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/ca.key" -out "$work/ca.pem" -days 2 -subj "/CN=bench-ca" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$work/server.key" -out "$work/server.csr" -subj "/CN=localhost" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > "$work/san.ext"
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial -out "$work/server.crt" -days 2 \
  -extfile "$work/san.ext" 2>/dev/null
cat "$work/server.crt" "$work/server.key" > "$work/server.pem"

dotnet "$rill" serve --set "log.dirs=$work/data" --set "listeners=PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0" \
  --set sasl.enabled.mechanisms=SCRAM-SHA-512 --set ssl.keystore.type=PEM --set "ssl.keystore.location=$work/server.pem" \
  --set rill.http.listener=none > "$work/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 200); do [ "$(grep -c 'Rill listening on' "$work/serve.log")" -ge 2 ] && break; sleep 0.1; done
ports=($(grep -o 'Rill listening on 127.0.0.1:[0-9]*' "$work/serve.log" | cut -d: -f2))
plain=${ports[0]}; secure=${ports[1]}
dotnet "$rill" users --bootstrap-server "127.0.0.1:$plain" --alter --entity-name bench --add-config 'SCRAM-SHA-512=[password=bench-secret]' > /dev/null
printf 'security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\nsasl.username=bench\nsasl.password=bench-secret\nssl.ca.location=%s\n' \
  "$work/ca.pem" > "$work/client.properties"

run() { # port, topic, extra args -> records/s
  local port=$1 topic=$2; shift 2
  dotnet "$rill" bench producer --bootstrap-server "127.0.0.1:$port" --topic "$topic" --records "$records" --record-size 100 --acks all --quiet "$@" 2>/dev/null \
    | grep -o '[0-9.]* records/s' | head -1 | cut -d' ' -f1
}
# One untimed run per listener first: a freshly started broker JIT-compiles its TLS and SCRAM paths on the
# first secured connection, which a long-running broker has long done (set WARMUP=0 to skip).
if [ "${WARMUP:-1}" != 0 ]; then
  run "$plain" warm-plain > /dev/null; run "$secure" warm-secure --command-config "$work/client.properties" > /dev/null
fi
p=(); s=()
for r in $(seq "$rounds"); do
  if (( r % 2 )); then
    p+=("$(run "$plain" "plain-$r")"); s+=("$(run "$secure" "secure-$r" --command-config "$work/client.properties")")
  else
    s+=("$(run "$secure" "secure-$r" --command-config "$work/client.properties")"); p+=("$(run "$plain" "plain-$r")")
  fi
  echo "round $r: PLAINTEXT ${p[-1]} records/s, SASL_SSL ${s[-1]} records/s"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
m_p=$(median "${p[@]}"); m_s=$(median "${s[@]}")
echo "median: PLAINTEXT $m_p records/s, SASL_SSL $m_s records/s, SASL_SSL/PLAINTEXT $(awk -v a="$m_s" -v b="$m_p" 'BEGIN {printf "%.3f", a/b}')"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
