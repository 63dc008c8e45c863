//! Travel times on the road graph: snapped points, bounded multi-source searches, routes,
//! matrices and isochrones.
//!
//! A point is never routed from a node it is not at: a snapped point enters the graph part
//! way along its edge, paying the partial edge time to each end the edge's directions allow,
//! plus its straight-line access leg (see [`crate::spatial`]).

pub mod ch;
pub mod isochrone;
pub mod matrix;
pub mod search;

use crate::graph::{ARC_BACKWARD, RoadGraph};
use crate::spatial::{Snap, SnapError, SnapIndex, SnapOptions};
pub use isochrone::Isochrone;
pub use matrix::Reached;
pub use search::{Direction, Seed, Workspace};

/// Times by node after a search: what [`Workspace`] and [`ch::AllTimes`] both answer.
pub trait Times {
    /// The time from or to the nearest source, if the node was reached.
    fn time_ms(&self, v: u32) -> Option<u32>;
    /// The source of that time.
    fn source_of(&self, v: u32) -> Option<u32>;
}

impl Times for Workspace {
    #[inline]
    fn time_ms(&self, v: u32) -> Option<u32> {
        Workspace::time_ms(self, v)
    }

    #[inline]
    fn source_of(&self, v: u32) -> Option<u32> {
        Workspace::source_of(self, v)
    }
}

/// The times of a one-to-all search, whichever way it ran.
pub enum Searched<'a> {
    Dijkstra(&'a Workspace),
    Phast(ch::AllTimes<'a>),
}

impl Times for Searched<'_> {
    #[inline]
    fn time_ms(&self, v: u32) -> Option<u32> {
        match self {
            Searched::Dijkstra(ws) => ws.time_ms(v),
            Searched::Phast(all) => all.time_ms(v),
        }
    }

    #[inline]
    fn source_of(&self, v: u32) -> Option<u32> {
        match self {
            Searched::Dijkstra(ws) => ws.source_of(v),
            Searched::Phast(all) => all.source_of(v),
        }
    }
}

impl Engine {
    /// Times from the seeds to every node (`From`) or from every node to the seeds (`To`):
    /// PHAST on the graph's contraction hierarchy if it has one, else a Dijkstra over the
    /// whole graph.
    pub fn one_to_all<'a>(
        &'a self,
        ws: &'a mut Workspace,
        seeds: &[Seed],
        dir: Direction,
    ) -> Searched<'a> {
        match &self.graph.hierarchy {
            Some(h) => {
                ws.phast.run(h, seeds, dir);
                Searched::Phast(ws.phast.view(h))
            }
            None => {
                ws.run(&self.graph, seeds, u32::MAX, dir);
                Searched::Dijkstra(ws)
            }
        }
    }
}

/// Errors from routing queries.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RoutingError {
    #[error("{which}: {error}")]
    Snap { which: String, error: SnapError },
    #[error("no route by car from {from} to {to} (one of them is cut off, e.g. by oneway streets)")]
    NoRoute { from: String, to: String },
}

/// A loaded graph with its snapping index: what every query needs. The graph holds the times
/// of one period ([`RoadGraph::period`]); [`Engine::peak`] makes the engine of the peak.
pub struct Engine {
    pub graph: RoadGraph,
    /// Shared between the engines of one graph's periods: snapping depends on geometry only.
    pub index: std::sync::Arc<SnapIndex>,
}

/// A route between two points.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    pub time_ms: u32,
    pub length_m: f64,
    pub from: Snap,
    pub to: Snap,
    /// The path from the start point to the end point, `(lon, lat)` degrees, including both
    /// access legs.
    pub path: Vec<(f64, f64)>,
}

impl Engine {
    /// Builds the snapping index with default options for the graph's profile.
    pub fn new(graph: RoadGraph) -> Self {
        let options = SnapOptions::for_graph(&graph);
        Self::with_options(graph, options)
    }

    pub fn with_options(graph: RoadGraph, options: SnapOptions) -> Self {
        let index = std::sync::Arc::new(SnapIndex::build(&graph, options));
        Engine { graph, index }
    }

    /// The engine of the peak period over the same roads and snap index, if the graph holds
    /// peak times.
    pub fn peak(&self) -> Option<Engine> {
        self.graph.peak_graph().map(|graph| Engine {
            graph,
            index: self.index.clone(),
        })
    }

    /// An engine from a graph and the snap index built over it (when the index is built
    /// beside other work).
    pub fn from_parts(graph: RoadGraph, index: SnapIndex) -> Self {
        Engine {
            graph,
            index: std::sync::Arc::new(index),
        }
    }

    pub fn snap(&self, lon: f64, lat: f64) -> Result<Snap, SnapError> {
        self.index.snap(lon, lat)
    }

    /// The search seeds of a snapped point for a search in direction `dir`.
    ///
    /// `From`: the point is where travel starts, so the seeds are the edge ends reachable from it.
    /// `To`: the point is where travel ends, so the seeds are the edge ends it can be reached from.
    pub fn seeds(&self, snap: &Snap, source: u32, dir: Direction) -> Vec<Seed> {
        let ends = snap.ends(&self.graph);
        let (via_from, via_to) = match dir {
            Direction::From => (ends.leave_to_from_ms, ends.leave_to_to_ms),
            Direction::To => (ends.arrive_from_from_ms, ends.arrive_from_to_ms),
        };
        let mut out = Vec::with_capacity(2);
        if let Some(t) = via_from {
            out.push(Seed {
                node: ends.from_node,
                offset_ms: t.saturating_add(snap.access_ms),
                source,
            });
        }
        if let Some(t) = via_to {
            out.push(Seed {
                node: ends.to_node,
                offset_ms: t.saturating_add(snap.access_ms),
                source,
            });
        }
        out
    }

    /// After a search in direction `dir`, the time at a snapped point (its own access leg
    /// included) and the source it belongs to. Does not consider a source on the same edge;
    /// see [`Snap::same_edge_ms`] for that.
    pub fn time_at(&self, ws: &impl Times, snap: &Snap, dir: Direction) -> Option<(u32, u32)> {
        let ends = snap.ends(&self.graph);
        // The target side uses the partials opposite to the seed side.
        let (via_from, via_to) = match dir {
            Direction::From => (ends.arrive_from_from_ms, ends.arrive_from_to_ms),
            Direction::To => (ends.leave_to_from_ms, ends.leave_to_to_ms),
        };
        let mut best: Option<(u32, u32)> = None;
        for (node, part) in [(ends.from_node, via_from), (ends.to_node, via_to)] {
            let (Some(part), Some(t)) = (part, ws.time_ms(node)) else {
                continue;
            };
            let total = t.saturating_add(part).saturating_add(snap.access_ms);
            let src = ws.source_of(node).unwrap_or(0);
            if best.is_none_or(|b| (total, src) < b) {
                best = Some((total, src));
            }
        }
        best
    }

    /// The fastest route by car from one point to another, with its path.
    pub fn route(
        &self,
        ws: &mut Workspace,
        from: (f64, f64),
        to: (f64, f64),
    ) -> Result<Route, RoutingError> {
        let label = |p: (f64, f64)| format!("{:.6},{:.6}", p.0, p.1);
        let a = self
            .snap(from.0, from.1)
            .map_err(|source| RoutingError::Snap {
                which: "from".into(),
                error: source,
            })?;
        let b = self.snap(to.0, to.1).map_err(|source| RoutingError::Snap {
            which: "to".into(),
            error: source,
        })?;
        let g = &self.graph;
        let seeds = self.seeds(&a, 0, Direction::From);
        let ends_b = b.ends(g);
        let targets = [
            (ends_b.from_node, ends_b.arrive_from_from_ms),
            (ends_b.to_node, ends_b.arrive_from_to_ms),
        ];
        // Best so far: (time, Some(node) via the graph, None = along the shared edge).
        let mut best: Option<(u32, Option<u32>)> = a
            .same_edge_ms(&b, g)
            .map(|t| (t + a.access_ms + b.access_ms, None));
        ws.run_with(g, &seeds, u32::MAX, Direction::From, |v, d| {
            if best.is_some_and(|(t, _)| d >= t) {
                return false;
            }
            for (node, part) in targets {
                if node == v
                    && let Some(part) = part
                {
                    let total = d.saturating_add(part).saturating_add(b.access_ms);
                    if best.is_none_or(|(t, _)| total < t) {
                        best = Some((total, Some(v)));
                    }
                }
            }
            true
        });
        let Some((time_ms, via)) = best else {
            return Err(RoutingError::NoRoute {
                from: label(from),
                to: label(to),
            });
        };
        let mut path = vec![from, (a.lon, a.lat)];
        let mut length_m = a.distance_m + b.distance_m;
        match via {
            None => {
                path.extend(edge_part(g, a.edge, a.fraction, b.fraction));
                length_m += a.same_edge_m(&b, g);
            }
            Some(last) => {
                let (part, part_m) = self.path_via(ws, &a, &b, last);
                path.extend(part);
                length_m += part_m;
            }
        }
        path.push((b.lon, b.lat));
        path.push(to);
        path.dedup();
        Ok(Route {
            time_ms,
            length_m,
            from: a,
            to: b,
            path,
        })
    }

    /// The route's path from `a` through the graph to the node `last` the search reached `b`
    /// by, and on to `b` (the access legs left out), with its length in metres: the
    /// search's parent arcs followed back from `last`.
    fn path_via(&self, ws: &Workspace, a: &Snap, b: &Snap, last: u32) -> (Vec<(f64, f64)>, f64) {
        let g = &self.graph;
        let ends_b = b.ends(g);
        let mut path = Vec::new();
        let mut length_m = 0.0;
        // Arcs from the seed to `last`, in travel order.
        let mut arcs = Vec::new();
        let mut v = last;
        loop {
            let arc = ws.parent_arc(v);
            if arc == search::NO_PARENT {
                break;
            }
            arcs.push(arc);
            v = arc_tail(&g.fwd, arc);
        }
        arcs.reverse();
        let first_node = v;
        let ends_a = a.ends(g);
        let start_t = if first_node == ends_a.to_node && ends_a.leave_to_to_ms.is_some() {
            1.0
        } else {
            0.0
        };
        path.extend(edge_part(g, a.edge, a.fraction, start_t));
        length_m += (start_t - a.fraction).abs() * g.edge_length_m[a.edge as usize] as f64;
        for arc in arcs {
            let tagged = g.fwd.arc_edge[arc as usize];
            let e = tagged & !ARC_BACKWARD;
            let (t0, t1) = if tagged & ARC_BACKWARD != 0 {
                (1.0, 0.0)
            } else {
                (0.0, 1.0)
            };
            path.extend(edge_part(g, e, t0, t1));
            length_m += g.edge_length_m[e as usize] as f64;
        }
        let end_t = if last == ends_b.to_node { 1.0 } else { 0.0 };
        path.extend(edge_part(g, b.edge, end_t, b.fraction));
        length_m += (end_t - b.fraction).abs() * g.edge_length_m[b.edge as usize] as f64;
        (path, length_m)
    }
}

/// The tail node of arc `arc` in `csr` (binary search over the row offsets).
pub fn arc_tail(csr: &crate::graph::Csr, arc: u32) -> u32 {
    (csr.first.partition_point(|&f| f <= arc) - 1) as u32
}

/// Points of edge `e` between positions `t0` and `t1` (shares of its length from `from`),
/// in the order t0 → t1, both ends interpolated.
pub fn edge_part(g: &RoadGraph, e: u32, t0: f64, t1: f64) -> Vec<(f64, f64)> {
    let pts = g.edge_polyline(e);
    let cum: Vec<f64> = std::iter::once(0.0)
        .chain(pts.windows(2).scan(0.0, |acc, w| {
            *acc += crate::geodesy::haversine_m(w[0].0, w[0].1, w[1].0, w[1].1);
            Some(*acc)
        }))
        .collect();
    let total = cum.last().copied().unwrap_or(0.0);
    let at = |t: f64| -> (f64, f64) {
        if total <= 0.0 {
            return pts[0];
        }
        let d = t.clamp(0.0, 1.0) * total;
        let i = cum.partition_point(|&c| c < d).clamp(1, pts.len() - 1);
        let seg = cum[i] - cum[i - 1];
        let f = if seg > 0.0 {
            (d - cum[i - 1]) / seg
        } else {
            0.0
        };
        (
            pts[i - 1].0 + f * (pts[i].0 - pts[i - 1].0),
            pts[i - 1].1 + f * (pts[i].1 - pts[i - 1].1),
        )
    };
    let (lo, hi) = (t0.min(t1), t0.max(t1));
    let mut out = vec![at(lo)];
    for (i, &c) in cum.iter().enumerate() {
        if total > 0.0 && c > lo * total && c < hi * total {
            out.push(pts[i]);
        }
    }
    out.push(at(hi));
    if t0 > t1 {
        out.reverse();
    }
    out
}
