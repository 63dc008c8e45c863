//! The coverage answer as a GeoPackage (OGC 12-128r18, version 1.3), written with the SQLite
//! the project already has: three feature layers (municipalities with their tiers and
//! figures, the regions of the planning grouping as polygons, the facilities as points) and a
//! QGIS style per layer in `layer_styles`, so that the municipalities open coloured by tier.
//! Geometries are GeoPackage binary headers with WKB, in WGS84 (EPSG:4326).

use std::path::Path;

use rusqlite::{Connection, params};
use serde_json::{Map, Value};

use super::Dataset;
use super::error::AppError;
use crate::analysis::CoverageResult;
use crate::analysis::coverage::CoverageStatus;
use crate::analysis::report::{regions_to_geojson, to_geojson_in};
use crate::analysis::result::LabelLang;

impl Dataset {
    /// A coverage answer as a GeoPackage (municipalities, regions and facilities, the
    /// municipalities styled by tier for QGIS), as bytes.
    pub fn geopackage(
        &self,
        result: &CoverageResult,
        lang: LabelLang,
    ) -> Result<Vec<u8>, AppError> {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        let facilities = self.facility_features(result);
        // SQLite writes files: a private one in the temporary folder, read back and removed.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let path = std::env::temp_dir().join(format!(
            "nabij-{}-{}-{nanos}.gpkg",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        // Created new and empty by this process (never an existing file or a link someone
        // placed there); SQLite then writes into it.
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| {
                AppError::Mismatch(format!(
                    "the GeoPackage could not be made in {}: {e}",
                    path.display()
                ))
            })?;
        let written = write(
            &path,
            result,
            &self.prepared.municipalities,
            &facilities,
            lang,
        )
        .and_then(|()| {
            std::fs::read(&path).map_err(|e| {
                AppError::Mismatch(format!("the GeoPackage could not be read back: {e}"))
            })
        });
        let _ = std::fs::remove_file(&path);
        written
    }
}

/// One layer: its table, what it is, its geometry type and its features (GeoJSON).
struct Layer {
    table: String,
    description: String,
    geometry_type: &'static str,
    features: Vec<Value>,
}

fn err(e: impl std::fmt::Display) -> AppError {
    AppError::Mismatch(format!("the GeoPackage could not be written: {e}"))
}

/// Writes the GeoPackage to `path` (a new file).
pub fn write(
    path: &Path,
    result: &CoverageResult,
    municipalities: &[crate::analysis::Municipality],
    facilities: &[Value],
    lang: LabelLang,
) -> Result<(), AppError> {
    let coverage = to_geojson_in(result, municipalities, lang);
    let grouping = match result.planning_grouping.as_str() {
        "national" => "jeugdregio",
        g => g,
    };
    let regions = regions_to_geojson(result, grouping, municipalities);
    let name = |v: &Value| v["name"].as_str().unwrap_or("nabij").to_string();
    let layers = [
        Layer {
            table: name(&coverage),
            description: "Municipalities with their tier and figures (nabij)".into(),
            geometry_type: "MULTIPOLYGON",
            features: features(&coverage),
        },
        Layer {
            table: name(&regions),
            description: format!("Regions of {grouping} with their figures and flags (nabij)"),
            geometry_type: "MULTIPOLYGON",
            features: features(&regions),
        },
        Layer {
            table: "nabij_facilities".into(),
            description: "Facilities; `counts` says whether they count for this question".into(),
            geometry_type: "POINT",
            features: facilities.to_vec(),
        },
    ];
    let c = Connection::open(path).map_err(err)?;
    create_metadata(&c)?;
    for layer in &layers {
        write_layer(&c, layer)?;
    }
    write_style(&c, &layers[0].table)?;
    Ok(())
}

fn features(fc: &Value) -> Vec<Value> {
    fc["features"].as_array().cloned().unwrap_or_default()
}

/// The GeoPackage's own tables, with WGS84 and the two undefined systems it requires.
fn create_metadata(c: &Connection) -> Result<(), AppError> {
    c.execute_batch(
        "PRAGMA application_id = 1196444487;
         PRAGMA user_version = 10300;
         CREATE TABLE gpkg_spatial_ref_sys (
           srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY,
           organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL,
           definition TEXT NOT NULL, description TEXT);
         INSERT INTO gpkg_spatial_ref_sys VALUES
           ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
           ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system'),
           ('WGS 84 geodetic', 4326, 'EPSG', 4326, 'GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\",SPHEROID[\"WGS 84\",6378137,298.257223563,AUTHORITY[\"EPSG\",\"7030\"]],AUTHORITY[\"EPSG\",\"6326\"]],PRIMEM[\"Greenwich\",0,AUTHORITY[\"EPSG\",\"8901\"]],UNIT[\"degree\",0.0174532925199433,AUTHORITY[\"EPSG\",\"9122\"]],AXIS[\"Latitude\",NORTH],AXIS[\"Longitude\",EAST],AUTHORITY[\"EPSG\",\"4326\"]]', 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid');
         CREATE TABLE gpkg_contents (
           table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
           identifier TEXT UNIQUE, description TEXT DEFAULT '',
           last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
           min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE,
           srs_id INTEGER, CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
         CREATE TABLE gpkg_geometry_columns (
           table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
           srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
           CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
           CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
           CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));",
    )
    .map_err(err)
}

/// A column's SQLite type from the values it holds.
fn column_type(values: &[&Value]) -> &'static str {
    let present: Vec<&&Value> = values.iter().filter(|v| !v.is_null()).collect();
    if present.iter().all(|v| v.is_boolean()) && !present.is_empty() {
        "BOOLEAN"
    } else if present.iter().all(|v| v.is_i64() || v.is_u64()) && !present.is_empty() {
        "INTEGER"
    } else if present.iter().all(|v| v.is_number()) && !present.is_empty() {
        "DOUBLE"
    } else {
        "TEXT"
    }
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// One feature table: its columns from the features' properties, its rows, its entry in
/// the contents with the extent.
fn write_layer(c: &Connection, layer: &Layer) -> Result<(), AppError> {
    let props: Vec<Map<String, Value>> = layer
        .features
        .iter()
        .map(|f| f["properties"].as_object().cloned().unwrap_or_default())
        .collect();
    let (columns, types) = columns_of(&props);
    let defs: Vec<String> = columns
        .iter()
        .zip(&types)
        .map(|(k, t)| format!("{} {t}", quoted(k)))
        .collect();
    let table = quoted(&layer.table);
    c.execute_batch(&format!(
        "CREATE TABLE {table} (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom {}{}{});",
        layer.geometry_type,
        if defs.is_empty() { "" } else { ", " },
        defs.join(", ")
    ))
    .map_err(err)?;
    let marks: Vec<String> = (0..columns.len() + 1)
        .map(|i| format!("?{}", i + 1))
        .collect();
    let insert = format!(
        "INSERT INTO {table} (geom{}{}) VALUES ({})",
        if columns.is_empty() { "" } else { ", " },
        columns
            .iter()
            .map(|k| quoted(k))
            .collect::<Vec<_>>()
            .join(", "),
        marks.join(", ")
    );
    let mut extent = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    let tx = c.unchecked_transaction().map_err(err)?;
    {
        let mut st = tx.prepare(&insert).map_err(err)?;
        for (f, p) in layer.features.iter().zip(&props) {
            let geometry: Option<geo::Geometry<f64>> =
                serde_json::from_value::<geojson::Geometry>(f["geometry"].clone())
                    .ok()
                    .and_then(|g| g.value.try_into().ok());
            let blob = geometry.as_ref().map(|g| gpkg_blob(g, &mut extent));
            let mut values: Vec<rusqlite::types::Value> = vec![match blob {
                Some(b) => rusqlite::types::Value::Blob(b),
                None => rusqlite::types::Value::Null,
            }];
            values.extend(columns.iter().map(|k| sql_value(p.get(k))));
            st.execute(rusqlite::params_from_iter(values))
                .map_err(err)?;
        }
    }
    let (minx, miny, maxx, maxy) = if extent[0].is_finite() {
        (
            Some(extent[0]),
            Some(extent[1]),
            Some(extent[2]),
            Some(extent[3]),
        )
    } else {
        (None, None, None, None)
    };
    tx.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, min_x, min_y, max_x, max_y, srs_id) VALUES (?1, 'features', ?1, ?2, ?3, ?4, ?5, ?6, 4326)",
        params![layer.table, layer.description, minx, miny, maxx, maxy],
    )
    .map_err(err)?;
    tx.execute(
        "INSERT INTO gpkg_geometry_columns VALUES (?1, 'geom', ?2, 4326, 0, 0)",
        params![layer.table, layer.geometry_type],
    )
    .map_err(err)?;
    tx.commit().map_err(err)
}

/// A property's value as SQLite stores it: booleans as 0/1, integers as integers, other
/// numbers as reals, strings as text, lists and objects as their JSON text.
fn sql_value(v: Option<&Value>) -> rusqlite::types::Value {
    match v {
        None | Some(Value::Null) => rusqlite::types::Value::Null,
        Some(Value::Bool(b)) => rusqlite::types::Value::Integer(i64::from(*b)),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(i) => rusqlite::types::Value::Integer(i),
            None => rusqlite::types::Value::Real(n.as_f64().unwrap_or(f64::NAN)),
        },
        Some(Value::String(s)) => rusqlite::types::Value::Text(s.clone()),
        Some(other) => rusqlite::types::Value::Text(other.to_string()),
    }
}

/// The layer's columns (every property of any feature, in order of first appearance, but
/// `fid` and `geom`) and the SQL type of each.
fn columns_of(props: &[Map<String, Value>]) -> (Vec<String>, Vec<&'static str>) {
    let mut columns: Vec<String> = Vec::new();
    for p in props {
        for k in p.keys() {
            if !columns.contains(k) && !k.eq_ignore_ascii_case("fid") && k != "geom" {
                columns.push(k.clone());
            }
        }
    }
    let types: Vec<&str> = columns
        .iter()
        .map(|k| {
            column_type(
                &props
                    .iter()
                    .map(|p| p.get(k).unwrap_or(&Value::Null))
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    (columns, types)
}

/// A GeoPackage geometry: the binary header (magic, version, flags for little-endian with an
/// XY envelope, the SRS id, the envelope) followed by WKB. Widens `extent` by the envelope.
fn gpkg_blob(g: &geo::Geometry<f64>, extent: &mut [f64; 4]) -> Vec<u8> {
    use geo::BoundingRect;
    let mut out = vec![b'G', b'P', 0, 0b0000_0011];
    out.extend_from_slice(&4326i32.to_le_bytes());
    let r = g
        .bounding_rect()
        .unwrap_or(geo::Rect::new((0.0, 0.0), (0.0, 0.0)));
    for v in [r.min().x, r.max().x, r.min().y, r.max().y] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    *extent = [
        extent[0].min(r.min().x),
        extent[1].min(r.min().y),
        extent[2].max(r.max().x),
        extent[3].max(r.max().y),
    ];
    wkb(g, &mut out);
    out
}

/// Little-endian WKB of the geometries nabij writes (points and (multi)polygons).
fn wkb(g: &geo::Geometry<f64>, out: &mut Vec<u8>) {
    let head = |out: &mut Vec<u8>, kind: u32| {
        out.push(1);
        out.extend_from_slice(&kind.to_le_bytes());
    };
    let ring = |out: &mut Vec<u8>, ls: &geo::LineString<f64>| {
        out.extend_from_slice(&(ls.0.len() as u32).to_le_bytes());
        for c in &ls.0 {
            out.extend_from_slice(&c.x.to_le_bytes());
            out.extend_from_slice(&c.y.to_le_bytes());
        }
    };
    let polygon = |out: &mut Vec<u8>, p: &geo::Polygon<f64>| {
        head(out, 3);
        out.extend_from_slice(&(1 + p.interiors().len() as u32).to_le_bytes());
        ring(out, p.exterior());
        for i in p.interiors() {
            ring(out, i);
        }
    };
    match g {
        geo::Geometry::Point(p) => {
            head(out, 1);
            out.extend_from_slice(&p.x().to_le_bytes());
            out.extend_from_slice(&p.y().to_le_bytes());
        }
        geo::Geometry::Polygon(p) => {
            head(out, 6);
            out.extend_from_slice(&1u32.to_le_bytes());
            polygon(out, p);
        }
        geo::Geometry::MultiPolygon(mp) => {
            head(out, 6);
            out.extend_from_slice(&(mp.0.len() as u32).to_le_bytes());
            for p in &mp.0 {
                polygon(out, p);
            }
        }
        // nabij writes no other geometry into a GeoPackage: an empty multipolygon.
        _ => {
            head(out, 6);
            out.extend_from_slice(&0u32.to_le_bytes());
        }
    }
}

/// QGIS's `layer_styles` with the municipalities' style: categories by tier, in the tier
/// colours of the map page, labelled as the layer's labels are.
fn write_style(c: &Connection, table: &str) -> Result<(), AppError> {
    let categories: String = CoverageStatus::ALL
        .iter()
        .enumerate()
        .map(|(i, s)| {
            format!(
                r#"<category symbol="{i}" value="{}" label="{}" render="true"/>"#,
                s.rank(),
                s.label(LabelLang::Nl)
            )
        })
        .collect();
    let symbols: String = CoverageStatus::ALL
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let hex = crate::document::tier_colour(*s).trim_start_matches('#');
            let rgb: Vec<u8> = (0..3)
                .map(|k| u8::from_str_radix(&hex[2 * k..2 * k + 2], 16).unwrap_or(128))
                .collect();
            format!(
                r#"<symbol type="fill" name="{i}" alpha="1"><layer class="SimpleFill" enabled="1" locked="0"><Option type="Map"><Option name="color" type="QString" value="{},{},{},255"/><Option name="outline_color" type="QString" value="60,60,60,255"/><Option name="outline_width" type="QString" value="0.26"/><Option name="style" type="QString" value="solid"/></Option></layer></symbol>"#,
                rgb[0], rgb[1], rgb[2]
            )
        })
        .collect();
    let qml = format!(
        r#"<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'><qgis version="3.28" styleCategories="Symbology"><renderer-v2 type="categorizedSymbol" attr="status_rank" forceraster="0" symbollevels="0" enableorderby="0"><categories>{categories}</categories><symbols>{symbols}</symbols></renderer-v2></qgis>"#
    );
    c.execute_batch(
        "CREATE TABLE layer_styles (
           id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256), f_table_schema TEXT(256),
           f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT,
           styleSLD TEXT, useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),
           update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')));
         INSERT INTO gpkg_contents (table_name, data_type, identifier, description) VALUES ('layer_styles', 'attributes', 'layer_styles', 'QGIS styles');",
    )
    .map_err(err)?;
    c.execute(
        "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, owner, ui) VALUES ('', '', ?1, 'geom', 'tier', ?2, '', 1, 'Coloured by tier (nabij)', '', '')",
        params![table, qml],
    )
    .map_err(err)?;
    Ok(())
}
