#!/usr/bin/env python3
"""Check a PDF against the machine-checkable PDF/UA-1 rules that matter for nabij's report.

Two checkers, both reading the file as a reader's software would:

1. `pdfua` (PyPI, built on pikepdf/QPDF): 16 of the 106 machine-checkable PDF/UA-1 rules
   (structure tree, MarkInfo, untagged content, language, figure alt text, tables,
   headings, title, DisplayDocTitle, PDF/UA identification).
2. The checks below, with pikepdf, for what that subset leaves out and a council's report
   needs: every font embedded with a ToUnicode map (7.21), headings that skip no level
   (7.4.2), table header cells with a scope (7.5), list items with a body (7.6), every
   marked-content sequence on a page owned by a structure element (the parent tree, 7.1),
   the title in the XMP metadata, and the language asked.

veraPDF, the reference validator, is a Java program that no package registry reachable
here ships (README, "The accessible PDF"); run it too before claiming conformance.

Usage: check_pdf_ua.py FILE.pdf --lang nl-NL [--title TEXT]
Prints one finding a line and the structure tree's element types; exits 1 on a finding.
"""

import argparse
import re
import subprocess
import sys
from pathlib import Path

import pikepdf

TEXT_OPS = {"Tj", "TJ", "'", '"'}
PAINT_OPS = {"f", "F", "f*", "B", "B*", "b", "b*", "S", "s", "Do", "sh"}


def struct_types(pdf):
    """The structure elements in reading order (depth first), with their dictionaries."""
    root = pdf.Root.get("/StructTreeRoot")
    out = []
    if root is None:
        return out
    role_map = root.get("/RoleMap", pikepdf.Dictionary())

    def walk(node):
        kids = node.get("/K")
        if kids is None:
            return
        if not isinstance(kids, pikepdf.Array):
            kids = [kids]
        for kid in kids:
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") != "/MCR" and "/S" in kid:
                s = str(kid.S)
                s = str(role_map.get(s, s))
                out.append((s.lstrip("/"), kid))
                walk(kid)

    walk(root)
    return out


def check_fonts(pdf, findings):
    seen = set()
    for n, page in enumerate(pdf.pages, 1):
        fonts = page.Resources.get("/Font", pikepdf.Dictionary())
        for name, font in fonts.items():
            key = font.objgen
            if key in seen:
                continue
            seen.add(key)
            base = str(font.get("/BaseFont", name))
            if "/ToUnicode" not in font:
                findings.append(f"7.21.7: font {base} has no ToUnicode map")
            descendants = font.get("/DescendantFonts")
            desc_font = descendants[0] if descendants is not None else font
            fd = desc_font.get("/FontDescriptor")
            if fd is None or not any(k in fd for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                findings.append(f"7.21.4.1: font {base} (page {n}) is not embedded")
    if not seen:
        findings.append("no fonts: the report's text is missing")


def check_marked_content(pdf, findings):
    """Every text or painting operator lies in marked content (tagged or an artifact),
    and every MCID of a page is owned by a structure element in the parent tree."""
    root = pdf.Root.get("/StructTreeRoot")
    parent_tree = {}
    if root is not None and "/ParentTree" in root:
        nums = root.ParentTree.get("/Nums", [])
        for i in range(0, len(nums), 2):
            parent_tree[int(nums[i])] = nums[i + 1]
    for n, page in enumerate(pdf.pages, 1):
        depth = 0
        mcids = []
        loose = 0
        for operands, op in pikepdf.parse_content_stream(page):
            op = str(op)
            if op in ("BMC", "BDC"):
                depth += 1
                if op == "BDC" and len(operands) == 2 and isinstance(operands[1], pikepdf.Dictionary):
                    if "/MCID" in operands[1]:
                        mcids.append(int(operands[1].MCID))
            elif op == "EMC":
                depth -= 1
            elif (op in TEXT_OPS or op in PAINT_OPS) and depth == 0:
                loose += 1
        if loose:
            findings.append(f"7.1-3: page {n} has {loose} operators outside marked content")
        if mcids:
            key = page.get("/StructParents")
            owners = parent_tree.get(int(key)) if key is not None else None
            if owners is None or len(owners) < max(mcids) + 1:
                findings.append(f"7.1: page {n}: marked content without an owner in the parent tree")


def check_structure(types, findings):
    names = [t for t, _ in types]
    last = 0
    for t, el in types:
        m = re.fullmatch(r"H([1-6])", t)
        if m:
            level = int(m.group(1))
            if level > last + 1:
                findings.append(f"7.4.2: heading H{level} follows H{last}")
            last = level
        if t == "Figure" and not str(el.get("/Alt", "")).strip():
            findings.append("7.3: a Figure without alternative text")
        if t == "TH":
            attrs = el.get("/A")
            attrs = attrs if isinstance(attrs, pikepdf.Array) else [attrs] if attrs is not None else []
            if not any(isinstance(a, pikepdf.Dictionary) and "/Scope" in a for a in attrs):
                findings.append("7.5: a table header cell without a scope")
    for needed in ("H1", "P", "L", "LI", "LBody", "Table", "TR", "TH", "TD", "Figure"):
        if needed not in names:
            findings.append(f"structure: no {needed} element")


def check_metadata(pdf, args, findings):
    lang = str(pdf.Root.get("/Lang", ""))
    if lang != args.lang:
        findings.append(f"7.2: document language {lang!r}, expected {args.lang!r}")
    prefs = pdf.Root.get("/ViewerPreferences", pikepdf.Dictionary())
    if prefs.get("/DisplayDocTitle") is not True:
        findings.append("7.1-10: the viewer is not asked to show the title")
    mark = pdf.Root.get("/MarkInfo", pikepdf.Dictionary())
    if mark.get("/Marked") is not True:
        findings.append("6.2: MarkInfo /Marked is not true")
    with pdf.open_metadata() as meta:
        if str(meta.get("pdfuaid:part", "")) != "1":
            findings.append("5: no PDF/UA-1 identification (pdfuaid:part) in the XMP metadata")
        title = str(meta.get("dc:title", ""))
        if not title.strip():
            findings.append("7.1-9: no dc:title in the XMP metadata")
        elif args.title and title != args.title:
            findings.append(f"7.1-9: title {title!r}, expected {args.title!r}")


def run_pdfua(path, findings):
    exe = Path(sys.executable).with_name("pdfua")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "pdfua"]
    done = subprocess.run(cmd + ["check", str(path)], capture_output=True, text=True)
    if done.returncode != 0:
        findings.append(f"pdfua (exit {done.returncode}):\n{done.stdout}{done.stderr}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pdf", type=Path)
    ap.add_argument("--lang", required=True, help="the language the document must declare, e.g. nl-NL")
    ap.add_argument("--title", help="the title the metadata must hold")
    args = ap.parse_args()
    findings = []
    run_pdfua(args.pdf, findings)
    with pikepdf.open(args.pdf) as pdf:
        check_metadata(pdf, args, findings)
        check_fonts(pdf, findings)
        check_marked_content(pdf, findings)
        types = struct_types(pdf)
        check_structure(types, findings)
    print("structure: " + " ".join(t for t, _ in types))
    for f in findings:
        print("FINDING " + f)
    sys.exit(1 if findings else 0)


if __name__ == "__main__":
    main()
