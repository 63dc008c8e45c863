//! The car profile: which OSM ways a car may use, how fast, and in which direction.
//!
//! Every rule is table-driven: the tables live in [`CarProfile`], whose defaults fit the
//! Netherlands and which a TOML file can override key by key (see `docs/PROFILE.md`).
//! The functions here are pure and unit-tested one rule at a time.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

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

impl CarProfile {
    /// Loads a TOML file and merges it key by key over the defaults: a scalar replaces the
    /// default, a table (`highway_speeds_kmh`, `maxspeed_aliases_kmh`) adds or replaces
    /// single entries, a list replaces the default list. Unknown keys are an error.
    pub fn from_toml_file(path: &Path) -> Result<Self, ProfileError> {
        let text = std::fs::read_to_string(path).map_err(|source| ProfileError::Read {
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

    fn denies(&self, value: &str) -> bool {
        self.access_denied.iter().any(|d| d == value)
    }

    /// Interprets a `maxspeed` value.
    pub fn parse_maxspeed(&self, raw: &str) -> MaxSpeed {
        let raw = raw.trim();
        if raw.is_empty() {
            return MaxSpeed::Invalid;
        }
        if raw.contains(';') || raw.contains('|') {
            // A list ("50;30"): the lowest readable value; junk if none is readable.
            let mut best: Option<f64> = None;
            let mut any_default = false;
            for part in raw.split([';', '|']) {
                match self.parse_maxspeed(part) {
                    MaxSpeed::Kmh(v) => best = Some(best.map_or(v, |b: f64| b.min(v))),
                    MaxSpeed::ClassDefault => any_default = true,
                    MaxSpeed::Invalid => {}
                }
            }
            return match (best, any_default) {
                (Some(v), _) => MaxSpeed::Kmh(v),
                (None, true) => MaxSpeed::ClassDefault,
                (None, false) => MaxSpeed::Invalid,
            };
        }
        if let Some(v) = self.maxspeed_aliases_kmh.get(raw) {
            return MaxSpeed::Kmh(*v);
        }
        match raw {
            "none" | "signals" | "variable" | "implicit" => return MaxSpeed::ClassDefault,
            _ => {}
        }
        // "XX:zone30", "XX:zone:30" style zones.
        if let Some(pos) = raw.find(":zone") {
            let digits: String = raw[pos + 5..]
                .chars()
                .filter(|c| c.is_ascii_digit())
                .collect();
            if let Ok(v) = digits.parse::<f64>()
                && v > 0.0
                && v <= 300.0
            {
                return MaxSpeed::Kmh(v);
            }
            return MaxSpeed::Invalid;
        }
        let lower = raw.to_ascii_lowercase();
        let (number, factor) = if let Some(n) = lower.strip_suffix("mph") {
            (n.trim(), 1.609_344)
        } else if let Some(n) = lower
            .strip_suffix("km/h")
            .or_else(|| lower.strip_suffix("kmh"))
            .or_else(|| lower.strip_suffix("kph"))
        {
            (n.trim(), 1.0)
        } else {
            (lower.as_str(), 1.0)
        };
        match number.parse::<f64>() {
            Ok(v) if v.is_finite() && v > 0.0 && v <= 300.0 => MaxSpeed::Kmh(v * factor),
            _ => MaxSpeed::Invalid,
        }
    }

    /// Decides whether a way is usable by car and how. `tag` looks up a tag's value.
    pub fn classify_way<'a>(&self, tag: impl Fn(&str) -> Option<&'a str>) -> WayVerdict {
        // Ferries first: route=ferry with motor vehicles allowed.
        if tag("route") == Some("ferry") {
            let allowed = ["motorcar", "motor_vehicle", "vehicle"]
                .iter()
                .find_map(|k| tag(k))
                .is_some_and(is_yes_like);
            if !allowed {
                return WayVerdict::NotDrivable(Reject::FerryWithoutCars);
            }
            let duration_s = tag("duration").and_then(parse_duration_s);
            return WayVerdict::Ferry {
                duration_s,
                oneway: parse_oneway(tag("oneway")).unwrap_or(Direction::Both),
            };
        }
        let Some(highway) = tag("highway") else {
            return WayVerdict::NotDrivable(Reject::NotARoad);
        };
        let Some(default_kmh) = self.highway_speeds_kmh.get(highway).copied() else {
            return WayVerdict::NotDrivable(Reject::NotARoad);
        };
        if tag("area") == Some("yes") {
            return WayVerdict::NotDrivable(Reject::Area);
        }
        // The most specific access tag present wins.
        let access = ["motorcar", "motor_vehicle", "vehicle", "access"]
            .iter()
            .find_map(|k| tag(k));
        if let Some(a) = access
            && self.denies(a)
        {
            return WayVerdict::NotDrivable(Reject::AccessDenied);
        }
        let oneway_tag = tag("oneway");
        let direction = match oneway_tag {
            Some("reversible") | Some("alternating") => {
                return WayVerdict::NotDrivable(Reject::Reversible);
            }
            other => match parse_oneway(other) {
                Some(d) => d,
                None => {
                    let roundabout = matches!(tag("junction"), Some("roundabout" | "circular"));
                    if roundabout || highway == "motorway" || highway == "motorway_link" {
                        Direction::Forward
                    } else {
                        Direction::Both
                    }
                }
            },
        };
        let (speed_kmh, maxspeed_invalid) = match tag("maxspeed").map(|m| self.parse_maxspeed(m)) {
            Some(MaxSpeed::Kmh(v)) => (v * self.maxspeed_factor, false),
            Some(MaxSpeed::ClassDefault) | None => (default_kmh, false),
            Some(MaxSpeed::Invalid) => (default_kmh, true),
        };
        WayVerdict::Road {
            class: highway.to_string(),
            speed_kmh: speed_kmh.min(self.max_speed_kmh),
            direction,
            maxspeed_invalid,
        }
    }

    /// Whether a node with these tags stops cars.
    pub fn node_blocks<'a>(&self, tag: impl Fn(&str) -> Option<&'a str>) -> bool {
        let Some(barrier) = tag("barrier") else {
            return false;
        };
        let access = ["motorcar", "motor_vehicle", "vehicle", "access"]
            .iter()
            .find_map(|k| tag(k));
        if self.barriers_blocking.iter().any(|b| b == barrier) {
            // A bollard that explicitly lets cars through (retractable, access=yes) is open.
            return !access.is_some_and(|a| is_yes_like(a) || a == "destination");
        }
        if self.barriers_gates.iter().any(|b| b == barrier) {
            return access.is_some_and(|a| self.denies(a));
        }
        false
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

fn is_yes_like(v: &str) -> bool {
    matches!(v, "yes" | "designated" | "permissive" | "true" | "1")
}

/// The result of parsing a `maxspeed` tag.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MaxSpeed {
    /// A usable limit in km/h.
    Kmh(f64),
    /// A valid value that carries no number (`none`, `signals`, `variable`): use the class default.
    ClassDefault,
    /// Unreadable: the class default is used and the way is counted.
    Invalid,
}

/// Travel direction allowed along a way's node order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Both,
    Forward,
    Backward,
}

/// Reads an explicit `oneway` value; `None` means "not stated" (implied rules then apply).
pub fn parse_oneway(v: Option<&str>) -> Option<Direction> {
    match v? {
        "yes" | "1" | "true" => Some(Direction::Forward),
        "-1" | "reverse" => Some(Direction::Backward),
        "no" | "0" | "false" => Some(Direction::Both),
        _ => None,
    }
}

/// Parses an OSM `duration` value into seconds: `MM`, `HH:MM`, `HH:MM:SS`, or ISO 8601 `PT1H30M`.
pub fn parse_duration_s(raw: &str) -> Option<f64> {
    let raw = raw.trim();
    let valid = |v: f64| (v.is_finite() && v > 0.0 && v < 7.0 * 86_400.0).then_some(v);
    if let Some(iso) = raw.strip_prefix("PT") {
        let mut total = 0.0;
        let mut num = String::new();
        for c in iso.chars() {
            match c {
                '0'..='9' | '.' => num.push(c),
                'H' | 'M' | 'S' => {
                    let v: f64 = num.parse().ok()?;
                    total += v * match c {
                        'H' => 3600.0,
                        'M' => 60.0,
                        _ => 1.0,
                    };
                    num.clear();
                }
                _ => return None,
            }
        }
        if !num.is_empty() {
            return None;
        }
        return valid(total);
    }
    let parts: Vec<&str> = raw.split(':').collect();
    let nums: Option<Vec<f64>> = parts.iter().map(|p| p.trim().parse::<f64>().ok()).collect();
    let nums = nums?;
    let secs = match nums.as_slice() {
        [m] => m * 60.0,
        [h, m] => h * 3600.0 + m * 60.0,
        [h, m, s] => h * 3600.0 + m * 60.0 + s,
        _ => return None,
    };
    valid(secs)
}

/// Why a way is not part of the car graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reject {
    NotARoad,
    Area,
    AccessDenied,
    Reversible,
    FerryWithoutCars,
}

/// What the profile makes of a way.
#[derive(Debug, Clone, PartialEq)]
pub enum WayVerdict {
    Road {
        class: String,
        speed_kmh: f64,
        direction: Direction,
        /// The `maxspeed` tag was present but unreadable (the class default was used).
        maxspeed_invalid: bool,
    },
    Ferry {
        duration_s: Option<f64>,
        oneway: Direction,
    },
    NotDrivable(Reject),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<&'a str> {
        move |k| pairs.iter().find(|(key, _)| *key == k).map(|(_, v)| *v)
    }

    fn road(pairs: &[(&str, &str)]) -> (f64, Direction, bool) {
        match CarProfile::default().classify_way(tags(pairs)) {
            WayVerdict::Road {
                speed_kmh,
                direction,
                maxspeed_invalid,
                ..
            } => (speed_kmh, direction, maxspeed_invalid),
            other => panic!("expected a road for {pairs:?}, got {other:?}"),
        }
    }

    #[test]
    fn drivable_classes_use_their_default_speed() {
        let p = CarProfile::default();
        for class in [
            "motorway",
            "trunk",
            "primary",
            "secondary",
            "tertiary",
            "unclassified",
            "residential",
            "living_street",
            "service",
            "motorway_link",
            "trunk_link",
            "primary_link",
            "secondary_link",
            "tertiary_link",
        ] {
            let (speed, _, _) = road(&[("highway", class)]);
            assert_eq!(speed, p.highway_speeds_kmh[class], "class {class}");
        }
    }

    #[test]
    fn non_car_highways_are_rejected() {
        let p = CarProfile::default();
        for class in [
            "footway",
            "cycleway",
            "path",
            "pedestrian",
            "track",
            "steps",
            "bus_guideway",
        ] {
            assert_eq!(
                p.classify_way(tags(&[("highway", class)])),
                WayVerdict::NotDrivable(Reject::NotARoad),
                "{class}"
            );
        }
        assert_eq!(
            p.classify_way(tags(&[("building", "yes")])),
            WayVerdict::NotDrivable(Reject::NotARoad)
        );
    }

    #[test]
    fn maxspeed_numbers_units_and_aliases() {
        let p = CarProfile::default();
        assert_eq!(p.parse_maxspeed("50"), MaxSpeed::Kmh(50.0));
        assert_eq!(p.parse_maxspeed(" 80 km/h"), MaxSpeed::Kmh(80.0));
        assert_eq!(p.parse_maxspeed("60kmh"), MaxSpeed::Kmh(60.0));
        match p.parse_maxspeed("30 mph") {
            MaxSpeed::Kmh(v) => assert!((v - 48.28).abs() < 0.01, "{v}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(p.parse_maxspeed("NL:urban"), MaxSpeed::Kmh(50.0));
        assert_eq!(p.parse_maxspeed("NL:rural"), MaxSpeed::Kmh(80.0));
        assert_eq!(p.parse_maxspeed("NL:motorway"), MaxSpeed::Kmh(130.0));
        assert_eq!(p.parse_maxspeed("NL:zone30"), MaxSpeed::Kmh(30.0));
        assert_eq!(p.parse_maxspeed("DE:zone:20"), MaxSpeed::Kmh(20.0));
        assert_eq!(p.parse_maxspeed("walk"), MaxSpeed::Kmh(7.0));
        assert_eq!(p.parse_maxspeed("none"), MaxSpeed::ClassDefault);
        assert_eq!(p.parse_maxspeed("signals"), MaxSpeed::ClassDefault);
    }

    #[test]
    fn maxspeed_lists_take_the_lowest_value() {
        let p = CarProfile::default();
        assert_eq!(p.parse_maxspeed("50;30"), MaxSpeed::Kmh(30.0));
        assert_eq!(p.parse_maxspeed("junk;70"), MaxSpeed::Kmh(70.0));
        assert_eq!(p.parse_maxspeed("none;signals"), MaxSpeed::ClassDefault);
        assert_eq!(p.parse_maxspeed("a;b"), MaxSpeed::Invalid);
    }

    #[test]
    fn maxspeed_junk_falls_back_and_is_counted() {
        let p = CarProfile::default();
        for junk in ["fast", "", "-5", "0", "NaN", "9999", "XX:zone", "50 knots"] {
            assert_eq!(p.parse_maxspeed(junk), MaxSpeed::Invalid, "{junk:?}");
        }
        let (speed, _, invalid) = road(&[("highway", "primary"), ("maxspeed", "fast")]);
        assert_eq!(speed, p.highway_speeds_kmh["primary"]);
        assert!(invalid);
    }

    #[test]
    fn tagged_maxspeed_is_scaled_and_capped() {
        let p = CarProfile::default();
        let (speed, _, invalid) = road(&[("highway", "secondary"), ("maxspeed", "80")]);
        assert!((speed - 80.0 * p.maxspeed_factor).abs() < 1e-9);
        assert!(!invalid);
        let (speed, _, _) = road(&[("highway", "motorway"), ("maxspeed", "250")]);
        assert_eq!(speed, p.max_speed_kmh);
    }

    #[test]
    fn oneway_values_and_implied_oneways() {
        assert_eq!(
            road(&[("highway", "residential"), ("oneway", "yes")]).1,
            Direction::Forward
        );
        assert_eq!(
            road(&[("highway", "residential"), ("oneway", "1")]).1,
            Direction::Forward
        );
        assert_eq!(
            road(&[("highway", "residential"), ("oneway", "true")]).1,
            Direction::Forward
        );
        assert_eq!(
            road(&[("highway", "residential"), ("oneway", "-1")]).1,
            Direction::Backward
        );
        assert_eq!(
            road(&[("highway", "residential"), ("oneway", "no")]).1,
            Direction::Both
        );
        assert_eq!(road(&[("highway", "residential")]).1, Direction::Both);
        assert_eq!(
            road(&[("highway", "primary"), ("junction", "roundabout")]).1,
            Direction::Forward
        );
        assert_eq!(road(&[("highway", "motorway")]).1, Direction::Forward);
        assert_eq!(road(&[("highway", "motorway_link")]).1, Direction::Forward);
        assert_eq!(
            road(&[("highway", "motorway"), ("oneway", "no")]).1,
            Direction::Both
        );
        assert_eq!(
            CarProfile::default()
                .classify_way(tags(&[("highway", "primary"), ("oneway", "reversible")])),
            WayVerdict::NotDrivable(Reject::Reversible)
        );
    }

    #[test]
    fn access_rules_most_specific_wins() {
        let p = CarProfile::default();
        for key in ["access", "vehicle", "motor_vehicle", "motorcar"] {
            for value in ["no", "private", "agricultural", "forestry", "delivery"] {
                assert_eq!(
                    p.classify_way(tags(&[("highway", "residential"), (key, value)])),
                    WayVerdict::NotDrivable(Reject::AccessDenied),
                    "{key}={value}"
                );
            }
        }
        road(&[("highway", "residential"), ("access", "destination")]);
        road(&[
            ("highway", "residential"),
            ("access", "no"),
            ("motor_vehicle", "yes"),
        ]);
        road(&[
            ("highway", "service"),
            ("access", "no"),
            ("motorcar", "destination"),
        ]);
        assert_eq!(
            p.classify_way(tags(&[
                ("highway", "residential"),
                ("access", "yes"),
                ("motor_vehicle", "no")
            ])),
            WayVerdict::NotDrivable(Reject::AccessDenied)
        );
    }

    #[test]
    fn barriers_that_stop_cars() {
        let p = CarProfile::default();
        assert!(p.node_blocks(tags(&[("barrier", "bollard")])));
        assert!(p.node_blocks(tags(&[("barrier", "block")])));
        assert!(!p.node_blocks(tags(&[("barrier", "bollard"), ("motor_vehicle", "yes")])));
        assert!(!p.node_blocks(tags(&[("barrier", "gate")])));
        assert!(p.node_blocks(tags(&[("barrier", "gate"), ("access", "no")])));
        assert!(p.node_blocks(tags(&[
            ("barrier", "lift_gate"),
            ("motor_vehicle", "private")
        ])));
        assert!(!p.node_blocks(tags(&[("barrier", "lift_gate"), ("access", "yes")])));
        assert!(!p.node_blocks(tags(&[("barrier", "cattle_grid")])));
        assert!(!p.node_blocks(tags(&[("barrier", "toll_booth")])));
        assert!(!p.node_blocks(tags(&[("highway", "traffic_signals")])));
    }

    #[test]
    fn ferries_need_motor_vehicles_and_read_duration() {
        let p = CarProfile::default();
        assert_eq!(
            p.classify_way(tags(&[("route", "ferry")])),
            WayVerdict::NotDrivable(Reject::FerryWithoutCars)
        );
        assert_eq!(
            p.classify_way(tags(&[("route", "ferry"), ("motor_vehicle", "no")])),
            WayVerdict::NotDrivable(Reject::FerryWithoutCars)
        );
        assert_eq!(
            p.classify_way(tags(&[
                ("route", "ferry"),
                ("motorcar", "yes"),
                ("duration", "00:25")
            ])),
            WayVerdict::Ferry {
                duration_s: Some(1500.0),
                oneway: Direction::Both
            }
        );
        assert_eq!(
            p.classify_way(tags(&[("route", "ferry"), ("motor_vehicle", "yes")])),
            WayVerdict::Ferry {
                duration_s: None,
                oneway: Direction::Both
            }
        );
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration_s("45"), Some(2700.0));
        assert_eq!(parse_duration_s("1:30"), Some(5400.0));
        assert_eq!(parse_duration_s("00:25:30"), Some(1530.0));
        assert_eq!(parse_duration_s("PT1H30M"), Some(5400.0));
        assert_eq!(parse_duration_s("PT45M"), Some(2700.0));
        assert_eq!(parse_duration_s("soon"), None);
        assert_eq!(parse_duration_s("0"), None);
        assert_eq!(parse_duration_s("1:2:3:4"), None);
    }

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
        ] {
            let err = CarProfile::from_toml_str(text).expect_err(text).to_string();
            assert!(err.contains(needle), "{text:?} gave {err}");
        }
    }
}
