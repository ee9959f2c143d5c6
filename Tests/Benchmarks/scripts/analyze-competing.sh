#!/bin/bash
# The wall time each analysis of issue 11 adds to `cohortd analyze` on the 1,000,000-row benchmark
# export with a three-level competing status added (censored / recurrence / death: each death of
# the generator's `dead` becomes "death" or "recurrence", 60:40, seeded): the benchmark pipeline
# with the `competing:` block as the baseline, then the same plus one analysis — cumulative
# incidence of recurrence by histology (5 groups) with Gray's test, and RMST at 60 months by sex.
# Usage: Tests/Benchmarks/scripts/analyze-competing.sh BENCH.csv
#   (after `swift build -c release --static-swift-stdlib --product cohortd`; needs hyperfine, python3 with numpy;
#    RUNS=5 by default; COHORTD=path overrides the binary)
set -euo pipefail
CSV=${1:?usage: analyze-competing.sh BENCH.csv}
REPO=$(cd "$(dirname "$0")/../../.." && pwd)
BIN=${COHORTD:-$REPO/.build/release/cohortd}
RUNS=${RUNS:-5}
BASE=$REPO/Tests/Benchmarks/AnalyzeBenchmarks/bench-pipeline.yaml
WORK=$(mktemp -d /tmp/cohortd-competing.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# The export with the competing status as its last column.
python3 - "$CSV" "$WORK/bench-cr.csv" <<'PY'
import sys, numpy as np
src, out = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(11)
with open(src) as f, open(out, "w") as g:
    header = f.readline().rstrip("\n")
    names = header.split(",")
    dead = names.index("dead")
    g.write(header + ",crstatus\n")
    lines = f.read().splitlines()
    draws = rng.random(len(lines))
    for line, u in zip(lines, draws):
        event = line.split(",")[dead] == "1"
        g.write(line + "," + (("death" if u < 0.6 else "recurrence") if event else "censored") + "\n")
PY

# The benchmark pipeline with the status declared and the competing block beside survival.
python3 - "$BASE" "$WORK/baseline.yaml" <<'PY'
import sys
text = open(sys.argv[1]).read()
text = text.replace("  dead: {type: boolean", "  crstatus: {type: category, levels: [censored, recurrence, death]}\n  dead: {type: boolean", 1)
text = text.replace("survival: {time: os_months, event: dead, unit: months}",
    "survival: {time: os_months, event: dead, unit: months}\ncompeting: {time: os_months, status: crstatus, censored: [censored]}", 1)
# The analyses' cost, not the figures' PDF/PNG and the Word report (their cost: analyze-example-outputs.sh).
text = text.replace("\nanalyses:", "\nreport: {outputs: [html, md, csv, svg]}\nanalyses:", 1)
open(sys.argv[2], "w").write(text)
PY
{
  cat "$WORK/baseline.yaml"
  cat <<'YAML'
  - id: recurrence_by_histology
    plugin: cumulative_incidence
    event: recurrence
    by: histology
    times: [36, 60]
YAML
} >"$WORK/cif.yaml"
{
  cat "$WORK/baseline.yaml"
  cat <<'YAML'
  - id: rmst_sex
    plugin: rmst
    tau: 60
    by: sex
YAML
} >"$WORK/rmst.yaml"

DATA=$WORK/bench-cr.csv
run() { echo "$BIN analyze $DATA --pipeline $WORK/$1.yaml --output $WORK/out-$1"; }
for p in baseline cif rmst; do
  if ! "$BIN" analyze "$DATA" --pipeline "$WORK/$p.yaml" --output "$WORK/out-$p" >/dev/null 2>"$WORK/$p.err"; then
    echo "$p: cohortd analyze failed:" >&2
    tail -5 "$WORK/$p.err" >&2
    exit 1
  fi
done
hyperfine -w 1 -r "$RUNS" -N --export-json "$WORK/times.json" \
  -n baseline "$(run baseline)" -n cif "$(run cif)" -n rmst "$(run rmst)" >/dev/null
python3 - "$WORK/times.json" "$WORK/out-cif/results.json" "$WORK/out-rmst/results.json" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
base = results["baseline"]
print(f"baseline: {base['mean']:.3f} s ± {base['stddev']:.3f} (user {base['user']:.3f} s)")
for name in ("cif", "rmst"):
    r = results[name]
    print(f"{name}: +{r['mean'] - base['mean']:.3f} s wall (± {r['stddev']:.3f}), +{r['user'] - base['user']:.3f} s user CPU")
cif = next(a for a in json.load(open(sys.argv[2]))["analyses"] if a["id"] == "recurrence_by_histology")
rmst = next(a for a in json.load(open(sys.argv[3]))["analyses"] if a["id"] == "rmst_sex")
print(f"in results.json: cif {cif['seconds']:.3f} s ({len({c['group'] for c in cif['result']['curves']})} groups, "
      f"{len(cif['result']['tests'])} Gray tests); rmst {rmst['seconds']:.3f} s ({len(rmst['result']['groups'])} groups)")
PY
