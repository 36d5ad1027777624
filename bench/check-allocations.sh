#!/usr/bin/env bash
# Runs the BenchmarkDotNet micro-benchmarks with the memory diagnoser and compares each one's
# Allocated (bytes per operation) with bench/allocation-budgets.json. Exits 1 when one is over
# budget or a budgeted benchmark did not run. Timings are printed, never checked.
#
#   bash bench/check-allocations.sh                 # every budgeted benchmark (a few minutes)
#   bash bench/check-allocations.sh '*Storage*'     # a BenchmarkDotNet filter
#
# CI does not run this (it takes minutes and needs a quiet machine for the timings it prints);
# CI runs the same budgets through tests/Rill.Broker.Tests/AllocationBudgetTests.cs.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
filter=${1:-*}
artifacts=$(mktemp -d /tmp/rill-allocations.XXXXXX)
trap 'rm -rf "$artifacts"' EXIT

timeout 3600 dotnet run -c Release --project "$repo/bench/Rill.Benchmarks" -- \
    --filter "$filter" --memory --job short --exporters json --artifacts "$artifacts" >"$artifacts/run.log" 2>&1 \
    || { tail -40 "$artifacts/run.log" >&2; echo "benchmarks failed" >&2; exit 1; }

python3 - "$repo/bench/allocation-budgets.json" "$filter" "$artifacts"/results/*.json <<'PY'
import fnmatch, json, sys
budgets = {k: v for k, v in json.load(open(sys.argv[1])).items() if not k.startswith("_")}
pattern = sys.argv[2]
measured = {}
for path in sys.argv[3:]:
    for b in json.load(open(path)).get("Benchmarks", []):
        key = f"{b['Type']}.{b['Method']}" + (f"({b['Parameters']})" if b.get("Parameters") else "")
        measured[key] = (b.get("Memory") or {}).get("BytesAllocatedPerOperation")
failed = 0
print(f"{'benchmark':<50} {'allocated B/op':>15} {'budget':>10}")
for key, budget in sorted(budgets.items()):
    full = "Rill.Benchmarks." + key.split("(")[0]
    if not fnmatch.fnmatch(full, pattern) and pattern != "*":
        continue
    got = measured.get(key)
    status = "ok" if got is not None and got <= budget else "OVER BUDGET" if got is not None else "NOT RUN"
    if status != "ok":
        failed += 1
    print(f"{key:<50} {'-' if got is None else got:>15} {budget:>10}  {status}")
for key in sorted(set(measured) - set(budgets)):
    print(f"{key:<50} {measured[key]:>15} {'(none)':>10}")
sys.exit(1 if failed else 0)
PY
