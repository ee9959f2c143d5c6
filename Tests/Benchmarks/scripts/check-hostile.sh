#!/bin/bash
# `cohortd check` on hostile pipelines (issue 9, item 9): how long validation takes on
#   deep.yaml    — 200 KB, 100,000 nested flow lists (`match: [[[[…]]]]`); refused by the depth limit
#   levels.yaml  — a category column with 150,000 levels `level0`… (1.8 MB); refused by the size limit
#   levels-short.yaml — 150,000 levels of 1–4 characters (850 KB, within the limit); accepted
#   columns.yaml — 40,000 declared columns, each in a descriptives analysis's variables; accepted
#   analyses.yaml — 10,000 analyses (each validated against the earlier ones); accepted
# Each is checked 3 times; prints the wall time and peak RSS of each run and check's first line.
# Usage: Tests/Benchmarks/scripts/check-hostile.sh   (after `swift build` or `swift build -c release`;
# COHORTD=path/to/cohortd to choose the binary)
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../../.." && pwd)
BIN=${COHORTD:-$REPO/.build/debug/cohortd}
DIR=$(mktemp -d /tmp/cohortd-check.XXXXXX)
trap 'rm -rf "$DIR"' EXIT

python3 - "$DIR" <<'PY'
import sys
d = sys.argv[1]
head = "name: hostile\nmatch: [\"*.csv\"]\n"
tail = "analyses:\n  - {id: desc, plugin: descriptives, variables: [g]}\n"
depth = 100_000
with open(f"{d}/deep.yaml", "w") as f:
    f.write("name: hostile\nmatch: " + "[" * depth + "x" + "]" * depth + "\ncolumns: {g: category}\n" + tail)
def levels(n, path):
    with open(path, "w") as f:
        f.write(head + "columns:\n  g:\n    type: category\n    levels: [")
        f.write(", ".join(f"level{k}" for k in range(n)))
        f.write("]\n" + tail)
levels(150_000, f"{d}/levels.yaml")
def b36(k):
    s = ""
    while True:
        s = "0123456789abcdefghijklmnopqrstuvwxyz"[k % 36] + s
        k //= 36
        if k == 0: return s
with open(f"{d}/levels-short.yaml", "w") as f:
    f.write(head + "columns:\n  g:\n    type: category\n    levels: [" + ", ".join(b36(k) for k in range(150_000)) + "]\n" + tail)
with open(f"{d}/analyses.yaml", "w") as f:
    f.write(head + "columns: {t: number, e: boolean, g: category}\nsurvival: {time: t, event: e}\nanalyses:\n")
    f.write("".join(f"  - {{id: a{k}, plugin: logrank, groups: [g]}}\n" for k in range(10_000)))
n = 40_000
with open(f"{d}/columns.yaml", "w") as f:
    f.write(head + "columns:\n" + "".join(f"  c{k}: number\n" for k in range(n)))
    f.write("analyses:\n  - id: desc\n    plugin: descriptives\n    variables: [" + ", ".join(f"c{k}" for k in range(n)) + "]\n")
PY

for input in deep levels levels-short columns analyses; do
  file=$DIR/$input.yaml
  printf '%-13s %8d bytes\n' "$input" "$(stat -c %s "$file")"
  for i in 1 2 3; do
    /usr/bin/time -f '  %e s, peak RSS %M KB' -o "$DIR/time" "$BIN" check "$file" >"$DIR/out" 2>&1 || true
    cat "$DIR/time"
  done
  echo "  $(head -c 300 "$DIR/out" | head -1)"
done
