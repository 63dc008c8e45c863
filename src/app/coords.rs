//! Coordinates as users type them.

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
