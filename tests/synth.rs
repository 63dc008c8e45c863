//! The synthetic network generator and the bundled demo.

mod common;

use nabij::graph::NO_TIME;
use nabij::ingest::{CarProfile, FERRY_CLASS};
use nabij::progress::Progress;
use nabij::synth::{StreetPattern, SynthConfig, generate};

fn cfg(seed: u64) -> SynthConfig {
    SynthConfig {
        seed,
        bbox: [5.0, 52.0, 5.6, 52.4],
        towns: None,
        target_way_nodes: 60_000,
        island: true,
        streets: StreetPattern::Grid,
    }
}

#[test]
fn the_committed_demo_is_exactly_what_nabij_demo_writes() {
    let dir = tempfile::tempdir().expect("tempdir");
    nabij::synth::demo::write_demo(dir.path()).expect("demo");
    let committed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo");
    for file in [
        "municipalities.geojson",
        "facilities.csv",
        "zorggebieden.csv",
        "nabijland.osm.pbf",
    ] {
        let fresh = std::fs::read(dir.path().join(file)).expect("fresh");
        let old = std::fs::read(committed.join(file))
            .unwrap_or_else(|_| panic!("data/demo/{file} is committed"));
        assert!(
            fresh == old,
            "data/demo/{file} is stale: run `nabij demo --out data/demo`"
        );
    }
}

#[test]
fn generation_is_deterministic_per_seed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b, c) = (
        dir.path().join("a.pbf"),
        dir.path().join("b.pbf"),
        dir.path().join("c.pbf"),
    );
    generate(&cfg(7), &a).expect("a");
    generate(&cfg(7), &b).expect("b");
    generate(&cfg(8), &c).expect("c");
    let (a, b, c) = (
        std::fs::read(a).expect("a"),
        std::fs::read(b).expect("b"),
        std::fs::read(c).expect("c"),
    );
    assert!(a == b, "same seed, same bytes");
    assert!(a != c, "another seed, another network");
}

#[test]
fn a_synthetic_network_has_the_structure_it_claims_and_is_labelled() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pbf = dir.path().join("s.osm.pbf");
    let report = generate(&cfg(3), &pbf).expect("generate");
    assert!(
        report.way_nodes >= 50_000 && report.way_nodes <= 90_000,
        "{report:?}"
    );
    assert_eq!(report.ferries, 1);
    let profile = CarProfile::default();
    let g = nabij::pipeline::build_in_memory(&pbf, &profile, &Progress::hidden()).expect("builds");
    g.check_invariants().expect("invariants");
    assert!(
        g.meta.synthetic_roads,
        "graphs from nabij synth are labelled synthetic"
    );
    let class = |name: &str| profile.class_index(name).expect("class");
    let count = |c: u8| g.edge_class.iter().filter(|&&k| k == c).count();
    assert_eq!(count(FERRY_CLASS), 1, "the island's car ferry");
    for name in [
        "residential",
        "living_street",
        "tertiary",
        "secondary",
        "motorway",
        "motorway_link",
    ] {
        assert!(count(class(name)) > 0, "no {name} edges");
    }
    let oneway = (0..g.edge_count())
        .filter(|&e| g.edge_time_bw_ms[e] == NO_TIME)
        .count();
    assert!(oneway > g.edge_count() / 20, "oneways: {oneway}");
    assert!(
        g.meta.stats.ingest.ways_access_denied > 0,
        "private service roads"
    );
    assert!(g.meta.stats.ingest.barrier_nodes > 0, "bollards");
    assert!(
        g.meta.stats.ingest.ways_maxspeed_invalid > 0,
        "junk maxspeed values"
    );
}

#[test]
fn bad_generator_settings_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("x.pbf");
    let mut c = cfg(1);
    c.bbox = [6.0, 52.0, 5.0, 53.0];
    assert!(generate(&c, &out).is_err());
    let mut c = cfg(1);
    c.target_way_nodes = 10;
    assert!(generate(&c, &out).is_err());
    assert!(!out.exists());
}

/// Shares of nodes with 1, 2, 3 and 4 distinct neighbours.
fn degree_shares(g: &nabij::graph::RoadGraph) -> [f64; 5] {
    let d = g.junction_degrees();
    let n = g.node_count() as f64;
    [0, 1, 2, 3, 4].map(|k| d[k] as f64 / n)
}

#[test]
fn organic_streets_have_the_junctions_of_real_towns_and_grids_do_not() {
    let dir = tempfile::tempdir().expect("tempdir");
    let profile = CarProfile::default();
    let build = |streets: StreetPattern, name: &str| {
        let pbf = dir.path().join(name);
        let mut c = cfg(3);
        c.streets = streets;
        generate(&c, &pbf).expect("generate");
        let g =
            nabij::pipeline::build_in_memory(&pbf, &profile, &Progress::hidden()).expect("builds");
        g.check_invariants().expect("invariants");
        (g, std::fs::read(&pbf).expect("pbf"))
    };
    let (organic, bytes) = build(StreetPattern::Organic, "organic.pbf");
    let (_, again) = build(StreetPattern::Organic, "organic2.pbf");
    assert!(bytes == again, "same seed, same bytes");
    let (grid, _) = build(StreetPattern::Grid, "grid.pbf");
    let o = degree_shares(&organic);
    let gr = degree_shares(&grid);
    // Real extracts (Porto, Malta): 16-19 % dead ends, 9-12 % degree 2, 64-65 % T-junctions,
    // 7-8 % crossings (docs/BENCHMARKS.md).
    assert!(o[1] > 0.12 && o[1] < 0.35, "dead ends {o:?}");
    assert!(o[2] < 0.10, "degree 2 {o:?}");
    assert!(o[3] > 0.45, "T-junctions {o:?}");
    assert!(o[4] < 0.25, "crossings {o:?}");
    assert!(gr[4] > 0.6, "a grid is mostly crossings: {gr:?}");
    // The residential cells are trees hung from the distributor roads: building keeps nearly
    // every node (nothing is cut off).
    let s = &organic.meta.stats;
    assert!(
        (s.nodes_dropped as f64) < 0.02 * organic.node_count() as f64,
        "{} of {} nodes dropped",
        s.nodes_dropped,
        organic.node_count()
    );
    // Both kinds of road are there.
    let class = |name: &str| profile.class_index(name).expect("class");
    for name in ["residential", "tertiary", "secondary", "motorway"] {
        assert!(organic.edge_class.contains(&class(name)), "no {name} edges");
    }
}
