//! The need profile: which facilities count as suitable for a question, from a named kind of
//! the policy (`analysis::kinds`) with overrides from TOML, flags or query parameters, all
//! checked in one place ([`NeedProfile::from_overrides`]).

use serde::{Deserialize, Serialize};

use super::fairness::Expectations;
use super::inputs::{Facility, Status};
use super::kinds::{self, Kind};
use crate::graph::Period;
use crate::routing::Direction;

/// What a young person needs. Defaults come from the named profile (`kleinschalig` unless
/// another is named): its types, group size, staffing and planning region; 45 minutes,
/// travel towards the facility, active facilities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NeedProfile {
    /// The named profile the defaults came from (`kleinschalig`, `kvjj`, …).
    pub profile: String,
    /// Facility types that count.
    pub types: Vec<String>,
    /// An age that must lie within a facility's age range (its own, else its kind's).
    pub age: Option<f64>,
    /// At least this many free places; a facility that does not state its free places does
    /// not count when this is above 0.
    pub min_free_places: f64,
    /// Largest group size (where stated).
    pub max_group_size: f64,
    /// Smallest staff ratio, carers per young person (where stated); 0.25 = 1 carer per 4.
    pub min_staff_ratio: f64,
    /// Count planned facilities too (for plans); closed ones never count.
    pub include_planned: bool,
    /// The travel limit in minutes.
    pub limit_minutes: f64,
    /// `to`: travel from home to the facility (default); `from`: from the facility.
    pub direction: Direction,
    /// Count the facilities open on this date (`YYYY-MM-DD`, from their opening and closing
    /// dates) instead of their current status.
    pub as_of: Option<String>,
    /// The grouping whose regions plan this kind (the third tier, "in the region"); `None`
    /// is national.
    pub planning_grouping: Option<String>,
    /// Young people needing a place per 10,000; `None`: demand is the national supply spread
    /// over the young people (see docs/ANALYSIS.md).
    pub placements_per_10k: Option<f64>,
    /// What every region is expected to meet (the fairness flags).
    pub expectations: Expectations,
    /// Whose travel times answer: free-flow (default), the peak, or both side by side.
    #[serde(default)]
    pub period: PeriodChoice,
    /// A municipality is fragile (kwetsbaar) when travel times changing by less than this
    /// share would change its tier (docs/ANALYSIS.md, "How close to the norm").
    #[serde(default = "default_fragile_margin")]
    pub fragile_margin: f64,
}

/// The default of [`NeedProfile::fragile_margin`]: 10 %.
pub const DEFAULT_FRAGILE_MARGIN: f64 = 0.10;

fn default_fragile_margin() -> f64 {
    DEFAULT_FRAGILE_MARGIN
}

/// Whose travel times answer a need: one period, or both side by side.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PeriodChoice {
    #[default]
    Free,
    Peak,
    Both,
}

impl PeriodChoice {
    pub const NAMES: [&'static str; 3] = ["free", "peak", "both"];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "free" => Some(PeriodChoice::Free),
            "peak" => Some(PeriodChoice::Peak),
            "both" => Some(PeriodChoice::Both),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// The period whose times give `status` (with both: free-flow; `status_peak` is the peak's).
    pub fn primary(self) -> Period {
        match self {
            PeriodChoice::Free | PeriodChoice::Both => Period::Free,
            PeriodChoice::Peak => Period::Peak,
        }
    }

    /// The period advice aims at: with both, the peak (advice that holds at rush hour).
    pub fn strictest(self) -> Period {
        match self {
            PeriodChoice::Free => Period::Free,
            PeriodChoice::Peak | PeriodChoice::Both => Period::Peak,
        }
    }
}

impl Default for NeedProfile {
    fn default() -> Self {
        Self::of_kind(kinds::default_kind())
    }
}

/// Every setting of a need profile as optional overrides: the TOML file's keys, the flags and
/// the query parameters all fill one of these.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NeedOverrides {
    pub profile: Option<String>,
    pub types: Option<Vec<String>>,
    pub age: Option<f64>,
    pub min_free_places: Option<f64>,
    pub max_group_size: Option<f64>,
    pub min_staff_ratio: Option<f64>,
    pub include_planned: Option<bool>,
    pub limit_minutes: Option<f64>,
    pub direction: Option<Direction>,
    pub as_of: Option<String>,
    pub planning_grouping: Option<String>,
    pub placements_per_10k: Option<f64>,
    pub expectations: Option<Expectations>,
    pub period: Option<PeriodChoice>,
    pub fragile_margin: Option<f64>,
}

impl NeedOverrides {
    /// `other`'s settings replace ours where it has them.
    pub fn merge(mut self, other: NeedOverrides) -> Self {
        macro_rules! take {
            ($($f:ident),*) => { $( if other.$f.is_some() { self.$f = other.$f; } )* };
        }
        take!(
            profile,
            types,
            age,
            min_free_places,
            max_group_size,
            min_staff_ratio,
            include_planned,
            limit_minutes,
            direction,
            as_of,
            planning_grouping,
            placements_per_10k,
            expectations,
            period,
            fragile_margin
        );
        self
    }

    /// Reads a TOML file of overrides (the keys of [`NeedProfile`]).
    pub fn from_toml_file(path: &std::path::Path) -> Result<Self, NeedError> {
        let file_err = |message: String| NeedError::File {
            path: path.display().to_string(),
            message,
        };
        let text = crate::limits::read_to_string(path).map_err(|e| file_err(e.to_string()))?;
        toml::from_str(&text).map_err(|e| file_err(e.message().to_string()))
    }
}

/// Errors in a need profile.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NeedError {
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("need profile {path}: {message}")]
    File { path: String, message: String },
}

/// Why a facility does not count (the first filter it fails), for the explanation of an
/// empty answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Exclusion {
    Type,
    NotOpen,
    Age,
    FreePlaces,
    GroupSize,
    StaffRatio,
}

impl Exclusion {
    pub fn describe(self) -> &'static str {
        match self {
            Exclusion::Type => "of another type",
            Exclusion::NotOpen => "not open (closed, planned, or outside the as-of date)",
            Exclusion::Age => "outside the age",
            Exclusion::FreePlaces => "too few free places",
            Exclusion::GroupSize => "group too large",
            Exclusion::StaffRatio => "too few carers",
        }
    }
}

impl NeedProfile {
    /// The defaults of a named kind.
    pub fn of_kind(k: &Kind) -> Self {
        NeedProfile {
            profile: k.name.to_string(),
            types: k.types.iter().map(|t| t.to_string()).collect(),
            age: None,
            min_free_places: 0.0,
            max_group_size: k.max_group_size,
            min_staff_ratio: k.min_staff_ratio,
            include_planned: false,
            limit_minutes: 45.0,
            direction: Direction::To,
            as_of: None,
            planning_grouping: k.planning_grouping.map(str::to_string),
            placements_per_10k: None,
            expectations: Expectations::default(),
            period: PeriodChoice::Free,
            fragile_margin: DEFAULT_FRAGILE_MARGIN,
        }
    }

    /// A named profile's defaults with the overrides applied, then checked.
    pub fn from_overrides(o: NeedOverrides) -> Result<Self, NeedError> {
        let kind = match &o.profile {
            None => kinds::default_kind(),
            Some(name) => kinds::kind(name).ok_or_else(|| NeedError::Invalid {
                field: "need",
                message: format!("unknown need profile {name:?}; known: {}", kinds::names()),
            })?,
        };
        let mut n = Self::of_kind(kind);
        if let Some(t) = o.types {
            n.types = t
                .iter()
                .map(|t| t.trim().to_ascii_lowercase())
                .filter(|t| !t.is_empty())
                .collect();
            if n.types.is_empty() {
                return Err(NeedError::Invalid {
                    field: "type",
                    message: "no type given".into(),
                });
            }
            n.types.sort();
            n.types.dedup();
        }
        n.age = o.age.or(n.age);
        n.min_free_places = o.min_free_places.unwrap_or(n.min_free_places);
        n.max_group_size = o.max_group_size.unwrap_or(n.max_group_size);
        n.min_staff_ratio = o.min_staff_ratio.unwrap_or(n.min_staff_ratio);
        n.include_planned = o.include_planned.unwrap_or(n.include_planned);
        n.limit_minutes = o.limit_minutes.unwrap_or(n.limit_minutes);
        n.direction = o.direction.unwrap_or(n.direction);
        n.as_of = o.as_of.or(n.as_of);
        if let Some(g) = o.planning_grouping {
            // "national" (or empty) plans nationally.
            n.planning_grouping =
                (!g.trim().is_empty() && !g.eq_ignore_ascii_case("national")).then_some(g);
        }
        n.placements_per_10k = o.placements_per_10k.or(n.placements_per_10k);
        // Normalised to what the search and the filters can tell apart (whole milliseconds,
        // thousandths of a year), so that equal questions are equal keys in every cache.
        if n.limit_minutes.is_finite() && n.limit_minutes > 0.0 {
            n.limit_minutes = crate::units::minutes_to_ms(n.limit_minutes) as f64 / 60_000.0;
        }
        n.age = n.age.map(|a| crate::units::round_dp(a, 3));
        if let Some(e) = o.expectations {
            n.expectations = e;
        }
        n.period = o.period.unwrap_or(n.period);
        n.fragile_margin = o.fragile_margin.unwrap_or(n.fragile_margin);
        n.validate()?;
        Ok(n)
    }

    pub fn from_toml_file(path: &std::path::Path) -> Result<Self, NeedError> {
        Self::from_overrides(NeedOverrides::from_toml_file(path)?)
    }

    /// Checks every field; the error names the field.
    pub fn validate(&self) -> Result<(), NeedError> {
        let bad = |field: &'static str, message: String| Err(NeedError::Invalid { field, message });
        if let Err(m) = crate::units::check_minutes(self.limit_minutes) {
            return bad("minutes", m);
        }
        if let Some(age) = self.age
            && !(age.is_finite() && (0.0..=30.0).contains(&age))
        {
            return bad("age", format!("{age} must be between 0 and 30"));
        }
        if !(self.min_free_places.is_finite() && (0.0..=1000.0).contains(&self.min_free_places)) {
            return bad(
                "min_free_places",
                format!("{} must be between 0 and 1000", self.min_free_places),
            );
        }
        if !(self.max_group_size.is_finite() && self.max_group_size >= 1.0) {
            return bad(
                "max_group_size",
                format!("{} must be at least 1", self.max_group_size),
            );
        }
        if !(self.min_staff_ratio.is_finite() && (0.0..=10.0).contains(&self.min_staff_ratio)) {
            return bad(
                "min_staff_ratio",
                format!("{} must be between 0 and 10", self.min_staff_ratio),
            );
        }
        if self.types.is_empty() || self.types.iter().any(|t| t.trim().is_empty()) {
            return bad("type", "an empty type name".into());
        }
        if let Some(d) = &self.as_of
            && !is_iso_date(d)
        {
            return bad("as_of", format!("{d:?} is not a date YYYY-MM-DD"));
        }
        let e = &self.expectations;
        if !([
            e.min_share_within_limit,
            e.max_share_gap_to_national,
            e.min_places_factor_of_national,
        ]
        .iter()
        .all(|x| x.is_finite() && (0.0..=1.0).contains(x))
            && e.min_balance.is_finite())
        {
            return bad(
                "expectations",
                "shares and factors must lie between 0 and 1, the balance must be a number".into(),
            );
        }
        if !(self.fragile_margin.is_finite() && (0.01..=0.5).contains(&self.fragile_margin)) {
            return bad(
                "fragile_margin",
                format!("{} must be between 0.01 and 0.5", self.fragile_margin),
            );
        }
        if let Some(r) = self.placements_per_10k
            && !(r.is_finite() && r > 0.0 && r <= 10_000.0)
        {
            return bad(
                "placements_per_10k",
                format!("{r} must be above 0 and at most 10000"),
            );
        }
        Ok(())
    }

    pub fn limit_ms(&self) -> u32 {
        crate::units::minutes_to_ms(self.limit_minutes)
    }

    /// Whether a facility is suitable.
    pub fn suits(&self, f: &Facility) -> bool {
        self.exclusion(f).is_none()
    }

    /// The first filter a facility fails, if any. Attributes a facility does not state do
    /// not exclude it, except free places when some are required; an unstated age range is
    /// its kind's.
    pub fn exclusion(&self, f: &Facility) -> Option<Exclusion> {
        if !self.types.iter().any(|t| t.eq_ignore_ascii_case(&f.kind)) {
            return Some(Exclusion::Type);
        }
        if !self.open(f) {
            return Some(Exclusion::NotOpen);
        }
        let kind_ages = kinds::kind_of_type(&f.kind).and_then(|k| k.ages);
        let (lo, hi) = (
            f.min_age.or(kind_ages.map(|a| a.0)),
            f.max_age.or(kind_ages.map(|a| a.1)),
        );
        if let Some(a) = self.age
            && !(lo.is_none_or(|lo| a >= lo) && hi.is_none_or(|hi| a <= hi))
        {
            return Some(Exclusion::Age);
        }
        if self.min_free_places > 0.0 && f.free_places.is_none_or(|p| p < self.min_free_places) {
            return Some(Exclusion::FreePlaces);
        }
        if f.group_size.is_some_and(|g| g > self.max_group_size) {
            return Some(Exclusion::GroupSize);
        }
        if f.staff_ratio
            .is_some_and(|r| r + 1e-9 < self.min_staff_ratio)
        {
            return Some(Exclusion::StaffRatio);
        }
        None
    }

    /// Whether the facility is open: on the as-of date from its dates (a closed facility
    /// without a closing date is closed on every date), else by its status.
    fn open(&self, f: &Facility) -> bool {
        match &self.as_of {
            Some(day) => {
                let day = day.as_str();
                let opened = f.opening_date.as_deref().is_none_or(|o| date(o) <= day);
                let not_closed = match f.closing_date.as_deref() {
                    Some(c) => date(c) > day,
                    None => f.status != Status::Closed,
                };
                let planned_undated = f.status == Status::Planned && f.opening_date.is_none();
                opened && not_closed && (!planned_undated || self.include_planned)
            }
            None => match f.status {
                Status::Active => true,
                Status::Planned => self.include_planned,
                Status::Closed => false,
            },
        }
    }
}

/// The `YYYY-MM-DD` part of a date as written in a facility file.
fn date(s: &str) -> &str {
    s.get(..10).unwrap_or(s)
}

/// `YYYY-MM-DD` naming a day of the calendar (2020-02-29 is one, 2021-02-29 and
/// 2020-04-31 are not).
pub fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    if !(b.len() == 10 && b[4] == b'-' && b[7] == b'-') {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| {
        s.get(r)
            .filter(|x| x.bytes().all(|c| c.is_ascii_digit()))
            .and_then(|x| x.parse::<u32>().ok())
    };
    let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// The places a facility offers: stated, else its kind's default.
pub fn places_of(f: &Facility) -> f64 {
    f.places
        .or_else(|| kinds::kind_of_type(&f.kind).map(|k| k.default_places))
        .unwrap_or(0.0)
}

/// Whether a facility's group is above its kind's preferred size (the policy prefers 4).
pub fn above_preferred_size(f: &Facility) -> bool {
    let size = f.group_size.or(f.places);
    match (
        size,
        kinds::kind_of_type(&f.kind).and_then(|k| k.preferred_group_size),
    ) {
        (Some(s), Some(p)) => s > p,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fac(kind: &str) -> Facility {
        Facility::at("F", "F", kind, 5.0, 52.0)
    }

    #[test]
    fn named_profiles_and_overrides() {
        let n = NeedProfile::default();
        assert_eq!(n.profile, "kleinschalig");
        assert!(
            !n.suits(&fac("jeugdzorgplus")),
            "large forms are not small-scale"
        );
        assert!(!n.suits(&fac("jji")));
        assert!(n.suits(&fac("kleinschalig_verblijf")));
        let kvjj = NeedProfile::from_overrides(NeedOverrides {
            profile: Some("kvjj".into()),
            ..Default::default()
        })
        .expect("kvjj");
        let mut eight = fac("kvjj");
        eight.group_size = Some(8.0);
        assert!(
            kvjj.suits(&eight),
            "a KVJJ of 8 counts for the KVJJ profile"
        );
        assert_eq!(kvjj.planning_grouping, None);
        let e = NeedProfile::from_overrides(NeedOverrides {
            profile: Some("castle".into()),
            ..Default::default()
        })
        .expect_err("unknown");
        assert!(e.to_string().contains("kvjj"), "{e}");
    }

    #[test]
    fn as_of_reads_the_dates() {
        let mut f = fac("kvjj");
        f.opening_date = Some("2021-01-04".into());
        let on = |f: &Facility, d: &str| {
            NeedProfile::from_overrides(NeedOverrides {
                profile: Some("kvjj".into()),
                as_of: Some(d.into()),
                ..Default::default()
            })
            .expect("valid")
            .suits(f)
        };
        assert!(!on(&f, "2020-12-31"));
        assert!(on(&f, "2021-01-04"));
        f.status = Status::Closed;
        f.closing_date = Some("2022-06-30".into());
        assert!(on(&f, "2022-06-29"));
        assert!(!on(&f, "2022-06-30"));
        assert!(
            NeedProfile::from_overrides(NeedOverrides {
                as_of: Some("2021-13-01".into()),
                ..Default::default()
            })
            .is_err()
        );
    }

    #[test]
    fn the_kind_gives_the_age_range_and_places_a_facility_does_not_state() {
        let n = NeedProfile::from_overrides(NeedOverrides {
            age: Some(25.0),
            ..Default::default()
        })
        .expect("valid");
        assert_eq!(
            n.exclusion(&fac("kleinschalig_verblijf")),
            Some(Exclusion::Age)
        );
        assert_eq!(places_of(&fac("kvjj")), 8.0);
        let mut six = fac("kleinschalig_verblijf");
        six.group_size = Some(6.0);
        assert!(above_preferred_size(&six));
    }

    #[test]
    fn dates_are_days_of_the_calendar() {
        for ok in ["2020-02-29", "2000-02-29", "2024-12-31", "2021-04-30"] {
            assert!(is_iso_date(ok), "{ok}");
        }
        for bad in [
            "2020-02-30",
            "2021-02-29",
            "1900-02-29",
            "2020-04-31",
            "2020-13-01",
            "2020-00-10",
            "2020-01-00",
            "2020-1-01",
            "+020-01-01",
            "2020/01/01",
            "",
        ] {
            assert!(!is_iso_date(bad), "{bad}");
        }
    }
}
