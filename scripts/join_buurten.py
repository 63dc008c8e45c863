#!/usr/bin/env python3
"""Joins CBS neighbourhoods (buurten) with their young people, for nabij's --origins.

    scripts/join_buurten.py --buurten buurten_pdok_2024_0.geojson [--buurten ..._1000.geojson ...] \
        --kerncijfers kerncijfers_buurten_85984NED.json --out buurten_2024.geojson

- buurten: PDOK "wijken en buurten 2024" neighbourhood polygons (GeoJSON; the code in
  buurtcode, or statcode/code), in one file or in pages (the WFS serves 1,000 per request).
- kerncijfers: CBS "Kerncijfers wijken en buurten 2024" (85984NED), OData TypedDataSet as
  JSON ({"value": [...]}), one file or pages of 10,000 rows: WijkenEnBuurten (BU........),
  k_0Tot15Jaar_8, k_15Tot25Jaar_9.

Writes the polygons with buurtcode, k_0_15, k_15_25 and jongeren_0_25 = k_0_15 + k_15_25
(use --origins-weight jongeren_0_25). Figures CBS keeps secret (null, or codes below zero)
count as 0 and are counted in a warning. A neighbourhood without a row is left out and
named. Standard library only; written to OUT.part and renamed, so nothing is half-written.
"""
import argparse
import json
import os
import sys


def clean(v):
    return v.strip() if isinstance(v, str) else v


def count(v):
    """A CBS count: a number at least 0, else None (secret or not applicable)."""
    return v if isinstance(v, (int, float)) and v >= 0 else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--buurten", required=True, action="append")
    ap.add_argument("--kerncijfers", required=True, action="append")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    rows = []
    for path in a.kerncijfers:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        page = doc.get("value") if isinstance(doc, dict) else doc
        if not isinstance(page, list):
            sys.exit(f"error: {path}: expected OData JSON with a 'value' array")
        rows.extend(page)
    figures = {}
    for r in rows:
        code = clean(r.get("WijkenEnBuurten")) or ""
        if code.startswith("BU"):
            figures[code] = (count(r.get("k_0Tot15Jaar_8")), count(r.get("k_15Tot25Jaar_9")))
    features = []
    for path in a.buurten:
        with open(path, encoding="utf-8") as f:
            features.extend(json.load(f).get("features", []))
    out, missing, secret = [], [], 0
    for feat in features:
        p = feat.get("properties") or {}
        code = clean(p.get("buurtcode") or p.get("statcode") or p.get("code") or "")
        if code not in figures:
            missing.append(code or "?")
            continue
        k15, k25 = figures[code]
        secret += (k15 is None) + (k25 is None)
        k15, k25 = k15 or 0, k25 or 0
        out.append({"type": "Feature", "geometry": feat.get("geometry"), "properties": {
            "buurtcode": code, "k_0_15": k15, "k_15_25": k25, "jongeren_0_25": k15 + k25}})
    if not out:
        sys.exit("error: no neighbourhood of the polygons has a row in the table")
    if missing:
        print(f"warning: {len(missing)} neighbourhoods have no row and are left out: "
              + " ".join(missing[:20]) + (" ..." if len(missing) > 20 else ""), file=sys.stderr)
    if secret:
        print(f"warning: {secret} figures are secret or not applicable and count as 0",
              file=sys.stderr)
    part = a.out + ".part"
    with open(part, "w", encoding="utf-8") as f:
        json.dump({"type": "FeatureCollection", "features": out}, f)
    os.replace(part, a.out)
    print(f"{len(out)} neighbourhoods written to {a.out}")


if __name__ == "__main__":
    main()
