//! The writers of a scenario's difference from the baseline: GeoJSON of the municipalities'
//! change, CSV, and the text the CLI prints.

use serde_json::{Value, json};

use super::{csv_safe, to_geojson};
use crate::analysis::coverage::CoverageResult;
use crate::analysis::inputs::Municipality;
use crate::units::round_dp;

/// A scenario's coverage as GeoJSON: the scenario's answer per municipality, with its tier
/// before (`status_before`), how it moved (`effect`: better, same, worse) and its share within
/// the limit before, for a map of the change.
pub fn scenario_geojson(
    after: &CoverageResult,
    diff: &crate::analysis::scenario::ScenarioDiff,
    municipalities: &[Municipality],
    name: &str,
) -> Value {
    let mut v = to_geojson(after, municipalities);
    let by_code: std::collections::BTreeMap<&str, &crate::analysis::scenario::MunicipalityChange> =
        diff.municipalities
            .iter()
            .map(|m| (m.code.as_str(), m))
            .collect();
    if let Some(features) = v["features"].as_array_mut() {
        for f in features {
            let code = f["id"].as_str().unwrap_or_default().to_string();
            if let (Some(c), Some(p)) =
                (by_code.get(code.as_str()), f["properties"].as_object_mut())
            {
                p.insert("status_before".into(), json!(c.status_before));
                p.insert("effect".into(), json!(c.effect));
                p.insert(
                    "share_within_limit_before".into(),
                    json!(round_dp(c.share_within_limit_before, 3)),
                );
            }
        }
    }
    v["name"] = json!(format!(
        "nabij_scenario {name}{}",
        if after.synthetic_roads {
            " (SYNTHETIC roads)"
        } else {
            ""
        }
    ));
    v
}

/// The change per municipality as CSV.
pub fn scenario_csv(diff: &crate::analysis::scenario::ScenarioDiff) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "code",
        "name",
        "status_before",
        "status_after",
        "effect",
        "share_within_limit_before",
        "share_within_limit_after",
        "nearest_minutes_before",
        "nearest_minutes_after",
        "nearest_facility_after",
        "young_people",
    ]);
    let opt = |x: Option<f64>| x.map(|x| round_dp(x, 1).to_string()).unwrap_or_default();
    for m in &diff.municipalities {
        let _ = w.write_record([
            csv_safe(&m.code),
            csv_safe(&m.name),
            m.status_before.as_str().to_string(),
            m.status_after.as_str().to_string(),
            m.effect.as_str().to_string(),
            round_dp(m.share_within_limit_before, 3).to_string(),
            round_dp(m.share_within_limit_after, 3).to_string(),
            opt(m.nearest_minutes_before),
            opt(m.nearest_minutes_after),
            csv_safe(m.nearest_facility_after.as_deref().unwrap_or("")),
            round_dp(m.young_people, 3).to_string(),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// A scenario's diff in words.
pub fn scenario_text(
    scenario: &crate::analysis::scenario::Scenario,
    diff: &crate::analysis::scenario::ScenarioDiff,
    synthetic: bool,
) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Scenario {:?}: {} change(s)",
        scenario.name,
        scenario.changes.len()
    );
    for c in &scenario.changes {
        let _ = writeln!(s, "  {} {}", c.op(), c.id());
    }
    if synthetic {
        let _ = writeln!(s, "(travel times on SYNTHETIC roads)");
    }
    let _ = writeln!(
        s,
        "Municipalities changing tier: {}",
        diff.municipalities_changed
    );
    for m in diff.changed() {
        let _ = writeln!(
            s,
            "  {} {}: {} -> {} ({})",
            m.code,
            m.name,
            m.status_before,
            m.status_after,
            m.effect.as_str()
        );
    }
    s.push_str(&national_change_text(diff));
    s.push_str(&region_change_text(diff));
    s
}

/// The national lines of a scenario's diff: young people, places, demand.
fn national_change_text(diff: &crate::analysis::scenario::ScenarioDiff) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let n = |x: f64| format!("{:.0}", x);
    let _ = writeln!(
        s,
        "Young people within the limit: {} -> {} ({:+.0})",
        n(diff.young_people_within_limit_before),
        n(diff.young_people_within_limit_after),
        diff.young_people_within_limit_after - diff.young_people_within_limit_before
    );
    let _ = writeln!(
        s,
        "Young people of municipalities that newly meet the norm (own municipality, or half or more within the limit): {}; that no longer meet it: {}",
        n(diff.young_people_gaining_within_limit),
        n(diff.young_people_losing_within_limit)
    );
    let _ = writeln!(
        s,
        "Young people newly served in their region: {}; no longer: {}",
        n(diff.young_people_gaining_in_region),
        n(diff.young_people_losing_in_region)
    );
    let _ = writeln!(
        s,
        "Places: {:.1} -> {:.1}; expected placements within the limit: {:.1} -> {:.1}; without a place: {:.1} -> {:.1}",
        diff.places_before,
        diff.places_after,
        diff.placed_within_limit_before,
        diff.placed_within_limit_after,
        diff.unplaced_before,
        diff.unplaced_after
    );
    let _ = writeln!(
        s,
        "Demand: {:.2} young people per 10,000 need a place ({}), the same before and after",
        diff.placements_per_10k,
        diff.demand_source.replace('_', " ")
    );
    s
}

/// The lines of the regions a scenario changes (share within the limit, flags).
fn region_change_text(diff: &crate::analysis::scenario::ScenarioDiff) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let moved: Vec<_> = diff
        .regions
        .iter()
        .filter(|r| {
            !r.flags_cleared.is_empty()
                || !r.flags_raised.is_empty()
                || (r.share_within_limit_after - r.share_within_limit_before).abs() > 5e-4
        })
        .collect();
    if !moved.is_empty() {
        let _ = writeln!(s, "Regions that change:");
    }
    for r in moved {
        let _ = writeln!(
            s,
            "  {} {} {}: share within the limit {:.1}% -> {:.1}%{}{}",
            r.grouping,
            r.code,
            r.name,
            100.0 * r.share_within_limit_before,
            100.0 * r.share_within_limit_after,
            if r.flags_cleared.is_empty() {
                String::new()
            } else {
                format!("; flags cleared: {}", r.flags_cleared.join(", "))
            },
            if r.flags_raised.is_empty() {
                String::new()
            } else {
                format!("; new flags: {}", r.flags_raised.join(", "))
            },
        );
    }
    s
}
