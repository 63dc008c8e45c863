//! Snapping points onto the road graph.
//!
//! Every segment of every snappable edge polyline is held in metric coordinates: an
//! equirectangular projection around the graph's centre, stored as `f32` metres (under 1 cm
//! of rounding within 150 km of the centre), twice: in an R-tree (rstar, bulk-loaded) and in
//! a uniform grid of cells (a hand-written `SegmentGrid`, the fast path). Candidates are found
//! in that projected space; the distance that decides and is reported is then computed in
//! `f64` in a local tangent plane at the query point (error well under 0.1 % within the 1 km
//! snap range), from the segment's ends as the index stores them. Because the global
//! projection stretches east–west distances by at most a known factor `K` over the graph's
//! latitude range, every segment within true distance `d` has its envelope in the square of
//! half-side `K·d` around the point. The grid scans the point's own cell, then rings of cells,
//! until the scanned cells cover that square for the best distance found (plus a margin),
//! ranking entries by an `f32` distance so that only those within `PREFILTER_MARGIN_M` of the
//! best are evaluated exactly. The R-tree answers with box queries over a growing square in
//! [`SnapIndex::snap_with_rtree`], and tests require identical snaps from both. rstar's
//! `nearest_neighbor` reports how far the nearest road is for the rare point with no road
//! within the limit. The position along the edge comes from length shares precomputed per
//! polyline point, so a snap reads nothing from the graph.
//!
//! # Units
//! Coordinates in degrees (WGS84 lon/lat); distances in metres; times in milliseconds.

use rstar::RTree;
use rstar::primitives::{GeomWithData, Line};

use crate::graph::{NO_TIME, RoadGraph};
use crate::ingest::{CarProfile, FERRY_CLASS};

/// A `LON,LAT` pair in WGS84 degrees.
pub fn parse_lonlat(s: &str) -> Result<(f64, f64), String> {
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    let [lon, lat] = parts.as_slice() else {
        return Err(format!(
            "{s:?} is not LON,LAT (two numbers separated by a comma)"
        ));
    };
    let lon: f64 = lon
        .parse()
        .map_err(|_| format!("longitude {lon:?} is not a number"))?;
    let lat: f64 = lat
        .parse()
        .map_err(|_| format!("latitude {lat:?} is not a number"))?;
    if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
        return Err(format!(
            "{lon},{lat} is outside WGS84 (lon -180..180, lat -90..90); is it LAT,LON or RD New?"
        ));
    }
    Ok((lon, lat))
}

/// Errors from snapping.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SnapError {
    #[error("coordinate {lon},{lat} is not a valid WGS84 longitude,latitude")]
    InvalidCoordinate { lon: f64, lat: f64 },
    #[error(
        "point {lon},{lat} is {distance_m:.0} m from the nearest drivable road (the limit is {max_m:.0} m)"
    )]
    TooFar {
        lon: f64,
        lat: f64,
        distance_m: f64,
        max_m: f64,
    },
    #[error("point {lon},{lat} has no drivable road within {max_m:.0} m")]
    NoRoadNear { lon: f64, lat: f64, max_m: f64 },
}

/// How points are snapped.
#[derive(Debug, Clone, PartialEq)]
pub struct SnapOptions {
    /// A point farther than this from every snappable road is unsnappable.
    pub max_distance_m: f64,
    /// Speed of the straight-line access leg from the point to the road.
    pub access_speed_kmh: f64,
    /// Road classes a point may not snap onto (motorways, their ramps and ferries by default:
    /// no home or facility has its front door there).
    pub excluded_classes: Vec<u8>,
}

impl SnapOptions {
    /// Defaults: 1,000 m, 15 km/h access, no snapping onto motorways, their links or ferries.
    pub fn for_profile(profile: &CarProfile) -> Self {
        let mut excluded = vec![FERRY_CLASS];
        for class in ["motorway", "motorway_link"] {
            if let Some(c) = profile.class_index(class) {
                excluded.push(c);
            }
        }
        SnapOptions {
            max_distance_m: 1000.0,
            access_speed_kmh: 15.0,
            excluded_classes: excluded,
        }
    }

    /// As [`SnapOptions::for_profile`], using the class names stored in the graph.
    pub fn for_graph(g: &RoadGraph) -> Self {
        let mut excluded = vec![FERRY_CLASS];
        for (i, name) in g.meta.class_names.iter().enumerate() {
            if name == "motorway" || name == "motorway_link" {
                excluded.push(i as u8);
            }
        }
        SnapOptions {
            max_distance_m: 1000.0,
            access_speed_kmh: 15.0,
            excluded_classes: excluded,
        }
    }
}

/// Where a point meets the road graph.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snap {
    /// The edge snapped onto.
    pub edge: u32,
    /// Position along the edge from its `from` node, as a share of its length (0..=1).
    pub fraction: f64,
    /// The snapped position on the road.
    pub lon: f64,
    pub lat: f64,
    /// Straight-line distance from the point to the road.
    pub distance_m: f64,
    /// Time of the access leg at the access speed.
    pub access_ms: u32,
}

type Segment = GeomWithData<Line<[f32; 2]>, (u32, u32)>;

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

/// The snapping index of one graph: its snappable segments in a grid and an R-tree.
pub struct SnapIndex {
    tree: RTree<Segment, SnapTreeParams>,
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

const M_PER_DEG: f64 = 111_319.49;

/// WGS84 `(lon, lat)` to `f32` metres of the equirectangular projection around `origin`
/// with `x_scale` metres per degree of longitude.
#[inline]
fn project(origin: (f64, f64), x_scale: f64, lon: f64, lat: f64) -> [f32; 2] {
    [
        ((lon - origin.0) * x_scale) as f32,
        ((lat - origin.1) * M_PER_DEG) as f32,
    ]
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
        let segments: Vec<Segment> = (0..g.edge_count() as u32)
            .into_par_iter()
            .filter(|&edge| {
                !options
                    .excluded_classes
                    .contains(&g.edge_class[edge as usize])
            })
            .flat_map_iter(|edge| {
                let pts = g.edge_polyline(edge);
                let first_point = g.edge_shape_first[edge as usize] + 2 * edge;
                (0..pts.len() - 1).map(move |k| {
                    GeomWithData::new(
                        Line::new(
                            project(pts[k].0, pts[k].1),
                            project(pts[k + 1].0, pts[k + 1].1),
                        ),
                        (edge, first_point + k as u32),
                    )
                })
            })
            .collect();
        let grid_segs: Vec<GridSeg> = segments.par_iter().map(GridSeg::of).collect();
        tracing::debug!(
            "snap index: {} segments projected in {:.2} s",
            segments.len(),
            started.elapsed().as_secs_f64()
        );
        // rstar's bulk load is single-threaded and the longest step: the grid and the length
        // shares are built beside it.
        let (tree, (grid, point_share)) = rayon::join(
            || {
                let t = std::time::Instant::now();
                let tree = RTree::bulk_load_with_params(segments);
                tracing::debug!("snap index: R-tree in {:.2} s", t.elapsed().as_secs_f64());
                tree
            },
            || {
                let t = std::time::Instant::now();
                let grid = SegmentGrid::build(grid_segs);
                tracing::debug!("snap index: grid in {:.2} s", t.elapsed().as_secs_f64());
                (grid, point_shares(g))
            },
        );
        tracing::debug!(
            "snap index: built in {:.2} s",
            started.elapsed().as_secs_f64()
        );
        SnapIndex {
            point_share,
            grid,
            tree,
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
        self.tree.size()
    }

    pub fn is_empty(&self) -> bool {
        self.tree.size() == 0
    }

    /// Approximate heap memory of the index in bytes (segments plus tree nodes).
    pub fn memory_bytes(&self) -> usize {
        // Leaves hold the segments; inner nodes add roughly 1/(M-1) of that with M = 6 children.
        let leaf = std::mem::size_of::<Segment>() + std::mem::size_of::<usize>();
        self.tree.size() * leaf * 6 / 5 + self.grid.memory_bytes() + self.point_share.len() * 4
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
                let on_best =
                    |s: &GridSeg| crate::util::prefetch_read(shares.wrapping_add(s.point as usize));
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
            // Rare: no road within the limit. Find how far the nearest one is, for the message
            // (the same way for both candidate paths, so their errors are identical too).
            _ => {
                return Err(match self.tree.nearest_neighbor(q) {
                    Some(seg) => SnapError::TooFar {
                        lon,
                        lat,
                        distance_m: exact(&GridSeg::of(seg)).0,
                        max_m,
                    },
                    None => SnapError::NoRoadNear { lon, lat, max_m },
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
            for seg in self.tree.locate_in_envelope_intersecting(bbox) {
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

/// A segment's end points in projected metres, with the segment it belongs to.
#[derive(Debug, Clone, Copy)]
struct GridSeg {
    a: [f32; 2],
    b: [f32; 2],
    edge: u32,
    /// Index of the segment's first point in `SnapIndex::point_share`.
    point: u32,
}

impl GridSeg {
    fn of(s: &Segment) -> Self {
        let (edge, point) = s.data;
        GridSeg {
            a: s.geom().from,
            b: s.geom().to,
            edge,
            point,
        }
    }

    /// The segment's bounding box `(lower-left, upper-right)`.
    #[inline]
    fn envelope(&self) -> ([f32; 2], [f32; 2]) {
        (
            [self.a[0].min(self.b[0]), self.a[1].min(self.b[1])],
            [self.a[0].max(self.b[0]), self.a[1].max(self.b[1])],
        )
    }

    /// A lower bound of [`GridSeg::approx_distance2_m2`] without a division: the squared
    /// distance from `q` to the segment's (scaled) bounding box.
    #[inline]
    fn lower_bound2_m2(&self, q: [f32; 2], rho: f32) -> f32 {
        let ((ax, ay), (bx, by)) = self.relative_to(q, rho);
        let dx = ax.min(bx).max(-ax.max(bx)).max(0.0);
        let dy = ay.min(by).max(-ay.max(by)).max(0.0);
        dx * dx + dy * dy
    }

    /// Squared distance from `q` in the projected plane with east–west offsets scaled by
    /// `rho`: with `rho = cos(lat) / cos(lat0)` this is the tangent-plane distance the snap
    /// decides by, up to the `f32` rounding of the stored coordinates (centimetres) and of
    /// this arithmetic (well under a millimetre within the snap range).
    #[inline]
    fn approx_distance2_m2(&self, q: [f32; 2], rho: f32) -> f32 {
        let (a, b) = self.relative_to(q, rho);
        let (_, (px, py)) = closest_to_origin(a, b);
        px * px + py * py
    }

    /// The end points relative to `q`, east–west offsets scaled by `rho`.
    #[inline]
    fn relative_to(&self, q: [f32; 2], rho: f32) -> ((f32, f32), (f32, f32)) {
        let rel = |p: [f32; 2]| ((p[0] - q[0]) * rho, p[1] - q[1]);
        (rel(self.a), rel(self.b))
    }
}

/// Candidates whose approximate distance is within this of the best approximate distance
/// are evaluated exactly; far more than twice the `f32` rounding error, so the exact nearest
/// segment (and any exact tie with it) is never filtered out.
const PREFILTER_MARGIN_M: f32 = 0.5;

/// How many near candidates a grid query keeps on the stack; more (many segments within
/// `PREFILTER_MARGIN_M` of each other, e.g. at a junction of dozens of roads) makes it
/// rescan the cells it visited.
const NEAR_BUFFER: usize = 32;

/// An inclusive rectangle of grid cells `(x0, y0, x1, y1)`.
type CellRect = (usize, usize, usize, usize);

/// Segments bucketed in a uniform grid by their envelopes (CSR: the entries of cell `c` are
/// `items[first[c]..first[c + 1]]`; a segment whose envelope spans several cells is stored in
/// each). Written by hand because it is the hot path of snapping: a snap usually needs its own
/// cell and perhaps one ring around it, whose entries lie row by row next to each other in
/// memory, where rstar's traversal of a deep tree cost 1.0–1.8 µs per query (see
/// docs/BENCHMARKS.md). Scanning whole cells covers every segment whose envelope meets the
/// square a query must cover (plus others and duplicates, which the snap's order-free tie
/// rule ignores), so grid and R-tree give identical snaps, and the tests hold them to that.
struct SegmentGrid {
    min: [f32; 2],
    cell_m: f32,
    cols: usize,
    rows: usize,
    first: Vec<u32>,
    items: Vec<GridSeg>,
}

impl SegmentGrid {
    /// Cells of at least 100 m, larger where needed to keep the cell count within four per
    /// segment (so a sparse graph over a wide area cannot blow up the memory).
    fn build(segs: Vec<GridSeg>) -> Self {
        let mut min = [f32::INFINITY; 2];
        let mut max = [f32::NEG_INFINITY; 2];
        for s in &segs {
            let (lo, hi) = s.envelope();
            for i in 0..2 {
                min[i] = min[i].min(lo[i]);
                max[i] = max[i].max(hi[i]);
            }
        }
        if segs.is_empty() || !(min[0] <= max[0] && min[1] <= max[1]) {
            return SegmentGrid {
                min: [0.0; 2],
                cell_m: 1.0,
                cols: 0,
                rows: 0,
                first: vec![0],
                items: Vec::new(),
            };
        }
        let (w, h) = ((max[0] - min[0]) as f64, (max[1] - min[1]) as f64);
        let cell_m = 100f64.max((w * h / (4.0 * segs.len() as f64)).sqrt()) as f32;
        let cols = (w / cell_m as f64) as usize + 1;
        let rows = (h / cell_m as f64) as usize + 1;
        let mut grid = SegmentGrid {
            min,
            cell_m,
            cols,
            rows,
            first: vec![0; cols * rows + 1],
            items: Vec::new(),
        };
        for s in &segs {
            let (lo, hi) = s.envelope();
            let (x0, y0, x1, y1) = grid.cells_of(lo, hi);
            for y in y0..=y1 {
                for x in x0..=x1 {
                    grid.first[y * cols + x + 1] += 1;
                }
            }
        }
        for c in 0..cols * rows {
            grid.first[c + 1] += grid.first[c];
        }
        let total = grid.first[cols * rows] as usize;
        let mut fill = grid.first.clone();
        let mut items = vec![
            GridSeg {
                a: [0.0; 2],
                b: [0.0; 2],
                edge: 0,
                point: 0,
            };
            total
        ];
        for s in &segs {
            let (lo, hi) = s.envelope();
            let (x0, y0, x1, y1) = grid.cells_of(lo, hi);
            for y in y0..=y1 {
                for x in x0..=x1 {
                    let slot = &mut fill[y * cols + x];
                    items[*slot as usize] = *s;
                    *slot += 1;
                }
            }
        }
        grid.items = items;
        grid
    }

    /// The cell range `(x0, y0, x1, y1)` (inclusive) covering a box, clamped to the grid.
    #[inline]
    fn cells_of(&self, lo: [f32; 2], hi: [f32; 2]) -> (usize, usize, usize, usize) {
        // `as usize` saturates: boxes reaching below the grid start at cell 0.
        let cell =
            |v: f32, i: usize, n: usize| (((v - self.min[i]) / self.cell_m) as usize).min(n - 1);
        (
            cell(lo[0], 0, self.cols),
            cell(lo[1], 1, self.rows),
            cell(hi[0], 0, self.cols),
            cell(hi[1], 1, self.rows),
        )
    }

    /// The row-major number of the cell holding `q` (clamped to the grid; 0 for a point that
    /// is not a number): the order in which a batch is snapped.
    #[inline]
    fn cell_key(&self, q: [f32; 2]) -> u32 {
        if self.cols == 0 {
            return 0;
        }
        let (x, y, _, _) = self.cells_of(q, q);
        (y * self.cols + x) as u32
    }

    /// Starts loading the offsets of cell `cell` (see [`SegmentGrid::cell_key`]).
    #[inline]
    fn prefetch_offsets(&self, cell: u32) {
        crate::util::prefetch_read(self.first.as_ptr().wrapping_add(cell as usize));
    }

    /// Starts loading the first entries of cell `cell` (two cache lines: entries are 24
    /// bytes, so the fourth is on the next line): reads its offset, which
    /// [`SegmentGrid::prefetch_offsets`] should have brought into cache by now.
    #[inline]
    fn prefetch_entries(&self, cell: u32) {
        if let Some(&a) = self.first.get(cell as usize) {
            let p = self.items.as_ptr().wrapping_add(a as usize);
            crate::util::prefetch_read(p);
            crate::util::prefetch_read(p.wrapping_add(3));
        }
    }

    /// The cells covering the square of half-side `r` around `q`, clamped to the grid.
    #[inline]
    fn rect_around(&self, q: [f32; 2], r: f32) -> CellRect {
        self.cells_of([q[0] - r, q[1] - r], [q[0] + r, q[1] + r])
    }

    /// Calls `f(items range)` for each run of cells in `need` that is not in `done`: the
    /// entries of a row's consecutive cells lie next to each other.
    #[inline]
    fn for_runs(&self, need: CellRect, done: Option<CellRect>, mut f: impl FnMut(usize, usize)) {
        let (nx0, ny0, nx1, ny1) = need;
        for y in ny0..=ny1 {
            let row = y * self.cols;
            let mut run = |x0: usize, x1: usize| {
                if x0 <= x1 {
                    f(
                        self.first[row + x0] as usize,
                        self.first[row + x1 + 1] as usize,
                    );
                }
            };
            match done {
                Some((dx0, dy0, dx1, dy1)) if (dy0..=dy1).contains(&y) => {
                    if dx0 > nx0 {
                        run(nx0, nx1.min(dx0 - 1));
                    }
                    run(nx0.max(dx1 + 1), nx1);
                }
                _ => run(nx0, nx1),
            }
        }
    }

    /// Calls `f` for the segments that may be nearest to `q`: every segment whose
    /// approximate distance is within `PREFILTER_MARGIN_M` of the smallest approximate
    /// distance of any segment whose envelope meets the square of half-side `limit`
    /// (projected metres). `stretch` bounds projected / true distance.
    ///
    /// It scans the cell of `q` first, then rings of cells around it (a square doubling from
    /// one cell), never a cell twice, until the cells scanned cover the square of half-side
    /// `(best + margin) · stretch`: any segment nearer than the best found so far has its
    /// envelope in that square, so it was seen. Near candidates are gathered in one pass on
    /// the stack; should more than [`NEAR_BUFFER`] be within the margin, the visited cells
    /// are scanned again with the final cut-off. `on_best` sees each entry that becomes the
    /// nearest so far (the snap prefetches its length shares with it).
    fn near_candidates(
        &self,
        q: [f32; 2],
        rho: f32,
        stretch: f32,
        limit: f32,
        on_best: impl Fn(&GridSeg),
        mut f: impl FnMut(&GridSeg),
    ) {
        if self.cols == 0 {
            return;
        }
        let mut near = NearSet::default();
        let own = self.rect_around(q, 0.0);
        let scan = |near: &mut NearSet, need: CellRect, done: Option<CellRect>| {
            self.for_runs(need, done, |a, b| {
                for (i, s) in self.items[a..b].iter().enumerate() {
                    // Most entries are rejected by the cheap bound once a near one is known.
                    if s.lower_bound2_m2(q, rho) <= near.cut2 {
                        let d2 = s.approx_distance2_m2(q, rho);
                        if d2 < near.best2 {
                            on_best(s);
                        }
                        near.offer(d2, (a + i) as u32);
                    }
                }
            });
        };
        scan(&mut near, own, None);
        let (mut done, mut r) = (own, 0.0f32);
        let mut reach = 0.0f32;
        loop {
            if near.best2.is_finite() {
                let need_r = ((near.best2.sqrt() + PREFILTER_MARGIN_M) * stretch).min(limit);
                if need_r > r {
                    scan(&mut near, self.rect_around(q, need_r), Some(done));
                    reach = need_r;
                }
                break;
            }
            if r >= limit {
                break;
            }
            r = if r == 0.0 { self.cell_m } else { r * 2.0 }.min(limit);
            let need = self.rect_around(q, r);
            scan(&mut near, need, Some(done));
            done = need;
        }
        if !near.overflow {
            for &(d2, i) in &near.buf[..near.len] {
                if d2 <= near.cut2 {
                    f(&self.items[i as usize]);
                }
            }
            return;
        }
        // Rare: too many near ties for the buffer. Scan everything visited again.
        self.for_runs(self.rect_around(q, r.max(reach)), None, |a, b| {
            for s in &self.items[a..b] {
                if s.approx_distance2_m2(q, rho) <= near.cut2 {
                    f(s);
                }
            }
        });
    }

    fn memory_bytes(&self) -> usize {
        self.first.len() * 4 + self.items.len() * std::mem::size_of::<GridSeg>()
    }
}

/// The near candidates of one grid query: the best squared approximate distance so far, and
/// the items within the margin of it (possibly some that a later, better item pushed out of
/// it; they are filtered at the end).
struct NearSet {
    best2: f32,
    /// `(sqrt(best2) + PREFILTER_MARGIN_M)^2`: items above it are never near.
    cut2: f32,
    buf: [(f32, u32); NEAR_BUFFER],
    len: usize,
    overflow: bool,
}

impl Default for NearSet {
    fn default() -> Self {
        NearSet {
            best2: f32::INFINITY,
            cut2: f32::INFINITY,
            buf: [(0.0, 0); NEAR_BUFFER],
            len: 0,
            overflow: false,
        }
    }
}

impl NearSet {
    #[inline]
    fn offer(&mut self, d2: f32, item: u32) {
        if d2 > self.cut2 {
            return;
        }
        if d2 < self.best2 {
            self.best2 = d2;
            let cut = d2.sqrt() + PREFILTER_MARGIN_M;
            self.cut2 = cut * cut;
        }
        if self.len == NEAR_BUFFER {
            let cut2 = self.cut2;
            let mut kept = 0;
            for j in 0..self.len {
                if self.buf[j].0 <= cut2 {
                    self.buf[kept] = self.buf[j];
                    kept += 1;
                }
            }
            self.len = kept;
            if kept == NEAR_BUFFER {
                self.overflow = true;
                return;
            }
        }
        self.buf[self.len] = (d2, item);
        self.len += 1;
    }
}

/// Distance from `(lon, lat)` to segment `a`–`b` in a tangent plane at the query point.
/// Returns `(metres, position on the segment 0..=1, nearest point lon/lat)`.
pub fn local_point_segment(
    lon: f64,
    lat: f64,
    a: (f64, f64),
    b: (f64, f64),
) -> (f64, f64, (f64, f64)) {
    point_segment_scaled(lon, lat, M_PER_DEG * lat.to_radians().cos(), a, b)
}

/// As [`local_point_segment`] with the east–west scale `kx` (metres per degree) given.
#[inline]
fn point_segment_scaled(
    lon: f64,
    lat: f64,
    kx: f64,
    a: (f64, f64),
    b: (f64, f64),
) -> (f64, f64, (f64, f64)) {
    let ky = M_PER_DEG;
    let (t, (px, py)) = closest_to_origin(
        ((a.0 - lon) * kx, (a.1 - lat) * ky),
        ((b.0 - lon) * kx, (b.1 - lat) * ky),
    );
    let d = (px * px + py * py).sqrt();
    (d, t, (lon + px / kx, lat + py / ky))
}

/// The point of segment `a`–`b` nearest to the origin (coordinates relative to the query
/// point, in metres): its position on the segment (0..=1) and the point itself. Generic, so
/// that the exact step (`f64`) and the grid's prefilter (`f32`) share it.
#[inline]
fn closest_to_origin<T: num_traits::Float>(a: (T, T), b: (T, T)) -> (T, (T, T)) {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > T::zero() {
        (-(a.0 * dx + a.1 * dy) / len2).max(T::zero()).min(T::one())
    } else {
        T::zero()
    };
    (t, (a.0 + t * dx, a.1 + t * dy))
}

/// Every edge's polyline points as shares of its length (haversine) from its `from` node,
/// edge after edge (see `SnapIndex::point_share`); all 0 for an edge of zero length.
/// Computed in parallel: at Netherlands scale it is some 20 million haversines.
fn point_shares(g: &RoadGraph) -> Vec<f32> {
    use rayon::prelude::*;
    (0..g.edge_count())
        .into_par_iter()
        .flat_map_iter(|e| {
            // Metres from the `from` node to each point, then shares of the last.
            let pts = g.edge_polyline(e as u32);
            let mut before = 0.0;
            let mut cum = Vec::with_capacity(pts.len());
            cum.push(0.0);
            for w in pts.windows(2) {
                before += crate::util::haversine_m(w[0].0, w[0].1, w[1].0, w[1].1);
                cum.push(before);
            }
            let total = before;
            cum.into_iter().map(move |c| {
                let share = if total > 0.0 { c / total } else { 0.0 };
                share.clamp(0.0, 1.0) as f32
            })
        })
        .collect()
}

/// Where a search may start or end at a snapped point: the nodes at the ends of its edge,
/// each with the time from the point to that node (`leave`) and from that node to the point
/// (`arrive`), respecting the edge's directions. The access leg is not included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EdgeEnds {
    pub from_node: u32,
    pub to_node: u32,
    /// Point → `from_node` (against the edge direction), if allowed.
    pub leave_to_from_ms: Option<u32>,
    /// Point → `to_node` (along the edge), if allowed.
    pub leave_to_to_ms: Option<u32>,
    /// `from_node` → point (along the edge), if allowed.
    pub arrive_from_from_ms: Option<u32>,
    /// `to_node` → point (against the edge), if allowed.
    pub arrive_from_to_ms: Option<u32>,
}

impl Snap {
    /// The partial-edge costs from and to the snapped position.
    pub fn ends(&self, g: &RoadGraph) -> EdgeEnds {
        let e = self.edge as usize;
        let (fw, bw) = (g.edge_time_fw_ms[e], g.edge_time_bw_ms[e]);
        let part = |time: u32, share: f64| -> Option<u32> {
            (time != NO_TIME).then(|| (time as f64 * share).round() as u32)
        };
        let t = self.fraction;
        EdgeEnds {
            from_node: g.edge_from[e],
            to_node: g.edge_to[e],
            leave_to_from_ms: part(bw, t),
            leave_to_to_ms: part(fw, 1.0 - t),
            arrive_from_from_ms: part(fw, t),
            arrive_from_to_ms: part(bw, 1.0 - t),
        }
    }

    /// Time along the shared edge from this snap to `other`, if both lie on the same edge and
    /// the edge's direction allows driving from one to the other directly.
    pub fn same_edge_ms(&self, other: &Snap, g: &RoadGraph) -> Option<u32> {
        if self.edge != other.edge {
            return None;
        }
        let e = self.edge as usize;
        let (fw, bw) = (g.edge_time_fw_ms[e], g.edge_time_bw_ms[e]);
        let d = other.fraction - self.fraction;
        if d >= 0.0 && fw != NO_TIME {
            Some((fw as f64 * d).round() as u32)
        } else if d <= 0.0 && bw != NO_TIME {
            Some((bw as f64 * -d).round() as u32)
        } else {
            None
        }
    }

    /// Metres along the shared edge to `other` (see [`Snap::same_edge_ms`]).
    pub fn same_edge_m(&self, other: &Snap, g: &RoadGraph) -> f64 {
        (other.fraction - self.fraction).abs() * g.edge_length_m[self.edge as usize] as f64
    }
}

#[cfg(test)]
mod tests {
    use super::{NEAR_BUFFER, SnapIndex, SnapOptions};
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
