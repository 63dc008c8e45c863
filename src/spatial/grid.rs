//! The uniform grid of projected segments: the hot path of snapping.

use super::geometry::closest_to_origin;
use super::index::Segment;

/// A segment's end points in projected metres, with the segment it belongs to.
#[derive(Debug, Clone, Copy)]
pub(super) struct GridSeg {
    pub(super) a: [f32; 2],
    pub(super) b: [f32; 2],
    pub(super) edge: u32,
    /// Index of the segment's first point in `SnapIndex::point_share`.
    pub(super) point: u32,
}

impl GridSeg {
    pub(super) const EMPTY: GridSeg = GridSeg {
        a: [0.0; 2],
        b: [0.0; 2],
        edge: 0,
        point: 0,
    };

    pub(super) fn of(s: &Segment) -> Self {
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
    pub(super) fn envelope(&self) -> ([f32; 2], [f32; 2]) {
        (
            [self.a[0].min(self.b[0]), self.a[1].min(self.b[1])],
            [self.a[0].max(self.b[0]), self.a[1].max(self.b[1])],
        )
    }

    /// A lower bound of [`GridSeg::approx_distance2_m2`] without a division: the squared
    /// distance from `q` to the segment's (scaled) bounding box.
    #[inline]
    pub(super) fn lower_bound2_m2(&self, q: [f32; 2], rho: f32) -> f32 {
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
    pub(super) fn approx_distance2_m2(&self, q: [f32; 2], rho: f32) -> f32 {
        let (a, b) = self.relative_to(q, rho);
        let (_, (px, py)) = closest_to_origin(a, b);
        px * px + py * py
    }

    /// The end points relative to `q`, east–west offsets scaled by `rho`.
    #[inline]
    pub(super) fn relative_to(&self, q: [f32; 2], rho: f32) -> ((f32, f32), (f32, f32)) {
        let rel = |p: [f32; 2]| ((p[0] - q[0]) * rho, p[1] - q[1]);
        (rel(self.a), rel(self.b))
    }
}

/// Candidates whose approximate distance is within this of the best approximate distance
/// are evaluated exactly; far more than twice the `f32` rounding error, so the exact nearest
/// segment (and any exact tie with it) is never filtered out.
pub(super) const PREFILTER_MARGIN_M: f32 = 0.5;

/// How many near candidates a grid query keeps on the stack; more (many segments within
/// `PREFILTER_MARGIN_M` of each other, e.g. at a junction of dozens of roads) makes it
/// rescan the cells it visited.
pub(super) const NEAR_BUFFER: usize = 32;

/// An inclusive rectangle of grid cells `(x0, y0, x1, y1)`.
pub(super) type CellRect = (usize, usize, usize, usize);

/// Segments bucketed in a uniform grid by their envelopes (CSR: the entries of cell `c` are
/// `items[first[c]..first[c + 1]]`; a segment whose envelope spans several cells is stored in
/// each). Written by hand because it is the hot path of snapping: a snap usually needs its own
/// cell and perhaps one ring around it, whose entries lie row by row next to each other in
/// memory, where rstar's traversal of a deep tree cost 1.0–1.8 µs per query (see
/// docs/BENCHMARKS.md). Scanning whole cells covers every segment whose envelope meets the
/// square a query must cover (plus others and duplicates, which the snap's order-free tie
/// rule ignores), so grid and R-tree give identical snaps, and the tests hold them to that.
pub(super) struct SegmentGrid {
    pub(super) min: [f32; 2],
    pub(super) cell_m: f32,
    pub(super) cols: usize,
    pub(super) rows: usize,
    pub(super) first: Vec<u32>,
    pub(super) items: Vec<GridSeg>,
}

impl SegmentGrid {
    /// Cells of at least 100 m, larger where needed to keep the cell count within four per
    /// segment (so a sparse graph over a wide area cannot blow up the memory).
    pub(super) fn build(segs: Vec<GridSeg>) -> Self {
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
        let mut items = vec![GridSeg::EMPTY; total];
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
    pub(super) fn cells_of(&self, lo: [f32; 2], hi: [f32; 2]) -> (usize, usize, usize, usize) {
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
    pub(super) fn cell_key(&self, q: [f32; 2]) -> u32 {
        if self.cols == 0 {
            return 0;
        }
        let (x, y, _, _) = self.cells_of(q, q);
        (y * self.cols + x) as u32
    }

    /// Starts loading the offsets of cell `cell` (see [`SegmentGrid::cell_key`]).
    #[inline]
    pub(super) fn prefetch_offsets(&self, cell: u32) {
        crate::prefetch::prefetch_read(self.first.as_ptr().wrapping_add(cell as usize));
    }

    /// Starts loading the first entries of cell `cell` (two cache lines: entries are 24
    /// bytes, so the fourth is on the next line): reads its offset, which
    /// [`SegmentGrid::prefetch_offsets`] should have brought into cache by now.
    #[inline]
    pub(super) fn prefetch_entries(&self, cell: u32) {
        if let Some(&a) = self.first.get(cell as usize) {
            let p = self.items.as_ptr().wrapping_add(a as usize);
            crate::prefetch::prefetch_read(p);
            crate::prefetch::prefetch_read(p.wrapping_add(3));
        }
    }

    /// The cells covering the square of half-side `r` around `q`, clamped to the grid.
    #[inline]
    pub(super) fn rect_around(&self, q: [f32; 2], r: f32) -> CellRect {
        self.cells_of([q[0] - r, q[1] - r], [q[0] + r, q[1] + r])
    }

    /// Calls `f(items range)` for each run of cells in `need` that is not in `done`: the
    /// entries of a row's consecutive cells lie next to each other.
    #[inline]
    pub(super) fn for_runs(
        &self,
        need: CellRect,
        done: Option<CellRect>,
        mut f: impl FnMut(usize, usize),
    ) {
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
    pub(super) fn near_candidates(
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

    pub(super) fn memory_bytes(&self) -> usize {
        self.first.len() * 4 + self.items.len() * std::mem::size_of::<GridSeg>()
    }
}

/// The near candidates of one grid query: the best squared approximate distance so far, and
/// the items within the margin of it (possibly some that a later, better item pushed out of
/// it; they are filtered at the end).
pub(super) struct NearSet {
    pub(super) best2: f32,
    /// `(sqrt(best2) + PREFILTER_MARGIN_M)^2`: items above it are never near.
    pub(super) cut2: f32,
    pub(super) buf: [(f32, u32); NEAR_BUFFER],
    pub(super) len: usize,
    pub(super) overflow: bool,
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
    pub(super) fn offer(&mut self, d2: f32, item: u32) {
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
