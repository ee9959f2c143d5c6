#!/bin/bash
# Drop-to-results latency: the example export renamed into the drop directory 21 times, one at a
# time; prints the median time until its results folder appears.
# Usage: Tests/Benchmarks/scripts/daemon-latency.sh   (after `swift build -c release --static-swift-stdlib`)
#   OUTPUTS="html, md, csv, svg, docx" by default: the example pipeline's report outputs without the
#   figures' PDF and PNG (issue 12: the daemon's latency is for a pipeline without them; they are
#   optional); OUTPUTS=all keeps the pipeline as shipped (every output).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../../.." && pwd)
BIN=${COHORTD:-$REPO/.build/release/cohortd}
export SITE=$(mktemp -d /tmp/cohortd-latency.XXXXXX)
mkdir -p "$SITE/etc/pipelines.d" "$SITE/drop" "$SITE/plugins/examples"
sed -e 's#\.\./var/#../#g' -e 's#^log_level: info#log_level: warning#' -e 's#^duplicates: skip#duplicates: reprocess#' \
    "$REPO/etc/cohortd.yaml" > "$SITE/etc/cohortd.yaml"
OUTPUTS=${OUTPUTS:-html, md, csv, svg, docx}
if [ "$OUTPUTS" = all ]; then
    cp "$REPO/etc/pipelines.d/rps-metastasectomy.yaml" "$SITE/etc/pipelines.d/"
else
    sed -e "s#^  min_cell: 0#  min_cell: 0\n  outputs: [$OUTPUTS]#" "$REPO/etc/pipelines.d/rps-metastasectomy.yaml" \
        > "$SITE/etc/pipelines.d/rps-metastasectomy.yaml"
    grep -q "^  outputs: \[" "$SITE/etc/pipelines.d/rps-metastasectomy.yaml" || { echo "could not set outputs" >&2; exit 1; }
fi
cp "$REPO/plugins/examples/event-counts" "$SITE/plugins/examples/"
"$BIN" run --config "$SITE/etc/cohortd.yaml" 2>"$SITE/log" &
PID=$!
sleep 1.5
REPO=$REPO python3 - <<'PY'
import glob, os, time
repo, site = os.environ['REPO'], os.environ['SITE']
export = open(repo + '/examples/pm_database_export.csv', 'rb').read()
latencies = []
for i in range(21):
    staged = f'{site}/drop/.pm_{i}.csv'
    open(staged, 'wb').write(export + b'\n' * i)
    before = len(glob.glob(f'{site}/results/*/*'))
    start = time.monotonic()
    os.rename(staged, f'{site}/drop/pm_{i}.csv')
    while len(glob.glob(f'{site}/results/*/*')) == before:
        time.sleep(0.0005)
    latencies.append((time.monotonic() - start) * 1000)
    time.sleep(0.1)
latencies.sort()
print(f'drop to results: median {latencies[10]:.1f} ms (min {latencies[0]:.1f}, max {latencies[-1]:.1f}) over 21 files')
PY
kill -TERM $PID; wait $PID || true
