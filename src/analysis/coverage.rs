//! Coverage per municipality and fairness per region. Formulas: `docs/ANALYSIS.md`.

use std::collections::BTreeMap;
use std::sync::Arc;

use geo::InteriorPoint;
use rayon::prelude::*;

use super::demand::{self, Need, Reach, Supply, demand_rate_per_10k};
use super::fairness::{self, Judged, theil, theil_decomposed};
use super::inputs::{Facility, Municipality};
use super::need::{Exclusion, NeedProfile, above_preferred_size, places_of};
use crate::routing::{Direction, Engine, Seed, Times, Workspace};
use crate::spatial::{Snap, SnapError};
use crate::units::ms_to_minutes;

use super::origins::NodeOrigins;
pub use super::origins::{
    INHABITED_CLASSES, MunicipalityIndex, Origin, RoadOrigins, WeightedPoint,
};
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
    pub representative: Arc<Vec<(f64, f64)>>,
    pub representative_snaps: Arc<Vec<Result<Snap, SnapError>>>,
    pub origin_kind: OriginKind,
    /// User points that fell outside every municipality or could not be snapped.
    pub origins_dropped: usize,
    index: Arc<MunicipalityIndex>,
}

impl Prepared {
    /// Matches municipalities, facilities and origins to the graph. With `points`, those are
    /// the origins; otherwise origins are the graph nodes on inhabited roads in each polygon.
    pub fn new(
        engine: &Engine,
        municipalities: Vec<Municipality>,
        facilities: Vec<Facility>,
        points: Option<&[WeightedPoint]>,
    ) -> Self {
        Self::with_road_origins(engine, municipalities, facilities, points, None)
    }

    /// As [`Prepared::new`], with the road-network origins computed already (they are used
    /// when there are no `points`).
    pub fn with_road_origins(
        engine: &Engine,
        municipalities: Vec<Municipality>,
        facilities: Vec<Facility>,
        points: Option<&[WeightedPoint]>,
        road: Option<RoadOrigins>,
    ) -> Self {
        let g = &engine.graph;
        let (index, mut road) = match (points, road) {
            (None, Some(r)) => (r.index, Some(r.origins)),
            (None, None) => {
                let r = RoadOrigins::compute(g, &municipalities);
                (r.index, Some(r.origins))
            }
            (Some(_), _) => (MunicipalityIndex::new(&municipalities), None),
        };
        let fac_pts: Vec<(f64, f64)> = facilities.iter().map(|f| (f.lon, f.lat)).collect();
        let facility_snaps = engine.index.snap_many(&fac_pts);
        let facility_municipality = facilities
            .iter()
            .map(|f| index.locate(&municipalities, f.lon, f.lat))
            .collect();
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
        let mut origins: Vec<Vec<Origin>> = vec![Vec::new(); municipalities.len()];
        let mut origins_dropped = 0;
        let origin_kind;
        match points {
            Some(points) => {
                origin_kind = OriginKind::WeightedPoints;
                let pts: Vec<(f64, f64)> = points.iter().map(|p| (p.lon, p.lat)).collect();
                let snaps = engine.index.snap_many(&pts);
                for (p, snap) in points.iter().zip(snaps) {
                    match (index.locate(&municipalities, p.lon, p.lat), snap) {
                        (Some(m), Ok(snap)) => origins[m].push(Origin::Point {
                            snap,
                            weight: p.weight,
                        }),
                        _ => origins_dropped += 1,
                    }
                }
            }
            None => {
                origin_kind = OriginKind::RoadNetwork;
                origins = road.take().unwrap_or_default();
            }
        }
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
            origins: Arc::new(origins),
            representative: Arc::new(representative),
            representative_snaps: Arc::new(representative_snaps),
            origin_kind,
            origins_dropped,
            index: Arc::new(index),
        }
    }

    /// The same municipalities and origins with another set of facilities (a scenario):
    /// only the facilities are matched to the graph and located again.
    pub fn with_facilities(&self, engine: &Engine, facilities: Vec<Facility>) -> Prepared {
        let fac_pts: Vec<(f64, f64)> = facilities.iter().map(|f| (f.lon, f.lat)).collect();
        let facility_snaps = engine.index.snap_many(&fac_pts);
        let facility_municipality = facilities
            .iter()
            .map(|f| self.index.locate(&self.municipalities, f.lon, f.lat))
            .collect();
        Prepared {
            facilities,
            facility_snaps,
            facility_municipality,
            ..self.clone_shared()
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
            representative: self.representative.clone(),
            representative_snaps: self.representative_snaps.clone(),
            origin_kind: self.origin_kind,
            origins_dropped: self.origins_dropped,
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

/// Population-weighted Gini coefficient: Σᵢ Σⱼ wᵢ wⱼ |xᵢ − xⱼ| / (2 (Σw)² μ).
pub fn weighted_gini(v: &[(f64, f64)]) -> f64 {
    let total: f64 = v.iter().map(|x| x.1).sum();
    if total <= 0.0 {
        return 0.0;
    }
    let mean = v.iter().map(|x| x.0 * x.1).sum::<f64>() / total;
    if mean <= 0.0 {
        return 0.0;
    }
    let mut s = 0.0;
    for a in v {
        for b in v {
            s += a.1 * b.1 * (a.0 - b.0).abs();
        }
    }
    s / (2.0 * total * total * mean)
}

impl Prepared {
    /// Time at an origin after a search.
    fn origin_time(
        &self,
        engine: &Engine,
        ws: &impl Times,
        o: &Origin,
        dir: Direction,
    ) -> Option<u32> {
        match o {
            Origin::Node { node, .. } => ws.time_ms(*node),
            Origin::Point { snap, .. } => engine.time_at(ws, snap, dir).map(|t| t.0),
        }
    }

    /// Answers a need profile for every municipality and region.
    pub fn coverage(
        &self,
        engine: &Engine,
        ws: &mut Workspace,
        need: &NeedProfile,
    ) -> CoverageResult {
        let g = &engine.graph;
        let dir = need.direction;
        let limit = need.limit_ms();
        let mut excluded: BTreeMap<Exclusion, usize> = BTreeMap::new();
        let mut suitable: Vec<usize> = Vec::new();
        for (i, f) in self.facilities.iter().enumerate() {
            match need.exclusion(f) {
                None => suitable.push(i),
                Some(e) => *excluded.entry(e).or_default() += 1,
            }
        }
        let mut unsnapped = Vec::new();
        let mut seeds: Vec<Seed> = Vec::new();
        let mut snapped: Vec<usize> = Vec::new();
        for &i in &suitable {
            match &self.facility_snaps[i] {
                Ok(s) => {
                    seeds.extend(engine.seeds(s, i as u32, dir));
                    snapped.push(i);
                }
                Err(e) => unsnapped.push((self.facilities[i].id.clone(), e.to_string())),
            }
        }
        // One search answers all municipalities. It runs to the whole reachable graph so that
        // times beyond the limit (medians, worst cases) are exact too. The per-facility counts
        // run at the same time on the other core(s).
        let token = crate::cancel::current();
        let (ws, reach) = rayon::join(
            || engine.one_to_all(ws, &seeds, dir),
            || {
                crate::cancel::run_with(token.as_ref(), || {
                    self.facilities_within(engine, &snapped, limit, dir)
                })
            },
        );
        let ws = &ws;
        let n = self.municipalities.len();
        let mut within_counts = vec![0usize; n];
        for r in &reach {
            within_counts[r.municipality] += 1;
        }
        // The planning regions (the third tier): of the need's grouping when the data has it,
        // else one national region.
        let (planning_grouping, plan_region): (String, Vec<Option<String>>) =
            match &need.planning_grouping {
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
        let facility_region = |f: usize| -> Option<&String> {
            self.facility_municipality[f].and_then(|m| plan_region[m].as_ref())
        };
        let regions_with_facility: std::collections::BTreeSet<&String> =
            snapped.iter().filter_map(|&f| facility_region(f)).collect();
        let mut within_in_region = vec![0usize; n];
        for r in &reach {
            if plan_region[r.municipality].is_some()
                && facility_region(r.facility) == plan_region[r.municipality].as_ref()
            {
                within_in_region[r.municipality] += 1;
            }
        }
        // Supply against demand.
        let mut places = vec![0.0f64; self.facilities.len()];
        for &f in &snapped {
            places[f] = places_of(&self.facilities[f]);
        }
        let total_places: f64 = places.iter().sum();
        let total_young: f64 = self.municipalities.iter().map(|m| m.population).sum();
        let mut rate = demand_rate_per_10k(need.placements_per_10k, total_places, total_young);
        let supply: Vec<Supply> = places
            .iter()
            .enumerate()
            .map(|(f, &p)| Supply {
                places: p,
                region: facility_region(f).cloned(),
            })
            .collect();
        let needs: Vec<Need> = self
            .municipalities
            .iter()
            .zip(&plan_region)
            .map(|(m, r)| Need {
                young_people: m.population,
                demand: m.demand.unwrap_or(m.population * rate / 10_000.0),
                region: r.clone(),
            })
            .collect();
        // With a demand file the rate reported is the one the demand implies.
        if self.municipalities.iter().any(|m| m.demand.is_some()) && total_young > 0.0 {
            rate = needs.iter().map(|n| n.demand).sum::<f64>() / total_young * 10_000.0;
        }
        let access = demand::access(&supply, &needs, &reach, limit);
        // Facilities on the same edge as a representative point can be reached along it.
        let mut on_edge: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
        for &i in &snapped {
            if let Ok(s) = &self.facility_snaps[i] {
                on_edge.entry(s.edge).or_default().push(i);
            }
        }
        let nearest: Vec<Option<(u32, usize)>> = self
            .representative_snaps
            .iter()
            .map(|snap| {
                let snap = snap.as_ref().ok()?;
                let mut best = engine.time_at(ws, snap, dir).map(|(t, s)| (t, s as usize));
                for &f in on_edge.get(&snap.edge).into_iter().flatten() {
                    let Ok(fs) = &self.facility_snaps[f] else {
                        continue;
                    };
                    if let Some(t) = along_shared_edge(snap, fs, dir, g)
                        && best.is_none_or(|b| (t, f) < b)
                    {
                        best = Some((t, f));
                    }
                }
                best
            })
            .collect();
        let results: Vec<MunicipalityResult> = (0..self.municipalities.len())
            .into_par_iter()
            .map(|m| {
                let muni = &self.municipalities[m];
                // Reached origins as `time << 32 | index` (sorting these orders by time, ties
                // in origin order) and their weights by index.
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
                    // The common case in a compact form: reading the origins is the larger
                    // part of this loop's memory traffic.
                    Some(nodes) => {
                        for (&v, &w) in nodes.nodes.iter().zip(&nodes.weights) {
                            add(ws.time_ms(v), w);
                        }
                    }
                    None => {
                        for o in &self.origins[m] {
                            let w = match o {
                                Origin::Node { weight, .. } | Origin::Point { weight, .. } => {
                                    *weight
                                }
                            };
                            add(self.origin_time(engine, ws, o, dir), w);
                        }
                    }
                }
                keys.sort_unstable();
                let reached: Vec<(f64, f64)> = keys
                    .iter()
                    .map(|&k| ((k >> 32) as f64, weights[(k & 0xFFFF_FFFF) as usize]))
                    .collect();
                let share = if w_total > 0.0 {
                    w_within / w_total
                } else {
                    0.0
                };
                let in_muni = snapped
                    .iter()
                    .filter(|&&f| self.facility_municipality[f] == Some(m))
                    .count();
                let unplaced = unplaced_in(
                    &suitable,
                    &self.facilities,
                    &self.facility_snaps,
                    &self.facility_municipality,
                    m,
                );
                let status = if in_muni > 0 {
                    CoverageStatus::OwnMunicipality
                } else if reached.is_empty() {
                    CoverageStatus::Unreachable
                } else if share >= 0.5 {
                    CoverageStatus::WithinLimit
                } else if plan_region[m]
                    .as_ref()
                    .is_some_and(|r| regions_with_facility.contains(r))
                {
                    CoverageStatus::WithinRegion
                } else {
                    CoverageStatus::OutsideRegion
                };
                let q = |p: f64| weighted_quantile(&reached, p).map(|t| ms_to_minutes(t as u32));
                let (nf_id, nf_name, nf_min) = match nearest[m] {
                    Some((t, f)) => (
                        Some(self.facilities[f].id.clone()),
                        Some(self.facilities[f].name.clone()),
                        Some(ms_to_minutes(t)),
                    ),
                    None => (None, None, None),
                };
                MunicipalityResult {
                    code: muni.code.clone(),
                    name: muni.name.clone(),
                    status,
                    share_within_limit: share,
                    minutes_median: q(0.5),
                    minutes_p90: q(0.9),
                    minutes_worst: reached.last().map(|r| ms_to_minutes(r.0 as u32)),
                    nearest_facility_id: nf_id,
                    nearest_facility_name: nf_name,
                    nearest_minutes: nf_min,
                    facilities_within_limit: within_counts[m],
                    facilities_within_limit_in_region: within_in_region[m],
                    planning_region: plan_region[m].clone(),
                    facilities_in_municipality: in_muni,
                    unplaced_facilities: unplaced,
                    young_people: muni.population_known.then_some(muni.population),
                    weight: muni.population,
                    demand: needs[m].demand,
                    access_2sfca: access[m].places_per_10k_2sfca,
                    access_e2sfca: access[m].places_per_10k_e2sfca,
                    placed_within_limit: access[m].placed_within_limit,
                    placed_in_region: access[m].placed_in_region,
                    unplaced: access[m].unplaced,
                    origins: self.origins[m].len(),
                    regions: muni
                        .regions
                        .iter()
                        .map(|(k, v)| (k.clone(), v.0.clone()))
                        .collect(),
                }
            })
            .collect();
        let (regions, national, inequality) = self.regions(&results, &snapped, &places, need);
        CoverageResult {
            need: need.clone(),
            planning_grouping,
            placements_per_10k: rate,
            demand_source: if self.municipalities.iter().any(|m| m.demand.is_some()) {
                "demand_file"
            } else if need.placements_per_10k.is_some() {
                "placement_rate"
            } else {
                "national_balance"
            },
            excluded,
            above_preferred_size: suitable
                .iter()
                .filter(|&&f| above_preferred_size(&self.facilities[f]))
                .map(|&f| self.facilities[f].id.clone())
                .collect(),
            suitable_facilities: suitable
                .iter()
                .map(|&i| self.facilities[i].id.clone())
                .collect(),
            unsnapped_facilities: unsnapped,
            municipalities: results,
            regions,
            national,
            inequality,
            origin_kind: self.origin_kind,
            synthetic_roads: g.meta.synthetic_roads,
        }
    }

    /// Which municipalities' representative points reach which suitable facilities within
    /// the limit, and in how long: one table from the facilities to the points
    /// ([`Engine::table`]).
    fn facilities_within(
        &self,
        engine: &Engine,
        snapped: &[usize],
        limit: u32,
        dir: Direction,
    ) -> Vec<Reach> {
        let rows: Vec<Option<Snap>> = snapped
            .iter()
            .map(|&f| self.facility_snaps[f].as_ref().ok().copied())
            .collect();
        let columns: Vec<Option<Snap>> = self
            .representative_snaps
            .iter()
            .map(|s| s.as_ref().ok().copied())
            .collect();
        let table = engine.table(&rows, &columns, limit, dir);
        let mut hits = Vec::new();
        for (&f, row) in snapped.iter().zip(table) {
            for (m, cell) in row.into_iter().enumerate() {
                if let Some(r) = cell {
                    hits.push(Reach {
                        facility: f,
                        municipality: m,
                        time_ms: r.time_ms,
                    });
                }
            }
        }
        hits
    }

    /// The figures and flags of every region of every grouping, the national figures, and
    /// the Theil split of each grouping.
    fn regions(
        &self,
        results: &[MunicipalityResult],
        snapped: &[usize],
        places: &[f64],
        need: &NeedProfile,
    ) -> (Vec<RegionResult>, NationalResult, Vec<InequalitySplit>) {
        let weighted = |members: &[usize], f: &dyn Fn(&MunicipalityResult) -> f64| -> f64 {
            members
                .iter()
                .map(|&m| f(&results[m]) * results[m].weight)
                .sum()
        };
        let stats = |members: &[usize]| -> Figures {
            let known = members.iter().all(|&m| results[m].young_people.is_some());
            let young: f64 = members.iter().map(|&m| results[m].weight).sum();
            let share_of = |x: f64| if young > 0.0 { x / young } else { 0.0 };
            let in_region: Vec<usize> = snapped
                .iter()
                .copied()
                .filter(|&f| self.facility_municipality[f].is_some_and(|m| members.contains(&m)))
                .collect();
            let places_here: f64 = in_region.iter().map(|&f| places[f]).sum();
            let share = share_of(weighted(members, &|r| r.share_within_limit));
            let served = share_of(weighted(members, &|r| {
                let served = match r.status {
                    CoverageStatus::OwnMunicipality | CoverageStatus::WithinRegion => true,
                    CoverageStatus::WithinLimit => r.facilities_within_limit_in_region > 0,
                    _ => false,
                };
                f64::from(u8::from(served))
            }));
            let demand: f64 = members.iter().map(|&m| results[m].demand).sum();
            let placed: f64 = members
                .iter()
                .map(|&m| results[m].placed_within_limit)
                .sum();
            let gini_input: Vec<(f64, f64)> = members
                .iter()
                .filter_map(|&m| {
                    results[m]
                        .minutes_median
                        .map(|t| (t, results[m].weight.max(1e-9)))
                })
                .collect();
            let access: Vec<(f64, f64)> = members
                .iter()
                .map(|&m| (results[m].access_e2sfca, results[m].weight))
                .collect();
            Figures {
                municipalities: members.len(),
                young_people: known.then_some(young),
                facilities: in_region.len(),
                places: places_here,
                places_per_10k: known.then(|| share_of(places_here) * 10_000.0),
                share_within_limit: share,
                gini_minutes: weighted_gini(&gini_input),
                share_beyond_limit: 1.0 - share,
                share_served_in_region: served,
                demand,
                balance: places_here - demand,
                share_demand_within_limit: if demand > 0.0 { placed / demand } else { 1.0 },
                unplaced: members.iter().map(|&m| results[m].unplaced).sum(),
                theil_access: theil(&access),
            }
        };
        let judged = |f: &Figures| Judged {
            facilities: f.facilities,
            share_within_limit: f.share_within_limit,
            balance: f.balance,
            places_per_10k: f.places_per_10k,
        };
        let all: Vec<usize> = (0..results.len()).collect();
        let national = stats(&all);
        // grouping → region code → (name, members)
        let mut groups: BTreeMap<String, BTreeMap<String, (String, Vec<usize>)>> = BTreeMap::new();
        for (m, muni) in self.municipalities.iter().enumerate() {
            for (grouping, (code, name)) in &muni.regions {
                groups
                    .entry(grouping.clone())
                    .or_default()
                    .entry(code.clone())
                    .or_insert_with(|| (name.clone(), Vec::new()))
                    .1
                    .push(m);
            }
        }
        let mut regions = Vec::new();
        let mut inequality = Vec::new();
        for (grouping, codes) in groups {
            let parts: Vec<Vec<(f64, f64)>> = codes
                .values()
                .map(|(_, members)| {
                    members
                        .iter()
                        .map(|&m| (results[m].access_e2sfca, results[m].weight))
                        .collect()
                })
                .collect();
            if let Some((total, within, between)) = theil_decomposed(&parts) {
                inequality.push(InequalitySplit {
                    grouping: grouping.clone(),
                    theil_total: total,
                    theil_within: within,
                    theil_between: between,
                });
            }
            for (code, (name, members)) in codes {
                let figures = stats(&members);
                let flags =
                    fairness::flags(&need.expectations, &judged(&figures), &judged(&national));
                regions.push(RegionResult {
                    grouping: grouping.clone(),
                    code,
                    name,
                    figures,
                    gap_municipalities: members
                        .iter()
                        .filter(|&&m| results[m].status.is_gap())
                        .map(|&m| results[m].code.clone())
                        .collect(),
                    worst_minutes: members
                        .iter()
                        .filter_map(|&m| results[m].minutes_worst)
                        .fold(None, |a: Option<f64>, b| Some(a.map_or(b, |a| a.max(b)))),
                    unfair: !flags.is_empty(),
                    unfair_reasons: flags.iter().map(|f| f.message.clone()).collect(),
                    flags,
                });
            }
        }
        (regions, national, inequality)
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

/// Suitable facilities in municipality `m` that cannot be placed on the road network, as
/// `ID: reason`.
fn unplaced_in(
    suitable: &[usize],
    facilities: &[Facility],
    snaps: &[Result<Snap, SnapError>],
    fm: &[Option<usize>],
    m: usize,
) -> Vec<String> {
    suitable
        .iter()
        .filter(|&&f| fm[f] == Some(m))
        .filter_map(|&f| {
            snaps[f]
                .as_ref()
                .err()
                .map(|e| format!("{}: {e}", facilities[f].id))
        })
        .collect()
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
