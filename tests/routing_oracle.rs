//! The hand-written bounded multi-source search against petgraph's Dijkstra on seeded random
//! graphs with oneways, in both directions. Every assertion names its seed.

mod common;

use common::random_graph;
use nabij::rng::SplitMix64;
use nabij::routing::{Direction, Seed, Workspace};
use petgraph::graph::NodeIndex;
use petgraph::visit::{EdgeRef, Reversed};

#[test]
fn bounded_multi_source_equals_min_over_oracle_dijkstras() {
    let mut ws = Workspace::default();
    for seed in 0..300u64 {
        let (g, oracle) = random_graph(seed, 120);
        let n = g.node_count();
        g.check_invariants()
            .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        let mut rng = SplitMix64::new(seed ^ 0xABCD);
        let k = 1 + rng.below(5) as usize;
        let seeds: Vec<Seed> = (0..k)
            .map(|i| Seed {
                node: rng.below(n as u64) as u32,
                offset_ms: rng.below(100_000) as u32,
                source: i as u32,
            })
            .collect();
        let choice = rng.below(3);
        for dir in [Direction::From, Direction::To] {
            // Oracle: per source, plain Dijkstra on the forward or reversed graph.
            let mut best: Vec<Option<u64>> = vec![None; n];
            for s in &seeds {
                let dist = match dir {
                    Direction::From => petgraph::algo::dijkstra(
                        &oracle,
                        NodeIndex::new(s.node as usize),
                        None,
                        |e| *e.weight() as u64,
                    ),
                    Direction::To => petgraph::algo::dijkstra(
                        Reversed(&oracle),
                        NodeIndex::new(s.node as usize),
                        None,
                        |e| *e.weight() as u64,
                    ),
                };
                for (v, d) in dist {
                    let total = d + s.offset_ms as u64;
                    let b = &mut best[v.index()];
                    if b.is_none_or(|x| total < x) {
                        *b = Some(total);
                    }
                }
            }
            // A third of the budgets are unbounded, a third random, and a third exactly the
            // time of some reached node, so the inclusive boundary is exercised.
            let reached: Vec<u64> = best.iter().flatten().copied().collect();
            let budget = match choice {
                0 => u32::MAX,
                1 => rng.below(3_000_000) as u32,
                _ => reached[rng.below(reached.len() as u64) as usize] as u32,
            };
            ws.run(&g, &seeds, budget, dir);
            for (v, b) in best.iter().enumerate() {
                let expected = b.filter(|&d| d <= budget as u64);
                let got = ws.time_ms(v as u32).map(|t| t as u64);
                assert_eq!(
                    got, expected,
                    "seed {seed}, {dir:?}, node {v}, budget {budget}"
                );
                if let Some(src) = ws.source_of(v as u32) {
                    // The reported source must achieve the minimum on its own.
                    let s = seeds
                        .iter()
                        .filter(|s| s.source == src)
                        .map(|s| s.node)
                        .collect::<Vec<_>>();
                    assert!(!s.is_empty(), "seed {seed}: unknown source {src}");
                }
            }
            // Settled nodes come in order of time.
            let times: Vec<u32> = ws.settled().iter().filter_map(|&v| ws.time_ms(v)).collect();
            assert!(
                times.windows(2).all(|w| w[0] <= w[1]),
                "seed {seed}: settle order"
            );
        }
    }
}

#[test]
fn the_reported_source_is_a_nearest_one() {
    let mut ws = Workspace::default();
    for seed in 0..100u64 {
        let (g, oracle) = random_graph(seed, 120);
        let n = g.node_count();
        let seeds: Vec<Seed> = (0..3)
            .map(|i| Seed {
                node: (i * 7 % n) as u32,
                offset_ms: i as u32 * 1000,
                source: i as u32,
            })
            .collect();
        ws.run(&g, &seeds, u32::MAX, Direction::To);
        for v in 0..n as u32 {
            let (Some(t), Some(src)) = (ws.time_ms(v), ws.source_of(v)) else {
                continue;
            };
            let s = seeds[src as usize];
            let d = petgraph::algo::dijkstra(
                &oracle,
                NodeIndex::new(v as usize),
                Some(NodeIndex::new(s.node as usize)),
                |e| *e.weight() as u64,
            );
            let own = d
                .get(&NodeIndex::new(s.node as usize))
                .map(|&d| d + s.offset_ms as u64);
            assert_eq!(
                own,
                Some(t as u64),
                "seed {seed}: node {v} attributed to source {src}"
            );
        }
    }
}

#[test]
fn the_workspace_resets_between_queries_and_graphs() {
    let (g1, _) = random_graph(1, 120);
    let (g2, _) = random_graph(2, 120);
    let mut ws = Workspace::default();
    ws.run(
        &g1,
        &[Seed {
            node: 0,
            offset_ms: 0,
            source: 0,
        }],
        u32::MAX,
        Direction::From,
    );
    let reached1 = ws.settled().len();
    ws.run(
        &g1,
        &[Seed {
            node: 0,
            offset_ms: 0,
            source: 0,
        }],
        0,
        Direction::From,
    );
    assert_eq!(ws.settled().len(), 1, "budget 0 settles only the seed");
    for v in 1..g1.node_count() as u32 {
        assert_eq!(ws.time_ms(v), None, "stale state leaked for node {v}");
    }
    ws.run(
        &g2,
        &[Seed {
            node: 0,
            offset_ms: 0,
            source: 0,
        }],
        u32::MAX,
        Direction::From,
    );
    ws.run(
        &g1,
        &[Seed {
            node: 0,
            offset_ms: 0,
            source: 0,
        }],
        u32::MAX,
        Direction::From,
    );
    assert_eq!(ws.settled().len(), reached1);
}

/// A workspace reused across searches never reports a record of an earlier search: wide and
/// narrow budgets alternate, so a narrow search follows a wide one over the same nodes.
#[test]
fn records_of_earlier_searches_read_as_unreached() {
    for seed in 0..20u64 {
        let (g, oracle) = random_graph(seed, 120);
        let mut ws = Workspace::new(g.node_count());
        let mut rng = SplitMix64::new(seed);
        for round in 0..30 {
            let seeds = [Seed {
                node: rng.below(g.node_count() as u64) as u32,
                offset_ms: 0,
                source: round,
            }];
            let budget = if round % 2 == 0 { u32::MAX } else { 1_000_000 };
            ws.run(&g, &seeds, budget, Direction::From);
            let want = petgraph::algo::dijkstra(
                &oracle,
                NodeIndex::new(seeds[0].node as usize),
                None,
                |e| *e.weight() as u64,
            );
            for v in 0..g.node_count() as u32 {
                let expected = want
                    .get(&NodeIndex::new(v as usize))
                    .copied()
                    .filter(|&d| d <= budget as u64)
                    .map(|d| d as u32);
                assert_eq!(
                    ws.time_ms(v),
                    expected,
                    "seed {seed}, round {round}, node {v}"
                );
            }
        }
    }
}
