#!/bin/bash
# Burst throughput of the daemon: N distinct copies of the example export renamed into the drop
# directory at once; prints files/s until every one is archived or failed.
# Usage: Tests/Benchmarks/scripts/daemon-burst.sh [N=1000] [--with-exec]   (after `swift build -c release --static-swift-stdlib`)
set -euo pipefail
N=${1:-1000}
REPO=$(cd "$(dirname "$0")/../../.." && pwd)
BIN=${COHORTD:-$REPO/.build/release/cohortd}
export SITE=$(mktemp -d /tmp/cohortd-burst.XXXXXX)
mkdir -p "$SITE/etc/pipelines.d" "$SITE/drop" "$SITE/plugins/examples"
sed -e 's#\.\./var/#../#g' -e 's#^log_level: info#log_level: warning#' -e 's#^duplicates: skip#duplicates: reprocess#' \
    -e "s#^workers: 2#workers: ${WORKERS:-2}#" "$REPO/etc/cohortd.yaml" > "$SITE/etc/cohortd.yaml"
cp "$REPO/plugins/examples/event-counts" "$SITE/plugins/examples/"
WITH_EXEC=${2:-} REPO=$REPO N=$N python3 - <<'PY'
import os, re
repo, site, n = os.environ['REPO'], os.environ['SITE'], int(os.environ['N'])
pipeline = open(repo + '/etc/pipelines.d/rps-metastasectomy.yaml').read()
if os.environ.get('WITH_EXEC') != '--with-exec':
    pipeline = '\n'.join(b for b in re.split(r'\n(?=  - id:)', pipeline) if 'plugin: exec' not in b)
open(site + '/etc/pipelines.d/rps.yaml', 'w').write(pipeline)
export = open(repo + '/examples/pm_database_export.csv', 'rb').read()
for i in range(1, n + 1):  # distinct contents (blank lines are skipped), so none is a duplicate
    open(f'{site}/drop/.pm_{i}.csv', 'wb').write(export + b'\n' * i)
PY
"$BIN" run --config "$SITE/etc/cohortd.yaml" 2>"$SITE/log" &
PID=$!
sleep 1.5
T0=$(date +%s.%N)
for i in $(seq 1 "$N"); do mv "$SITE/drop/.pm_$i.csv" "$SITE/drop/pm_$i.csv"; done
while true; do
  DONE=$(find "$SITE/state/archive" "$SITE/state/failed" -name '*.csv' 2>/dev/null | wc -l)
  [ "$DONE" -ge "$N" ] && break
  sleep 0.05
done
T1=$(date +%s.%N)
CPU=$(awk '{printf "%.2f s (user %.2f, sys %.2f)", ($14 + $15) / 100, $14 / 100, $15 / 100}' /proc/$PID/stat)
kill -TERM $PID; wait $PID || true
FAILED=$(find "$SITE/state/failed" -name '*.csv' 2>/dev/null | wc -l)
python3 -c "print(f'{$N} files in {$T1 - $T0:.2f} s: {$N / ($T1 - $T0):.0f} files/s, {$FAILED} failed, daemon CPU $CPU')"
echo "site: $SITE"
