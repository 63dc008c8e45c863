#!/usr/bin/env python3
"""Load test of `nabij serve` (issue #12): bursts of concurrent distinct uncached requests,
recording the server's memory (RSS from /proc), the answers by status, and the latency of
/health measured throughout each burst (from a process of its own: a probe thread among the
burst's 128 client threads would time the interpreter lock as well).

    scripts/load_test.py [--graph G.nbg --municipalities M.geojson --facilities F.csv]

Defaults: the Netherlands-scale SYNTHETIC graph of scripts/bench_coverage.sh with the real
municipalities and facilities of ../shared/data (`--demo`: the bundled demo instead). Bursts:
  1. 128 concurrent 120-minute isochrones (distinct points);
  2. 500 distinct coverage profiles, 32 at a time;
  3. 500 slow bodies: connections that announce a 1 MB matrix body and send one byte,
     held while /health is probed, under a 1,024-descriptor limit for the server
     (`--only slow-bodies` runs this one alone).
Only 127.0.0.1 is used; the server is stopped at the end. NABIJ_BIN=path runs another binary
(to compare two builds in one sitting).
"""

import argparse
import concurrent.futures as cf
import json
import multiprocessing as mp
import os
import random
import statistics
import subprocess
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def get(url, timeout=120):
    t = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            r.read()
            return r.status, time.perf_counter() - t, r.headers.get("Retry-After")
    except urllib.error.HTTPError as e:
        return e.code, time.perf_counter() - t, e.headers.get("Retry-After")
    except Exception:
        return 0, time.perf_counter() - t, None


def probe(base, stop, out):
    """Probes /health every 20 ms until `stop` is set; runs in a process of its own, so that its
    timings do not include waiting for the interpreter lock among the burst's client threads."""
    got = []
    while not stop.is_set():
        got.append(get(f"{base}/health", timeout=10)[:2])
        time.sleep(0.02)
    out.put(got)


def burst(name, urls, concurrency, base, pid):
    stop = threading.Event()
    peak = [rss_mb(pid)]

    def watch():
        while not stop.is_set():
            peak[0] = max(peak[0], rss_mb(pid))
            time.sleep(0.02)

    w = threading.Thread(target=watch)
    w.start()
    probe_stop = mp.Event()
    probe_out = mp.Queue()
    prober = mp.Process(target=probe, args=(base, probe_stop, probe_out))
    prober.start()
    t0 = time.perf_counter()
    with cf.ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(get, urls))
    wall = time.perf_counter() - t0
    stop.set()
    probe_stop.set()
    health = probe_out.get()
    prober.join()
    w.join()
    statuses = {}
    for s, _, _ in results:
        statuses[s] = statuses.get(s, 0) + 1
    no_retry = sum(1 for s, _, ra in results if s == 503 and ra is None)
    h = sorted(dt for s, dt in health if s == 200)
    h_bad = sum(1 for s, _ in health if s != 200)
    p99 = h[int(len(h) * 0.99) - 1] * 1000 if h else float("nan")
    after = []
    for _ in range(10):
        time.sleep(1)
        after.append(rss_mb(pid))
    print(f"{name}: {len(urls)} requests, {concurrency} at a time, {wall:.1f} s; statuses {statuses}"
          f" (503 without Retry-After: {no_retry}); peak RSS {peak[0]:.0f} MB, 10 s after {after[-1]:.0f} MB;"
          f" /health p99 {p99:.1f} ms over {len(h)} probes ({h_bad} failed)")
    return results


def slow_bodies(base, port, pid, n=500, hold_s=5.0):
    """Holds `n` connections that announce a 1 MB body and send one byte; probes /health
    meanwhile; then waits for the server's 408s (body time plus 1 MB at 64 KiB/s)."""
    import socket
    held = []
    t0 = time.perf_counter()
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"POST /api/v1/matrix HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n{")
        held.append(s)
    opened = time.perf_counter() - t0
    probe_stop = mp.Event()
    probe_out = mp.Queue()
    prober = mp.Process(target=probe, args=(base, probe_stop, probe_out))
    prober.start()
    time.sleep(hold_s)
    probe_stop.set()
    health = probe_out.get()
    prober.join()
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    h = sorted(dt for st, dt in health if st == 200)
    h_bad = sum(1 for st, _ in health if st != 200)
    p50 = h[len(h) // 2] * 1000 if h else float("nan")
    p99 = h[int(len(h) * 0.99) - 1] * 1000 if h else float("nan")
    answered = 0
    t1 = time.perf_counter()
    for s in held:
        s.settimeout(max(1.0, 60 - (time.perf_counter() - t1)))
        try:
            if s.recv(64).startswith(b"HTTP/1.1 408"):
                answered += 1
        except OSError:
            pass
        s.close()
    print(f"{n} slow bodies held ({opened:.1f} s to open): server descriptors {fds}; /health p50 {p50:.1f} ms,"
          f" p99 {p99:.1f} ms over {len(h)} probes ({h_bad} failed); {answered} answered 408 within"
          f" {time.perf_counter() - t1:.0f} s after the hold")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--graph", default=os.path.join(ROOT, "target/bench-data/nl_towns_15000000.nbg"))
    ap.add_argument("--municipalities", default=os.path.join(ROOT, "../shared/data/boundaries/gemeenten_2024.geojson"))
    ap.add_argument("--facilities", default=os.path.join(ROOT, "../shared/data/facilities_nl.csv"))
    ap.add_argument("--port", type=int, default=18090)
    ap.add_argument("--demo", action="store_true", help="serve the bundled demo instead")
    ap.add_argument("--only", choices=["slow-bodies"], help="run one burst only")
    args = ap.parse_args()
    nabij = os.environ.get("NABIJ_BIN", os.path.join(ROOT, "target/release/nabij"))
    base = f"http://127.0.0.1:{args.port}"
    data = (["--demo"] if args.demo else ["--graph", args.graph, "--municipalities",
                                          args.municipalities, "--facilities", args.facilities])
    import resource

    def limit_descriptors():
        resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))

    server = subprocess.Popen([nabij, "--quiet", "serve", *data, "--listen", f"127.0.0.1:{args.port}"],
                              preexec_fn=limit_descriptors)
    try:
        for _ in range(600):
            if get(f"{base}/health", timeout=2)[0] == 200:
                break
            time.sleep(0.1)
        meta = json.loads(urllib.request.urlopen(f"{base}/api/v1/meta").read())
        b = meta["graph"]["bbox"]
        time.sleep(2)
        idle = rss_mb(server.pid)
        print(f"machine: {os.cpu_count()} cores; graph {meta['graph']['nodes']} nodes"
              f"{' (SYNTHETIC roads)' if meta['synthetic_roads'] else ''}; idle RSS {idle:.0f} MB")
        if args.only == "slow-bodies":
            slow_bodies(base, args.port, server.pid)
            return
        rng = random.Random(1)
        iso = [f"{base}/api/v1/isochrone?at={rng.uniform(b[0], b[2]):.5f},{rng.uniform(b[1], b[3]):.5f}&minutes=120"
               for _ in range(128)]
        burst("128 concurrent 120-minute isochrones", iso, 128, base, server.pid)
        cov = [f"{base}/api/v1/coverage?minutes={30 + i * 0.01:.2f}&format=json" for i in range(500)]
        burst("500 distinct coverage profiles", cov, 32, base, server.pid)
        slow_bodies(base, args.port, server.pid)
        print(f"RSS at the end {rss_mb(server.pid):.0f} MB (idle was {idle:.0f} MB)")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
