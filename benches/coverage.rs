//! Coverage benchmark (issue #4): all 342 Dutch municipalities (CBS 2024) with the 20 real
//! facilities of ../shared/data, on a Netherlands-scale SYNTHETIC road network generated over
//! those municipalities. Run with `scripts/bench_coverage.sh`. Reports, separately: loading the
//! graph and building its snap index; preparing the inputs (reading files, snapping facilities
//! and representative points, assigning origin nodes to municipalities); and the coverage
//! answer itself (one multi-source search plus per-facility bounded searches and aggregation),
//! the median of repeated runs, for each period (free flow, the peak, and both side by side).

use std::path::PathBuf;
use std::time::Instant;

use nabij::analysis::inputs::{read_facilities, read_municipalities};
use nabij::analysis::{MunicipalityFields, NeedProfile};
use nabij::app::{Dataset, Network, PeriodChoice};

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let graph = std::env::var("NABIJ_BENCH_COVERAGE_GRAPH")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root.join("target/bench-data/nl_towns_15000000.nbg"));
    let gem = root.join("../shared/data/boundaries/gemeenten_2024.geojson");
    let fac = root.join("../shared/data/facilities_nl.csv");
    let t = Instant::now();
    let Ok(g) = nabij::graph::file::read_graph(&graph) else {
        eprintln!(
            "no graph at {} (run scripts/bench_coverage.sh)",
            graph.display()
        );
        return;
    };
    let load_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let network = Network::from_graph(g, "bench");
    let index_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let (ms, _) =
        read_municipalities(&gem, &MunicipalityFields::default()).expect("municipalities");
    let fs = read_facilities(&fac).expect("facilities");
    let data = Dataset::new(network, ms, fs, None).expect("dataset");
    let prepare_s = t.elapsed().as_secs_f64();
    let engine = &data.network.engine;
    let prepared = &data.prepared;
    // The earlier benchmark's question (every type: 17 facilities, the most searches), and
    // the default small-scale profile; both with tiers, demand, 2SFCA and flags.
    let mut every_type = NeedProfile {
        profile: "custom".into(),
        types: ["kleinschalig_verblijf", "kvjj", "jeugdzorgplus", "jji"]
            .map(String::from)
            .to_vec(),
        ..Default::default()
    };
    every_type.max_group_size = 1000.0;
    let origins: usize = prepared.origins.iter().map(|o| o.len()).sum();
    println!(
        "graph {} ({}{} nodes; periods {}): load {:.2} s, snap index {:.2} s, prepare {:.2} s ({} origins); the peak's engine is made by the first peak answer (in its max)",
        graph
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default(),
        if engine.graph.meta.synthetic_roads {
            "SYNTHETIC, "
        } else {
            ""
        },
        engine.graph.node_count(),
        data.network
            .periods()
            .iter()
            .map(|p| p.name())
            .collect::<Vec<_>>()
            .join(", "),
        load_s,
        index_s,
        prepare_s,
        origins,
    );
    let periods: Vec<PeriodChoice> = if data.network.periods().len() > 1 {
        vec![PeriodChoice::Free, PeriodChoice::Peak, PeriodChoice::Both]
    } else {
        vec![PeriodChoice::Free]
    };
    for (label, need) in [
        ("every type", every_type),
        ("kleinschalig (default)", NeedProfile::default()),
    ] {
        let mut free_ms = None;
        for &period in &periods {
            let need = NeedProfile {
                period,
                ..need.clone()
            };
            let mut times = Vec::new();
            let mut last = None;
            for _ in 0..7 {
                let t = Instant::now();
                last = Some(data.coverage(&need).expect("coverage"));
                times.push(t.elapsed().as_secs_f64());
            }
            times.sort_by(|a, b| a.total_cmp(b));
            let r = last.expect("ran");
            let median_ms = times[times.len() / 2] * 1000.0;
            free_ms.get_or_insert(median_ms);
            let changing = r
                .municipalities
                .iter()
                .filter(|m| m.robust == Some(false))
                .count();
            let fragile = r.municipalities.iter().filter(|m| m.fragile).count();
            println!(
                "  {label}, period {}: coverage median {median_ms:.0} ms (min {:.0}, max {:.0}; {:.2}× free) for {} municipalities, {} suitable facilities, national share within 45 min {:.3}; {fragile} fragile{}",
                period.name(),
                times[0] * 1000.0,
                times[times.len() - 1] * 1000.0,
                median_ms / free_ms.unwrap_or(median_ms),
                r.municipalities.len(),
                r.suitable_facilities.len(),
                r.national.share_within_limit,
                if period == PeriodChoice::Both {
                    format!(", {changing} with another tier at peak")
                } else {
                    String::new()
                }
            );
        }
    }
}
