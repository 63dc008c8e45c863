//! Siting advice: where K new units would do most good, by one of three objectives.
//!
//! - `coverage`: the maximal covering location problem (Church & ReVelle 1974): the most
//!   young people newly within the limit.
//! - `median`: the p-median problem (Hakimi 1964): the largest cut in demand-weighted travel
//!   time to the nearest suitable unit.
//! - `fairness`: the worst-served region first (leximin over the planning regions, each
//!   judged by whether it has a suitable unit of its own, then by its share within the limit).
//!
//! The problem is stated on demand units (municipalities, weighted by young people) and
//! candidate sites, with the travel times from each unit to each site up to a cap. The
//! greedy answer adds one site at a time. For `coverage` and `median` the objective is
//! monotone submodular, so greedy is within (1 − 1/e) of the optimum (Nemhauser, Wolsey &
//! Fisher 1978), and the run also gives a data-dependent upper bound on the optimum:
//! for every intermediate set S, OPT ≤ f(S) + the sum of the K largest marginal gains at S
//! (Minoux 1978; Leskovec et al. 2007). With few enough combinations the exact optimum of
//! every objective is found by enumeration ([`Problem::exact`]); beyond that, `fairness`
//! (which is not submodular and has no bound) is improved by single swaps until none helps
//! ([`Problem::improve_by_swaps`]).

use serde::Serialize;
use std::collections::BTreeMap;

/// What the advice maximises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    Coverage,
    Median,
    Fairness,
}

impl Objective {
    pub const NAMES: [&'static str; 3] = ["coverage", "median", "fairness"];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "coverage" | "mclp" => Some(Objective::Coverage),
            "median" | "p-median" | "p_median" => Some(Objective::Median),
            "fairness" | "leximin" => Some(Objective::Fairness),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Objective::Coverage => "coverage",
            Objective::Median => "median",
            Objective::Fairness => "fairness",
        }
    }
}

/// A candidate site: its planning region and the demand units that reach it within the cap.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub region: Option<usize>,
    /// `(demand unit, travel time in ms)`, times at most the problem's cap.
    pub reach: Vec<(usize, u32)>,
}

/// The problem on demand units and candidate sites.
#[derive(Debug, Clone)]
pub struct Problem {
    /// Young people per demand unit.
    pub weights: Vec<f64>,
    /// Planning region of each demand unit (an index below `regions`).
    pub region: Vec<Option<usize>>,
    pub regions: usize,
    /// Within the limit in the baseline.
    pub covered: Vec<bool>,
    /// Travel time to the nearest suitable unit in the baseline, `cap_ms` where none within.
    pub current_ms: Vec<u32>,
    /// Regions that have a suitable unit of their own in the baseline.
    pub region_has_unit: Vec<bool>,
    pub limit_ms: u32,
    pub cap_ms: u32,
    pub candidates: Vec<Candidate>,
}

/// One chosen site with what it adds to the sites chosen before it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pick {
    pub candidate: usize,
    /// Young people newly within the limit.
    pub newly_within_limit: f64,
    /// Demand-weighted minutes saved (young people × minutes).
    pub weighted_minutes_saved: f64,
    /// The site gives its region its first suitable unit.
    pub first_in_region: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Solution {
    pub objective: Objective,
    pub picks: Vec<Pick>,
    /// The objective's value: young people newly within the limit (`coverage`), weighted
    /// minutes saved (`median`), or young people newly within the limit (`fairness`, whose
    /// ranking is leximin and has no single value).
    pub value: f64,
    /// An upper bound on the best possible value, where one is known.
    pub upper_bound: Option<f64>,
    /// The answer is the optimum (found by enumeration).
    pub exact: bool,
    /// How far the answer can be from the best, in words.
    pub guarantee: String,
}

/// Each region's (has a unit of its own, share within the limit), worst first.
type RegionKey = Vec<(bool, f64)>;

/// The state after some sites are chosen. The per-region sums and the objectives' values
/// are kept as sites are taken, so that scoring a state costs the regions, not the units.
#[derive(Clone)]
struct State {
    covered: Vec<bool>,
    best_ms: Vec<u32>,
    has_unit: Vec<bool>,
    /// Young people per region: in all, and within the limit.
    total: Vec<f64>,
    within: Vec<f64>,
    /// Young people newly within the limit, and young-people-minutes saved, so far.
    newly: f64,
    saved: f64,
}

impl Problem {
    fn start(&self) -> State {
        let mut total = vec![0.0; self.regions];
        let mut within = vec![0.0; self.regions];
        for (d, r) in self.region.iter().enumerate() {
            if let Some(r) = *r {
                total[r] += self.weights[d];
                if self.covered[d] {
                    within[r] += self.weights[d];
                }
            }
        }
        State {
            covered: self.covered.clone(),
            best_ms: self
                .current_ms
                .iter()
                .map(|&t| t.min(self.cap_ms))
                .collect(),
            has_unit: self.region_has_unit.clone(),
            total,
            within,
            newly: 0.0,
            saved: 0.0,
        }
    }

    fn gain(&self, s: &State, c: usize) -> Pick {
        let cand = &self.candidates[c];
        let (mut newly, mut saved) = (0.0, 0.0);
        for &(d, t) in &cand.reach {
            if t <= self.limit_ms && !s.covered[d] {
                newly += self.weights[d];
            }
            if t < s.best_ms[d] {
                saved += self.weights[d] * f64::from(s.best_ms[d] - t) / 60_000.0;
            }
        }
        Pick {
            candidate: c,
            newly_within_limit: newly,
            weighted_minutes_saved: saved,
            first_in_region: cand.region.is_some_and(|r| !s.has_unit[r]),
        }
    }

    fn take(&self, s: &mut State, c: usize) {
        let cand = &self.candidates[c];
        for &(d, t) in &cand.reach {
            if t <= self.limit_ms && !s.covered[d] {
                s.covered[d] = true;
                s.newly += self.weights[d];
                if let Some(r) = self.region[d] {
                    s.within[r] += self.weights[d];
                }
            }
            if t < s.best_ms[d] {
                s.saved += self.weights[d] * f64::from(s.best_ms[d] - t) / 60_000.0;
                s.best_ms[d] = t;
            }
        }
        if let Some(r) = cand.region {
            s.has_unit[r] = true;
        }
    }

    /// Each region's (has a unit of its own, share within the limit), worst first.
    fn region_key(&self, s: &State) -> RegionKey {
        key_of(&s.has_unit, &s.total, &s.within)
    }

    /// The region key of `s` with candidate `c` taken, without changing `s`: the cost of
    /// the candidate's reach, not of the units.
    fn key_after(&self, s: &State, c: usize) -> RegionKey {
        let cand = &self.candidates[c];
        let mut within = s.within.clone();
        for &(d, t) in &cand.reach {
            if t <= self.limit_ms
                && !s.covered[d]
                && let Some(r) = self.region[d]
            {
                within[r] += self.weights[d];
            }
        }
        let mut has_unit = s.has_unit.clone();
        if let Some(r) = cand.region {
            has_unit[r] = true;
        }
        key_of(&has_unit, &s.total, &within)
    }

    /// The objective's score of `s` with candidate `c` taken, without changing `s`.
    fn score_after(&self, s: &State, c: usize, objective: Objective) -> Score {
        let g = self.gain(s, c);
        match objective {
            Objective::Coverage => Score::Value(s.newly + g.newly_within_limit),
            Objective::Median => Score::Value(s.saved + g.weighted_minutes_saved),
            Objective::Fairness => {
                Score::Leximin(self.key_after(s, c), s.newly + g.newly_within_limit)
            }
        }
    }

    fn value_of(&self, objective: Objective, p: &Pick) -> f64 {
        match objective {
            Objective::Coverage | Objective::Fairness => p.newly_within_limit,
            Objective::Median => p.weighted_minutes_saved,
        }
    }

    /// The same problem with the demand units that no candidate reaches merged into one per
    /// (region, within the limit today): their state never changes, so every objective's
    /// value and every region's share stay exactly the same, and the problem shrinks to the
    /// units a site can change.
    pub fn without_unreached(self) -> Problem {
        let mut reached = vec![false; self.weights.len()];
        for c in &self.candidates {
            for &(d, _) in &c.reach {
                reached[d] = true;
            }
        }
        let mut out = Problem {
            weights: Vec::new(),
            region: Vec::new(),
            covered: Vec::new(),
            current_ms: Vec::new(),
            candidates: Vec::new(),
            ..self.clone_settings()
        };
        let mut new_index = vec![usize::MAX; self.weights.len()];
        let mut merged: BTreeMap<(Option<usize>, bool), usize> = BTreeMap::new();
        for d in 0..self.weights.len() {
            let slot = if reached[d] {
                None
            } else {
                merged.get(&(self.region[d], self.covered[d])).copied()
            };
            match slot {
                Some(i) => out.weights[i] += self.weights[d],
                None => {
                    let i = out.weights.len();
                    if !reached[d] {
                        merged.insert((self.region[d], self.covered[d]), i);
                    }
                    out.weights.push(self.weights[d]);
                    out.region.push(self.region[d]);
                    out.covered.push(self.covered[d]);
                    out.current_ms.push(self.current_ms[d]);
                    new_index[d] = i;
                }
            }
        }
        out.candidates = self.candidates;
        for c in &mut out.candidates {
            for reach in &mut c.reach {
                reach.0 = new_index[reach.0];
            }
        }
        out
    }

    /// The problem's settings without its units and candidates.
    fn clone_settings(&self) -> Problem {
        Problem {
            weights: Vec::new(),
            region: Vec::new(),
            regions: self.regions,
            covered: Vec::new(),
            current_ms: Vec::new(),
            region_has_unit: self.region_has_unit.clone(),
            limit_ms: self.limit_ms,
            cap_ms: self.cap_ms,
            candidates: Vec::new(),
        }
    }

    /// The greedy answer: K sites, one at a time, each the best given those before it
    /// (ties to the lowest candidate index, so the answer is deterministic).
    pub fn greedy(&self, k: usize, objective: Objective) -> Solution {
        let mut s = self.start();
        let mut chosen = vec![false; self.candidates.len()];
        let mut picks = Vec::new();
        let mut value = 0.0;
        let mut bound = f64::INFINITY;
        for _ in 0..k.min(self.candidates.len()) {
            let gains: Vec<Pick> = (0..self.candidates.len())
                .filter(|&c| !chosen[c])
                .map(|c| self.gain(&s, c))
                .collect();
            // The online bound at this set.
            let mut top: Vec<f64> = gains.iter().map(|g| self.value_of(objective, g)).collect();
            top.sort_by(|a, b| b.total_cmp(a));
            bound = bound.min(value + top.iter().take(k).sum::<f64>());
            let Some(best) = self.best_pick(&s, &gains, objective) else {
                break;
            };
            chosen[best.candidate] = true;
            value += self.value_of(objective, &best);
            self.take(&mut s, best.candidate);
            picks.push(best);
        }
        // The bound at the final set too.
        if !picks.is_empty() {
            let mut top: Vec<f64> = (0..self.candidates.len())
                .filter(|&c| !chosen[c])
                .map(|c| self.value_of(objective, &self.gain(&s, c)))
                .collect();
            top.sort_by(|a, b| b.total_cmp(a));
            bound = bound.min(value + top.iter().take(k).sum::<f64>());
        }
        let (upper_bound, guarantee) = greedy_guarantee(objective, value, bound);
        Solution {
            objective,
            picks,
            value,
            upper_bound,
            exact: upper_bound.is_some_and(|b| b <= value + 1e-9),
            guarantee,
        }
    }

    /// The best of the gains: by leximin over the regions after taking it (ties to the most
    /// young people newly within the limit) for `fairness`, else by the objective's value
    /// (ties to the lowest candidate index).
    fn best_pick(&self, s: &State, gains: &[Pick], objective: Objective) -> Option<Pick> {
        match objective {
            Objective::Fairness => {
                let mut best: Option<(RegionKey, f64, &Pick)> = None;
                for g in gains {
                    let key = self.key_after(s, g.candidate);
                    let better = match &best {
                        None => true,
                        Some((bk, bv, _)) => match leximin_cmp(&key, bk) {
                            std::cmp::Ordering::Greater => true,
                            std::cmp::Ordering::Equal => g.newly_within_limit > *bv + 1e-9,
                            std::cmp::Ordering::Less => false,
                        },
                    };
                    if better {
                        best = Some((key, g.newly_within_limit, g));
                    }
                }
                best.map(|b| b.2.clone())
            }
            _ => gains
                .iter()
                .fold(None::<&Pick>, |best, g| match best {
                    Some(b) if self.value_of(objective, g) <= self.value_of(objective, b) => {
                        Some(b)
                    }
                    _ => Some(g),
                })
                .cloned(),
        }
    }

    /// The exact `coverage` optimum by enumerating every set of K candidates, or `None` when
    /// there are more than `max_sets` sets.
    pub fn exact_coverage(&self, k: usize, max_sets: u64) -> Option<Solution> {
        let n = self.candidates.len();
        let k = k.min(n);
        if binomial(n as u64, k as u64).is_none_or(|c| c > max_sets) {
            return None;
        }
        // Only reaches within the limit of uncovered units matter.
        let lists: Vec<Vec<usize>> = self
            .candidates
            .iter()
            .map(|c| {
                c.reach
                    .iter()
                    .filter(|&&(d, t)| t <= self.limit_ms && !self.covered[d])
                    .map(|&(d, _)| d)
                    .collect()
            })
            .collect();
        let mut count = vec![0u32; self.weights.len()];
        let mut best = (-1.0f64, Vec::new());
        let mut stack = Vec::with_capacity(k);
        self.enumerate(&lists, 0, k, 0.0, &mut count, &mut stack, &mut best);
        Some(self.solution_of(
            best.1,
            Objective::Coverage,
            true,
            "exact: every set of sites was compared".into(),
        ))
    }

    #[allow(clippy::too_many_arguments)]
    fn enumerate(
        &self,
        lists: &[Vec<usize>],
        from: usize,
        k: usize,
        value: f64,
        count: &mut [u32],
        stack: &mut Vec<usize>,
        best: &mut (f64, Vec<usize>),
    ) {
        if stack.len() == k {
            if value > best.0 + 1e-9 {
                *best = (value, stack.clone());
            }
            return;
        }
        for c in from..lists.len() {
            if lists.len() - c < k - stack.len() {
                break;
            }
            let mut added = 0.0;
            for &d in &lists[c] {
                if count[d] == 0 {
                    added += self.weights[d];
                }
                count[d] += 1;
            }
            stack.push(c);
            self.enumerate(lists, c + 1, k, value + added, count, stack, best);
            stack.pop();
            for &d in &lists[c] {
                count[d] -= 1;
            }
        }
    }
}

/// How good a set of sites is, for one objective: greater is better.
#[derive(Debug, Clone)]
enum Score {
    Value(f64),
    /// Leximin over the regions, then young people newly within the limit.
    Leximin(RegionKey, f64),
}

impl Score {
    fn beats(&self, other: &Score) -> bool {
        match (self, other) {
            (Score::Value(a), Score::Value(b)) => *a > *b + 1e-9,
            (Score::Leximin(ka, a), Score::Leximin(kb, b)) => match leximin_cmp(ka, kb) {
                std::cmp::Ordering::Greater => true,
                std::cmp::Ordering::Equal => *a > *b + 1e-9,
                std::cmp::Ordering::Less => false,
            },
            _ => false,
        }
    }
}

impl Problem {
    /// The exact optimum for any objective by comparing every set of K candidates, or `None`
    /// when there are more than `max_sets` sets. (`coverage` has a faster enumeration.)
    pub fn exact(&self, k: usize, objective: Objective, max_sets: u64) -> Option<Solution> {
        if objective == Objective::Coverage {
            return self.exact_coverage(k, max_sets);
        }
        let n = self.candidates.len();
        let k = k.min(n);
        if binomial(n as u64, k as u64).is_none_or(|c| c > max_sets) {
            return None;
        }
        let mut best: Option<(Score, Vec<usize>)> = None;
        let mut stack = Vec::with_capacity(k);
        self.enumerate_sets(&self.start(), 0, k, objective, &mut stack, &mut best);
        let set = best.map(|b| b.1).unwrap_or_default();
        Some(self.solution_of(
            set,
            objective,
            true,
            "exact: every set of sites was compared".into(),
        ))
    }

    /// Every set of `k` candidates from `from` on, extending `stack`, its state built by
    /// taking one site per level.
    fn enumerate_sets(
        &self,
        s: &State,
        from: usize,
        k: usize,
        objective: Objective,
        stack: &mut Vec<usize>,
        best: &mut Option<(Score, Vec<usize>)>,
    ) {
        if stack.len() == k {
            let score = self.score(s, objective);
            if best.as_ref().is_none_or(|b| score.beats(&b.0)) {
                *best = Some((score, stack.clone()));
            }
            return;
        }
        let n = self.candidates.len();
        for c in from..n {
            if n - c < k - stack.len() {
                break;
            }
            let mut next = s.clone();
            self.take(&mut next, c);
            stack.push(c);
            self.enumerate_sets(&next, c + 1, k, objective, stack, best);
            stack.pop();
        }
    }

    /// The state after taking `set` from the start.
    fn state_of(&self, set: &[usize]) -> State {
        let mut s = self.start();
        for &c in set {
            self.take(&mut s, c);
        }
        s
    }

    /// The objective's score of a state.
    fn score(&self, s: &State, objective: Objective) -> Score {
        match objective {
            Objective::Coverage => Score::Value(s.newly),
            Objective::Median => Score::Value(s.saved),
            Objective::Fairness => Score::Leximin(self.region_key(s), s.newly),
        }
    }

    /// Improves a set by single swaps (one chosen site for one other candidate) until no
    /// swap improves it: the local search that follows greedy where enumeration is too
    /// large.
    pub fn improve_by_swaps(&self, start: &Solution, objective: Objective) -> Solution {
        let mut set: Vec<usize> = start.picks.iter().map(|p| p.candidate).collect();
        let mut score = self.score(&self.state_of(&set), objective);
        let mut swaps = 0;
        // Every swap strictly improves the score, so this ends; the cap only bounds time.
        'search: while swaps < 10_000 {
            for i in 0..set.len() {
                // The set without its i-th site, then each other candidate in its place.
                let mut rest = set.clone();
                rest.remove(i);
                let without = self.state_of(&rest);
                for c in 0..self.candidates.len() {
                    if set.contains(&c) {
                        continue;
                    }
                    let s = self.score_after(&without, c, objective);
                    if s.beats(&score) {
                        set[i] = c;
                        score = s;
                        swaps += 1;
                        continue 'search;
                    }
                }
            }
            break;
        }
        if swaps == 0 {
            return Solution {
                guarantee: "greedy, and no single swap (one chosen site for another candidate) improves it: a local optimum; too many sets to compare them all, and no bound (the objective is not submodular)".into(),
                ..start.clone()
            };
        }
        self.solution_of(
            set,
            objective,
            false,
            format!(
                "greedy, then {swaps} single swap(s) until no single swap improves it (a local optimum; too many sets to compare them all)"
            ),
        )
    }

    /// A solution from a set of sites, reported in greedy order of their gains.
    fn solution_of(
        &self,
        set: Vec<usize>,
        objective: Objective,
        exact: bool,
        guarantee: String,
    ) -> Solution {
        let mut s = self.start();
        let mut picks = Vec::new();
        let mut rest = set;
        while !rest.is_empty() {
            let (i, _) = rest.iter().enumerate().fold((0, -1.0), |b, (i, &c)| {
                let g = self.value_of(objective, &self.gain(&s, c));
                if g > b.1 { (i, g) } else { b }
            });
            let c = rest.remove(i);
            picks.push(self.gain(&s, c));
            self.take(&mut s, c);
        }
        let value = picks.iter().map(|p| self.value_of(objective, p)).sum();
        Solution {
            objective,
            picks,
            value,
            upper_bound: (exact && objective != Objective::Fairness).then_some(value),
            exact,
            guarantee,
        }
    }
}

/// A greedy answer's bound and guarantee in words: for `coverage` and `median` the smallest
/// online bound of the run (optimal when the value reaches it), for `fairness` none.
fn greedy_guarantee(objective: Objective, value: f64, bound: f64) -> (Option<f64>, String) {
    match objective {
        Objective::Fairness => (
            None,
            "greedy leximin over the regions: no bound on the distance to the best (the objective is not submodular)".to_string(),
        ),
        _ => {
            let b = bound.max(value);
            let words = if b <= value + 1e-9 {
                "greedy, and provably optimal: its value equals the upper bound".to_string()
            } else {
                let unit = match objective {
                    Objective::Median => "young-people-minutes saved",
                    _ => "young people newly within the limit",
                };
                format!(
                    "greedy, at least 63% (1 - 1/e) of the best possible; the best possible is at most {b:.0} {unit}, this answer reaches {value:.0} (the bound is loose, not necessarily the answer)"
                )
            };
            (Some(b), words)
        }
    }
}

/// Each region's (has a unit of its own, share within the limit), worst first; a region
/// without young people counts as fully within.
fn key_of(has_unit: &[bool], total: &[f64], within: &[f64]) -> RegionKey {
    let mut key: Vec<(bool, f64)> = (0..total.len())
        .map(|r| {
            let share = if total[r] > 0.0 {
                within[r] / total[r]
            } else {
                1.0
            };
            (has_unit[r], share)
        })
        .collect();
    key.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    key
}

/// Compares two worst-first region keys: the better one has the better worst region, then
/// the better second worst, and so on.
fn leximin_cmp(a: &[(bool, f64)], b: &[(bool, f64)]) -> std::cmp::Ordering {
    for (x, y) in a.iter().zip(b) {
        let o = x.0.cmp(&y.0).then(if (x.1 - y.1).abs() < 1e-12 {
            std::cmp::Ordering::Equal
        } else {
            x.1.total_cmp(&y.1)
        });
        if o != std::cmp::Ordering::Equal {
            return o;
        }
    }
    std::cmp::Ordering::Equal
}

/// n choose k, `None` on overflow.
pub fn binomial(n: u64, k: u64) -> Option<u64> {
    if k > n {
        return Some(0);
    }
    let k = k.min(n - k);
    let mut r: u64 = 1;
    for i in 0..k {
        r = r.checked_mul(n - i)? / (i + 1);
    }
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SplitMix64;

    /// A random problem: `n` demand units on a line, candidates at random positions, time =
    /// distance.
    fn random_problem(seed: u64, n: usize, c: usize) -> Problem {
        let mut rng = SplitMix64::new(seed);
        let pos: Vec<f64> = (0..n).map(|_| rng.unit() * 100.0).collect();
        let weights: Vec<f64> = (0..n).map(|_| 1.0 + (rng.unit() * 50.0).floor()).collect();
        let region: Vec<Option<usize>> = pos.iter().map(|p| Some((p / 34.0) as usize)).collect();
        let candidates = (0..c)
            .map(|_| {
                let x = rng.unit() * 100.0;
                Candidate {
                    region: Some((x / 34.0) as usize),
                    reach: pos
                        .iter()
                        .enumerate()
                        .filter_map(|(d, p)| {
                            let t = ((p - x).abs() * 60_000.0) as u32;
                            (t <= 30 * 60_000).then_some((d, t))
                        })
                        .collect(),
                }
            })
            .collect();
        Problem {
            covered: pos.iter().map(|p| *p < 5.0).collect(),
            current_ms: pos
                .iter()
                .map(|p| if *p < 5.0 { 0 } else { 30 * 60_000 })
                .collect(),
            weights,
            region,
            regions: 3,
            region_has_unit: vec![true, false, false],
            limit_ms: 10 * 60_000,
            cap_ms: 30 * 60_000,
            candidates,
        }
    }

    #[test]
    fn binomials() {
        assert_eq!(binomial(342, 3), Some(6_608_580));
        assert_eq!(binomial(5, 0), Some(1));
        assert_eq!(binomial(3, 5), Some(0));
    }

    #[test]
    fn a_constructed_case_where_greedy_is_optimal() {
        // Three towns of 100, 60 and 50 young people; site A covers the first two, B the
        // last two, C only the last. With K = 2 the best is A + C (all 210), and greedy finds it.
        let p = Problem {
            weights: vec![100.0, 60.0, 50.0],
            region: vec![Some(0), Some(0), Some(1)],
            regions: 2,
            covered: vec![false; 3],
            current_ms: vec![3_600_000; 3],
            region_has_unit: vec![false, false],
            limit_ms: 2_700_000,
            cap_ms: 3_600_000,
            candidates: vec![
                Candidate {
                    region: Some(0),
                    reach: vec![(0, 600_000), (1, 900_000)],
                },
                Candidate {
                    region: Some(1),
                    reach: vec![(1, 2_000_000), (2, 600_000)],
                },
                Candidate {
                    region: Some(1),
                    reach: vec![(2, 300_000)],
                },
            ],
        };
        let g = p.greedy(2, Objective::Coverage);
        let e = p.exact_coverage(2, 1000).expect("small");
        assert_eq!(g.value, 210.0);
        assert_eq!(e.value, 210.0);
        assert_eq!(g.picks[0].candidate, 0);
        assert!(g.exact, "the bound proves it: {g:?}");
    }

    #[test]
    fn greedy_is_within_its_guarantee_and_bound_on_random_problems() {
        for seed in 0..40 {
            let p = random_problem(seed, 40, 12);
            for k in 1..=3 {
                let g = p.greedy(k, Objective::Coverage);
                let e = p.exact_coverage(k, 1_000_000).expect("small");
                assert!(g.value <= e.value + 1e-9, "seed {seed}");
                assert!(
                    g.value >= (1.0 - 1.0 / std::f64::consts::E) * e.value - 1e-9,
                    "seed {seed} k {k}: {} vs {}",
                    g.value,
                    e.value
                );
                let b = g.upper_bound.expect("bound");
                assert!(
                    b + 1e-9 >= e.value,
                    "seed {seed} k {k}: bound {b} < opt {}",
                    e.value
                );
                // The gains add up to the value.
                let sum: f64 = g.picks.iter().map(|p| p.newly_within_limit).sum();
                assert!((sum - g.value).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn fairness_serves_the_regions_without_a_unit_first() {
        let p = random_problem(7, 60, 30);
        let g = p.greedy(2, Objective::Fairness);
        let regions: Vec<Option<usize>> = g
            .picks
            .iter()
            .map(|x| p.candidates[x.candidate].region)
            .collect();
        assert!(
            regions.contains(&Some(1)) && regions.contains(&Some(2)),
            "{regions:?}"
        );
        assert!(g.picks.iter().all(|x| x.first_in_region));
    }

    #[test]
    fn median_cuts_weighted_minutes() {
        let p = random_problem(3, 50, 20);
        let g = p.greedy(2, Objective::Median);
        assert!(g.value > 0.0);
        let b = g.upper_bound.expect("bound");
        assert!(b >= g.value);
        // Greedy's first pick is the best single site.
        let s = p.start();
        let best1 = (0..p.candidates.len())
            .map(|c| p.gain(&s, c).weighted_minutes_saved)
            .fold(0.0, f64::max);
        assert_eq!(g.picks[0].weighted_minutes_saved, best1);
    }

    /// An obvious oracle: a set's outcome computed from scratch (not by `take`).
    fn outcome(p: &Problem, set: &[usize]) -> (f64, f64, Vec<(bool, f64)>) {
        let n = p.weights.len();
        let mut covered = p.covered.clone();
        let mut best: Vec<u32> = p.current_ms.iter().map(|&t| t.min(p.cap_ms)).collect();
        let mut has = p.region_has_unit.clone();
        for &c in set {
            for &(d, t) in &p.candidates[c].reach {
                covered[d] |= t <= p.limit_ms;
                best[d] = best[d].min(t);
            }
            if let Some(r) = p.candidates[c].region {
                has[r] = true;
            }
        }
        let newly: f64 = (0..n)
            .filter(|&d| covered[d] && !p.covered[d])
            .map(|d| p.weights[d])
            .sum();
        let saved: f64 = (0..n)
            .map(|d| p.weights[d] * f64::from(p.current_ms[d].min(p.cap_ms) - best[d]) / 60_000.0)
            .sum();
        let mut key: Vec<(bool, f64)> = (0..p.regions)
            .map(|r| {
                let members: Vec<usize> = (0..n).filter(|&d| p.region[d] == Some(r)).collect();
                let total: f64 = members.iter().map(|&d| p.weights[d]).sum();
                let within: f64 = members
                    .iter()
                    .filter(|&&d| covered[d])
                    .map(|&d| p.weights[d])
                    .sum();
                (has[r], if total > 0.0 { within / total } else { 1.0 })
            })
            .collect();
        key.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
        (newly, saved, key)
    }

    #[test]
    fn enumeration_finds_the_optimum_of_every_objective_on_random_problems() {
        for seed in 0..25 {
            let p = random_problem(100 + seed, 30, 9);
            for k in 1..=3 {
                // Every subset of k candidates, by bitmask.
                let sets: Vec<Vec<usize>> = (0u32..1 << 9)
                    .filter(|m| m.count_ones() as usize == k)
                    .map(|m| (0..9).filter(|i| m >> i & 1 == 1).collect())
                    .collect();
                let outcomes: Vec<_> = sets.iter().map(|s| outcome(&p, s)).collect();
                let best_cov = outcomes.iter().map(|o| o.0).fold(0.0, f64::max);
                let best_med = outcomes.iter().map(|o| o.1).fold(0.0, f64::max);
                let best_key = outcomes
                    .iter()
                    .map(|o| o.2.clone())
                    .max_by(|a, b| leximin_cmp(a, b))
                    .expect("sets");
                for objective in [Objective::Coverage, Objective::Median, Objective::Fairness] {
                    let e = p.exact(k, objective, 1_000_000).expect("small");
                    assert!(e.exact);
                    let set: Vec<usize> = e.picks.iter().map(|x| x.candidate).collect();
                    let (cov, med, key) = outcome(&p, &set);
                    let g = p.greedy(k, objective);
                    let gset: Vec<usize> = g.picks.iter().map(|x| x.candidate).collect();
                    let (gcov, gmed, gkey) = outcome(&p, &gset);
                    match objective {
                        Objective::Coverage => {
                            assert!((cov - best_cov).abs() < 1e-6, "seed {seed} k {k}");
                            assert!((e.value - cov).abs() < 1e-6);
                            assert!(gcov <= best_cov + 1e-6);
                        }
                        Objective::Median => {
                            assert!((med - best_med).abs() < 1e-6, "seed {seed} k {k}");
                            assert!((e.value - med).abs() < 1e-6);
                            assert!(gmed <= best_med + 1e-6);
                            assert!(g.upper_bound.expect("bound") + 1e-6 >= best_med);
                        }
                        Objective::Fairness => {
                            assert_eq!(
                                leximin_cmp(&key, &best_key),
                                std::cmp::Ordering::Equal,
                                "seed {seed} k {k}"
                            );
                            assert_ne!(leximin_cmp(&gkey, &best_key), std::cmp::Ordering::Greater);
                            // Swaps never make greedy worse, and end where no swap helps.
                            let s = p.improve_by_swaps(&g, objective);
                            let sset: Vec<usize> = s.picks.iter().map(|x| x.candidate).collect();
                            let skey = outcome(&p, &sset).2;
                            assert_ne!(leximin_cmp(&skey, &gkey), std::cmp::Ordering::Less);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn merging_the_units_no_site_reaches_changes_no_answer() {
        for seed in 0..25 {
            // Half the units far from every candidate, so there is something to merge.
            let mut p = random_problem(300 + seed, 40, 8);
            for c in &mut p.candidates {
                c.reach.retain(|&(d, _)| d % 2 == 0);
            }
            let merged = p.clone().without_unreached();
            assert!(merged.weights.len() < p.weights.len(), "seed {seed}");
            assert!(
                (merged.weights.iter().sum::<f64>() - p.weights.iter().sum::<f64>()).abs() < 1e-9
            );
            for k in 1..=3 {
                for objective in [Objective::Coverage, Objective::Median, Objective::Fairness] {
                    let a = p.exact(k, objective, 1_000_000).expect("small");
                    let b = merged.exact(k, objective, 1_000_000).expect("small");
                    assert_eq!(a.picks, b.picks, "seed {seed} k {k} {objective:?}");
                    assert!((a.value - b.value).abs() < 1e-9);
                    let set: Vec<usize> = a.picks.iter().map(|x| x.candidate).collect();
                    assert_eq!(
                        leximin_cmp(&outcome(&p, &set).2, &outcome(&merged, &set).2),
                        std::cmp::Ordering::Equal
                    );
                }
            }
        }
    }
}
