//! Reachability benchmarks (issue #3). Run with `scripts/bench_routing.sh`, or
//! `NABIJ_BENCH_GRAPH=path.nbg cargo bench --bench routing` for any graph.
//!
//! Reports medians over repeated runs of: full searches on the real extracts (settled
//! nodes per second, ns per settled node), 45-minute searches from 20 and 500 sources on the
//! Netherlands-scale SYNTHETIC graph, snapping throughput and the snap index's memory.
//! Inputs are deterministic (SplitMix64 seeds); searches are single-threaded, snapping is
//! measured point by point, as a batch on one thread and as a batch on all threads.

use std::path::{Path, PathBuf};
use std::time::Instant;

use nabij::graph::file::read_graph;
use nabij::rng::SplitMix64;
use nabij::routing::{Direction, Engine, Seed, Workspace};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Random snapped points near random nodes (within 200 m).
fn points(engine: &Engine, count: usize, seed: u64) -> Vec<(f64, f64)> {
    let g = &engine.graph;
    let mut rng = SplitMix64::new(seed);
    (0..count)
        .map(|_| {
            let v = rng.below(g.node_count() as u64) as u32;
            let (lon, lat) = g.node_lonlat(v);
            (
                lon + rng.range(-0.002, 0.002),
                lat + rng.range(-0.0015, 0.0015),
            )
        })
        .collect()
}

fn seeds(engine: &Engine, pts: &[(f64, f64)], dir: Direction) -> Vec<Seed> {
    pts.iter()
        .enumerate()
        .filter_map(|(i, p)| {
            engine
                .snap(p.0, p.1)
                .ok()
                .map(|s| engine.seeds(&s, i as u32, dir))
        })
        .flatten()
        .collect()
}

fn search_bench(engine: &Engine, label: &str, sources: usize, budget_ms: u32, runs: usize) {
    let mut ws = Workspace::new(engine.graph.node_count());
    let mut times = Vec::new();
    let mut settled = 0;
    for r in 0..runs {
        let s = seeds(
            engine,
            &points(engine, sources, 100 + r as u64),
            Direction::To,
        );
        let t = Instant::now();
        ws.run(&engine.graph, &s, budget_ms, Direction::To);
        times.push(t.elapsed().as_secs_f64());
        settled = ws.settled().len();
    }
    let m = median(times);
    println!(
        "| {label} | {sources} | {} | {settled} | {:.1} | {:.1} | {:.0} |",
        if budget_ms == u32::MAX {
            "none".to_string()
        } else {
            format!("{} min", budget_ms / 60_000)
        },
        m * 1000.0,
        settled as f64 / m / 1e6,
        m * 1e9 / settled as f64
    );
}

/// The floor of any search over this graph's memory: one pass over every node and arc in
/// memory order (relaxing each arc once into a time array, no queue), as ns per node.
fn sweep_floor(engine: &Engine, label: &str) {
    let csr = Direction::To.csr(&engine.graph);
    let n = engine.graph.node_count();
    let mut time = vec![u32::MAX; n];
    let mut runs = Vec::new();
    for _ in 0..11 {
        time.iter_mut().for_each(|t| *t = u32::MAX);
        time[0] = 0;
        let t = Instant::now();
        for v in 0..n {
            let d = time[v];
            for arc in csr.arcs_of(v as u32) {
                let h = &mut time[arc.head as usize];
                *h = (*h).min(d.saturating_add(arc.time_ms));
            }
        }
        runs.push(t.elapsed().as_secs_f64());
        std::hint::black_box(&time);
    }
    let m = median(runs);
    println!(
        "| {label} | sweep in memory order (floor) | | {n} | {:.1} | {:.1} | {:.0} |",
        m * 1000.0,
        n as f64 / m / 1e6,
        m * 1e9 / n as f64
    );
}

fn snap_bench(engine: &Engine, label: &str) {
    let pts = points(engine, 200_000, 7);
    // Points per second of one pass, and how many snapped.
    let rate = |pass: &dyn Fn() -> usize| {
        let t = Instant::now();
        let ok = pass();
        (pts.len() as f64 / t.elapsed().as_secs_f64(), ok)
    };
    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a thread pool");
    let batch = || {
        engine
            .index
            .snap_many(&pts)
            .iter()
            .filter(|r| r.is_ok())
            .count()
    };
    // Four paths, interleaved so all see the same machine load: the R-tree's own
    // candidates (the reference), the grid point by point, and the batch on one and on all
    // threads.
    let mut rates: [Vec<f64>; 4] = Default::default();
    let mut ok = 0;
    for _ in 0..5 {
        let passes: [&dyn Fn() -> usize; 4] = [
            &|| {
                pts.iter()
                    .filter(|p| engine.index.snap_with_rtree(p.0, p.1).is_ok())
                    .count()
            },
            &|| pts.iter().filter(|p| engine.snap(p.0, p.1).is_ok()).count(),
            &|| one_thread.install(batch),
            &batch,
        ];
        let mut counts = Vec::new();
        for (pass, r) in passes.iter().zip(rates.iter_mut()) {
            let (rate, n) = rate(*pass);
            r.push(rate);
            counts.push(n);
        }
        assert!(
            counts.iter().all(|&n| n == counts[0]),
            "all paths snap the same points"
        );
        ok = counts[0];
    }
    let [tree, grid, many1, many] = rates.map(|r| median(r) / 1e6);
    println!(
        "| {label} | {} | {tree:.2} M/s | {grid:.2} M/s | {many1:.2} M/s | {many:.2} M/s | {} of {} | {:.0} MB |",
        engine.index.len(),
        ok,
        pts.len(),
        engine.index.memory_bytes() as f64 / 1e6,
    );
}

fn load(path: &Path) -> Option<Engine> {
    let t = Instant::now();
    let g = read_graph(path).ok()?;
    let load_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let e = Engine::new(g);
    eprintln!(
        "{}: load {:.2} s, snap index {:.2} s",
        path.display(),
        load_s,
        t.elapsed().as_secs_f64()
    );
    Some(e)
}

/// A 45-minute isochrone (towards the point, 200 m cells: the API's defaults) from the
/// snapped centre of the graph's box: search, reached roads and polygon, the median of `runs`.
fn isochrone_bench(e: &Engine, label: &str, runs: usize) {
    let [w, s, east, n] = e.graph.meta.bbox;
    let mut snap = None;
    for k in 0..50 {
        let f = 0.5 + 0.01 * k as f64;
        if let Ok(p) = e.snap(w + (east - w) * f, s + (n - s) * f) {
            snap = Some(p);
            break;
        }
    }
    let Some(snap) = snap else {
        return;
    };
    let mut ws = Workspace::new(e.graph.node_count());
    let mut times = Vec::new();
    let mut pieces = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let iso = e.isochrone(&mut ws, &[snap], 45 * 60_000, Direction::To, 200.0);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        pieces = iso.road_count();
    }
    times.sort_by(f64::total_cmp);
    println!("| {label} | {pieces} | {:.2} |", times[times.len() / 2]);
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let data = root.join("target/bench-data");
    let mut real = Vec::new();
    for name in [
        "malta_gdal_ubuntu",
        "porto_portugal_r5_test",
        "liechtenstein_valhalla_test",
    ] {
        let nbg = data.join(format!("{name}.nbg"));
        if !nbg.exists() {
            let osm = root.join(format!("../shared/data/osm/{name}.osm.pbf"));
            let p = nabij::progress::Progress::hidden();
            if nabij::pipeline::build_to_file(&osm, &nbg, &nabij::ingest::CarProfile::default(), &p)
                .is_err()
            {
                continue;
            }
        }
        if let Some(e) = load(&nbg) {
            real.push((name, e));
        }
    }
    let nl = std::env::var("NABIJ_BENCH_GRAPH")
        .map(PathBuf::from)
        .unwrap_or_else(|_| data.join("synth_15000000.nbg"));
    let nl_engine = load(&nl);

    println!("| graph | sources | budget | settled nodes | median ms | M settled/s | ns/settled |");
    println!("|---|---|---|---|---|---|---|");
    for (name, e) in &real {
        search_bench(e, &format!("{name} (real)"), 1, u32::MAX, 21);
    }
    if let Some(e) = &nl_engine {
        let label = format!(
            "{} ({}{} nodes)",
            nl.file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default(),
            if e.graph.meta.synthetic_roads {
                "SYNTHETIC, "
            } else {
                ""
            },
            e.graph.node_count()
        );
        search_bench(e, &label, 20, 45 * 60_000, 11);
        search_bench(e, &label, 500, 45 * 60_000, 11);
        search_bench(e, &label, 1, u32::MAX, 5);
        sweep_floor(e, &label);
    } else {
        eprintln!(
            "no Netherlands-scale graph at {} (run scripts/bench_routing.sh)",
            nl.display()
        );
    }
    println!();
    println!("| graph | 45-minute isochrone: road pieces | median ms |");
    println!("|---|---|---|");
    for (name, e) in &real {
        isochrone_bench(e, &format!("{name} (real)"), 21);
    }
    println!();
    println!(
        "| graph | segments | R-tree, point by point | grid, point by point | batch, 1 thread | batch, {} threads | snapped | index memory |",
        rayon::current_num_threads()
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (name, e) in &real {
        snap_bench(e, &format!("{name} (real)"));
    }
    if let Some(e) = &nl_engine {
        snap_bench(e, "Netherlands-scale (SYNTHETIC)");
    }
}
