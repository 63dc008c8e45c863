//! The streets inside a generated town: a square grid, or organic neighbourhoods
//! ([`StreetPattern`]); the network around the towns (arterials, motorways, ferries) is built
//! in the parent module.

use super::{Net, Tags, pick};

/// The residential street layout of generated towns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StreetPattern {
    /// Every block of a square grid is a street: nearly every junction is a four-way
    /// crossing. The worst case for a contraction hierarchy (long, even separators), and what
    /// the national benchmarks of the earlier issues ran on.
    #[default]
    Grid,
    /// Neighbourhoods as real towns have them: 50 km/h distributor roads every eight blocks
    /// around 30 km/h residential cells whose streets form a random tree (cul-de-sacs and
    /// T-junctions) with a fifth of the remaining blocks added back as loops. Its junction
    /// degrees are close to those of real OSM extracts (docs/BENCHMARKS.md).
    Organic,
}

/// Builds a town of `grid` × `grid` blocks of `spacing_m` around `centre` and returns its
/// intersections, row-major; `big` towns get a secondary road through the middle.
pub(super) fn build_town(
    net: &mut Net,
    centre: (f64, f64),
    grid: usize,
    spacing_m: f64,
    big: bool,
    streets: StreetPattern,
) -> Vec<u32> {
    let g = grid + 1;
    let half = grid as f64 * spacing_m / 2.0;
    let mut ids = Vec::with_capacity(g * g);
    for j in 0..g {
        for i in 0..g {
            let jx = net.rng.range(-0.15, 0.15) * spacing_m;
            let jy = net.rng.range(-0.15, 0.15) * spacing_m;
            let id = net.node(
                centre.0 - half + i as f64 * spacing_m + jx,
                centre.1 - half + j as f64 * spacing_m + jy,
            );
            ids.push(id);
        }
    }
    let mid = grid / 2;
    if streets == StreetPattern::Organic {
        organic_streets(net, &ids, grid, big);
        service_roads(net, &ids, grid);
        return ids;
    }
    // Streets along both axes; each grid line is cut into ways of a few blocks.
    for axis in 0..2 {
        for line in 0..g {
            let at = |k: usize| {
                if axis == 0 {
                    ids[line * g + k]
                } else {
                    ids[k * g + line]
                }
            };
            let main = line == mid || line == 0 || line == grid;
            let mut k = 0;
            while k < grid {
                let len = (2 + net.rng.below(6) as usize).min(grid - k);
                let mut refs = vec![at(k)];
                for b in k..k + len {
                    // Shape points on about half of the blocks.
                    if net.rng.chance(0.5) {
                        let (a, c) = (at(b), at(b + 1));
                        let (ax, ay) = net.xy[a as usize];
                        let (cx, cy) = net.xy[c as usize];
                        let (dx, dy) = (net.rng.range(-4.0, 4.0), net.rng.range(-4.0, 4.0));
                        let s = net.node((ax + cx) / 2.0 + dx, (ay + cy) / 2.0 + dy);
                        if !main && net.rng.chance(0.01) {
                            net.node_tags
                                .push((s as usize, vec![("barrier", "bollard".to_string())]));
                        }
                        refs.push(s);
                    }
                    refs.push(at(b + 1));
                }
                let mut tags: Tags = Vec::new();
                if main {
                    let class = if big && line == mid {
                        "secondary"
                    } else {
                        "tertiary"
                    };
                    tags.push(("highway", class.to_string()));
                    let ms = pick(&mut net.rng, &["50", "NL:urban", "50", "50 km/h"]);
                    tags.push(("maxspeed", ms.to_string()));
                } else if net.rng.chance(0.08) {
                    tags.push(("highway", "living_street".to_string()));
                } else {
                    tags.push(("highway", "residential".to_string()));
                    let r = net.rng.unit();
                    if r < 0.35 {
                        tags.push(("maxspeed", "30".to_string()));
                    } else if r < 0.5 {
                        tags.push(("maxspeed", "NL:zone30".to_string()));
                    } else if r < 0.51 {
                        tags.push(("maxspeed", "snel".to_string())); // junk, counted
                    }
                    if line % 5 == 2 {
                        let dir = if line % 10 == 2 { "yes" } else { "-1" };
                        tags.push(("oneway", dir.to_string()));
                    }
                }
                net.way(refs, tags);
                k += len;
            }
        }
    }
    service_roads(net, &ids, grid);
    ids
}

/// Private service roads (dead ends off the grid) that cars may not use.
fn service_roads(net: &mut Net, ids: &[u32], grid: usize) {
    let n_service = (grid * grid / 40).max(1);
    for _ in 0..n_service {
        let a = ids[net.rng.below(ids.len() as u64) as usize];
        let (x, y) = net.xy[a as usize];
        let (dx, dy) = (net.rng.range(20.0, 60.0), net.rng.range(20.0, 60.0));
        let b = net.node(x + dx, y + dy);
        let access = pick(&mut net.rng, &["private", "yes", "destination", "no"]);
        net.way(
            vec![a, b],
            vec![
                ("highway", "service".to_string()),
                ("access", access.to_string()),
            ],
        );
    }
}

/// A block's street: its two intersections, with a shape point on about half of them.
fn block_refs(net: &mut Net, a: u32, c: u32) -> Vec<u32> {
    let mut refs = vec![a];
    if net.rng.chance(0.5) {
        let (ax, ay) = net.xy[a as usize];
        let (cx, cy) = net.xy[c as usize];
        let (dx, dy) = (net.rng.range(-4.0, 4.0), net.rng.range(-4.0, 4.0));
        refs.push(net.node((ax + cx) / 2.0 + dx, (ay + cy) / 2.0 + dy));
    }
    refs.push(c);
    refs
}

/// The streets of [`StreetPattern::Organic`] over the town's intersections `ids` (row-major,
/// `(grid + 1)^2`).
fn organic_streets(net: &mut Net, ids: &[u32], grid: usize, big: bool) {
    let g = grid + 1;
    let mid = grid / 2;
    let main = |line: usize| line == mid || line == 0 || line == grid;
    let distributor = |line: usize| main(line) || line.is_multiple_of(8);
    // Blocks as (from index, to index, on a distributor line).
    let mut blocks: Vec<(usize, usize, bool)> = Vec::with_capacity(2 * g * grid);
    for j in 0..g {
        for i in 0..grid {
            blocks.push((j * g + i, j * g + i + 1, distributor(j)));
            blocks.push((i * g + j, (i + 1) * g + j, distributor(j)));
        }
    }
    // Kruskal with random weights: distributor blocks first (all kept), then a random
    // spanning tree of the residential blocks, then a fifth of the rest as loops.
    let mut parent: Vec<usize> = (0..g * g).collect();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    let mut order: Vec<(u64, usize)> = blocks
        .iter()
        .enumerate()
        .map(|(k, b)| (if b.2 { 0 } else { 1 + net.rng.below(1 << 40) }, k))
        .collect();
    order.sort_unstable();
    let mut keep = vec![false; blocks.len()];
    for &(_, k) in &order {
        let (a, c, dist) = blocks[k];
        let (ra, rc) = (find(&mut parent, a), find(&mut parent, c));
        if dist || ra != rc || net.rng.chance(0.2) {
            keep[k] = true;
            parent[ra] = rc;
        }
    }
    // Kept blocks at each intersection, to join blocks of one kind that meet without a
    // junction (a bend, or a straight run) into one street, as OSM maps them.
    let mut at: Vec<Vec<usize>> = vec![Vec::new(); g * g];
    for (k, &(a, c, _)) in blocks.iter().enumerate() {
        if keep[k] {
            at[a].push(k);
            at[c].push(k);
        }
    }
    let mut used = vec![false; blocks.len()];
    for k in 0..blocks.len() {
        if !keep[k] || used[k] {
            continue;
        }
        used[k] = true;
        let (a, c, dist) = blocks[k];
        // The chain of intersections, grown from both ends of block `k`.
        let mut chain = std::collections::VecDeque::from([a, c]);
        for front in [false, true] {
            loop {
                let end = if front {
                    chain[0]
                } else {
                    chain[chain.len() - 1]
                };
                let [x, y] = at[end][..] else { break };
                let next = if used[x] { y } else { x };
                if used[next] || blocks[next].2 != dist {
                    break;
                }
                used[next] = true;
                let (p, q, _) = blocks[next];
                let other = if p == end { q } else { p };
                if front {
                    chain.push_front(other);
                } else {
                    chain.push_back(other);
                }
            }
        }
        let mut refs: Vec<u32> = vec![ids[chain[0]]];
        for w in 1..chain.len() {
            refs.extend(
                block_refs(net, ids[chain[w - 1]], ids[chain[w]])
                    .into_iter()
                    .skip(1),
            );
        }
        let mut tags: Tags = Vec::new();
        if dist {
            let on_mid = (a / g == mid && c / g == mid) || (a % g == mid && c % g == mid);
            let class = if big && on_mid {
                "secondary"
            } else {
                "tertiary"
            };
            tags.push(("highway", class.to_string()));
            tags.push(("maxspeed", "50".to_string()));
        } else if net.rng.chance(0.08) {
            tags.push(("highway", "living_street".to_string()));
        } else {
            tags.push(("highway", "residential".to_string()));
            tags.push(("maxspeed", "30".to_string()));
        }
        net.way(refs, tags);
    }
}
