#!/bin/bash
# The wall time each group-comparison analysis of issue 10 adds to `cohortd analyze` on the
# 1,000,000-row benchmark export: the benchmark pipeline as the baseline, then the same pipeline
# plus one analysis (Table 1 by sex with gtsummary tests; Cox with ph_test on 4 covariates;
# log-rank stratified by sex with Holm pairwise comparisons over histology).
# Usage: Tests/Benchmarks/scripts/analyze-group-comparisons.sh BENCH.csv
#   (after `swift build -c release --static-swift-stdlib --product cohortd`; needs hyperfine and python3;
#    RUNS=5 by default; COHORTD=path overrides the binary)
set -euo pipefail
CSV=${1:?usage: analyze-group-comparisons.sh BENCH.csv}
REPO=$(cd "$(dirname "$0")/../../.." && pwd)
BIN=${COHORTD:-$REPO/.build/release/cohortd}
RUNS=${RUNS:-5}
BASE=$REPO/Tests/Benchmarks/AnalyzeBenchmarks/bench-pipeline.yaml
WORK=$(mktemp -d /tmp/cohortd-groups.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# The analyses' cost, not the figures' PDF/PNG and the Word report (their cost: analyze-example-outputs.sh).
sed 's/^analyses:/report: {outputs: [html, md, csv, svg]}\nanalyses:/' "$BASE" >"$WORK/base.yaml"
BASE=$WORK/base.yaml
cp "$BASE" "$WORK/baseline.yaml"
{
  cat "$BASE"
  cat <<'YAML'
  - id: table1_sex
    plugin: descriptives
    variables: [age, largest_tumor_mm, nlr_first_pm, dfi_months, total_resected_tumors,
                primary_site, histology, lung_met_extent, surgical_approach]
    by: sex
    tests: gtsummary
YAML
} >"$WORK/table1.yaml"
{
  cat "$BASE"
  cat <<'YAML'
  - id: hazards
    plugin: cox
    multivariable: [age, largest_tumor_mm, nlr_first_pm, sex]
    ph_test: true
YAML
} >"$WORK/cox.yaml"
{
  cat "$BASE"
  cat <<'YAML'
  - id: lr_histology
    plugin: logrank
    groups: [histology]
    strata: [sex]
    pairwise: holm
YAML
} >"$WORK/logrank.yaml"

run() { echo "$BIN analyze $CSV --pipeline $WORK/$1.yaml --output $WORK/out-$1"; }
for p in baseline table1 cox logrank; do
  # Each pipeline must run before it is timed (an unknown key fails here, not in hyperfine).
  if ! "$BIN" analyze "$CSV" --pipeline "$WORK/$p.yaml" --output "$WORK/out-$p" >/dev/null 2>"$WORK/$p.err"; then
    echo "$p: cohortd analyze failed:" >&2
    tail -5 "$WORK/$p.err" >&2
    exit 1
  fi
done
hyperfine -w 1 -r "$RUNS" -N --export-json "$WORK/times.json" \
  -n baseline "$(run baseline)" -n table1 "$(run table1)" -n cox "$(run cox)" -n logrank "$(run logrank)" >/dev/null
python3 - "$WORK/times.json" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
base = results["baseline"]
print(f"baseline: {base['mean']:.3f} s ± {base['stddev']:.3f} (user {base['user']:.3f} s)")
for name in ("table1", "cox", "logrank"):
    r = results[name]
    print(f"{name}: +{r['mean'] - base['mean']:.3f} s wall (± {r['stddev']:.3f}), +{r['user'] - base['user']:.3f} s user CPU")
PY
