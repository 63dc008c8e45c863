#!/usr/bin/env python3
"""Compare nabij's car travel times with the reference router's (OSRM, car profile, CH) on the
real extracts of ../shared/data/osm: the same seeded origin/destination points, snapped by OSRM
onto its road network first so that both routers start on the road. Prints, per extract, the
median and quartiles of nabij / OSRM over the pairs both can route.

OSRM is taken from its PyPI wheel `osrm-bindings`, which ships the executables (no Python
binding is used, so any Python 3 runs this):

    pip download osrm-bindings==26.9.0 --no-deps --only-binary=:all: --python-version 3.12 -d /tmp/osrm
    (cd /tmp/osrm && unzip -q -o osrm_bindings-*.whl)
    scripts/compare_osrm.py --osrm /tmp/osrm/osrm [--pairs 20x15] [--seed 1] [--profile car.toml]

Writes only under target/osrm-compare. Needs the release binary (cargo build --release).
"""

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXTRACTS = {
    "porto": "porto_portugal_r5_test.osm.pbf",
    "malta": "malta_gdal_ubuntu.osm.pbf",
    "liechtenstein": "liechtenstein_valhalla_test.osm.pbf",
}


def get(url):
    with urllib.request.urlopen(url, timeout=60) as r:
        return json.loads(r.read())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--osrm", required=True, help="the unpacked wheel's osrm/ folder (bin/, share/profiles/)")
    ap.add_argument("--pairs", default="20x15", help="origins x destinations per extract")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--port", type=int, default=15000)
    ap.add_argument("--profile", help="a nabij car profile TOML (e.g. other junction delays)")
    args = ap.parse_args()
    n_o, n_d = (int(x) for x in args.pairs.split("x"))
    nabij = os.path.join(ROOT, "target/release/nabij")
    work = os.path.join(ROOT, "target/osrm-compare")
    os.makedirs(work, exist_ok=True)
    rng = random.Random(args.seed)
    for name, file in EXTRACTS.items():
        src = os.path.join(ROOT, "../shared/data/osm", file)
        pbf = os.path.join(work, name + ".osm.pbf")
        shutil.copyfile(src, pbf)
        base = os.path.join(work, name + ".osrm")
        quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        subprocess.run([os.path.join(args.osrm, "bin/osrm-extract"), "-p",
                        os.path.join(args.osrm, "share/profiles/car.lua"), pbf], **quiet)
        subprocess.run([os.path.join(args.osrm, "bin/osrm-contract"), base], **quiet)
        graph = os.path.join(work, name + ".nbg")
        subprocess.run([nabij, "--quiet", "build", "--osm", src, "--out", graph]
                       + (["--profile", args.profile] if args.profile else []), check=True)
        info = subprocess.run([nabij, "info", "--graph", graph], capture_output=True, text=True, check=True).stdout
        bbox = json.loads(info)["meta"]["bbox"]
        server = subprocess.Popen([os.path.join(args.osrm, "bin/osrm-routed"), "--algorithm", "ch",
                                   "--port", str(args.port), base],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{args.port}"
            for _ in range(100):
                try:
                    get(f"{url}/nearest/v1/driving/{bbox[0]},{bbox[1]}")
                    break
                except Exception:
                    time.sleep(0.1)
            # Points snapped onto OSRM's roads, so that neither router pays an access leg.
            pts = []
            while len(pts) < n_o + n_d:
                lon = rng.uniform(bbox[0], bbox[2])
                lat = rng.uniform(bbox[1], bbox[3])
                r = get(f"{url}/nearest/v1/driving/{lon:.6f},{lat:.6f}")
                wp = r["waypoints"][0]
                if wp["distance"] < 200:
                    pts.append(tuple(wp["location"]))
            origins, dests = pts[:n_o], pts[n_o:]
            coords = ";".join(f"{x:.6f},{y:.6f}" for x, y in pts)
            table = get(f"{url}/table/v1/driving/{coords}?sources="
                        + ";".join(str(i) for i in range(n_o))
                        + "&destinations=" + ";".join(str(n_o + j) for j in range(n_d)))
        finally:
            server.terminate()
            server.wait()
        for label, ps in (("o", origins), ("d", dests)):
            with open(os.path.join(work, f"{name}_{label}.csv"), "w") as f:
                f.write("id,lon,lat\n")
                for i, (x, y) in enumerate(ps):
                    f.write(f"{label}{i},{x:.6f},{y:.6f}\n")
        out = subprocess.run([nabij, "--quiet", "matrix", "--graph", graph,
                              "--origins", os.path.join(work, f"{name}_o.csv"),
                              "--destinations", os.path.join(work, f"{name}_d.csv"), "--format", "json"],
                             capture_output=True, text=True, check=True).stdout
        ours = {(p["origin_id"], p["destination_id"]): p["seconds"] for p in json.loads(out)["pairs"]}
        ratios = []
        for i in range(n_o):
            for j in range(n_d):
                theirs = table["durations"][i][j]
                mine = ours.get((f"o{i}", f"d{j}"))
                if theirs and mine and theirs > 60:
                    ratios.append(mine / theirs)
        q = statistics.quantiles(ratios, n=4)
        print(f"{name}: {len(ratios)} pairs over 1 min, nabij/OSRM median {statistics.median(ratios):.3f} "
              f"(quartiles {q[0]:.3f}-{q[2]:.3f})")


if __name__ == "__main__":
    main()
