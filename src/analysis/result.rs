//! The answer of a coverage question: per municipality, per region and nationally, with the
//! typed statuses. Values are kept unrounded; they are rounded where written (the `out`
//! serialisers here, and the report writers).

use std::collections::BTreeMap;

use serde::Serialize;

use super::need::NeedProfile;

/// The language of labels in data outputs (layers, spreadsheets): Dutch by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LabelLang {
    #[default]
    Nl,
    En,
}

impl LabelLang {
    /// `nl` or `en`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "nl" => Some(LabelLang::Nl),
            "en" => Some(LabelLang::En),
            _ => None,
        }
    }
}

/// The proximity status of a municipality (serialised in snake_case, as in every output).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CoverageStatus {
    /// A suitable facility placed on the road network lies in the municipality itself.
    OwnMunicipality,
    /// At least half of its young people reach one within the limit.
    WithinLimit,
    /// Fewer than half within the limit, but a suitable facility lies in the own planning
    /// region ("elders in de regio").
    WithinRegion,
    /// Fewer than half within the limit, and the own planning region has no suitable
    /// facility: only one across its border is reached.
    OutsideRegion,
    /// No origin of the municipality reaches any suitable facility.
    Unreachable,
}

impl CoverageStatus {
    pub const ALL: [CoverageStatus; 5] = [
        CoverageStatus::OwnMunicipality,
        CoverageStatus::WithinLimit,
        CoverageStatus::WithinRegion,
        CoverageStatus::OutsideRegion,
        CoverageStatus::Unreachable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CoverageStatus::OwnMunicipality => "own_municipality",
            CoverageStatus::WithinLimit => "within_limit",
            CoverageStatus::WithinRegion => "within_region",
            CoverageStatus::OutsideRegion => "outside_region",
            CoverageStatus::Unreachable => "unreachable",
        }
    }

    /// The tier for people, in Dutch or English (as GIS layers and spreadsheets show it).
    pub fn label(self, lang: LabelLang) -> &'static str {
        let (nl, en) = match self {
            CoverageStatus::OwnMunicipality => ("in de eigen gemeente", "in the own municipality"),
            CoverageStatus::WithinLimit => ("binnen de norm", "within the limit"),
            CoverageStatus::WithinRegion => {
                ("verder weg in de eigen regio", "farther, in the own region")
            }
            CoverageStatus::OutsideRegion => ("alleen buiten de regio", "only outside the region"),
            CoverageStatus::Unreachable => ("niet bereikbaar", "unreachable"),
        };
        match lang {
            LabelLang::Nl => nl,
            LabelLang::En => en,
        }
    }

    /// The tier's place on the policy's ladder, 1 (own municipality, best) to 5
    /// (unreachable): for styling a layer by class, and sorting.
    pub fn rank(self) -> u8 {
        match self {
            CoverageStatus::OwnMunicipality => 1,
            CoverageStatus::WithinLimit => 2,
            CoverageStatus::WithinRegion => 3,
            CoverageStatus::OutsideRegion => 4,
            CoverageStatus::Unreachable => 5,
        }
    }

    /// A gap: the 45-minute rule is not met (within the region only, outside it, or
    /// unreachable).
    pub fn is_gap(self) -> bool {
        matches!(
            self,
            CoverageStatus::WithinRegion
                | CoverageStatus::OutsideRegion
                | CoverageStatus::Unreachable
        )
    }
}

/// Compares with the serialised name (`status == "own_municipality"`).
impl PartialEq<&str> for CoverageStatus {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::fmt::Display for CoverageStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// Where the young people of the municipalities are taken to live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OriginKind {
    /// Graph nodes on inhabited roads, weighted by road length.
    RoadNetwork,
    /// User-supplied weighted points.
    WeightedPoints,
    /// User-supplied weighted areas, their young people spread over the inhabited roads
    /// inside each by street length.
    WeightedAreas,
}

/// Serialisers that round where output is written (values are kept unrounded).
mod out {
    use crate::units::round_dp;
    use serde::Serializer;

    pub fn r3<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(round_dp(*x, 3))
    }
    pub fn r1_opt<S: Serializer>(x: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
        match x {
            Some(x) => s.serialize_f64(round_dp(*x, 1)),
            None => s.serialize_none(),
        }
    }
    pub fn r3_opt<S: Serializer>(x: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
        match x {
            Some(x) => s.serialize_f64(round_dp(*x, 3)),
            None => s.serialize_none(),
        }
    }
}

/// The answer for one municipality.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MunicipalityResult {
    pub code: String,
    pub name: String,
    pub status: CoverageStatus,
    /// Share of the young people within the limit (0..=1, unrounded; rounded on output).
    #[serde(serialize_with = "out::r3")]
    pub share_within_limit: f64,
    #[serde(serialize_with = "out::r1_opt")]
    pub minutes_median: Option<f64>,
    #[serde(serialize_with = "out::r1_opt")]
    pub minutes_p90: Option<f64>,
    #[serde(serialize_with = "out::r1_opt")]
    pub minutes_worst: Option<f64>,
    pub nearest_facility_id: Option<String>,
    pub nearest_facility_name: Option<String>,
    #[serde(serialize_with = "out::r1_opt")]
    pub nearest_minutes: Option<f64>,
    pub facilities_within_limit: usize,
    /// Of those, the ones in the own planning region.
    pub facilities_within_limit_in_region: usize,
    /// The planning region (of the need's planning grouping; `None`: not in any region of
    /// it, or national planning).
    pub planning_region: Option<String>,
    /// Suitable facilities in the municipality that are placed on the road network.
    pub facilities_in_municipality: usize,
    /// Suitable facilities in the municipality that cannot be placed on the road network,
    /// as `ID: reason` (they count for no status).
    pub unplaced_facilities: Vec<String>,
    /// The number of young people; `None` when the input has no population (every
    /// municipality then weighs the same).
    #[serde(serialize_with = "out::r3_opt")]
    pub young_people: Option<f64>,
    /// The weight used in shares (the population, or 1 when it is unknown).
    #[serde(skip)]
    pub weight: f64,
    /// Young people needing a place (young people × the placement rate).
    #[serde(serialize_with = "out::r3")]
    pub demand: f64,
    /// Places within the limit per 10,000 young people, shared with the other
    /// municipalities that reach them (2SFCA).
    #[serde(serialize_with = "out::r3")]
    pub access_2sfca: f64,
    /// The same with distance decay (E2SFCA).
    #[serde(serialize_with = "out::r3")]
    pub access_e2sfca: f64,
    /// Demand placed within the limit, nearest first, while places last.
    #[serde(serialize_with = "out::r3")]
    pub placed_within_limit: f64,
    /// Demand placed beyond the limit in the own planning region.
    #[serde(serialize_with = "out::r3")]
    pub placed_in_region: f64,
    /// Demand that finds no place within the limit or in the region.
    #[serde(serialize_with = "out::r3")]
    pub unplaced: f64,
    pub origins: usize,
    /// grouping → region code
    pub regions: BTreeMap<String, String>,
    /// The factor on every travel time at which the tier changes (above 1: slowing by more
    /// loses the norm; below 1: speeding up by more gains it); `None` for tiers travel time
    /// does not decide (docs/ANALYSIS.md, "How close to the norm").
    #[serde(serialize_with = "out::r3_opt")]
    pub margin_factor: Option<f64>,
    /// Minutes to spare (positive) or short (negative) at the median young person.
    #[serde(serialize_with = "out::r1_opt")]
    pub margin_minutes: Option<f64>,
    /// Kwetsbaar: a change of travel times by less than the need's `fragile_margin` would
    /// change the tier.
    pub fragile: bool,
    /// With `period=both`: the tier at the peak (`status` is the free-flow tier).
    pub status_peak: Option<CoverageStatus>,
    /// With `period=both`: the tier is the same at both hours.
    pub robust: Option<bool>,
    /// With `period=both`: `minutes_median` at the peak.
    #[serde(serialize_with = "out::r1_opt")]
    pub minutes_median_peak: Option<f64>,
}

/// Fairness figures for one region of a grouping.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionResult {
    pub grouping: String,
    pub code: String,
    pub name: String,
    #[serde(flatten)]
    pub figures: Figures,
    pub gap_municipalities: Vec<String>,
    #[serde(serialize_with = "out::r1_opt")]
    pub worst_minutes: Option<f64>,
    pub unfair: bool,
    /// The messages of `flags`.
    pub unfair_reasons: Vec<String>,
    /// Every expectation the region does not meet, with its rule and numbers.
    pub flags: Vec<super::fairness::Flag>,
    /// Members whose tier a change of travel times by less than the need's `fragile_margin`
    /// would change (codes).
    pub fragile_municipalities: Vec<String>,
    /// With `period=both`: the share of the young people whose tier differs between free
    /// flow and the peak.
    #[serde(serialize_with = "out::r3_opt")]
    pub share_tier_depends_on_hour: Option<f64>,
}

/// The figures of a set of municipalities: a region, or the whole country.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    pub municipalities: usize,
    /// `None` when the population is unknown.
    #[serde(serialize_with = "out::r3_opt")]
    pub young_people: Option<f64>,
    pub facilities: usize,
    #[serde(serialize_with = "out::r3")]
    pub places: f64,
    /// `None` when the population is unknown.
    #[serde(serialize_with = "out::r3_opt")]
    pub places_per_10k: Option<f64>,
    #[serde(serialize_with = "out::r3")]
    pub share_within_limit: f64,
    /// Population-weighted Gini coefficient of the municipalities' median travel times.
    #[serde(serialize_with = "out::r3")]
    pub gini_minutes: f64,
    /// Share of the young people beyond the limit (1 − share within).
    #[serde(serialize_with = "out::r3")]
    pub share_beyond_limit: f64,
    /// Share of the young people whose municipality is served in its own planning region:
    /// own municipality, a facility of the region within the limit, or in the region.
    #[serde(serialize_with = "out::r3")]
    pub share_served_in_region: f64,
    /// Young people needing a place.
    #[serde(serialize_with = "out::r3")]
    pub demand: f64,
    /// Places minus demand.
    #[serde(serialize_with = "out::r3")]
    pub balance: f64,
    /// Share of the demand placed within the limit.
    #[serde(serialize_with = "out::r3")]
    pub share_demand_within_limit: f64,
    /// Demand that finds no place within the limit or in the region.
    #[serde(serialize_with = "out::r3")]
    pub unplaced: f64,
    /// Population-weighted Theil index of the E2SFCA access (`None`: nobody has access).
    #[serde(serialize_with = "out::r3_opt")]
    pub theil_access: Option<f64>,
}

/// Inequality of access across the regions of one grouping: Theil's T of the E2SFCA access
/// split into the part within the regions and the part between them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InequalitySplit {
    pub grouping: String,
    #[serde(serialize_with = "out::r3")]
    pub theil_total: f64,
    #[serde(serialize_with = "out::r3")]
    pub theil_within: f64,
    #[serde(serialize_with = "out::r3")]
    pub theil_between: f64,
}

/// National figures for comparison.
pub type NationalResult = Figures;

/// A whole coverage answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoverageResult {
    pub need: NeedProfile,
    /// The planning grouping used for the "in the region" tier (`national` when the need
    /// plans nationally or the data lacks its grouping).
    pub planning_grouping: String,
    /// Young people needing a place per 10,000 (given, or the national balance).
    #[serde(serialize_with = "out::r3")]
    pub placements_per_10k: f64,
    /// Where the demand came from: `demand_file`, `placement_rate` (given),
    /// `national_balance` (the national supply spread over the young people) or
    /// `baseline_national_balance` (a scenario's: the baseline's national balance, held so
    /// that changing supply never changes demand).
    pub demand_source: &'static str,
    /// The rate applied to municipalities without a demand of their own (from a demand
    /// file): what a scenario on this answer holds.
    #[serde(skip)]
    pub rate_for_others_per_10k: f64,
    pub suitable_facilities: Vec<String>,
    /// Facilities that do not count, by the first filter they fail.
    pub excluded: BTreeMap<super::need::Exclusion, usize>,
    /// Suitable facilities whose group is above the preferred size (the policy prefers 4).
    pub above_preferred_size: Vec<String>,
    /// Suitable facilities that could not be snapped to the road network, with the reason.
    pub unsnapped_facilities: Vec<(String, String)>,
    pub municipalities: Vec<MunicipalityResult>,
    pub regions: Vec<RegionResult>,
    pub national: NationalResult,
    pub inequality: Vec<InequalitySplit>,
    pub origin_kind: OriginKind,
    /// How young people are spread within each municipality: `street_length` or
    /// `file:<name> (<weight column>)`.
    pub population_model: String,
    pub synthetic_roads: bool,
}
