#!/usr/bin/env bash
# Proves that a cohortd binary writes the same results as another: runs `cohortd analyze` on a
# fixed list of (CSV, pipeline) cases and keeps what it wrote, with only the values that change
# from run to run replaced, so that two such directories can be compared with diff -r.
#
#   Tests/scripts/results-identity.sh COHORTD_BINARY OUTDIR      run every case into OUTDIR
#   Tests/scripts/results-identity.sh --compare DIR_A DIR_B      diff -r; non-zero on any difference
#   Tests/scripts/results-identity.sh --list                     the cases
#
# Typical use: capture with the binary built from the commit before a refactor, capture with the
# binary after it, compare:
#   Tests/scripts/results-identity.sh /tmp/baseline/.build/release/cohortd /tmp/identity-baseline
#   Tests/scripts/results-identity.sh .build/release/cohortd /tmp/identity-new
#   Tests/scripts/results-identity.sh --compare /tmp/identity-baseline /tmp/identity-new
#
# For each case OUTDIR holds:
#   <case>.json          results.json with run.id, run.started, run.finished, every number of
#                        run.seconds and every analyses[].seconds replaced by "RUNID", "STARTED",
#                        "FINISHED", "SECONDS"; every other byte is kept as written (textual
#                        replacement on the pretty-printed file, nothing is re-serialised)
#   <case>/report.md     with the run id replaced by RUNID (it is in the subtitle)
#   <case>/*.csv         the run folder's tables, unchanged
#   <case>/exit-status   cohortd's exit status (0 ok, 2 some analysis failed, 1 the file failed)
#   <case>/stderr.txt    cohortd's standard error (the temporary directory replaced by WORK)
# A file that cannot be read leaves only results.json, so such a case's folder holds only the
# last two. report.html and the SVG figures are not kept.
#
# Cases live in Tests/scripts/identity-cases/ (pipelines, CSVs, exec helpers, generate.py for the
# two larger generated inputs); paths are relative to the repository root, where this script runs.
# Needs bash, python3 (the example exec plugin and generate.py are Python) and diff.
set -euo pipefail

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//' >&2
    exit 64
}

# name | CSV (gen:NAME = made by generate.py NAME) | pipeline | expected run status | expected exit
CASES=(
    # The example pipeline (profile ezr, every built-in plugin, exec with plugins/examples/event-counts).
    "rps-metastasectomy|examples/pm_database_export.csv|etc/pipelines.d/rps-metastasectomy.yaml|ok|0"
    # Pipelines of the tests (Tests/**.swift inline, Tests/Benchmarks/**.yaml).
    "t-report|Tests/scripts/identity-cases/t-report.csv|Tests/scripts/identity-cases/t-report.yaml|ok|0"
    "t-report-missing|Tests/scripts/identity-cases/t-report-missing.csv|Tests/scripts/identity-cases/t-report-missing.yaml|ok|0"
    "t-report-reject|Tests/scripts/identity-cases/t-report-bad.csv|Tests/scripts/identity-cases/t-report.yaml|failed|1"
    "t-exec|Tests/scripts/identity-cases/t-exec.csv|Tests/scripts/identity-cases/t-exec.yaml|ok|0"
    "t-daemon-km|Tests/scripts/identity-cases/t-daemon-km.csv|Tests/scripts/identity-cases/t-daemon-km.yaml|ok|0"
    "t-config-base|Tests/scripts/identity-cases/t-config.csv|Tests/scripts/identity-cases/t-config-base.yaml|ok|0"
    "t-config-yes|Tests/scripts/identity-cases/t-config.csv|Tests/scripts/identity-cases/t-config-yes.yaml|ok|0"
    "t-parts|gen:parts|Tests/scripts/identity-cases/t-parts.yaml|ok|0"
    "bench|gen:bench|Tests/Benchmarks/AnalyzeBenchmarks/bench-pipeline.yaml|ok|0"
    # Every plugin in other settings; profiles r, ezr and none; R's public data sets.
    "pm-profile-r|examples/pm_database_export.csv|Tests/scripts/identity-cases/pm-profile-r.yaml|ok|0"
    "lung-km|Tests/scripts/identity-cases/lung.csv|Tests/scripts/identity-cases/lung-km.yaml|ok|0"
    "lung-logrank-cox|Tests/scripts/identity-cases/lung.csv|Tests/scripts/identity-cases/lung-logrank-cox.yaml|ok|0"
    "aml|Tests/scripts/identity-cases/aml.csv|Tests/scripts/identity-cases/aml.yaml|ok|0"
    # Edge cases.
    "edge-reject|Tests/scripts/identity-cases/edge-bad-values.csv|Tests/scripts/identity-cases/edge-reject.yaml|failed|1"
    "edge-missing|Tests/scripts/identity-cases/edge-bad-values.csv|Tests/scripts/identity-cases/edge-missing.yaml|ok|0"
    "edge-ragged|Tests/scripts/identity-cases/edge-ragged.csv|Tests/scripts/identity-cases/edge-structural.yaml|failed|1"
    "edge-missing-column|Tests/scripts/identity-cases/edge-missing-column.csv|Tests/scripts/identity-cases/edge-structural.yaml|failed|1"
    "edge-partial|Tests/scripts/identity-cases/edge-partial.csv|Tests/scripts/identity-cases/edge-partial.yaml|partial|2"
    "edge-failed-analyses|Tests/scripts/identity-cases/edge-negative-time.csv|Tests/scripts/identity-cases/edge-failed-analyses.yaml|failed|2"
    "edge-empty-cohort|Tests/scripts/identity-cases/edge-partial.csv|Tests/scripts/identity-cases/edge-empty-cohort.yaml|partial|2"
    "edge-no-events|Tests/scripts/identity-cases/edge-no-events.csv|Tests/scripts/identity-cases/edge-no-events.yaml|ok|0"
    "edge-numerics|Tests/scripts/identity-cases/edge-numerics.csv|Tests/scripts/identity-cases/edge-numerics.yaml|ok|0"
    "edge-csv-cp1252|Tests/scripts/identity-cases/edge-csv-cp1252.csv|Tests/scripts/identity-cases/edge-csv-cp1252.yaml|ok|0"
    "edge-csv-utf8bom|Tests/scripts/identity-cases/edge-csv-utf8bom.csv|Tests/scripts/identity-cases/edge-csv-utf8bom.yaml|ok|0"
)

# Replaces the run's variable values in results.json (argument 1) and writes the result to
# argument 2; prints the run id. Only whole lines of the pretty-printed file (2-space indent) are
# matched: the top-level "run" object (indent 2) and the "seconds" of analyses[] entries
# (indent 6); every other byte is copied.
normalise_results() {
    python3 - "$1" "$2" <<'PY'
import re, sys

src, dst = sys.argv[1], sys.argv[2]
lines = open(src, "rb").read().split(b"\n")
NUMBER = rb"-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?"
problems = []
run_id = None

def block(start_pattern, closing):
    """Index range (first, last] of the lines of the top-level block opened by start_pattern."""
    starts = [i for i, l in enumerate(lines) if re.fullmatch(start_pattern, l)]
    if len(starts) != 1:
        return None
    first = starts[0]
    for j in range(first + 1, len(lines)):
        if re.fullmatch(closing, lines[j]):
            return first, j
    return None

run = block(rb'  "run": \{', rb"  \},?")
if run is None:
    problems.append("no top-level run object")
else:
    found = {b"id": 0, b"started": 0, b"finished": 0}
    placeholder = {b"id": b'"RUNID"', b"started": b'"STARTED"', b"finished": b'"FINISHED"'}
    in_seconds = False
    for i in range(run[0] + 1, run[1]):
        line = lines[i]
        m = re.fullmatch(rb'(    "(id|started|finished)": )"[^"\\]*"(,?)', line)
        if m:
            key = m.group(2)
            found[key] += 1
            if key == b"id":
                run_id = line[len(m.group(1)) + 1:line.rindex(b'"')].decode()
            lines[i] = m.group(1) + placeholder[key] + m.group(3)
            continue
        if re.fullmatch(rb'    "seconds": \{', line):
            in_seconds = True
            continue
        if in_seconds and re.fullmatch(rb"    \},?", line):
            in_seconds = False
            continue
        if in_seconds:
            lines[i] = re.sub(rb'^(      "[^"\\]*": )' + NUMBER + rb"(,?)$", rb'\1"SECONDS"\2', line)
    for key, count in found.items():
        if count != 1:
            problems.append(f"run.{key.decode()} found {count} times")

analyses = block(rb'  "analyses": \[', rb"  \],?")
if analyses is not None:
    entries = seconds = 0
    for i in range(analyses[0] + 1, analyses[1]):
        if re.fullmatch(rb"    \{", lines[i]):
            entries += 1
        m = re.fullmatch(rb'(      "seconds": )' + NUMBER + rb"(,?)", lines[i])
        if m:
            seconds += 1
            lines[i] = m.group(1) + b'"SECONDS"' + m.group(2)
    if entries != seconds:
        problems.append(f"{entries} analyses but {seconds} seconds replaced")
elif not any(re.fullmatch(rb'  "analyses": \[\],?', l) for l in lines):
    problems.append("no top-level analyses array")

open(dst, "wb").write(b"\n".join(lines))
for p in problems:
    print(f"results-identity: {src}: {p}", file=sys.stderr)
print(run_id or "")
sys.exit(3 if problems else 0)
PY
}

# Copies file $3 to $4 with every occurrence of the string $1 replaced by $2 (other bytes kept).
replace_string() {
    python3 - "$@" <<'PY'
import sys
old, new, src, dst = sys.argv[1].encode(), sys.argv[2].encode(), sys.argv[3], sys.argv[4]
data = open(src, "rb").read()
open(dst, "wb").write(data.replace(old, new) if old else data)
PY
}

# The value of the top-level "status" (line-based, as written).
run_status() {
    python3 - "$1" <<'PY'
import re, sys
for line in open(sys.argv[1], "rb").read().split(b"\n"):
    m = re.fullmatch(rb'  "status": "([a-z]*)",?', line)
    if m:
        print(m.group(1).decode())
        break
PY
}

compare() {
    local a=$1 b=$2
    for d in "$a" "$b"; do
        [ -d "$d" ] || { echo "results-identity: $d is not a directory" >&2; exit 64; }
    done
    local report
    report=$(mktemp)
    if diff -r "$a" "$b" >"$report"; then
        echo "results-identity: identical: $(find "$a" -type f | wc -l) files in $a and $b"
        rm -f "$report"
        return 0
    fi
    echo "results-identity: DIFFERENT: $a vs $b"
    diff -rq "$a" "$b" | sed 's/^/  /' || true
    echo "--- first 200 lines of diff -r (all: diff -r $a $b)"
    head -n 200 "$report"
    rm -f "$report"
    return 1
}

case "${1:-}" in
    --compare)
        [ $# -eq 3 ] || usage
        compare "$2" "$3"
        exit $?
        ;;
    --list)
        for c in "${CASES[@]}"; do IFS='|' read -r name csv pipeline status code <<<"$c"; printf '%-22s %-8s %s  %s\n' "$name" "$status" "$pipeline" "$csv"; done
        exit 0
        ;;
    -h | --help | "") usage ;;
esac
[ $# -eq 2 ] || usage

# Resolve the arguments against the caller's directory before moving to the repository root.
BIN=$1
case "$BIN" in
    /*) ;;
    */*) BIN=$PWD/$BIN ;;
    *) BIN=$(command -v "$BIN") || { echo "results-identity: $1 not found" >&2; exit 64; } ;;
esac
[ -x "$BIN" ] || { echo "results-identity: $BIN is not an executable" >&2; exit 64; }
OUT=$2
case "$OUT" in /*) ;; *) OUT=$PWD/$OUT ;; esac
if [ -e "$OUT" ] && [ -n "$(ls -A "$OUT")" ]; then
    echo "results-identity: $OUT exists and is not empty" >&2
    exit 64
fi
mkdir -p "$OUT"

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
command -v python3 >/dev/null || { echo "results-identity: python3 is needed" >&2; exit 64; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/results-identity.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/generated" "$WORK/runs"
shopt -s nullglob

failures=0
for c in "${CASES[@]}"; do
    IFS='|' read -r name csv pipeline want_status want_code <<<"$c"
    case "$csv" in
        gen:*)
            gen=${csv#gen:}
            csv=$WORK/generated/$gen.csv
            [ -f "$csv" ] || python3 Tests/scripts/identity-cases/generate.py "$gen" "$csv"
            ;;
    esac
    run=$WORK/runs/$name
    code=0
    "$BIN" analyze "$csv" --pipeline "$pipeline" --output "$run" >/dev/null 2>"$WORK/stderr" || code=$?
    mkdir -p "$OUT/$name"
    echo "$code" >"$OUT/$name/exit-status"
    replace_string "$WORK" WORK "$WORK/stderr" "$OUT/$name/stderr.txt"
    if [ ! -f "$run/results.json" ]; then
        echo "results-identity: $name: no results.json (exit $code): $(head -c 500 "$WORK/stderr")" >&2
        failures=$((failures + 1))
        continue
    fi
    run_id=$(normalise_results "$run/results.json" "$OUT/$name.json") || failures=$((failures + 1))
    if [ -f "$run/report.md" ]; then
        replace_string "$run_id" RUNID "$run/report.md" "$OUT/$name/report.md"
    fi
    for table in "$run"/*.csv; do cp "$table" "$OUT/$name/"; done
    status=$(run_status "$run/results.json")
    note=""
    if [ "$status" != "$want_status" ] || [ "$code" != "$want_code" ]; then
        note="  (expected status $want_status, exit $want_code)"
        failures=$((failures + 1))
    fi
    printf '%-22s status %-8s exit %s  %3s tables%s\n' "$name" "$status" "$code" "$(find "$OUT/$name" -name '*.csv' | wc -l)" "$note"
done

echo "results-identity: ${#CASES[@]} cases written to $OUT"
if [ "$failures" -gt 0 ]; then
    echo "results-identity: $failures case(s) did not run as the case list expects (see above)" >&2
    exit 1
fi
