//! Distances on the Earth.

/// Mean Earth radius (IUGG), metres; the value geo's Haversine uses.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Great-circle distance between two lon/lat points in degrees.
///
/// # Units
/// Degrees in, metres out.
#[inline]
pub fn haversine_m(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dlat = p2 - p1;
    let dlon = (lon2 - lon1).to_radians();
    let a = (dlat * 0.5).sin().powi(2) + p1.cos() * p2.cos() * (dlon * 0.5).sin().powi(2);
    2.0 * EARTH_RADIUS_M * a.sqrt().asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn haversine_agrees_with_geo() {
        use geo::{Distance, Haversine, Point};
        let pairs = [
            (4.8952, 52.3702, 5.1214, 52.0907),
            (14.5146, 35.8989, 14.2410, 36.0443),
            (-8.61, 41.15, -8.60, 41.16),
        ];
        for (a, b, c, d) in pairs {
            let ours = haversine_m(a, b, c, d);
            let theirs = Haversine.distance(Point::new(a, b), Point::new(c, d));
            assert!(
                (ours - theirs).abs() < 1e-6 * theirs.max(1.0),
                "{ours} vs {theirs}"
            );
        }
    }
}
