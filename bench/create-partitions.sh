#!/usr/bin/env bash
# Times CreateTopics of one topic with many partitions (issue 16: 10,000 partitions in at most 1 s) against a
# `rill serve` process, with kafka-python's admin client (python3-kafka), then (DELETE=1, the default) writes one
# record to every partition and times DeleteTopics of the topic. Prints one line per run:
#   partitions=N run=i create_ms=T broker_ms=B broker_cpu_ms=C [delete_ms=D delete_broker_ms=E delete_broker_cpu_ms=F]
# (create_ms: the CreateTopics call as the client saw it; broker_ms: the broker's own time for the topic, from its log;
# broker_cpu_ms: the broker process's user+system CPU during the call, from /proc: the figure that survives a loaded machine)
# and, with STRACE=1, the server's syscall summary (strace -c -f) for the last run on stderr.
# Knobs: PARTITIONS (10000), RUNS (3), RILL_DLL (an already-built rill.dll; else builds src/Rill.Server in Release),
# KEEP=1 keeps the temporary data directory.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
PARTITIONS=${PARTITIONS:-10000}
RUNS=${RUNS:-3}
work=$(mktemp -d /tmp/rill-create-partitions.XXXXXX)
server_pid=""
strace_pid=""
cleanup() {
    [[ -n "$strace_pid" ]] && kill "$strace_pid" 2>/dev/null || true
    [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
    [[ "${KEEP:-0}" == 1 ]] && echo "# kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
log() { echo "# $*" >&2; }

dll=${RILL_DLL:-}
if [[ -z "$dll" ]]; then
    log "building src/Rill.Server (Release)"
    dotnet build "$repo/src/Rill.Server" -c Release -nologo -v q >"$work/build.log" 2>&1 || { tail -30 "$work/build.log" >&2; exit 1; }
    dll=$(dotnet msbuild "$repo/src/Rill.Server" -nologo -getProperty:TargetPath -p:Configuration=Release)
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
dotnet "$dll" serve --set "log.dirs=$work/data" --set "listeners=PLAINTEXT://127.0.0.1:$port" --set rill.http.listener=none >"$work/server.log" 2>&1 &
server_pid=$!
for ((i = 0; i < 300; i++)); do
    grep -q "listening on 127.0.0.1:$port" "$work/server.log" 2>/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || { tail -20 "$work/server.log" >&2; exit 1; }
    sleep 0.1
done

for ((run = 1; run <= RUNS; run++)); do
    if [[ "${STRACE:-0}" == 1 && $run == "$RUNS" ]]; then
        strace -c -f -p "$server_pid" -o "$work/strace.txt" 2>/dev/null &
        strace_pid=$!
        sleep 1
    fi
    cpu_before=$(awk '{print $14 + $15}' "/proc/$server_pid/stat")
    ms=$(/usr/bin/python3 - "$port" "wide-$run" "$PARTITIONS" <<'PY'
import sys, time
from kafka.admin import KafkaAdminClient, NewTopic
port, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
admin = KafkaAdminClient(bootstrap_servers=f"127.0.0.1:{port}", request_timeout_ms=120000)
started = time.monotonic()
result = admin.create_topics([NewTopic(name, count, 1)], timeout_ms=120000)
elapsed = (time.monotonic() - started) * 1000
errors = [e for e in result.topic_errors if e[1] != 0]
assert not errors, errors
print(f"{elapsed:.0f}")
admin.close()
PY
)
    server_ms=""
    for ((i = 0; i < 50; i++)); do
        server_ms=$(sed -nE "s/.*Created topic wide-$run with [0-9]+ partitions in ([0-9]+) ms.*/\1/p" "$work/server.log")
        [[ -n "$server_ms" ]] && break
        sleep 0.1
    done
    cpu_after=$(awk '{print $14 + $15}' "/proc/$server_pid/stat")
    line="partitions=$PARTITIONS run=$run create_ms=$ms broker_ms=${server_ms:-?} broker_cpu_ms=$(( (cpu_after - cpu_before) * 1000 / $(getconf CLK_TCK) ))"
    if [[ "${DELETE:-1}" == 1 ]]; then
        # Every partition written (so each has a directory and files to remove), then the topic deleted.
        /usr/bin/python3 - "$port" "wide-$run" "$PARTITIONS" <<'PY'
import sys
from kafka import KafkaProducer
port, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
producer = KafkaProducer(bootstrap_servers=f"127.0.0.1:{port}", acks="all", linger_ms=20)
for p in range(count):
    producer.send(name, value=b"x", partition=p)
producer.flush(timeout=120)
producer.close()
PY
        cpu_before=$(awk '{print $14 + $15}' "/proc/$server_pid/stat")
        delete_ms=$(/usr/bin/python3 - "$port" "wide-$run" <<'PY'
import sys, time
from kafka.admin import KafkaAdminClient
port, name = sys.argv[1], sys.argv[2]
admin = KafkaAdminClient(bootstrap_servers=f"127.0.0.1:{port}", request_timeout_ms=300000)
started = time.monotonic()
result = admin.delete_topics([name], timeout_ms=300000)
elapsed = (time.monotonic() - started) * 1000
errors = [e for e in result.topic_error_codes if e[1] != 0]
assert not errors, errors
print(f"{elapsed:.0f}")
admin.close()
PY
)
        cpu_after=$(awk '{print $14 + $15}' "/proc/$server_pid/stat")
        server_delete_ms=$(sed -nE "s/.*Deleted topic wide-$run with [0-9]+ partitions in ([0-9]+) ms.*/\1/p" "$work/server.log")
        line="$line delete_ms=$delete_ms delete_broker_ms=${server_delete_ms:-?} delete_broker_cpu_ms=$(( (cpu_after - cpu_before) * 1000 / $(getconf CLK_TCK) ))"
    fi
    echo "$line"
    if [[ -n "$strace_pid" ]]; then
        kill -INT "$strace_pid"; wait "$strace_pid" 2>/dev/null || true; strace_pid=""
        log "server syscalls during run $run (strace -c -f):"; head -25 "$work/strace.txt" >&2
    fi
done
echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
