//! Developer tool: profile the bounded search. `cargo run --release --example search_profile -- G.nbg SOURCES MINUTES`
use std::time::Instant;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let g = nabij::graph::file::read_graph(std::path::Path::new(&args[1])).expect("graph");
    let k: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(500);
    let minutes: u32 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(45);
    let mut rng = nabij::rng::SplitMix64::new(1);
    let seeds: Vec<nabij::routing::Seed> = (0..k)
        .map(|i| nabij::routing::Seed {
            node: rng.below(g.node_count() as u64) as u32,
            offset_ms: rng.below(60_000) as u32,
            source: i as u32,
        })
        .collect();
    let mut ws = nabij::routing::Workspace::new(g.node_count());
    for _ in 0..5 {
        let t = Instant::now();
        ws.run(&g, &seeds, minutes * 60_000, nabij::routing::Direction::To);
        println!(
            "{} sources: {:.1} ms, {} settled",
            k,
            t.elapsed().as_secs_f64() * 1e3,
            ws.settled().len()
        );
    }
}
