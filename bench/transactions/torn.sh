#!/usr/bin/env bash
# The torn-transaction check of issue 13 at full size: RUNS randomised transactions (commit, abort,
# SIGKILL of the broker before or during the commit) against a `rill serve` process, then a
# read_committed consumer checks that every transaction is seen whole or not at all.
# Usage: bench/transactions/torn.sh [RUNS] [SEED]      (CI runs the same test with 12 runs)
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-1000}
export RILL_TORN_RUNS=$RUNS
[ -n "${2:-}" ] && export RILL_TORN_SEED=$2
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
dotnet test tests/Rill.Client.Tests -c Release --filter "FullyQualifiedName~TornTransactionTests" \
  --logger "console;verbosity=detailed" 2>&1 | grep -E "runs|Passed|Failed|torn|Assert"
