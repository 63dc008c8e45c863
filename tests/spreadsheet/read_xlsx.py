#!/usr/bin/env python3
"""Reads a nabij workbook with openpyxl, as a spreadsheet program would, and prints what a
policy officer would see, as JSON: sheet names, per sheet the header row, whether the first
row is frozen and filterable, every row's values, and the number formats of the second row.

    python3 tests/spreadsheet/read_xlsx.py FILE.xlsx
"""
import json
import sys

from openpyxl import load_workbook

wb = load_workbook(sys.argv[1])
out = {"sheets": wb.sheetnames}
for ws in wb.worksheets:
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    formats = [c.number_format for c in ws[2]] if ws.max_row >= 2 else []
    out[ws.title] = {
        "header": rows[0] if rows else [],
        "rows": rows[1:],
        "frozen": ws.freeze_panes,
        "filter": ws.auto_filter.ref,
        "formats": formats,
    }
print(json.dumps(out, default=str))
