//! `nabij build` on the real OSM extracts in ../shared/data/osm.
//! Expected counts are documented in docs/BENCHMARKS.md and docs/PROFILE.md; the ranges
//! allow for profile tuning but catch a broken reader or builder.

mod common;

use common::*;
use nabij::graph::{NO_TIME, RoadGraph};

fn edges_of_way(g: &RoadGraph, osm_id: i64) -> Vec<usize> {
    (0..g.edge_count())
        .filter(|&e| g.edge_osm_way(e as u32) == osm_id)
        .collect()
}

fn nodes_at(g: &RoadGraph, lon: f64, lat: f64) -> Vec<u32> {
    let (la, lo) = ((lat * 1e7).round() as i64, (lon * 1e7).round() as i64);
    (0..g.node_count() as u32)
        .filter(|&v| {
            (g.node_lat_e7[v as usize] as i64 - la).abs() <= 5
                && (g.node_lon_e7[v as usize] as i64 - lo).abs() <= 5
        })
        .collect()
}

/// (file, nodes range, edges range, km range, ferry edges)
type Expected = (&'static str, (u64, u64), (u64, u64), (f64, f64), u64);

#[test]
fn counts_are_in_documented_ranges_and_invariants_hold() {
    let cases: [Expected; 4] = [
        (
            MALTA,
            (23_000, 26_000),
            (30_500, 34_000),
            (2_300.0, 2_700.0),
            2,
        ),
        (
            PORTO,
            (59_000, 65_000),
            (78_000, 87_000),
            (8_700.0, 9_700.0),
            0,
        ),
        (
            LIECHTENSTEIN,
            (3_200, 3_600),
            (3_650, 4_050),
            (370.0, 430.0),
            0,
        ),
        (AMSTERDAM, (5, 20), (5, 20), (1.0, 3.0), 0),
    ];
    for (file, nodes, edges, km, ferries) in cases {
        let g = build(file);
        let s = &g.meta.stats;
        assert!(
            (nodes.0..=nodes.1).contains(&s.nodes),
            "{file}: {} nodes",
            s.nodes
        );
        assert!(
            (edges.0..=edges.1).contains(&s.edges),
            "{file}: {} edges",
            s.edges
        );
        assert!(
            s.road_km >= km.0 && s.road_km <= km.1,
            "{file}: {} km",
            s.road_km
        );
        assert_eq!(s.ferry_edges, ferries, "{file}: ferry edges");
        g.check_invariants()
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(!g.meta.synthetic_roads, "{file} is real data");
        // Every coordinate lies inside the bounds the file declares, except the far
        // terminal of a ferry that leaves the extract (Geofabrik keeps such ways whole:
        // Malta's ferry to Pozzallo, Sicily, ends outside Malta's box).
        if let Some([w, s_, e, n]) = g.meta.header_bbox {
            let mut ferry_end = vec![false; g.node_count()];
            for e in 0..g.edge_count() {
                if g.edge_class[e] == nabij::ingest::FERRY_CLASS {
                    ferry_end[g.edge_from[e] as usize] = true;
                    ferry_end[g.edge_to[e] as usize] = true;
                }
            }
            let mut outside_ferry_ends = 0;
            for v in 0..g.node_count() as u32 {
                let (lon, lat) = g.node_lonlat(v);
                if lon >= w && lon <= e && lat >= s_ && lat <= n {
                    continue;
                }
                assert!(
                    ferry_end[v as usize],
                    "{file}: node {v} at {lon},{lat} outside {:?}",
                    g.meta.header_bbox
                );
                outside_ferry_ends += 1;
            }
            assert!(
                outside_ferry_ends <= 1,
                "{file}: {outside_ferry_ends} ferry ends outside"
            );
        }
    }
}

#[test]
fn delft_fragment_has_no_strongly_connected_car_network() {
    // The r5 test fragment keeps node refs for only two car ways, both oneway: no piece of
    // it can be driven around, and the build says so instead of writing an empty graph.
    let err = nabij::pipeline::build_in_memory(
        &osm(DELFT),
        &nabij::ingest::CarProfile::default(),
        &nabij::progress::Progress::hidden(),
    )
    .expect_err("no SCC with edges");
    assert!(err.to_string().contains("no drivable road"), "{err}");
}

#[test]
fn oneway_roundabout_and_access_rules_on_real_malta_ways() {
    let g = build(MALTA);
    // St. Dominic Street, Valletta: oneway=yes.
    let e = edges_of_way(&g, 4_813_379);
    assert!(!e.is_empty(), "way 4813379 is in the graph");
    for &e in &e {
        assert_ne!(g.edge_time_fw_ms[e], NO_TIME);
        assert_eq!(g.edge_time_bw_ms[e], NO_TIME, "way 4813379 is oneway");
    }
    // A roundabout without an oneway tag (way 8590113) is one-way in way direction.
    let e = edges_of_way(&g, 8_590_113);
    assert!(!e.is_empty(), "roundabout 8590113 is in the graph");
    assert!(
        e.iter()
            .all(|&e| g.edge_time_bw_ms[e] == NO_TIME && g.edge_time_fw_ms[e] != NO_TIME)
    );
    // A two-way residential street has both directions.
    let two_way = (0..g.edge_count())
        .filter(|&e| g.edge_time_fw_ms[e] != NO_TIME && g.edge_time_bw_ms[e] != NO_TIME)
        .count();
    assert!(
        two_way > g.edge_count() / 2,
        "most Maltese roads are two-way"
    );
    // access=private residential ways are absent.
    for way in [15_942_830i64, 29_286_700, 138_551_283] {
        assert!(
            edges_of_way(&g, way).is_empty(),
            "private way {way} must not be drivable"
        );
    }
}

#[test]
fn oneway_minus_one_runs_against_way_order_in_porto() {
    let g = build(PORTO);
    // Avenida Brasil, Porto: oneway=-1.
    let e = edges_of_way(&g, 12_294_429);
    assert!(!e.is_empty(), "way 12294429 is in the graph");
    for &e in &e {
        assert_eq!(g.edge_time_fw_ms[e], NO_TIME);
        assert_ne!(g.edge_time_bw_ms[e], NO_TIME);
    }
}

#[test]
fn barriers_cut_ways_on_real_malta_nodes() {
    let profile = nabij::ingest::CarProfile::default();
    let raw =
        nabij::ingest::read_network(&osm(MALTA), &profile, &nabij::progress::Progress::hidden())
            .expect("readable");
    let blocks = |id: i64| {
        let i = raw
            .node_ids
            .binary_search(&id)
            .unwrap_or_else(|_| panic!("node {id} is on a car way"));
        raw.node_blocks[i]
    };
    assert!(blocks(246_180_213), "barrier=bollard stops cars");
    assert!(
        blocks(4_466_168_437),
        "barrier=bollard motorcar=no stops cars"
    );
    assert!(
        blocks(1_052_278_619),
        "barrier=gate access=private stops cars"
    );
    assert!(blocks(3_441_515_443), "barrier=block stops cars");
    assert!(!blocks(148_911_051), "a plain barrier=gate is passable");

    // In the graph, no node sits at the bollard joining the two sides: every node there is
    // a dead end with a single neighbour.
    let g = build(MALTA);
    let at = nodes_at(&g, 14.492764, 35.909478);
    for v in at {
        let mut neighbours: Vec<u32> = g.fwd.arcs_of(v).iter().map(|a| a.head).collect();
        neighbours.extend(g.rev.arcs_of(v).iter().map(|a| a.head));
        neighbours.sort_unstable();
        neighbours.dedup();
        assert!(
            neighbours.len() <= 1,
            "node {v} at the bollard connects {neighbours:?}"
        );
    }
}

#[test]
fn the_malta_gozo_car_ferry_is_an_edge() {
    let g = build(MALTA);
    let e = edges_of_way(&g, 176_522_568);
    assert!(
        !e.is_empty(),
        "Malta-Gozo ferry (way 176522568) is in the graph"
    );
    let total_s: f64 = e
        .iter()
        .map(|&e| g.edge_time_fw_ms[e] as f64 / 1000.0)
        .sum();
    let total_m: f64 = e.iter().map(|&e| g.edge_length_m[e] as f64).sum();
    assert!(
        e.iter()
            .all(|&e| g.edge_class[e] == nabij::ingest::FERRY_CLASS)
    );
    // No duration tag: timed at the profile's 20 km/h ferry speed over its length
    // (the crossing Ċirkewwa–Mġarr is about 5-8 km; the real ferry takes about 25 min).
    assert!((4_000.0..9_000.0).contains(&total_m), "{total_m} m");
    assert!((12.0 * 60.0..27.0 * 60.0).contains(&total_s), "{total_s} s");
}

#[test]
fn building_twice_gives_identical_bytes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = dir.path().join("a.nbg");
    let b = dir.path().join("b.nbg");
    let profile = nabij::ingest::CarProfile::default();
    let p = nabij::progress::Progress::hidden();
    nabij::pipeline::build_to_file(&osm(MALTA), &a, &profile, &p).expect("build a");
    nabij::pipeline::build_to_file(&osm(MALTA), &b, &profile, &p).expect("build b");
    let (ba, bb) = (std::fs::read(&a).expect("a"), std::fs::read(&b).expect("b"));
    assert!(ba == bb, "two builds of Malta differ");
    // And the file round-trips to the same graph.
    let loaded = nabij::graph::file::read_graph(&a).expect("loads");
    let mut built = build(MALTA);
    // `nabij build` adds a contraction hierarchy to a graph of Malta's size.
    let outcome =
        nabij::pipeline::add_hierarchy(&mut built, nabij::pipeline::HierarchyMode::Auto, &p);
    assert!(
        matches!(outcome, nabij::pipeline::HierarchyOutcome::Added { .. }),
        "{outcome:?}"
    );
    assert!(loaded.hierarchy.is_some(), "the file keeps the hierarchy");
    assert!(loaded == built, "loaded graph differs from the built one");
}

#[test]
fn the_build_summary_reports_what_was_dropped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("m.nbg");
    let (ok, stdout, stderr) = nabij(&[
        "build",
        "--osm",
        osm(MALTA).to_str().expect("utf8"),
        "--out",
        out.to_str().expect("utf8"),
    ]);
    assert!(ok, "{stderr}");
    for needle in [
        "nodes",
        "edges",
        "km of road",
        "ferry",
        "dropped",
        "wall time",
    ] {
        assert!(stdout.contains(needle), "summary lacks {needle}: {stdout}");
    }
    let (ok, stdout, _) = nabij(&[
        "--quiet",
        "build",
        "--osm",
        osm(MALTA).to_str().expect("utf8"),
        "--out",
        out.to_str().expect("utf8"),
    ]);
    assert!(ok);
    assert!(stdout.is_empty(), "--quiet prints nothing: {stdout}");
}

/// Time lost at signals, crossings and junctions: a 1 km residential road (144 s at 25 km/h)
/// with traffic signals halfway, and a side road at its east end (a junction of three pieces).
#[test]
fn signals_crossings_and_junctions_cost_the_profile_s_delays() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pbf = dir.path().join("delays.osm.pbf");
    let dlon = 1.0 / (111_319.49 * 52f64.to_radians().cos());
    {
        let f = std::fs::File::create(&pbf).expect("create");
        let mut w =
            nabij::synth::pbf::PbfWriter::new(f, [4.9, 51.9, 5.4, 52.1], "test").expect("hdr");
        let e7 = |x: f64| (x * 1e7).round() as i32;
        w.node(1, 520_000_000, e7(5.0), &[]).expect("node");
        w.node(
            2,
            520_000_000,
            e7(5.0 + 500.0 * dlon),
            &[("highway", "traffic_signals")],
        )
        .expect("node");
        w.node(3, 520_000_000, e7(5.0 + 1000.0 * dlon), &[])
            .expect("node");
        w.node(4, 520_090_000, e7(5.0 + 1000.0 * dlon), &[])
            .expect("node");
        w.node(5, 520_000_000, e7(5.0 + 2000.0 * dlon), &[])
            .expect("node");
        w.way(1, &[1, 2, 3], &[("highway", "residential")])
            .expect("way");
        w.way(2, &[3, 4], &[("highway", "residential")])
            .expect("way");
        w.way(3, &[3, 5], &[("highway", "residential")])
            .expect("way");
        w.finish().expect("finish");
    }
    let time = |profile: &nabij::ingest::CarProfile| {
        let g =
            nabij::pipeline::build_in_memory(&pbf, profile, &nabij::progress::Progress::hidden())
                .expect("builds");
        // The edge of way 1: from node 1 to the junction at node 3.
        (0..g.edge_count())
            .find(|&e| {
                g.edge_length_m[e] > 990.0
                    && g.edge_length_m[e] < 1010.0
                    && g.edge_osm_way(e as u32) == 1
            })
            .map(|e| g.edge_time_fw_ms[e])
            .expect("the way-1 edge")
    };
    let none = nabij::ingest::CarProfile::from_toml_str(
        "traffic_signals_delay_s = 0\njunction_delay_s = 0\n",
    )
    .expect("profile");
    let default = nabij::ingest::CarProfile::default();
    let base = time(&none);
    // The signal inside the edge costs its full delay; the junction at its end half of its
    // delay (the other half is on the piece a route leaves the junction by).
    let expected = base
        + (default.traffic_signals_delay_s * 1000.0) as u32
        + (default.junction_delay_s * 1000.0 / 2.0) as u32;
    assert_eq!(time(&default), expected, "base {base} ms");
}
