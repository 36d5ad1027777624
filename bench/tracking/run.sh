#!/usr/bin/env bash
# Runs the tracking load test (issue 11) on this machine: builds the app and the simulator (Release), starts a
# temporary PostgreSQL 15 (for the "database approach") and the tracking app with its embedded broker, runs
# `loadtest`, and stops everything at the end (also on Ctrl+C or failure).
#
#   bench/tracking/run.sh [loadtest options...]      e.g. --duration 60s --phases count,sustained
#
# Environment: NO_BUILD=1 skips the build; KEEP=1 keeps the temp dir (logs, databases); APP_ARGS adds app options;
# NO_POSTGRES=1 skips PostgreSQL (then leave "database" out of --phases).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

tmp=$(mktemp -d /tmp/rill-tracking-load.XXXXXX)
chmod 755 "$tmp"
app_pid=""
pg_dir="$tmp/pg"
cleanup() {
  set +e
  if [[ -n "$app_pid" ]] && kill -0 "$app_pid" 2>/dev/null; then
    kill "$app_pid"; for _ in $(seq 1 50); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$app_pid" 2>/dev/null
  fi
  if [[ -f "$pg_dir/postmaster.pid" ]]; then runuser -u postgres -- pg_ctl -D "$pg_dir" -m fast stop >/dev/null 2>&1; fi
  if [[ "${KEEP:-0}" == 1 ]]; then echo "kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT INT TERM

if [[ "${NO_BUILD:-0}" != 1 ]]; then
  dotnet build -c Release -v q --nologo apps/Rill.Tracking/Rill.Tracking.csproj >/dev/null
  dotnet build -c Release -v q --nologo apps/Rill.Tracking.Simulator/Rill.Tracking.Simulator.csproj >/dev/null
fi

pg_args=()
if [[ "${NO_POSTGRES:-0}" != 1 ]]; then
  pg_port=$(free_port)
  mkdir -p "$pg_dir"; chown postgres "$pg_dir"
  runuser -u postgres -- initdb -D "$pg_dir" -U postgres --auth=trust >"$tmp/initdb.log" 2>&1
  # synchronous_commit=off: the database approach is not held back by an fsync per INSERT (Rill's acks do not
  # wait for one either); max_connections leaves room for the pool.
  runuser -u postgres -- pg_ctl -D "$pg_dir" -l "$pg_dir/server.log" -w \
    -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c synchronous_commit=off -c max_connections=300 -c shared_buffers=256MB" start >/dev/null
  pg_args=(--postgres "Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres")
  echo "PostgreSQL on 127.0.0.1:$pg_port ($pg_dir)" >&2
fi

app_port=$(free_port)
key="load-$(date +%s)-$RANDOM"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
# --rider-rate: the load test sends up to tens of updates/s per connection (a phone sends one), so the per-rider
# flood limit is raised; everything else is the app's default (embedded broker, SQLite history under --data).
dotnet apps/Rill.Tracking/bin/Release/net10.0/Rill.Tracking.dll --urls "http://127.0.0.1:$app_port" --data "$tmp/app" \
  --operator-key "$key" --rider-rate 1000 ${APP_ARGS:-} >"$tmp/app.log" 2>&1 &
app_pid=$!
echo "app pid $app_pid on http://127.0.0.1:$app_port (log $tmp/app.log)" >&2

set +e
dotnet apps/Rill.Tracking.Simulator/bin/Release/net10.0/Rill.Tracking.Simulator.dll loadtest \
  --app "http://127.0.0.1:$app_port" --operator-key "$key" "${pg_args[@]}" \
  --analysis bench/tracking/analysis.md "$@"
rc=$?
set -e
if [[ $rc -ne 0 ]]; then echo "loadtest exit code $rc; last app log lines:" >&2; tail -n 20 "$tmp/app.log" >&2; fi
exit $rc
