#!/bin/sh
# The example's three figures (overall.svg, hazards.svg, cutoffs.svg) as cohortd draws them, for
# PNGEncodingTests: run from the repository root after `swift build -c release --static-swift-stdlib --product cohortd`.
# Only the SVGs are kept; the tests render them and compare the PNG's pixels with cairo's raster.
set -eu
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
sed 's|"../../plugins/examples/|"'"$PWD"'/plugins/examples/|' etc/pipelines.d/rps-metastasectomy.yaml >"$out/p.yaml"
.build/release/cohortd analyze examples/pm_database_export.csv --pipeline "$out/p.yaml" --output "$out/run" >/dev/null
cp "$out"/run/overall.svg "$out"/run/hazards.svg "$out"/run/cutoffs.svg Tests/CohortRenderTests/Fixtures/
