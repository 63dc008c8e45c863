//! Coverage per municipality and fairness per region. Formulas: `docs/ANALYSIS.md`.

mod catchments;
pub mod margins;
mod population;
mod regions;
mod siting;

use population::{area_origins, place_facilities, point_origins};
pub use regions::weighted_gini;
pub use siting::{OriginDemand, OriginsNow};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use geo::InteriorPoint;
use rayon::prelude::*;

use super::demand::{self, Access, Need, Reach, Supply, demand_rate_per_10k};
use super::fairness::{self, Judged, theil, theil_decomposed};
use super::inputs::{Facility, Municipality, Population, WeightedArea};
use super::need::{Exclusion, NeedProfile, above_preferred_size, places_of};
use crate::routing::{Direction, Engine, Searched, Seed, Times, Workspace};
use crate::spatial::{Snap, SnapError};
use crate::units::ms_to_minutes;

pub use super::origins::{
    INHABITED_CLASSES, MunicipalityIndex, Origin, RoadOrigins, WeightedPoint,
};
use super::origins::{NodeOrigins, OriginsByNode};
pub use super::result::{
    CoverageResult, CoverageStatus, Figures, InequalitySplit, MunicipalityResult, NationalResult,
    OriginKind, RegionResult,
};

/// Municipalities, facilities and origins matched to the graph once; coverage questions
/// are then answered from it.
///
/// The municipality side (polygons, origins, representative points) is shared behind `Arc`s,
/// so a what-if scenario ([`Prepared::with_facilities`]) costs only the matching of its
/// facilities.
pub struct Prepared {
    pub municipalities: Arc<Vec<Municipality>>,
    pub facilities: Vec<Facility>,
    pub facility_snaps: Vec<Result<Snap, SnapError>>,
    /// The municipality each facility lies in.
    pub facility_municipality: Vec<Option<usize>>,
    pub origins: Arc<Vec<Vec<Origin>>>,
    /// The same origins in a compact form, for municipalities whose origins are all nodes.
    origin_nodes: Arc<Vec<Option<NodeOrigins>>>,
    /// The node origins by node, and the municipalities with point origins (the catchments).
    origins_by_node: Arc<OriginsByNode>,
    point_origins: Arc<Vec<usize>>,
    /// The total origin weight of every municipality.
    origin_weight: Arc<Vec<f64>>,
    pub representative: Arc<Vec<(f64, f64)>>,
    pub representative_snaps: Arc<Vec<Result<Snap, SnapError>>>,
    pub origin_kind: OriginKind,
    /// How young people are spread within each municipality, named for the outputs:
    /// `street_length` (the default) or `file:<name> (<weight column>)`.
    pub population_model: String,
    /// User points that fell outside every municipality or could not be snapped.
    pub origins_dropped: usize,
    /// A scenario's: the baseline's demand rate, held (see [`Prepared::holding_rate`]).
    held_rate_per_10k: Option<f64>,
    index: Arc<MunicipalityIndex>,
}

impl Prepared {
    /// Matches municipalities, facilities and origins to the graph. Without a `population`
    /// file the origins are the graph nodes on inhabited roads in each polygon, weighted by
    /// street length; with points, those points; with areas, the same road nodes carrying
    /// the areas' young people.
    pub fn new(
        engine: &Engine,
        municipalities: Vec<Municipality>,
        facilities: Vec<Facility>,
        population: Option<&Population>,
    ) -> Self {
        Self::with_road_origins(engine, municipalities, facilities, population, None)
    }

    /// As [`Prepared::new`], with the road-network origins computed already (they are used
    /// unless the population is given as points).
    pub fn with_road_origins(
        engine: &Engine,
        municipalities: Vec<Municipality>,
        facilities: Vec<Facility>,
        population: Option<&Population>,
        road: Option<RoadOrigins>,
    ) -> Self {
        let g = &engine.graph;
        let road = match (population, road) {
            (Some(Population::Points(_)), _) => None,
            (_, Some(r)) => Some(r),
            (_, None) => Some(RoadOrigins::compute(g, &municipalities)),
        };
        let (index, road) = match road {
            Some(r) => (r.index, r.origins),
            None => (MunicipalityIndex::new(&municipalities), Vec::new()),
        };
        let (facility_snaps, facility_municipality) =
            place_facilities(engine, &index, &municipalities, &facilities);
        let representative: Vec<(f64, f64)> = municipalities
            .iter()
            .map(|m| {
                m.geometry
                    .interior_point()
                    .map(|p| (p.x(), p.y()))
                    .unwrap_or((f64::NAN, f64::NAN))
            })
            .collect();
        let representative_snaps = engine.index.snap_many(&representative);
        let (mut origins, origins_dropped, origin_kind) = match population {
            None => (road, 0, OriginKind::RoadNetwork),
            Some(Population::Points(points)) => {
                let (o, dropped) = point_origins(engine, &index, &municipalities, points);
                (o, dropped, OriginKind::WeightedPoints)
            }
            Some(Population::Areas(areas)) => {
                let (o, dropped) = area_origins(engine, &index, &municipalities, road, areas);
                (o, dropped, OriginKind::WeightedAreas)
            }
        };
        // A municipality without origins (no inhabited road inside) is represented by its
        // representative point, if that can be snapped.
        for (m, list) in origins.iter_mut().enumerate() {
            if list.is_empty()
                && let Ok(snap) = &representative_snaps[m]
            {
                list.push(Origin::Point {
                    snap: *snap,
                    weight: 1.0,
                });
            }
        }
        Prepared {
            municipalities: Arc::new(municipalities),
            facilities,
            facility_snaps,
            facility_municipality,
            origin_nodes: Arc::new(origins.iter().map(|o| NodeOrigins::of(o)).collect()),
            origins_by_node: Arc::new(OriginsByNode::of(g.node_count(), &origins)),
            point_origins: Arc::new(
                (0..origins.len())
                    .filter(|&m| origins[m].iter().any(|o| matches!(o, Origin::Point { .. })))
                    .collect(),
            ),
            origin_weight: Arc::new(
                origins
                    .iter()
                    .map(|list| list.iter().map(Origin::weight).sum())
                    .collect(),
            ),
            origins: Arc::new(origins),
            representative: Arc::new(representative),
            representative_snaps: Arc::new(representative_snaps),
            origin_kind,
            population_model: "street_length".into(),
            origins_dropped,
            held_rate_per_10k: None,
            index: Arc::new(index),
        }
    }

    /// The same municipalities and origins with another set of facilities (a scenario):
    /// only the facilities are matched to the graph and located again.
    pub fn with_facilities(&self, engine: &Engine, facilities: Vec<Facility>) -> Prepared {
        let (facility_snaps, facility_municipality) =
            place_facilities(engine, &self.index, &self.municipalities, &facilities);
        Prepared {
            facilities,
            facility_snaps,
            facility_municipality,
            ..self.clone_shared()
        }
    }

    /// The same with the demand rate held at the baseline's (for a scenario): when no rate
    /// is given, demand then stays what the baseline's national balance made it, whatever
    /// the scenario does to supply.
    pub fn holding_rate(self, baseline: &CoverageResult) -> Prepared {
        Prepared {
            held_rate_per_10k: Some(baseline.rate_for_others_per_10k),
            ..self
        }
    }

    /// The municipality that contains a point.
    pub fn locate(&self, lon: f64, lat: f64) -> Option<usize> {
        self.index.locate(&self.municipalities, lon, lat)
    }

    fn clone_shared(&self) -> Prepared {
        Prepared {
            municipalities: self.municipalities.clone(),
            facilities: Vec::new(),
            facility_snaps: Vec::new(),
            facility_municipality: Vec::new(),
            origins: self.origins.clone(),
            origin_nodes: self.origin_nodes.clone(),
            origins_by_node: self.origins_by_node.clone(),
            point_origins: self.point_origins.clone(),
            origin_weight: self.origin_weight.clone(),
            representative: self.representative.clone(),
            representative_snaps: self.representative_snaps.clone(),
            origin_kind: self.origin_kind,
            population_model: self.population_model.clone(),
            origins_dropped: self.origins_dropped,
            held_rate_per_10k: self.held_rate_per_10k,
            index: self.index.clone(),
        }
    }
}

/// Weighted quantile of `(value, weight)` pairs sorted by value.
fn weighted_quantile(v: &[(f64, f64)], q: f64) -> Option<f64> {
    let total: f64 = v.iter().map(|x| x.1).sum();
    if v.is_empty() || total <= 0.0 {
        return None;
    }
    let target = q * total;
    let mut acc = 0.0;
    for (x, w) in v {
        acc += w;
        if acc + 1e-12 >= target {
            return Some(*x);
        }
    }
    v.last().map(|x| x.0)
}

/// One place with facilities on it: its search's seeds and the facilities.
type Site = (Vec<Seed>, Vec<usize>);

/// Step 1: the suitable facilities of a need, those of them placed on the road network (with
/// the search's seeds), and what was left out and why.
struct Chosen {
    suitable: Vec<usize>,
    excluded: BTreeMap<Exclusion, usize>,
    /// Suitable and placed on the network: the supply that can be reached.
    placed: Vec<usize>,
    /// Suitable but not placed: `(id, reason)`.
    unplaced: Vec<(String, String)>,
    seeds: Vec<Seed>,
}

/// Step 3: the planning region (the third tier) of every municipality.
struct Planning {
    /// The need's grouping when the data has it, else `national`.
    grouping: String,
    region: Vec<Option<String>>,
    /// Planning regions with a placed suitable facility.
    with_facility: BTreeSet<String>,
}

/// Step 4: places, the demand rate and where it came from, and the access per municipality.
struct Balance {
    places: Vec<f64>,
    /// The rate reported (with a demand file: the one the demand implies).
    rate_per_10k: f64,
    /// The rate applied to municipalities without a demand of their own.
    base_rate_per_10k: f64,
    source: &'static str,
    needs: Vec<Need>,
    access: Vec<Access>,
}

/// The travel times of one municipality's origins after the search.
struct OriginTimes {
    /// `(time ms, weight)` of the origins that reach a facility, by time.
    reached: Vec<(f64, f64)>,
    share_within_limit: f64,
    /// The time at which half of the municipality's weight is reached ([`margins`]).
    decisive_ms: Option<f64>,
}

impl Prepared {
    /// Answers a need profile for every municipality and region, in the steps of
    /// docs/ANALYSIS.md.
    pub fn coverage(
        &self,
        engine: &Engine,
        ws: &mut Workspace,
        need: &NeedProfile,
    ) -> CoverageResult {
        let chosen = self.choose_facilities(engine, need);
        let (times, reach) = self.search(engine, ws, &chosen, need);
        let planning = self.planning_regions(&chosen, need);
        let origin_times: Vec<OriginTimes> = (0..self.municipalities.len())
            .into_par_iter()
            .map(|m| self.origin_times(engine, &times, m, need))
            .collect();
        let nearest = self.nearest_from_representatives(engine, &times, &chosen, need.direction);
        let balance = self.supply_and_demand(&chosen, &planning, &reach, &origin_times, need);
        let results = self.per_municipality(
            &chosen,
            &planning,
            &reach,
            &balance,
            &nearest,
            origin_times,
            need,
        );
        let (regions, national, inequality) =
            self.regions(&results, &chosen.placed, &balance.places, need);
        CoverageResult {
            need: need.clone(),
            planning_grouping: planning.grouping,
            placements_per_10k: balance.rate_per_10k,
            demand_source: balance.source,
            rate_for_others_per_10k: balance.base_rate_per_10k,
            excluded: chosen.excluded,
            above_preferred_size: chosen
                .suitable
                .iter()
                .filter(|&&f| above_preferred_size(&self.facilities[f]))
                .map(|&f| self.facilities[f].id.clone())
                .collect(),
            suitable_facilities: chosen
                .suitable
                .iter()
                .map(|&i| self.facilities[i].id.clone())
                .collect(),
            unsnapped_facilities: chosen.unplaced,
            municipalities: results,
            regions,
            national,
            inequality,
            origin_kind: self.origin_kind,
            population_model: self.population_model.clone(),
            synthetic_roads: engine.graph.meta.synthetic_roads,
        }
    }

    /// Step 1: which facilities count for the need, and which of them are on the network.
    fn choose_facilities(&self, engine: &Engine, need: &NeedProfile) -> Chosen {
        let mut chosen = Chosen {
            suitable: Vec::new(),
            excluded: BTreeMap::new(),
            placed: Vec::new(),
            unplaced: Vec::new(),
            seeds: Vec::new(),
        };
        for (i, f) in self.facilities.iter().enumerate() {
            match need.exclusion(f) {
                None => chosen.suitable.push(i),
                Some(e) => *chosen.excluded.entry(e).or_default() += 1,
            }
        }
        for &i in &chosen.suitable {
            match &self.facility_snaps[i] {
                Ok(s) => {
                    chosen
                        .seeds
                        .extend(engine.seeds(s, i as u32, need.direction));
                    chosen.placed.push(i);
                }
                Err(e) => chosen
                    .unplaced
                    .push((self.facilities[i].id.clone(), e.to_string())),
            }
        }
        chosen
    }

    /// Step 2: one search from all placed facilities answers every origin. It runs to the
    /// whole reachable graph so that times beyond the limit (medians, worst cases) are exact
    /// too. The per-facility catchments (over the same origins) run at the same time on the
    /// other core(s).
    fn search<'a>(
        &self,
        engine: &'a Engine,
        ws: &'a mut Workspace,
        chosen: &Chosen,
        need: &NeedProfile,
    ) -> (Searched<'a>, Vec<Reach>) {
        let token = crate::cancel::current();
        rayon::join(
            || engine.one_to_all(ws, &chosen.seeds, need.direction),
            || {
                crate::cancel::run_with(token.as_ref(), || {
                    self.catchments(engine, &chosen.placed, need.limit_ms(), need.direction)
                })
            },
        )
    }

    /// Step 3: the planning regions (the third tier): of the need's grouping when the data
    /// has it, else one national region.
    fn planning_regions(&self, chosen: &Chosen, need: &NeedProfile) -> Planning {
        let n = self.municipalities.len();
        let (grouping, region) = match &need.planning_grouping {
            Some(grouping)
                if self
                    .municipalities
                    .iter()
                    .any(|m| m.regions.contains_key(grouping)) =>
            {
                let codes = self
                    .municipalities
                    .iter()
                    .map(|m| m.regions.get(grouping).map(|r| r.0.clone()))
                    .collect();
                (grouping.clone(), codes)
            }
            _ => (
                "national".to_string(),
                vec![Some("national".to_string()); n],
            ),
        };
        let mut planning = Planning {
            grouping,
            region,
            with_facility: BTreeSet::new(),
        };
        planning.with_facility = chosen
            .placed
            .iter()
            .filter_map(|&f| self.facility_region(&planning, f).cloned())
            .collect();
        planning
    }

    /// The planning region a facility lies in.
    fn facility_region<'p>(&self, planning: &'p Planning, f: usize) -> Option<&'p String> {
        self.facility_municipality[f].and_then(|m| planning.region[m].as_ref())
    }

    /// Step 4: supply against demand: places, the demand rate, 2SFCA, E2SFCA and the
    /// assignment.
    fn supply_and_demand(
        &self,
        chosen: &Chosen,
        planning: &Planning,
        reach: &[Reach],
        origin_times: &[OriginTimes],
        need: &NeedProfile,
    ) -> Balance {
        let mut places = vec![0.0f64; self.facilities.len()];
        for &f in &chosen.placed {
            places[f] = places_of(&self.facilities[f]);
        }
        // The national balance spreads the stated supply: a facility no road reaches still
        // has places and young people who need them, but none of them counts as reachable.
        let total_places: f64 = chosen
            .suitable
            .iter()
            .map(|&f| places_of(&self.facilities[f]))
            .sum();
        let total_young: f64 = self.municipalities.iter().map(|m| m.population).sum();
        let (base_rate, base_source) = match (need.placements_per_10k, self.held_rate_per_10k) {
            (Some(r), _) => (r, "placement_rate"),
            (None, Some(r)) => (r, "baseline_national_balance"),
            (None, None) => (
                demand_rate_per_10k(None, total_places, total_young),
                "national_balance",
            ),
        };
        let mut rate = base_rate;
        let supply: Vec<Supply> = places
            .iter()
            .enumerate()
            .map(|(f, &p)| Supply {
                places: p,
                region: self.facility_region(planning, f).cloned(),
            })
            .collect();
        let needs: Vec<Need> = self
            .municipalities
            .iter()
            .zip(&planning.region)
            .map(|(m, r)| Need {
                young_people: m.population,
                demand: m.demand.unwrap_or(m.population * rate / 10_000.0),
                region: r.clone(),
            })
            .collect();
        let with_file = self.municipalities.iter().any(|m| m.demand.is_some());
        // With a demand file the rate reported is the one the demand implies.
        if with_file && total_young > 0.0 {
            rate = needs.iter().map(|n| n.demand).sum::<f64>() / total_young * 10_000.0;
        }
        let source = if with_file {
            "demand_file"
        } else {
            base_source
        };
        let within: Vec<f64> = origin_times.iter().map(|t| t.share_within_limit).collect();
        let access = demand::access(&supply, &needs, reach, &within);
        Balance {
            places,
            rate_per_10k: rate,
            base_rate_per_10k: base_rate,
            source,
            needs,
            access,
        }
    }

    /// The nearest placed facility of every representative point, and its time; including a
    /// facility on the same road piece, reached along it.
    fn nearest_from_representatives(
        &self,
        engine: &Engine,
        times: &Searched<'_>,
        chosen: &Chosen,
        dir: Direction,
    ) -> Vec<Option<(u32, usize)>> {
        let mut on_edge: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
        for &i in &chosen.placed {
            if let Ok(s) = &self.facility_snaps[i] {
                on_edge.entry(s.edge).or_default().push(i);
            }
        }
        self.representative_snaps
            .iter()
            .map(|snap| {
                let snap = snap.as_ref().ok()?;
                let mut best = engine
                    .time_at(times, snap, dir)
                    .map(|(t, s)| (t, s as usize));
                for &f in on_edge.get(&snap.edge).into_iter().flatten() {
                    let Ok(fs) = &self.facility_snaps[f] else {
                        continue;
                    };
                    if let Some(t) = along_shared_edge(snap, fs, dir, &engine.graph)
                        && best.is_none_or(|b| (t, f) < b)
                    {
                        best = Some((t, f));
                    }
                }
                best
            })
            .collect()
    }

    /// Step 5: the figures, the tier and the margin of every municipality (the results of
    /// steps 1–4 and the need).
    #[allow(clippy::too_many_arguments)]
    fn per_municipality(
        &self,
        chosen: &Chosen,
        planning: &Planning,
        reach: &[Reach],
        balance: &Balance,
        nearest: &[Option<(u32, usize)>],
        origin_times: Vec<OriginTimes>,
        need: &NeedProfile,
    ) -> Vec<MunicipalityResult> {
        let (limit_ms, fragile_margin) = (need.limit_ms(), need.fragile_margin);
        let n = self.municipalities.len();
        let mut within = vec![0usize; n];
        let mut within_in_region = vec![0usize; n];
        for r in reach {
            within[r.municipality] += 1;
            let home = planning.region[r.municipality].as_ref();
            if home.is_some() && self.facility_region(planning, r.facility) == home {
                within_in_region[r.municipality] += 1;
            }
        }
        origin_times
            .into_iter()
            .enumerate()
            .map(|(m, times)| {
                let in_muni = chosen
                    .placed
                    .iter()
                    .filter(|&&f| self.facility_municipality[f] == Some(m))
                    .count();
                let status = tier(in_muni, &times, planning, m, limit_ms);
                let margin = margins::margin(status, times.decisive_ms, limit_ms);
                let muni = &self.municipalities[m];
                let q =
                    |p: f64| weighted_quantile(&times.reached, p).map(|t| ms_to_minutes(t as u32));
                let nearest_of = |f: usize| &self.facilities[f];
                let access = &balance.access[m];
                MunicipalityResult {
                    code: muni.code.clone(),
                    name: muni.name.clone(),
                    status,
                    share_within_limit: times.share_within_limit,
                    minutes_median: q(0.5),
                    minutes_p90: q(0.9),
                    minutes_worst: times.reached.last().map(|r| ms_to_minutes(r.0 as u32)),
                    nearest_facility_id: nearest[m].map(|(_, f)| nearest_of(f).id.clone()),
                    nearest_facility_name: nearest[m].map(|(_, f)| nearest_of(f).name.clone()),
                    nearest_minutes: nearest[m].map(|(t, _)| ms_to_minutes(t)),
                    facilities_within_limit: within[m],
                    facilities_within_limit_in_region: within_in_region[m],
                    planning_region: planning.region[m].clone(),
                    facilities_in_municipality: in_muni,
                    unplaced_facilities: self.unplaced_in(&chosen.suitable, m),
                    young_people: muni.population_known.then_some(muni.population),
                    weight: muni.population,
                    demand: balance.needs[m].demand,
                    access_2sfca: access.places_per_10k_2sfca,
                    access_e2sfca: access.places_per_10k_e2sfca,
                    placed_within_limit: access.placed_within_limit,
                    placed_in_region: access.placed_in_region,
                    unplaced: access.unplaced,
                    origins: self.origins[m].len(),
                    regions: muni
                        .regions
                        .iter()
                        .map(|(k, v)| (k.clone(), v.0.clone()))
                        .collect(),
                    margin_factor: margin.map(|m| m.factor),
                    margin_minutes: margin.map(|m| m.minutes),
                    fragile: margin.is_some_and(|m| m.is_fragile(fragile_margin)),
                    status_peak: None,
                    robust: None,
                    minutes_median_peak: None,
                }
            })
            .collect()
    }

    /// The times of municipality `m`'s origins after the search, by time, and the weighted
    /// share within the limit (origins that reach nothing count as beyond it).
    fn origin_times(
        &self,
        engine: &Engine,
        times: &Searched<'_>,
        m: usize,
        need: &NeedProfile,
    ) -> OriginTimes {
        let limit = need.limit_ms();
        // Reached origins as `time << 32 | index` (sorting these orders by time, ties in
        // origin order) and their weights by index.
        let mut keys: Vec<u64> = Vec::new();
        let mut weights: Vec<f64> = Vec::new();
        let (mut w_total, mut w_within) = (0.0, 0.0);
        let mut add = |t: Option<u32>, w: f64| {
            w_total += w;
            if let Some(t) = t {
                keys.push(((t as u64) << 32) | weights.len() as u64);
                weights.push(w);
                if t <= limit {
                    w_within += w;
                }
            }
        };
        match &self.origin_nodes[m] {
            // The common case in a compact form: reading the origins is the larger part of
            // this step's memory traffic.
            Some(nodes) => {
                for (&v, &w) in nodes.nodes.iter().zip(&nodes.weights) {
                    add(times.time_ms(v), w);
                }
            }
            None => {
                for o in &self.origins[m] {
                    let (t, w) = match o {
                        Origin::Node { node, weight } => (times.time_ms(*node), *weight),
                        Origin::Point { snap, weight } => (
                            engine.time_at(times, snap, need.direction).map(|t| t.0),
                            *weight,
                        ),
                    };
                    add(t, w);
                }
            }
        }
        keys.sort_unstable();
        let reached: Vec<(f64, f64)> = keys
            .iter()
            .map(|&k| ((k >> 32) as f64, weights[(k & 0xFFFF_FFFF) as usize]))
            .collect();
        OriginTimes {
            decisive_ms: margins::decisive_ms(&reached, w_total),
            reached,
            share_within_limit: if w_total > 0.0 {
                w_within / w_total
            } else {
                0.0
            },
        }
    }

    /// Suitable facilities in municipality `m` that cannot be placed on the road network, as
    /// `ID: reason`.
    fn unplaced_in(&self, suitable: &[usize], m: usize) -> Vec<String> {
        suitable
            .iter()
            .filter(|&&f| self.facility_municipality[f] == Some(m))
            .filter_map(|&f| {
                self.facility_snaps[f]
                    .as_ref()
                    .err()
                    .map(|e| format!("{}: {e}", self.facilities[f].id))
            })
            .collect()
    }
}

/// Time along a shared edge between a home point and a facility in the travel direction
/// (`to`: home → facility), access legs included; `None` if they are not on one edge or the
/// edge's direction forbids it.
fn along_shared_edge(
    home: &Snap,
    facility: &Snap,
    dir: Direction,
    g: &crate::graph::RoadGraph,
) -> Option<u32> {
    let t = match dir {
        Direction::To => home.same_edge_ms(facility, g),
        Direction::From => facility.same_edge_ms(home, g),
    }?;
    Some(t + home.access_ms + facility.access_ms)
}

/// The tier of the proximity rule for municipality `m` (docs/ANALYSIS.md, "Per
/// municipality"): own municipality → within the limit → elsewhere in the region → outside.
/// "Within the limit": at least half of the young people reach a facility within it, i.e.
/// the decisive time ([`margins`]) is at most the limit.
fn tier(
    in_municipality: usize,
    times: &OriginTimes,
    planning: &Planning,
    m: usize,
    limit_ms: u32,
) -> CoverageStatus {
    if in_municipality > 0 {
        CoverageStatus::OwnMunicipality
    } else if times.reached.is_empty() {
        CoverageStatus::Unreachable
    } else if times.decisive_ms.is_some_and(|t| t <= limit_ms as f64) {
        CoverageStatus::WithinLimit
    } else if planning.region[m]
        .as_ref()
        .is_some_and(|r| planning.with_facility.contains(r))
    {
        CoverageStatus::WithinRegion
    } else {
        CoverageStatus::OutsideRegion
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gini_of_equal_values_is_zero_and_of_one_holder_is_near_one() {
        assert_eq!(weighted_gini(&[(10.0, 1.0), (10.0, 5.0)]), 0.0);
        let mut v = vec![(0.0, 1.0); 99];
        v.push((100.0, 1.0));
        assert!((weighted_gini(&v) - 0.99).abs() < 1e-9);
        // Weights count like repeated entries.
        let a = weighted_gini(&[(1.0, 2.0), (3.0, 1.0)]);
        let b = weighted_gini(&[(1.0, 1.0), (1.0, 1.0), (3.0, 1.0)]);
        assert!((a - b).abs() < 1e-12);
    }

    #[test]
    fn weighted_quantiles() {
        let v = vec![(10.0, 1.0), (20.0, 1.0), (30.0, 2.0)];
        assert_eq!(weighted_quantile(&v, 0.5), Some(20.0));
        assert_eq!(weighted_quantile(&v, 0.9), Some(30.0));
        assert_eq!(weighted_quantile(&[], 0.5), None);
    }
}
