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

/// A facility's catchment in one municipality: the share of the municipality's young people
/// (its origins' weight) that reach the facility within each third of the limit, and their
/// mean time in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reach {
    pub facility: usize,
    pub municipality: usize,
    pub zone_share: [f64; 3],
    pub mean_ms: u32,
}

impl Reach {
    /// The share of the municipality's young people within the limit of the facility.
    pub fn share(&self) -> f64 {
        self.zone_share.iter().sum()
    }

    /// The same weighted by zone (E2SFCA).
    fn weighted_share(&self) -> f64 {
        self.zone_share
            .iter()
            .zip(E2SFCA_WEIGHTS)
            .map(|(s, w)| s * w)
            .sum()
    }
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

/// The zone (0, 1 or 2) of a time within the limit.
pub fn zone(t_ms: u32, limit_ms: u32) -> usize {
    let third = (limit_ms as f64 / 3.0).max(1.0);
    ((t_ms as f64 / third) as usize).min(2)
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

/// 2SFCA, E2SFCA and the assignment for every municipality, over the origins: each origin
/// is a demand point carrying its share of the municipality's young people and demand, so a
/// catchment holds the young people of the origins within the limit (docs/ANALYSIS.md,
/// "Supply against demand").
///
/// The assignment is greedy, nearest first: all (municipality, facility) pairs in order of
/// the mean time of the municipality's origins within the limit of the facility, each taking
/// as much of the demand of those origins as the facility has free places, and never more
/// than the demand of the municipality's origins within the limit of any facility; then the
/// rest of each municipality's demand goes to the free places of its own planning region
/// (facilities in order of their index); what is left is unplaced. Greedy is not optimal for
/// total travel time (a transportation problem is).
pub fn access(supply: &[Supply], needs: &[Need], reach: &[Reach], within: &[f64]) -> Vec<Access> {
    let mut out = vec![Access::default(); needs.len()];
    // Step 1: each facility's young people within reach, plain and zone-weighted.
    let mut pop = vec![0.0f64; supply.len()];
    let mut pop_w = vec![0.0f64; supply.len()];
    for r in reach {
        let p = needs[r.municipality].young_people;
        pop[r.facility] += p * r.share();
        pop_w[r.facility] += p * r.weighted_share();
    }
    // Step 2: each municipality's population-weighted mean over its origins of the ratios
    // of the facilities they reach.
    for r in reach {
        let s = supply[r.facility].places;
        let a = &mut out[r.municipality];
        if pop[r.facility] > 0.0 {
            a.places_per_10k_2sfca += r.share() * s / pop[r.facility] * 10_000.0;
        }
        if pop_w[r.facility] > 0.0 {
            a.places_per_10k_e2sfca += r.weighted_share() * s / pop_w[r.facility] * 10_000.0;
        }
    }
    assign(supply, needs, reach, within, &mut out);
    out
}

/// The assignment of [`access`]: within the limit nearest first, then in the own region.
/// `within[m]` is the share of municipality `m`'s young people within the limit of any
/// facility.
fn assign(supply: &[Supply], needs: &[Need], reach: &[Reach], within: &[f64], out: &mut [Access]) {
    let mut free: Vec<f64> = supply.iter().map(|s| s.places).collect();
    let mut left: Vec<f64> = needs.iter().map(|n| n.demand).collect();
    let mut left_within: Vec<f64> = needs
        .iter()
        .zip(within)
        .map(|(n, w)| n.demand * w)
        .collect();
    let mut pairs: Vec<&Reach> = reach.iter().collect();
    pairs.sort_by_key(|r| (r.mean_ms, r.municipality, r.facility));
    for r in pairs {
        let (m, f) = (r.municipality, r.facility);
        let take = left_within[m].min(needs[m].demand * r.share()).min(free[f]);
        if take > 0.0 {
            left[m] -= take;
            left_within[m] -= take;
            free[f] -= take;
            out[m].placed_within_limit += take;
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
            zone_share: [1.0, 0.0, 0.0],
            mean_ms: 60_000,
        };
        let reach = vec![r(0, 0), r(0, 1), r(1, 1), r(1, 2)];
        let a = access(&supply, &needs, &reach, &[1.0; 3]);
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
                zone_share: [0.0, 1.0, 0.0],
                mean_ms: 1_200_000,
            },
            Reach {
                facility: 0,
                municipality: 0,
                zone_share: [1.0, 0.0, 0.0],
                mean_ms: 120_000,
            },
        ];
        let a = access(&supply, &needs, &reach, &[1.0])[0];
        assert_eq!(a.placed_within_limit, 4.0);
        assert_eq!(a.placed_in_region, 1.0);
        assert_eq!(a.unplaced, 0.0);
        // Without the regional places, one young person cannot be placed.
        let supply2 = vec![supply[0].clone(), supply[1].clone()];
        let a = access(&supply2, &needs, &reach, &[1.0])[0];
        assert_eq!((a.placed_within_limit, a.unplaced), (4.0, 1.0));
    }

    #[test]
    fn origins_in_part_within_reach_share_in_part() {
        // A (1,000 young people, demand 10): 40 % of its origins reach X within the first
        // zone, 20 % within the third; B (1,000): all of them, first zone. X has 6 places.
        let supply = vec![Supply {
            places: 6.0,
            region: Some("R".into()),
        }];
        let needs = vec![need(1000.0, 10.0, "R"), need(1000.0, 0.0, "R")];
        let reach = vec![
            Reach {
                facility: 0,
                municipality: 0,
                zone_share: [0.4, 0.0, 0.2],
                mean_ms: 900_000,
            },
            Reach {
                facility: 0,
                municipality: 1,
                zone_share: [1.0, 0.0, 0.0],
                mean_ms: 300_000,
            },
        ];
        let a = access(&supply, &needs, &reach, &[0.6, 1.0]);
        // 2SFCA: X's catchment holds 600 + 1,000 young people: R = 6 / 1,600; A's origins
        // reach it with 60 % of its weight: A = 0.6 × 6 / 1,600 × 10,000 = 22.5.
        assert!((a[0].places_per_10k_2sfca - 22.5).abs() < 1e-9, "{a:?}");
        assert!((a[1].places_per_10k_2sfca - 37.5).abs() < 1e-9, "{a:?}");
        // E2SFCA: weighted catchment 400 + 0.22 × 200 + 1,000 = 1,444.
        let e = (0.4 + 0.22 * 0.2) * 6.0 / 1444.0 * 10_000.0;
        assert!((a[0].places_per_10k_e2sfca - e).abs() < 1e-9, "{a:?}");
        // Only the demand of A's origins within the limit (60 % of 10) is placed within it;
        // the rest finds no free place (the one facility is full).
        assert!((a[0].placed_within_limit - 6.0).abs() < 1e-9, "{a:?}");
        assert!((a[0].unplaced - 4.0).abs() < 1e-9, "{a:?}");
    }

    #[test]
    fn the_default_rate_balances_supply_and_demand_nationally() {
        assert_eq!(demand_rate_per_10k(None, 10.0, 50_000.0), 2.0);
        assert_eq!(demand_rate_per_10k(Some(3.5), 10.0, 50_000.0), 3.5);
    }
}
