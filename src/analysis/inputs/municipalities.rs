//! The municipality file: GeoJSON polygons with code, name, population and regions, in
//! WGS84 or RD New.

use std::collections::BTreeMap;
use std::path::Path;

use geo::{Coord, LineString, MultiPolygon, Polygon};
use serde::{Deserialize, Serialize};

use super::{InputError, invalid};
use crate::analysis::crs::{Crs, RdConverter};

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
    let mut reader = FeatureReader {
        path,
        fields,
        declared,
        crs: declared,
        converter: RdConverter::new(),
    };
    let mut out = Vec::with_capacity(features.len());
    let mut repaired = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (i, f) in features.iter().enumerate() {
        let mut m = reader.municipality(i, f)?;
        if !seen.insert(m.code.clone()) {
            return Err(invalid(
                path,
                format!("feature {i}: code {:?} appears twice", m.code),
            ));
        }
        let (mp, changed) = crate::analysis::repair::repair(&m.geometry);
        if changed {
            repaired.push(m.code.clone());
        }
        m.geometry = mp;
        out.push(m);
    }
    if out.is_empty() {
        return Err(invalid(path, "no municipalities in the file"));
    }
    report_repairs(&path.display().to_string(), &repaired);
    Ok((out, reader.crs.unwrap_or(Crs::Wgs84)))
}

/// Reads the features of one municipality file: the fields to use and the file's CRS
/// (declared, or detected from the first feature and then held).
struct FeatureReader<'a> {
    path: &'a Path,
    fields: &'a MunicipalityFields,
    declared: Option<Crs>,
    crs: Option<Crs>,
    converter: RdConverter,
}

impl FeatureReader<'_> {
    /// Feature `i` as a municipality: code, name, population, regions and its polygons in
    /// WGS84 (not yet repaired).
    fn municipality(
        &mut self,
        i: usize,
        f: &serde_json::Value,
    ) -> Result<Municipality, InputError> {
        let (path, fields) = (self.path, self.fields);
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
        let found = fields
            .population
            .iter()
            .find_map(|k| props.and_then(|p| p.get(k)).and_then(|v| v.as_f64()));
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
        let label = format!("{what} ({code})");
        let geometry = self.polygons(f, &label)?;
        Ok(Municipality {
            code,
            name,
            population,
            population_known: found.is_some(),
            demand: None,
            regions,
            geometry,
        })
    }

    /// A feature's (Multi)Polygon in WGS84, checked against the file's CRS.
    fn polygons(
        &mut self,
        f: &serde_json::Value,
        label: &str,
    ) -> Result<MultiPolygon<f64>, InputError> {
        let path = self.path;
        let geom = f
            .get("geometry")
            .filter(|g| !g.is_null())
            .ok_or_else(|| invalid(path, format!("{label} has no geometry")))?;
        let geometry: geojson::Geometry = serde_json::from_value(geom.clone())
            .map_err(|e| invalid(path, format!("{label}: bad geometry: {e}")))?;
        let not_polygons = || invalid(path, format!("{label} is not a (Multi)Polygon"));
        let mp: MultiPolygon<f64> = match geometry.value {
            geojson::GeometryValue::Polygon { .. }
            | geojson::GeometryValue::MultiPolygon { .. } => {
                let g: geo::Geometry<f64> = geometry
                    .value
                    .try_into()
                    .map_err(|e: geojson::Error| invalid(path, format!("{label}: {e}")))?;
                match g {
                    geo::Geometry::Polygon(p) => MultiPolygon(vec![p]),
                    geo::Geometry::MultiPolygon(m) => m,
                    _ => return Err(not_polygons()),
                }
            }
            _ => return Err(not_polygons()),
        };
        let first = mp.0.first().and_then(|p| p.exterior().0.first()).copied();
        let Some(first) = first else {
            return Err(invalid(path, format!("{label} has an empty geometry")));
        };
        if let Some(d) = self.declared
            && Crs::detect(first.x, first.y) != d
        {
            return Err(invalid(
                path,
                format!(
                    "the file declares {d:?} but {label} has coordinates {},{} that belong to {:?}; remove or correct the crs member",
                    first.x,
                    first.y,
                    Crs::detect(first.x, first.y)
                ),
            ));
        }
        let this_crs = *self
            .crs
            .get_or_insert_with(|| Crs::detect(first.x, first.y));
        let mp = match this_crs {
            Crs::Wgs84 => mp,
            Crs::RdNew => convert_multipolygon(&mp, &self.converter)
                .map_err(|e| invalid(path, format!("{label}: {e}")))?,
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
                        "{label}: coordinate {},{} is neither WGS84 nor RD New",
                        c.x, c.y
                    ),
                ));
            }
        }
        Ok(mp)
    }
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

pub(super) fn convert_multipolygon(
    mp: &MultiPolygon<f64>,
    c: &RdConverter,
) -> Result<MultiPolygon<f64>, crate::analysis::crs::CrsError> {
    let ring = |ls: &LineString<f64>| -> Result<LineString<f64>, crate::analysis::crs::CrsError> {
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
            .collect::<Result<Vec<_>, crate::analysis::crs::CrsError>>()?;
    Ok(MultiPolygon(polys))
}
