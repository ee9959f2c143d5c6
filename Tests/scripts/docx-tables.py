#!/usr/bin/env python3
"""Prints the tables of a .docx as python-docx reads them, as JSON on standard output.

Usage: docx-tables.py REPORT.docx

Each table is {"rows": [[cell text, ...], ...], "merge": [[null | "restart" | "continue", ...], ...],
"header_repeats": bool, "title": text of the paragraph just above it}. A row lists its own w:tc
cells (a vertically merged continuation cell is one, with its own, empty, text), which is what
report.md prints in the same place. Used by the Swift test DocxReadBackTests.
"""
import json
import sys

import docx
from docx.oxml.ns import qn
from docx.table import Table, _Cell


def main(path):
    document = docx.Document(path)
    tables = []
    previous_text = None
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            previous_text = "".join(t.text or "" for t in child.iter(qn("w:t")))
            continue
        if child.tag != qn("w:tbl"):
            continue
        table = Table(child, document)
        rows, merge = [], []
        for tr in child.tr_lst:
            rows.append([_Cell(tc, table).text for tc in tr.tc_lst])
            merge.append([tc.vMerge for tc in tr.tc_lst])
        first = child.tr_lst[0] if child.tr_lst else None
        repeats = first is not None and first.trPr is not None and first.trPr.find(qn("w:tblHeader")) is not None
        tables.append({"rows": rows, "merge": merge, "header_repeats": repeats, "title": previous_text})
        previous_text = None
    # python-docx's own view agrees on the table count.
    assert len(document.tables) == len(tables)
    json.dump(tables, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1])
