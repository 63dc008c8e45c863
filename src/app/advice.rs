//! Siting advice on the loaded data: which K candidate sites for new units of a kind serve
//! the objective best (`analysis::advice`), each with its gain, the distance from the best
//! possible, and the effect of all of them checked by a full scenario against the baseline.

use serde::Serialize;

use super::dataset::Dataset;
use super::error::AppError;
use super::scenario::ScenarioAnswer;
use crate::analysis::NeedProfile;
use crate::analysis::advice::{Candidate, Objective, Problem, Solution, binomial};
use crate::analysis::coverage::CoverageStatus;
use crate::analysis::scenario::{Change, Scenario};
use crate::progress::Progress;
use crate::spatial::Snap;
use crate::units::minutes_to_ms;

/// The most new units one question may ask for.
pub const MAX_ADD: usize = 20;
/// Enumerate every set of sites (the exact optimum) when there are at most this many.
pub const EXACT_MAX_SETS: u64 = 2_000_000;

/// A candidate site.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Site {
    pub id: String,
    pub name: String,
    pub lon: f64,
    pub lat: f64,
    /// The municipality it lies in (code), if any.
    pub municipality: Option<String>,
}

/// What is asked.
#[derive(Debug, Clone)]
pub struct AdviceRequest {
    pub need: NeedProfile,
    /// How many new units.
    pub add: usize,
    /// Only sites in, and young people of, this region (a code of any grouping).
    pub region: Option<String>,
    pub objective: Objective,
    /// Candidate sites; `None`: every municipality's representative point.
    pub candidates: Option<Vec<Site>>,
    /// The type of the new units (default: the need's first type).
    pub kind: Option<String>,
    /// Places per new unit (default: the kind's usual size).
    pub places: Option<f64>,
}

/// One advised site.
#[derive(Debug, Clone, Serialize)]
pub struct AdvisedSite {
    pub rank: usize,
    #[serde(flatten)]
    pub site: Site,
    /// The planning region it lies in.
    pub region: Option<String>,
    /// Young people newly within the limit with this site added to those ranked above it
    /// (travel from each municipality's representative point).
    pub newly_within_limit: f64,
    /// Young people × minutes saved on the way to the nearest suitable unit.
    pub weighted_minutes_saved: f64,
    /// The site gives its planning region its first suitable unit.
    pub first_in_region: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct AdviceAnswer {
    pub objective: Objective,
    pub need: NeedProfile,
    pub add: usize,
    pub kind: String,
    pub region: Option<String>,
    pub planning_grouping: String,
    pub candidates: usize,
    pub sites: Vec<AdvisedSite>,
    /// The objective's value of the answer and, where known, an upper bound on the best.
    pub value: f64,
    pub upper_bound: Option<f64>,
    pub exact: bool,
    pub guarantee: String,
    /// The answer checked in full: the baseline with the advised units added, as a scenario
    /// (its diff says which municipalities change tier and which region flags clear).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<ScenarioAnswer>,
    pub method: String,
    pub synthetic_roads: bool,
}

impl Dataset {
    /// Siting advice (see the module).
    pub fn advise(
        &self,
        req: &AdviceRequest,
        progress: &Progress,
    ) -> Result<AdviceAnswer, AppError> {
        self.advise_with(req, None, true, progress)
    }

    /// Advice against a baseline the caller has already (or `None`), checked as a scenario
    /// or not (the report leaves the check out when it advises every region).
    pub fn advise_with(
        &self,
        req: &AdviceRequest,
        baseline: Option<&crate::analysis::CoverageResult>,
        check: bool,
        progress: &Progress,
    ) -> Result<AdviceAnswer, AppError> {
        self.check_need(&req.need)?;
        if req.add == 0 || req.add > MAX_ADD {
            return Err(AppError::bad(
                "add",
                format!("ask for 1 to {MAX_ADD} new units, not {}", req.add),
            ));
        }
        let kind = match &req.kind {
            Some(k) => {
                self.check_type(k)?;
                if !req.need.types.iter().any(|t| t.eq_ignore_ascii_case(k)) {
                    return Err(AppError::bad(
                        "type",
                        format!(
                            "new units of type {k:?} do not count for this need (types {})",
                            req.need.types.join(", ")
                        ),
                    ));
                }
                k.clone()
            }
            None => req.need.types.first().cloned().unwrap_or_default(),
        };
        let computed;
        let baseline = match baseline {
            Some(b) => b,
            None => {
                computed = self.coverage(&req.need)?;
                &computed
            }
        };
        let p = &self.prepared;
        let munis = &p.municipalities;
        // The region filter: a code of any grouping.
        let in_region = |m: usize| -> bool {
            req.region.as_deref().is_none_or(|r| {
                munis[m]
                    .regions
                    .values()
                    .any(|v| v.0.eq_ignore_ascii_case(r))
            })
        };
        if let Some(r) = &req.region
            && !(0..munis.len()).any(in_region)
        {
            return Err(AppError::NotFound {
                what: "region",
                id: r.clone(),
                parameter: "region",
            });
        }
        // Demand units: the municipalities (of the region) with a representative point on
        // the roads.
        let demand: Vec<usize> = (0..munis.len())
            .filter(|&m| in_region(m) && p.representative_snaps[m].is_ok())
            .collect();
        let sites: Vec<Site> = match &req.candidates {
            Some(c) => c
                .iter()
                .filter(|s| req.region.is_none() || p.locate(s.lon, s.lat).is_some_and(in_region))
                .map(|s| Site {
                    municipality: p.locate(s.lon, s.lat).map(|m| munis[m].code.clone()),
                    ..s.clone()
                })
                .collect(),
            None => (0..munis.len())
                .filter(|&m| in_region(m) && p.representative[m].0.is_finite())
                .map(|m| Site {
                    id: munis[m].code.clone(),
                    name: munis[m].name.clone(),
                    lon: p.representative[m].0,
                    lat: p.representative[m].1,
                    municipality: Some(munis[m].code.clone()),
                })
                .collect(),
        };
        let engine = &self.network.engine;
        let snaps = engine
            .index
            .snap_many(&sites.iter().map(|s| (s.lon, s.lat)).collect::<Vec<_>>());
        let usable: Vec<(Site, Snap)> = sites
            .into_iter()
            .zip(snaps)
            .filter_map(|(s, snap)| snap.ok().map(|snap| (s, snap)))
            .collect();
        if usable.is_empty() {
            return Err(AppError::bad(
                "candidates",
                "no candidate site lies on the road network (within the snapping distance)",
            ));
        }
        // Planning regions, as the coverage answer has them.
        let mut region_names: Vec<String> = Vec::new();
        let mut region_index = |code: &Option<String>| -> Option<usize> {
            let code = code.as_ref()?;
            Some(match region_names.iter().position(|r| r == code) {
                Some(i) => i,
                None => {
                    region_names.push(code.clone());
                    region_names.len() - 1
                }
            })
        };
        let demand_region: Vec<Option<usize>> = demand
            .iter()
            .map(|&m| region_index(&baseline.municipalities[m].planning_region))
            .collect();
        let site_region: Vec<Option<usize>> = usable
            .iter()
            .map(|(s, _)| {
                let m = p.locate(s.lon, s.lat);
                region_index(&m.and_then(|m| baseline.municipalities[m].planning_region.clone()))
            })
            .collect();
        let mut region_has_unit = vec![false; region_names.len()];
        for r in &baseline.regions {
            if r.grouping == baseline.planning_grouping
                && r.figures.facilities > 0
                && let Some(i) = region_names.iter().position(|x| x == &r.code)
            {
                region_has_unit[i] = true;
            }
        }
        let limit_ms = req.need.limit_ms();
        // p-median needs times beyond the limit; they are searched up to twice the limit.
        let cap_ms = match req.objective {
            Objective::Median => limit_ms.saturating_mul(2),
            _ => limit_ms,
        };
        // Times from every municipality's point to every candidate site (travel home → unit,
        // as in coverage).
        let targets: Vec<Option<Snap>> = demand
            .iter()
            .map(|&m| p.representative_snaps[m].as_ref().ok().copied())
            .collect();
        let dir = req.need.direction;
        // One table, candidates × municipalities ([`crate::routing::Engine::table`]).
        let bar = progress.bar(usable.len() as u64, "searching from candidate sites");
        let rows: Vec<Option<Snap>> = usable.iter().map(|(_, s)| Some(*s)).collect();
        let reaches: Vec<Vec<(usize, u32)>> = engine
            .table_with(&rows, &targets, cap_ms, dir, &|| bar.inc(1))
            .into_iter()
            .map(|row| {
                row.iter()
                    .enumerate()
                    .filter_map(|(d, r)| r.map(|r| (d, r.time_ms)))
                    .collect()
            })
            .collect();
        bar.finish_and_clear();
        let problem = Problem {
            weights: demand.iter().map(|&m| munis[m].population).collect(),
            region: demand_region,
            regions: region_names.len(),
            covered: demand
                .iter()
                .map(|&m| {
                    matches!(
                        baseline.municipalities[m].status,
                        CoverageStatus::OwnMunicipality | CoverageStatus::WithinLimit
                    )
                })
                .collect(),
            current_ms: demand
                .iter()
                .map(|&m| {
                    baseline.municipalities[m]
                        .nearest_minutes
                        .map(minutes_to_ms)
                        .unwrap_or(cap_ms)
                })
                .collect(),
            region_has_unit,
            limit_ms,
            cap_ms,
            candidates: reaches
                .into_iter()
                .zip(&site_region)
                .map(|(reach, r)| Candidate { region: *r, reach })
                .collect(),
        };
        let greedy = problem.greedy(req.add, req.objective);
        let solution: Solution = match req.objective {
            Objective::Coverage if !greedy.exact => problem
                .exact_coverage(req.add, EXACT_MAX_SETS)
                .unwrap_or(greedy),
            _ => greedy,
        };
        let sites: Vec<AdvisedSite> = solution
            .picks
            .iter()
            .enumerate()
            .map(|(i, pick)| AdvisedSite {
                rank: i + 1,
                site: usable[pick.candidate].0.clone(),
                region: site_region[pick.candidate].map(|r| region_names[r].clone()),
                newly_within_limit: pick.newly_within_limit,
                weighted_minutes_saved: pick.weighted_minutes_saved,
                first_in_region: pick.first_in_region,
            })
            .collect();
        let check = if check {
            Some(self.scenario(
                &advised_scenario(&sites, &kind, req.places),
                &req.need,
                Some(baseline),
            )?)
        } else {
            None
        };
        let combos = binomial(usable.len() as u64, req.add as u64);
        Ok(AdviceAnswer {
            objective: req.objective,
            need: req.need.clone(),
            add: req.add,
            kind,
            region: req.region.clone(),
            planning_grouping: baseline.planning_grouping.clone(),
            candidates: usable.len(),
            sites,
            value: solution.value,
            upper_bound: solution.upper_bound,
            exact: solution.exact,
            guarantee: solution.guarantee,
            check,
            method: format!(
                "{} over {} candidate sites and {} municipalities ({} possible sets of {}); travel time from each municipality's representative point to each site, searched up to {} minutes",
                match req.objective {
                    Objective::Coverage => "maximal covering location (Church & ReVelle 1974)",
                    Objective::Median => "p-median (Hakimi 1964)",
                    Objective::Fairness => "leximin over the planning regions",
                },
                usable.len(),
                demand.len(),
                combos
                    .map(|c| c.to_string())
                    .unwrap_or_else(|| "very many".into()),
                req.add,
                cap_ms / 60_000
            ),
            synthetic_roads: baseline.synthetic_roads,
        })
    }
}

/// The scenario that adds the advised units.
pub fn advised_scenario(sites: &[AdvisedSite], kind: &str, places: Option<f64>) -> Scenario {
    Scenario {
        name: format!("advice: {} new {kind}", sites.len()),
        description: None,
        changes: sites
            .iter()
            .map(|s| Change::Add {
                id: format!("ADVIES-{}", s.rank),
                name: Some(format!("Advised unit {} ({})", s.rank, s.site.name)),
                kind: kind.to_string(),
                lon: Some(s.site.lon),
                lat: Some(s.site.lat),
                municipality: None,
                places,
                min_age: None,
                max_age: None,
                group_size: None,
                opening_date: None,
                closing_date: None,
            })
            .collect(),
    }
}

/// The most candidate sites read by default (`--max-candidates`).
pub const MAX_CANDIDATES: usize = 100_000;

/// Reads candidate sites from a CSV (`id,name,lon,lat`, name optional) or GeoJSON points; at
/// most `max` of them.
pub fn read_candidates(path: &std::path::Path, max: usize) -> Result<Vec<Site>, AppError> {
    let points = crate::analysis::inputs::read_points_at_most(
        path,
        max,
        "candidate sites: raise the limit with --max-candidates, or thin the sites out",
    )?;
    Ok(points
        .into_iter()
        .map(|(id, lon, lat)| Site {
            name: id.clone(),
            id,
            lon,
            lat,
            municipality: None,
        })
        .collect())
}
