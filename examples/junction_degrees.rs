//! Developer tool: the share of junctions with 1, 2, 3, 4 and more distinct neighbours
//! ([`nabij::graph::RoadGraph::junction_degrees`]), the measure docs/BENCHMARKS.md uses to
//! compare synthetic street patterns with real extracts.
//! `cargo run --release --example junction_degrees -- G.nbg [G2.nbg …]`
fn main() {
    for path in std::env::args().skip(1) {
        let g = match nabij::graph::file::read_graph(std::path::Path::new(&path)) {
            Ok(g) => g,
            Err(e) => {
                eprintln!("{path}: {e}");
                std::process::exit(1);
            }
        };
        let n = g.node_count().max(1) as f64;
        let share = g.junction_degrees().map(|c| 100.0 * c as f64 / n);
        println!(
            "{path}: {} nodes; degree 1: {:.1}%, 2: {:.1}%, 3: {:.1}%, 4: {:.1}%, 5+: {:.1}%",
            g.node_count(),
            share[1],
            share[2],
            share[3],
            share[4],
            share[5]
        );
    }
}
