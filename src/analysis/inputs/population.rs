//! Where young people live, from a file (`--origins`): weighted points (CSV or GeoJSON) or
//! weighted areas (GeoJSON polygons, e.g. CBS neighbourhoods with their youth counts), in
//! WGS84 or RD New, the weight from a named column.

use std::path::Path;

use geo::MultiPolygon;

use super::municipalities::convert_multipolygon;
use super::{InputError, column, invalid, open_csv};
use crate::analysis::WeightedPoint;
use crate::analysis::crs::{Crs, RdConverter};

/// An area with the young people who live in it.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightedArea {
    pub geometry: MultiPolygon<f64>,
    pub weight: f64,
}

/// A population file's content: points, or areas whose young people are spread over the
/// inhabited roads inside them.
#[derive(Debug, Clone, PartialEq)]
pub enum Population {
    Points(Vec<WeightedPoint>),
    Areas(Vec<WeightedArea>),
}

/// CBS marks secret or inapplicable figures with large negative codes (−99995 to −99999):
/// such a weight counts as nobody, with a warning.
fn cbs_missing(w: f64) -> bool {
    (-99_999.0..=-99_990.0).contains(&w)
}

/// Reads a population file: `.csv` with `lon,lat` (WGS84) or `x,y` (RD New) and the weight
/// column, or GeoJSON with Point, Polygon or MultiPolygon features and the weight property.
pub fn read_population(path: &Path, weight: &str) -> Result<Population, InputError> {
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let (population, missing) = if is_csv {
        read_csv(path, &weight.to_ascii_lowercase())?
    } else {
        read_geojson(path, weight)?
    };
    if missing > 0 {
        tracing::warn!(
            "{}: {missing} weights are CBS codes for secret or not applicable (e.g. -99997); they count as nobody",
            path.display()
        );
    }
    let total: f64 = match &population {
        Population::Points(p) => p.iter().map(|p| p.weight).sum(),
        Population::Areas(a) => a.iter().map(|a| a.weight).sum(),
    };
    if total <= 0.0 {
        return Err(invalid(
            path,
            format!("no one lives here: the weights in {weight:?} add up to {total}"),
        ));
    }
    Ok(population)
}

/// A weight, checked: a number, not negative (except CBS's codes for missing, read as 0).
fn checked_weight(
    path: &Path,
    what: &str,
    w: Option<f64>,
    missing: &mut usize,
) -> Result<f64, InputError> {
    match w {
        Some(w) if cbs_missing(w) => {
            *missing += 1;
            Ok(0.0)
        }
        Some(w) if w.is_finite() && w >= 0.0 => Ok(w),
        Some(w) => Err(invalid(path, format!("{what}: a negative weight {w}"))),
        None => Err(invalid(path, format!("{what}: the weight is not a number"))),
    }
}

fn read_csv(path: &Path, weight: &str) -> Result<(Population, usize), InputError> {
    let (mut rdr, headers) = open_csv(path)?;
    let expected = format!("lon,lat or x,y (RD New), and {weight}");
    let rd = headers.iter().any(|h| h == "x") && !headers.iter().any(|h| h == "lon");
    let (a, b) = if rd { ("x", "y") } else { ("lon", "lat") };
    let (ca, cb) = (
        column(path, &headers, a, &expected)?,
        column(path, &headers, b, &expected)?,
    );
    let cw = column(
        path,
        &headers,
        weight,
        &format!("{expected}; name another with --origins-weight"),
    )?;
    let converter = RdConverter::new();
    let (mut out, mut missing) = (Vec::new(), 0);
    for (i, rec) in rdr.records().enumerate() {
        let line = format!("line {}", i + 2);
        let rec = rec.map_err(|e| invalid(path, format!("{line}: {e}")))?;
        let num = |c: usize| rec.get(c).and_then(|s| s.trim().parse::<f64>().ok());
        let (Some(x), Some(y)) = (
            num(ca).filter(|v| v.is_finite()),
            num(cb).filter(|v| v.is_finite()),
        ) else {
            return Err(invalid(path, format!("{line}: {a},{b} are not numbers")));
        };
        let w = checked_weight(path, &line, num(cw), &mut missing)?;
        let (lon, lat) = if rd {
            converter
                .to_wgs84(x, y)
                .map_err(|e| invalid(path, format!("{line}: {e}")))?
        } else {
            (x, y)
        };
        out.push(WeightedPoint {
            lon,
            lat,
            weight: w,
        });
    }
    Ok((Population::Points(out), missing))
}

fn read_geojson(path: &Path, weight: &str) -> Result<(Population, usize), InputError> {
    let text = crate::limits::read_to_string(path).map_err(|e| InputError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let fc: geojson::FeatureCollection = text
        .parse::<geojson::GeoJson>()
        .map_err(|e| invalid(path, format!("not GeoJSON: {e}")))
        .and_then(|g| {
            geojson::FeatureCollection::try_from(g)
                .map_err(|e| invalid(path, format!("expected a FeatureCollection: {e}")))
        })?;
    let declared = fc
        .foreign_members
        .as_ref()
        .and_then(|m| m.get("crs"))
        .and_then(|c| c.pointer("/properties/name"))
        .and_then(|n| n.as_str())
        .map(Crs::from_name)
        .transpose()
        .map_err(|e| invalid(path, e.to_string()))?;
    let converter = RdConverter::new();
    let (mut points, mut areas, mut missing) = (Vec::new(), Vec::new(), 0);
    for (i, f) in fc.features.iter().enumerate() {
        let what = format!("feature {}", i + 1);
        let w = f
            .property(weight)
            .ok_or_else(|| {
                invalid(
                    path,
                    format!(
                        "{what} has no property {weight:?} (name another with --origins-weight)"
                    ),
                )
            })?
            .as_f64();
        let w = checked_weight(path, &what, w, &mut missing)?;
        match place(path, &what, f, declared, &converter)? {
            Place::Point(lon, lat) => points.push(WeightedPoint {
                lon,
                lat,
                weight: w,
            }),
            Place::Area(m) => areas.push((m, w)),
        }
    }
    match (points.is_empty(), areas.is_empty()) {
        (_, true) => Ok((Population::Points(points), missing)),
        (true, false) => Ok((
            Population::Areas(
                areas
                    .into_iter()
                    .map(|(geometry, weight)| WeightedArea { geometry, weight })
                    .collect(),
            ),
            missing,
        )),
        (false, false) => Err(invalid(
            path,
            "mixes points and polygons; give one kind per file",
        )),
    }
}

/// Where a feature's young people are: a point or an area, in WGS84.
enum Place {
    Point(f64, f64),
    Area(MultiPolygon<f64>),
}

/// A feature's geometry as a [`Place`], converted from RD New where the file declares it or
/// its coordinates show it.
fn place(
    path: &Path,
    what: &str,
    f: &geojson::Feature,
    declared: Option<Crs>,
    converter: &RdConverter,
) -> Result<Place, InputError> {
    let Some(geometry) = &f.geometry else {
        return Err(invalid(path, format!("{what} has no geometry")));
    };
    let g: geo::Geometry<f64> = geometry
        .value
        .clone()
        .try_into()
        .map_err(|e: geojson::Error| invalid(path, format!("{what}: {e}")))?;
    let first = match &g {
        geo::Geometry::Point(p) => Some(p.0),
        geo::Geometry::Polygon(p) => p.exterior().0.first().copied(),
        geo::Geometry::MultiPolygon(m) => m.0.first().and_then(|p| p.exterior().0.first()).copied(),
        _ => None,
    };
    let Some(first) = first else {
        return Err(invalid(
            path,
            format!("{what} is not a Point, Polygon or MultiPolygon with coordinates"),
        ));
    };
    let rd = declared.unwrap_or_else(|| Crs::detect(first.x, first.y)) == Crs::RdNew;
    let bad = |e: crate::analysis::crs::CrsError| invalid(path, format!("{what}: {e}"));
    let to_wgs84 = |m: MultiPolygon<f64>| -> Result<MultiPolygon<f64>, InputError> {
        if rd {
            convert_multipolygon(&m, converter).map_err(bad)
        } else {
            Ok(m)
        }
    };
    match g {
        geo::Geometry::Point(p) if rd => {
            let (lon, lat) = converter.to_wgs84(p.x(), p.y()).map_err(bad)?;
            Ok(Place::Point(lon, lat))
        }
        geo::Geometry::Point(p) => Ok(Place::Point(p.x(), p.y())),
        geo::Geometry::Polygon(p) => Ok(Place::Area(to_wgs84(MultiPolygon(vec![p]))?)),
        geo::Geometry::MultiPolygon(m) => Ok(Place::Area(to_wgs84(m)?)),
        _ => Err(invalid(
            path,
            format!("{what} is not a Point, Polygon or MultiPolygon"),
        )),
    }
}
