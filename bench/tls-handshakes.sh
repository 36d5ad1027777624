#!/usr/bin/env bash
# 10,000 TLS handshakes against one `rill serve` SSL listener (issue 14's target: report time and
# memory). A Python client (the ssl module, OpenSSL) opens a connection, completes the handshake,
# sends one ApiVersions request, reads the answer and closes, CONCURRENCY connections at a time.
# Reports handshakes/s, latency percentiles and the broker's RSS before, at the peak and after.
# Usage: bench/tls-handshakes.sh [count=10000] [concurrency=4]   (Release build of src/Rill.Server first)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-10000}
concurrency=${2:-4}
rill=${RILL_DLL:-src/Rill.Server/bin/Release/net10.0/rill.dll}
[ -f "$rill" ] || { echo "build first: dotnet build -c Release src/Rill.Server/Rill.Server.csproj" >&2; exit 1; }
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/ca.key" -out "$work/ca.pem" -days 2 -subj "/CN=bench-ca" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$work/server.key" -out "$work/server.csr" -subj "/CN=localhost" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > "$work/san.ext"
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial -out "$work/server.crt" -days 2 \
  -extfile "$work/san.ext" 2>/dev/null
cat "$work/server.crt" "$work/server.key" > "$work/server.pem"

dotnet "$rill" serve --set "log.dirs=$work/data" --set "listeners=SSL://127.0.0.1:0" --set ssl.keystore.type=PEM \
  --set "ssl.keystore.location=$work/server.pem" --set rill.http.listener=none > "$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 200); do grep -q 'Rill listening on' "$work/serve.log" && break; sleep 0.1; done
port=$(grep -o 'Rill listening on 127.0.0.1:[0-9]*' "$work/serve.log" | head -1 | cut -d: -f2)
rss() { awk '/^VmRSS/ {print int($2/1024)}' /proc/$pid/status; }
hwm() { awk '/^VmHWM/ {print int($2/1024)}' /proc/$pid/status; }
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "broker RSS before: $(rss) MB"
/usr/bin/python3 - "$port" "$work/ca.pem" "$count" "$concurrency" <<'PY'
import socket, ssl, struct, sys, time, threading
port, ca, count, concurrency = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
ctx = ssl.create_default_context(cafile=ca)
# ApiVersions v0: size, api key 18, version 0, correlation id 1, client id "tls-bench".
body = struct.pack(">hhih", 18, 0, 1, 9) + b"tls-bench"
request = struct.pack(">i", len(body)) + body
lat, errors, lock = [], [0], threading.Lock()
def worker(n):
    for _ in range(n):
        start = time.perf_counter()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=30) as raw:
                with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:
                    s.sendall(request)
                    size = struct.unpack(">i", s.recv(4))[0]
                    got = 0
                    while got < size:
                        chunk = s.recv(size - got)
                        if not chunk:
                            raise IOError("closed")
                        got += len(chunk)
            with lock:
                lat.append(time.perf_counter() - start)
        except Exception:
            with lock:
                errors[0] += 1
t0 = time.perf_counter()
threads = [threading.Thread(target=worker, args=(count // concurrency,)) for _ in range(concurrency)]
for t in threads: t.start()
for t in threads: t.join()
elapsed = time.perf_counter() - t0
lat.sort()
pct = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000
print(f"{len(lat)} handshakes (+ApiVersions) in {elapsed:.1f} s: {len(lat)/elapsed:.0f}/s, {errors[0]} errors; "
      f"connect+handshake+request p50 {pct(0.5):.1f} ms, p99 {pct(0.99):.1f} ms, max {lat[-1]*1000:.1f} ms")
PY
echo "broker RSS after: $(rss) MB, peak (VmHWM): $(hwm) MB"
sleep 5
echo "broker RSS 5 s later: $(rss) MB"
