#!/usr/bin/env python3
"""Writes the generated inputs of the results-identity cases (deterministic, byte for byte).

Usage: generate.py NAME OUT.csv
  parts  the cohort of PartitionedAnalysisTests (Tests/CohortPipelineTests/ReportTests.swift):
         the same 64-bit LCG and seed, PipelineRunner.partitionThreshold + 500 = 20,500 rows
  bench  45,000 rows for Tests/Benchmarks/AnalyzeBenchmarks/bench-pipeline.yaml, larger than
         the CSV reader's parallel threshold (4 MiB), so the body is parsed in chunks
"""
import sys

MASK = (1 << 64) - 1


class LCG:
    def __init__(self, seed):
        self.state = seed

    def next(self, n):
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) & MASK
        return (self.state >> 33) % n


def tenths(k):
    return f"{k // 10}.{k % 10}"


def parts(out):
    g = LCG(42)
    out.write("age,size,sex,site,months,dead\n")
    for _ in range(20_000 + 500):
        age = 30 + g.next(50)
        size = tenths(g.next(900))
        sex = ["F", "M"][g.next(2)]
        site = ["lung", "limb", "trunk"][g.next(3)]
        months = tenths(1 + g.next(600))
        dead = 1 if g.next(3) == 0 else 0
        out.write(f"{age},{size},{sex},{site},{months},{dead}\n")


def bench(out):
    g = LCG(20251201)
    cols = ["patient_id", "age", "sex", "primary_site", "histology", "lung_met_extent", "surgical_approach",
            "chemo_for_lung_mets", "complete_resection", "largest_tumor_mm", "nlr_first_pm", "dfi_months",
            "total_resected_tumors", "os_months", "dead"]
    out.write(",".join(cols) + "\n")
    sites = ["retroperitoneum", "trunk", "lower_extremity", "upper_extremity", "head_neck", "pelvis"]
    hist = ["leiomyosarcoma", "dedifferentiated liposarcoma", "synovial sarcoma", "UPS", "angiosarcoma"]
    for i in range(48_000):
        risk = g.next(4)                       # drives survival, so the tests find differences
        age = "" if g.next(97) == 0 else str(25 + g.next(60))
        sex = ["M", "F"][g.next(2)]
        site = sites[g.next(len(sites))]
        h = hist[(g.next(len(hist)) + risk) % len(hist)]
        extent = ["unilateral", "bilateral"][1 if g.next(4) < risk else 0]
        approach = ["open", "VATS", "mini-thoracotomy"][g.next(3)]
        chemo = ["yes", "no"][g.next(2)]
        complete = "" if g.next(50) == 0 else ["yes", "no"][1 if g.next(6) < risk else 0]
        size = tenths(20 + g.next(300) + 60 * risk)
        nlr = "" if g.next(40) == 0 else f"{1 + g.next(6) + risk}.{g.next(100):02d}"
        dfi = tenths(g.next(1200))
        tumors = str(1 + g.next(8) + 2 * risk)
        os_months = tenths(1 + g.next(1200 // (risk + 1)))
        dead = "1" if g.next(10) < 4 + risk else "0"
        if i < 100:                            # quotes in the first chunk only: the other chunks
            h = f'"{h}"'                       # take the reader's fast path
        out.write(f"PB{i:06d},{age},{sex},{site},{h},{extent},{approach},{chemo},{complete},"
                  f"{size},{nlr},{dfi},{tumors},{os_months},{dead}\n")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("parts", "bench"):
        sys.exit(__doc__)
    with open(sys.argv[2], "w", encoding="utf-8", newline="\n") as f:
        {"parts": parts, "bench": bench}[sys.argv[1]](f)
