#!/usr/bin/env bash
# The web console's targets (docs/benchmarks.md): page loads with 1,000 topics and 200 groups, and the
# message browser's value search over a large partition (RILL_CONSOLE_BENCH_MB, default 300 MB, each codec of
# RILL_CONSOLE_BENCH_CODECS, default none,lz4,zstd,snappy). RILL_CONSOLE_BENCH_FILTER=Value_search runs only the search. Runs the two benchmark tests of tests/Rill.Console.BrowserTests (Playwright + /usr/bin/chromium,
# a rill serve process on port 0); the figures go to stdout and /tmp/rill-console-bench.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -f /tmp/rill-console-bench.txt
dotnet build tests/Rill.Console.BrowserTests/Rill.Console.BrowserTests.csproj -v q -nologo
RILL_CONSOLE_BENCH=1 dotnet test tests/Rill.Console.BrowserTests/Rill.Console.BrowserTests.csproj --no-build \
  --filter "FullyQualifiedName~ConsoleBench${RILL_CONSOLE_BENCH_FILTER:+&FullyQualifiedName~$RILL_CONSOLE_BENCH_FILTER}" --logger "console;verbosity=normal" >/dev/null || status=$?
cat /tmp/rill-console-bench.txt
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
exit "${status:-0}"
