//! Writing a coverage answer as GeoJSON (RFC 7946), CSV or JSON.

use geo::Orient;
use serde_json::{Map, Value, json};

use super::coverage::{CoverageResult, MunicipalityResult};
use super::inputs::Municipality;
use super::result::LabelLang;
use crate::units::round_dp;

mod scenario;
pub use scenario::{scenario_csv, scenario_geojson, scenario_text};

/// How a data output is written for its reader: the language of its labels and, for CSV,
/// the dialect (comma and decimal point, or what Dutch spreadsheets expect).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Layout {
    pub lang: LabelLang,
    pub csv: CsvDialect,
}

/// A CSV dialect.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CsvDialect {
    /// Comma separated, decimal point, UTF-8 (RFC 4180; GIS tools and scripts).
    #[default]
    Standard,
    /// Semicolon separated, decimal comma, UTF-8 with a byte-order mark: what Excel with
    /// Dutch regional settings opens in columns when double-clicked.
    Nl,
}

impl CsvDialect {
    /// `standard` (or `en`) or `nl`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "standard" | "en" => Some(CsvDialect::Standard),
            "nl" => Some(CsvDialect::Nl),
            _ => None,
        }
    }

    /// A CSV writer in this dialect.
    pub fn writer(self) -> csv::Writer<Vec<u8>> {
        let mut b = csv::WriterBuilder::new();
        if self == CsvDialect::Nl {
            b.delimiter(b';');
        }
        // The byte-order mark tells Excel the file is UTF-8 ("Súdwest-Fryslân").
        let start = if self == CsvDialect::Nl {
            "\u{feff}".as_bytes().to_vec()
        } else {
            Vec::new()
        };
        b.from_writer(start)
    }

    /// A number as this dialect writes it (`5.4` or `5,4`).
    pub fn number(self, text: String) -> String {
        match self {
            CsvDialect::Standard => text,
            CsvDialect::Nl => text.replace('.', ","),
        }
    }
}

/// The layer's name: what it holds, without spaces (it becomes a table name in a
/// GeoPackage), e.g. `nabij_coverage_kleinschalig_45min`.
pub fn layer_name(result: &CoverageResult) -> String {
    let minutes = result.need.limit_minutes;
    let minutes = if minutes.fract() == 0.0 {
        format!("{minutes:.0}")
    } else {
        format!("{minutes}").replace('.', "_")
    };
    let profile: String = result
        .need
        .profile
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("nabij_coverage_{profile}_{minutes}min")
}

/// A municipality's properties in reading order: code, name, the tier with its label and
/// rank (for styling), the figures, the question (profile and limit), its regions per
/// grouping, and whether the roads are synthetic.
fn properties(
    r: &MunicipalityResult,
    result: &CoverageResult,
    lang: LabelLang,
) -> Map<String, Value> {
    let base = match serde_json::to_value(r) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    let mut p = Map::new();
    for (k, v) in base {
        match k.as_str() {
            // Regions as flat properties (below): GIS tools cannot style on nested objects.
            "regions" => {}
            // One text cell, like every other property (GIS tools cannot style on lists).
            "unplaced_facilities" => {
                p.insert(k, Value::String(r.unplaced_facilities.join("; ")));
            }
            "status" => {
                p.insert(k, v);
                p.insert("status_label".into(), json!(r.status.label(lang)));
                p.insert("status_rank".into(), json!(r.status.rank()));
            }
            "status_peak" => {
                p.insert(k, v);
                p.insert(
                    "status_peak_label".into(),
                    json!(r.status_peak.map(|s| s.label(lang))),
                );
            }
            _ => {
                p.insert(k, v);
            }
        }
    }
    p.insert("need_profile".into(), json!(result.need.profile));
    p.insert(
        "limit_minutes".into(),
        json!(round_dp(result.need.limit_minutes, 1)),
    );
    p.insert("period".into(), json!(result.need.period));
    for (grouping, code) in &r.regions {
        p.insert(grouping.clone(), Value::String(code.clone()));
    }
    p.insert(
        "synthetic_roads".into(),
        Value::Bool(result.synthetic_roads),
    );
    p
}

/// A FeatureCollection of municipalities with their answers. Exterior rings are
/// counter-clockwise, coordinates WGS84 lon/lat, no `crs` member.
pub fn to_geojson(result: &CoverageResult, municipalities: &[Municipality]) -> Value {
    to_geojson_in(result, municipalities, LabelLang::default())
}

/// [`to_geojson`] with the labels in `lang`.
pub fn to_geojson_in(
    result: &CoverageResult,
    municipalities: &[Municipality],
    lang: LabelLang,
) -> Value {
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
                "properties": properties(r, result, lang),
                "geometry": geometry,
            })
        })
        .collect();
    json!({
        "type": "FeatureCollection",
        "name": layer_name(result),
        "nabij": {
            "need": result.need,
            "national": result.national,
            "synthetic_roads": result.synthetic_roads,
            "origin_kind": result.origin_kind,
            // The facilities that count for this question (the map page marks them apart).
            "suitable_facilities": result.suitable_facilities,
        },
        "features": features,
    })
}

/// The columns of the municipality CSV before the groupings and `synthetic_roads`, in the
/// order of each row in [`to_csv_as`].
const MUNICIPALITY_CSV_COLUMNS: [&str; 35] = [
    "code",
    "name",
    "status",
    "status_label",
    "status_rank",
    "status_peak",
    "status_peak_label",
    "robust",
    "margin_factor",
    "margin_minutes",
    "fragile",
    "share_within_limit",
    "minutes_median",
    "minutes_median_peak",
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
    "need_profile",
    "limit_minutes",
    "period",
];

/// One row per municipality, with the same fields as the GeoJSON properties.
pub fn to_csv(result: &CoverageResult) -> String {
    to_csv_as(result, Layout::default())
}

/// [`to_csv`] in a dialect, with labels in a language.
pub fn to_csv_as(result: &CoverageResult, layout: Layout) -> String {
    let groupings: std::collections::BTreeSet<String> = result
        .municipalities
        .iter()
        .flat_map(|r| r.regions.keys().cloned())
        .collect();
    let mut header: Vec<String> = MUNICIPALITY_CSV_COLUMNS.map(String::from).to_vec();
    header.extend(groupings.iter().cloned());
    header.push("synthetic_roads".into());
    let d = layout.csv;
    let mut w = d.writer();
    let _ = w.write_record(&header);
    let num = |x: f64, dp: i32| d.number(round_dp(x, dp).to_string());
    let opt = |v: Option<f64>, dp: i32| v.map(|x| num(x, dp)).unwrap_or_default();
    let text = |s: &str| csv_safe(s);
    for r in &result.municipalities {
        let mut row = vec![
            text(&r.code),
            text(&r.name),
            r.status.to_string(),
            r.status.label(layout.lang).to_string(),
            r.status.rank().to_string(),
            r.status_peak.map(|s| s.to_string()).unwrap_or_default(),
            r.status_peak
                .map(|s| s.label(layout.lang).to_string())
                .unwrap_or_default(),
            r.robust.map(|b| b.to_string()).unwrap_or_default(),
            opt(r.margin_factor, 3),
            opt(r.margin_minutes, 1),
            r.fragile.to_string(),
            num(r.share_within_limit, 3),
            opt(r.minutes_median, 1),
            opt(r.minutes_median_peak, 1),
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
            num(r.demand, 3),
            num(r.access_2sfca, 3),
            num(r.access_e2sfca, 3),
            num(r.placed_within_limit, 3),
            num(r.placed_in_region, 3),
            num(r.unplaced, 3),
            r.origins.to_string(),
            text(&result.need.profile),
            num(result.need.limit_minutes, 1),
            result.need.period.name().to_string(),
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

/// A region's properties, flat (lists become one text cell): grouping, code, name, the
/// figures, its gaps, the flags by rule and in words, and whether the roads are synthetic.
fn region_properties(r: &super::result::RegionResult, synthetic: bool) -> Map<String, Value> {
    let base = match serde_json::to_value(r) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    let mut p = Map::new();
    for (k, v) in base {
        match (k.as_str(), v) {
            ("flags", _) => {
                let rules: Vec<&str> = r.flags.iter().map(|f| f.rule).collect();
                p.insert("flag_count".into(), json!(r.flags.len()));
                p.insert("flags".into(), json!(rules.join("; ")));
            }
            (_, Value::Array(items)) => {
                let cells: Vec<String> = items
                    .iter()
                    .map(|i| {
                        i.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| i.to_string())
                    })
                    .collect();
                p.insert(k, json!(cells.join("; ")));
            }
            (_, Value::Object(inner)) => {
                for (ik, iv) in inner {
                    p.insert(format!("{k}_{ik}"), iv);
                }
            }
            (_, v) => {
                p.insert(k, v);
            }
        }
    }
    p.insert("synthetic_roads".into(), Value::Bool(synthetic));
    p
}

/// The regions of one grouping as a FeatureCollection: each region's polygon is the union
/// of its municipalities', with the regional figures and flags as flat properties.
pub fn regions_to_geojson(
    result: &CoverageResult,
    grouping: &str,
    municipalities: &[Municipality],
) -> Value {
    let features: Vec<Value> = result
        .regions
        .iter()
        .filter(|r| r.grouping == grouping)
        .map(|r| {
            let parts: Vec<geo::MultiPolygon<f64>> = result
                .municipalities
                .iter()
                .zip(municipalities)
                .filter(|(m, _)| m.regions.get(grouping) == Some(&r.code))
                .map(|(_, g)| g.geometry.clone())
                .collect();
            let polygons: Vec<&geo::Polygon<f64>> =
                parts.iter().flat_map(|mp| mp.0.iter()).collect();
            let area = geo::unary_union(polygons).orient(geo::orient::Direction::Default);
            json!({
                "type": "Feature",
                "id": r.code,
                "properties": region_properties(r, result.synthetic_roads),
                "geometry": geojson::Geometry::from(&area),
            })
        })
        .collect();
    json!({
        "type": "FeatureCollection",
        "name": layer_name(result).replacen("nabij_coverage", &format!("nabij_regions_{grouping}"), 1),
        "features": features,
    })
}

/// The regions of one grouping, one row each, with the fields of [`regions_to_geojson`].
pub fn regions_to_csv(result: &CoverageResult, grouping: &str, layout: Layout) -> String {
    let rows: Vec<Map<String, Value>> = result
        .regions
        .iter()
        .filter(|r| r.grouping == grouping)
        .map(|r| region_properties(r, result.synthetic_roads))
        .collect();
    let d = layout.csv;
    let mut w = d.writer();
    let header: Vec<String> = rows
        .first()
        .map(|r| r.keys().cloned().collect())
        .unwrap_or_default();
    let _ = w.write_record(&header);
    for r in &rows {
        let row: Vec<String> = header
            .iter()
            .map(|k| match r.get(k) {
                Some(Value::Number(n)) => d.number(n.to_string()),
                Some(Value::String(t)) => csv_safe(t),
                Some(Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            })
            .collect();
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
        "Coverage within {} min ({}: {}), {} travel times{}; {} suitable facilities",
        need.limit_minutes,
        need.profile,
        need.types.join(", "),
        match need.period {
            crate::analysis::need::PeriodChoice::Free => "free-flow",
            crate::analysis::need::PeriodChoice::Peak => "peak-hour",
            crate::analysis::need::PeriodChoice::Both => "free-flow and peak-hour",
        },
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
    let both = result
        .municipalities
        .iter()
        .any(|m| m.status_peak.is_some());
    let _ = writeln!(
        out,
        "\n{} {} {:<17} {}{:>7} {:>8} {:>8} {:>14}  nearest facility",
        pad("code", code_w),
        pad("municipality", name_w),
        "status",
        if both {
            format!("{:<17} ", "at peak")
        } else {
            String::new()
        },
        "share",
        "median",
        "worst",
        "margin"
    );
    let fmt = |v: Option<f64>| v.map(|x| format!("{x:.1}")).unwrap_or_else(|| "-".into());
    for m in &result.municipalities {
        let _ = writeln!(
            out,
            "{} {} {:<17} {}{:>6.0}% {:>8} {:>8} {:>14}  {}",
            pad(&m.code, code_w),
            pad(&m.name, name_w),
            m.status,
            match m.status_peak {
                Some(p) if both => format!("{:<17} ", p.to_string()),
                _ => String::new(),
            },
            round_dp(m.share_within_limit, 3) * 100.0,
            fmt(m.minutes_median),
            fmt(m.minutes_worst),
            margin_text(m),
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

/// A municipality's margin in the text table: minutes to spare (+) or short (−) at the
/// median young person, and `fragile` when a change under the need's margin changes the tier.
fn margin_text(m: &MunicipalityResult) -> String {
    match m.margin_minutes {
        Some(x) => format!("{x:+.1}{}", if m.fragile { " fragile" } else { "" }),
        None => "-".into(),
    }
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
        // The file's other columns as flat properties (GIS tools drop nested objects); one
        // that has the name of a known field keeps its value as `extra_<name>`.
        if let Some(Value::Object(extra)) = o.remove("properties") {
            for (k, v) in extra {
                let key = if o.contains_key(&k) {
                    format!("extra_{k}")
                } else {
                    k
                };
                o.insert(key, v);
            }
        }
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
