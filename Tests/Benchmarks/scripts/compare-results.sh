#!/bin/bash
# Whether two cohortd binaries give the same results: runs `cohortd analyze` with each on CSV and
# compares the run folders byte for byte, after blanking what differs from run to run (the run's
# id, start and finish times, and every "seconds" figure in results.json; the run id and the
# dates and times in the reports; the PDFs' CreationDate; report.docx part by part, unzipped).
# Exit 0 when identical, 1 with a diff otherwise.
# Usage: Tests/Benchmarks/scripts/compare-results.sh BEFORE_BIN AFTER_BIN CSV [PIPELINE]
#   PIPELINE defaults to the benchmark pipeline (Tests/Benchmarks/AnalyzeBenchmarks/bench-pipeline.yaml).
set -euo pipefail
BEFORE=${1:?usage: compare-results.sh BEFORE_BIN AFTER_BIN CSV [PIPELINE]}
AFTER=${2:?usage: compare-results.sh BEFORE_BIN AFTER_BIN CSV [PIPELINE]}
CSV=${3:?usage: compare-results.sh BEFORE_BIN AFTER_BIN CSV [PIPELINE]}
REPO=$(cd "$(dirname "$0")/../../.." && pwd)
PIPELINE=${4:-$REPO/Tests/Benchmarks/AnalyzeBenchmarks/bench-pipeline.yaml}
WORK=$(mktemp -d /tmp/compare-results.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# Blanks the run-specific values of one file (results.json line by line, as it is printed: one
# key a line; the reports: the run id and ISO dates/times wherever they are; a PDF: cairo's
# CreationDate, the time of drawing). report.docx is compared part by part, each part normalised.
normalise() {
  LC_ALL=C sed -E \
    -e 's/\/CreationDate \(D:[0-9]{14}Z?\)/\/CreationDate (D:TIME)/' \
    -e 's/^(    "id": )"[0-9]{8}T[0-9]{9}Z-[0-9a-f]{8}"/\1"RUN"/' \
    -e 's/^(    "(started|finished)": )"[^"]*"/\1"TIME"/' \
    -e 's/^( *"(seconds|read|analyses)": )[0-9.e+-]+(,?)$/\1S\3/' \
    -e 's/[0-9]{8}T[0-9]{9}Z-[0-9a-f]{8}/RUN/g' \
    -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z/TIME/g' \
    "$1"
}

for side in before after; do
  bin=$BEFORE; [ "$side" = after ] && bin=$AFTER
  status=0
  "$bin" analyze "$CSV" --pipeline "$PIPELINE" --output "$WORK/$side" 2>"$WORK/$side.stderr" || status=$?
  echo "$status" > "$WORK/$side.status"
  mkdir -p "$WORK/$side.normalised"
  for f in "$WORK/$side"/*; do
    if [[ "$f" == *.docx ]]; then
      parts="$WORK/$side.parts"
      python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$f" "$parts"
      find "$parts" -type f | sort | while read -r part; do
        target="$WORK/$side.normalised/$(basename "$f")/${part#"$parts"/}"
        mkdir -p "$(dirname "$target")"
        normalise "$part" > "$target"
      done
    else
      normalise "$f" > "$WORK/$side.normalised/$(basename "$f")"
    fi
  done
done
if [ "$(cat "$WORK/before.status")" != "$(cat "$WORK/after.status")" ]; then
  echo "exit status differs: $(cat "$WORK/before.status") before, $(cat "$WORK/after.status") after"
  exit 1
fi
if diff -r "$WORK/before.normalised" "$WORK/after.normalised" > "$WORK/diff"; then
  echo "identical: $(ls "$WORK/after" | wc -l) files (run ids, times and seconds blanked)"
else
  head -n 40 "$WORK/diff"
  exit 1
fi
