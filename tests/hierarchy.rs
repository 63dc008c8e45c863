//! The contraction hierarchy against the oracles: PHAST and the bucket table against
//! petgraph's Dijkstra on seeded random graphs (with many equal times, which is where a
//! parallel contraction can lose a path), against the hand-written Dijkstra on real extracts,
//! and whole coverage answers and matrices with and without a hierarchy. Every assertion names
//! its seed.

mod common;

use common::*;
use nabij::graph::RoadGraph;
use nabij::pipeline::{HierarchyMode, HierarchyOutcome, add_hierarchy};
use nabij::progress::Progress;
use nabij::rng::SplitMix64;
use nabij::routing::ch::{Phast, table};
use nabij::routing::{Direction, Engine, Seed, Times, Workspace};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{EdgeRef, Reversed};

/// A random graph whose times are 1–4 ms, 10 m per ms: nearly every pair of paths ties
/// somewhere.
fn tied_graph(seed: u64, max_nodes: u64) -> (RoadGraph, DiGraph<(), u32>) {
    random_graph_with(seed, max_nodes, 3, 4, |t| 10.0 * t as f32)
}

/// Times from (`From`) or to (`To`) one node, by petgraph.
fn oracle_from(oracle: &DiGraph<(), u32>, node: u32, dir: Direction) -> Vec<Option<u64>> {
    let dist = match dir {
        Direction::From => {
            petgraph::algo::dijkstra(oracle, NodeIndex::new(node as usize), None, |e| {
                *e.weight() as u64
            })
        }
        Direction::To => {
            petgraph::algo::dijkstra(Reversed(oracle), NodeIndex::new(node as usize), None, |e| {
                *e.weight() as u64
            })
        }
    };
    let mut out = vec![None; oracle.node_count()];
    for (v, d) in dist {
        out[v.index()] = Some(d);
    }
    out
}

fn contracted(mut g: RoadGraph) -> RoadGraph {
    let outcome = add_hierarchy(&mut g, HierarchyMode::Always, &Progress::hidden());
    assert!(
        matches!(outcome, HierarchyOutcome::Added { .. }),
        "{outcome:?}"
    );
    let h = g.hierarchy.as_ref().expect("hierarchy");
    h.check(g.node_count()).expect("a valid hierarchy");
    assert_sweep_blocks(h);
    g
}

#[test]
fn phast_equals_the_oracle_with_the_lowest_nearest_source() {
    let mut phast = Phast::default();
    for seed in 0..400u64 {
        let (g, oracle) = if seed % 2 == 0 {
            random_graph(seed, 150)
        } else {
            tied_graph(seed, 150)
        };
        let g = contracted(g);
        let h = g.hierarchy.as_ref().expect("hierarchy");
        let n = g.node_count();
        let mut rng = SplitMix64::new(seed ^ 0x5EED);
        let k = 1 + rng.below(6) as usize;
        let seeds: Vec<Seed> = (0..k)
            .map(|i| Seed {
                node: rng.below(n as u64) as u32,
                offset_ms: if seed % 2 == 0 {
                    rng.below(100_000) as u32
                } else {
                    rng.below(3) as u32
                },
                source: i as u32,
            })
            .collect();
        for dir in [Direction::From, Direction::To] {
            let per_seed: Vec<Vec<Option<u64>>> = seeds
                .iter()
                .map(|s| oracle_from(&oracle, s.node, dir))
                .collect();
            phast.run(h, &seeds, dir);
            let all = phast.view(h);
            for v in 0..n {
                // (time, source) minimal as a pair: the nearest, ties to the lower source.
                let expected = seeds
                    .iter()
                    .zip(&per_seed)
                    .filter_map(|(s, d)| d[v].map(|d| (d + s.offset_ms as u64, s.source)))
                    .min();
                let got = all
                    .time_ms(v as u32)
                    .map(|t| (t as u64, all.source_of(v as u32).expect("a source")));
                assert_eq!(got, expected, "seed {seed}, {dir:?}, node {v}");
            }
        }
    }
}

#[test]
fn the_table_equals_the_oracle() {
    for seed in 0..300u64 {
        let (g, oracle) = if seed % 2 == 0 {
            random_graph(seed, 120)
        } else {
            tied_graph(seed, 120)
        };
        let g = contracted(g);
        let h = g.hierarchy.as_ref().expect("hierarchy");
        let n = g.node_count() as u64;
        let mut rng = SplitMix64::new(seed ^ 0x7AB1E);
        let pick = |rng: &mut SplitMix64, k: u64| -> Vec<u32> {
            (0..k).map(|_| rng.below(n) as u32).collect()
        };
        let rows = pick(&mut rng, 1 + seed % 7);
        let cols = pick(&mut rng, 1 + seed % 11);
        let side = |nodes: &[u32]| -> Vec<(Vec<Seed>, Vec<f32>)> {
            nodes
                .iter()
                .map(|&node| {
                    (
                        vec![Seed {
                            node,
                            offset_ms: 0,
                            source: 0,
                        }],
                        vec![0.0],
                    )
                })
                .collect()
        };
        for dir in [Direction::From, Direction::To] {
            let got = table(h, &side(&rows), &side(&cols), dir);
            for (i, &r) in rows.iter().enumerate() {
                let d = oracle_from(&oracle, r, dir);
                for (j, &c) in cols.iter().enumerate() {
                    assert_eq!(
                        got[i][j].map(|x| x.0 as u64),
                        d[c as usize],
                        "seed {seed}, {dir:?}, row {r}, column {c}"
                    );
                    if let Some((t, m)) = got[i][j] {
                        // Every road of a tied graph is 10 m per ms (the oracle graph carries
                        // no lengths, so the metres are checked through the times).
                        if seed % 2 == 1 {
                            assert_eq!(m, 10.0 * t as f32, "seed {seed}: metres of {r}-{c}");
                        }
                    }
                }
            }
        }
    }
}

/// The sweep blocks cover every position once, in order, and no position has an arc into its
/// own block (what lets the sweep take a block's positions on several threads).
fn assert_sweep_blocks(h: &nabij::graph::hierarchy::Hierarchy) {
    let b = &h.sweep_blocks;
    assert_eq!(b.first().copied(), Some(0));
    assert_eq!(b.last().copied(), Some(h.len() as u32));
    assert!(b.windows(2).all(|w| w[0] < w[1]), "ascending: {b:?}");
    for w in b.windows(2) {
        for p in w[0]..w[1] {
            for a in h.arcs_of(p) {
                assert!(
                    a.head >= w[1],
                    "position {p} reads {} in its block {w:?}",
                    a.head
                );
            }
        }
    }
}

/// PHAST against the hand-written Dijkstra for every node of `g`, from 1 to 22 seeds.
fn assert_phast_equals_dijkstra(g: &RoadGraph, name: &str) {
    let h = g.hierarchy.as_ref().expect("hierarchy");
    let n = g.node_count() as u64;
    let mut ws = Workspace::default();
    let mut phast = Phast::default();
    for round in 0..4u64 {
        let mut rng = SplitMix64::new(round);
        let seeds: Vec<Seed> = (0..1 + round * 7)
            .map(|i| Seed {
                node: rng.below(n) as u32,
                offset_ms: rng.below(60_000) as u32,
                source: i as u32,
            })
            .collect();
        for dir in [Direction::From, Direction::To] {
            ws.run(g, &seeds, u32::MAX, dir);
            phast.run(h, &seeds, dir);
            let all = phast.view(h);
            let differ = (0..n as u32)
                .filter(|&v| all.time_ms(v) != ws.time_ms(v))
                .count();
            assert_eq!(differ, 0, "{name}, round {round}, {dir:?}");
        }
    }
}

/// PHAST against the hand-written Dijkstra for every node of real extracts.
#[test]
fn phast_equals_dijkstra_on_real_extracts() {
    for name in [MALTA, PORTO] {
        let g = contracted(build(name));
        assert_phast_equals_dijkstra(&g, name);
        // The same hierarchy with the peak's arc times is exact for the peak's graph.
        let peak = g.peak_graph().expect("peak times");
        assert_phast_equals_dijkstra(&peak, &format!("{name} at peak"));
    }
    // A hierarchy assembled without its sweep blocks is swept a position at a time.
    let mut g = contracted(build(MALTA));
    if let Some(h) = g.hierarchy.as_mut() {
        h.sweep_blocks.clear();
    }
    assert_phast_equals_dijkstra(&g, "Malta without sweep blocks");
}

/// The same on a generated network with organic streets (the national benchmark's kind),
/// contracted by `--hierarchy auto`.
#[test]
fn phast_equals_dijkstra_on_a_synthetic_network_with_organic_streets() {
    use nabij::synth::{StreetPattern, SynthConfig, generate};
    let dir = tempfile::tempdir().expect("tempdir");
    let pbf = dir.path().join("organic.osm.pbf");
    let cfg = SynthConfig {
        seed: 5,
        bbox: [5.0, 52.0, 5.6, 52.4],
        towns: None,
        // Large enough that the sweep's lowest block is shared out over the threads.
        target_way_nodes: 600_000,
        island: true,
        streets: StreetPattern::Organic,
    };
    generate(&cfg, &pbf).expect("generate");
    let p = Progress::hidden();
    let mut g = nabij::pipeline::build_in_memory(&pbf, &Default::default(), &p).expect("build");
    let outcome = add_hierarchy(&mut g, HierarchyMode::Auto, &p);
    assert!(
        matches!(outcome, HierarchyOutcome::Added { .. }),
        "{outcome:?}"
    );
    let h = g.hierarchy.as_ref().expect("hierarchy");
    assert_sweep_blocks(h);
    // Contraction rounds are independent sets: the low blocks (the first rounds, which the
    // greedy split may cut anywhere within a round) hold a good share of the positions,
    // which is what the threads share out.
    let largest = h
        .sweep_blocks
        .windows(2)
        .map(|w| (w[1] - w[0]) as usize)
        .max()
        .unwrap_or(0);
    assert!(largest * 5 >= h.len(), "{largest} of {} positions", h.len());
    assert!(
        largest >= nabij::routing::ch::PARALLEL_BLOCK,
        "{largest} positions: the parallel sweep is not exercised"
    );
    assert_phast_equals_dijkstra(&g, "organic synthetic");
    let peak = g.peak_graph().expect("peak times");
    assert_phast_equals_dijkstra(&peak, "organic synthetic at peak");
}

/// Contraction stops when asked to, and `auto` asks only for large graphs that are still
/// dense with many nodes left.
#[test]
fn contraction_gives_up_when_asked_and_auto_asks_only_for_dense_large_graphs() {
    use nabij::graph::contract::{RoundState, contract_unless};
    use nabij::pipeline::gives_up;
    let (g, _) = tied_graph(11, 400);
    let rounds = std::sync::atomic::AtomicUsize::new(0);
    let stopped = contract_unless(&g, &|_| {}, &|state| {
        assert!(state.remaining < state.node_count, "{state:?}");
        rounds.fetch_add(1, std::sync::atomic::Ordering::Relaxed) == 1
    });
    let stopped = stopped.expect_err("gave up after the second round");
    assert!(stopped.remaining > 0, "{stopped:?}");
    assert_eq!(rounds.into_inner(), 2);
    let whole = contract_unless(&g, &|_| {}, &|_| false).expect("finished");
    whole.check(g.node_count()).expect("a valid hierarchy");
    let state = |node_count, remaining, mean_degree| RoundState {
        remaining,
        mean_degree,
        node_count,
    };
    // The Netherlands-size grid after its sixth round: gives up.
    assert!(gives_up(state(4_613_605, 1_557_364, 8.56)));
    // The organic network of the same size at its densest while more than 5 % is left: goes on.
    assert!(!gives_up(state(2_849_224, 160_890, 4.92)));
    // Dense, but only the last few percent are left: the top of any hierarchy.
    assert!(!gives_up(state(4_613_605, 200_000, 30.0)));
    // Small graphs always finish.
    assert!(!gives_up(state(942_000, 500_000, 12.0)));
}

/// The matrix with a hierarchy (bucket table) against the same matrix without (one search
/// per row) on snapped random points of Porto: equal times, and lengths of the same path.
#[test]
fn matrices_with_and_without_a_hierarchy_agree_on_porto() {
    let plain = build(PORTO);
    let with = Engine::new(contracted(plain.clone()));
    let without = Engine::new(plain);
    let (lo, hi) = (
        (without.graph.meta.bbox[0], without.graph.meta.bbox[1]),
        (without.graph.meta.bbox[2], without.graph.meta.bbox[3]),
    );
    let mut rng = SplitMix64::new(42);
    let mut points = |k: usize| -> Vec<Option<nabij::spatial::Snap>> {
        (0..k)
            .map(|_| {
                without
                    .snap(rng.range(lo.0, hi.0), rng.range(lo.1, hi.1))
                    .ok()
            })
            .collect()
    };
    let rows = points(12);
    let cols = points(80);
    assert!(rows.iter().chain(&cols).filter(|p| p.is_some()).count() > 60);
    for dir in [Direction::From, Direction::To] {
        for budget in [u32::MAX, 600_000] {
            let a = with.table(&rows, &cols, budget, dir);
            let b = without.table(&rows, &cols, budget, dir);
            let mut cells = 0;
            for (i, (ra, rb)) in a.iter().zip(&b).enumerate() {
                for (j, (x, y)) in ra.iter().zip(rb).enumerate() {
                    let what = format!("{dir:?}, budget {budget}, row {i}, column {j}");
                    assert_eq!(x.map(|r| r.time_ms), y.map(|r| r.time_ms), "{what}");
                    if let (Some(x), Some(y)) = (x, y) {
                        cells += 1;
                        // Equal times; a tie between two paths of different length is
                        // possible in principle, so allow a little.
                        assert!(
                            (x.length_m - y.length_m).abs() <= 0.01 * y.length_m + 1.0,
                            "{what}: {} m against {} m",
                            x.length_m,
                            y.length_m
                        );
                    }
                }
            }
            let least = if budget == u32::MAX { 100 } else { 10 };
            assert!(
                cells > least,
                "{dir:?}, budget {budget}: only {cells} cells"
            );
        }
    }
}

/// `nabij coverage` on Malta from graphs built with and without a hierarchy: the same answer.
#[test]
fn coverage_is_the_same_with_and_without_a_hierarchy() {
    let dir = tempfile::tempdir().expect("tempdir");
    let m = osm(MALTA);
    let m = m.to_str().expect("utf8");
    let mut answers = Vec::new();
    for mode in ["always", "never"] {
        let g = dir.path().join(format!("malta-{mode}.nbg"));
        let (ok, out, err) = nabij(&[
            "build",
            "--osm",
            m,
            "--out",
            g.to_str().expect("utf8"),
            "--hierarchy",
            mode,
        ]);
        assert!(ok, "{err}");
        assert_eq!(
            out.contains("contraction hierarchy:"),
            mode == "always",
            "{mode}: {out}"
        );
        // `nabij info` says whether the file holds one.
        let (ok, info, err) = nabij(&["info", "--graph", g.to_str().expect("utf8")]);
        assert!(ok, "{err}");
        let info: serde_json::Value = serde_json::from_str(&info).expect("info is JSON");
        assert_eq!(
            info["hierarchy"]["upward_arcs"]
                .as_u64()
                .is_some_and(|n| n > info["edges"].as_u64().unwrap_or(0)),
            mode == "always",
            "{mode}: {info}"
        );
        assert_eq!(info["hierarchy"].is_null(), mode == "never", "{mode}");
        let json = dir.path().join(format!("malta-{mode}.json"));
        let v = malta_hospitals(&g, &json, &["--minutes", "15"]);
        answers.push(v);
    }
    let within: u64 = answers[0]["municipalities"]
        .as_array()
        .expect("array")
        .iter()
        .map(|m| m["facilities_within_limit"].as_u64().unwrap_or(0))
        .sum();
    assert!(within > 0, "some council reaches a hospital in 15 minutes");
    assert_eq!(answers[0], answers[1]);
}

/// A hierarchy survives the file, and a forged one (valid checksum) is refused on load.
#[test]
fn the_hierarchy_is_stored_and_checked_on_every_load() {
    let dir = tempfile::tempdir().expect("tempdir");
    let base = contracted(build(MALTA));
    let forge = |name: &str, f: &dyn Fn(&mut RoadGraph)| {
        let mut g = base.clone();
        f(&mut g);
        write_and_read(dir.path(), name, &g)
    };
    let back = forge("ok.nbg", &|_| {}).expect("reads");
    assert_eq!(back.hierarchy, base.hierarchy);
    type Forgery<'a> = (&'a str, &'a dyn Fn(&mut RoadGraph), &'a str);
    let h = |g: &mut RoadGraph| g.hierarchy.as_mut().expect("hierarchy").clone();
    let cases: [Forgery; 4] = [
        (
            "down.nbg",
            &|g| {
                let mut x = h(g);
                // The first position with an arc gets an arc to itself.
                let p = (0..x.len())
                    .find(|&p| !x.arcs_of(p as u32).is_empty())
                    .expect("an arc");
                let k = x.first[p] as usize;
                x.arcs[k].head = p as u32;
                g.hierarchy = Some(x);
            },
            "upward",
        ),
        (
            "perm.nbg",
            &|g| {
                let mut x = h(g);
                x.node_at[1] = x.node_at[0];
                g.hierarchy = Some(x);
            },
            "two positions",
        ),
        (
            "nan.nbg",
            &|g| {
                let mut x = h(g);
                x.arc_m[3][0] = f32::NAN;
                g.hierarchy = Some(x);
            },
            "length",
        ),
        (
            "short.nbg",
            &|g| {
                let mut x = h(g);
                x.node_at.pop();
                g.hierarchy = Some(x);
            },
            "positions",
        ),
    ];
    for (name, f, needle) in cases {
        let msg = forge(name, f).expect_err(name).to_string();
        assert!(
            msg.contains("corrupt")
                && msg.contains("contraction hierarchy")
                && msg.contains(needle),
            "{name}: {msg}"
        );
    }
}

/// Isochrones that reach most of the graph read their times from the hierarchy's sweep: the
/// same reached roads and the same polygon as the Dijkstra's, for budgets below and above the
/// switch, both directions.
#[test]
fn isochrones_are_the_same_with_and_without_a_hierarchy() {
    let plain = build(PORTO);
    let with = Engine::new(contracted(plain.clone()));
    let without = Engine::new(plain);
    let [w, s, e, n] = without.graph.meta.bbox;
    let centre = without
        .snap((w + e) / 2.0, (s + n) / 2.0)
        .expect("Porto's centre snaps");
    let (mut wa, mut wb) = (Workspace::default(), Workspace::default());
    for minutes in [3, 10, 45] {
        for dir in [Direction::To, Direction::From] {
            let budget = minutes * 60_000;
            let a = with.isochrone(&mut wa, &[centre], budget, dir, 200.0);
            let b = without.isochrone(&mut wb, &[centre], budget, dir, 200.0);
            assert!(a.road_count() > 0, "{minutes} min {dir:?}");
            assert_eq!(a.road_count(), b.road_count(), "{minutes} min {dir:?}");
            assert_eq!(
                a.pieces().collect::<Vec<_>>(),
                b.pieces().collect::<Vec<_>>(),
                "{minutes} min {dir:?}"
            );
            assert_eq!(a.polygon, b.polygon, "{minutes} min {dir:?}");
        }
    }
}

/// The service on the demo graph built with and without a hierarchy: the same coverage,
/// matrix and isochrone answers over HTTP.
#[test]
fn the_service_answers_the_same_with_and_without_a_hierarchy() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut bodies: Vec<Vec<String>> = Vec::new();
    for mode in ["always", "never"] {
        let served = Served::demo_built(dir.path(), mode);
        let ask = |method: &str, path: &str, body: &str| -> String {
            use std::io::{Read, Write};
            for _ in 0..200 {
                if let Ok(mut s) = std::net::TcpStream::connect(&served.addr) {
                    let sent = write!(
                        s,
                        "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    let mut out = String::new();
                    if sent.is_ok()
                        && s.read_to_string(&mut out).is_ok()
                        && out.contains("\r\n\r\n")
                    {
                        if out.starts_with("HTTP/1.1 200") {
                            return out
                                .split_once("\r\n\r\n")
                                .map(|x| x.1.to_string())
                                .unwrap_or_default();
                        }
                        if !out.starts_with("HTTP/1.1 503") {
                            panic!("{mode} {path}: {out}");
                        }
                    }
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            panic!("{mode}: no answer to {path}");
        };
        let matrix = r#"{"origins": [[2.36, 52.86], [2.67, 52.85], [3.26, 52.63]], "destinations": [[2.35, 52.64], [2.65, 52.63], [2.36, 52.861], [3.1, 52.7]]}"#;
        bodies.push(vec![
            ask("GET", "/api/v1/coverage?format=json", ""),
            ask("GET", "/api/v1/coverage?format=csv&minutes=20", ""),
            ask("POST", "/api/v1/matrix", matrix),
            ask("GET", "/api/v1/isochrone?at=NB-01&minutes=45", ""),
        ]);
    }
    // Whole bodies: nothing in these answers depends on when or how they were made.
    for (a, b) in bodies[0].iter().zip(&bodies[1]) {
        assert!(a.len() > 100, "{a}");
        assert_eq!(a, b);
    }
}
