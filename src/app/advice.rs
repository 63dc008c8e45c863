//! Siting advice on the loaded data: which K candidate sites for new units of a kind serve
//! the objective best (`analysis::advice`), each with its gain, the distance from the best
//! possible, and the effect of all of them checked by a full scenario against the baseline.

use serde::Serialize;

use super::dataset::Dataset;
use super::error::AppError;
use super::scenario::ScenarioAnswer;
use crate::analysis::CoverageResult;
use crate::analysis::NeedProfile;
use crate::analysis::advice::{Candidate, Objective, Problem, Solution, binomial};
use crate::analysis::coverage::{OriginDemand, OriginsNow};
use crate::analysis::need::PeriodChoice;
use crate::analysis::scenario::{Change, Scenario};
use crate::progress::Progress;
use crate::spatial::Snap;

/// The most new units one question may ask for.
pub const MAX_ADD: usize = 20;
/// Enumerate every set of sites (the exact optimum) when there are at most this many.
pub const EXACT_MAX_SETS: u64 = 2_000_000;
/// ... and when comparing them costs at most this much work (sets × the demand units and
/// reaches each set is scored over), so that a national question with many origins falls
/// back to greedy within seconds rather than enumerating for minutes.
pub const EXACT_MAX_WORK: u64 = 400_000_000;

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

/// What advice starts from: a coverage answer and every origin's time to its nearest
/// suitable unit today ([`Dataset::advice_baseline`]).
pub struct Baseline<'a> {
    pub result: &'a CoverageResult,
    pub now: OriginsNow,
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
    /// (travel from every origin, as in coverage: the share of each municipality's young
    /// people, not its tier).
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
    /// The municipalities whose young people the objective counts (all of the region).
    pub municipalities: usize,
    /// The demand units: the origins of those municipalities (where young people live, as
    /// in coverage), plus one for each municipality without any.
    pub origins: usize,
    /// How young people are spread within each municipality (as in coverage):
    /// `street_length` or `file:<name> (<column>)`.
    pub population_model: String,
    /// Of the municipalities, those without an origin on the road network: counted, but no
    /// site reaches them (codes).
    pub off_network: Vec<String>,
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

    /// What advice starts from for a coverage answer: the answer and its origins' times
    /// today. The report computes it once for all its regions.
    pub fn advice_baseline<'a>(&self, result: &'a CoverageResult) -> Baseline<'a> {
        Baseline {
            result,
            now: self.network.with_workspace(|ws| {
                let engine = self.engine(result.need.period.strictest());
                self.prepared.origins_now(engine, ws, &result.need)
            }),
        }
    }

    /// Advice against a baseline the caller has already (or `None`), checked as a scenario
    /// or not (the report leaves the check out when it advises every region). The steps of
    /// docs/ANALYSIS.md, "Siting advice".
    pub fn advise_with(
        &self,
        req: &AdviceRequest,
        baseline: Option<&Baseline>,
        check: bool,
        progress: &Progress,
    ) -> Result<AdviceAnswer, AppError> {
        // Advice for both periods is advice that holds at the peak: asked, checked and
        // answered with the peak's times.
        let at_peak;
        let req = if req.need.period == PeriodChoice::Both {
            at_peak = AdviceRequest {
                need: NeedProfile {
                    period: PeriodChoice::Peak,
                    ..req.need.clone()
                },
                ..req.clone()
            };
            &at_peak
        } else {
            req
        };
        self.check_need(&req.need)?;
        if req.add == 0 || req.add > MAX_ADD {
            return Err(AppError::bad(
                "add",
                format!("ask for 1 to {MAX_ADD} new units, not {}", req.add),
            ));
        }
        let kind = self.new_unit_kind(req)?;
        let (computed, computed_now);
        let (baseline, now) = match baseline {
            Some(b) => (b.result, &b.now),
            None => {
                computed = self.coverage(&req.need)?;
                computed_now = self.advice_baseline(&computed).now;
                (&computed, &computed_now)
            }
        };
        let municipalities = self.demand_municipalities(req)?;
        let sites = self.candidate_sites(req)?;
        let demand = self.origin_demand(baseline, now, &municipalities);
        let regions = PlanningRegions::of(self, baseline, &demand, &sites);
        let cap_ms = match req.objective {
            // p-median needs times beyond the limit; they are searched up to twice it.
            Objective::Median => req.need.limit_ms().saturating_mul(2),
            _ => req.need.limit_ms(),
        };
        let reaches = self.site_reaches(&sites, &demand, cap_ms, req, progress);
        let problem = advice_problem(&demand, &regions, reaches, cap_ms, req);
        let solution = solve(&problem, req);
        let advised = advised_sites(&solution, &sites, &regions);
        let check = if check {
            Some(self.scenario(
                &advised_scenario(&advised, &kind, req.places),
                &req.need,
                Some(baseline),
            )?)
        } else {
            None
        };
        let munis = &self.prepared.municipalities;
        Ok(AdviceAnswer {
            objective: req.objective,
            need: req.need.clone(),
            add: req.add,
            kind,
            region: req.region.clone(),
            planning_grouping: baseline.planning_grouping.clone(),
            candidates: sites.len(),
            municipalities: municipalities.len(),
            origins: demand.len(),
            population_model: baseline.population_model.clone(),
            off_network: municipalities
                .iter()
                .filter(|&&m| self.prepared.origins[m].is_empty())
                .map(|&m| munis[m].code.clone())
                .collect(),
            sites: advised,
            value: solution.value,
            upper_bound: solution.upper_bound,
            exact: solution.exact,
            guarantee: solution.guarantee,
            check,
            method: method_text(req, sites.len(), municipalities.len(), cap_ms),
            synthetic_roads: baseline.synthetic_roads,
        })
    }

    /// The type of the new units: the one asked (it must count for the need) or the need's
    /// first type.
    fn new_unit_kind(&self, req: &AdviceRequest) -> Result<String, AppError> {
        let Some(k) = &req.kind else {
            return Ok(req.need.types.first().cloned().unwrap_or_default());
        };
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
        Ok(k.clone())
    }

    /// Whether municipality `m` lies in the asked region (a code of any grouping; no region:
    /// all of them).
    fn in_asked_region(&self, req: &AdviceRequest, m: usize) -> bool {
        req.region.as_deref().is_none_or(|r| {
            self.prepared.municipalities[m]
                .regions
                .values()
                .any(|v| v.0.eq_ignore_ascii_case(r))
        })
    }

    /// The municipalities whose young people count: every one of the asked region. Those
    /// without an origin on the road network stay in (no site reaches them, but their young
    /// people count in every share); the answer lists them.
    fn demand_municipalities(&self, req: &AdviceRequest) -> Result<Vec<usize>, AppError> {
        let demand: Vec<usize> = (0..self.prepared.municipalities.len())
            .filter(|&m| self.in_asked_region(req, m))
            .collect();
        match &req.region {
            Some(r) if demand.is_empty() => Err(AppError::NotFound {
                what: "region",
                id: r.clone(),
                parameter: "region",
            }),
            _ => Ok(demand),
        }
    }

    /// The candidate sites (given, or every municipality's representative point) of the
    /// asked region that lie on the road network.
    fn candidate_sites(&self, req: &AdviceRequest) -> Result<Vec<(Site, Snap)>, AppError> {
        let p = &self.prepared;
        let munis = &p.municipalities;
        let sites: Vec<Site> = match &req.candidates {
            Some(c) => c
                .iter()
                .filter(|s| {
                    req.region.is_none()
                        || p.locate(s.lon, s.lat)
                            .is_some_and(|m| self.in_asked_region(req, m))
                })
                .map(|s| Site {
                    municipality: p.locate(s.lon, s.lat).map(|m| munis[m].code.clone()),
                    ..s.clone()
                })
                .collect(),
            None => (0..munis.len())
                .filter(|&m| self.in_asked_region(req, m) && p.representative[m].0.is_finite())
                .map(|m| Site {
                    id: munis[m].code.clone(),
                    name: munis[m].name.clone(),
                    lon: p.representative[m].0,
                    lat: p.representative[m].1,
                    municipality: Some(munis[m].code.clone()),
                })
                .collect(),
        };
        let snaps = self
            .network
            .engine
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
        Ok(usable)
    }

    /// The demand units: every origin of the municipalities, with the young people the
    /// baseline gives its municipality spread by origin weight, and its time to the nearest
    /// suitable unit today (the origins and the search of coverage).
    fn origin_demand(
        &self,
        baseline: &CoverageResult,
        now: &OriginsNow,
        municipalities: &[usize],
    ) -> OriginDemand {
        let young_people: Vec<f64> = baseline.municipalities.iter().map(|m| m.weight).collect();
        let engine = self.engine(baseline.need.period.strictest());
        self.prepared
            .origin_demand(engine, now, municipalities, &young_people)
    }

    /// Travel times from every demand unit to every candidate site (home → unit, as in
    /// coverage) up to `cap_ms`: one search per site bounded at the cap.
    fn site_reaches(
        &self,
        sites: &[(Site, Snap)],
        demand: &OriginDemand,
        cap_ms: u32,
        req: &AdviceRequest,
        progress: &Progress,
    ) -> Vec<Vec<(usize, u32)>> {
        let bar = progress.bar(sites.len() as u64, "searching from candidate sites");
        let snaps: Vec<Snap> = sites.iter().map(|(_, s)| *s).collect();
        let reaches = self.prepared.site_reaches(
            self.engine(req.need.period.strictest()),
            demand,
            &snaps,
            cap_ms,
            req.need.direction,
            &|| bar.inc(1),
        );
        bar.finish_and_clear();
        reaches
    }
}

/// The planning regions of the demand units and the sites, numbered, as the coverage answer
/// has them.
struct PlanningRegions {
    names: Vec<String>,
    of_demand: Vec<Option<usize>>,
    of_site: Vec<Option<usize>>,
    has_unit: Vec<bool>,
}

impl PlanningRegions {
    fn of(
        data: &Dataset,
        baseline: &CoverageResult,
        demand: &OriginDemand,
        sites: &[(Site, Snap)],
    ) -> Self {
        let mut names: Vec<String> = Vec::new();
        let mut index = |code: Option<&String>| -> Option<usize> {
            let code = code?;
            Some(match names.iter().position(|r| r == code) {
                Some(i) => i,
                None => {
                    names.push(code.clone());
                    names.len() - 1
                }
            })
        };
        let region_of = |m: usize| baseline.municipalities[m].planning_region.as_ref();
        let of_demand: Vec<Option<usize>> = demand
            .municipality
            .iter()
            .map(|&m| index(region_of(m)))
            .collect();
        let of_site: Vec<Option<usize>> = sites
            .iter()
            .map(|(s, _)| index(data.prepared.locate(s.lon, s.lat).and_then(region_of)))
            .collect();
        let mut has_unit = vec![false; names.len()];
        for r in &baseline.regions {
            if r.grouping == baseline.planning_grouping
                && r.figures.facilities > 0
                && let Some(i) = names.iter().position(|x| x == &r.code)
            {
                has_unit[i] = true;
            }
        }
        PlanningRegions {
            names,
            of_demand,
            of_site,
            has_unit,
        }
    }
}

/// The location problem: the origins weighted by young people, their state today, and the
/// candidates with the origins they bring closer (a site farther than an origin's nearest
/// unit today changes nothing for it, so that reach is left out); the units no site
/// reaches merged ([`Problem::without_unreached`]).
fn advice_problem(
    demand: &OriginDemand,
    regions: &PlanningRegions,
    reaches: Vec<Vec<(usize, u32)>>,
    cap_ms: u32,
    req: &AdviceRequest,
) -> Problem {
    let limit_ms = req.need.limit_ms();
    let current_ms: Vec<u32> = demand
        .now_ms
        .iter()
        .map(|t| t.unwrap_or(cap_ms).min(cap_ms))
        .collect();
    Problem {
        weights: demand.young_people.clone(),
        region: regions.of_demand.clone(),
        regions: regions.names.len(),
        covered: demand
            .now_ms
            .iter()
            .map(|t| t.is_some_and(|t| t <= limit_ms))
            .collect(),
        region_has_unit: regions.has_unit.clone(),
        limit_ms,
        cap_ms,
        candidates: reaches
            .into_iter()
            .zip(&regions.of_site)
            .map(|(mut reach, r)| {
                reach.retain(|&(d, t)| t < current_ms[d]);
                Candidate { region: *r, reach }
            })
            .collect(),
        current_ms,
    }
    .without_unreached()
}

/// Greedy, then the exact optimum by enumeration where the sets are few enough; for
/// `fairness` beyond that, greedy improved by single swaps.
fn solve(problem: &Problem, req: &AdviceRequest) -> Solution {
    let greedy = problem.greedy(req.add, req.objective);
    if greedy.exact {
        return greedy;
    }
    let reach: usize = problem.candidates.iter().map(|c| c.reach.len()).sum();
    let per_set =
        (problem.weights.len() + req.add * reach / problem.candidates.len().max(1)) as u64;
    let max_sets = EXACT_MAX_SETS.min(EXACT_MAX_WORK / per_set.max(1));
    match problem.exact(req.add, req.objective, max_sets) {
        Some(exact) => exact,
        None if req.objective == Objective::Fairness => {
            problem.improve_by_swaps(&greedy, req.objective)
        }
        None => greedy,
    }
}

/// The advised sites, ranked, with their gains.
fn advised_sites(
    solution: &Solution,
    sites: &[(Site, Snap)],
    regions: &PlanningRegions,
) -> Vec<AdvisedSite> {
    solution
        .picks
        .iter()
        .enumerate()
        .map(|(i, pick)| AdvisedSite {
            rank: i + 1,
            site: sites[pick.candidate].0.clone(),
            region: regions.of_site[pick.candidate].map(|r| regions.names[r].clone()),
            newly_within_limit: pick.newly_within_limit,
            weighted_minutes_saved: pick.weighted_minutes_saved,
            first_in_region: pick.first_in_region,
        })
        .collect()
}

/// The method in one sentence.
fn method_text(
    req: &AdviceRequest,
    candidates: usize,
    municipalities: usize,
    cap_ms: u32,
) -> String {
    let combos = binomial(candidates as u64, req.add as u64);
    format!(
        "{} over {candidates} candidate sites and {municipalities} municipalities, every young person of them counted ({} possible sets of {}); travel time from every origin (where young people live, as in coverage) to each site, searched up to {} minutes",
        match req.objective {
            Objective::Coverage => "maximal covering location (Church & ReVelle 1974)",
            Objective::Median => "p-median (Hakimi 1964)",
            Objective::Fairness => "leximin over the planning regions",
        },
        combos
            .map(|c| c.to_string())
            .unwrap_or_else(|| "very many".into()),
        req.add,
        cap_ms / 60_000
    )
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
