//! Developer tool: where does snapping time go? `cargo run --release --example snap_profile -- G.nbg`
use std::time::Instant;
fn main() {
    let path = std::env::args().nth(1).expect("graph path");
    let g = nabij::graph::file::read_graph(std::path::Path::new(&path)).expect("graph");
    let engine = nabij::routing::Engine::new(g);
    let g = &engine.graph;
    let mut rng = nabij::util::SplitMix64::new(7);
    let pts: Vec<(f64, f64)> = (0..200_000)
        .map(|_| {
            let v = rng.below(g.node_count() as u64) as u32;
            let (lon, lat) = g.node_lonlat(v);
            (
                lon + rng.range(-0.002, 0.002),
                lat + rng.range(-0.0015, 0.0015),
            )
        })
        .collect();
    let t = Instant::now();
    let n = pts.iter().filter(|p| engine.snap(p.0, p.1).is_ok()).count();
    println!(
        "snap: {:.2} us/point ({n} ok)",
        t.elapsed().as_secs_f64() * 1e6 / pts.len() as f64
    );
}
