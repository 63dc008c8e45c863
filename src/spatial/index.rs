//! The snap index: segments in the grid (every query, far points included) and, built only
//! when the reference path is asked for (tests), an R-tree over the same segments.

use rstar::RTree;
use rstar::primitives::{GeomWithData, Line};

use super::geometry::{point_segment_scaled, point_shares};
use super::grid::{GridSeg, SegmentGrid};
use super::projection::{M_PER_DEG, project};
use super::{Snap, SnapError, SnapOptions};
use crate::graph::RoadGraph;

/// A projected segment with its edge and the index of its first point in `point_share`.
pub(super) type Segment = GeomWithData<Line<[f32; 2]>, (u32, u32)>;

/// R-tree shape: the index is static (bulk-loaded once), so wider nodes than rstar's default
/// (6) pay off: fewer levels to descend per query.
pub struct SnapTreeParams;

impl rstar::RTreeParams for SnapTreeParams {
    const MIN_SIZE: usize = 6;
    const MAX_SIZE: usize = 16;
    const REINSERTION_COUNT: usize = 4;
    type DefaultInsertionStrategy = rstar::RStarInsertionStrategy;
}

/// A snap candidate: (metres, edge, segment's first point in `point_share`, position on the
/// segment, nearest point).
type Candidate = (f64, u32, u32, f64, (f64, f64));

/// How far the grid looks for the nearest road of a point with none within the snapping
/// limit, to say how far it is (projected metres); beyond it the error says "none within".
pub const FAR_SEARCH_M: f64 = 100_000.0;

/// The snapping index of one graph: its snappable segments in a grid (and, on demand, the
/// reference R-tree).
pub struct SnapIndex {
    /// Built on first use of [`SnapIndex::snap_with_rtree`] only: the server never pays its
    /// memory (about 48 bytes a segment) or its single-threaded bulk load.
    tree: std::sync::OnceLock<RTree<Segment, SnapTreeParams>>,
    segments: usize,
    grid: SegmentGrid,
    /// For every polyline point of every edge, its share of the edge's length from the
    /// `from` node (point `i` of edge `e` is at `edge_shape_first[e] + 2e + i`): the position
    /// of a snap along its edge without walking the polyline again.
    point_share: Vec<f32>,
    origin: (f64, f64),
    x_scale: f64,
    /// Upper bound of projected distance / true distance over the graph's latitudes.
    stretch: f64,
    options: SnapOptions,
}

impl SnapIndex {
    /// Builds the index over every edge whose class is not excluded.
    pub fn build(g: &RoadGraph, options: SnapOptions) -> Self {
        let [w, s, e, n] = g.meta.bbox;
        let lat0 = (s + n) / 2.0;
        let origin = ((w + e) / 2.0, lat0);
        let x_scale = M_PER_DEG * lat0.to_radians().cos();
        // cos(lat) varies over the box; the worst ratio either way bounds the stretch.
        let c0 = lat0.to_radians().cos();
        let cmin = s.abs().max(n.abs()).min(89.0).to_radians().cos();
        let stretch = (c0 / cmin).max(1.0) * 1.001;
        let project = |lon: f64, lat: f64| project(origin, x_scale, lon, lat);
        use rayon::prelude::*;
        let started = std::time::Instant::now();
        // Every segment has its place known in advance (an edge of k shape points has k + 1),
        // so the projection writes straight into one array in parallel blocks of edges: no
        // per-thread lists to concatenate (that copy of 13 M segments, and the page faults of
        // two arrays instead of one, were a third of the start-up on a national graph).
        let kept: Vec<u32> = (0..g.edge_count() as u32)
            .filter(|&edge| {
                !options
                    .excluded_classes
                    .contains(&g.edge_class[edge as usize])
            })
            .collect();
        let segments_of = |edge: u32| {
            let e = edge as usize;
            (g.edge_shape_first[e + 1] - g.edge_shape_first[e]) as usize + 1
        };
        let blocks: Vec<(&[u32], usize)> = kept
            .chunks(4096)
            .map(|block| (block, block.iter().map(|&e| segments_of(e)).sum()))
            .collect();
        let total: usize = blocks.iter().map(|b| b.1).sum();
        let mut grid_segs: Vec<GridSeg> = Vec::with_capacity(total);
        grid_segs.par_extend(rayon::iter::repeat_n(GridSeg::EMPTY, total));
        let mut parts: Vec<(&[u32], &mut [GridSeg])> = Vec::with_capacity(blocks.len());
        let mut rest = &mut grid_segs[..];
        for (block, n) in blocks {
            let (part, tail) = rest.split_at_mut(n);
            parts.push((block, part));
            rest = tail;
        }
        parts.into_par_iter().for_each(|(block, out)| {
            let mut at = 0;
            for &edge in block {
                let first_point = g.edge_shape_first[edge as usize] + 2 * edge;
                let mut pts = g.edge_points(edge).map(|(x, y)| project(x, y));
                let mut prev = pts.next();
                for (k, b) in pts.enumerate() {
                    if let (Some(a), Some(slot)) = (prev.replace(b), out.get_mut(at)) {
                        *slot = GridSeg {
                            a,
                            b,
                            edge,
                            point: first_point + k as u32,
                        };
                        at += 1;
                    }
                }
            }
        });
        let count = grid_segs.len();
        tracing::debug!(
            "snap index: {count} segments projected in {:.2} s",
            started.elapsed().as_secs_f64()
        );
        let (grid, point_share) = rayon::join(
            || {
                let t = std::time::Instant::now();
                let grid = SegmentGrid::build(grid_segs);
                tracing::debug!("snap index: grid in {:.2} s", t.elapsed().as_secs_f64());
                grid
            },
            || {
                let t = std::time::Instant::now();
                let shares = point_shares(g);
                tracing::debug!(
                    "snap index: length shares in {:.2} s",
                    t.elapsed().as_secs_f64()
                );
                shares
            },
        );
        tracing::debug!(
            "snap index: built in {:.2} s",
            started.elapsed().as_secs_f64()
        );
        SnapIndex {
            point_share,
            grid,
            tree: std::sync::OnceLock::new(),
            segments: count,
            origin,
            x_scale,
            stretch,
            options,
        }
    }

    /// WGS84 `(lon, lat)` to the index's projected metres.
    #[inline]
    fn project(&self, lon: f64, lat: f64) -> [f32; 2] {
        project(self.origin, self.x_scale, lon, lat)
    }

    /// Projected metres back to WGS84 `(lon, lat)`.
    #[inline]
    fn unproject(&self, p: [f32; 2]) -> (f64, f64) {
        (
            p[0] as f64 / self.x_scale + self.origin.0,
            p[1] as f64 / M_PER_DEG + self.origin.1,
        )
    }

    /// Share of the edge's length from its `from` node to position `t` on the segment that
    /// starts at polyline point `point` (an index into `point_share`).
    #[inline]
    fn fraction_along(&self, point: u32, t: f64) -> f64 {
        let i = point as usize;
        let (s0, s1) = (self.point_share[i] as f64, self.point_share[i + 1] as f64);
        (s0 + t * (s1 - s0)).clamp(0.0, 1.0)
    }

    pub fn options(&self) -> &SnapOptions {
        &self.options
    }

    /// Number of indexed segments.
    pub fn len(&self) -> usize {
        self.segments
    }

    pub fn is_empty(&self) -> bool {
        self.segments == 0
    }

    /// Approximate heap memory of the index in bytes (the grid and the length shares; the
    /// reference R-tree when it was built).
    pub fn memory_bytes(&self) -> usize {
        let tree = self.tree.get().map_or(0, |t| t.size() * 48 * 6 / 5);
        tree + self.grid.memory_bytes() + self.point_share.len() * 4
    }

    /// The reference R-tree, built on first use from the grid's segments.
    fn tree(&self) -> &RTree<Segment, SnapTreeParams> {
        self.tree.get_or_init(|| {
            let mut segs: Vec<GridSeg> = self.grid.items.clone();
            segs.sort_unstable_by_key(|s| s.point);
            segs.dedup_by_key(|s| s.point);
            let segments = segs
                .iter()
                .map(|s| GeomWithData::new(Line::new(s.a, s.b), (s.edge, s.point)))
                .collect();
            RTree::bulk_load_with_params(segments)
        })
    }

    /// Snaps many points in parallel (rayon); results in input order.
    ///
    /// Faster per point than calling [`SnapIndex::snap`] in a loop: the points are taken in
    /// order of their grid cell, so consecutive queries read neighbouring memory, and each
    /// query prefetches the cell offsets, then the cell entries, of the points a few places
    /// ahead, so their cache misses overlap with its own work. The answers are those of
    /// [`SnapIndex::snap`].
    pub fn snap_many(&self, points: &[(f64, f64)]) -> Vec<Result<Snap, SnapError>> {
        use rayon::prelude::*;
        let mut order: Vec<(u32, u32)> = points
            .iter()
            .enumerate()
            .map(|(i, &(lon, lat))| (self.grid.cell_key(self.project(lon, lat)), i as u32))
            .collect();
        order.par_sort_unstable();
        // Prefetch distances in points: offsets `FAR` ahead, entries `NEAR` ahead.
        const FAR: usize = 12;
        const NEAR: usize = 6;
        let answers: Vec<(u32, Result<Snap, SnapError>)> = order
            .par_chunks(2048)
            .flat_map_iter(|chunk| {
                (0..chunk.len()).map(move |j| {
                    if let Some(&(cell, _)) = chunk.get(j + FAR) {
                        self.grid.prefetch_offsets(cell);
                    }
                    if let Some(&(cell, _)) = chunk.get(j + NEAR) {
                        self.grid.prefetch_entries(cell);
                    }
                    let (_, i) = chunk[j];
                    let (lon, lat) = points[i as usize];
                    (i, self.snap(lon, lat))
                })
            })
            .collect();
        let mut out: Vec<Option<Result<Snap, SnapError>>> = vec![None; points.len()];
        for (i, answer) in answers {
            out[i as usize] = Some(answer);
        }
        out.into_iter().flatten().collect()
    }

    /// Snaps a point to the nearest snappable road segment within the maximum distance.
    pub fn snap(&self, lon: f64, lat: f64) -> Result<Snap, SnapError> {
        self.snap_via(lon, lat, Candidates::Grid)
    }

    /// As [`SnapIndex::snap`], finding candidates with the R-tree instead of the grid: the
    /// reference the grid is tested against (the answers must be identical).
    pub fn snap_with_rtree(&self, lon: f64, lat: f64) -> Result<Snap, SnapError> {
        self.snap_via(lon, lat, Candidates::RTree)
    }

    fn snap_via(&self, lon: f64, lat: f64, via: Candidates) -> Result<Snap, SnapError> {
        if !(lon.is_finite()
            && lat.is_finite()
            && (-180.0..=180.0).contains(&lon)
            && (-90.0..=90.0).contains(&lat))
        {
            return Err(SnapError::InvalidCoordinate { lon, lat });
        }
        let q = self.project(lon, lat);
        let max_m = self.options.max_distance_m;
        let kx = M_PER_DEG * lat.to_radians().cos();
        let rho = kx / self.x_scale;
        // The segment's ends come from the index's own projected copy (no reads from the
        // graph): f32 rounding of under 1 cm within 150 km of the centre, about the
        // resolution of the 1e-7 degree coordinates they came from.
        let exact = |s: &GridSeg| -> Candidate {
            let (a, b) = (self.unproject(s.a), self.unproject(s.b));
            let (d, t, p) = point_segment_scaled(lon, lat, kx, a, b);
            (d, s.edge, s.point, t, p)
        };
        // Ties: the lower (edge, segment) wins, so results do not depend on tree order.
        let better = |c: &Candidate, b: &Option<Candidate>| {
            b.is_none_or(|b| c.0 < b.0 - 1e-9 || (c.0 <= b.0 + 1e-9 && (c.1, c.2) < (b.1, b.2)))
        };
        let limit = max_m * self.stretch + 1.0;
        let best = match via {
            Candidates::Grid => {
                let mut best = None;
                // Whatever wins needs its length shares: start loading them for the best
                // entry so far, while the scan goes on.
                let shares = self.point_share.as_ptr();
                let on_best = |s: &GridSeg| {
                    crate::prefetch::prefetch_read(shares.wrapping_add(s.point as usize))
                };
                self.grid.near_candidates(
                    q,
                    rho as f32,
                    self.stretch as f32,
                    limit as f32,
                    on_best,
                    |s| {
                        let c = exact(s);
                        if better(&c, &best) {
                            best = Some(c);
                        }
                    },
                );
                best
            }
            Candidates::RTree => self.nearest_by_rtree(q, limit, &exact, &better),
        };
        let (d, edge, k, t, p) = match best {
            Some(b) if b.0 <= max_m => b,
            // Rare: no road within the limit. Find how far the nearest one is, up to
            // `FAR_SEARCH_M`, for the message (the same way for both candidate paths, so their
            // errors are identical too). A point far outside the graph costs one clamped cell.
            _ => {
                let mut nearest: Option<Candidate> = None;
                let far = FAR_SEARCH_M * self.stretch + 1.0;
                self.grid.near_candidates(
                    q,
                    rho as f32,
                    self.stretch as f32,
                    far as f32,
                    |_| {},
                    |s| {
                        let c = exact(s);
                        if better(&c, &nearest) {
                            nearest = Some(c);
                        }
                    },
                );
                return Err(match nearest {
                    Some(c) if c.0 <= FAR_SEARCH_M => SnapError::TooFar {
                        lon,
                        lat,
                        distance_m: c.0,
                        max_m,
                    },
                    _ => SnapError::NoRoadNear {
                        lon,
                        lat,
                        max_m: FAR_SEARCH_M.max(max_m),
                    },
                });
            }
        };
        let fraction = self.fraction_along(k, t);
        let access_ms = ((d / (self.options.access_speed_kmh / 3.6)) * 1000.0).round() as u32;
        Ok(Snap {
            edge,
            fraction,
            lon: p.0,
            lat: p.1,
            distance_m: d,
            access_ms,
        })
    }

    /// The reference path: rstar box queries over a growing square (in projected metres).
    /// Once the best true distance `d` satisfies `d·stretch <= radius`, every segment truly as
    /// near was among the hits.
    fn nearest_by_rtree(
        &self,
        q: [f32; 2],
        limit: f64,
        exact: &impl Fn(&GridSeg) -> Candidate,
        better: &impl Fn(&Candidate, &Option<Candidate>) -> bool,
    ) -> Option<Candidate> {
        let mut radius = 40.0f64.min(limit);
        loop {
            let mut best = None;
            // A square of half-side `radius` holds the circle of that radius, and box queries
            // are cheaper in rstar than distance queries.
            let r = radius as f32;
            let bbox = rstar::AABB::from_corners([q[0] - r, q[1] - r], [q[0] + r, q[1] + r]);
            for seg in self.tree().locate_in_envelope_intersecting(bbox) {
                let c = exact(&GridSeg::of(seg));
                if better(&c, &best) {
                    best = Some(c);
                }
            }
            match best {
                Some(b) if b.0 * self.stretch <= radius => return best,
                _ if radius >= limit => return best,
                Some(b) => radius = (b.0 * self.stretch + 0.5).min(limit).max(radius * 1.01),
                None => radius = (radius * 2.0).min(limit),
            }
        }
    }
}

/// Which structure enumerates the candidate segments of a query box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Candidates {
    Grid,
    RTree,
}

#[cfg(test)]
mod tests {
    use super::super::SnapOptions;
    use super::super::grid::NEAR_BUFFER;
    use super::SnapIndex;
    use crate::graph::RoadGraph;

    /// A star of `spokes` roads meeting at one node: a point at the centre is at distance 0
    /// from every one of them, so all are near ties.
    fn star(spokes: usize) -> RoadGraph {
        let mut coords = vec![(5.0, 52.0)];
        let mut edges = Vec::new();
        for i in 0..spokes {
            let a = i as f64 / spokes as f64 * std::f64::consts::TAU;
            coords.push((5.0 + 0.003 * a.cos(), 52.0 + 0.002 * a.sin()));
            edges.push((0, i as u32 + 1, 10_000, 10_000, 200.0));
        }
        RoadGraph::from_edges(&coords, &edges)
    }

    #[test]
    fn more_near_ties_than_the_buffer_holds_still_give_the_reference_snap() {
        for spokes in [
            3,
            NEAR_BUFFER - 1,
            NEAR_BUFFER,
            NEAR_BUFFER + 1,
            3 * NEAR_BUFFER / 2,
        ] {
            let g = star(spokes);
            let index = SnapIndex::build(&g, SnapOptions::for_graph(&g));
            // At the hub; 2 cm along the last spoke, which is then the nearest while all the
            // others stay near ties (it is found last, so a lost overflow would drop it);
            // and on the first spoke.
            let a = (spokes - 1) as f64 / spokes as f64 * std::f64::consts::TAU;
            let last = (5.0 + 1e-4 * 0.003 * a.cos(), 52.0 + 1e-4 * 0.002 * a.sin());
            for (lon, lat) in [(5.0, 52.0), last, (5.0015, 52.0)] {
                let grid = index.snap(lon, lat);
                assert_eq!(
                    grid,
                    index.snap_with_rtree(lon, lat),
                    "{spokes} spokes, point {lon},{lat}"
                );
                let snap = grid.unwrap_or_else(|e| panic!("{spokes} spokes: {e}"));
                assert!(snap.distance_m < 0.01, "{spokes} spokes: {snap:?}");
            }
        }
    }
}
