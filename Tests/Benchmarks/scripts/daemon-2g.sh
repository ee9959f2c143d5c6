#!/bin/bash
# A 2 GiB export through the daemon on its default configuration (memory budget: the cgroup's
# memory.max, else 3 GiB): prints the daemon's peak RSS (VmHWM) and how long the file took.
# Usage: Tests/Benchmarks/scripts/daemon-2g.sh BIG.csv   (after `swift build -c release --static-swift-stdlib`; make BIG.csv
# from the 1M-row benchmark export: header once, then its rows 22.6 times: 22.6M rows, 2.14 GB)
set -euo pipefail
CSV=${1:?usage: daemon-2g.sh BIG.csv}
REPO=$(cd "$(dirname "$0")/../../.." && pwd)
BIN=${COHORTD:-$REPO/.build/release/cohortd}
SITE=$(mktemp -d /tmp/cohortd-2g.XXXXXX)
mkdir -p "$SITE/etc/pipelines.d" "$SITE/drop"
sed -e 's#\.\./var/#../#g' "$REPO/etc/cohortd.yaml" > "$SITE/etc/cohortd.yaml"
sed -e 's#^match: .*#match: ["*.csv"]#' "$REPO/Tests/Benchmarks/AnalyzeBenchmarks/bench-pipeline.yaml" > "$SITE/etc/pipelines.d/bench.yaml"
"$BIN" run --config "$SITE/etc/cohortd.yaml" 2>"$SITE/log" &
PID=$!
sleep 1.5
cp "$CSV" "$SITE/drop/.big.csv"   # a copy: a hard link is refused (hard_link)
START=$(date +%s.%N)
mv "$SITE/drop/.big.csv" "$SITE/drop/big.csv"
until ls "$SITE"/results/*/* >/dev/null 2>&1 || [ -n "$(find "$SITE" -path "*failed*" -name "*.csv" 2>/dev/null)" ]; do sleep 0.2; done
END=$(date +%s.%N)
echo "peak RSS $(grep VmHWM /proc/$PID/status | awk '{print $2}') kB; $(echo "$END - $START" | bc) s; results: $(ls "$SITE"/results/*/ 2>/dev/null | wc -l), failed: $(find "$SITE" -path "*failed*" -name "*.csv" | wc -l)"
kill -TERM $PID; wait $PID || true
rm -rf "$SITE"
