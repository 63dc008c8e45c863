//! Step 6 of coverage: the figures and flags of every region of every grouping, the national
//! figures, and the inequality measures (Gini of minutes, Theil of access and its split).

use super::*;

impl Prepared {
    /// Step 6: the figures and flags of every region of every grouping, the national
    /// figures, and the Theil split of each grouping.
    pub(super) fn regions(
        &self,
        results: &[MunicipalityResult],
        placed: &[usize],
        places: &[f64],
        need: &NeedProfile,
    ) -> (Vec<RegionResult>, NationalResult, Vec<InequalitySplit>) {
        let all: Vec<usize> = (0..results.len()).collect();
        let national = self.figures_of(results, &all, placed, places);
        let mut regions = Vec::new();
        let mut inequality = Vec::new();
        for (grouping, codes) in self.groupings() {
            inequality.extend(inequality_split(&grouping, &codes, results));
            for (code, (name, members)) in codes {
                let figures = self.figures_of(results, &members, placed, places);
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
                    fragile_municipalities: members
                        .iter()
                        .filter(|&&m| results[m].fragile)
                        .map(|&m| results[m].code.clone())
                        .collect(),
                    share_tier_depends_on_hour: None,
                });
            }
        }
        (regions, national, inequality)
    }

    /// Every grouping's regions: grouping → region code → (name, member municipalities).
    fn groupings(&self) -> Groupings {
        let mut groups = Groupings::new();
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
        groups
    }

    /// The figures of a set of municipalities (a region, or all of them): docs/ANALYSIS.md,
    /// "Per region".
    fn figures_of(
        &self,
        results: &[MunicipalityResult],
        members: &[usize],
        placed: &[usize],
        places: &[f64],
    ) -> Figures {
        let weighted = |f: &dyn Fn(&MunicipalityResult) -> f64| -> f64 {
            members
                .iter()
                .map(|&m| f(&results[m]) * results[m].weight)
                .sum()
        };
        let known = members.iter().all(|&m| results[m].young_people.is_some());
        let young: f64 = members.iter().map(|&m| results[m].weight).sum();
        let share_of = |x: f64| if young > 0.0 { x / young } else { 0.0 };
        let in_region: Vec<usize> = placed
            .iter()
            .copied()
            .filter(|&f| self.facility_municipality[f].is_some_and(|m| members.contains(&m)))
            .collect();
        let places_here: f64 = in_region.iter().map(|&f| places[f]).sum();
        let share = share_of(weighted(&|r| r.share_within_limit));
        let served = share_of(weighted(&|r| f64::from(u8::from(served_in_region(r)))));
        let demand: f64 = members.iter().map(|&m| results[m].demand).sum();
        let placed_within: f64 = members
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
            share_demand_within_limit: if demand > 0.0 {
                placed_within / demand
            } else {
                1.0
            },
            unplaced: members.iter().map(|&m| results[m].unplaced).sum(),
            theil_access: theil(&access),
        }
    }
}

/// grouping → region code → (name, member municipalities).
type Groupings = BTreeMap<String, BTreeMap<String, (String, Vec<usize>)>>;

/// Whether a municipality is served inside its own planning region.
fn served_in_region(r: &MunicipalityResult) -> bool {
    match r.status {
        CoverageStatus::OwnMunicipality | CoverageStatus::WithinRegion => true,
        CoverageStatus::WithinLimit => r.facilities_within_limit_in_region > 0,
        _ => false,
    }
}

/// What the fairness rules judge of a region's figures.
fn judged(f: &Figures) -> Judged {
    Judged {
        facilities: f.facilities,
        share_within_limit: f.share_within_limit,
        balance: f.balance,
        places_per_10k: f.places_per_10k,
    }
}

/// The Theil split of one grouping's E2SFCA access within and between its regions.
fn inequality_split(
    grouping: &str,
    codes: &BTreeMap<String, (String, Vec<usize>)>,
    results: &[MunicipalityResult],
) -> Option<InequalitySplit> {
    let parts: Vec<Vec<(f64, f64)>> = codes
        .values()
        .map(|(_, members)| {
            members
                .iter()
                .map(|&m| (results[m].access_e2sfca, results[m].weight))
                .collect()
        })
        .collect();
    let (total, within, between) = theil_decomposed(&parts)?;
    Some(InequalitySplit {
        grouping: grouping.to_string(),
        theil_total: total,
        theil_within: within,
        theil_between: between,
    })
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
