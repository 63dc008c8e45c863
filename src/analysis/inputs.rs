//! Reading municipalities, groupings and facilities, with clear errors.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use geo::{Coord, LineString, MultiPolygon, Polygon};
use serde::{Deserialize, Serialize};

use super::crs::{Crs, RdConverter};
use crate::geodesy::parse_lonlat;

/// Errors in an input file. Every message names the file and, where it can, the feature or line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InputError {
    #[error("cannot read {path}: {message}")]
    Read { path: PathBuf, message: String },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

fn invalid(path: &Path, message: impl Into<String>) -> InputError {
    InputError::Invalid {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// Which properties of a municipality file mean what. Defaults fit CBS files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MunicipalityFields {
    pub code: String,
    pub name: String,
    /// Population used to weight shares and count young people (e.g. `est_0_22`; falls back
    /// to `inwoners_2024` and then to an equal weight when missing).
    pub population: Vec<String>,
    /// Groupings read from properties: grouping name → (code property, name property).
    pub groupings: BTreeMap<String, (String, String)>,
}

impl Default for MunicipalityFields {
    fn default() -> Self {
        let mut groupings = BTreeMap::new();
        groupings.insert(
            "jeugdregio".to_string(),
            ("jeugdregio_code".to_string(), "jeugdregio_naam".to_string()),
        );
        groupings.insert(
            "provincie".to_string(),
            ("provincie".to_string(), "provincie".to_string()),
        );
        MunicipalityFields {
            code: "gemeentecode".into(),
            name: "gemeentenaam".into(),
            population: vec!["est_0_22".into(), "inwoners_2024".into()],
            groupings,
        }
    }
}

/// A municipality, in WGS84.
#[derive(Debug, Clone, PartialEq)]
pub struct Municipality {
    pub code: String,
    pub name: String,
    /// The number of young people (or whatever population property was chosen); 1 when the
    /// input has none (see `population_known`).
    pub population: f64,
    /// Whether `population` came from the input.
    pub population_known: bool,
    /// Young people needing a place, from a demand file (`None`: from the placement rate).
    pub demand: Option<f64>,
    /// grouping name → (region code, region name)
    pub regions: BTreeMap<String, (String, String)>,
    pub geometry: MultiPolygon<f64>,
}

/// Reads a GeoJSON FeatureCollection of (Multi)Polygons in WGS84 or RD New (declared by a
/// `crs` member, or detected from the coordinates).
pub fn read_municipalities(
    path: &Path,
    fields: &MunicipalityFields,
) -> Result<(Vec<Municipality>, Crs), InputError> {
    let text = crate::limits::read_to_string(path).map_err(|e| InputError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| invalid(path, format!("not JSON: {e}")))?;
    if value.get("type").and_then(|t| t.as_str()) != Some("FeatureCollection") {
        return Err(invalid(path, "expected a GeoJSON FeatureCollection"));
    }
    let declared = value
        .pointer("/crs/properties/name")
        .and_then(|n| n.as_str())
        .map(Crs::from_name)
        .transpose()
        .map_err(|e| invalid(path, e.to_string()))?;
    let features = value
        .get("features")
        .and_then(|f| f.as_array())
        .ok_or_else(|| invalid(path, "the FeatureCollection has no features array"))?;
    let mut crs = declared;
    let converter = RdConverter::new();
    let mut out = Vec::with_capacity(features.len());
    let mut repaired = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (i, f) in features.iter().enumerate() {
        let props = f.get("properties").and_then(|p| p.as_object());
        let prop_str = |key: &str| -> Option<String> {
            props.and_then(|p| p.get(key)).and_then(|v| match v {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
        };
        let what = format!("feature {i}");
        let code = prop_str(&fields.code).ok_or_else(|| {
            invalid(
                path,
                format!(
                    "{what} has no {:?} property (set the code field)",
                    fields.code
                ),
            )
        })?;
        let name = prop_str(&fields.name).unwrap_or_else(|| code.clone());
        if !seen.insert(code.clone()) {
            return Err(invalid(
                path,
                format!("{what}: code {code:?} appears twice"),
            ));
        }
        let found = fields
            .population
            .iter()
            .find_map(|k| props.and_then(|p| p.get(k)).and_then(|v| v.as_f64()));
        let population_known = found.is_some();
        let population = found.unwrap_or(1.0);
        if !(population.is_finite() && population >= 0.0) {
            return Err(invalid(
                path,
                format!("{what} ({code}): population {population} is not a count"),
            ));
        }
        let mut regions = BTreeMap::new();
        for (grouping, (code_key, name_key)) in &fields.groupings {
            if let Some(rc) = prop_str(code_key) {
                let rn = prop_str(name_key).unwrap_or_else(|| rc.clone());
                regions.insert(grouping.clone(), (rc, rn));
            }
        }
        let geom = f
            .get("geometry")
            .filter(|g| !g.is_null())
            .ok_or_else(|| invalid(path, format!("{what} ({code}) has no geometry")))?;
        let geometry: geojson::Geometry = serde_json::from_value(geom.clone())
            .map_err(|e| invalid(path, format!("{what} ({code}): bad geometry: {e}")))?;
        let mp: MultiPolygon<f64> = match geometry.value {
            geojson::GeometryValue::Polygon { .. }
            | geojson::GeometryValue::MultiPolygon { .. } => {
                let g: geo::Geometry<f64> = geometry
                    .value
                    .try_into()
                    .map_err(|e: geojson::Error| invalid(path, format!("{what} ({code}): {e}")))?;
                match g {
                    geo::Geometry::Polygon(p) => MultiPolygon(vec![p]),
                    geo::Geometry::MultiPolygon(m) => m,
                    _ => {
                        return Err(invalid(
                            path,
                            format!("{what} ({code}) is not a (Multi)Polygon"),
                        ));
                    }
                }
            }
            _ => {
                return Err(invalid(
                    path,
                    format!("{what} ({code}) is not a (Multi)Polygon"),
                ));
            }
        };
        let first = mp.0.first().and_then(|p| p.exterior().0.first()).copied();
        let Some(first) = first else {
            return Err(invalid(
                path,
                format!("{what} ({code}) has an empty geometry"),
            ));
        };
        if let Some(d) = declared
            && Crs::detect(first.x, first.y) != d
        {
            return Err(invalid(
                path,
                format!(
                    "the file declares {d:?} but {what} ({code}) has coordinates {},{} that belong to {:?}; remove or correct the crs member",
                    first.x,
                    first.y,
                    Crs::detect(first.x, first.y)
                ),
            ));
        }
        let this_crs = *crs.get_or_insert_with(|| Crs::detect(first.x, first.y));
        let mp = match this_crs {
            Crs::Wgs84 => mp,
            Crs::RdNew => convert_multipolygon(&mp, &converter)
                .map_err(|e| invalid(path, format!("{what} ({code}): {e}")))?,
        };
        for c in mp.0.iter().flat_map(|p| p.exterior().0.iter()) {
            if !(c.x.is_finite()
                && c.y.is_finite()
                && (-180.0..=180.0).contains(&c.x)
                && (-90.0..=90.0).contains(&c.y))
            {
                return Err(invalid(
                    path,
                    format!(
                        "{what} ({code}): coordinate {},{} is neither WGS84 nor RD New",
                        c.x, c.y
                    ),
                ));
            }
        }
        let (mp, changed) = super::repair::repair(&mp);
        if changed {
            repaired.push(code.clone());
        }
        out.push(Municipality {
            code,
            name,
            population,
            population_known,
            demand: None,
            regions,
            geometry: mp,
        });
    }
    if out.is_empty() {
        return Err(invalid(path, "no municipalities in the file"));
    }
    report_repairs(&path.display().to_string(), &repaired);
    Ok((out, crs.unwrap_or(Crs::Wgs84)))
}

/// Says once how many boundaries were repaired (see `analysis::repair`).
pub fn report_repairs(source: &str, codes: &[String]) {
    if !codes.is_empty() {
        tracing::warn!(
            "{source}: repaired the boundaries of {} municipalities (rings that cross or touch themselves split into simple polygons, zero-area rings dropped): {}",
            codes.len(),
            codes.join(" ")
        );
    }
}

fn convert_multipolygon(
    mp: &MultiPolygon<f64>,
    c: &RdConverter,
) -> Result<MultiPolygon<f64>, super::crs::CrsError> {
    let ring = |ls: &LineString<f64>| -> Result<LineString<f64>, super::crs::CrsError> {
        ls.0.iter()
            .map(|p| c.to_wgs84(p.x, p.y).map(|(x, y)| Coord { x, y }))
            .collect::<Result<Vec<_>, _>>()
            .map(LineString)
    };
    let polys =
        mp.0.iter()
            .map(|p| {
                Ok(Polygon::new(
                    ring(p.exterior())?,
                    p.interiors()
                        .iter()
                        .map(ring)
                        .collect::<Result<Vec<_>, _>>()?,
                ))
            })
            .collect::<Result<Vec<_>, super::crs::CrsError>>()?;
    Ok(MultiPolygon(polys))
}

/// A CSV file read through the input limit (see [`crate::limits`]).
type CsvFile = crate::limits::Limited<std::fs::File>;

/// A CSV reader over a file, bounded by the input limit.
fn csv_reader(path: &Path) -> Result<csv::Reader<CsvFile>, InputError> {
    let file = crate::limits::open(path).map_err(|e| InputError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    Ok(csv::Reader::from_reader(file))
}

/// Opens a CSV file and reads its header, trimmed and lower-cased.
fn open_csv(path: &Path) -> Result<(csv::Reader<CsvFile>, Vec<String>), InputError> {
    let mut rdr = csv_reader(path)?;
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| invalid(path, e.to_string()))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    check_separator(path, &headers)?;
    Ok((rdr, headers))
}

/// A header read as one column that holds `;` or a tab was written with another separator:
/// say so instead of complaining about missing columns.
fn check_separator(path: &Path, headers: &[String]) -> Result<(), InputError> {
    if let [only] = headers {
        for (sep, name) in [(';', "semicolons"), ('\t', "tabs"), ('|', "vertical bars")] {
            if only.contains(sep) {
                return Err(invalid(
                    path,
                    format!(
                        "the columns are separated by {name}, not commas; save it as CSV with commas (the header reads {only:?})"
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The index of column `name` in `headers`, or an error that says which columns are expected.
fn column(
    path: &Path,
    headers: &[String],
    name: &str,
    expected: &str,
) -> Result<usize, InputError> {
    headers.iter().position(|h| h == name).ok_or_else(|| {
        invalid(
            path,
            format!("missing column {name:?} (expected {expected})"),
        )
    })
}

/// Reads a CSV mapping municipality code → group (`code,<grouping name>`); the header names
/// the grouping. Returns (grouping name, code → group).
pub fn read_grouping(path: &Path) -> Result<(String, BTreeMap<String, String>), InputError> {
    let mut rdr = csv_reader(path)?;
    let headers = rdr
        .headers()
        .map_err(|e| invalid(path, e.to_string()))?
        .clone();
    let lower: Vec<String> = headers
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    check_separator(path, &lower)?;
    if headers.len() < 2 {
        return Err(invalid(
            path,
            "expected two columns: municipality code, group (the header names the grouping)",
        ));
    }
    let name = headers.get(1).unwrap_or("group").trim().to_string();
    let mut map = BTreeMap::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| invalid(path, format!("line {}: {e}", i + 2)))?;
        let (Some(code), Some(group)) = (rec.get(0), rec.get(1)) else {
            return Err(invalid(
                path,
                format!("line {}: expected two columns", i + 2),
            ));
        };
        let code = code.trim().to_string();
        if let Some(old) = map.insert(code.clone(), group.trim().to_string()) {
            tracing::warn!(
                "{}: line {}: municipality {code} appears again (was {old:?}); the later row counts",
                path.display(),
                i + 2
            );
        }
    }
    Ok((name, map))
}

/// Reads weighted origin points: CSV `lon,lat,weight` (e.g. neighbourhood centroids with
/// their youth counts).
pub fn read_origins(path: &Path) -> Result<Vec<super::WeightedPoint>, InputError> {
    let (mut rdr, headers) = open_csv(path)?;
    let col = |n: &str| column(path, &headers, n, "lon,lat,weight");
    let (cx, cy, cw) = (col("lon")?, col("lat")?, col("weight")?);
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| invalid(path, format!("line {line}: {e}")))?;
        let num = |c: usize, what: &str| -> Result<f64, InputError> {
            rec.get(c)
                .and_then(|s| s.trim().parse::<f64>().ok())
                .filter(|v| v.is_finite())
                .ok_or_else(|| invalid(path, format!("line {line}: {what} is not a number")))
        };
        let (lon, lat, weight) = (num(cx, "lon")?, num(cy, "lat")?, num(cw, "weight")?);
        if weight < 0.0 {
            return Err(invalid(path, format!("line {line}: a negative weight")));
        }
        out.push(super::WeightedPoint { lon, lat, weight });
    }
    Ok(out)
}

/// The most points [`read_points`] reads (a matrix's origins or destinations).
pub const MAX_POINTS: usize = 500_000;

/// The most facilities a CSV file may hold (the Netherlands has a few hundred).
pub const MAX_FACILITIES: usize = 100_000;

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

/// Groupings from CSV files (`code,<grouping>`) added to the municipalities' regions.
pub fn apply_groupings(
    municipalities: &mut [Municipality],
    files: &[PathBuf],
) -> Result<(), InputError> {
    for path in files {
        let (name, map) = read_grouping(path)?;
        // A grouping the municipalities file already has (jeugdregio, provincie) is never
        // replaced: the custom one gets a name of its own.
        let name = if municipalities.iter().any(|m| m.regions.contains_key(&name)) {
            let own = format!("{name}_custom");
            tracing::warn!(
                "{}: the municipalities already have a {name} grouping; this one is called {own}",
                path.display()
            );
            own
        } else {
            name
        };
        check_codes(path, &format!("{name} group"), municipalities, &map)?;
        for m in municipalities.iter_mut() {
            if let Some(group) = map.get(&m.code) {
                m.regions
                    .insert(name.clone(), (group.clone(), group.clone()));
            }
        }
    }
    Ok(())
}

/// Checks that a file keyed by municipality code matches the municipalities: none matching is
/// an error; municipalities it leaves out and codes that match none are reported with their
/// count and the first codes.
fn check_codes<V>(
    path: &Path,
    what: &str,
    municipalities: &[Municipality],
    map: &BTreeMap<String, V>,
) -> Result<(), InputError> {
    let matched = municipalities
        .iter()
        .filter(|m| map.contains_key(&m.code))
        .count();
    if matched == 0 {
        return Err(invalid(
            path,
            format!(
                "none of its {} codes (e.g. {:?}) is a municipality code of the municipalities file (e.g. {:?}); the first column must hold municipality codes",
                map.len(),
                map.keys().next().map(String::as_str).unwrap_or(""),
                municipalities
                    .first()
                    .map(|m| m.code.as_str())
                    .unwrap_or("")
            ),
        ));
    }
    let left_out: Vec<&str> = municipalities
        .iter()
        .filter(|m| !map.contains_key(&m.code))
        .map(|m| m.code.as_str())
        .collect();
    if !left_out.is_empty() {
        tracing::warn!(
            "{}: {} municipalities are in no {what}: {}{}",
            path.display(),
            left_out.len(),
            left_out
                .iter()
                .take(10)
                .copied()
                .collect::<Vec<_>>()
                .join(" "),
            if left_out.len() > 10 { " …" } else { "" }
        );
    }
    let unknown = map.len() - matched;
    if unknown > 0 {
        tracing::warn!(
            "{}: {unknown} codes match no municipality and are ignored",
            path.display()
        );
    }
    Ok(())
}

/// Reads a demand file: CSV `<municipality code>,demand` (young people needing a place, e.g.
/// current placements or a waiting list) and sets it on the municipalities it names; the
/// others keep the demand of the placement rate.
pub fn apply_demand(municipalities: &mut [Municipality], path: &Path) -> Result<(), InputError> {
    let (mut rdr, headers) = open_csv(path)?;
    let cd = column(
        path,
        &headers,
        "demand",
        "a municipality code column, then demand",
    )?;
    let mut map = BTreeMap::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| invalid(path, format!("line {line}: {e}")))?;
        let code = rec.get(0).unwrap_or("").trim().to_string();
        let raw = rec.get(cd).unwrap_or("").trim();
        let v: f64 = raw
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| {
                invalid(
                    path,
                    format!("line {line}: demand {raw:?} is not a number of at least 0"),
                )
            })?;
        if map.insert(code.clone(), v).is_some() {
            return Err(invalid(
                path,
                format!("line {line}: municipality {code} appears twice"),
            ));
        }
    }
    check_codes(path, "demand row", municipalities, &map)?;
    for m in municipalities.iter_mut() {
        if let Some(d) = map.get(&m.code) {
            m.demand = Some(*d);
        }
    }
    Ok(())
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
    let (lon, lat) = match (num("lon")?, num("lat")?, num("x")?, num("y")?) {
        (Some(lon), Some(lat), _, _) => (lon, lat),
        (_, _, Some(x), Some(y)) => converter
            .to_wgs84(x, y)
            .map_err(|e| invalid(path, format!("{what} ({id}): {e}")))?,
        _ => {
            return Err(invalid(
                path,
                format!("{what} ({id}): needs lon,lat (WGS84) or x,y (RD New)"),
            ));
        }
    };
    if !((-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat)) {
        return Err(invalid(
            path,
            format!("{what} ({id}): {lon},{lat} is not a WGS84 lon,lat (RD New goes in x,y)"),
        ));
    }
    let secure = match get("secure").map(|s| s.trim().to_ascii_lowercase()) {
        None => None,
        Some(s) if s.is_empty() => None,
        Some(s) if ["yes", "true", "1", "ja"].contains(&s.as_str()) => Some(true),
        Some(s) if ["no", "false", "0", "nee"].contains(&s.as_str()) => Some(false),
        Some(s) => {
            return Err(invalid(
                path,
                format!("{what} ({id}): secure = {s:?} is not yes/no"),
            ));
        }
    };
    let (min_age, max_age) = (num("min_age")?, num("max_age")?);
    if let (Some(a), Some(b)) = (min_age, max_age)
        && a > b
    {
        return Err(invalid(
            path,
            format!("{what} ({id}): min_age {a} is above max_age {b}"),
        ));
    }
    let label = format!("{what} ({id})");
    let date = |k: &str| -> Result<Option<String>, InputError> {
        match get(k).filter(|s| !s.is_empty()) {
            Some(d) if !super::need::is_iso_date(d.trim()) => Err(invalid(
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

/// Reads facilities from CSV (by extension `.csv`) or GeoJSON (Point features).
pub fn read_facilities(path: &Path) -> Result<Vec<Facility>, InputError> {
    let converter = RdConverter::new();
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let mut out = Vec::new();
    if is_csv {
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
    } else {
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
    }
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
