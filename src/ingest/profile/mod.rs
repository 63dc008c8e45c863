//! The car profile: which OSM ways a car may use, how fast, and in which direction.
//!
//! Every rule is table-driven: the tables live in [`CarProfile`], whose defaults fit the
//! Netherlands and which a TOML file can override key by key (see `docs/PROFILE.md`).
//! The functions here are pure and unit-tested one rule at a time.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

mod rules;

pub use rules::{Direction, MaxSpeed, Reject, WayVerdict, parse_duration_s, parse_oneway};

/// Errors from reading or validating a profile file.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("cannot read profile {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("profile {path} is not valid TOML for a car profile: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("profile {path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// A table-driven car profile. All speeds are in km/h.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CarProfile {
    /// A name shown in summaries and in the graph file.
    pub name: String,
    /// Drivable `highway=*` classes and their default speed (km/h) when no usable
    /// `maxspeed` is tagged. A class missing here is not drivable.
    pub highway_speeds_kmh: BTreeMap<String, f64>,
    /// Symbolic `maxspeed` values (`NL:urban`, `walk`, ...) and the limit they stand for.
    pub maxspeed_aliases_kmh: BTreeMap<String, f64>,
    /// A tagged limit is multiplied by this to get a realistic driving speed
    /// (junctions, traffic lights and traffic keep cars below the limit).
    pub maxspeed_factor: f64,
    /// Upper bound on any driving speed.
    pub max_speed_kmh: f64,
    /// Speed used to time a car ferry whose `duration` tag is missing or unreadable.
    pub ferry_speed_kmh: f64,
    /// Fixed time added to every ferry crossing (boarding, waiting), in seconds.
    pub ferry_boarding_s: f64,
    /// Access values (`access`, `vehicle`, `motor_vehicle`, `motorcar`) that forbid cars.
    pub access_denied: Vec<String>,
    /// Node `barrier=*` values that always stop a car unless the node explicitly allows cars.
    pub barriers_blocking: Vec<String>,
    /// Node `barrier=*` values that stop a car only when the node's access forbids cars.
    pub barriers_gates: Vec<String>,
    /// Time lost at a node tagged `highway=traffic_signals`, in seconds (the mean wait of a
    /// car arriving at random in a cycle, less the share that arrives on green).
    pub traffic_signals_delay_s: f64,
    /// Time lost at `highway=stop`, in seconds.
    pub stop_delay_s: f64,
    /// Time lost at a pedestrian crossing (`highway=crossing`), in seconds.
    pub crossing_delay_s: f64,
    /// Time lost at a railway level crossing (`railway=level_crossing`), in seconds.
    pub level_crossing_delay_s: f64,
    /// Time lost passing a junction (a node where three or more road pieces meet), in
    /// seconds: turning, yielding and slowing down, calibrated on real extracts
    /// (docs/PROFILE.md).
    pub junction_delay_s: f64,
    /// A road is in a built-up area (bebouwde kom) when its posted limit is at most this many
    /// km/h (`NL:urban` is 50). The setting decides which peak factors apply.
    pub built_up_max_kmh: f64,
    /// Classes taken as built-up when no limit is posted (a posted limit always decides).
    pub built_up_classes: Vec<String>,
    /// Peak-period speed factors per class on built-up roads: the peak speed is the free
    /// speed times the factor (0.7 = 30 % slower). A class missing here keeps its free speed.
    /// The defaults are planning assumptions, not measurements (docs/PROFILE.md).
    pub peak_factors_built_up: BTreeMap<String, f64>,
    /// Peak-period speed factors per class outside built-up areas.
    pub peak_factors_rural: BTreeMap<String, f64>,
}

/// A period of the day whose travel times the graph stores: `free` is free-flow (the
/// profile's speeds), `peak` the weekday rush hour (the speeds times the peak factors).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    #[default]
    Free,
    Peak,
}

impl Period {
    pub const ALL: [Period; 2] = [Period::Free, Period::Peak];

    pub fn name(self) -> &'static str {
        match self {
            Period::Free => "free",
            Period::Peak => "peak",
        }
    }

    pub fn parse(s: &str) -> Option<Period> {
        Period::ALL.into_iter().find(|p| p.name() == s)
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Default for CarProfile {
    fn default() -> Self {
        let speeds: &[(&str, f64)] = &[
            ("motorway", 100.0),
            ("motorway_link", 60.0),
            ("trunk", 80.0),
            ("trunk_link", 50.0),
            ("primary", 65.0),
            ("primary_link", 45.0),
            ("secondary", 55.0),
            ("secondary_link", 40.0),
            ("tertiary", 45.0),
            ("tertiary_link", 35.0),
            ("unclassified", 40.0),
            ("residential", 25.0),
            ("living_street", 7.0),
            ("service", 15.0),
            ("road", 25.0),
        ];
        let aliases: &[(&str, f64)] = &[
            ("NL:urban", 50.0),
            ("NL:rural", 80.0),
            ("NL:trunk", 100.0),
            ("NL:motorway", 130.0),
            ("NL:zone30", 30.0),
            ("NL:zone60", 60.0),
            ("NL:living_street", 7.0),
            ("BE:urban", 50.0),
            ("BE-VLG:rural", 70.0),
            ("BE-WAL:rural", 90.0),
            ("BE:motorway", 120.0),
            ("DE:urban", 50.0),
            ("DE:rural", 100.0),
            ("DE:living_street", 7.0),
            ("DE:zone30", 30.0),
            ("PT:urban", 50.0),
            ("PT:rural", 90.0),
            ("PT:motorway", 120.0),
            ("MT:urban", 50.0),
            ("MT:rural", 80.0),
            ("CH:urban", 50.0),
            ("CH:rural", 80.0),
            ("CH:motorway", 120.0),
            ("AT:urban", 50.0),
            ("AT:rural", 100.0),
            ("AT:motorway", 130.0),
            ("walk", 7.0),
        ];
        CarProfile {
            name: "car-nl".to_string(),
            highway_speeds_kmh: speeds.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            maxspeed_aliases_kmh: aliases.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            maxspeed_factor: 0.9,
            max_speed_kmh: 130.0,
            ferry_speed_kmh: 20.0,
            ferry_boarding_s: 0.0,
            traffic_signals_delay_s: 10.0,
            stop_delay_s: 4.0,
            crossing_delay_s: 1.0,
            level_crossing_delay_s: 10.0,
            junction_delay_s: 1.5,
            built_up_max_kmh: 50.0,
            built_up_classes: ["residential", "living_street", "service"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            peak_factors_built_up: peak_factors(&[
                (0.70, &["motorway", "motorway_link", "trunk", "trunk_link"]),
                (
                    0.75,
                    &["primary", "primary_link", "secondary", "secondary_link"],
                ),
                (0.80, &["tertiary", "tertiary_link", "unclassified"]),
                (0.90, &["residential", "living_street", "service", "road"]),
            ]),
            peak_factors_rural: peak_factors(&[
                (0.80, &["motorway", "motorway_link", "trunk", "trunk_link"]),
                (
                    0.85,
                    &["primary", "primary_link", "secondary", "secondary_link"],
                ),
                (0.90, &["tertiary", "tertiary_link", "unclassified"]),
                (0.95, &["residential", "living_street", "service", "road"]),
            ]),
            access_denied: ["no", "private", "agricultural", "forestry", "delivery"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            barriers_blocking: [
                "bollard",
                "block",
                "jersey_barrier",
                "chain",
                "bus_trap",
                "sump_buster",
                "cycle_barrier",
                "stile",
                "turnstile",
                "kissing_gate",
                "log",
                "debris",
                "full-height_turnstile",
                "motorcycle_barrier",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            barriers_gates: ["gate", "lift_gate", "swing_gate", "sliding_gate", "yes"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        }
    }
}

/// A factor table from groups of classes sharing one factor.
fn peak_factors(groups: &[(f64, &[&str])]) -> BTreeMap<String, f64> {
    groups
        .iter()
        .flat_map(|(f, classes)| classes.iter().map(move |c| (c.to_string(), *f)))
        .collect()
}

impl CarProfile {
    /// The speed factor of `period` on a road of `class` (a `highway` value) in the given
    /// setting: 1 in the free period and for a class the table leaves out.
    pub fn speed_factor(&self, period: Period, class: &str, built_up: bool) -> f64 {
        let table = match (period, built_up) {
            (Period::Free, _) => return 1.0,
            (Period::Peak, true) => &self.peak_factors_built_up,
            (Period::Peak, false) => &self.peak_factors_rural,
        };
        table.get(class).copied().unwrap_or(1.0)
    }

    /// Loads a TOML file and merges it key by key over the defaults: a scalar replaces the
    /// default, a table (`highway_speeds_kmh`, `maxspeed_aliases_kmh`) adds or replaces
    /// single entries, a list replaces the default list. Unknown keys are an error.
    pub fn from_toml_file(path: &Path) -> Result<Self, ProfileError> {
        let text = crate::limits::read_to_string(path).map_err(|source| ProfileError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_toml_str(&text).map_err(|e| match e {
            ProfileError::Parse { message, .. } => ProfileError::Parse {
                path: path.to_path_buf(),
                message,
            },
            ProfileError::Invalid { message, .. } => ProfileError::Invalid {
                path: path.to_path_buf(),
                message,
            },
            other => other,
        })
    }

    /// As [`CarProfile::from_toml_file`], from a string (errors name the path `<string>`).
    pub fn from_toml_str(text: &str) -> Result<Self, ProfileError> {
        let here = PathBuf::from("<string>");
        let parse_err = |message: String| ProfileError::Parse {
            path: here.clone(),
            message,
        };
        let user: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| parse_err(one_line_toml_error(&e, text)))?;
        let mut base = toml::Table::try_from(CarProfile::default())
            .map_err(|e| parse_err(format!("internal: {e}")))?;
        for (key, value) in user {
            match (base.get_mut(&key), value) {
                (Some(toml::Value::Table(dst)), toml::Value::Table(src)) => {
                    for (k, v) in src {
                        dst.insert(k, v);
                    }
                }
                (_, value) => {
                    base.insert(key, value);
                }
            }
        }
        // Re-read the merged table as text so a type error can name the offending line.
        let merged = toml::to_string(&base).map_err(|e| parse_err(format!("internal: {e}")))?;
        let profile: CarProfile = toml::from_str(&merged)
            .map_err(|e: toml::de::Error| parse_err(one_line_toml_error(&e, &merged)))?;
        profile
            .validate()
            .map_err(|message| ProfileError::Invalid {
                path: here.clone(),
                message,
            })?;
        Ok(profile)
    }

    /// Checks that every speed is a positive finite number and the tables are usable.
    pub fn validate(&self) -> Result<(), String> {
        let ok = |v: f64| v.is_finite() && v > 0.0 && v <= 300.0;
        for (class, v) in &self.highway_speeds_kmh {
            if !ok(*v) {
                return Err(format!(
                    "highway_speeds_kmh.{class} = {v}: a speed must be between 0 and 300 km/h"
                ));
            }
        }
        for (alias, v) in &self.maxspeed_aliases_kmh {
            if !ok(*v) {
                return Err(format!(
                    "maxspeed_aliases_kmh.\"{alias}\" = {v}: a speed must be between 0 and 300 km/h"
                ));
            }
        }
        if self.highway_speeds_kmh.is_empty() {
            return Err("highway_speeds_kmh is empty: no road would be drivable".into());
        }
        for (name, v) in [
            ("max_speed_kmh", self.max_speed_kmh),
            ("ferry_speed_kmh", self.ferry_speed_kmh),
        ] {
            if !ok(v) {
                return Err(format!("{name} = {v}: must be between 0 and 300 km/h"));
            }
        }
        if !(self.maxspeed_factor.is_finite()
            && self.maxspeed_factor > 0.0
            && self.maxspeed_factor <= 1.5)
        {
            return Err(format!(
                "maxspeed_factor = {}: must be in (0, 1.5]",
                self.maxspeed_factor
            ));
        }
        if !(self.ferry_boarding_s.is_finite() && (0.0..=86_400.0).contains(&self.ferry_boarding_s))
        {
            return Err(format!(
                "ferry_boarding_s = {}: must be between 0 and 86400 s",
                self.ferry_boarding_s
            ));
        }
        for (name, v) in [
            ("traffic_signals_delay_s", self.traffic_signals_delay_s),
            ("stop_delay_s", self.stop_delay_s),
            ("crossing_delay_s", self.crossing_delay_s),
            ("level_crossing_delay_s", self.level_crossing_delay_s),
            ("junction_delay_s", self.junction_delay_s),
        ] {
            if !(v.is_finite() && (0.0..=600.0).contains(&v)) {
                return Err(format!("{name} = {v}: must be between 0 and 600 s"));
            }
        }
        if !(self.built_up_max_kmh.is_finite() && (0.0..=300.0).contains(&self.built_up_max_kmh)) {
            return Err(format!(
                "built_up_max_kmh = {}: must be between 0 and 300 km/h",
                self.built_up_max_kmh
            ));
        }
        for (name, table) in [
            ("peak_factors_built_up", &self.peak_factors_built_up),
            ("peak_factors_rural", &self.peak_factors_rural),
        ] {
            for (class, f) in table {
                if !self.highway_speeds_kmh.contains_key(class) {
                    return Err(format!(
                        "{name}.{class}: {class} is not a drivable class of highway_speeds_kmh"
                    ));
                }
                if !(f.is_finite() && *f > 0.0 && *f <= 2.0) {
                    return Err(format!(
                        "{name}.{class} = {f}: a speed factor must be above 0 and at most 2"
                    ));
                }
            }
        }
        Ok(())
    }

    /// A stable hash of the profile, stored in the graph file so a graph can be traced to
    /// the rules that built it.
    pub fn hash(&self) -> u64 {
        // serde_json of BTreeMaps and Vecs is deterministic.
        let json = serde_json::to_vec(self).unwrap_or_default();
        xxhash_rust::xxh3::xxh3_64(&json)
    }

    /// The road class index of a `highway` value, if drivable. Indices follow the
    /// (sorted) table order, so they are stable for a given profile.
    pub fn class_index(&self, highway: &str) -> Option<u8> {
        self.highway_speeds_kmh
            .keys()
            .position(|k| k == highway)
            .and_then(|i| u8::try_from(i).ok())
    }

    /// The class names, indexed as by [`CarProfile::class_index`].
    pub fn class_names(&self) -> Vec<String> {
        self.highway_speeds_kmh.keys().cloned().collect()
    }
}

/// A TOML error as one line: the message and the line it points at.
fn one_line_toml_error(e: &toml::de::Error, text: &str) -> String {
    let msg = e.message().trim().replace('\n', " ");
    match e.span() {
        Some(span) => {
            let start = span.start.min(text.len());
            let line_no = text[..start].matches('\n').count() + 1;
            let line = text.lines().nth(line_no - 1).unwrap_or("").trim();
            format!("{msg} (line {line_no}: `{line}`)")
        }
        None => msg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_overrides_merge_key_by_key() {
        let p = CarProfile::from_toml_str(
            "name = \"slow\"\nmaxspeed_factor = 0.8\n[highway_speeds_kmh]\nresidential = 20\ntrack = 10\n",
        )
        .expect("valid profile");
        assert_eq!(p.name, "slow");
        assert_eq!(p.highway_speeds_kmh["residential"], 20.0);
        assert_eq!(p.highway_speeds_kmh["track"], 10.0);
        assert_eq!(p.highway_speeds_kmh["motorway"], 100.0, "defaults kept");
        assert_ne!(p.hash(), CarProfile::default().hash());
    }

    #[test]
    fn invalid_profiles_are_refused_with_a_reason() {
        for (text, needle) in [
            ("maxspeed_factor = ", "TOML"),
            ("[highway_speeds_kmh]\nresidential = -3\n", "residential"),
            ("unknown_key = 1\n", "unknown"),
            ("ferry_speed_kmh = \"fast\"\n", "ferry_speed_kmh"),
            ("maxspeed_factor = 0\n", "maxspeed_factor"),
            (
                "[peak_factors_rural]\nmotorway = 0\n",
                "peak_factors_rural.motorway",
            ),
            (
                "[peak_factors_built_up]\ntrack = 0.5\n",
                "not a drivable class",
            ),
        ] {
            let err = CarProfile::from_toml_str(text).expect_err(text).to_string();
            assert!(err.contains(needle), "{text:?} gave {err}");
        }
    }
}
