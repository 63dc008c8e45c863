//! The isochrone's polygon: reached road pieces sampled into grid cells, the cells dilated by
//! one, and the outline of the cell set traced directly (see the module above for the error
//! bounds).

use geo::{Coord, LineString, MultiPolygon, Orient, Polygon};

use crate::routing::edge_part;

/// The cells (of `cell_m` metres) that the road pieces `(edge, from share, to share)` pass
/// through, grown by one cell, outlined as polygons.
pub(super) fn rasterize(
    g: &crate::graph::RoadGraph,
    roads: impl Iterator<Item = (u32, f64, f64)>,
    cell_m: f64,
    bbox: [f64; 4],
) -> MultiPolygon<f64> {
    let grid = Grid::new(cell_m, bbox);
    let mut marks = Marks::over(&grid, bbox);
    if !sample_roads(g, roads, &grid, &mut marks) {
        return MultiPolygon(vec![]);
    }
    let (dilated, dilated_bits) = marks.dilated();
    if dilated.is_empty() || crate::cancel::requested() {
        return MultiPolygon(vec![]);
    }
    let polygons = match &dilated_bits {
        Some(bits) => cells_outline_with(&dilated, |c| marks.is_set(bits, c)),
        None => cells_outline(&dilated),
    };
    polygons
        .into_iter()
        .map(|(exterior, holes)| {
            let ring = |r: Vec<(i32, i32)>| {
                LineString(r.into_iter().map(|(x, y)| grid.to_lonlat(x, y)).collect())
            };
            Polygon::new(ring(exterior), holes.into_iter().map(ring).collect())
        })
        .collect::<MultiPolygon<f64>>()
        .orient(geo::orient::Direction::Default)
}

/// The cell grid: a local equirectangular projection in cells of `cell_m`, numbered from a
/// corner left of and below the graph's box, so that cell numbers are never negative and
/// truncation is the floor (no libm call per sample).
struct Grid {
    lon0: f64,
    lat0: f64,
    kx: f64,
    ky: f64,
    cell_m: f64,
    cx0: f64,
    cy0: f64,
}

impl Grid {
    fn new(cell_m: f64, bbox: [f64; 4]) -> Self {
        let cell_m = cell_m.max(10.0);
        let lat0 = (bbox[1] + bbox[3]) / 2.0;
        let lon0 = (bbox[0] + bbox[2]) / 2.0;
        let kx = 111_319.49 * lat0.to_radians().cos();
        let ky = 111_319.49;
        Grid {
            lon0,
            lat0,
            kx,
            ky,
            cell_m,
            cx0: ((bbox[0] - lon0) * kx / cell_m).floor() - 4.0,
            cy0: ((bbox[1] - lat0) * ky / cell_m).floor() - 4.0,
        }
    }

    /// A point in cell units: its cell is the integer part.
    #[inline]
    fn to_cells(&self, (lon, lat): (f64, f64)) -> (f64, f64) {
        (
            (lon - self.lon0) * self.kx / self.cell_m - self.cx0,
            (lat - self.lat0) * self.ky / self.cell_m - self.cy0,
        )
    }

    fn cell_of(&self, lon: f64, lat: f64) -> (i32, i32) {
        let (x, y) = self.to_cells((lon, lat));
        floor(x, y)
    }

    /// The corner of cell `(x, y)` in degrees.
    fn to_lonlat(&self, x: i32, y: i32) -> Coord<f64> {
        Coord {
            x: self.lon0 + (x as f64 + self.cx0) * self.cell_m / self.kx,
            y: self.lat0 + (y as f64 + self.cy0) * self.cell_m / self.ky,
        }
    }
}

#[inline]
fn floor(x: f64, y: f64) -> (i32, i32) {
    if x >= 0.0 && y >= 0.0 {
        (x as i32, y as i32)
    } else {
        (x.floor() as i32, y.floor() as i32)
    }
}

/// The cells the samples fall in: a bitmap over the graph's box when it is of a sensible
/// size (one bit a cell), and a vector for the rest (or for all of them).
struct Marks {
    bitmap: Option<Vec<u64>>,
    w: i64,
    h: i64,
    ox: i32,
    oy: i32,
    cells: Vec<(i32, i32)>,
}

impl Marks {
    fn over(grid: &Grid, bbox: [f64; 4]) -> Self {
        let (x0, y0) = grid.cell_of(bbox[0], bbox[1]);
        let (x1, y1) = grid.cell_of(bbox[2], bbox[3]);
        let (w, h) = ((x1 - x0 + 5) as i64, (y1 - y0 + 5) as i64);
        Marks {
            bitmap: (w > 0 && h > 0 && w * h <= 64 << 20)
                .then(|| vec![0u64; (w * h) as usize / 64 + 1]),
            w,
            h,
            ox: x0 - 2,
            oy: y0 - 2,
            cells: Vec::new(),
        }
    }

    #[inline]
    fn mark(&mut self, c: (i32, i32)) {
        match &mut self.bitmap {
            Some(bits) => {
                let (x, y) = ((c.0 - self.ox) as i64, (c.1 - self.oy) as i64);
                if (0..self.w).contains(&x) && (0..self.h).contains(&y) {
                    let i = (x * self.h + y) as usize;
                    bits[i / 64] |= 1 << (i % 64);
                } else {
                    self.cells.push(c);
                }
            }
            None => self.cells.push(c),
        }
    }

    /// Whether cell `c` is set in `bits`, a bitmap of this one's shape.
    fn is_set(&self, bits: &[u64], (x, y): (i32, i32)) -> bool {
        let (x, y) = ((x - self.ox) as i64, (y - self.oy) as i64);
        (0..self.w).contains(&x) && (0..self.h).contains(&y) && {
            let i = (x * self.h + y) as usize;
            bits[i / 64] & (1 << (i % 64)) != 0
        }
    }

    /// The cells one cell around every sampled cell (the dilation), sorted. With a bitmap and
    /// every sample inside it, a second bitmap gives them already sorted, with bit lookups
    /// for the outline; otherwise a sorted vector with binary searches.
    fn dilated(&mut self) -> (Vec<(i32, i32)>, Option<Vec<u64>>) {
        let (h, ox, oy) = (self.h, self.ox, self.oy);
        let cell_at = move |i: i64| ((i / h) as i32 + ox, (i % h) as i32 + oy);
        if let Some(bits) = &self.bitmap
            && self.cells.is_empty()
        {
            let mut out = vec![0u64; bits.len()];
            for i in set_bits(bits) {
                // Sampled cells lie at least two cells inside the bitmap's edges.
                let (x, y) = (i / h, i % h);
                for dx in -1..=1 {
                    for dy in -1..=1 {
                        let j = ((x + dx) * h + y + dy) as usize;
                        out[j / 64] |= 1 << (j % 64);
                    }
                }
            }
            let cells = set_bits(&out).map(cell_at).collect();
            return (cells, Some(out));
        }
        // Set bits in (x, y) order, then any cells outside the box.
        let mut cells = std::mem::take(&mut self.cells);
        if let Some(bits) = &self.bitmap {
            cells.extend(set_bits(bits).map(cell_at));
        }
        cells.sort_unstable();
        cells.dedup();
        let mut dilated: Vec<(i32, i32)> = Vec::with_capacity(cells.len() * 3);
        for &(x, y) in &cells {
            for dx in -1..=1 {
                for dy in -1..=1 {
                    dilated.push((x + dx, y + dy));
                }
            }
        }
        dilated.sort_unstable();
        dilated.dedup();
        (dilated, None)
    }
}

/// Marks the cells along every reached road piece: samples at most half a cell apart.
/// Returns `false` when cancelled.
fn sample_roads(
    g: &crate::graph::RoadGraph,
    roads: impl Iterator<Item = (u32, f64, f64)>,
    grid: &Grid,
    marks: &mut Marks,
) -> bool {
    // Stored 1e-7 degrees to cell units as one multiply-add per axis.
    let (sx, sy) = (grid.kx / grid.cell_m * 1e-7, grid.ky / grid.cell_m * 1e-7);
    let (bx, by) = (
        -grid.lon0 * grid.kx / grid.cell_m - grid.cx0,
        -grid.lat0 * grid.ky / grid.cell_m - grid.cy0,
    );
    let from_e7 = |lon: i32, lat: i32| (lon as f64 * sx + bx, lat as f64 * sy + by);
    // Points in cell units (one buffer for every piece).
    let mut pts: Vec<(f64, f64)> = Vec::new();
    for (i, (e, a, b)) in roads.enumerate() {
        if i % 65_536 == 0 && crate::cancel::requested() {
            return false;
        }
        pts.clear();
        // Most pieces are whole edges: their points as they are.
        if a <= 0.0 && b >= 1.0 {
            let e = e as usize;
            let (u, v) = (g.edge_from[e] as usize, g.edge_to[e] as usize);
            let shapes = g.edge_shape_first[e] as usize..g.edge_shape_first[e + 1] as usize;
            pts.push(from_e7(g.node_lon_e7[u], g.node_lat_e7[u]));
            pts.extend(
                g.shape_lon_e7[shapes.clone()]
                    .iter()
                    .zip(&g.shape_lat_e7[shapes])
                    .map(|(&lon, &lat)| from_e7(lon, lat)),
            );
            pts.push(from_e7(g.node_lon_e7[v], g.node_lat_e7[v]));
        } else {
            pts.extend(edge_part(g, e, a, b).into_iter().map(|p| grid.to_cells(p)));
        }
        let Some(&(x, y)) = pts.first() else { continue };
        marks.mark(floor(x, y));
        for w in pts.windows(2) {
            // Samples at most half a cell apart along each axis (the projection's own metres:
            // within a few percent of true ones over a country, well inside the one-cell
            // dilation); the larger axis distance decides, so no square root.
            let (dx, dy) = (w[1].0 - w[0].0, w[1].1 - w[0].1);
            let steps = (dx.abs().max(dy.abs()) * 2.0) as usize + 1;
            let (sx, sy) = (dx / steps as f64, dy / steps as f64);
            let mut last = floor(w[0].0, w[0].1);
            for k in 1..=steps {
                let c = floor(w[0].0 + k as f64 * sx, w[0].1 + k as f64 * sy);
                if c != last {
                    marks.mark(c);
                    last = c;
                }
            }
        }
    }
    true
}

/// The indices of the set bits of a bitmap, in increasing order.
fn set_bits(bits: &[u64]) -> impl Iterator<Item = i64> + '_ {
    bits.iter().enumerate().flat_map(|(word, &b)| {
        let mut b = b;
        std::iter::from_fn(move || {
            (b != 0).then(|| {
                let i = (word * 64 + b.trailing_zeros() as usize) as i64;
                b &= b - 1;
                i
            })
        })
    })
}

/// A grid vertex (cell corner).
type Vertex = (i32, i32);
/// A polygon of cell corners: exterior ring and holes.
pub(crate) type CellPolygon = (Vec<Vertex>, Vec<Vec<Vertex>>);

/// The outline of a set of unit cells (sorted, distinct `(x, y)`, cell `(x, y)` spanning
/// `[x, x+1] × [y, y+1]`) as polygons with holes, traced directly instead of a boolean union:
/// every cell side with no cell beyond it is a boundary edge, directed with its cell on the
/// left; the edges are linked into rings, turning left first where two rings touch at a
/// corner (so cells that meet only diagonally stay apart); counter-clockwise rings are
/// exteriors, clockwise ones holes, each hole given to the exterior around a point just inside
/// its cells. Rings are closed, with no collinear vertices.
pub(crate) fn cells_outline(cells: &[(i32, i32)]) -> Vec<CellPolygon> {
    cells_outline_with(cells, |c| cells.binary_search(&c).is_ok())
}

/// [`cells_outline`] with a faster membership test `has` (which must agree with `cells`).
fn cells_outline_with(cells: &[(i32, i32)], has: impl Fn((i32, i32)) -> bool) -> Vec<CellPolygon> {
    use std::collections::HashMap;
    // Outgoing boundary edges per vertex: (end vertex, used).
    let mut out: HashMap<Vertex, Vec<(Vertex, bool)>> = HashMap::new();
    let mut starts: Vec<(i32, i32)> = Vec::new();
    for &(x, y) in cells {
        let mut edge = |a: (i32, i32), b: (i32, i32)| {
            out.entry(a).or_default().push((b, false));
            starts.push(a);
        };
        if !has((x, y - 1)) {
            edge((x, y), (x + 1, y));
        }
        if !has((x + 1, y)) {
            edge((x + 1, y), (x + 1, y + 1));
        }
        if !has((x, y + 1)) {
            edge((x + 1, y + 1), (x, y + 1));
        }
        if !has((x - 1, y)) {
            edge((x, y + 1), (x, y));
        }
    }
    // Turn preference relative to the incoming direction: left, straight, right.
    let rank = |din: (i32, i32), dout: (i32, i32)| -> i32 {
        let cross = din.0 * dout.1 - din.1 * dout.0;
        let dot = din.0 * dout.0 + din.1 * dout.1;
        if cross > 0 {
            0
        } else if dot > 0 {
            1
        } else {
            2
        }
    };
    let mut rings: Vec<Vec<(i32, i32)>> = Vec::new();
    for s in starts {
        let Some(i) = out
            .get(&s)
            .and_then(|v| v.iter().position(|(_, used)| !used))
        else {
            continue;
        };
        let mut ring = vec![s];
        let (mut at, mut next) = (s, {
            let e = &mut out.get_mut(&s).map(|v| &mut v[i]);
            match e {
                Some(e) => {
                    e.1 = true;
                    e.0
                }
                None => continue,
            }
        });
        loop {
            let din = (next.0 - at.0, next.1 - at.1);
            at = next;
            if at == s {
                break;
            }
            ring.push(at);
            let Some(choices) = out.get_mut(&at) else {
                break;
            };
            let Some(best) = choices
                .iter()
                .enumerate()
                .filter(|(_, (_, used))| !used)
                .min_by_key(|(_, (b, _))| rank(din, (b.0 - at.0, b.1 - at.1)))
                .map(|(k, _)| k)
            else {
                break;
            };
            choices[best].1 = true;
            next = choices[best].0;
        }
        // A ring that passes a vertex twice (cells around an empty cell that touches the
        // outside at a corner) is split there into two rings touching at a point, as valid
        // polygons must be.
        for ring in split_loops(ring) {
            // Drop the vertices in the middle of straight runs.
            let n = ring.len();
            let simple: Vec<(i32, i32)> = (0..n)
                .filter(|&k| {
                    let (p, c, q) = (ring[(k + n - 1) % n], ring[k], ring[(k + 1) % n]);
                    (c.0 - p.0) * (q.1 - c.1) - (c.1 - p.1) * (q.0 - c.0) != 0
                })
                .map(|k| ring[k])
                .collect();
            if simple.len() >= 3 {
                rings.push(simple);
            }
        }
    }
    let area2 = |r: &[(i32, i32)]| -> i64 {
        (0..r.len())
            .map(|k| {
                let (a, b) = (r[k], r[(k + 1) % r.len()]);
                a.0 as i64 * b.1 as i64 - b.0 as i64 * a.1 as i64
            })
            .sum()
    };
    let (exteriors, holes): (Vec<_>, Vec<_>) = rings.into_iter().partition(|r| area2(r) > 0);
    // Point-in-ring (even-odd) in doubled coordinates, for a point off every grid line.
    let inside = |r: &[(i32, i32)], p: (i64, i64)| -> bool {
        let mut c = false;
        for k in 0..r.len() {
            let (a, b) = (r[k], r[(k + 1) % r.len()]);
            let (ax, ay, bx, by) = (
                2 * a.0 as i64,
                2 * a.1 as i64,
                2 * b.0 as i64,
                2 * b.1 as i64,
            );
            if (ay > p.1) != (by > p.1) && p.0 < ax + (bx - ax) * (p.1 - ay) / (by - ay) {
                c = !c;
            }
        }
        c
    };
    let bbox = |r: &[(i32, i32)]| {
        r.iter()
            .fold((i32::MAX, i32::MAX, i32::MIN, i32::MIN), |b, &(x, y)| {
                (b.0.min(x), b.1.min(y), b.2.max(x), b.3.max(y))
            })
    };
    let boxes: Vec<_> = exteriors.iter().map(|r| bbox(r)).collect();
    let mut result: Vec<CellPolygon> = exteriors.into_iter().map(|r| (r, Vec::new())).collect();
    for hole in holes {
        // A point a quarter cell to the left of the hole's first edge lies in a cell of the set,
        // strictly inside the exterior around the hole. (Doubled coordinates: the edge's
        // midpoint plus half of its left normal.)
        let (a, b) = (hole[0], hole[1]);
        let (dx, dy) = ((b.0 - a.0).signum() as i64, (b.1 - a.1).signum() as i64);
        let p = (a.0 as i64 + b.0 as i64 - dy, a.1 as i64 + b.1 as i64 + dx);
        let owner = result.iter().enumerate().position(|(k, (ext, _))| {
            let bb = boxes[k];
            (2 * bb.0 as i64..=2 * bb.2 as i64).contains(&p.0)
                && (2 * bb.1 as i64..=2 * bb.3 as i64).contains(&p.1)
                && inside(ext, p)
        });
        if let Some(k) = owner {
            result[k].1.push(hole);
        }
    }
    result
}

/// A closed vertex sequence (the start not repeated at the end) split at every vertex it
/// visits twice into loops that visit each vertex once.
fn split_loops(ring: Vec<(i32, i32)>) -> Vec<Vec<(i32, i32)>> {
    use std::collections::HashMap;
    let mut loops = Vec::new();
    let mut path: Vec<(i32, i32)> = Vec::with_capacity(ring.len());
    let mut at: HashMap<(i32, i32), usize> = HashMap::new();
    for v in ring {
        if let Some(&i) = at.get(&v) {
            let sub: Vec<(i32, i32)> = path.drain(i..).collect();
            for p in &sub {
                at.remove(p);
            }
            loops.push(sub);
        }
        at.insert(v, path.len());
        path.push(v);
    }
    loops.push(path);
    loops
}

#[cfg(test)]
mod outline_tests {
    use super::cells_outline;

    fn area(r: &[(i32, i32)]) -> i64 {
        (0..r.len())
            .map(|k| {
                let (a, b) = (r[k], r[(k + 1) % r.len()]);
                a.0 as i64 * b.1 as i64 - b.0 as i64 * a.1 as i64
            })
            .sum::<i64>()
            / 2
    }

    fn sorted(mut v: Vec<(i32, i32)>) -> Vec<(i32, i32)> {
        v.sort_unstable();
        v.dedup();
        v
    }

    #[test]
    fn a_cell_a_ring_with_a_hole_and_a_diagonal_pair() {
        let one = cells_outline(&[(0, 0)]);
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].0.len(), 4);
        assert_eq!(area(&one[0].0), 1);
        // Eight cells around (1, 1): one polygon with one hole, area 8.
        let ring = sorted(
            (0..3)
                .flat_map(|x| (0..3).map(move |y| (x, y)))
                .filter(|&c| c != (1, 1))
                .collect(),
        );
        let p = cells_outline(&ring);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].1.len(), 1);
        assert_eq!(area(&p[0].0) + area(&p[0].1[0]), 8);
        assert_eq!(p[0].0.len(), 4, "collinear vertices dropped: {:?}", p[0].0);
        // Cells that meet only at a corner stay two polygons.
        let pair = cells_outline(&[(0, 0), (1, 1)]);
        assert_eq!(pair.len(), 2);
        assert!(pair.iter().all(|(r, h)| area(r) == 1 && h.is_empty()));
    }

    #[test]
    fn random_cell_sets_keep_their_area() {
        let mut rng = crate::rng::SplitMix64::new(11);
        for _ in 0..500 {
            let n = 5 + rng.below(90);
            let cells = sorted(
                (0..n)
                    .map(|_| (rng.below(10) as i32, rng.below(10) as i32))
                    .collect(),
            );
            let polys = cells_outline(&cells);
            let total: i64 = polys
                .iter()
                .map(|(r, holes)| area(r) + holes.iter().map(|h| area(h)).sum::<i64>())
                .sum();
            assert_eq!(total, cells.len() as i64, "{cells:?}");
            // Exteriors counter-clockwise, holes clockwise, and a valid multipolygon to geo.
            for (r, holes) in &polys {
                assert!(area(r) > 0);
                assert!(holes.iter().all(|h| area(h) < 0));
            }
            let ring = |r: &Vec<(i32, i32)>| {
                geo::LineString::from(
                    r.iter()
                        .map(|&(x, y)| (x as f64, y as f64))
                        .collect::<Vec<_>>(),
                )
            };
            let mp = geo::MultiPolygon(
                polys
                    .iter()
                    .map(|(r, h)| geo::Polygon::new(ring(r), h.iter().map(ring).collect()))
                    .collect(),
            );
            use geo::Validation;
            assert!(mp.is_valid(), "{cells:?}: {:?}", mp.validation_errors());
        }
    }
}
