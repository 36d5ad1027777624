#!/usr/bin/env bash
# What a write into the page cache costs on this machine, with no Rill involved: a small C program writes
# the way the broker's append path does (one pwrite per partition per request: 16 files, 400 KB writes from
# one reused buffer) and prints the kernel CPU seconds per GB of each round.
#
#   - "new" rounds write new files and keep them, so every round takes memory the page cache has not used yet;
#   - the "overwrite" round writes round 1's files again (their pages are already in the cache);
#   - the "drop-behind" round writes new files the way rill.log.drop.behind.bytes does: writeback started every
#     MiB per file (sync_file_range), and the oldest ranges dropped from the cache (POSIX_FADV_DONTNEED) while more
#     than BUDGET_MB are queued, so the cache's memory is reused instead of new.
#   Each line also gives the machine's CPU per GB (all processes: the kernel's writeback threads count too).
#
# Where a round's cost climbs from ~0.2 to ~2 s per GB, the kernel is handing out memory the hypervisor took
# back (virtio-balloon free page reporting: /sys/module/page_reporting, printed when present) and every first
# touch of a page faults in the host. The broker's produce path pays that per byte written; an in-memory
# broker that reuses a few MB per partition (librdkafka's mock) does not. docs/benchmarks.md, issue 16.
#
# Usage: bench/page-cache-write.sh [DIR]   (DIR: the filesystem of log.dirs; default a new directory in /tmp)
# Knobs: ROUNDS (default 4), MB per round (default 2000), FILES (16), CHUNK bytes (400000), BUDGET_MB (256)
set -euo pipefail
ROUNDS=${ROUNDS:-4} MB=${MB:-2000} FILES=${FILES:-16} CHUNK=${CHUNK:-400000} BUDGET_MB=${BUDGET_MB:-256}
base=${1:-/tmp}
work=$(mktemp -d "$base/rill-page-cache-write.XXXXXX")
trap 'rm -rf "$work"' EXIT
cat >"$work/pw.c" <<'C'
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
/* pw DIR FILES CHUNK BYTES [BUDGET]: round-robin pwrites of CHUNK bytes to FILES files in DIR. With BUDGET > 0,
   writeback starts every MiB per file and the oldest MiB ranges are dropped while more than BUDGET bytes are
   queued. Prints the kernel CPU s of this process and per GB, then the machine's busy CPU s per GB. */
static double busy(void) {
    unsigned long long v[7] = {0}; FILE *f = fopen("/proc/stat", "r");
    if (!f || fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6]) != 7) return 0;
    fclose(f);
    return (v[0] + v[1] + v[2] + v[5] + v[6]) / (double)sysconf(_SC_CLK_TCK);
}
typedef struct { int fd; off_t off, len; } range;
int main(int argc, char **argv) {
    if (argc != 5 && argc != 6) return 2;
    int nf = atoi(argv[2]); size_t chunk = strtoul(argv[3], 0, 10); long long total = atoll(argv[4]);
    long long budget = argc == 6 ? atoll(argv[5]) : 0, step = 1 << 20;
    if (nf < 1 || nf > 256 || chunk < 1) return 2;
    int fds[256]; off_t offs[256], mark[256]; char name[4096];
    for (int i = 0; i < nf; i++) {
        snprintf(name, sizeof name, "%s/f%d", argv[1], i);
        fds[i] = open(name, O_CREAT | O_WRONLY, 0644); offs[i] = mark[i] = 0;
        if (fds[i] < 0) { perror(name); return 1; }
    }
    size_t cap = total / step + nf + 1, head = 0, tail = 0; long long queued = 0;
    range *q = calloc(cap, sizeof *q);
    char *buf = malloc(chunk); memset(buf, 7, chunk);
    double b0 = busy();
    for (long long done = 0; done < total; done += chunk) {
        int i = (int)((done / chunk) % nf);
        if (pwrite(fds[i], buf, chunk, offs[i]) != (ssize_t)chunk) { perror("pwrite"); return 1; }
        offs[i] += chunk;
        if (budget > 0 && offs[i] - mark[i] >= step) {
            sync_file_range(fds[i], mark[i], offs[i] - mark[i], SYNC_FILE_RANGE_WRITE);
            q[tail++] = (range){fds[i], mark[i], offs[i] - mark[i]}; queued += offs[i] - mark[i]; mark[i] = offs[i];
            while (queued > budget && head < tail) {
                range r = q[head++];
                posix_fadvise(r.fd, r.off, r.len, POSIX_FADV_DONTNEED); queued -= r.len;
            }
        }
    }
    double machine = busy() - b0;
    struct rusage ru; getrusage(RUSAGE_SELF, &ru);
    double sys = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    printf("%.3f %.2f %.2f\n", sys, sys / (total / 1e9), machine / (total / 1e9));
    return 0;
}
C
gcc -O2 -o "$work/pw" "$work/pw.c"
rep=/sys/module/page_reporting/parameters/reported_kib
reported() { [[ -r $rep ]] && cat "$rep" || echo 0; }
bytes=$((MB * 1000000))
echo "| round | MB | kernel s | kernel s per GB | machine CPU s per GB | MB reported to the host meanwhile | MemFree after (MB) |"
echo "|---|---:|---:|---:|---:|---:|---:|"
round() { # label dir [budget bytes]
    mkdir -p "$2"
    local r0 ks kgb mgb
    r0=$(reported)
    read -r ks kgb mgb < <("$work/pw" "$2" "$FILES" "$CHUNK" "$bytes" "${3:-0}")
    echo "| $1 | $MB | $ks | $kgb | $mgb | $((($(reported) - r0) / 1024)) | $(awk '/^MemFree/ { print int($2 / 1024) }' /proc/meminfo) |"
}
for ((n = 1; n <= ROUNDS; n++)); do round "new $n" "$work/r$n"; done
round "overwrite 1" "$work/r1"
round "drop-behind, ${BUDGET_MB} MiB" "$work/drop" $((BUDGET_MB << 20))
round "new $((ROUNDS + 1))" "$work/r$((ROUNDS + 1))"
if [[ -r $rep ]]; then
    echo
    echo "page_reporting: $(for f in /sys/module/page_reporting/parameters/*; do printf '%s=%s ' "$(basename "$f")" "$(cat "$f")"; done)"
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
