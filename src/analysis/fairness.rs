//! A fair spread, explicitly: absolute expectations a region must meet, relative ones
//! against the national figure, each flag naming its rule and numbers; and inequality
//! measures whose reading is documented (docs/ANALYSIS.md).

use serde::{Deserialize, Serialize};

/// What a region is expected to meet. Absolute rules do not move when another region
/// changes; relative ones compare with the national figure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Expectations {
    /// At least this many suitable facilities in every region.
    pub min_facilities: usize,
    /// At least this share of the young people within the limit (the regional ambition:
    /// everyone within 45 minutes; 0.9 leaves room for remote corners).
    pub min_share_within_limit: f64,
    /// Places at least equal to demand (balance ≥ 0 means demand fits the region's places).
    pub min_balance: f64,
    /// Relative: flag a share within the limit more than this below the national one.
    pub max_share_gap_to_national: f64,
    /// Relative: flag places per 10,000 under this factor of the national figure.
    pub min_places_factor_of_national: f64,
}

impl Default for Expectations {
    fn default() -> Self {
        Expectations {
            min_facilities: 1,
            min_share_within_limit: 0.9,
            min_balance: 0.0,
            max_share_gap_to_national: 0.10,
            min_places_factor_of_national: 0.5,
        }
    }
}

/// One rule a region breaks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flag {
    /// `min_facilities`, `min_share_within_limit`, `min_balance` (absolute),
    /// `share_gap_to_national`, `places_factor_of_national` (relative).
    pub rule: &'static str,
    pub relative: bool,
    pub expected: f64,
    pub actual: f64,
    pub message: String,
}

/// The figures a region is judged on.
pub struct Judged {
    pub facilities: usize,
    pub share_within_limit: f64,
    pub balance: f64,
    pub places_per_10k: Option<f64>,
}

/// The flags of a region against the expectations and the national figures.
pub fn flags(e: &Expectations, region: &Judged, national: &Judged) -> Vec<Flag> {
    let pct = |x: f64| (x * 1000.0).round() / 10.0;
    let mut out = Vec::new();
    if region.facilities < e.min_facilities {
        out.push(Flag {
            rule: "min_facilities",
            relative: false,
            expected: e.min_facilities as f64,
            actual: region.facilities as f64,
            message: if region.facilities == 0 {
                "no suitable facility in the region".into()
            } else {
                format!(
                    "{} suitable facilities, fewer than the expected {}",
                    region.facilities, e.min_facilities
                )
            },
        });
    }
    if region.share_within_limit < e.min_share_within_limit {
        out.push(Flag {
            rule: "min_share_within_limit",
            relative: false,
            expected: e.min_share_within_limit,
            actual: region.share_within_limit,
            message: format!(
                "{}% of young people within the limit, below the expected {}%",
                pct(region.share_within_limit),
                pct(e.min_share_within_limit)
            ),
        });
    }
    if region.balance < e.min_balance - 1e-6 {
        out.push(Flag {
            rule: "min_balance",
            relative: false,
            expected: e.min_balance,
            actual: region.balance,
            message: format!(
                "{:.1} places short of the demand (places minus demand {:.1})",
                e.min_balance - region.balance,
                region.balance
            ),
        });
    }
    if region.share_within_limit < national.share_within_limit - e.max_share_gap_to_national {
        out.push(Flag {
            rule: "share_gap_to_national",
            relative: true,
            expected: national.share_within_limit - e.max_share_gap_to_national,
            actual: region.share_within_limit,
            message: format!(
                "{}% of young people within the limit, against {}% nationally",
                pct(region.share_within_limit),
                pct(national.share_within_limit)
            ),
        });
    }
    if let (Some(here), Some(nat)) = (region.places_per_10k, national.places_per_10k)
        && region.facilities > 0
        && here < e.min_places_factor_of_national * nat
    {
        out.push(Flag {
            rule: "places_factor_of_national",
            relative: true,
            expected: e.min_places_factor_of_national * nat,
            actual: here,
            message: format!(
                "{here:.2} places per 10,000 young people, under {} × the national {nat:.2}",
                e.min_places_factor_of_national
            ),
        });
    }
    out
}

/// The population-weighted Theil index T of `(value, weight)`:
/// `T = Σ wᵢ (xᵢ/μ) ln(xᵢ/μ) / Σ wᵢ` with `μ` the weighted mean and `0 ln 0 = 0`. 0 when
/// everyone has the same; `ln(W/w)` when one group of weight `w` has everything. `None` when
/// the mean is 0 (nobody has any: inequality is undefined, access is uniformly absent).
pub fn theil(v: &[(f64, f64)]) -> Option<f64> {
    let w: f64 = v.iter().map(|x| x.1).sum();
    if w <= 0.0 {
        return None;
    }
    let mu = v.iter().map(|x| x.0 * x.1).sum::<f64>() / w;
    if mu <= 0.0 {
        return None;
    }
    Some(
        v.iter()
            .filter(|x| x.0 > 0.0)
            .map(|x| x.1 * (x.0 / mu) * (x.0 / mu).ln())
            .sum::<f64>()
            / w,
    )
}

/// Theil's T split over groups: `T = Σ_g s_g T_g + Σ_g s_g ln(μ_g/μ)`, with `s_g` the
/// group's share of the total (weight × mean). Returns (total, within, between).
pub fn theil_decomposed(groups: &[Vec<(f64, f64)>]) -> Option<(f64, f64, f64)> {
    let all: Vec<(f64, f64)> = groups.iter().flatten().copied().collect();
    let total = theil(&all)?;
    let w: f64 = all.iter().map(|x| x.1).sum();
    let mu = all.iter().map(|x| x.0 * x.1).sum::<f64>() / w;
    let (mut within, mut between) = (0.0, 0.0);
    for g in groups {
        let wg: f64 = g.iter().map(|x| x.1).sum();
        if wg <= 0.0 {
            continue;
        }
        let mug = g.iter().map(|x| x.0 * x.1).sum::<f64>() / wg;
        if mug <= 0.0 {
            continue;
        }
        let s = wg * mug / (w * mu);
        within += s * theil(g).unwrap_or(0.0);
        between += s * (mug / mu).ln();
    }
    Some((total, within, between))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn theil_reads_as_documented() {
        assert_eq!(theil(&[(5.0, 1.0), (5.0, 3.0)]), Some(0.0));
        // One of four equal-weight people holds everything: ln 4.
        let t = theil(&[(8.0, 1.0), (0.0, 1.0), (0.0, 1.0), (0.0, 1.0)]).expect("defined");
        assert!((t - 4f64.ln()).abs() < 1e-12);
        // Nobody has access: undefined, not "perfectly equal".
        assert_eq!(theil(&[(0.0, 1.0), (0.0, 2.0)]), None);
    }

    #[test]
    fn theil_splits_into_within_and_between() {
        let groups = vec![vec![(1.0, 1.0), (3.0, 1.0)], vec![(10.0, 2.0), (6.0, 1.0)]];
        let (t, within, between) = theil_decomposed(&groups).expect("defined");
        assert!(
            (t - (within + between)).abs() < 1e-12,
            "{t} {within} {between}"
        );
        assert!(between > 0.0 && within > 0.0);
    }

    #[test]
    fn flags_name_their_rule_and_absolute_ones_ignore_other_regions() {
        let e = Expectations::default();
        let region = Judged {
            facilities: 0,
            share_within_limit: 0.5,
            balance: -3.0,
            places_per_10k: Some(0.0),
        };
        let good_nation = Judged {
            facilities: 10,
            share_within_limit: 0.95,
            balance: 0.0,
            places_per_10k: Some(2.0),
        };
        let rules: Vec<&str> = flags(&e, &region, &good_nation)
            .iter()
            .map(|f| f.rule)
            .collect();
        assert_eq!(
            rules,
            [
                "min_facilities",
                "min_share_within_limit",
                "min_balance",
                "share_gap_to_national"
            ]
        );
        // The absolute flags stay when the nation gets worse; the relative one goes.
        let poor_nation = Judged {
            share_within_limit: 0.5,
            ..good_nation
        };
        let rules: Vec<&str> = flags(&e, &region, &poor_nation)
            .iter()
            .map(|f| f.rule)
            .collect();
        assert_eq!(
            rules,
            ["min_facilities", "min_share_within_limit", "min_balance"]
        );
    }
}
