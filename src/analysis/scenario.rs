//! What-if scenarios: a named list of changes to the baseline facilities (add a unit, close
//! one, change its places or kind, move it), applied in order, and the difference between
//! the coverage of the scenario and that of the baseline.
//!
//! The JSON form is the one every client writes:
//! `{"name": "…", "changes": [{"op": "add", "id": "N1", "type": "kleinschalig_verblijf",
//! "lon": 5.1, "lat": 52.1, "places": 4}, {"op": "close", "id": "F003"}, …]}`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::coverage::{CoverageResult, CoverageStatus};
use super::inputs::Facility;
use crate::units::round_dp;

/// At most this many changes in one scenario (a region plans a handful of units).
pub const MAX_CHANGES: usize = 1000;
const MAX_TEXT: usize = 200;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub changes: Vec<Change>,
}

/// One change to the facilities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Change {
    /// A new unit, placed at `lon`/`lat` or at a municipality's representative point.
    Add {
        id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(rename = "type")]
        kind: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lon: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lat: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        municipality: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        places: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min_age: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_age: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        group_size: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        opening_date: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        closing_date: Option<String>,
    },
    /// The unit is closed (it leaves the scenario).
    Close {
        id: String,
    },
    SetPlaces {
        id: String,
        places: f64,
    },
    SetType {
        id: String,
        #[serde(rename = "type")]
        kind: String,
    },
    /// The unit moves to `lon`/`lat` or to a municipality's representative point.
    Move {
        id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lon: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lat: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        municipality: Option<String>,
    },
}

impl Change {
    pub fn op(&self) -> &'static str {
        match self {
            Change::Add { .. } => "add",
            Change::Close { .. } => "close",
            Change::SetPlaces { .. } => "set_places",
            Change::SetType { .. } => "set_type",
            Change::Move { .. } => "move",
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Change::Add { id, .. }
            | Change::Close { id }
            | Change::SetPlaces { id, .. }
            | Change::SetType { id, .. }
            | Change::Move { id, .. } => id,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ScenarioError {
    #[error("{0}")]
    Invalid(String),
    /// `index` counts from 0 (as `changes[index]` in the JSON); the message counts from 1,
    /// as people do.
    #[error("change {} ({op} {:?}): {message}", index + 1, short(id))]
    Change {
        index: usize,
        op: &'static str,
        id: String,
        message: String,
    },
}

/// An id as echoed in an error: at most 100 characters (a megabyte-long id is not sent back).
fn short(id: &str) -> String {
    match id.char_indices().nth(100) {
        Some((at, _)) => format!("{}…", &id[..at]),
        None => id.to_string(),
    }
}

/// What `apply` needs from the data: where a municipality lies and which types are known.
pub trait Resolver {
    /// The representative point of a municipality by code.
    fn municipality_point(&self, code: &str) -> Option<(f64, f64)>;
    /// `Err` with the known types when the type is unknown.
    fn check_type(&self, kind: &str) -> Result<(), String>;
}

fn check_text(what: &str, s: &str) -> Result<(), String> {
    if s.trim().is_empty() {
        return Err(format!("{what} is empty"));
    }
    if s.chars().count() > MAX_TEXT {
        return Err(format!("{what} is longer than {MAX_TEXT} characters"));
    }
    if s.chars().any(char::is_control) {
        return Err(format!("{what} contains control characters"));
    }
    Ok(())
}

fn check_places(p: f64) -> Result<(), String> {
    if !(p.is_finite() && p > 0.0 && p <= 1000.0) {
        return Err(format!("places must be above 0 and at most 1000, not {p}"));
    }
    Ok(())
}

fn check_age(what: &str, a: Option<f64>) -> Result<(), String> {
    match a {
        Some(a) if !(a.is_finite() && (0.0..=30.0).contains(&a)) => {
            Err(format!("{what} must be 0 to 30, not {a}"))
        }
        _ => Ok(()),
    }
}

fn check_date(what: &str, d: &Option<String>) -> Result<(), String> {
    match d {
        Some(d) if !super::need::is_iso_date(d) => {
            Err(format!("{what}: {d:?} is not a date YYYY-MM-DD"))
        }
        _ => Ok(()),
    }
}

/// Where a change places a unit: exactly one of lon/lat and municipality.
fn location(
    lon: Option<f64>,
    lat: Option<f64>,
    municipality: &Option<String>,
    r: &dyn Resolver,
) -> Result<(f64, f64), String> {
    match (lon, lat, municipality) {
        (Some(lon), Some(lat), None) => {
            if !(lon.is_finite() && lat.is_finite() && lon.abs() <= 180.0 && lat.abs() <= 90.0) {
                return Err(format!(
                    "lon/lat out of range: {lon}, {lat} (lon -180..180, lat -90..90)"
                ));
            }
            Ok((lon, lat))
        }
        (None, None, Some(code)) => r
            .municipality_point(code)
            .ok_or_else(|| format!("unknown municipality code {code:?}")),
        (None, None, None) => Err("give lon and lat, or municipality".into()),
        (Some(_), None, _) | (None, Some(_), _) => Err("give both lon and lat".into()),
        _ => Err("give lon and lat, or municipality, not both".into()),
    }
}

impl Scenario {
    /// Checks the scenario's own fields (not yet against the data).
    pub fn validate(&self) -> Result<(), ScenarioError> {
        check_text("name", &self.name).map_err(ScenarioError::Invalid)?;
        if let Some(d) = &self.description
            && d.chars().count() > 4000
        {
            return Err(ScenarioError::Invalid(
                "description is longer than 4000 characters".into(),
            ));
        }
        if self.changes.len() > MAX_CHANGES {
            return Err(ScenarioError::Invalid(format!(
                "{} changes; a scenario has at most {MAX_CHANGES}",
                self.changes.len()
            )));
        }
        Ok(())
    }

    /// The baseline facilities with the changes applied in order. Every error names the
    /// change (counted from 1, with its op and id) and what to fix.
    pub fn apply(
        &self,
        baseline: &[Facility],
        r: &dyn Resolver,
    ) -> Result<Vec<Facility>, ScenarioError> {
        self.validate()?;
        let mut out: Vec<Facility> = baseline.to_vec();
        for (index, c) in self.changes.iter().enumerate() {
            let err = |message: String| ScenarioError::Change {
                index,
                op: c.op(),
                id: c.id().to_string(),
                message,
            };
            check_text("id", c.id()).map_err(err)?;
            let pos = out.iter().position(|f| f.id == c.id());
            let existing = |what: &str| {
                pos.ok_or_else(|| {
                    err(format!(
                        "no facility with id {:?} to {what} (ids are those of the facilities file, or added earlier in this scenario)",
                        c.id()
                    ))
                })
            };
            match c {
                Change::Add { id, .. } => {
                    if pos.is_some() {
                        return Err(err(format!(
                            "a facility with id {id:?} exists already; choose a new id"
                        )));
                    }
                    out.push(new_facility(c, r).map_err(err)?);
                }
                Change::Close { .. } => {
                    out.remove(existing("close")?);
                }
                Change::SetPlaces { places, .. } => {
                    check_places(*places).map_err(err)?;
                    let i = existing("change")?;
                    out[i].places = Some(*places);
                    out[i].free_places = out[i].free_places.map(|f| f.min(*places));
                }
                Change::SetType { kind, .. } => {
                    r.check_type(kind).map_err(err)?;
                    let i = existing("change")?;
                    out[i].kind = kind.clone();
                }
                Change::Move {
                    lon,
                    lat,
                    municipality,
                    ..
                } => {
                    let i = existing("move")?;
                    let (x, y) = location(*lon, *lat, municipality, r).map_err(err)?;
                    out[i].lon = x;
                    out[i].lat = y;
                }
            }
        }
        Ok(out)
    }
}

/// The unit a `Change::Add` adds, its fields checked (the id is checked by the caller).
fn new_facility(change: &Change, r: &dyn Resolver) -> Result<Facility, String> {
    let Change::Add {
        id,
        name,
        kind,
        lon,
        lat,
        municipality,
        places,
        min_age,
        max_age,
        group_size,
        opening_date,
        closing_date,
    } = change
    else {
        return Err("not an addition".into());
    };
    r.check_type(kind)?;
    if let Some(n) = name {
        check_text("name", n)?;
    }
    if let Some(p) = places {
        check_places(*p)?;
    }
    if let Some(g) = group_size {
        check_places(*g).map_err(|e| format!("group_size: {e}"))?;
    }
    check_age("min_age", *min_age)?;
    check_age("max_age", *max_age)?;
    check_date("opening_date", opening_date)?;
    check_date("closing_date", closing_date)?;
    let (x, y) = location(*lon, *lat, municipality, r)?;
    let mut f = Facility::at(id, name.as_deref().unwrap_or(id), kind, x, y);
    f.places = *places;
    f.min_age = *min_age;
    f.max_age = *max_age;
    f.group_size = *group_size;
    f.opening_date = opening_date.clone();
    f.closing_date = closing_date.clone();
    f.properties.insert("scenario".into(), "added".into());
    Ok(f)
}

/// How a municipality's tier moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    Better,
    Same,
    Worse,
}

impl Effect {
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Better => "better",
            Effect::Same => "same",
            Effect::Worse => "worse",
        }
    }
}

fn within_limit(s: CoverageStatus) -> bool {
    matches!(
        s,
        CoverageStatus::OwnMunicipality | CoverageStatus::WithinLimit
    )
}

fn in_region(s: CoverageStatus) -> bool {
    within_limit(s) || s == CoverageStatus::WithinRegion
}

fn r3<S: serde::Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(round_dp(*x, 3))
}
fn r1_opt<S: serde::Serializer>(x: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match x {
        Some(x) => s.serialize_f64(round_dp(*x, 1)),
        None => s.serialize_none(),
    }
}

/// One municipality before and after.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MunicipalityChange {
    pub code: String,
    pub name: String,
    pub status_before: CoverageStatus,
    pub status_after: CoverageStatus,
    pub effect: Effect,
    #[serde(serialize_with = "r3")]
    pub share_within_limit_before: f64,
    #[serde(serialize_with = "r3")]
    pub share_within_limit_after: f64,
    #[serde(serialize_with = "r1_opt")]
    pub nearest_minutes_before: Option<f64>,
    #[serde(serialize_with = "r1_opt")]
    pub nearest_minutes_after: Option<f64>,
    pub nearest_facility_after: Option<String>,
    #[serde(serialize_with = "r3")]
    pub young_people: f64,
}

/// One region before and after.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionChange {
    pub grouping: String,
    pub code: String,
    pub name: String,
    pub facilities_before: usize,
    pub facilities_after: usize,
    #[serde(serialize_with = "r3")]
    pub share_within_limit_before: f64,
    #[serde(serialize_with = "r3")]
    pub share_within_limit_after: f64,
    #[serde(serialize_with = "r3")]
    pub balance_before: f64,
    #[serde(serialize_with = "r3")]
    pub balance_after: f64,
    #[serde(serialize_with = "r3")]
    pub gini_minutes_before: f64,
    #[serde(serialize_with = "r3")]
    pub gini_minutes_after: f64,
    pub theil_access_before: Option<f64>,
    pub theil_access_after: Option<f64>,
    pub unfair_before: bool,
    pub unfair_after: bool,
    /// Rules the region broke before and no longer breaks (e.g. `min_facilities`: it had no
    /// suitable facility).
    pub flags_cleared: Vec<&'static str>,
    /// Rules it breaks now and did not before.
    pub flags_raised: Vec<&'static str>,
    pub flags_after: Vec<&'static str>,
}

/// The difference between a scenario's coverage and the baseline's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioDiff {
    /// Municipalities whose tier changed.
    pub municipalities_changed: usize,
    /// Young people within the limit themselves (each municipality's share within the limit
    /// times its young people, summed), before and after: what siting advice counts.
    #[serde(serialize_with = "r3")]
    pub young_people_within_limit_before: f64,
    #[serde(serialize_with = "r3")]
    pub young_people_within_limit_after: f64,
    /// Young people whose municipality comes to meet the norm (own municipality or half or
    /// more within the limit) / stops meeting it: all of its young people count.
    #[serde(serialize_with = "r3")]
    pub young_people_gaining_within_limit: f64,
    #[serde(serialize_with = "r3")]
    pub young_people_losing_within_limit: f64,
    /// The same for "within the region" (the third tier included).
    #[serde(serialize_with = "r3")]
    pub young_people_gaining_in_region: f64,
    #[serde(serialize_with = "r3")]
    pub young_people_losing_in_region: f64,
    /// Supply against demand, nationally: expected placements within the limit, and those
    /// left without a place.
    #[serde(serialize_with = "r3")]
    pub placed_within_limit_before: f64,
    #[serde(serialize_with = "r3")]
    pub placed_within_limit_after: f64,
    #[serde(serialize_with = "r3")]
    pub unplaced_before: f64,
    #[serde(serialize_with = "r3")]
    pub unplaced_after: f64,
    #[serde(serialize_with = "r3")]
    pub places_before: f64,
    #[serde(serialize_with = "r3")]
    pub places_after: f64,
    /// The demand rate per 10,000 young people both answers use, and where it comes from
    /// (a scenario holds the baseline's: changing supply never changes demand).
    #[serde(serialize_with = "r3")]
    pub placements_per_10k: f64,
    pub demand_source: &'static str,
    /// Every municipality, before and after (`effect` says which changed).
    pub municipalities: Vec<MunicipalityChange>,
    /// Every region of every grouping, before and after.
    pub regions: Vec<RegionChange>,
}

impl ScenarioDiff {
    pub fn changed(&self) -> impl Iterator<Item = &MunicipalityChange> {
        self.municipalities
            .iter()
            .filter(|m| m.effect != Effect::Same)
    }
}

/// The difference between two coverage answers of the same municipalities.
pub fn diff(before: &CoverageResult, after: &CoverageResult) -> ScenarioDiff {
    let municipalities = municipality_changes(before, after);
    let moved = |was: fn(CoverageStatus) -> bool| -> (f64, f64) {
        let (mut gain, mut lose) = (0.0, 0.0);
        for m in &municipalities {
            match (was(m.status_before), was(m.status_after)) {
                (false, true) => gain += m.young_people,
                (true, false) => lose += m.young_people,
                _ => {}
            }
        }
        (gain, lose)
    };
    let (gain_l, lose_l) = moved(within_limit);
    let (gain_r, lose_r) = moved(in_region);
    let placed = |r: &CoverageResult| r.municipalities.iter().map(|m| m.placed_within_limit).sum();
    let within = |r: &CoverageResult| {
        r.municipalities
            .iter()
            .map(|m| m.weight * m.share_within_limit)
            .sum()
    };
    ScenarioDiff {
        placements_per_10k: after.placements_per_10k,
        demand_source: after.demand_source,
        municipalities_changed: municipalities
            .iter()
            .filter(|m| m.effect != Effect::Same)
            .count(),
        young_people_within_limit_before: within(before),
        young_people_within_limit_after: within(after),
        young_people_gaining_within_limit: gain_l,
        young_people_losing_within_limit: lose_l,
        young_people_gaining_in_region: gain_r,
        young_people_losing_in_region: lose_r,
        placed_within_limit_before: placed(before),
        placed_within_limit_after: placed(after),
        unplaced_before: before.national.unplaced,
        unplaced_after: after.national.unplaced,
        places_before: before.national.places,
        places_after: after.national.places,
        municipalities,
        regions: region_changes(before, after),
    }
}

/// Every municipality of both answers, before and after, with the effect on its tier.
fn municipality_changes(
    before: &CoverageResult,
    after: &CoverageResult,
) -> Vec<MunicipalityChange> {
    let by_code: BTreeMap<&str, &super::coverage::MunicipalityResult> = before
        .municipalities
        .iter()
        .map(|m| (m.code.as_str(), m))
        .collect();
    after
        .municipalities
        .iter()
        .filter_map(|a| {
            let b = by_code.get(a.code.as_str())?;
            let effect = match a.status.cmp(&b.status) {
                std::cmp::Ordering::Less => Effect::Better,
                std::cmp::Ordering::Equal => Effect::Same,
                std::cmp::Ordering::Greater => Effect::Worse,
            };
            Some(MunicipalityChange {
                code: a.code.clone(),
                name: a.name.clone(),
                status_before: b.status,
                status_after: a.status,
                effect,
                share_within_limit_before: b.share_within_limit,
                share_within_limit_after: a.share_within_limit,
                nearest_minutes_before: b.nearest_minutes,
                nearest_minutes_after: a.nearest_minutes,
                nearest_facility_after: a.nearest_facility_id.clone(),
                young_people: a.weight,
            })
        })
        .collect()
}

/// Every region of every grouping of both answers, before and after, with the flags it
/// clears and raises.
fn region_changes(before: &CoverageResult, after: &CoverageResult) -> Vec<RegionChange> {
    let before_regions: BTreeMap<(&str, &str), &super::coverage::RegionResult> = before
        .regions
        .iter()
        .map(|r| ((r.grouping.as_str(), r.code.as_str()), r))
        .collect();
    let rules = |r: &super::coverage::RegionResult| -> Vec<&'static str> {
        r.flags.iter().map(|f| f.rule).collect()
    };
    after
        .regions
        .iter()
        .filter_map(|a| {
            let b = before_regions.get(&(a.grouping.as_str(), a.code.as_str()))?;
            let (fb, fa) = (rules(b), rules(a));
            Some(RegionChange {
                grouping: a.grouping.clone(),
                code: a.code.clone(),
                name: a.name.clone(),
                facilities_before: b.figures.facilities,
                facilities_after: a.figures.facilities,
                share_within_limit_before: b.figures.share_within_limit,
                share_within_limit_after: a.figures.share_within_limit,
                balance_before: b.figures.balance,
                balance_after: a.figures.balance,
                gini_minutes_before: b.figures.gini_minutes,
                gini_minutes_after: a.figures.gini_minutes,
                theil_access_before: b.figures.theil_access.map(|x| round_dp(x, 3)),
                theil_access_after: a.figures.theil_access.map(|x| round_dp(x, 3)),
                unfair_before: b.unfair,
                unfair_after: a.unfair,
                flags_cleared: fb.iter().filter(|r| !fa.contains(r)).copied().collect(),
                flags_raised: fa.iter().filter(|r| !fb.contains(r)).copied().collect(),
                flags_after: fa,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct R;
    impl Resolver for R {
        fn municipality_point(&self, code: &str) -> Option<(f64, f64)> {
            (code == "GM0001").then_some((5.0, 52.0))
        }
        fn check_type(&self, kind: &str) -> Result<(), String> {
            if kind.starts_with("kleinschalig") || kind == "kvjj" {
                Ok(())
            } else {
                Err(format!("unknown type {kind:?}"))
            }
        }
    }

    fn base() -> Vec<Facility> {
        vec![
            Facility::at("F1", "Een", "kleinschalig_verblijf", 5.1, 52.1),
            Facility::at("F2", "Twee", "kvjj", 5.2, 52.2),
        ]
    }

    fn parse(json: &str) -> Scenario {
        serde_json::from_str(json).expect("valid scenario JSON")
    }

    #[test]
    fn applies_the_issue_example_in_order() {
        let s = parse(
            r#"{"name": "x", "changes": [
            {"op": "add", "id": "N1", "name": "Nieuw", "type": "kleinschalig_verblijf", "lon": 5.1, "lat": 52.1, "places": 4},
            {"op": "add", "id": "N2", "type": "kvjj", "municipality": "GM0001"},
            {"op": "close", "id": "F1"},
            {"op": "set_places", "id": "F2", "places": 6},
            {"op": "move", "id": "N1", "lon": 5.3, "lat": 52.3}]}"#,
        );
        let out = s.apply(&base(), &R).expect("applies");
        let ids: Vec<&str> = out.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, ["F2", "N1", "N2"]);
        assert_eq!(out[0].places, Some(6.0));
        assert_eq!((out[1].lon, out[1].lat), (5.3, 52.3));
        assert_eq!((out[2].lon, out[2].lat), (5.0, 52.0));
        assert_eq!(out[2].name, "N2");
    }

    #[test]
    fn every_error_names_its_change() {
        let cases = [
            (
                r#"{"op": "close", "id": "F9"}"#,
                "no facility with id \"F9\"",
            ),
            (
                r#"{"op": "add", "id": "F1", "type": "kvjj", "municipality": "GM0001"}"#,
                "exists already",
            ),
            (
                r#"{"op": "add", "id": "N", "type": "jji_groot", "municipality": "GM0001"}"#,
                "unknown type",
            ),
            (
                r#"{"op": "add", "id": "N", "type": "kvjj", "municipality": "GM9999"}"#,
                "unknown municipality",
            ),
            (
                r#"{"op": "add", "id": "N", "type": "kvjj", "lon": 5.0}"#,
                "both lon and lat",
            ),
            (
                r#"{"op": "add", "id": "N", "type": "kvjj", "lon": 500, "lat": 52}"#,
                "out of range",
            ),
            (
                r#"{"op": "set_places", "id": "F1", "places": -1}"#,
                "places must be",
            ),
            (
                r#"{"op": "add", "id": "N", "type": "kvjj", "municipality": "GM0001", "opening_date": "2020-13-45"}"#,
                "opening_date",
            ),
        ];
        for (change, expected) in cases {
            let s = parse(&format!(r#"{{"name": "x", "changes": [{change}]}}"#));
            let e = s.apply(&base(), &R).expect_err(change).to_string();
            assert!(e.starts_with("change 1 ("), "{e}");
            assert!(e.contains(expected), "{change}: {e}");
        }
    }

    #[test]
    fn unknown_fields_and_ops_are_refused() {
        for bad in [
            r#"{"name": "x", "changes": [{"op": "demolish", "id": "F1"}]}"#,
            r#"{"name": "x", "changes": [{"op": "close", "id": "F1", "when": 3}]}"#,
            r#"{"name": "x", "changes": [], "extra": 1}"#,
            r#"{"name": "x", "changes": [{"op": "set_places", "id": "F1", "places": "six"}]}"#,
        ] {
            assert!(serde_json::from_str::<Scenario>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn too_many_changes_or_no_name_is_refused() {
        let many = Scenario {
            name: "x".into(),
            description: None,
            changes: vec![Change::Close { id: "F1".into() }; MAX_CHANGES + 1],
        };
        assert!(many.validate().is_err());
        let unnamed = Scenario {
            name: " ".into(),
            description: None,
            changes: vec![],
        };
        assert!(unnamed.apply(&base(), &R).is_err());
    }
}
