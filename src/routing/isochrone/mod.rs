//! Isochrones: the road network reachable within a time budget, and a polygon around it.
//!
//! **Reached roads.** After a bounded search every settled node `u` with time `d(u)` reaches
//! along each of its arcs a share `min(1, (budget − d(u)) / time(arc))` of the edge from its
//! own end, so partly reached edges are cut where the budget runs out (linear in time along
//! the edge). The edges the sources themselves lie on are covered from the snapped position.
//! Intervals on the same edge are merged. This part is exact on the graph.
//!
//! **Polygon.** The reached roads are sampled every half cell and rasterised onto a square
//! grid (`cell_m`, default 200 m) in a local equirectangular projection; the occupied cells are
//! dilated by one cell (8-neighbourhood) so that the space between nearby reached roads is
//! filled, and the union of the cells is the polygon, traced directly as the outline of the
//! cell set ([`cells::cells_outline`], in `cells.rs`). Its error: every
//! reached road point lies inside the polygon; the boundary lies at most `2·√2·cell_m`
//! (≈ 570 m at 200 m cells) outside the reached roads, and areas without roads (fields, water)
//! within that distance count as inside. Areas farther than that from any reached road are
//! outside, so islands and gaps show as separate parts. Ferry edges are listed among the
//! reached roads but not rasterised: nobody gets off mid-crossing.

mod cells;

use geo::MultiPolygon;

use cells::rasterize;

use super::{Direction, Engine, Workspace, edge_part};
use crate::graph::{ARC_BACKWARD, NO_TIME};
use crate::spatial::Snap;

/// An isochrone: reached roads and the area around them.
///
/// The reached roads are held compactly, so that a country-wide isochrone costs a bit per
/// edge plus its frontier: the edges reached whole as a bitset, the parts of edges reached
/// partly as share intervals. Their polylines are made on demand ([`Isochrone::roads`]).
#[derive(Debug, Clone)]
pub struct Isochrone {
    pub budget_ms: u32,
    pub direction: Direction,
    /// Edges reached whole, one bit per edge.
    full: Vec<u64>,
    /// `(edge, from share, to share)` of edges reached partly: sorted, merged, none of them
    /// on an edge reached whole.
    partial: Vec<(u32, f64, f64)>,
    /// Exterior rings counter-clockwise (RFC 7946).
    pub polygon: MultiPolygon<f64>,
    pub cell_m: f64,
}

/// Reached parts of edges while the isochrone is built.
struct Reach {
    full: Vec<u64>,
    partial: Vec<(u32, f64, f64)>,
}

impl Reach {
    fn is_full(&self, e: u32) -> bool {
        self.full[(e / 64) as usize] & (1 << (e % 64)) != 0
    }

    fn add(&mut self, e: u32, a: f64, b: f64) {
        let (a, b) = (a.clamp(0.0, 1.0), b.clamp(0.0, 1.0));
        if a <= 0.0 && b >= 1.0 {
            self.full[(e / 64) as usize] |= 1 << (e % 64);
        } else if b > a && !self.is_full(e) {
            self.partial.push((e, a, b));
        }
    }

    /// Sorts and merges the partial intervals; an edge covered whole by them becomes full.
    fn finish(mut self) -> (Vec<u64>, Vec<(u32, f64, f64)>) {
        self.partial
            .sort_unstable_by(|x, y| x.0.cmp(&y.0).then(x.1.total_cmp(&y.1)));
        let mut merged: Vec<(u32, f64, f64)> = Vec::with_capacity(self.partial.len());
        for &(e, a, b) in &self.partial {
            if self.is_full(e) {
                continue;
            }
            match merged.last_mut() {
                Some(last) if last.0 == e && a <= last.2 + 1e-9 => last.2 = last.2.max(b),
                _ => merged.push((e, a, b)),
            }
        }
        let mut out = Vec::with_capacity(merged.len());
        for (e, a, b) in merged {
            if a <= 1e-9 && b >= 1.0 - 1e-9 {
                self.full[(e / 64) as usize] |= 1 << (e % 64);
            } else {
                out.push((e, a, b));
            }
        }
        out.retain(|&(e, _, _)| !self.is_full(e));
        (self.full, out)
    }
}

/// The reached pieces `(edge, from share, to share)` in edge order.
fn pieces<'a>(
    full: &'a [u64],
    partial: &'a [(u32, f64, f64)],
    edges: usize,
) -> impl Iterator<Item = (u32, f64, f64)> + 'a {
    let mut next_partial = 0usize;
    (0..edges as u32).flat_map(move |e| {
        let whole = (full[(e / 64) as usize] & (1 << (e % 64)) != 0).then_some((e, 0.0, 1.0));
        let start = next_partial;
        while next_partial < partial.len() && partial[next_partial].0 == e {
            next_partial += 1;
        }
        whole
            .into_iter()
            .chain(partial[start..next_partial].iter().copied())
    })
}

impl Isochrone {
    /// The reached road pieces `(edge, from share, to share)`, in edge order.
    pub fn pieces(&self) -> impl Iterator<Item = (u32, f64, f64)> + '_ {
        pieces(&self.full, &self.partial, self.full.len() * 64)
    }

    /// The number of reached road pieces.
    pub fn road_count(&self) -> usize {
        self.full
            .iter()
            .map(|w| w.count_ones() as usize)
            .sum::<usize>()
            + self.partial.len()
    }

    /// The reached road pieces as polylines `(lon, lat)` with their edge id (made now: at
    /// Netherlands scale they are hundreds of MB).
    pub fn roads(&self, g: &crate::graph::RoadGraph) -> Vec<(u32, Vec<(f64, f64)>)> {
        self.pieces()
            .map(|(e, a, b)| (e, edge_part(g, e, a, b)))
            .collect()
    }
}

impl Engine {
    /// Computes the isochrone of `sources` (already snapped) for `budget_ms`.
    pub fn isochrone(
        &self,
        ws: &mut Workspace,
        sources: &[Snap],
        budget_ms: u32,
        direction: Direction,
        cell_m: f64,
    ) -> Isochrone {
        let g = &self.graph;
        let seeds: Vec<_> = sources
            .iter()
            .enumerate()
            .flat_map(|(i, s)| self.seeds(s, i as u32, direction))
            .collect();
        // A bounded Dijkstra, unless it would settle more than an eighth of the graph: then
        // the one-to-all sweep of the contraction hierarchy (if the graph has one) is cheaper,
        // and the nodes within the budget are read from it.
        let csr = direction.csr(g);
        let mut reach = Reach {
            full: vec![0u64; g.edge_count().div_ceil(64)],
            partial: Vec::new(),
        };
        let add_arcs =
            |reach: &mut Reach, u: u32, d: u32| reach.add_arcs(csr, u, budget_ms - d, direction);
        let finished = match &g.hierarchy {
            Some(_) => ws.run_at_most(g, &seeds, budget_ms, direction, g.node_count() / 8),
            None => {
                ws.run(g, &seeds, budget_ms, direction);
                true
            }
        };
        match &g.hierarchy {
            Some(h) if !finished => {
                ws.phast.run(h, &seeds, direction);
                for (u, d) in ws.phast.view(h).iter() {
                    if d <= budget_ms {
                        add_arcs(&mut reach, u, d);
                    }
                }
            }
            _ => {
                for &u in ws.settled() {
                    let Some(d) = ws.time_ms(u) else { continue };
                    add_arcs(&mut reach, u, d);
                }
            }
        }
        reach.add_source_edges(g, sources, budget_ms, direction);
        let (full, partial) = reach.finish();
        // Nobody waits for it any more: skip the rasterising (the caller discards it).
        if crate::cancel::requested() {
            return Isochrone {
                budget_ms,
                direction,
                full,
                partial,
                polygon: MultiPolygon(vec![]),
                cell_m,
            };
        }
        // Ferries are reached roads but not reached area: nobody gets off mid-crossing. The
        // polylines are made one piece at a time while they are rasterised.
        let land = pieces(&full, &partial, g.edge_count())
            .filter(|(e, _, _)| g.edge_class[*e as usize] != crate::graph::FERRY_CLASS);
        let polygon = rasterize(g, land, cell_m, g.meta.bbox);
        Isochrone {
            budget_ms,
            direction,
            full,
            partial,
            polygon,
            cell_m,
        }
    }
}

impl Reach {
    /// The arcs out of `u` (in the search's direction), each as far as `remaining_ms` goes.
    fn add_arcs(
        &mut self,
        csr: &crate::graph::Csr,
        u: u32,
        remaining_ms: u32,
        direction: Direction,
    ) {
        let remaining = remaining_ms as f64;
        for i in csr.range_of(u) {
            let arc = csr.arcs[i];
            let tag = csr.arc_edge[i];
            let e = tag & !ARC_BACKWARD;
            let share = (remaining / arc.time_ms as f64).min(1.0);
            // Is `u` the edge's `from` end?
            let u_is_from = match (direction, tag & ARC_BACKWARD != 0) {
                (Direction::From, false) | (Direction::To, true) => true,
                (Direction::From, true) | (Direction::To, false) => false,
            };
            if u_is_from {
                self.add(e, 0.0, share);
            } else {
                self.add(e, 1.0 - share, 1.0);
            }
        }
    }

    /// The sources' own edges, as far as the budget goes from each source along them.
    fn add_source_edges(
        &mut self,
        g: &crate::graph::RoadGraph,
        sources: &[Snap],
        budget_ms: u32,
        direction: Direction,
    ) {
        for s in sources {
            if s.access_ms > budget_ms {
                continue;
            }
            let remaining = (budget_ms - s.access_ms) as f64;
            let e = s.edge as usize;
            let (fw, bw) = (g.edge_time_fw_ms[e], g.edge_time_bw_ms[e]);
            let t = s.fraction;
            // Towards `to` along fw (From) / from `to` against bw (To), and the mirror.
            let (up, down) = match direction {
                Direction::From => (fw, bw),
                Direction::To => (bw, fw),
            };
            if up != NO_TIME {
                self.add(s.edge, t, t + remaining / up as f64);
            }
            if down != NO_TIME {
                self.add(s.edge, t - remaining / down as f64, t);
            }
        }
    }
}
