#!/bin/bash
# Registry scale (issue 13): wall time, CPU (user+sys) and peak RSS of `cohortd analyze` with the
# benchmark pipeline on 1M and 10M rows, and of polars' read_csv alone (whole process) when
# polars is importable, side by side in one table. Each figure: the median of RUNS runs (wall,
# CPU) and the largest peak RSS, after one untimed run that warms the page cache.
#
# Usage: Tests/Benchmarks/scripts/registry-scale.sh        (after `swift build -c release --static-swift-stdlib --product cohortd`)
# Environment: BENCH1M (default /tmp/bench1m.csv), BENCH10M (default /tmp/bench10m.csv): made once
# when missing, with gen_cohort.py beside this script (numpy, pandas; ~8 GB RAM for 10M rows) or,
# when less than 9 GB is available, as ten copies of the 1M file's rows under one header (ids then
# repeat: the figures are the same work, the numbers in results.json are not those of a 10M draw);
# RUNS (default 3); COHORTD (default .build/release/cohortd); PYTHON (default python3).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
BIN=${COHORTD:-$REPO/.build/release/cohortd}
PIPELINE=$REPO/Tests/Benchmarks/AnalyzeBenchmarks/bench-pipeline.yaml
BENCH1M=${BENCH1M:-/tmp/bench1m.csv}
BENCH10M=${BENCH10M:-/tmp/bench10m.csv}
RUNS=${RUNS:-3}
PYTHON=${PYTHON:-python3}
[ -x "$BIN" ] || { echo "no $BIN: swift build -c release --static-swift-stdlib --product cohortd" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

available_gb() { awk '/MemAvailable/ {print int($2 / 1048576)}' /proc/meminfo; }

make_file() {  # ROWS PATH
  local rows=$1 path=$2
  [ -s "$path" ] && return 0
  if [ "$rows" -le 1000000 ] || [ "$(available_gb)" -ge 9 ]; then
    echo "generating $rows rows into $path ..." >&2
    "$PYTHON" "$HERE/gen_cohort.py" "$rows" "$path.part"
  else
    echo "less than 9 GB available: $path as ten copies of the 1M rows ..." >&2
    make_file 1000000 "$BENCH1M"
    { head -n 1 "$BENCH1M"; for _ in $(seq 10); do tail -n +2 "$BENCH1M"; done; } > "$path.part"
  fi
  mv "$path.part" "$path"
}

OUT=$(mktemp -d /tmp/registry-scale.XXXXXX)
trap 'rm -rf "$OUT"' EXIT

# measure LABEL COMMAND...: prints "LABEL|wall|cpu|rss_mb" (medians of RUNS, largest RSS).
measure() {
  local label=$1; shift
  "$@" >/dev/null 2>&1 || { echo "$label: the command failed" >&2; return 1; }  # warm the page cache
  local walls=() cpus=() rss=0
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f '%e %U %S %M' -o "$OUT/time" "$@" >/dev/null 2>"$OUT/stderr" || { cat "$OUT/stderr" >&2; return 1; }
    read -r wall user sys kb < <(tail -n 1 "$OUT/time")
    walls+=("$wall"); cpus+=("$(echo "$user + $sys" | bc)")
    [ "$kb" -gt "$rss" ] && rss=$kb
  done
  median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
  echo "$label|$(median "${walls[@]}")|$(median "${cpus[@]}")|$((rss / 1024))"
}

make_file 1000000 "$BENCH1M"
make_file 10000000 "$BENCH10M"
LOAD_START=$(cut -d ' ' -f 1-3 /proc/loadavg)
ROWS=()
for f in "$BENCH1M" "$BENCH10M"; do
  ROWS+=("$(measure "cohortd analyze|$f" "$BIN" analyze "$f" --pipeline "$PIPELINE" --output "$OUT/run")")
done
if "$PYTHON" -c 'import polars' 2>/dev/null; then
  POLARS=$("$PYTHON" -c 'import polars; print(polars.__version__)')
  for f in "$BENCH1M" "$BENCH10M"; do
    ROWS+=("$(measure "polars $POLARS read_csv|$f" "$PYTHON" -c 'import sys, polars; polars.read_csv(sys.argv[1])' "$f")")
  done
else
  echo "polars is not importable (pip install polars): its rows are left out" >&2
fi
LOAD_END=$(cut -d ' ' -f 1-3 /proc/loadavg)

printf '%s\n' "${ROWS[@]}" | awk -F'|' -v f1="$BENCH1M" -v f10="$BENCH10M" '
  { key = $1; col = ($2 == f1) ? 1 : 2; cell[key, col] = sprintf("%.2f s, %.2f s CPU, %d MB", $3, $4, $5)
    if (!(key in seen)) { seen[key] = 1; order[++n] = key } }
  END {
    printf "| | 1M rows | 10M rows |\n|---|---|---|\n"
    for (i = 1; i <= n; i++) printf "| %s | %s | %s |\n", order[i], cell[order[i], 1], cell[order[i], 2]
  }'
echo "(median of $RUNS runs: wall, user+sys CPU; largest peak RSS. $(nproc) cores; load average $LOAD_START at the start, $LOAD_END at the end)"
