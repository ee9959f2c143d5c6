#!/bin/bash
# `cohortd analyze` end to end on the 1,000,000-row benchmark export (whole process, 10 runs).
# Usage: Tests/Benchmarks/scripts/analyze-1m.sh BENCH.csv   (after `swift build -c release --static-swift-stdlib`;
# make BENCH.csv with ../shared/bench/gen_cohort.py 1000000 BENCH.csv, which needs pandas)
set -euo pipefail
CSV=${1:?usage: analyze-1m.sh BENCH.csv}
REPO=$(cd "$(dirname "$0")/../../.." && pwd)
BIN=${COHORTD:-$REPO/.build/release/cohortd}
PIPELINE=$REPO/Tests/Benchmarks/AnalyzeBenchmarks/bench-pipeline.yaml
OUT=$(mktemp -d /tmp/cohortd-analyze.XXXXXX)
"$BIN" analyze "$CSV" --pipeline "$PIPELINE" --output "$OUT" >/dev/null   # warm the page cache
if command -v perf >/dev/null; then
  perf stat -r 10 -e task-clock "$BIN" analyze "$CSV" --pipeline "$PIPELINE" --output "$OUT" 2>&1 >/dev/null | grep -E 'task-clock|elapsed'
else
  for i in $(seq 10); do /usr/bin/time -f '%e s' "$BIN" analyze "$CSV" --pipeline "$PIPELINE" --output "$OUT" 2>&1 >/dev/null | tail -1; done
fi
/usr/bin/time -f 'peak RSS %M KB' "$BIN" analyze "$CSV" --pipeline "$PIPELINE" --output "$OUT" 2>&1 >/dev/null | tail -1
