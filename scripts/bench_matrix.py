#!/usr/bin/env python3
"""Matrix benchmark (issue #15): 20 x 500 on the real Porto extract, a warm nabij server
(POST /api/v1/matrix) against a warm OSRM server (CH, GET /table) on the same points, measured
side by side in one run; and `nabij matrix` as a whole process. Medians of 11 requests.

OSRM comes from its PyPI wheel (see scripts/compare_osrm.py for how to unpack it):
    scripts/bench_matrix.py --osrm /tmp/osrm/osrm
Writes only under target/bench-matrix. Needs the release binary (cargo build --release).
"""

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fetch(url, body=None):
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"} if body else {})
    with urllib.request.urlopen(req, timeout=120) as r:
        return r.read()


def wait(url):
    for _ in range(300):
        try:
            fetch(url)
            return
        except Exception:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not answer")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--osrm", required=True)
    ap.add_argument("--origins", type=int, default=20)
    ap.add_argument("--destinations", type=int, default=500)
    ap.add_argument("--runs", type=int, default=11)
    args = ap.parse_args()
    work = os.path.join(ROOT, "target/bench-matrix")
    os.makedirs(work, exist_ok=True)
    src = os.path.join(ROOT, "../shared/data/osm/porto_portugal_r5_test.osm.pbf")
    pbf = os.path.join(work, "porto.osm.pbf")
    shutil.copyfile(src, pbf)
    quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    subprocess.run([os.path.join(args.osrm, "bin/osrm-extract"), "-p",
                    os.path.join(args.osrm, "share/profiles/car.lua"), pbf], **quiet)
    subprocess.run([os.path.join(args.osrm, "bin/osrm-contract"), os.path.join(work, "porto.osrm")], **quiet)
    nabij = os.path.join(ROOT, "target/release/nabij")
    graph = os.path.join(work, "porto.nbg")
    subprocess.run([nabij, "--quiet", "build", "--osm", src, "--out", graph], check=True)
    bbox = json.loads(subprocess.run([nabij, "info", "--graph", graph], capture_output=True,
                                     text=True, check=True).stdout)["meta"]["bbox"]
    osrm = subprocess.Popen([os.path.join(args.osrm, "bin/osrm-routed"), "--algorithm", "ch", "--port", "15001",
                             os.path.join(work, "porto.osrm")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = subprocess.Popen([nabij, "--quiet", "serve", "--graph", graph, "--listen", "127.0.0.1:15002"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        ou, nu = "http://127.0.0.1:15001", "http://127.0.0.1:15002"
        wait(f"{ou}/nearest/v1/driving/{bbox[0]},{bbox[1]}")
        wait(f"{nu}/health")
        rng = random.Random(1)
        pts = []
        while len(pts) < args.origins + args.destinations:
            lon, lat = rng.uniform(bbox[0], bbox[2]), rng.uniform(bbox[1], bbox[3])
            wp = json.loads(fetch(f"{ou}/nearest/v1/driving/{lon:.6f},{lat:.6f}"))["waypoints"][0]
            if wp["distance"] < 200:
                pts.append(wp["location"])
        o, d = pts[:args.origins], pts[args.origins:]
        coords = ";".join(f"{x:.6f},{y:.6f}" for x, y in pts)
        table = (f"{ou}/table/v1/driving/{coords}?sources=" + ";".join(str(i) for i in range(len(o)))
                 + "&destinations=" + ";".join(str(len(o) + j) for j in range(len(d))))
        body = json.dumps({"origins": o, "destinations": d}).encode()
        t_osrm, t_nabij = [], []
        for _ in range(args.runs):  # interleaved, so that machine drift hits both
            t = time.perf_counter(); fetch(table); t_osrm.append(time.perf_counter() - t)
            t = time.perf_counter(); fetch(f"{nu}/api/v1/matrix", body); t_nabij.append(time.perf_counter() - t)
    finally:
        osrm.terminate(); server.terminate(); osrm.wait(); server.wait()
    for label, ps in (("o", o), ("d", d)):
        with open(os.path.join(work, f"{label}.csv"), "w") as f:
            f.write("id,lon,lat\n" + "".join(f"{label}{i},{x},{y}\n" for i, (x, y) in enumerate(ps)))
    t_cli = []
    for _ in range(5):
        t = time.perf_counter()
        subprocess.run([nabij, "--quiet", "matrix", "--graph", graph, "--origins", os.path.join(work, "o.csv"),
                        "--destinations", os.path.join(work, "d.csv"), "--out", os.path.join(work, "m.csv")], check=True)
        t_cli.append(time.perf_counter() - t)
    mo, mn = statistics.median(t_osrm), statistics.median(t_nabij)
    print(f"machine: {os.cpu_count()} cores")
    print(f"Porto {len(o)} x {len(d)}: OSRM CH /table median {mo * 1000:.1f} ms, nabij POST /api/v1/matrix "
          f"median {mn * 1000:.1f} ms, ratio {mn / mo:.2f}; nabij matrix CLI whole process median "
          f"{statistics.median(t_cli) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
