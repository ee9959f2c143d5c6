#!/bin/bash
# report.docx opens in LibreOffice: the paper example's run folder through `cohortd analyze`, then
# `libreoffice --headless --convert-to pdf report.docx` must succeed and give a PDF, and python-docx
# must read it (Tests/scripts/docx-tables.py). With PAGES=DIR, the PDF's pages are also written
# as DIR/page-N.png (pdftoppm -r 60) to be looked at. Not part of `swift test`: LibreOffice is too
# heavy for CI. Needs libreoffice (libreoffice-writer-nogui), poppler-utils for PAGES, python-docx.
# Usage: Tests/Benchmarks/scripts/docx-check.sh [REPORT.docx]   (after `swift build`; without an
# argument the paper example is analysed first)
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../../.." && pwd)
BIN=${COHORTD:-$REPO/.build/debug/cohortd}
OUT=$(mktemp -d /tmp/cohortd-docx.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
if [ $# -ge 1 ]; then
    cp "$1" "$OUT/report.docx"
else
    code=0
    "$BIN" analyze "$REPO/examples/pm_database_export.csv" --pipeline "$REPO/etc/pipelines.d/rps-metastasectomy.yaml" \
        --output "$OUT/run" >/dev/null 2>&1 || code=$?
    if [ "$code" -gt 2 ] || [ ! -f "$OUT/run/report.docx" ]; then
        echo "docx-check: the run wrote no report.docx (exit $code)" >&2
        exit 1
    fi
    cp "$OUT/run/report.docx" "$OUT/report.docx"
fi
# A profile of its own, so that a LibreOffice already running for the user does not take the job.
if ! libreoffice -env:UserInstallation="file://$OUT/profile" --headless --convert-to pdf --outdir "$OUT" "$OUT/report.docx" \
    >"$OUT/libreoffice.log" 2>&1; then
    echo "docx-check: LibreOffice failed to convert report.docx:" >&2
    cat "$OUT/libreoffice.log" >&2
    exit 1
fi
if [ ! -s "$OUT/report.pdf" ] || [ "$(head -c 5 "$OUT/report.pdf")" != "%PDF-" ]; then
    echo "docx-check: LibreOffice wrote no PDF" >&2
    cat "$OUT/libreoffice.log" >&2
    exit 1
fi
pages=$(pdfinfo "$OUT/report.pdf" 2>/dev/null | awk '/^Pages:/ {print $2}' || true)
tables=$(python3 "$REPO/Tests/scripts/docx-tables.py" "$OUT/report.docx" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')
echo "docx-check: LibreOffice converted report.docx to a ${pages:-?}-page PDF; python-docx reads $tables tables"
if [ -n "${PAGES:-}" ]; then
    mkdir -p "$PAGES"
    pdftoppm -png -r 60 "$OUT/report.pdf" "$PAGES/page"
    echo "docx-check: pages in $PAGES"
fi
