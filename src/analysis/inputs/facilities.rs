//! The facility file: CSV (WGS84 `lon,lat` or RD New `x,y`) or GeoJSON points, with the
//! kind, places, ages, group size, status and dates of each.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{InputError, invalid, open_csv};
use crate::analysis::crs::{Crs, RdConverter};

/// The most facilities a CSV file may hold (the Netherlands has a few hundred).
pub const MAX_FACILITIES: usize = 100_000;

/// Facility status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Active,
    Planned,
    Closed,
}

/// A facility, in WGS84.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Facility {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub lon: f64,
    pub lat: f64,
    pub places: Option<f64>,
    pub free_places: Option<f64>,
    pub min_age: Option<f64>,
    pub max_age: Option<f64>,
    pub group_size: Option<f64>,
    pub staff_ratio: Option<f64>,
    pub secure: Option<bool>,
    pub status: Status,
    pub opening_date: Option<String>,
    pub closing_date: Option<String>,
    /// Every other column, kept as it was.
    pub properties: BTreeMap<String, String>,
}

impl Facility {
    /// A facility with only the essentials (active, no attributes stated), e.g. from OSM tags.
    pub fn at(id: &str, name: &str, kind: &str, lon: f64, lat: f64) -> Self {
        Facility {
            id: id.to_string(),
            name: name.to_string(),
            kind: kind.to_string(),
            lon,
            lat,
            places: None,
            free_places: None,
            min_age: None,
            max_age: None,
            group_size: None,
            staff_ratio: None,
            secure: None,
            status: Status::Active,
            opening_date: None,
            closing_date: None,
            properties: BTreeMap::new(),
        }
    }
}

/// Reads a free-text status: "closed"/"closure"/"lost"/"historical" → closed, "planned" →
/// planned, anything else (including "presumed active (verify)" and empty) → active.
pub fn parse_status(raw: &str) -> Status {
    let s = raw.to_ascii_lowercase();
    if s.contains("clos")
        || s.contains("lost")
        || s.contains("historical")
        || s.contains("gesloten")
    {
        Status::Closed
    } else if s.contains("plan") || s.contains("gepland") {
        Status::Planned
    } else {
        Status::Active
    }
}

const KNOWN: [&str; 17] = [
    "id",
    "name",
    "type",
    "lon",
    "lat",
    "x",
    "y",
    "places",
    "free_places",
    "min_age",
    "max_age",
    "group_size",
    "staff_ratio",
    "secure",
    "status",
    "opening_date",
    "closing_date",
];

fn build_facility(
    path: &Path,
    what: &str,
    get: &dyn Fn(&str) -> Option<String>,
    extra: BTreeMap<String, String>,
    index: usize,
    converter: &RdConverter,
) -> Result<Facility, InputError> {
    let num = |k: &str| -> Result<Option<f64>, InputError> {
        match get(k).filter(|s| !s.trim().is_empty()) {
            None => Ok(None),
            Some(s) => s
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .map(Some)
                .ok_or_else(|| invalid(path, format!("{what}: {k} = {s:?} is not a number"))),
        }
    };
    let name = get("name")
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| format!("facility {}", index + 1));
    let id = get("id")
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| format!("F{:03}", index + 1));
    let kind = get("type")
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| invalid(path, format!("{what} ({id}): the type is missing")))?;
    let (lon, lat) = position(
        (num("lon")?, num("lat")?),
        (num("x")?, num("y")?),
        converter,
    )
    .map_err(|e| invalid(path, format!("{what} ({id}): {e}")))?;
    let secure =
        parse_secure(get("secure")).map_err(|e| invalid(path, format!("{what} ({id}): {e}")))?;
    let (min_age, max_age) = (num("min_age")?, num("max_age")?);
    check_ages(min_age, max_age).map_err(|e| invalid(path, format!("{what} ({id}): {e}")))?;
    let label = format!("{what} ({id})");
    let date = |k: &str| -> Result<Option<String>, InputError> {
        match get(k).filter(|s| !s.is_empty()) {
            Some(d) if !crate::analysis::need::is_iso_date(d.trim()) => Err(invalid(
                path,
                format!("{label}: {k} {d:?} is not a date of the calendar (YYYY-MM-DD)"),
            )),
            other => Ok(other.map(|d| d.trim().to_string())),
        }
    };
    let nonneg = |k: &str, v: Option<f64>| -> Result<Option<f64>, InputError> {
        match v {
            Some(x) if x < 0.0 => Err(invalid(path, format!("{label}: {k} {x} is negative"))),
            other => Ok(other),
        }
    };
    Ok(Facility {
        id,
        name,
        kind,
        lon,
        lat,
        places: nonneg("places", num("places")?)?,
        free_places: nonneg("free_places", num("free_places")?)?,
        min_age,
        max_age,
        group_size: nonneg("group_size", num("group_size")?)?,
        staff_ratio: nonneg("staff_ratio", num("staff_ratio")?)?,
        secure,
        status: get("status")
            .map(|s| parse_status(&s))
            .unwrap_or(Status::Active),
        opening_date: date("opening_date")?,
        closing_date: date("closing_date")?,
        properties: extra,
    })
}

/// A facility's position: `lon,lat` (WGS84) if given, else `x,y` (RD New) converted.
fn position(
    (lon, lat): (Option<f64>, Option<f64>),
    (x, y): (Option<f64>, Option<f64>),
    converter: &RdConverter,
) -> Result<(f64, f64), String> {
    let (lon, lat) = match (lon, lat, x, y) {
        (Some(lon), Some(lat), _, _) => (lon, lat),
        (_, _, Some(x), Some(y)) => converter.to_wgs84(x, y).map_err(|e| e.to_string())?,
        _ => return Err("needs lon,lat (WGS84) or x,y (RD New)".into()),
    };
    if !((-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat)) {
        return Err(format!(
            "{lon},{lat} is not a WGS84 lon,lat (RD New goes in x,y)"
        ));
    }
    Ok((lon, lat))
}

/// An age range that runs forward.
fn check_ages(min_age: Option<f64>, max_age: Option<f64>) -> Result<(), String> {
    match (min_age, max_age) {
        (Some(a), Some(b)) if a > b => Err(format!("min_age {a} is above max_age {b}")),
        _ => Ok(()),
    }
}

/// The `secure` column: yes/true/1/ja or no/false/0/nee; empty is unknown.
fn parse_secure(value: Option<String>) -> Result<Option<bool>, String> {
    match value.map(|s| s.trim().to_ascii_lowercase()) {
        None => Ok(None),
        Some(s) if s.is_empty() => Ok(None),
        Some(s) if ["yes", "true", "1", "ja"].contains(&s.as_str()) => Ok(Some(true)),
        Some(s) if ["no", "false", "0", "nee"].contains(&s.as_str()) => Ok(Some(false)),
        Some(s) => Err(format!("secure = {s:?} is not yes/no")),
    }
}

/// Reads facilities from CSV (by extension `.csv`) or GeoJSON (Point features).
pub fn read_facilities(path: &Path) -> Result<Vec<Facility>, InputError> {
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let out = if is_csv {
        read_csv(path)?
    } else {
        read_geojson(path)?
    };
    let mut ids = std::collections::BTreeSet::new();
    for f in &out {
        if !ids.insert(f.id.clone()) {
            return Err(invalid(
                path,
                format!("facility id {:?} appears twice", f.id),
            ));
        }
    }
    if out.is_empty() {
        return Err(invalid(
            path,
            "no facilities in the file (only a header, or no features)",
        ));
    }
    Ok(out)
}

/// Facilities from CSV rows (at most [`MAX_FACILITIES`]).
fn read_csv(path: &Path) -> Result<Vec<Facility>, InputError> {
    let converter = RdConverter::new();
    let mut out = Vec::new();
    let (mut rdr, headers) = open_csv(path)?;
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| invalid(path, format!("line {line}: {e}")))?;
        let get = |k: &str| {
            headers
                .iter()
                .position(|h| h == k)
                .and_then(|c| rec.get(c))
                .map(|s| s.trim().to_string())
        };
        let extra = headers
            .iter()
            .zip(rec.iter())
            .filter(|(h, _)| !KNOWN.contains(&h.as_str()))
            .map(|(h, v)| (h.clone(), v.to_string()))
            .collect();
        if out.len() == MAX_FACILITIES {
            return Err(invalid(
                path,
                format!("more than {MAX_FACILITIES} facilities: is this a facilities file?"),
            ));
        }
        out.push(build_facility(
            path,
            &format!("line {line}"),
            &get,
            extra,
            i,
            &converter,
        )?);
    }
    Ok(out)
}

/// Facilities from GeoJSON Point features, their coordinates in WGS84 or RD New.
fn read_geojson(path: &Path) -> Result<Vec<Facility>, InputError> {
    let converter = RdConverter::new();
    let mut out = Vec::new();
    let text = crate::limits::read_to_string(path).map_err(|e| InputError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let fc: geojson::FeatureCollection = text.parse().map_err(|e: geojson::Error| {
        invalid(path, format!("not a GeoJSON FeatureCollection: {e}"))
    })?;
    for (i, f) in fc.features.iter().enumerate() {
        let what = format!("feature {i}");
        let Some(geojson::GeometryValue::Point { coordinates: p }) =
            f.geometry.as_ref().map(|g| &g.value)
        else {
            return Err(invalid(path, format!("{what} is not a Point")));
        };
        let p = p.as_slice();
        let (x, y) = (
            p.first().copied().unwrap_or(f64::NAN),
            p.get(1).copied().unwrap_or(f64::NAN),
        );
        let props = f.properties.clone().unwrap_or_default();
        let as_string = |v: &serde_json::Value| match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let mut map: BTreeMap<String, String> = props
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), as_string(v)))
            .collect();
        match Crs::detect(x, y) {
            Crs::Wgs84 => {
                map.insert("lon".into(), x.to_string());
                map.insert("lat".into(), y.to_string());
            }
            Crs::RdNew => {
                map.insert("x".into(), x.to_string());
                map.insert("y".into(), y.to_string());
            }
        }
        let get = |k: &str| map.get(k).cloned();
        let extra = map
            .iter()
            .filter(|(k, _)| !KNOWN.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        out.push(build_facility(path, &what, &get, extra, i, &converter)?);
    }
    Ok(out)
}
