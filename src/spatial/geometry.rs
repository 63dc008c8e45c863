//! Point–segment geometry in a local tangent plane, and length shares along polylines.

use super::projection::M_PER_DEG;
use crate::graph::RoadGraph;

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
pub(super) fn point_segment_scaled(
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
pub(super) fn closest_to_origin<T: num_traits::Float>(a: (T, T), b: (T, T)) -> (T, (T, T)) {
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
pub(super) fn point_shares(g: &RoadGraph) -> Vec<f32> {
    use rayon::prelude::*;
    let edges = g.edge_count();
    let points = |e: usize| g.edge_shape_first[e] as usize + 2 * e;
    let mut out = vec![0f32; points(edges)];
    // Chunks of edges own contiguous runs of points: fill them in parallel, no allocation
    // per edge.
    const CHUNK: usize = 8192;
    let mut slices = Vec::with_capacity(edges / CHUNK + 1);
    let mut rest: &mut [f32] = &mut out;
    for start in (0..edges).step_by(CHUNK) {
        let end = (start + CHUNK).min(edges);
        let (here, tail) = std::mem::take(&mut rest).split_at_mut(points(end) - points(start));
        slices.push((start, end, here));
        rest = tail;
    }
    slices.into_par_iter().for_each(|(start, end, slice)| {
        // Metres from the `from` node to each point (one buffer per chunk), then shares of
        // the last.
        let mut cum: Vec<f64> = Vec::new();
        let mut at = 0;
        for e in start..end {
            cum.clear();
            let mut before = 0.0f64;
            let mut prev: Option<(f64, f64)> = None;
            for p in g.edge_points(e as u32) {
                if let Some(q) = prev {
                    before += crate::geodesy::haversine_m(q.0, q.1, p.0, p.1);
                }
                prev = Some(p);
                cum.push(before);
            }
            let total = before;
            for (slot, c) in slice[at..at + cum.len()].iter_mut().zip(&cum) {
                let share = if total > 0.0 { c / total } else { 0.0 };
                *slot = share.clamp(0.0, 1.0) as f32;
            }
            at += cum.len();
        }
    });
    out
}
