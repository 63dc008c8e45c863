//! Writing a coverage answer as GeoJSON (RFC 7946), CSV or JSON.

use geo::Orient;
use serde_json::{Map, Value, json};

use super::coverage::{CoverageResult, MunicipalityResult};
use super::inputs::Municipality;
use crate::units::round_dp;

fn properties(r: &MunicipalityResult, synthetic: bool) -> Map<String, Value> {
    let mut p = match serde_json::to_value(r) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    // Regions as flat properties (`jeugdregio`, `provincie`, custom groupings): GIS tools
    // cannot style on nested objects.
    p.remove("regions");
    // One text cell, like every other property (GIS tools cannot style on lists).
    p.insert(
        "unplaced_facilities".into(),
        Value::String(r.unplaced_facilities.join("; ")),
    );
    for (grouping, code) in &r.regions {
        p.insert(grouping.clone(), Value::String(code.clone()));
    }
    p.insert("synthetic_roads".into(), Value::Bool(synthetic));
    p
}

/// A FeatureCollection of municipalities with their answers. Exterior rings are
/// counter-clockwise, coordinates WGS84 lon/lat, no `crs` member.
pub fn to_geojson(result: &CoverageResult, municipalities: &[Municipality]) -> Value {
    let features: Vec<Value> = result
        .municipalities
        .iter()
        .zip(municipalities)
        .map(|(r, m)| {
            let oriented = m.geometry.orient(geo::orient::Direction::Default);
            let geometry = geojson::Geometry::from(&oriented);
            json!({
                "type": "Feature",
                "id": r.code,
                "properties": properties(r, result.synthetic_roads),
                "geometry": geometry,
            })
        })
        .collect();
    json!({
        "type": "FeatureCollection",
        "name": if result.synthetic_roads { "nabij_coverage (SYNTHETIC roads)" } else { "nabij_coverage" },
        "nabij": {
            "need": result.need,
            "national": result.national,
            "synthetic_roads": result.synthetic_roads,
            "origin_kind": result.origin_kind,
        },
        "features": features,
    })
}

/// One row per municipality, with the same fields as the GeoJSON properties.
pub fn to_csv(result: &CoverageResult) -> String {
    let groupings: std::collections::BTreeSet<String> = result
        .municipalities
        .iter()
        .flat_map(|r| r.regions.keys().cloned())
        .collect();
    let mut header = vec![
        "code",
        "name",
        "status",
        "share_within_limit",
        "minutes_median",
        "minutes_p90",
        "minutes_worst",
        "nearest_facility_id",
        "nearest_facility_name",
        "nearest_minutes",
        "facilities_within_limit",
        "facilities_within_limit_in_region",
        "planning_region",
        "facilities_in_municipality",
        "unplaced_facilities",
        "young_people",
        "demand",
        "access_2sfca",
        "access_e2sfca",
        "placed_within_limit",
        "placed_in_region",
        "unplaced",
        "origins",
    ]
    .into_iter()
    .map(String::from)
    .collect::<Vec<_>>();
    header.extend(groupings.iter().cloned());
    header.push("synthetic_roads".into());
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(&header);
    let opt = |v: Option<f64>, d: i32| v.map(|x| round_dp(x, d).to_string()).unwrap_or_default();
    let text = |s: &str| csv_safe(s);
    for r in &result.municipalities {
        let mut row = vec![
            text(&r.code),
            text(&r.name),
            r.status.to_string(),
            round_dp(r.share_within_limit, 3).to_string(),
            opt(r.minutes_median, 1),
            opt(r.minutes_p90, 1),
            opt(r.minutes_worst, 1),
            text(r.nearest_facility_id.as_deref().unwrap_or_default()),
            text(r.nearest_facility_name.as_deref().unwrap_or_default()),
            opt(r.nearest_minutes, 1),
            r.facilities_within_limit.to_string(),
            r.facilities_within_limit_in_region.to_string(),
            text(r.planning_region.as_deref().unwrap_or_default()),
            r.facilities_in_municipality.to_string(),
            text(&r.unplaced_facilities.join("; ")),
            opt(r.young_people, 3),
            round_dp(r.demand, 3).to_string(),
            round_dp(r.access_2sfca, 3).to_string(),
            round_dp(r.access_e2sfca, 3).to_string(),
            round_dp(r.placed_within_limit, 3).to_string(),
            round_dp(r.placed_in_region, 3).to_string(),
            round_dp(r.unplaced, 3).to_string(),
            r.origins.to_string(),
        ];
        row.extend(
            groupings
                .iter()
                .map(|g| text(r.regions.get(g).map(String::as_str).unwrap_or_default())),
        );
        row.push(result.synthetic_roads.to_string());
        let _ = w.write_record(&row);
    }
    String::from_utf8_lossy(&w.into_inner().unwrap_or_default()).into_owned()
}

/// The whole answer, with the regional table.
pub fn to_json(result: &CoverageResult) -> Value {
    serde_json::to_value(result).unwrap_or(Value::Null)
}

/// A plain-text summary for people: one line per municipality, then the regions.
pub fn to_text(result: &CoverageResult) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let need = &result.need;
    let _ = writeln!(
        out,
        "Coverage within {} min ({}: {}){}; {} suitable facilities",
        need.limit_minutes,
        need.profile,
        need.types.join(", "),
        if result.synthetic_roads {
            " on SYNTHETIC roads"
        } else {
            ""
        },
        result.suitable_facilities.len()
    );
    // Columns as wide as the longest code and name (names are never cut).
    let code_w = width(
        result.municipalities.iter().map(|m| m.code.as_str()),
        "code",
    )
    .max(8);
    let name_w = width(
        result.municipalities.iter().map(|m| m.name.as_str()),
        "municipality",
    )
    .max(22);
    let _ = writeln!(
        out,
        "\n{} {} {:<17} {:>7} {:>8} {:>8}  nearest facility",
        pad("code", code_w),
        pad("municipality", name_w),
        "status",
        "share",
        "median",
        "worst"
    );
    let fmt = |v: Option<f64>| v.map(|x| format!("{x:.1}")).unwrap_or_else(|| "-".into());
    for m in &result.municipalities {
        let _ = writeln!(
            out,
            "{} {} {:<17} {:>6.0}% {:>8} {:>8}  {}",
            pad(&m.code, code_w),
            pad(&m.name, name_w),
            m.status,
            round_dp(m.share_within_limit, 3) * 100.0,
            fmt(m.minutes_median),
            fmt(m.minutes_worst),
            match (&m.nearest_facility_name, m.nearest_minutes) {
                (Some(n), Some(t)) => format!("{n} ({t:.1} min)"),
                _ => "-".into(),
            }
        );
        for u in &m.unplaced_facilities {
            let _ = writeln!(out, "{}   not on the road network: {u}", pad("", code_w));
        }
    }
    out.push_str(&super::summary::summary(
        result,
        None,
        super::summary::Style::Text,
    ));
    out
}

/// The widest of `items` and `header`, in characters.
fn width<'a>(items: impl Iterator<Item = &'a str>, header: &str) -> usize {
    items
        .map(|s| s.chars().count())
        .chain([header.chars().count()])
        .max()
        .unwrap_or(0)
}

/// `s` padded with spaces to `w` characters (by characters, not bytes: names have accents).
fn pad(s: &str, w: usize) -> String {
    let n = s.chars().count();
    format!("{s}{}", " ".repeat(w.saturating_sub(n)))
}

/// A facility as a GeoJSON Feature: its record as properties (with the municipality it lies
/// in and, if it cannot be placed on the road network, why).
pub fn facility_feature(
    f: &super::Facility,
    municipality: Option<&str>,
    unplaced: Option<&str>,
) -> Value {
    let mut props = serde_json::to_value(f).unwrap_or(json!({}));
    if let Some(o) = props.as_object_mut() {
        o.remove("lon");
        o.remove("lat");
        o.insert("municipality".into(), json!(municipality));
        o.insert("unplaced".into(), json!(unplaced));
    }
    json!({"type": "Feature", "id": f.id, "properties": props, "geometry": {"type": "Point", "coordinates": [f.lon, f.lat]}})
}

/// A text cell as a spreadsheet must not run it: a cell that begins with `=`, `+`, `-`, `@`,
/// a tab or a carriage return is a formula to Excel and LibreOffice, so it gets a leading `'`
/// (OWASP's advice for CSV injection). Numbers are written apart and never pass here.
pub fn csv_safe(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::csv_safe;

    #[test]
    fn formulas_are_neutralised_and_names_kept() {
        assert_eq!(
            csv_safe("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        assert_eq!(csv_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_safe("-2+3"), "'-2+3");
        assert_eq!(csv_safe("'s-Gravenhage"), "'s-Gravenhage");
        assert_eq!(csv_safe("Súdwest-Fryslân"), "Súdwest-Fryslân");
    }
}
