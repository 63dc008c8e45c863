//! Supply against demand ("vraag en aanbod in evenwicht"): how many young people need a
//! place, the places within reach with the competition for them (2SFCA, E2SFCA), and a
//! capacity-constrained assignment of the demand to the places. Formulas and their limits:
//! docs/ANALYSIS.md.

/// A facility with its places, in the planning region it lies in.
#[derive(Debug, Clone, PartialEq)]
pub struct Supply {
    pub places: f64,
    pub region: Option<String>,
}

/// A municipality with its young people and demand, in its planning region.
#[derive(Debug, Clone, PartialEq)]
pub struct Need {
    pub young_people: f64,
    pub demand: f64,
    pub region: Option<String>,
}

/// A facility reachable within the limit from a municipality (its representative point), in
/// milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reach {
    pub facility: usize,
    pub municipality: usize,
    pub time_ms: u32,
}

/// The answer per municipality.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Access {
    /// Places within the limit per 10,000 young people, shared with every municipality that
    /// reaches the same places (two-step floating catchment area, Luo & Wang 2003).
    pub places_per_10k_2sfca: f64,
    /// The same with distance decay within the limit (enhanced 2SFCA, Luo & Qi 2009).
    pub places_per_10k_e2sfca: f64,
    /// Demand placed at facilities within the limit.
    pub placed_within_limit: f64,
    /// Demand placed beyond the limit at facilities of the own planning region.
    pub placed_in_region: f64,
    /// Demand that finds no free place within the limit or in the region.
    pub unplaced: f64,
}

/// Luo & Qi's three travel-time zones (each a third of the limit) and their weights.
pub const E2SFCA_WEIGHTS: [f64; 3] = [1.0, 0.68, 0.22];

fn zone_weight(t_ms: u32, limit_ms: u32) -> f64 {
    let third = (limit_ms as f64 / 3.0).max(1.0);
    let zone = ((t_ms as f64 / third) as usize).min(2);
    E2SFCA_WEIGHTS[zone]
}

/// The demand rate per 10,000 young people: given, else the national supply spread over the
/// young people (demand then equals supply nationally, and regional balances show the spread).
pub fn demand_rate_per_10k(given: Option<f64>, places: f64, young_people: f64) -> f64 {
    given.unwrap_or(if young_people > 0.0 {
        places / young_people * 10_000.0
    } else {
        0.0
    })
}

/// 2SFCA, E2SFCA and the assignment for every municipality.
///
/// The assignment is greedy, nearest first: all (municipality, facility) pairs within the
/// limit in order of travel time, each taking as much of the remaining demand as the facility
/// has free places; then the rest of each municipality's demand goes to the free places of its
/// own planning region (facilities in order of their index); what is left is unplaced. Greedy
/// is not optimal for total travel time (a transportation problem is), but it never leaves a
/// free place within the limit unused while demand within the limit of it remains.
pub fn access(supply: &[Supply], needs: &[Need], reach: &[Reach], limit_ms: u32) -> Vec<Access> {
    let mut out = vec![Access::default(); needs.len()];
    // Step 1: each facility's places per young person in its catchment.
    let mut pop = vec![0.0f64; supply.len()];
    let mut pop_w = vec![0.0f64; supply.len()];
    for r in reach {
        let p = needs[r.municipality].young_people;
        pop[r.facility] += p;
        pop_w[r.facility] += p * zone_weight(r.time_ms, limit_ms);
    }
    // Step 2: sum the ratios of the facilities within reach.
    for r in reach {
        let s = supply[r.facility].places;
        let a = &mut out[r.municipality];
        if pop[r.facility] > 0.0 {
            a.places_per_10k_2sfca += s / pop[r.facility] * 10_000.0;
        }
        if pop_w[r.facility] > 0.0 {
            let w = zone_weight(r.time_ms, limit_ms);
            a.places_per_10k_e2sfca += w * s / pop_w[r.facility] * 10_000.0;
        }
    }
    // Assignment, nearest first.
    let mut free: Vec<f64> = supply.iter().map(|s| s.places).collect();
    let mut left: Vec<f64> = needs.iter().map(|n| n.demand).collect();
    let mut pairs: Vec<Reach> = reach.to_vec();
    pairs.sort_by_key(|r| (r.time_ms, r.municipality, r.facility));
    for r in &pairs {
        let take = left[r.municipality].min(free[r.facility]);
        if take > 0.0 {
            left[r.municipality] -= take;
            free[r.facility] -= take;
            out[r.municipality].placed_within_limit += take;
        }
    }
    for (m, n) in needs.iter().enumerate() {
        for (f, s) in supply.iter().enumerate() {
            if left[m] <= 0.0 {
                break;
            }
            if n.region.is_some() && s.region == n.region {
                let take = left[m].min(free[f]);
                left[m] -= take;
                free[f] -= take;
                out[m].placed_in_region += take;
            }
        }
        out[m].unplaced = left[m].max(0.0);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn need(young: f64, demand: f64, region: &str) -> Need {
        Need {
            young_people: young,
            demand,
            region: Some(region.into()),
        }
    }

    #[test]
    fn two_step_floating_catchment_by_hand() {
        // Municipalities A (1,000 young people), B (3,000), C (2,000); facility X (4 places)
        // reached by A and B, facility Y (6 places) reached by B and C, all within the
        // first zone (weight 1).
        let supply = vec![
            Supply {
                places: 4.0,
                region: Some("R".into()),
            },
            Supply {
                places: 6.0,
                region: Some("R".into()),
            },
        ];
        let needs = vec![
            need(1000.0, 0.0, "R"),
            need(3000.0, 0.0, "R"),
            need(2000.0, 0.0, "R"),
        ];
        let r = |facility, municipality| Reach {
            facility,
            municipality,
            time_ms: 60_000,
        };
        let reach = vec![r(0, 0), r(0, 1), r(1, 1), r(1, 2)];
        let a = access(&supply, &needs, &reach, 2_700_000);
        // R_X = 4 / 4000 = 0.001; R_Y = 6 / 5000 = 0.0012.
        // A = 0.001 × 10,000 = 10; B = (0.001 + 0.0012) × 10,000 = 22; C = 12.
        let got: Vec<f64> = a.iter().map(|x| x.places_per_10k_2sfca).collect();
        for (g, w) in got.iter().zip([10.0, 22.0, 12.0]) {
            assert!((g - w).abs() < 1e-9, "{got:?}");
        }
        // Every place is counted once: Σ A_i P_i / 10,000 = total places.
        let total: f64 = a
            .iter()
            .zip(&needs)
            .map(|(x, n)| x.places_per_10k_2sfca * n.young_people / 10_000.0)
            .sum();
        assert!((total - 10.0).abs() < 1e-9);
        // With all pairs in zone 1, E2SFCA equals 2SFCA.
        assert!((a[1].places_per_10k_e2sfca - 22.0).abs() < 1e-9);
    }

    #[test]
    fn the_nearest_full_facility_sends_demand_further() {
        // One municipality needing 5 places; the nearest facility (2 min) has 3, the next
        // within the limit (20 min) has 1, a facility of the region beyond the limit has 4.
        let supply = vec![
            Supply {
                places: 3.0,
                region: Some("R".into()),
            },
            Supply {
                places: 1.0,
                region: Some("S".into()),
            },
            Supply {
                places: 4.0,
                region: Some("R".into()),
            },
        ];
        let needs = vec![need(10_000.0, 5.0, "R")];
        let reach = vec![
            Reach {
                facility: 1,
                municipality: 0,
                time_ms: 1_200_000,
            },
            Reach {
                facility: 0,
                municipality: 0,
                time_ms: 120_000,
            },
        ];
        let a = access(&supply, &needs, &reach, 2_700_000)[0];
        assert_eq!(a.placed_within_limit, 4.0);
        assert_eq!(a.placed_in_region, 1.0);
        assert_eq!(a.unplaced, 0.0);
        // Without the regional places, one young person cannot be placed.
        let supply2 = vec![supply[0].clone(), supply[1].clone()];
        let a = access(&supply2, &needs, &reach, 2_700_000)[0];
        assert_eq!((a.placed_within_limit, a.unplaced), (4.0, 1.0));
    }

    #[test]
    fn the_default_rate_balances_supply_and_demand_nationally() {
        assert_eq!(demand_rate_per_10k(None, 10.0, 50_000.0), 2.0);
        assert_eq!(demand_rate_per_10k(Some(3.5), 10.0, 50_000.0), 3.5);
    }
}
