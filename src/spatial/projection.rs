//! The metric projection of the snap index: equirectangular around the graph's centre.

pub(super) const M_PER_DEG: f64 = 111_319.49;

/// WGS84 `(lon, lat)` to `f32` metres of the equirectangular projection around `origin`
/// with `x_scale` metres per degree of longitude.
#[inline]
pub(super) fn project(origin: (f64, f64), x_scale: f64, lon: f64, lat: f64) -> [f32; 2] {
    [
        ((lon - origin.0) * x_scale) as f32,
        ((lat - origin.1) * M_PER_DEG) as f32,
    ]
}
