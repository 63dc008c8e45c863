//! From drivable ways to the road graph.
//!
//! 1. A node becomes a graph node where ways meet or end, next to a node missing from the
//!    extract, and at every barrier (each way side of a barrier gets its own node, so the
//!    barrier cuts the way). All other way nodes become shape points.
//! 2. Each way is cut into pieces between graph nodes; a piece's length is the sum of
//!    great-circle distances, its time the length at the way's speed (ferries: the tagged
//!    duration shared out by length). The peak period's time is the free time (node delays
//!    included) divided by the way's peak factor.
//! 3. Only the largest strongly connected component is kept.
//! 4. Nodes are renumbered in Hilbert-curve order of their position, so that nodes close on
//!    the map are close in memory (this makes searches markedly more cache friendly), and
//!    edges are sorted by `(from, to)`. Every step is deterministic.

use rayon::prelude::*;

use super::hilbert::hilbert_index;
use super::scc::strongly_connected_components;
use super::{BuildStats, GraphMeta, NO_TIME, RoadGraph};
use crate::geodesy::haversine_m;
use crate::ingest::profile::{CarProfile, Direction, Period};
use crate::ingest::{FERRY_CLASS, RawNetwork, RawWay};

/// Errors from turning ways into a graph.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("no drivable road remains after splitting ways ({reason})")]
    Empty { reason: String },
    #[error("the graph is too large for 32-bit ids: {what}")]
    TooLarge { what: String },
}

#[derive(Clone, Copy)]
enum End {
    Node(u32),
    Fresh(u32),
}

struct Piece {
    from: End,
    to: End,
    length_m: f64,
    fw_ms: u32,
    bw_ms: u32,
    class: u8,
    peak_factor: f32,
    /// Index of the way in `RawNetwork::ways`.
    way: u32,
    shape_start: usize,
    shape_end: usize,
}

#[derive(Default)]
struct Chunk {
    pieces: Vec<Piece>,
    shape: Vec<(i32, i32)>,
    fresh: Vec<(i32, i32)>,
}

fn lonlat(raw: &RawNetwork, idx: u32) -> (f64, f64) {
    (
        raw.node_lon_e7[idx as usize] as f64 * 1e-7,
        raw.node_lat_e7[idx as usize] as f64 * 1e-7,
    )
}

fn time_ms(length_m: f64, speed_kmh: f64) -> u32 {
    let s = length_m / (speed_kmh / 3.6);
    ((s * 1000.0).round() as u32).max(1)
}

/// Builds the graph. `meta` is filled in with counts and the bounding box.
pub fn build_graph(
    raw: &RawNetwork,
    profile: &CarProfile,
    mut meta: GraphMeta,
) -> Result<RoadGraph, BuildError> {
    let mut stats = BuildStats {
        ingest: raw.stats.clone(),
        ..Default::default()
    };
    // 1. Which way nodes become graph nodes.
    let mut nodes = graph_nodes(raw);
    // 2. Cut ways into pieces, in parallel over chunks of ways.
    let chunks = cut_ways(raw, profile, &nodes.index);
    let mut edges = collect_edges(&chunks, &mut nodes, &mut stats)?;
    add_node_delays(
        profile,
        &nodes.delay_ms,
        &edges.from,
        &edges.to,
        &edges.class,
        &mut edges.fw_ms,
        &mut edges.bw_ms,
    );
    edges.time_peak();
    let g = edges.graph(&nodes);
    // 3. Largest strongly connected component.
    let keep = largest_component(&g, &mut stats);
    // 4. Hilbert renumbering of the kept nodes.
    let order = HilbertOrder::of(&g, &keep);
    let mut out = renumbered(&g, &keep, &order, &edges, &chunks, raw, &mut stats)?;
    out.rebuild_adjacency();
    stats.nodes = out.node_count() as u64;
    stats.edges = out.edge_count() as u64;
    stats.arcs = out.fwd.arcs.len() as u64;
    stats.road_km = (stats.road_km * 1000.0).round() / 1000.0;
    let [min_lon, min_lat, max_lon, max_lat] = order.bbox_e7;
    meta.bbox = [
        min_lon as f64 * 1e-7,
        min_lat as f64 * 1e-7,
        max_lon as f64 * 1e-7,
        max_lat as f64 * 1e-7,
    ];
    meta.profile_name = profile.name.clone();
    meta.profile_hash = format!("{:016x}", profile.hash());
    meta.class_names = profile.class_names();
    meta.periods = Period::ALL.to_vec();
    meta.header_bbox = raw.header_bbox;
    meta.stats = stats;
    out.meta = meta;
    Ok(out)
}

/// The graph nodes: way nodes used by two ways or more, way ends and the neighbours of
/// missing nodes (not barriers); barrier nodes cut fresh ones later.
struct GraphNodes {
    /// Graph node of each way node, `u32::MAX` if none.
    index: Vec<u32>,
    /// `(lat, lon)` in 1e-7 degrees.
    coords: Vec<(i32, i32)>,
    /// The delay of the tagged node a graph node stands for (signals at a junction).
    delay_ms: Vec<u32>,
}

fn graph_nodes(raw: &RawNetwork) -> GraphNodes {
    let n_raw = raw.node_ids.len();
    let mut uses = vec![0u8; n_raw];
    let mut forced = vec![false; n_raw];
    for way in &raw.ways {
        let refs = &raw.refs[way.refs_start as usize..way.refs_end as usize];
        for (pos, &r) in refs.iter().enumerate() {
            if r == u32::MAX || !raw.node_present(r) {
                if pos > 0 && refs[pos - 1] != u32::MAX {
                    forced[refs[pos - 1] as usize] = true;
                }
                if pos + 1 < refs.len() && refs[pos + 1] != u32::MAX {
                    forced[refs[pos + 1] as usize] = true;
                }
                continue;
            }
            uses[r as usize] = uses[r as usize].saturating_add(1);
        }
        for end in [refs[0], refs[refs.len() - 1]] {
            if end != u32::MAX {
                forced[end as usize] = true;
            }
        }
    }
    let mut nodes = GraphNodes {
        index: vec![u32::MAX; n_raw],
        coords: Vec::new(),
        delay_ms: Vec::new(),
    };
    for i in 0..n_raw {
        if raw.node_present(i as u32) && !raw.node_blocks[i] && (uses[i] >= 2 || forced[i]) {
            nodes.index[i] = nodes.coords.len() as u32;
            nodes.coords.push((raw.node_lat_e7[i], raw.node_lon_e7[i]));
            nodes
                .delay_ms
                .push(raw.node_delay_ms.get(i).copied().unwrap_or(0));
        }
    }
    nodes
}

/// Every way cut into pieces between graph nodes, in parallel over chunks of 4,096 ways;
/// fresh (barrier) nodes are numbered per chunk and made global in chunk order.
fn cut_ways(raw: &RawNetwork, profile: &CarProfile, graph_index: &[u32]) -> Vec<Chunk> {
    raw.ways
        .par_chunks(4096)
        .enumerate()
        .map(|(ci, ways)| {
            let mut chunk = Chunk::default();
            for (wi, way) in ways.iter().enumerate() {
                cut_way(
                    raw,
                    profile,
                    way,
                    (ci * 4096 + wi) as u32,
                    graph_index,
                    &mut chunk,
                );
            }
            chunk
        })
        .collect()
}

/// The pieces as edges, in chunk order, before the component and the renumbering.
#[derive(Default)]
struct Edges {
    from: Vec<u32>,
    to: Vec<u32>,
    length_m: Vec<f32>,
    fw_ms: Vec<u32>,
    bw_ms: Vec<u32>,
    class: Vec<u8>,
    /// The peak period's speed factor of each edge's way.
    peak_factor: Vec<f32>,
    /// The peak period's times, filled after the node delays ([`Edges::time_peak`]).
    peak_fw_ms: Vec<u32>,
    peak_bw_ms: Vec<u32>,
    raw_way: Vec<u32>,
    /// The shape of each edge: (chunk, start, end) in the chunk's shape points.
    shape: Vec<(usize, usize, usize)>,
}

impl Edges {
    /// The peak period's times: each edge's free time (node delays included: queues at
    /// junctions and signals are where rush hour is lost in towns) divided by its way's
    /// peak factor. A factor of 1 gives exactly the free time.
    fn time_peak(&mut self) {
        let scale = |t: u32, f: f32| {
            if t == NO_TIME {
                NO_TIME
            } else if f == 1.0 {
                t
            } else {
                ((t as f64 / f as f64).round() as u32).clamp(1, NO_TIME - 1)
            }
        };
        let factors = &self.peak_factor;
        self.peak_fw_ms = self
            .fw_ms
            .iter()
            .zip(factors)
            .map(|(&t, &f)| scale(t, f))
            .collect();
        self.peak_bw_ms = self
            .bw_ms
            .iter()
            .zip(factors)
            .map(|(&t, &f)| scale(t, f))
            .collect();
    }

    /// A road graph of these edges over the nodes (adjacency built).
    fn graph(&self, nodes: &GraphNodes) -> RoadGraph {
        let mut g = RoadGraph {
            node_lat_e7: nodes.coords.iter().map(|c| c.0).collect(),
            node_lon_e7: nodes.coords.iter().map(|c| c.1).collect(),
            edge_from: self.from.clone(),
            edge_to: self.to.clone(),
            edge_length_m: self.length_m.clone(),
            edge_time_fw_ms: self.fw_ms.clone(),
            edge_time_bw_ms: self.bw_ms.clone(),
            edge_class: self.class.clone(),
            ..Default::default()
        };
        g.rebuild_adjacency();
        g
    }
}

/// The chunks' pieces as edges (self-loops dropped, fresh nodes appended to `nodes`),
/// checked against the graph's size limits.
fn collect_edges(
    chunks: &[Chunk],
    nodes: &mut GraphNodes,
    stats: &mut BuildStats,
) -> Result<Edges, BuildError> {
    let mut edges = Edges::default();
    for (ci, chunk) in chunks.iter().enumerate() {
        let fresh_base = nodes.coords.len() as u32;
        nodes.coords.extend_from_slice(&chunk.fresh);
        nodes.delay_ms.resize(nodes.coords.len(), 0);
        let resolve = |e: End| match e {
            End::Node(i) => i,
            End::Fresh(i) => fresh_base + i,
        };
        for p in &chunk.pieces {
            let (u, v) = (resolve(p.from), resolve(p.to));
            if u == v {
                stats.self_loops_dropped += 1;
                continue;
            }
            edges.from.push(u);
            edges.to.push(v);
            edges.length_m.push(p.length_m as f32);
            edges.fw_ms.push(p.fw_ms);
            edges.bw_ms.push(p.bw_ms);
            edges.class.push(p.class);
            edges.peak_factor.push(p.peak_factor);
            edges.raw_way.push(p.way);
            edges.shape.push((ci, p.shape_start, p.shape_end));
        }
    }
    if nodes.coords.len() >= u32::MAX as usize / 2 || edges.from.len() >= (u32::MAX >> 1) as usize {
        return Err(BuildError::TooLarge {
            what: format!("{} nodes, {} edges", nodes.coords.len(), edges.from.len()),
        });
    }
    if edges.from.is_empty() {
        return Err(BuildError::Empty {
            reason: "every way lacked node coordinates or formed a loop".into(),
        });
    }
    Ok(edges)
}

/// Which nodes lie in the largest strongly connected component (ties to the lowest
/// component number).
fn largest_component(g: &RoadGraph, stats: &mut BuildStats) -> Vec<bool> {
    let (comp, sizes) = strongly_connected_components(&g.fwd, &g.rev);
    let largest = sizes
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))
        .map(|(i, _)| i as u32)
        .unwrap_or(0);
    stats.components_dropped = sizes.len().saturating_sub(1) as u64;
    let keep: Vec<bool> = comp.iter().map(|&c| c == largest).collect();
    stats.nodes_dropped = keep.iter().filter(|k| !**k).count() as u64;
    keep
}

/// The kept nodes in Hilbert order of their coordinates.
struct HilbertOrder {
    /// `(key, old node)` by new number.
    keyed: Vec<(u64, u32)>,
    /// New number of each old node, `u32::MAX` if dropped.
    new_id: Vec<u32>,
    /// `[min_lon, min_lat, max_lon, max_lat]` of the kept nodes, 1e-7 degrees.
    bbox_e7: [i32; 4],
}

impl HilbertOrder {
    fn of(g: &RoadGraph, keep: &[bool]) -> Self {
        let kept: Vec<u32> = (0..g.node_count() as u32)
            .filter(|&v| keep[v as usize])
            .collect();
        let (mut min_lat, mut min_lon, mut max_lat, mut max_lon) =
            (i32::MAX, i32::MAX, i32::MIN, i32::MIN);
        for &v in &kept {
            min_lat = min_lat.min(g.node_lat_e7[v as usize]);
            max_lat = max_lat.max(g.node_lat_e7[v as usize]);
            min_lon = min_lon.min(g.node_lon_e7[v as usize]);
            max_lon = max_lon.max(g.node_lon_e7[v as usize]);
        }
        let span_lat = (max_lat as i64 - min_lat as i64).max(1) as f64;
        let span_lon = (max_lon as i64 - min_lon as i64).max(1) as f64;
        let mut keyed: Vec<(u64, u32)> = kept
            .par_iter()
            .map(|&v| {
                let x = ((g.node_lon_e7[v as usize] as i64 - min_lon as i64) as f64 / span_lon
                    * 65535.0) as u32;
                let y = ((g.node_lat_e7[v as usize] as i64 - min_lat as i64) as f64 / span_lat
                    * 65535.0) as u32;
                (hilbert_index(x, y), v)
            })
            .collect();
        keyed.par_sort_unstable();
        let mut new_id = vec![u32::MAX; g.node_count()];
        for (i, &(_, v)) in keyed.iter().enumerate() {
            new_id[v as usize] = i as u32;
        }
        HilbertOrder {
            keyed,
            new_id,
            bbox_e7: [min_lon, min_lat, max_lon, max_lat],
        }
    }
}

/// The kept part of `g` in the new numbering: nodes in Hilbert order, edges sorted by their
/// new ends (stable: ties keep way order), with their shapes and OSM way ids.
fn renumbered(
    g: &RoadGraph,
    keep: &[bool],
    order: &HilbertOrder,
    edges: &Edges,
    chunks: &[Chunk],
    raw: &RawNetwork,
    stats: &mut BuildStats,
) -> Result<RoadGraph, BuildError> {
    let new_id = &order.new_id;
    let mut out = RoadGraph {
        node_lat_e7: order
            .keyed
            .iter()
            .map(|&(_, v)| g.node_lat_e7[v as usize])
            .collect(),
        node_lon_e7: order
            .keyed
            .iter()
            .map(|&(_, v)| g.node_lon_e7[v as usize])
            .collect(),
        ..Default::default()
    };
    let mut kept: Vec<u32> = (0..g.edge_count() as u32)
        .filter(|&e| keep[g.edge_from[e as usize] as usize] && keep[g.edge_to[e as usize] as usize])
        .collect();
    stats.edges_dropped = (g.edge_count() - kept.len()) as u64;
    kept.sort_by_key(|&e| {
        (
            new_id[g.edge_from[e as usize] as usize],
            new_id[g.edge_to[e as usize] as usize],
        )
    });
    out.edge_shape_first.push(0);
    // OSM way ids of the edges, as a sorted table plus an index per edge.
    let mut used_ways: Vec<u32> = kept.iter().map(|&e| edges.raw_way[e as usize]).collect();
    used_ways.sort_unstable();
    used_ways.dedup();
    out.way_osm_id = used_ways
        .iter()
        .map(|&w| raw.ways[w as usize].osm_id)
        .collect();
    for &e in &kept {
        let e = e as usize;
        out.edge_from.push(new_id[g.edge_from[e] as usize]);
        out.edge_to.push(new_id[g.edge_to[e] as usize]);
        out.edge_length_m.push(g.edge_length_m[e]);
        out.edge_time_fw_ms.push(g.edge_time_fw_ms[e]);
        out.edge_time_bw_ms.push(g.edge_time_bw_ms[e]);
        out.peak_time_fw_ms.push(edges.peak_fw_ms[e]);
        out.peak_time_bw_ms.push(edges.peak_bw_ms[e]);
        out.edge_class.push(g.edge_class[e]);
        out.edge_way.push(
            used_ways
                .binary_search(&edges.raw_way[e])
                .map(|i| i as u32)
                .unwrap_or(u32::MAX),
        );
        let (ci, a, b) = edges.shape[e];
        for &(lat, lon) in &chunks[ci].shape[a..b] {
            out.shape_lat_e7.push(lat);
            out.shape_lon_e7.push(lon);
        }
        out.edge_shape_first.push(out.shape_lat_e7.len() as u32);
        if g.edge_class[e] == FERRY_CLASS {
            stats.ferry_edges += 1;
        } else {
            stats.road_km += g.edge_length_m[e] as f64 / 1000.0;
        }
    }
    if out.edge_from.is_empty() {
        return Err(BuildError::Empty {
            reason: "the largest strongly connected piece has no edges".into(),
        });
    }
    Ok(out)
}

/// Cuts one way into pieces between graph nodes and appends them to `chunk`.
fn cut_way(
    raw: &RawNetwork,
    profile: &CarProfile,
    way: &RawWay,
    way_index: u32,
    graph_index: &[u32],
    chunk: &mut Chunk,
) {
    let refs = &raw.refs[way.refs_start as usize..way.refs_end as usize];
    let is_ferry = way.class == FERRY_CLASS;
    // Ferries: the tagged duration is shared out over the pieces by length.
    let ferry_total_m: f64 = if is_ferry {
        refs.windows(2)
            .filter(|w| w.iter().all(|&r| r != u32::MAX && raw.node_present(r)))
            .map(|w| {
                let (a, b) = (lonlat(raw, w[0]), lonlat(raw, w[1]));
                haversine_m(a.0, a.1, b.0, b.1)
            })
            .sum()
    } else {
        0.0
    };
    let piece_time = |length_m: f64| -> u32 {
        if is_ferry {
            let crossing_s = match way.ferry_duration_s {
                Some(d) if ferry_total_m > 0.0 => d as f64 * length_m / ferry_total_m,
                _ => length_m / (profile.ferry_speed_kmh / 3.6),
            };
            let boarding_s = if ferry_total_m > 0.0 {
                profile.ferry_boarding_s * length_m / ferry_total_m
            } else {
                profile.ferry_boarding_s
            };
            (((crossing_s + boarding_s) * 1000.0).round() as u32).max(1)
        } else {
            time_ms(length_m, way.speed_kmh as f64)
        }
    };

    let mut start: Option<End> = None;
    let mut length_m = 0.0;
    let mut delay_ms = 0u32;
    let mut shape_start = chunk.shape.len();
    let mut prev: Option<(f64, f64)> = None;
    let emit = |chunk: &mut Chunk,
                from: End,
                to: End,
                length_m: f64,
                delay_ms: u32,
                shape_start: usize| {
        // Ferries wait at their terminals, not at signals.
        let delay_ms = if is_ferry { 0 } else { delay_ms };
        let t = piece_time(length_m).saturating_add(delay_ms);
        let (fw, bw) = match way.direction {
            Direction::Both => (t, t),
            Direction::Forward => (t, NO_TIME),
            Direction::Backward => (NO_TIME, t),
        };
        let shape_end = chunk.shape.len();
        chunk.pieces.push(Piece {
            from,
            to,
            length_m,
            fw_ms: fw,
            bw_ms: bw,
            class: way.class,
            peak_factor: way.peak_factor,
            way: way_index,
            shape_start,
            shape_end,
        });
    };
    let last = refs.len() - 1;
    for (pos, &r) in refs.iter().enumerate() {
        if r == u32::MAX || !raw.node_present(r) {
            // The piece in progress cannot be completed: drop it.
            if start.is_some() {
                chunk.shape.truncate(shape_start);
            }
            start = None;
            prev = None;
            continue;
        }
        let here = lonlat(raw, r);
        if let Some(p) = prev {
            length_m += haversine_m(p.0, p.1, here.0, here.1);
        }
        prev = Some(here);
        let coord = (raw.node_lat_e7[r as usize], raw.node_lon_e7[r as usize]);
        let fresh = |chunk: &mut Chunk| {
            chunk.fresh.push(coord);
            End::Fresh(chunk.fresh.len() as u32 - 1)
        };
        let (arrive, depart) = if raw.node_blocks[r as usize] {
            // A barrier: each side ends at a node of its own, so nothing passes through.
            let a = start.map(|_| fresh(chunk));
            let d = (pos < last).then(|| fresh(chunk));
            (a, d)
        } else if graph_index[r as usize] != u32::MAX {
            let n = End::Node(graph_index[r as usize]);
            (Some(n), Some(n))
        } else {
            // A shape point.
            if start.is_some() {
                chunk.shape.push(coord);
                delay_ms = delay_ms
                    .saturating_add(raw.node_delay_ms.get(r as usize).copied().unwrap_or(0));
            }
            continue;
        };
        if let (Some(s), Some(a)) = (start, arrive) {
            emit(chunk, s, a, length_m, delay_ms, shape_start);
        }
        start = depart;
        length_m = 0.0;
        delay_ms = 0;
        shape_start = chunk.shape.len();
    }
    if start.is_some() {
        // A way never ends on a shape point (ends are graph nodes), but stay safe.
        chunk.shape.truncate(shape_start);
    }
}

/// Adds the time lost at the graph nodes to the edges that meet there: at a junction (three or
/// more pieces) the profile's junction delay, at a tagged node its own delay (signals at a
/// crossroads), half to each piece on either side, so that a route through the node pays the
/// whole delay once (a route that starts or ends there pays half). Ferries get none.
fn add_node_delays(
    profile: &CarProfile,
    node_delay: &[u32],
    from: &[u32],
    to: &[u32],
    class: &[u8],
    fw: &mut [u32],
    bw: &mut [u32],
) {
    let mut degree = vec![0u32; node_delay.len()];
    for (&u, &v) in from.iter().zip(to) {
        degree[u as usize] += 1;
        degree[v as usize] += 1;
    }
    let junction_ms = (profile.junction_delay_s * 1000.0).round() as u32;
    let half = |x: u32| -> u32 {
        let j = if degree[x as usize] >= 3 {
            junction_ms
        } else {
            0
        };
        (j + node_delay[x as usize]) / 2
    };
    for e in 0..from.len() {
        if class[e] == FERRY_CLASS {
            continue;
        }
        let extra = half(from[e]) + half(to[e]);
        for t in [&mut fw[e], &mut bw[e]] {
            if *t != NO_TIME {
                *t = t.saturating_add(extra).min(NO_TIME - 1);
            }
        }
    }
}
