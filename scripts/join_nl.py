#!/usr/bin/env python3
"""Joins the national municipality file nabij reads from three CBS/PDOK downloads.

    scripts/join_nl.py --gemeenten gemeenten_pdok.geojson --gebieden gebieden_85755NED.json \
        --kerncijfers kerncijfers_85984NED.json --out gemeenten_2024.geojson

- gemeenten: PDOK "gebiedsindelingen" municipalities (GeoJSON, properties statcode/statnaam,
  or gemeentecode/gemeentenaam).
- gebieden: CBS StatLine table "Gebieden in Nederland 2024" (85755NED), OData TypedDataSet as
  JSON ({"value": [...]}). Its columns are numbered anew every year (Code_16, Code_18, ...), so
  the jeugdregio and provincie columns are found by their values (JZ.. and PV.. codes), not by
  name.
- kerncijfers: CBS "Kerncijfers wijken en buurten 2024" (85984NED), TypedDataSet as JSON:
  WijkenEnBuurten, AantalInwoners_5, k_0Tot15Jaar_8, k_15Tot25Jaar_9 (rows of municipalities,
  codes GM....).

Writes the municipalities with gemeentecode, gemeentenaam, provincie, jeugdregio_code,
jeugdregio_naam, inwoners_2024, k_0_15, k_15_25 and est_0_22 = k_0_15 + 0.8 * k_15_25 (ages
15-22 taken as 8 of the 10 years of the 15-25 band), the property nabij reads as the number of
young people. Standard library only. Exits non-zero, naming them, if any municipality lacks a
jeugdregio or a population; nothing is written then.
"""
import argparse
import json
import os
import re
import sys


def rows(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    if isinstance(doc, dict) and "value" in doc:
        return doc["value"]
    if isinstance(doc, list):
        return doc
    sys.exit(f"error: {path}: expected OData JSON with a 'value' array")


def clean(v):
    return v.strip() if isinstance(v, str) else v


def column_by_prefix(table, prefix):
    """The Code_N column whose values start with prefix, and its Naam_(N+1) column."""
    if not table:
        return None, None
    for key in table[0]:
        m = re.fullmatch(r"Code_(\d+)", key)
        if not m:
            continue
        values = [clean(r.get(key)) or "" for r in table]
        if values and sum(v.startswith(prefix) for v in values) >= 0.9 * len(values):
            name = f"Naam_{int(m.group(1)) + 1}"
            return key, name if name in table[0] else None
    return None, None


def gebieden(path):
    table = [r for r in rows(path) if (clean(r.get("RegioS")) or "").startswith("GM")]
    jz_code, jz_name = column_by_prefix(table, "JZ")
    pv_code, pv_name = column_by_prefix(table, "PV")
    if jz_code is None:
        sys.exit(f"error: {path}: no column of jeugdregio codes (JZ..) found; is this table 85755NED?")
    out = {}
    for r in table:
        out[clean(r["RegioS"])] = {
            "jeugdregio_code": clean(r.get(jz_code)),
            "jeugdregio_naam": clean(r.get(jz_name)) if jz_name else None,
            "provincie": clean(r.get(pv_name)) if pv_name else None,
        }
    return out


def kerncijfers(path):
    out = {}
    for r in rows(path):
        code = clean(r.get("WijkenEnBuurten")) or ""
        if not code.startswith("GM"):
            continue
        out[code] = {
            "inwoners_2024": r.get("AantalInwoners_5"),
            "k_0_15": r.get("k_0Tot15Jaar_8"),
            "k_15_25": r.get("k_15Tot25Jaar_9"),
        }
    return out


def join(gemeenten, regions, people):
    features, missing = [], []
    for f in gemeenten["features"]:
        p = f.get("properties") or {}
        code = clean(p.get("statcode") or p.get("gemeentecode") or "")
        name = clean(p.get("statnaam") or p.get("gemeentenaam") or code)
        if not code.startswith("GM"):
            continue
        region = regions.get(code)
        pop = people.get(code)
        if not region or not region["jeugdregio_code"]:
            missing.append(f"{code} {name}: no jeugdregio in Gebieden in Nederland")
            continue
        if not pop or pop["k_0_15"] is None or pop["k_15_25"] is None:
            missing.append(f"{code} {name}: no age bands in the key figures")
            continue
        est = round(pop["k_0_15"] + 0.8 * pop["k_15_25"])
        features.append({
            "type": "Feature",
            "properties": {
                "gemeentecode": code,
                "gemeentenaam": name,
                "provincie": region["provincie"],
                "jeugdregio_code": region["jeugdregio_code"],
                "jeugdregio_naam": region["jeugdregio_naam"],
                "inwoners_2024": pop["inwoners_2024"],
                "k_0_15": pop["k_0_15"],
                "k_15_25": pop["k_15_25"],
                "est_0_22": est,
            },
            "geometry": f.get("geometry"),
        })
    return features, missing


def main():
    a = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    a.add_argument("--gemeenten", required=True)
    a.add_argument("--gebieden", required=True)
    a.add_argument("--kerncijfers", required=True)
    a.add_argument("--out", required=True)
    args = a.parse_args()
    with open(args.gemeenten, encoding="utf-8") as f:
        gemeenten = json.load(f)
    features, missing = join(gemeenten, gebieden(args.gebieden), kerncijfers(args.kerncijfers))
    if missing:
        for m in missing:
            print(f"error: {m}", file=sys.stderr)
        sys.exit(f"error: {len(missing)} municipalities could not be joined; nothing written")
    if not features:
        sys.exit(f"error: {args.gemeenten}: no municipalities (GM codes) found")
    tmp = args.out + ".part"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump({"type": "FeatureCollection", "features": features}, f, ensure_ascii=False)
    os.replace(tmp, args.out)
    regions = len({ft["properties"]["jeugdregio_code"] for ft in features})
    print(f"wrote {args.out}: {len(features)} municipalities in {regions} jeugdregio's")


if __name__ == "__main__":
    main()
