//! Reading the configured inputs: municipalities (GeoJSON or OSM boundaries, with the
//! groupings applied) and facilities (a file or OSM tags).

use super::config::{Config, FacilitySource, MunicipalitySource};
use super::error::AppError;
use super::network::file_name;
use crate::analysis::Municipality;
use crate::analysis::inputs::{Facility, apply_groupings, read_facilities, read_municipalities};
use crate::ingest::areas::read_areas_and_points;

/// Municipalities from the configured source, with the groupings applied; and the file name.
pub(super) fn municipalities(config: &Config) -> Result<(Vec<Municipality>, String), AppError> {
    let Some(source) = &config.municipalities else {
        return Err(AppError::Usage(
            "give --municipalities FILE.geojson or --municipalities-osm FILE.osm.pbf".into(),
        ));
    };
    let (mut ms, name) = match source {
        MunicipalitySource::GeoJson(p) => (read_municipalities(p, &config.fields)?.0, file_name(p)),
        MunicipalitySource::Osm { path, admin_level } => {
            let (areas, _, report) = crate::pipeline::guard_decoder(path, || {
                read_areas_and_points(path, Some(*admin_level), None)
            })?;
            if areas.is_empty() {
                return Err(AppError::Mismatch(format!(
                    "{}: no boundary relations with admin_level={admin_level} could be assembled ({} found)",
                    path.display(),
                    report.relations
                )));
            }
            for (id, name) in &report.unclosed {
                tracing::warn!("boundary relation {id} ({name}) does not close and is left out");
            }
            for (id, name) in &report.unclosed_inner {
                tracing::warn!(
                    "boundary relation {id} ({name}): its inner rings do not close and are left out (the area includes its holes)"
                );
            }
            (
                municipalities_from_areas(areas, &path.display().to_string()),
                file_name(path),
            )
        }
    };
    apply_groupings(&mut ms, &config.groupings)?;
    if let Some(path) = &config.demand {
        crate::analysis::inputs::apply_demand(&mut ms, path)?;
    }
    Ok((ms, name))
}

/// Facilities from the configured source; and the file name.
pub(super) fn facilities(config: &Config) -> Result<(Vec<Facility>, String), AppError> {
    match &config.facilities {
        None => Err(AppError::Usage(
            "give --facilities FILE or --facilities-osm FILE --facility-tag KEY=VALUE".into(),
        )),
        Some(FacilitySource::File(p)) => Ok((read_facilities(p)?, file_name(p))),
        Some(FacilitySource::Osm { path, key, value }) => {
            let (_, points, _) = crate::pipeline::guard_decoder(path, || {
                read_areas_and_points(path, None, Some((key, value)))
            })?;
            if points.is_empty() {
                return Err(AppError::Mismatch(format!(
                    "{}: no node or closed way tagged {key}={value}",
                    path.display()
                )));
            }
            let fs = points
                .into_iter()
                .map(|pt| {
                    let name = pt.name.clone().unwrap_or_else(|| pt.osm_id.clone());
                    Facility::at(&pt.osm_id, &name, value, pt.lon, pt.lat)
                })
                .collect();
            Ok((fs, file_name(path)))
        }
    }
}

/// OSM boundary areas as municipalities. Population is unknown (every municipality weighs
/// the same, and outputs say so). Duplicate codes are made unique (`CODE-2`, …) with a warning.
fn municipalities_from_areas(
    areas: Vec<crate::ingest::areas::AdminArea>,
    source: &str,
) -> Vec<Municipality> {
    let mut seen: std::collections::BTreeMap<String, usize> = Default::default();
    let mut repaired = Vec::new();
    let ms = areas
        .into_iter()
        .map(|a| {
            let n = seen.entry(a.code.clone()).or_default();
            *n += 1;
            let code = if *n == 1 {
                a.code
            } else {
                let unique = format!("{}-{n}", a.code);
                tracing::warn!(
                    "boundary relation {} ({}) repeats code {}; it is called {unique}",
                    a.relation_id,
                    a.name,
                    a.code
                );
                unique
            };
            let (geometry, changed) = crate::analysis::repair::repair(&a.geometry);
            if changed {
                repaired.push(code.clone());
            }
            Municipality {
                code,
                name: a.name,
                population: 1.0,
                population_known: false,
                demand: None,
                regions: Default::default(),
                geometry,
            }
        })
        .collect();
    crate::analysis::inputs::report_repairs(source, &repaired);
    ms
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::areas::AdminArea;

    fn area(id: i64, code: &str) -> AdminArea {
        let square = geo::Polygon::new(
            geo::LineString::from(vec![
                (0.0, 0.0),
                (1.0, 0.0),
                (1.0, 1.0),
                (0.0, 1.0),
                (0.0, 0.0),
            ]),
            vec![],
        );
        AdminArea {
            relation_id: id,
            code: code.into(),
            name: format!("area {id}"),
            geometry: geo::MultiPolygon(vec![square]),
        }
    }

    #[test]
    fn duplicate_osm_codes_are_made_unique_and_population_is_unknown() {
        let ms = municipalities_from_areas(
            vec![
                area(1, "GM1"),
                area(2, "GM1"),
                area(3, "GM2"),
                area(4, "GM1"),
            ],
            "test.osm.pbf",
        );
        let codes: Vec<&str> = ms.iter().map(|m| m.code.as_str()).collect();
        assert_eq!(codes, ["GM1", "GM1-2", "GM2", "GM1-3"]);
        assert!(ms.iter().all(|m| !m.population_known));
    }
}
