//! Identified points: a matrix's origins and destinations, candidate sites.

use std::path::Path;

use super::{InputError, column, invalid, open_csv};
use crate::geodesy::parse_lonlat;

/// The most points [`read_points`] reads (a matrix's origins or destinations).
pub const MAX_POINTS: usize = 500_000;

/// Reads identified points: CSV `id,lon,lat` in WGS84 (the origins and destinations of a
/// matrix). At least one row, at most [`MAX_POINTS`].
pub fn read_points(path: &Path) -> Result<Vec<(String, f64, f64)>, InputError> {
    read_points_at_most(path, MAX_POINTS, "at most 500,000 points per file")
}

/// [`read_points`] with another limit on the rows (`why` says how to raise it); stops
/// reading as soon as the limit is passed.
pub fn read_points_at_most(
    path: &Path,
    max: usize,
    why: &str,
) -> Result<Vec<(String, f64, f64)>, InputError> {
    let (mut rdr, headers) = open_csv(path)?;
    let col = |n: &str| column(path, &headers, n, "id,lon,lat");
    let (ci, cx, cy) = (col("id")?, col("lon")?, col("lat")?);
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| invalid(path, format!("line {line}: {e}")))?;
        let field = |c: usize| rec.get(c).unwrap_or("").trim().to_string();
        let lonlat = parse_lonlat(&format!("{},{}", field(cx), field(cy)))
            .map_err(|e| invalid(path, format!("line {line}: {e}")))?;
        if out.len() == max {
            return Err(invalid(path, format!("more than {max} rows ({why})")));
        }
        out.push((field(ci), lonlat.0, lonlat.1));
    }
    if out.is_empty() {
        return Err(invalid(path, "no rows"));
    }
    Ok(out)
}
