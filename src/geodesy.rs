//! WGS84 coordinates: reading them as users type them, and distances on the Earth.

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
