#!/usr/bin/env python3
"""Lists the longest functions in src/ (lines from `fn` to its closing brace, outside the
`#[cfg(test)]` module of each file), with how many are over 150 and over 80 lines: the
measure of issue #21. Usage: scripts/function_lengths.py [N]   (N rows, default 30)."""
import os
import re
import sys

FN = re.compile(r"\s*(pub(\([^)]*\))?\s+)?(const\s+)?(async\s+)?(unsafe\s+)?fn\s+(\w+)")


def lengths(root="src"):
    out = []
    for folder, _, files in os.walk(root):
        for name in files:
            if not name.endswith(".rs"):
                continue
            path = os.path.join(folder, name)
            lines = open(path, encoding="utf-8").read().split("\n")
            end = next((i for i, l in enumerate(lines) if l.strip() == "#[cfg(test)]"), len(lines))
            i = 0
            while i < end:
                m = FN.match(lines[i])
                if m and not lines[i].rstrip().endswith(";"):
                    indent = len(lines[i]) - len(lines[i].lstrip())
                    j = i
                    while j < end and not lines[j].rstrip().endswith("{"):
                        j += 1
                    k = j + 1
                    while k < end and not (
                        lines[k].startswith(" " * indent + "}")
                        and len(lines[k]) - len(lines[k].lstrip()) == indent
                    ):
                        k += 1
                    out.append((k - i + 1, path, m.group(6)))
                    i = k + 1 if k > i else i + 1
                else:
                    i += 1
    return sorted(out, reverse=True)


if __name__ == "__main__":
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    found = lengths()
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    print(f"over 150 lines: {sum(n > 150 for n, _, _ in found)}; over 80: {sum(n > 80 for n, _, _ in found)}")
    for n, path, name in found[:rows]:
        print(f"{n:5}  {path}  {name}")
