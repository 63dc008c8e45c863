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
//! filled, and the union of the cells is the polygon (geo's `unary_union`). Its error: every
//! reached road point lies inside the polygon; the boundary lies at most `2·√2·cell_m`
//! (≈ 570 m at 200 m cells) outside the reached roads, and areas without roads (fields, water)
//! within that distance count as inside. Areas farther than that from any reached road are
//! outside, so islands and gaps show as separate parts. Ferry edges are listed among the
//! reached roads but not rasterised: nobody gets off mid-crossing.

use std::collections::{BTreeMap, BTreeSet};

use geo::{Coord, LineString, MultiPolygon, Orient, Polygon};

use super::{Direction, Engine, Workspace, edge_part};
use crate::graph::{ARC_BACKWARD, NO_TIME};
use crate::spatial::Snap;

/// An isochrone: reached roads and the area around them.
#[derive(Debug, Clone)]
pub struct Isochrone {
    pub budget_ms: u32,
    pub direction: Direction,
    /// Reached road pieces as polylines `(lon, lat)`, with their edge id.
    pub roads: Vec<(u32, Vec<(f64, f64)>)>,
    /// Exterior rings counter-clockwise (RFC 7946).
    pub polygon: MultiPolygon<f64>,
    pub cell_m: f64,
}

fn add(intervals: &mut BTreeMap<u32, Vec<(f64, f64)>>, e: u32, a: f64, b: f64) {
    let (a, b) = (a.clamp(0.0, 1.0), b.clamp(0.0, 1.0));
    if b > a {
        intervals.entry(e).or_default().push((a, b));
    }
}

fn merge(mut v: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    v.sort_by(|x, y| x.0.total_cmp(&y.0));
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(v.len());
    for (a, b) in v {
        match out.last_mut() {
            Some(last) if a <= last.1 + 1e-9 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
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
        ws.run(g, &seeds, budget_ms, direction);
        let csr = direction.csr(g);
        let mut intervals: BTreeMap<u32, Vec<(f64, f64)>> = BTreeMap::new();
        for &u in ws.settled() {
            let Some(d) = ws.time_ms(u) else { continue };
            let remaining = (budget_ms - d) as f64;
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
                    add(&mut intervals, e, 0.0, share);
                } else {
                    add(&mut intervals, e, 1.0 - share, 1.0);
                }
            }
        }
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
                add(&mut intervals, s.edge, t, t + remaining / up as f64);
            }
            if down != NO_TIME {
                add(&mut intervals, s.edge, t - remaining / down as f64, t);
            }
        }
        let mut roads = Vec::new();
        for (e, v) in intervals {
            for (a, b) in merge(v) {
                roads.push((e, edge_part(g, e, a, b)));
            }
        }
        // Ferries are reached roads but not reached area: nobody gets off mid-crossing.
        // (References, not a copy: at Netherlands scale the reached roads are hundreds of MB.)
        let land: Vec<&(u32, Vec<(f64, f64)>)> = roads
            .iter()
            .filter(|(e, _)| g.edge_class[*e as usize] != crate::graph::FERRY_CLASS)
            .collect();
        let polygon = rasterize(&land, cell_m, g.meta.bbox);
        Isochrone {
            budget_ms,
            direction,
            roads,
            polygon,
            cell_m,
        }
    }
}

fn rasterize(roads: &[&(u32, Vec<(f64, f64)>)], cell_m: f64, bbox: [f64; 4]) -> MultiPolygon<f64> {
    let cell_m = cell_m.max(10.0);
    let lat0 = (bbox[1] + bbox[3]) / 2.0;
    let lon0 = (bbox[0] + bbox[2]) / 2.0;
    let kx = 111_319.49 * lat0.to_radians().cos();
    let ky = 111_319.49;
    let cell_of = |lon: f64, lat: f64| -> (i32, i32) {
        (
            ((lon - lon0) * kx / cell_m).floor() as i32,
            ((lat - lat0) * ky / cell_m).floor() as i32,
        )
    };
    let mut cells: BTreeSet<(i32, i32)> = BTreeSet::new();
    for (_, pts) in roads {
        for w in pts.windows(2) {
            let len = crate::geodesy::haversine_m(w[0].0, w[0].1, w[1].0, w[1].1);
            let steps = (len / (cell_m / 2.0)).ceil().max(1.0) as usize;
            for k in 0..=steps {
                let f = k as f64 / steps as f64;
                cells.insert(cell_of(
                    w[0].0 + f * (w[1].0 - w[0].0),
                    w[0].1 + f * (w[1].1 - w[0].1),
                ));
            }
        }
    }
    let mut dilated: BTreeSet<(i32, i32)> = BTreeSet::new();
    for &(x, y) in &cells {
        for dx in -1..=1 {
            for dy in -1..=1 {
                dilated.insert((x + dx, y + dy));
            }
        }
    }
    // Merge horizontal runs of cells into rectangles, then union them.
    let mut rects: Vec<Polygon<f64>> = Vec::new();
    let mut iter = dilated.iter().peekable();
    let to_lonlat = |x: f64, y: f64| Coord {
        x: lon0 + x * cell_m / kx,
        y: lat0 + y * cell_m / ky,
    };
    while let Some(&(x0, y)) = iter.next() {
        // BTreeSet orders by (x, y); runs are along y for a fixed x.
        let mut y1 = y;
        while let Some(&&(nx, ny)) = iter.peek() {
            if nx == x0 && ny == y1 + 1 {
                y1 = ny;
                iter.next();
            } else {
                break;
            }
        }
        let (xa, xb) = (x0 as f64, x0 as f64 + 1.0);
        let (ya, yb) = (y as f64, y1 as f64 + 1.0);
        rects.push(Polygon::new(
            LineString(vec![
                to_lonlat(xa, ya),
                to_lonlat(xb, ya),
                to_lonlat(xb, yb),
                to_lonlat(xa, yb),
                to_lonlat(xa, ya),
            ]),
            vec![],
        ));
    }
    if rects.is_empty() {
        return MultiPolygon(vec![]);
    }
    geo::unary_union(&rects).orient(geo::orient::Direction::Default)
}
