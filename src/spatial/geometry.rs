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
    (0..g.edge_count())
        .into_par_iter()
        .flat_map_iter(|e| {
            // Metres from the `from` node to each point, then shares of the last.
            let pts = g.edge_polyline(e as u32);
            let mut before = 0.0;
            let mut cum = Vec::with_capacity(pts.len());
            cum.push(0.0);
            for w in pts.windows(2) {
                before += crate::geodesy::haversine_m(w[0].0, w[0].1, w[1].0, w[1].1);
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
