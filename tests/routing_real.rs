//! Snapping and routing: unit cases on small hand-made networks, and real extracts.

mod common;

use common::*;
use nabij::graph::NO_TIME;
use nabij::routing::{Direction, Engine, Workspace};
use nabij::spatial::SnapError;
use nabij::synth::pbf::PbfWriter;

/// Metres to degrees near 52°N.
const DLAT: f64 = 1.0 / 111_320.0;
const DLON: f64 = 1.0 / (111_320.0 * 0.6157);

fn e7(v: f64) -> i32 {
    (v * 1e7).round() as i32
}

/// A square two-way loop of 500 m sides at (5.0, 52.0), a oneway stub 300 m east of it that is
/// not connected (dropped by the SCC step), and a motorway 150 m north of the loop connected
/// at its north-west corner.
fn small_network() -> Engine {
    let dir = tempfile::tempdir().expect("tempdir");
    let pbf = dir.path().join("small.osm.pbf");
    let (x0, y0) = (5.0, 52.0);
    let p = |dx: f64, dy: f64| (e7(y0 + dy * DLAT), e7(x0 + dx * DLON));
    let nodes = [
        (1, p(0.0, 0.0)),
        (2, p(500.0, 0.0)),
        (3, p(500.0, 500.0)),
        (4, p(0.0, 500.0)),
        (5, p(800.0, 100.0)),
        (6, p(800.0, 400.0)),
        (7, p(0.0, 650.0)),
        (8, p(2000.0, 650.0)),
        (9, p(2000.0, 500.0)),
    ];
    {
        let f = std::fs::File::create(&pbf).expect("create");
        let mut w = PbfWriter::new(f, [4.99, 51.99, 5.05, 52.01], "test").expect("hdr");
        for (id, (lat, lon)) in nodes {
            w.node(id, lat, lon, &[]).expect("node");
        }
        w.way(1, &[1, 2, 3], &[("highway", "residential")])
            .expect("way");
        w.way(2, &[3, 4, 1], &[("highway", "residential")])
            .expect("way");
        w.way(3, &[5, 6], &[("highway", "residential"), ("oneway", "yes")])
            .expect("way");
        w.way(4, &[4, 7], &[("highway", "residential")])
            .expect("way");
        w.way(5, &[7, 8], &[("highway", "motorway"), ("oneway", "no")])
            .expect("way");
        w.way(6, &[8, 9, 3], &[("highway", "residential")])
            .expect("way");
        w.finish().expect("finish");
    }
    let g = nabij::pipeline::build_in_memory(
        &pbf,
        &nabij::ingest::CarProfile::default(),
        &nabij::progress::Progress::hidden(),
    )
    .expect("small network builds");
    Engine::new(g)
}

#[test]
fn snapping_projects_onto_the_segment_not_the_nearest_node() {
    let engine = small_network();
    // 40 m south of the middle of the loop's south side.
    let snap = engine
        .snap(5.0 + 250.0 * DLON, 52.0 - 40.0 * DLAT)
        .expect("snaps");
    assert!((snap.distance_m - 40.0).abs() < 1.0, "{}", snap.distance_m);
    // Node 2 is a shape point (no junction), so the edge runs 1 -> 2 -> 3 over 1,000 m and
    // the fraction is measured from node 1.
    assert!(
        (snap.fraction - 0.25).abs() < 0.01,
        "fraction {}",
        snap.fraction
    );
    assert!((snap.lat - 52.0).abs() < 1e-6, "snapped onto the road");
    // The access leg is timed at 15 km/h: 40 m takes 9.6 s.
    assert!(
        (snap.access_ms as f64 - 9600.0).abs() < 300.0,
        "{}",
        snap.access_ms
    );
}

#[test]
fn points_far_from_roads_are_unsnappable_with_their_distance() {
    let engine = small_network();
    match engine.snap(5.0 + 250.0 * DLON, 52.0 - 1500.0 * DLAT) {
        Err(SnapError::TooFar {
            distance_m, max_m, ..
        }) => {
            assert!((distance_m - 1500.0).abs() < 5.0, "{distance_m}");
            assert_eq!(max_m, 1000.0);
        }
        other => panic!("expected TooFar, got {other:?}"),
    }
    assert!(matches!(
        engine.snap(f64::NAN, 52.0),
        Err(SnapError::InvalidCoordinate { .. })
    ));
    assert!(matches!(
        engine.snap(5.0, 95.0),
        Err(SnapError::InvalidCoordinate { .. })
    ));
}

#[test]
fn points_near_a_dropped_piece_snap_to_the_kept_network() {
    let engine = small_network();
    // 10 m from the unconnected oneway stub (x = 800 m); the nearest kept road is way 6
    // along y = 500 m, 250 m away.
    let snap = engine
        .snap(5.0 + 790.0 * DLON, 52.0 + 250.0 * DLAT)
        .expect("snaps");
    assert!(
        (snap.distance_m - 250.0).abs() < 2.0,
        "snapped {} m away",
        snap.distance_m
    );
    assert_eq!(engine.graph.edge_osm_way(snap.edge), 6);
}

#[test]
fn points_next_to_a_motorway_snap_to_an_ordinary_road() {
    let engine = small_network();
    // 20 m south of the motorway (y = 650 m), 130 m north of the loop's north side.
    let snap = engine
        .snap(5.0 + 1000.0 * DLON, 52.0 + 630.0 * DLAT)
        .expect("snaps");
    let class =
        &engine.graph.meta.class_names[engine.graph.edge_class[snap.edge as usize] as usize];
    assert_ne!(class, "motorway");
}

#[test]
fn partial_edges_respect_oneway() {
    // Two nodes 1 km apart joined by a oneway (0 -> 1, 100 s) and a two-way way back via node 2.
    let g = nabij::graph::RoadGraph::from_edges(
        &[
            (5.0, 52.0),
            (5.0 + 1000.0 * DLON, 52.0),
            (5.0 + 500.0 * DLON, 52.0 + 500.0 * DLAT),
        ],
        &[
            (0, 1, 100_000, NO_TIME, 1000.0),
            (1, 2, 60_000, 60_000, 700.0),
            (2, 0, 60_000, 60_000, 700.0),
        ],
    );
    let engine = Engine::new(g);
    let snap = engine
        .snap(5.0 + 250.0 * DLON, 52.0)
        .expect("on the oneway");
    assert_eq!(snap.edge, 0);
    let ends = snap.ends(&engine.graph);
    assert_eq!(ends.leave_to_to_ms, Some(75_000), "3/4 of the oneway ahead");
    assert_eq!(
        ends.leave_to_from_ms, None,
        "no driving back against the oneway"
    );
    assert_eq!(ends.arrive_from_from_ms, Some(25_000));
    assert_eq!(ends.arrive_from_to_ms, None);
    // Leaving the point: only towards node 1.
    let seeds = engine.seeds(&snap, 0, Direction::From);
    assert_eq!(seeds.len(), 1);
    assert_eq!(seeds[0].node, engine.graph.edge_to[0]);
    // From the point to node 0 means going round: 75 s + 60 s + 60 s.
    let mut ws = Workspace::default();
    ws.run(&engine.graph, &seeds, u32::MAX, Direction::From);
    assert_eq!(
        ws.time_ms(engine.graph.edge_from[0]),
        Some(195_000 + snap.access_ms)
    );
    // Two points on the same oneway: forward directly, backward round the loop.
    let a = engine.snap(5.0 + 200.0 * DLON, 52.0).expect("a");
    let b = engine.snap(5.0 + 600.0 * DLON, 52.0).expect("b");
    assert_eq!(a.same_edge_ms(&b, &engine.graph), Some(40_000));
    assert_eq!(b.same_edge_ms(&a, &engine.graph), None);
    let ab = engine
        .route(
            &mut ws,
            (5.0 + 200.0 * DLON, 52.0),
            (5.0 + 600.0 * DLON, 52.0),
        )
        .expect("ab");
    let ba = engine
        .route(
            &mut ws,
            (5.0 + 600.0 * DLON, 52.0),
            (5.0 + 200.0 * DLON, 52.0),
        )
        .expect("ba");
    assert_eq!(ab.time_ms, 40_000);
    assert_eq!(
        ba.time_ms,
        40_000 + 60_000 + 60_000 + 20_000,
        "round the loop"
    );
    assert!((ab.length_m - 400.0).abs() < 2.0, "{}", ab.length_m);
}

fn malta() -> Engine {
    Engine::new(build(MALTA))
}

const VALLETTA: (f64, f64) = (14.5146, 35.8989);
const MDINA: (f64, f64) = (14.4033, 35.8858);
const VICTORIA_GOZO: (f64, f64) = (14.2394, 36.0444);

#[test]
fn malta_travel_times_fall_in_justified_ranges() {
    let engine = malta();
    let mut ws = Workspace::default();
    // Valletta to Mdina: 10 km as the crow flies, about 13 km by road; route planners give
    // 15-25 min with traffic. Without traffic our profile must land between 9 and 25 min.
    let r = engine.route(&mut ws, VALLETTA, MDINA).expect("routable");
    let min = r.time_ms as f64 / 60_000.0;
    assert!((9.0..25.0).contains(&min), "Valletta-Mdina {min:.1} min");
    assert!(
        (10_500.0..17_000.0).contains(&r.length_m),
        "{} m",
        r.length_m
    );
    // The path starts and ends at the query points and is continuous.
    assert_eq!(r.path.first(), Some(&VALLETTA));
    assert_eq!(r.path.last(), Some(&MDINA));
    for w in r.path.windows(2) {
        let d = nabij::geodesy::haversine_m(w[0].0, w[0].1, w[1].0, w[1].1);
        assert!(d < 3000.0, "a jump of {d} m in the path");
    }
}

#[test]
fn malta_to_gozo_takes_the_car_ferry() {
    let engine = malta();
    let g = &engine.graph;
    let mut ws = Workspace::default();
    let r = engine
        .route(&mut ws, VALLETTA, VICTORIA_GOZO)
        .expect("routable via the ferry");
    // Drive to Ċirkewwa (~30-40 min), cross (~18 min at the profile's ferry speed), drive on.
    let min = r.time_ms as f64 / 60_000.0;
    assert!(
        (40.0..90.0).contains(&min),
        "Valletta-Victoria {min:.1} min"
    );
    // The path runs over both terminals of the Malta-Gozo ferry (way 176522568).
    let ferry: Vec<usize> = (0..g.edge_count())
        .filter(|&e| g.edge_osm_way(e as u32) == 176_522_568)
        .collect();
    assert!(!ferry.is_empty());
    let near = |p: (f64, f64)| {
        r.path
            .iter()
            .any(|q| nabij::geodesy::haversine_m(p.0, p.1, q.0, q.1) < 1.0)
    };
    let ends: Vec<(f64, f64)> = ferry
        .iter()
        .flat_map(|&e| [g.node_lonlat(g.edge_from[e]), g.node_lonlat(g.edge_to[e])])
        .collect();
    assert!(
        ends.iter().filter(|&&p| near(p)).count() >= 2,
        "the path crosses on the ferry"
    );
    // And the way back takes it too, at a similar time.
    let back = engine
        .route(&mut ws, VICTORIA_GOZO, VALLETTA)
        .expect("back");
    assert!((back.time_ms as f64 / r.time_ms as f64 - 1.0).abs() < 0.25);
}

#[test]
fn oneways_make_forward_and_reverse_times_differ_and_searches_agree_with_routes() {
    let engine = malta();
    let g = &engine.graph;
    let mut ws = Workspace::default();
    let mut ws2 = Workspace::default();
    // A grid of points over Valletta's one-way streets.
    let mut pts = Vec::new();
    for i in 0..5 {
        for j in 0..5 {
            pts.push((14.506 + i as f64 * 0.0025, 35.894 + j as f64 * 0.0015));
        }
    }
    let mut asymmetric = 0;
    for (k, &a) in pts.iter().enumerate() {
        let Ok(sa) = engine.snap(a.0, a.1) else {
            continue;
        };
        // One search towards `a` answers "time from every point to a" ...
        ws2.run(
            g,
            &engine.seeds(&sa, 0, Direction::To),
            u32::MAX,
            Direction::To,
        );
        for &b in pts.iter().skip(k + 1) {
            let Ok(sb) = engine.snap(b.0, b.1) else {
                continue;
            };
            let (Ok(ab), Ok(ba)) = (engine.route(&mut ws, a, b), engine.route(&mut ws, b, a))
            else {
                continue;
            };
            if (ab.time_ms as f64 - ba.time_ms as f64).abs()
                > 0.2 * ab.time_ms.min(ba.time_ms) as f64
            {
                asymmetric += 1;
            }
            // ... and must agree with the point-to-point route b -> a (same edge aside).
            if sa.edge != sb.edge {
                let (t, _) = engine.time_at(&ws2, &sb, Direction::To).expect("reachable");
                assert_eq!(t, ba.time_ms, "route {b:?}->{a:?} vs search towards {a:?}");
            }
        }
    }
    assert!(
        asymmetric >= 3,
        "Valletta's oneways should make some trips 20% longer one way ({asymmetric})"
    );
}

#[test]
fn porto_city_centre_to_matosinhos() {
    let engine = Engine::new(build(PORTO));
    let mut ws = Workspace::default();
    // Avenida dos Aliados to Matosinhos beach: 8 km crow-fly, 9-12 km by road, 12-20 min by car.
    let r = engine
        .route(&mut ws, (-8.6110, 41.1485), (-8.6900, 41.1844))
        .expect("routable");
    let min = r.time_ms as f64 / 60_000.0;
    assert!((8.0..25.0).contains(&min), "{min:.1} min");
    assert!(
        (8_500.0..14_000.0).contains(&r.length_m),
        "{} m",
        r.length_m
    );
}

#[test]
fn isochrones_cover_reached_roads_and_stop_at_the_sea() {
    use geo::{Contains, Point};
    let engine = malta();
    let mut ws = Workspace::default();
    let snap = engine.snap(VALLETTA.0, VALLETTA.1).expect("snaps");
    let iso = engine.isochrone(&mut ws, &[snap], 15 * 60_000, Direction::From, 200.0);
    assert!(!iso.polygon.0.is_empty());
    assert!(iso.polygon.contains(&Point::new(VALLETTA.0, VALLETTA.1)));
    assert!(
        !iso.polygon
            .contains(&Point::new(VICTORIA_GOZO.0, VICTORIA_GOZO.1)),
        "Gozo is beyond 15 min"
    );
    for (e, pts) in &iso.roads(&engine.graph) {
        if engine.graph.edge_class[*e as usize] == nabij::ingest::FERRY_CLASS {
            continue; // reached, but not area (the Pozzallo ferry leaves from Valletta)
        }
        for &(x, y) in pts {
            assert!(
                iso.polygon.contains(&Point::new(x, y))
                    || geo::Intersects::intersects(&iso.polygon, &Point::new(x, y)),
                "reached road point {x},{y} outside the polygon"
            );
        }
    }
    // A longer budget reaches Gozo over the ferry, as a separate part.
    let iso90 = engine.isochrone(&mut ws, &[snap], 90 * 60_000, Direction::From, 200.0);
    assert!(
        iso90
            .polygon
            .contains(&Point::new(VICTORIA_GOZO.0 + 0.001, VICTORIA_GOZO.1))
            || iso90.road_count() > iso.road_count()
    );
    assert!(
        iso90.polygon.0.len() >= 2,
        "Malta and Gozo are separate parts"
    );
}

/// The grid that enumerates snap candidates must give exactly the snaps of the R-tree it
/// stands in for: same edge, position and distance, same errors, for points on and near the
/// roads, far from them and outside the graph. Seeded; the seed and point are in every message.
#[test]
fn grid_snapping_equals_rtree_snapping_on_real_extracts() {
    for name in [
        "malta_gdal_ubuntu.osm.pbf",
        "porto_portugal_r5_test.osm.pbf",
        "liechtenstein_valhalla_test.osm.pbf",
    ] {
        let engine = Engine::new(build(name));
        let g = &engine.graph;
        let [w, s, e, n] = g.meta.bbox;
        let mut rng = nabij::rng::SplitMix64::new(42);
        let mut snapped = 0;
        let mut points = Vec::new();
        for i in 0..20_000 {
            let p = if i % 4 == 0 {
                // Anywhere in (and somewhat beyond) the graph's box: many are unsnappable.
                (rng.range(w - 0.05, e + 0.05), rng.range(s - 0.05, n + 0.05))
            } else {
                let v = rng.below(g.node_count() as u64) as u32;
                let (lon, lat) = g.node_lonlat(v);
                (
                    lon + rng.range(-0.004, 0.004),
                    lat + rng.range(-0.003, 0.003),
                )
            };
            let grid = engine.index.snap(p.0, p.1);
            let tree = engine.index.snap_with_rtree(p.0, p.1);
            assert_eq!(grid, tree, "{name}, seed 42, point {i} at {p:?}");
            snapped += grid.is_ok() as usize;
            points.push(p);
        }
        // The batch (reordered by cell, prefetching ahead, in parallel) answers the same, in
        // input order, bad coordinates included.
        points.extend([
            (f64::NAN, 36.0),
            (14.4, f64::INFINITY),
            (200.0, 36.0),
            (w, s),
        ]);
        let many = engine.index.snap_many(&points);
        assert_eq!(many.len(), points.len(), "{name}");
        for (i, (p, got)) in points.iter().zip(&many).enumerate() {
            // Compared as text: an error about a NaN coordinate is not equal to itself.
            assert_eq!(
                format!("{got:?}"),
                format!("{:?}", engine.index.snap(p.0, p.1)),
                "{name}, seed 42, point {i} at {p:?}"
            );
        }
        assert!(
            (5_000..20_000).contains(&snapped),
            "{name}: {snapped} of 20000 snapped; both kinds of point must be exercised"
        );
    }
    // Far outside every graph: the same error from both.
    let engine = Engine::new(build("liechtenstein_valhalla_test.osm.pbf"));
    assert_eq!(
        engine.index.snap(4.9, 52.37),
        engine.index.snap_with_rtree(4.9, 52.37)
    );
    // 600 km away: beyond the 100 km the grid looks for the nearest road.
    assert!(matches!(
        engine.index.snap(4.9, 52.37),
        Err(SnapError::NoRoadNear { max_m, .. }) if max_m == 100_000.0
    ));
}

/// The position along the edge a snap reports (taken from shares precomputed when the index
/// is built) against walking the edge's polyline with haversine lengths up to the snapped
/// point, on Porto's curved streets. Seeded; the seed and point are in every message.
#[test]
fn snap_fractions_match_a_walk_along_the_polyline() {
    let engine = Engine::new(build("porto_portugal_r5_test.osm.pbf"));
    let g = &engine.graph;
    let mut rng = nabij::rng::SplitMix64::new(5);
    let mut curved = 0;
    for i in 0..5_000 {
        let v = rng.below(g.node_count() as u64) as u32;
        let (lon, lat) = g.node_lonlat(v);
        let p = (
            lon + rng.range(-0.002, 0.002),
            lat + rng.range(-0.0015, 0.0015),
        );
        let Ok(snap) = engine.snap(p.0, p.1) else {
            continue;
        };
        let pts = g.edge_polyline(snap.edge);
        curved += (pts.len() > 2) as usize;
        // The segment the snapped point lies on: the one nearest to it.
        let k = (0..pts.len() - 1)
            .min_by(|&a, &b| {
                let d = |k: usize| {
                    nabij::spatial::local_point_segment(snap.lon, snap.lat, pts[k], pts[k + 1]).0
                };
                d(a).total_cmp(&d(b))
            })
            .expect("an edge has a segment");
        let len = |a: (f64, f64), b: (f64, f64)| nabij::geodesy::haversine_m(a.0, a.1, b.0, b.1);
        let total: f64 = pts.windows(2).map(|w| len(w[0], w[1])).sum();
        let before: f64 = pts[..=k].windows(2).map(|w| len(w[0], w[1])).sum::<f64>()
            + len(pts[k], (snap.lon, snap.lat));
        let want = if total > 0.0 { before / total } else { 0.0 };
        // Within 1 cm along the edge: the shares are f32 (under 0.1 mm on a 1 km street) and
        // the snapped point carries the index's f32 rounding (sub-millimetre in Porto).
        assert!(
            (snap.fraction - want).abs() * total < 0.01,
            "seed 5, point {i} at {p:?}: fraction {} but the walk gives {want} (edge {}, {total:.1} m)",
            snap.fraction,
            snap.edge
        );
    }
    assert!(curved > 1_000, "only {curved} snaps onto curved edges");
}

/// A matrix is one search per row (forwards from origins, or backwards from destinations when
/// they are fewer); it answers exactly as one route search per pair does, on real extracts.
#[test]
fn matrices_from_one_search_per_row_equal_pairwise_routes() {
    for (name, seed) in [(common::MALTA, 3u64), (common::PORTO, 4)] {
        let g = common::build(name);
        // Points near random graph nodes (up to ~300 m off the road), one far in the sea.
        let mut rng = nabij::rng::SplitMix64::new(seed);
        let mut point = || {
            let (lon, lat) = g.node_lonlat(rng.below(g.node_count() as u64) as u32);
            (
                lon + rng.range(-0.003, 0.003),
                lat + rng.range(-0.003, 0.003),
            )
        };
        let mut few: Vec<(f64, f64)> = (0..6).map(|_| point()).collect();
        let many: Vec<(f64, f64)> = (0..25).map(|_| point()).collect();
        few.push((0.0, 0.0));
        let net = nabij::app::Network::from_graph(g, name);
        // Forwards (6 origins) and backwards (25 origins, 6 destinations), in both periods
        // (the peak's matrix reads the hierarchy's peak arcs, its routes the peak graph).
        let periods = nabij::app::Period::ALL;
        let cases = periods
            .iter()
            .flat_map(|&p| [(&few, &many, p), (&many, &few, p)]);
        for (origins, destinations, period) in cases {
            let m = net
                .matrix(origins, destinations, None, period)
                .expect("matrix");
            let mut compared = 0;
            for (i, o) in origins.iter().enumerate() {
                for (j, d) in destinations.iter().enumerate() {
                    match (net.travel_time(*o, *d, period), &m[i][j]) {
                        (Ok(r), Ok(c)) => {
                            assert_eq!(r.time_ms, c.time_ms, "{name} {period} {o:?} -> {d:?}");
                            assert!(
                                (r.length_m - c.length_m).abs() < 1.0,
                                "{name} {o:?} -> {d:?}: {} m against {} m",
                                r.length_m,
                                c.length_m
                            );
                            compared += 1;
                        }
                        (Err(_), Err(reason)) => assert!(!reason.is_empty()),
                        (a, b) => panic!("{name} {o:?} -> {d:?}: pairwise {a:?}, matrix {b:?}"),
                    }
                }
            }
            assert!(compared >= 20, "{name}: only {compared} routable pairs");
        }
        // A budget leaves far pairs empty with the reason.
        let m = net
            .matrix(&few, &many, Some(1.0), nabij::app::Period::Free)
            .expect("matrix");
        assert!(
            m.iter()
                .flatten()
                .any(|c| c.as_ref().is_err_and(|r| r.contains("within 1 minutes")))
        );
    }
}
