//! How close each municipality's tier is to the norm, and what the peak changes
//! (docs/ANALYSIS.md, "How close to the norm" and "Periods").
//!
//! A municipality meets the norm when at least half of its young people reach a suitable
//! facility within the limit. Take its origins by travel time and add up their weight: the
//! **decisive time** is the time of the origin at which half of the municipality's weight is
//! reached (origins that reach nothing count in the weight but never in the sum). The tier
//! is "within the limit" exactly when the decisive time is at most the limit.
//!
//! If every travel time is multiplied by `f`, the decisive time is multiplied by `f` and
//! the order of the origins stays, so the tier changes exactly when `f` crosses
//! `limit / decisive`: that is the **margin factor**. Above 1 it says how much slower travel
//! may become before the municipality falls out; below 1 how much faster it must become to
//! get in. The **margin in minutes** is `limit − decisive` at the median young person. The
//! other tiers do not depend on travel time (a facility in the municipality; the region
//! having one or not; nothing reached) and have no margin.

use super::{CoverageResult, CoverageStatus};

/// How far a municipality is from changing tier by faster or slower travel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Margin {
    /// The factor on every travel time at which the tier changes: above 1, slowing by more
    /// loses the norm; below 1, speeding up by more gains it.
    pub factor: f64,
    /// Minutes to spare (positive) or short (negative) at the median young person.
    pub minutes: f64,
}

impl Margin {
    /// Whether a change of travel times by less than `share` (e.g. 0.10) would change the
    /// tier: kwetsbaar.
    pub fn is_fragile(&self, share: f64) -> bool {
        (self.factor - 1.0).abs() < share
    }
}

/// The decisive time of origins `(time ms, weight)` sorted by time, of a municipality whose
/// origins weigh `total` in all (reached or not): the first time at which the weight reached
/// is at least half of `total`. `None` when the reached origins weigh less than half.
pub fn decisive_ms(reached: &[(f64, f64)], total: f64) -> Option<f64> {
    if total <= 0.0 {
        return None;
    }
    let half = 0.5 * total;
    let mut acc = 0.0;
    for &(t, w) in reached {
        acc += w;
        if acc >= half {
            return Some(t);
        }
    }
    None
}

/// The margin of a municipality of tier `status` whose decisive time is `decisive`, under a
/// limit of `limit_ms`.
pub fn margin(status: CoverageStatus, decisive: Option<f64>, limit_ms: u32) -> Option<Margin> {
    let time_decides = matches!(
        status,
        CoverageStatus::WithinLimit | CoverageStatus::WithinRegion | CoverageStatus::OutsideRegion
    );
    let t = decisive.filter(|&t| time_decides && t > 0.0)?;
    let limit = limit_ms as f64;
    Some(Margin {
        factor: limit / t,
        minutes: (limit - t) / 60_000.0,
    })
}

/// The answer of both periods in one: the free-flow answer with each municipality's peak tier
/// beside it (`status_peak`), whether its tier holds at every hour (`robust`), and per region
/// the share of young people whose tier depends on the hour.
pub fn with_peak(mut free: CoverageResult, peak: &CoverageResult) -> CoverageResult {
    for (m, p) in free.municipalities.iter_mut().zip(&peak.municipalities) {
        m.status_peak = Some(p.status);
        m.robust = Some(m.status == p.status);
        m.minutes_median_peak = p.minutes_median;
    }
    // (grouping, region) → (weight of all members, weight of those whose tier changes)
    let mut by_region: std::collections::BTreeMap<(&str, &str), (f64, f64)> = Default::default();
    for m in &free.municipalities {
        for (grouping, code) in &m.regions {
            let e = by_region.entry((grouping, code)).or_default();
            e.0 += m.weight;
            if m.robust == Some(false) {
                e.1 += m.weight;
            }
        }
    }
    let shares: Vec<Option<f64>> = free
        .regions
        .iter()
        .map(|r| {
            by_region
                .get(&(r.grouping.as_str(), r.code.as_str()))
                .map(|&(all, changing)| if all > 0.0 { changing / all } else { 0.0 })
        })
        .collect();
    for (r, share) in free.regions.iter_mut().zip(shares) {
        r.share_tier_depends_on_hour = share;
    }
    free
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The tier's time test as the share of weight within the limit (how the share is
    /// reported), for times multiplied by `f`.
    fn within_after_scaling(reached: &[(f64, f64)], total: f64, limit: f64, f: f64) -> bool {
        let within: f64 = reached
            .iter()
            .filter(|(t, _)| t * f <= limit)
            .map(|(_, w)| w)
            .sum();
        total > 0.0 && within >= 0.5 * total
    }

    proptest! {
        /// With every time multiplied by f, the tier changes exactly where the margin says.
        #[test]
        fn margins_predict_exactly_which_tiers_change_under_uniform_scaling(
            times in proptest::collection::vec((1u32..6_000_000, 1u32..1000), 1..40),
            unreached in 0u32..2000,
            limit_min in 5u32..90,
            f in 0.3f64..3.0,
        ) {
            let mut reached: Vec<(f64, f64)> =
                times.iter().map(|&(t, w)| (t as f64, w as f64)).collect();
            reached.sort_by(|a, b| a.0.total_cmp(&b.0));
            let total = reached.iter().map(|r| r.1).sum::<f64>() + unreached as f64;
            let limit_ms = limit_min * 60_000;
            let limit = limit_ms as f64;
            let decisive = decisive_ms(&reached, total);
            let within_now = decisive.is_some_and(|t| t <= limit);
            prop_assert_eq!(within_now, within_after_scaling(&reached, total, limit, 1.0));
            let status = if within_now { CoverageStatus::WithinLimit } else { CoverageStatus::WithinRegion };
            let within_then = within_after_scaling(&reached, total, limit, f);
            match margin(status, decisive, limit_ms) {
                Some(m) => {
                    // Away from the exact crossing (where rounding of t·f decides).
                    prop_assume!((f - m.factor).abs() > 1e-9);
                    prop_assert_eq!(within_then, f < m.factor, "factor {} f {}", m.factor, f);
                    prop_assert!((m.minutes - (limit - decisive.unwrap_or(0.0)) / 60_000.0).abs() < 1e-9);
                }
                // No margin: more than half reach nothing, and no speed changes that.
                None => prop_assert!(!within_now && !within_then),
            }
        }
    }

    #[test]
    fn decisive_time_is_the_weighted_median_counting_unreached_weight() {
        let reached = [(10.0, 1.0), (20.0, 1.0), (30.0, 2.0)];
        assert_eq!(decisive_ms(&reached, 4.0), Some(20.0));
        assert_eq!(decisive_ms(&reached, 8.0), Some(30.0));
        assert_eq!(decisive_ms(&reached, 9.0), None, "4 of 9 reach");
        assert_eq!(decisive_ms(&[], 1.0), None);
    }

    #[test]
    fn only_tiers_that_travel_time_decides_have_a_margin() {
        let m = margin(
            CoverageStatus::WithinLimit,
            Some(40.0 * 60_000.0),
            45 * 60_000,
        )
        .expect("a margin");
        assert!((m.factor - 1.125).abs() < 1e-12);
        assert!((m.minutes - 5.0).abs() < 1e-12);
        assert!(m.is_fragile(0.15) && !m.is_fragile(0.10));
        let short = margin(
            CoverageStatus::OutsideRegion,
            Some(50.0 * 60_000.0),
            45 * 60_000,
        )
        .expect("a margin");
        assert!((short.factor - 0.9).abs() < 1e-12 && (short.minutes + 5.0).abs() < 1e-12);
        for s in [CoverageStatus::OwnMunicipality, CoverageStatus::Unreachable] {
            assert_eq!(margin(s, Some(60_000.0), 45 * 60_000), None);
        }
    }
}
