#!/bin/bash
# CPU time (user + sys, all threads) of `cohortd analyze` on the 24-patient example
# (examples/pm_database_export.csv, etc/pipelines.d/rps-metastasectomy.yaml) writing its whole run
# folder, by `report: outputs:` — every output (the default), and without PDF and PNG, with PDF
# only, with PNG only — so that what rendering the figures costs can be read off, and per figure.
# Usage: Tests/Benchmarks/scripts/analyze-example-outputs.sh
#   (after `swift build -c release --static-swift-stdlib --product cohortd`; needs perf; RUNS=20 by default;
#    COHORTD=path overrides the binary)
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../../.." && pwd)
BIN=${COHORTD:-$REPO/.build/release/cohortd}
RUNS=${RUNS:-20}
CSV=$REPO/examples/pm_database_export.csv
PIPELINE=$REPO/etc/pipelines.d/rps-metastasectomy.yaml
WORK=$(mktemp -d /tmp/cohortd-outputs.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# The example pipeline with `outputs:` added under `report:` (and its exec plugin's path made
# absolute, since the copy lives elsewhere).
variant() { # NAME OUTPUTS
    python3 - "$PIPELINE" "$WORK/$1.yaml" "$2" "$REPO" <<'PY'
import sys
src, out, outputs, repo = sys.argv[1:5]
text = open(src).read().replace('"../../plugins/examples/', '"' + repo + '/plugins/examples/')
if outputs != "default":
    text = text.replace("\nreport:\n", "\nreport:\n  outputs: [" + outputs + "]\n", 1)
open(out, "w").write(text)
PY
}
variant all default
variant no-pdf-png "html, md, csv, svg"
variant pdf "html, md, csv, svg, pdf"
variant png "html, md, csv, svg, png"
variant results-only ""

"$BIN" analyze "$CSV" --pipeline "$WORK/all.yaml" --output "$WORK/out-all" >/dev/null
FIGURES=$(find "$WORK/out-all" -name '*.svg' | wc -l)
echo "run folder (default outputs): $(ls "$WORK/out-all" | wc -l) files, $FIGURES figure(s)"

for name in results-only no-pdf-png pdf png all; do
    # task-clock: CPU milliseconds summed over every thread, the mean of RUNS runs.
    ms=$(perf stat -x, -e task-clock -r "$RUNS" -- sh -c \
        "rm -rf '$WORK/out'; '$BIN' analyze '$CSV' --pipeline '$WORK/$name.yaml' --output '$WORK/out' >/dev/null" \
        2>&1 >/dev/null | awk -F, '/task-clock/ {printf "%.1f", $1}')
    printf '%-14s %8s ms CPU (mean of %s runs, including sh and rm)\n' "$name" "$ms" "$RUNS"
done
echo "budget: 150 ms CPU for the whole run folder, PDF, PNG and DOCX included (issue 12)"
