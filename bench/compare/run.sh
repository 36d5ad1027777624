#!/usr/bin/env bash
# Rill against librdkafka's mock cluster, Redis Streams, NATS JetStream and PostgreSQL: one command
# installs what it needs, starts every system on loopback (own temp dirs, free ports), runs the
# same workloads against each, stops them, and writes the comparison section of
# docs/benchmarks.md, the README's Benchmarks section and the SVG charts in docs/img/.
# See bench/compare/README.md.
#
#   bash bench/compare/run.sh            # full run, about 20-25 minutes on 2 cores
#   QUICK=1 bash bench/compare/run.sh    # smaller counts, one run per figure, about 4 minutes
#                                          (2 cores shared with other work; ~35 s of it is the Rill publish)
#
# Knobs: RUNS (runs per figure, median; default 3, QUICK 1), SYSTEMS (default
# "rill mock redis nats postgres"), NO_DOCS=1 (print the report, leave docs/ alone),
# KEEP=1 (keep the temp dir), RILL_COMPARE_CACHE (built tools; default ~/.cache/rill-compare).
set -euo pipefail

QUICK=${QUICK:-0}
# How long one connection-count step may take (a server that accepts slowly gets a partial figure).
export CONNECT_DEADLINE_S=${CONNECT_DEADLINE_S:-20}
if [[ $QUICK == 1 ]]; then RUNS=${RUNS:-1}; else RUNS=${RUNS:-3}; fi
SYSTEMS=${SYSTEMS:-"rill mock redis nats postgres"}
repo=$(cd "$(dirname "$0")/../.." && pwd)
here=$repo/bench/compare
cache=${RILL_COMPARE_CACHE:-$HOME/.cache/rill-compare}
work=$(mktemp -d /tmp/rill-compare.XXXXXX)
chmod 755 "$work"
results=$work/results.tsv
: >"$results"
PY=/usr/bin/python3
started_at=$(date +%s)

if [[ $QUICK == 1 ]]; then
    N100=500000 N1K=100000 NFAN=100000 LAT_S=2 NPART=200000 PARTS="1 1000 10000" CONNS="1000 10000"

else
    N100=2000000 N1K=500000 NFAN=200000 LAT_S=6 NPART=1000000 PARTS="1 10 100 1000 3000 6000 10000" CONNS="100 1000 10000"
fi

# ------------------------------------------------------------------ processes and clean-up
server_pids=()
cleanup() {
    local pid i
    # Load generators still running (only after a failure or an interrupt), then the servers.
    for pid in $(jobs -p); do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${server_pids[@]}"; do
        kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${server_pids[@]}"; do
        for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL -- "-$pid" 2>/dev/null || true
    done
    if [[ ${KEEP:-0} == 1 ]]; then echo "# kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "# [$(($(date +%s) - started_at))s] $*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# Starts a server in its own process group (so its whole process tree can be stopped); sets $last_pid.
start_bg() { # name cmd...
    local name=$1; shift
    # Its own process group (so its whole tree can be stopped), but not its own session: with the kernel's
    # scheduler autogroups (sched_autogroup_enabled=1, Debian's default), a new session is a new CPU group that
    # competes as one with the load generators' group, and on 2 cores that stalled the latency probe's consumer for
    # 100-300 ms (p99 80-270 ms at 100,000 msg/s with setsid, 1.6-1.9 ms without; docs/benchmarks.md, issue 16).
    "$PY" -c 'import os, sys; os.setpgid(0, 0); os.execvp(sys.argv[1], sys.argv[1:])' "$@" <"${BG_STDIN:-/dev/null}" >"$work/$name.log" 2>&1 &
    last_pid=$!
    server_pids+=("$last_pid")
}
stop_bg() { # pid
    local i
    kill -TERM -- "-$1" 2>/dev/null || kill -TERM "$1" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_serving() { # proto port pid seconds
    local i
    for ((i = 0; i < $4 * 20; i++)); do
        kill -0 "$3" 2>/dev/null || die "server $3 exited before serving"
        "$PY" -c "import sys; sys.path.insert(0, '$here'); import tools; sys.exit(0 if tools.probe_once('$1', '127.0.0.1', $2) else 1)" 2>/dev/null && return 0
        sleep 0.05
    done
    die "nothing serving on port $2 after $4 s"
}
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "NA"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$results"; } # system workload metric value
# Runs a measuring command RUNS times (it prints one number or several columns); records the median of each column.
measure() { # system workload "metric1 metric2 ..." cmd...
    local sys=$1 wl=$2 metrics=$3; shift 3
    local i out="$work/measure.$$"
    : >"$out"
    for ((i = 1; i <= RUNS; i++)); do
        if [[ -n ${SERVER_PID:-} ]] && ! kill -0 "$SERVER_PID" 2>/dev/null; then
            log "$sys $wl: the server is gone, not measured"
            return 0
        fi
        # A failed run is logged (with the load tool's last output) and left out of the median.
        "$@" >>"$out" || {
            log "$sys $wl run $i failed; last output: $(tail -3 "$work/perf.out" 2>/dev/null | tr '\n' ' ')"
            record "$sys" "$wl" failed_runs "$i"
        }
    done
    local col=1 m
    for m in $metrics; do
        record "$sys" "$wl" "$m" "$(awk -v c=$col '{ print $c }' "$out" | median)"
        col=$((col + 1))
    done
    log "$sys $wl: $metrics = $(awk '{ printf "%s; ", $0 }' "$out")"
}

# ------------------------------------------------------------------ install and build
install_packages() {
    local packages=(redis-server redis-tools nats-server postgresql librdkafka-dev python3-confluent-kafka
        gcc make g++ python3 libssl-dev libsasl2-dev zlib1g-dev libcurl4-openssl-dev liblz4-dev libzstd-dev)
    command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
    local missing=() p
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if ((${#missing[@]})); then
        log "apt-get install ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >"$work/apt.log" 2>&1 || { tail -20 "$work/apt.log" >&2; die "apt-get install"; }
    fi
}

build_tools() {
    mkdir -p "$cache"
    # librdkafka 2.15 (the copy bundled in @confluentinc/kafka-javascript, built from source, ~2 min once).
    local ckjs=$cache/ckjs
    local lib=$ckjs/node_modules/@confluentinc/kafka-javascript/deps/librdkafka
    if [[ ! -f $lib/src/librdkafka.so.1 ]]; then
        log "building librdkafka from @confluentinc/kafka-javascript (npm ci, about 2 minutes)"
        mkdir -p "$ckjs"
        cp "$repo/tests/Rill.Interop.Tests/scripts/ckjs/package.json" "$repo/tests/Rill.Interop.Tests/scripts/ckjs/package-lock.json" "$ckjs/"
        (cd "$ckjs" && CKJS_LINKING=dynamic timeout 900 npm ci --no-audit --no-fund --loglevel=error) >"$work/ckjs.log" 2>&1 \
            || { tail -20 "$work/ckjs.log" >&2; die "npm ci of @confluentinc/kafka-javascript"; }
    fi
    # rdkafka_performance: Debian ships its source (librdkafka-dev's examples); it includes
    # ../src/rd.h, so it is compiled from an examples/ directory beside librdkafka 2.15's src/.
    RDPERF=$cache/rdperf/examples/rdkafka_performance-paced2
    if [[ ! -x $RDPERF ]]; then
        log "compiling rdkafka_performance against librdkafka 2.15"
        mkdir -p "$cache/rdperf/examples"
        ln -sfn "$lib/src" "$cache/rdperf/src"
        cp /usr/share/doc/librdkafka-dev/examples/rdkafka_performance.c "$cache/rdperf/examples/"
        # One change: `-r RATE` paces against an absolute schedule from the first message. The tool
        # itself waits 1/RATE after each message, on top of the time the message took, so it
        # falls far short of the asked rate (3,500 of 10,000 msg/s here).
        "$PY" - "$cache/rdperf/examples/rdkafka_performance.c" <<'PATCH' || die "patching rdkafka_performance.c"
import sys
path = sys.argv[1]
src = open(path).read()
old = "rd_ts_t next = rd_clock() + (rd_ts_t)rate_sleep;"
new = "rd_ts_t next = cnt.t_start + (rd_ts_t)((double)cnt.msgs * rate_sleep_exact);"
assert src.count(old) == 1, "rate loop not found"
src = src.replace(old, new)
old = "rate_sleep = (int)(1000000.0 / dtmp);"
assert src.count(old) == 1, "rate option not found"
src = src.replace(old, old + " rate_sleep_exact = 1000000.0 / dtmp;")
src = src.replace("static int latency_mode     = 0;", "static int latency_mode     = 0;\nstatic double rate_sleep_exact = 0;", 1)
# Wait in whole milliseconds, and only when ahead of the schedule: the tool's loop polls with a
# zero timeout until the next message is due, which spins a core (at 10,000 msg/s and above the
# gap is under a millisecond) and takes it from the broker being measured on a 2-core machine.
old = """                                do {
                                        rd_kafka_poll(
                                            rk,
                                            (int)RD_MAX(0, (next - rd_clock()) /
                                                               1000));
                                } while (next > rd_clock());"""
assert src.count(old) == 1, "rate wait loop not found"
src = src.replace(old, """                                rd_ts_t ahead;
                                while ((ahead = next - rd_clock()) >= 1000)
                                        rd_kafka_poll(rk, (int)(ahead / 1000));
                                rd_kafka_poll(rk, 0);""")
open(path, "w").write(src)
PATCH
        (cd "$cache/rdperf/examples" && gcc -O2 -I../src -o rdkafka_performance-paced2 rdkafka_performance.c \
            -L../src -lrdkafka -Wl,-rpath,"$lib/src" -lpthread -lm) || die "compiling rdkafka_performance"
    fi
    # The mock cluster, against the same librdkafka.
    MOCK=$work/mock_cluster
    mkdir -p "$work/include"
    ln -sfn "$lib/src" "$work/include/librdkafka"
    gcc -O2 -I"$work/include" -o "$MOCK" "$here/mock_cluster.c" -L"$lib/src" -lrdkafka -Wl,-rpath,"$lib/src" \
        || die "compiling mock_cluster.c"
    # The Node probe for Redis, NATS and PostgreSQL.
    (cd "$here/probe" && timeout 300 npm ci --no-audit --no-fund --loglevel=error) >"$work/probe-npm.log" 2>&1 \
        || { tail -20 "$work/probe-npm.log" >&2; die "npm ci in bench/compare/probe"; }
    # Rill, a release publish for this machine (framework-dependent, ReadyToRun); the apphost
    # (`rill`) is what a user runs.
    log "publishing src/Rill.Server (Release, linux-x64, ReadyToRun)"
    timeout 900 dotnet publish "$repo/src/Rill.Server" -c Release -r linux-x64 --self-contained false -o "$work/rill-publish" \
        -nologo -v q >"$work/build.log" 2>&1 || { tail -30 "$work/build.log" >&2; die "dotnet publish"; }
    RILL=$work/rill-publish/rill
    [[ -x $RILL ]] || die "no apphost at $RILL"
}

# ------------------------------------------------------------------ Kafka-protocol workloads
# rdkafka_performance's summary lines -> "records_per_s MB_per_s".
perf_produce() { # bootstrap topic count size [extra...]
    local b=$1 t=$2 c=$3 s=$4; shift 4
    local out=$work/perf.out
    timeout 300 "$RDPERF" -P -b "$b" -t "$t" -s "$s" -c "$c" -a -1 -X linger.ms=5 "$@" >"$out" 2>&1 || { tail -5 "$out" >&2; return 1; }
    local line
    line=$(grep 'messages produced' "$out" | tail -1)
    [[ $(sed -E 's/.* ([0-9]+) delivered .*/\1/' <<<"$line") == "$c" ]] || { log "not all delivered: $line"; return 1; }
    sed -E 's/.*: ([0-9]+) msgs\/s and ([0-9.]+) MB\/s.*/\1 \2/' <<<"$line"
}
perf_consume() { # bootstrap topic count [extra...]
    local b=$1 t=$2 c=$3; shift 3
    local out
    out=$(mktemp "$work/consume.XXXXXX")
    timeout 300 "$RDPERF" -C -b "$b" -t "$t" -c "$c" -X auto.offset.reset=earliest "$@" >"$out" 2>&1 || { tail -5 "$out" >&2; return 1; }
    local line
    line=$(grep 'consumed in' "$out" | grep -v INTERVAL | tail -1)
    [[ $(sed -E 's/^% ([0-9]+) messages.*/\1/' <<<"$line") -ge $c ]] || { log "consumed too few: $line"; return 1; }
    sed -E 's/.*consumed in ([0-9]+)ms: ([0-9]+) msgs\/s.*/\2 \1/' <<<"$line"
}
new_topic() { echo "cmp-$1-$(date +%s%N)"; }
MOCK_BOOTSTRAP=""
create_topic() { # bootstrap topic partitions
    if [[ $1 == "$MOCK_BOOTSTRAP" ]]; then
        # The mock cluster answers no admin client (it names no controller): its own API, over a FIFO.
        local before errors i
        before=$(grep -c '^ok' "$work/mock.log" || true)
        errors=$(grep -c '^error' "$work/mock.log" || true)
        echo "create $2 $3" >&7
        for ((i = 0; i < 600; i++)); do
            (($(grep -c '^ok' "$work/mock.log" || true) > before)) && return 0
            (($(grep -c '^error' "$work/mock.log" || true) > errors)) && { log "mock: $(grep '^error' "$work/mock.log" | tail -1)"; return 1; }
            sleep 0.05
        done
        return 1
    fi
    timeout 300 "$PY" "$here/tools.py" create-topic "$1" "$2" "$3"
}

produce_run() { # bootstrap size count partitions
    local t rc=0
    t=$(new_topic p)
    create_topic "$1" "$t" "$4" || return 1
    if [[ $4 == 1 ]]; then perf_produce "$1" "$t" "$3" "$2" -p 0 || rc=1
    else perf_produce "$1" "$t" "$3" "$2" -X sticky.partitioning.linger.ms=0 || rc=1; fi
    # Large topics are deleted again, so that each partition count is measured on a broker holding
    # only the small topics (Rill keeps three files open per partition).
    if (($4 > 16)) && [[ $1 != "$MOCK_BOOTSTRAP" ]]; then
        timeout 300 "$PY" "$here/tools.py" delete-topic "$1" "$t" || log "could not delete $t"
    fi
    return $rc
}
consume_run() { # bootstrap topic count
    local r
    r=$(perf_consume "$1" "$2" "$3" -G "grp-$RANDOM-$RANDOM") || return 1
    awk '{ print $1 }' <<<"$r"
}
fanout_run() { # bootstrap topic count groups -> aggregate records/s
    local b=$1 t=$2 c=$3 k=$4 i pids=() files=()
    for ((i = 0; i < k; i++)); do
        files+=("$work/fan.$i")
        perf_consume "$b" "$t" "$c" -G "fan-$RANDOM-$i" >"$work/fan.$i" &
        pids+=($!)
    done
    local failed=0
    for i in "${pids[@]}"; do wait "$i" || failed=1; done
    ((failed == 0)) || return 1
    # Each consumer times itself from its first record; the slowest sets the aggregate.
    cat "${files[@]}" | awk -v c="$c" -v k="$k" '{ if ($2 > m) m = $2 } END { printf "%d\n", c * k * 1000 / m }'
}
latency_run() { # bootstrap rate seconds -> "achieved p50 p99 p999"
    local b=$1 rate=$2 secs=$3 t count=$(($2 * $3))
    t=$(new_topic lat)
    create_topic "$b" "$t" 1 || return 1
    local lf=$work/lat.$t
    timeout $((secs + 60)) "$RDPERF" -C -l -A "$lf" -b "$b" -t "$t" -p 0 -o end -c "$count" >"$work/latc.out" 2>&1 &
    local cpid=$!
    sleep 2
    local pout=$work/latp.out
    timeout $((secs + 60)) "$RDPERF" -P -l -r "$rate" -b "$b" -t "$t" -p 0 -s 100 -c "$count" -a -1 -X linger.ms=0 >"$pout" 2>&1 \
        || { tail -5 "$pout" >&2; kill "$cpid" 2>/dev/null; return 1; }
    wait "$cpid" || { tail -5 "$work/latc.out" >&2; return 1; }
    local achieved
    achieved=$(grep 'messages produced' "$pout" | tail -1 | sed -E 's/.*: ([0-9]+) msgs\/s.*/\1/')
    echo "$achieved $("$PY" "$here/tools.py" percentiles "$lf" | awk '{ print $2, $3, $4 }')"
}

kafka_suite() { # system bootstrap server_pid
    local sys=$1 b=$2 pid=$3
    SERVER_PID=$pid
    log "$sys: warm-up"
    produce_run "$b" 100 200000 1 >/dev/null || die "$sys warm-up"
    local size parts n
    for size in 100 1024; do
        n=$N100; [[ $size == 1024 ]] && n=$N1K
        for parts in 1 16; do
            measure "$sys" "produce-${size}B-${parts}p" "records_per_s MB_per_s" produce_run "$b" "$size" "$n" "$parts"
        done
        # The mock keeps only the last 5 MB (or 100,000 batches) of each partition in memory, so
        # it cannot serve a consumer reading millions of records from the beginning.
        [[ $sys == mock ]] && continue
        # Consume: one topic filled once, read RUNS times by fresh groups.
        local t
        t=$(new_topic c)
        create_topic "$b" "$t" 1 && perf_produce "$b" "$t" "$n" "$size" -p 0 >/dev/null || die "$sys fill $t"
        measure "$sys" "consume-${size}B-1p" "records_per_s" consume_run "$b" "$t" "$n"
        if [[ $size == 100 ]]; then
            local k
            for k in 1 4 16; do
                measure "$sys" "fanout-$k" "records_per_s" fanout_run "$b" "$t" "$NFAN" "$k"
            done
        fi
    done
    local rate max
    # The mock answers a fetch only when fetch.wait.max.ms runs out (p50 ~380 ms at 10,000 msg/s
    # here) and drops all but its last 5 MB, so its latency says nothing about the protocol.
    [[ $sys == mock ]] && rate_list="" || rate_list=yes
    max=$(awk -F'\t' -v s="$sys" '$1 == s && $2 == "produce-100B-1p" && $3 == "records_per_s" { print $4 }' "$results")
    local top=0
    [[ $QUICK == 1 ]] || top=$(awk -v m="${max:-0}" 'BEGIN { r = int(m * 0.8 / 10000) * 10000; print (r > 100000 ? r : 0) }')
    for rate in 10000 100000 "$top"; do
        [[ $rate == 0 || -z $rate_list ]] && continue
        local label=$rate; [[ $rate != 10000 && $rate != 100000 ]] && label=max80
        measure "$sys" "latency-$label" "achieved_rate p50_ms p99_ms p999_ms" latency_run "$b" "$rate" "$LAT_S"
    done
    local c
    for c in $CONNS; do
        local r
        r=$(timeout 300 "$PY" "$here/tools.py" connections 127.0.0.1 "${b##*:}" "$c" "$pid") || { log "$sys $c connections failed"; continue; }
        record "$sys" "connections-$c" answered "$(awk '{ print $1 }' <<<"$r")"
        record "$sys" "connections-$c" seconds "$(awk '{ print $2 }' <<<"$r")"
        record "$sys" "connections-$c" rss_mb "$(awk '{ print $4 }' <<<"$r")"
        log "$sys connections (answered, s, RSS MB before, after): $r"
        sleep 5
        # A server that could not answer all of them in time gets no larger count.
        (($(awk '{ print $1 }' <<<"$r") == c)) || break
    done
    # Partition scaling last: the largest count may exhaust the open-file limit.
    for parts in $PARTS; do
        measure "$sys" "partitions-$parts" "records_per_s MB_per_s" produce_run "$b" 100 "$NPART" "$parts"
        if [[ -f $work/$sys.log ]] && grep -q 'Too many open files' "$work/$sys.log"; then
            record "$sys" "partitions-$parts" note "open-file limit ($(ulimit -n)) reached"
            log "$sys: open-file limit reached at $parts partitions"
            break
        fi
    done
    kill -0 "$pid" 2>/dev/null || { log "$sys: the server is gone: $(tail -3 "$work/$sys.log" | tr '\n' ' ')"; record "$sys" note crashed "$(grep -m1 -iE 'terminate|exception|fatal' "$work/$sys.log" || echo exited)"; return 0; }
    record "$sys" rss rss_after_mb "$("$PY" "$here/tools.py" rss "$pid")"
    record "$sys" rss peak_mb "$(awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$pid/status")"
}

rill_args() { # port datadir
    echo serve --set "listeners=PLAINTEXT://127.0.0.1:$1" --set "log.dirs=$2" --set group.initial.rebalance.delay.ms=0 \
        --set offsets.topic.num.partitions=1
}

run_rill() {
    local port
    # Start-up and idle RSS: a fresh data directory each run, exec to first answered ApiVersions.
    local i out=$work/startup.rill
    : >"$out"
    for ((i = 0; i < RUNS + 2; i++)); do
        port=$(free_port)
        rm -rf "$work/rill-start"; mkdir -p "$work/rill-start"
        # shellcheck disable=SC2046
        timeout 120 "$PY" "$here/tools.py" startup kafka 127.0.0.1 "$port" 5 -- "$RILL" $(rill_args "$port" "$work/rill-start") >>"$out" || die "rill startup"
    done
    record rill startup ms "$(awk '{ print $1 }' "$out" | median)"
    record rill startup idle_rss_mb "$(awk '{ print $2 }' "$out" | median)"
    record rill startup cpu_ms "$(awk '{ print $3 }' "$out" | median)"
    log "rill startup (ms, MB): $(awk '{ printf "%s; ", $0 }' "$out")"

    port=$(free_port)
    mkdir -p "$work/rill-data"
    # shellcheck disable=SC2046
    start_bg rill "$RILL" $(rill_args "$port" "$work/rill-data")
    local pid=$last_pid
    wait_serving kafka "$port" "$pid" 60
    kafka_suite rill "127.0.0.1:$port" "$pid"
    rill_client_bench "127.0.0.1:$port"
    stop_bg "$pid"
}

# Rill.Client's own load generator, when this build has it.
rill_client_bench() {
    if ! timeout 30 "$RILL" bench --help >"$work/rill-bench-help.txt" 2>&1; then
        record rill-client note skipped "rill bench is not in this build"
        log "rill bench: not in this build, Rill.Client rows skipped"
        return 0
    fi
    local t mode rps
    for mode in producer consumer; do
        t=cmp-client
        : >"$work/client.$mode"
        for ((i = 1; i <= RUNS; i++)); do
            timeout 300 "$RILL" bench "$mode" --bootstrap-server "$1" --topic "$t" --records "$N100" --record-size 100 --acks all \
                >"$work/client.out" 2>&1 || { tail -5 "$work/client.out" >&2; break; }
            rps=$(grep -oiE '[0-9][0-9,.]* (records|rec|msgs?)/s' "$work/client.out" | tail -1 | tr -d ',' | awk '{ print $1 }')
            [[ -n $rps ]] && echo "$rps" >>"$work/client.$mode"
        done
        record rill-client "$mode-100B-1p" records_per_s "$(median <"$work/client.$mode")"
    done
}

run_mock() {
    mkfifo "$work/mock.in"
    BG_STDIN=$work/mock.in start_bg mock "$MOCK" 1
    exec 7>"$work/mock.in"
    local pid=$last_pid i
    for ((i = 0; i < 100; i++)); do grep -q '^bootstrap ' "$work/mock.log" && break; sleep 0.1; done
    local b
    b=$(awk '/^bootstrap / { print $2 }' "$work/mock.log")
    [[ -n $b ]] || die "mock cluster printed no bootstrap address"
    MOCK_BOOTSTRAP=$b
    wait_serving kafka "${b##*:}" "$pid" 30
    kafka_suite mock "$b" "$pid"
    exec 7>&-
    stop_bg "$pid"
}

# ------------------------------------------------------------------ Redis, NATS, PostgreSQL
probe() { timeout 300 node "$here/probe/probe.mjs" "$@"; }
probe_latency() { # system rate seconds -> "achieved p50 p99 p999"
    local sys=$1 rate=$2 secs=$3 lf
    export TOPIC="lat$RANDOM$RANDOM"
    lf=$work/lat.$TOPIC
    probe lat-consume "$sys" $((rate * secs)) "$lf" >"$work/probec.out" 2>&1 &
    local cpid=$! i
    for ((i = 0; i < 100; i++)); do grep -q ready "$work/probec.out" && break; sleep 0.1; done
    local achieved
    achieved=$(probe lat-produce "$sys" "$rate" "$secs" 100) || { kill "$cpid" 2>/dev/null; return 1; }
    wait "$cpid" || { tail -5 "$work/probec.out" >&2; return 1; }
    echo "$achieved $("$PY" "$here/tools.py" percentiles "$lf" | awk '{ print $2, $3, $4 }')"
}
probe_produce() { export TOPIC="p$RANDOM$RANDOM"; probe produce "$1" "$2" "$3"; }
other_suite() { # system: produce / consume / fan-out / latency through the Node probe
    local sys=$1 size n
    probe_produce "$sys" 100000 100 >/dev/null || die "$sys warm-up"
    for size in 100 1024; do
        n=$N100; [[ $size == 1024 ]] && n=$N1K
        [[ $sys == redis ]] || measure "$sys" "produce-${size}B-1p" records_per_s probe_produce "$sys" "$n" "$size"
        # Consume (and fan-out) read one filled stream/table.
        export TOPIC="c$RANDOM$RANDOM"
        probe produce "$sys" "$n" "$size" >/dev/null || die "$sys fill"
        measure "$sys" "consume-${size}B-1p" records_per_s probe consume "$sys" "$n" 1
        if [[ $size == 100 ]]; then
            local k
            for k in 1 4 16; do measure "$sys" "fanout-$k" records_per_s probe consume "$sys" "$NFAN" "$k"; done
        fi
    done
    local rate
    for rate in 10000 100000; do
        measure "$sys" "latency-$rate" "achieved_rate p50_ms p99_ms p999_ms" probe_latency "$sys" "$rate" "$LAT_S"
    done
}

redis_produce() { # port count size streams -> records/s (redis-benchmark: 4 connections x 64 pipelined XADDs)
    local value key=s1
    value=$(head -c "$3" /dev/zero | tr '\0' x)
    local extra=()
    if [[ $4 != 1 ]]; then key='s:__rand_int__'; extra=(-r "$4"); fi
    timeout 300 redis-benchmark -h 127.0.0.1 -p "$1" -n "$2" -c 4 -P 64 -q "${extra[@]}" XADD "$key" '*' v "$value" 2>&1 \
        | tr '\r' '\n' | grep -oE '[0-9.]+ requests per second' | tail -1 | awk '{ printf "%d\n", $1 }'
}

run_redis() {
    local port i out=$work/startup.redis
    : >"$out"
    for ((i = 0; i < RUNS + 2; i++)); do
        port=$(free_port); rm -rf "$work/redis-start"; mkdir -p "$work/redis-start"
        timeout 60 "$PY" "$here/tools.py" startup redis 127.0.0.1 "$port" 5 -- redis-server --port "$port" --bind 127.0.0.1 \
            --dir "$work/redis-start" --save '' --appendonly yes --appendfsync no >>"$out" || die "redis startup"
    done
    record redis startup ms "$(awk '{ print $1 }' "$out" | median)"
    record redis startup idle_rss_mb "$(awk '{ print $2 }' "$out" | median)"
    port=$(free_port); mkdir -p "$work/redis"
    # AOF on, written to the page cache without fsync per write: what Rill and Kafka do by default.
    start_bg redis redis-server --port "$port" --bind 127.0.0.1 --dir "$work/redis" --save '' --appendonly yes --appendfsync no
    local pid=$last_pid
    wait_serving redis "$port" "$pid" 30
    export REDIS_PORT=$port
    local size n
    for size in 100 1024; do
        n=$N100; [[ $size == 1024 ]] && n=$N1K
        measure redis "produce-${size}B-1p" records_per_s redis_produce "$port" "$n" "$size" 1
        measure redis "produce-${size}B-16p" records_per_s redis_produce "$port" "$n" "$size" 16
    done
    other_suite redis
    record redis rss rss_after_mb "$("$PY" "$here/tools.py" rss "$pid")"
    stop_bg "$pid"
}

run_nats() {
    local port i out=$work/startup.nats
    : >"$out"
    for ((i = 0; i < RUNS + 2; i++)); do
        port=$(free_port); rm -rf "$work/nats-start"; mkdir -p "$work/nats-start"
        timeout 60 "$PY" "$here/tools.py" startup nats 127.0.0.1 "$port" 5 -- nats-server -a 127.0.0.1 -p "$port" -js \
            -sd "$work/nats-start" >>"$out" || die "nats startup"
    done
    record nats startup ms "$(awk '{ print $1 }' "$out" | median)"
    record nats startup idle_rss_mb "$(awk '{ print $2 }' "$out" | median)"
    port=$(free_port); mkdir -p "$work/nats"
    start_bg nats nats-server -a 127.0.0.1 -p "$port" -js -sd "$work/nats"
    local pid=$last_pid
    wait_serving nats "$port" "$pid" 30
    export NATS_URL=nats://127.0.0.1:$port
    other_suite nats
    record nats rss rss_after_mb "$("$PY" "$here/tools.py" rss "$pid")"
    stop_bg "$pid"
}

run_postgres() {
    local bin=/usr/lib/postgresql/15/bin
    [[ -x $bin/postgres ]] || bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/postgres | tail -1)")
    # PostgreSQL refuses to run as root: its data directory belongs to the postgres user.
    mkdir -p "$work/pg"; chown postgres "$work/pg"
    runuser -u postgres -- "$bin/initdb" -D "$work/pg/data" -A trust -U postgres >"$work/initdb.log" 2>&1 || die "initdb"
    # synchronous_commit=off: commits are written to the WAL but not fsync'd one by one, like the others.
    local pgopts=(-c listen_addresses=127.0.0.1 -c unix_socket_directories="$work/pg" -c synchronous_commit=off)
    local port i out=$work/startup.pg
    : >"$out"
    for ((i = 0; i < RUNS + 2; i++)); do
        port=$(free_port)
        timeout 60 "$PY" "$here/tools.py" startup tcp 127.0.0.1 "$port" 5 -- runuser -u postgres -- "$bin/postgres" \
            -D "$work/pg/data" -p "$port" "${pgopts[@]}" >>"$out" || die "postgres startup"
        sleep 0.5
    done
    record postgres startup ms "$(awk '{ print $1 }' "$out" | median)"
    record postgres startup idle_rss_mb "$(awk '{ print $2 }' "$out" | median)"
    port=$(free_port)
    start_bg postgres runuser -u postgres -- "$bin/postgres" -D "$work/pg/data" -p "$port" "${pgopts[@]}"
    local pid=$last_pid
    wait_serving tcp "$port" "$pid" 30
    sleep 1
    export PG_URL=postgres://postgres@127.0.0.1:$port/postgres
    other_suite postgres
    record postgres rss rss_after_mb "$("$PY" "$here/tools.py" rss "$pid")"
    stop_bg "$pid"
}

# ------------------------------------------------------------------ main
# 10,000 connections, and 10,000 partitions of three open files each.
ulimit -Hn 1048576 2>/dev/null || true
ulimit -n "$(ulimit -Hn)"
install_packages
build_tools
log "work dir $work; QUICK=$QUICK RUNS=$RUNS systems: $SYSTEMS; open files $(ulimit -n)"

{
    echo "date	$(date -u +%Y-%m-%d)"
    echo "quick	$QUICK"
    echo "runs	$RUNS"
    echo "cpu	$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo) ($(nproc) cores)"
    echo "memory	$(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo)"
    echo "os	$(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
    echo "dotnet	$(dotnet --version)"
    echo "rill	$(git -C "$repo" rev-parse --short HEAD)"
    echo "librdkafka	$("$RDPERF" 2>&1 | sed -nE 's/^librdkafka version ([^ ]+).*/\1/p' | head -1)"
    echo "redis	$(redis-server --version | sed -E 's/.*v=([^ ]+).*/\1/')"
    echo "nats	$(nats-server --version | sed -E 's/.*v//')"
    echo "postgres	$("$(ls /usr/lib/postgresql/*/bin/postgres | tail -1)" --version | awk '{ print $3 }')"
    echo "node	$(node --version)"
    echo "load_start	$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "sizes	N100=$N100 N1K=$N1K NFAN=$NFAN LAT_S=$LAT_S NPART=$NPART PARTS=$PARTS CONNS=$CONNS"
} >"$work/meta.tsv"

for s in $SYSTEMS; do
    case $s in rill | mock | redis | nats | postgres) ;; *) die "unknown system $s" ;; esac
    # Each system in a subshell: one that fails is reported and its servers stopped; the others still run.
    (
        server_pids=()
        trap 'for p in "${server_pids[@]}"; do kill -TERM -- "-$p" 2>/dev/null || true; done; for j in $(jobs -p); do kill "$j" 2>/dev/null || true; done' EXIT
        "run_$s"
    ) || { log "$s: failed, its rows are incomplete"; record "$s" note failed "see the harness log"; }
done
echo "elapsed	$(($(date +%s) - started_at))" >>"$work/meta.tsv"
echo "load_end	$(cut -d' ' -f1-3 /proc/loadavg)" >>"$work/meta.tsv"

report_args=("$work/meta.tsv" "$results")
if [[ ${NO_DOCS:-0} == 1 ]]; then
    "$PY" "$here/report.py" --print "${report_args[@]}"
else
    mkdir -p "$repo/docs/img"
    cp "$results" "$work/meta.tsv" "$here/"
    "$PY" "$here/report.py" --write "$repo" "${report_args[@]}"
    log "wrote docs/benchmarks.md (comparison section), README.md (Benchmarks) and docs/img/compare-*.svg"
fi
log "done in $(($(date +%s) - started_at)) s"
