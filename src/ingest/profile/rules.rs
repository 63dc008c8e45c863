//! The profile's rules applied to OSM tags: is a way drivable, how fast, in which
//! direction; does a node stop cars. Pure functions, unit-tested one rule at a time.

use super::CarProfile;

impl CarProfile {
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
        let maxspeed = tag("maxspeed").map(|m| self.parse_maxspeed(m));
        let maxspeed_invalid = matches!(maxspeed, Some(MaxSpeed::Invalid));
        let posted = match maxspeed {
            Some(MaxSpeed::Kmh(v)) => Some(v),
            _ => None,
        };
        let speed_kmh = posted.map_or(default_kmh, |v| v * self.maxspeed_factor);
        // Built-up (bebouwde kom): a posted limit decides; without one, the class does.
        let built_up = match posted {
            Some(v) => v <= self.built_up_max_kmh,
            None => self.built_up_classes.iter().any(|c| c == highway),
        };
        WayVerdict::Road {
            class: highway.to_string(),
            speed_kmh: speed_kmh.min(self.max_speed_kmh),
            direction,
            maxspeed_invalid,
            built_up,
        }
    }

    /// The time a car loses passing a node with these tags (signals, stop sign, crossings),
    /// in seconds; 0 for an untagged node.
    pub fn node_delay_s<'a>(&self, tag: impl Fn(&str) -> Option<&'a str>) -> f64 {
        let mut d = 0.0;
        match tag("highway") {
            Some("traffic_signals") => d += self.traffic_signals_delay_s,
            Some("stop") => d += self.stop_delay_s,
            Some("crossing") => d += self.crossing_delay_s,
            _ => {}
        }
        if tag("railway") == Some("level_crossing") {
            d += self.level_crossing_delay_s;
        }
        d
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
        /// In a built-up area (which peak factors apply): see [`CarProfile::built_up_max_kmh`].
        built_up: bool,
    },
    Ferry {
        duration_s: Option<f64>,
        oneway: Direction,
    },
    NotDrivable(Reject),
}

#[cfg(test)]
mod tests {
    use super::super::Period;
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
    fn built_up_follows_the_posted_limit_else_the_class() {
        let p = CarProfile::default();
        let built_up = |pairs: &[(&str, &str)]| match p.classify_way(tags(pairs)) {
            WayVerdict::Road { built_up, .. } => built_up,
            other => panic!("expected a road, got {other:?}"),
        };
        assert!(built_up(&[("highway", "primary"), ("maxspeed", "50")]));
        assert!(built_up(&[
            ("highway", "primary"),
            ("maxspeed", "NL:urban")
        ]));
        assert!(!built_up(&[("highway", "primary"), ("maxspeed", "80")]));
        assert!(!built_up(&[("highway", "residential"), ("maxspeed", "60")]));
        assert!(built_up(&[("highway", "residential")]));
        assert!(!built_up(&[("highway", "tertiary")]));
        assert!(!built_up(&[("highway", "tertiary"), ("maxspeed", "junk")]));
        assert_eq!(p.speed_factor(Period::Free, "motorway", true), 1.0);
        assert_eq!(p.speed_factor(Period::Peak, "motorway", true), 0.70);
        assert_eq!(p.speed_factor(Period::Peak, "motorway", false), 0.80);
        assert_eq!(p.speed_factor(Period::Peak, "track", false), 1.0);
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
    fn tagged_nodes_cost_their_delay() {
        let p = CarProfile::default();
        assert_eq!(
            p.node_delay_s(tags(&[("highway", "traffic_signals")])),
            p.traffic_signals_delay_s
        );
        assert_eq!(p.node_delay_s(tags(&[("highway", "stop")])), p.stop_delay_s);
        assert_eq!(
            p.node_delay_s(tags(&[("highway", "crossing")])),
            p.crossing_delay_s
        );
        assert_eq!(
            p.node_delay_s(tags(&[("railway", "level_crossing")])),
            p.level_crossing_delay_s
        );
        assert_eq!(p.node_delay_s(tags(&[("highway", "street_lamp")])), 0.0);
        assert_eq!(p.node_delay_s(tags(&[])), 0.0);
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
}
