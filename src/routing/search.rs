//! Bounded multi-source Dijkstra over the compact CSR arrays.
//!
//! This is the hot path of nabij, so it is written by hand rather than taken from petgraph
//! (which is the test oracle). A search from hundreds of sources settles nodes in global
//! time order, so nearly every pop lands in a different, cold part of memory; what makes it
//! fast is touching few bytes per node and never waiting for one cache miss at a time:
//! - a reusable [`Workspace`] holds one 8-byte record per node (time biased by a per-search
//!   base, and source), so one cache line serves eight Hilbert-ordered nodes; the records are
//!   never cleared: each search moves the base past every time the last one wrote, so old
//!   records read as unreached, which makes a reset O(1) (amortised; the idea of fast_paths'
//!   `valid_flags`, without a separate flag word). Parents live in a separate array that only
//!   route searches write;
//! - the queue is a monotone radix heap ([`RadixHeap`]): Dijkstra pops keys in non-decreasing
//!   order, so keys can be bucketed by their highest bit differing from the last popped key,
//!   which makes push O(1) and pop amortised O(log C) with mostly sequential memory access;
//! - the heap knows which nodes will be popped soon (those in its lowest buckets), and the
//!   search prefetches their records, row offsets and then arcs in two stages, so the cache
//!   misses of the next few dozen nodes overlap (2x faster from 500 sources, see
//!   docs/BENCHMARKS.md);
//! - lazy deletion: a node may sit in the queue more than once; stale entries are skipped.
//!
//! A search stops at the budget, so its cost is one pass over the reached part of the graph.

use crate::graph::{Csr, RoadGraph};
use crate::prefetch::prefetch_read;

/// Which way travel times are measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Time from each node **to** the nearest source (searched on the reverse graph):
    /// "how long does a young person need to reach a facility".
    To,
    /// Time **from** the nearest source to each node (searched on the forward graph).
    From,
}

impl Direction {
    /// The other direction.
    pub fn reverse(self) -> Self {
        match self {
            Direction::To => Direction::From,
            Direction::From => Direction::To,
        }
    }

    pub fn csr(self, g: &RoadGraph) -> &Csr {
        match self {
            Direction::To => &g.rev,
            Direction::From => &g.fwd,
        }
    }
}

/// A start of the search: a node, the time already spent to get there, and whose it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seed {
    pub node: u32,
    pub offset_ms: u32,
    pub source: u32,
}

/// A monotone priority queue of `(key, value)` pairs: every pushed key must be at least the
/// last popped key (true in Dijkstra). Bucket `i` holds keys whose highest bit that differs
/// from the last popped key is bit `i - 1`; bucket 0 holds keys equal to it.
#[derive(Debug, Clone)]
pub struct RadixHeap {
    buckets: [Vec<(u32, u32)>; 33],
    last: u32,
    len: usize,
}

impl Default for RadixHeap {
    fn default() -> Self {
        RadixHeap {
            buckets: std::array::from_fn(|_| Vec::new()),
            last: 0,
            len: 0,
        }
    }
}

/// Bucket `b` holds keys less than `2^b` ms above the last pop. On a Netherlands-sized road
/// network between 0.4 (one source) and 1.7 (500 sources) nodes settle per millisecond, so a
/// pair entering bucket 8 is popped some 100–400 pops later, one entering bucket 4 some 6–27
/// pops later: far enough ahead for a prefetch to arrive, near enough for it to stay cached.
/// Tuned on the benchmark graph (docs/BENCHMARKS.md); 6..=9 and 2..=5 performed alike.
const SOON_BUCKET: usize = 8;
/// See [`SOON_BUCKET`]: from here on the search prefetches a node's arcs.
const NEAR_BUCKET: usize = 4;

impl RadixHeap {
    #[inline]
    fn bucket(last: u32, key: u32) -> usize {
        (32 - (key ^ last).leading_zeros()) as usize
    }

    pub fn clear(&mut self) {
        for b in &mut self.buckets {
            b.clear();
        }
        self.last = 0;
        self.len = 0;
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Pushes a pair. `key` must not be below the last popped key.
    #[inline]
    pub fn push(&mut self, key: u32, value: u32) {
        self.push_with(key, value, &|_, _| {});
    }

    /// Pops a pair with the smallest key.
    #[inline]
    pub fn pop(&mut self) -> Option<(u32, u32)> {
        self.pop_with(&|_, _| {})
    }

    /// As [`RadixHeap::push`]; calls `soon(value, bucket)` if the pair lands in one of the
    /// lowest buckets (up to `SOON_BUCKET`), i.e. will be popped before long.
    #[inline]
    pub fn push_with(&mut self, key: u32, value: u32, soon: &impl Fn(u32, usize)) {
        debug_assert!(key >= self.last, "radix heap keys must be monotone");
        let b = Self::bucket(self.last, key);
        if b <= SOON_BUCKET {
            soon(value, b);
        }
        self.buckets[b].push((key, value));
        self.len += 1;
    }

    /// As [`RadixHeap::pop`]; calls `soon(value, bucket)` for pairs that a redistribution
    /// moves into the lowest buckets. A search uses it to prefetch the memory of nodes it will
    /// settle shortly, so that their cache misses overlap instead of stalling one at a time.
    #[inline]
    pub fn pop_with(&mut self, soon: &impl Fn(u32, usize)) -> Option<(u32, u32)> {
        if self.buckets[0].is_empty() {
            let i = (1..33).find(|&i| !self.buckets[i].is_empty())?;
            let items = std::mem::take(&mut self.buckets[i]);
            self.last = items.iter().map(|&(k, _)| k).min().unwrap_or(self.last);
            for &(k, v) in &items {
                let b = Self::bucket(self.last, k);
                if b <= SOON_BUCKET {
                    soon(v, b);
                }
                self.buckets[b].push((k, v));
            }
            // Give the emptied bucket its allocation back.
            let mut items = items;
            items.clear();
            if self.buckets[i].is_empty() {
                self.buckets[i] = items;
            }
        }
        self.len -= 1;
        self.buckets[0].pop()
    }
}

/// Per-node search state: 8 bytes, so a cache line holds eight nodes (Hilbert-ordered
/// neighbours are often among them) and the whole state of a Netherlands-sized graph is
/// 37 MB. `t` is the node's time **biased by the search's base**: `t - base` is its time in
/// this search, and any `t < base` was written by an earlier search, i.e. means "unreached".
#[derive(Debug, Clone, Copy, Default)]
#[repr(C)]
struct NodeState {
    t: u32,
    source: u32,
}

/// The largest time a search represents (about 24.8 days): budgets above it are capped, so
/// that a base and a time always fit together in a `u32`.
pub const MAX_SEARCH_MS: u32 = 1 << 31;

/// Per-thread search state, reused across queries without clearing.
///
/// Reset is amortised O(1): a new search moves the base past every time the previous one
/// wrote, so old records read as unreached without being touched; only when the base would
/// overflow (after at least 2^31 ms of searched time in total, i.e. hundreds of 45-minute
/// searches or dozens of unbounded ones) is the state swept once.
#[derive(Debug, Clone)]
pub struct Workspace {
    state: Vec<NodeState>,
    /// Arc by which each node was reached; written only by [`Workspace::run_with`].
    parent: Vec<u32>,
    base: u32,
    /// Largest time (unbiased) written by the current search.
    high_ms: u32,
    budget_ms: u32,
    heap: RadixHeap,
    settled: Vec<u32>,
    /// The seeds of the current search, sorted (kept to reuse the allocation).
    seed_buf: Vec<Seed>,
    /// State of one-to-all queries on the contraction hierarchy (allocated on first use).
    pub phast: super::ch::Phast,
}

impl Default for Workspace {
    fn default() -> Self {
        Workspace::new(0)
    }
}

/// No parent: the node was a seed.
pub const NO_PARENT: u32 = u32::MAX;

impl Workspace {
    pub fn new(node_count: usize) -> Self {
        Workspace {
            state: vec![NodeState::default(); node_count],
            parent: Vec::new(),
            phast: Default::default(),
            // Every record starts at t = 0 < base: unreached.
            base: 1,
            high_ms: 0,
            budget_ms: 0,
            heap: RadixHeap::default(),
            settled: Vec::new(),
            seed_buf: Vec::new(),
        }
    }

    /// Starts a search over `n` nodes with an (already capped) budget.
    fn reset(&mut self, n: usize, budget_ms: u32) {
        if self.state.len() != n {
            *self = Workspace::new(n);
        } else {
            let next = self.base as u64 + self.high_ms as u64 + 1;
            if next + budget_ms as u64 > u32::MAX as u64 {
                self.state.iter_mut().for_each(|s| s.t = 0);
                self.base = 1;
            } else {
                self.base = next as u32;
            }
        }
        self.high_ms = 0;
        self.budget_ms = budget_ms;
        self.heap.clear();
        self.settled.clear();
    }

    /// Runs a search from `seeds` up to `budget_ms` (inclusive; capped at [`MAX_SEARCH_MS`])
    /// in direction `dir`. Afterwards [`Workspace::time_ms`] answers for every node settled
    /// within the budget.
    pub fn run(&mut self, g: &RoadGraph, seeds: &[Seed], budget_ms: u32, dir: Direction) {
        self.search::<false, _>(dir.csr(g), g.node_count(), seeds, budget_ms, |_, _| true);
    }

    /// As [`Workspace::run`], but gives up after `max_settled` settled nodes; returns whether
    /// the search finished (reached its budget or every node it could) within that.
    pub fn run_at_most(
        &mut self,
        g: &RoadGraph,
        seeds: &[Seed],
        budget_ms: u32,
        dir: Direction,
        max_settled: usize,
    ) -> bool {
        let mut left = max_settled;
        let mut finished = true;
        self.search::<false, _>(dir.csr(g), g.node_count(), seeds, budget_ms, |_, _| {
            if left == 0 {
                finished = false;
                return false;
            }
            left -= 1;
            true
        });
        finished
    }

    /// As [`Workspace::run`], but records parents (for paths) and calls `on_settle(node,
    /// time)` for each settled node in order of time; returning `false` stops the search.
    pub fn run_with<F: FnMut(u32, u32) -> bool>(
        &mut self,
        g: &RoadGraph,
        seeds: &[Seed],
        budget_ms: u32,
        dir: Direction,
        on_settle: F,
    ) {
        self.search::<true, _>(dir.csr(g), g.node_count(), seeds, budget_ms, on_settle);
    }

    #[inline]
    fn search<const TRACK: bool, F: FnMut(u32, u32) -> bool>(
        &mut self,
        csr: &Csr,
        n: usize,
        seeds: &[Seed],
        budget_ms: u32,
        mut on_settle: F,
    ) {
        let budget_ms = budget_ms.min(MAX_SEARCH_MS);
        self.reset(n, budget_ms);
        if TRACK && self.parent.len() != n {
            self.parent = vec![NO_PARENT; n];
        }
        let base = self.base;
        let state = &mut self.state[..];
        let parent = &mut self.parent[..];
        let mut high_ms = 0u32;
        // The radix heap needs keys at or above the last pop: push seeds in order (sorted in
        // a buffer the workspace keeps, so a search allocates nothing once warm).
        let mut sorted = std::mem::take(&mut self.seed_buf);
        sorted.clear();
        sorted.extend(
            seeds
                .iter()
                .filter(|s| (s.node as usize) < n && s.offset_ms <= budget_ms),
        );
        sorted.sort_unstable_by_key(|s| (s.offset_ms, s.source, s.node));
        for s in &sorted {
            let st = &mut state[s.node as usize];
            // `t - base` wraps to a huge value for records of earlier searches (unreached).
            let cur = st.t.wrapping_sub(base);
            if s.offset_ms < cur || (s.offset_ms == cur && s.source < st.source) {
                *st = NodeState {
                    t: base + s.offset_ms,
                    source: s.source,
                };
                if TRACK {
                    parent[s.node as usize] = NO_PARENT;
                }
                high_ms = high_ms.max(s.offset_ms);
                self.heap.push(s.offset_ms, s.node);
            }
        }
        self.seed_buf = sorted;
        let first = &csr.first[..];
        let arcs = &csr.arcs[..];
        // Raw addresses only: prefetching never reads through them.
        let (state_at, first_at, arcs_at) = (state.as_ptr(), first.as_ptr(), arcs.as_ptr());
        // Two stages, so no load waits on memory: a node entering bucket `b <= SOON_BUCKET`
        // (a few hundred pops ahead) gets its record and row offset prefetched; entering
        // `b <= NEAR_BUCKET` (a few dozen pops ahead), its row offset is read (by now cached)
        // and its arcs prefetched.
        let prefetch = |v: u32, b: usize| {
            if b <= NEAR_BUCKET {
                // Its row offset was prefetched a while ago: read it, fetch the arcs.
                if let Some(&a) = first.get(v as usize) {
                    prefetch_read(arcs_at.wrapping_add(a as usize));
                }
            } else {
                prefetch_read(state_at.wrapping_add(v as usize));
                prefetch_read(first_at.wrapping_add(v as usize));
            }
        };
        while let Some((d, v)) = self.heap.pop_with(&prefetch) {
            let v = v as usize;
            if d > budget_ms {
                break;
            }
            let st = state[v];
            if d != st.t.wrapping_sub(base) {
                continue; // stale entry
            }
            self.settled.push(v as u32);
            if !on_settle(v as u32, d) {
                break;
            }
            // Nobody waits for the answer any more: stop (the caller discards it).
            if self.settled.len() & 0xFFFF == 0 && crate::cancel::requested() {
                break;
            }
            let src = st.source;
            let (a, b) = (first[v] as usize, first[v + 1] as usize);
            for (i, arc) in arcs[a..b].iter().enumerate() {
                let nd = d.saturating_add(arc.time_ms);
                if nd > budget_ms {
                    continue;
                }
                let h = &mut state[arc.head as usize];
                if nd < h.t.wrapping_sub(base) {
                    *h = NodeState {
                        t: base + nd,
                        source: src,
                    };
                    if TRACK {
                        parent[arc.head as usize] = (a + i) as u32;
                    }
                    high_ms = high_ms.max(nd);
                    self.heap.push_with(nd, arc.head, &prefetch);
                }
            }
        }
        self.high_ms = high_ms;
    }

    /// Time of `v` from/to its nearest source, if settled within the budget.
    #[inline]
    pub fn time_ms(&self, v: u32) -> Option<u32> {
        let st = self.state.get(v as usize)?;
        let d = st.t.wrapping_sub(self.base);
        (d <= self.budget_ms).then_some(d)
    }

    /// The source whose time [`Workspace::time_ms`] reports.
    #[inline]
    pub fn source_of(&self, v: u32) -> Option<u32> {
        self.time_ms(v).map(|_| self.state[v as usize].source)
    }

    /// The arc (index into the searched CSR) by which `v` was reached; `NO_PARENT` for a seed.
    /// Only meaningful after [`Workspace::run_with`], for a node it reached.
    pub fn parent_arc(&self, v: u32) -> u32 {
        self.parent.get(v as usize).copied().unwrap_or(NO_PARENT)
    }

    /// Nodes settled by the last search, in order of time.
    pub fn settled(&self) -> &[u32] {
        &self.settled
    }
}

#[cfg(test)]
mod tests {
    use super::{Direction, RadixHeap, Seed, Workspace};
    use crate::graph::{NO_TIME, RoadGraph};
    use crate::rng::SplitMix64;

    /// A chain 0 → 1 → … → 39 with oneways every third link, and two nodes no search from
    /// node 0 reaches.
    fn chain() -> RoadGraph {
        let coords: Vec<(f64, f64)> = (0..42).map(|i| (4.0 + i as f64 * 0.001, 52.0)).collect();
        let mut edges: Vec<(u32, u32, u32, u32, f32)> = (0..39)
            .map(|i| {
                let t = 1_000 + 37 * i;
                (i, i + 1, t, if i % 3 == 0 { NO_TIME } else { t }, 70.0)
            })
            .collect();
        edges.push((40, 41, 5_000, 5_000, 70.0));
        RoadGraph::from_edges(&coords, &edges)
    }

    #[test]
    fn the_state_is_swept_when_the_base_would_overflow() {
        let g = chain();
        let mut ws = Workspace::new(g.node_count());
        // Reach every node first (from all of them), so that stale records exist everywhere.
        let all: Vec<Seed> = (0..g.node_count() as u32)
            .map(|v| Seed {
                node: v,
                offset_ms: 0,
                source: v,
            })
            .collect();
        ws.run(&g, &all, u32::MAX, Direction::From);
        let seeds = [Seed {
            node: 0,
            offset_ms: 0,
            source: 0,
        }];
        // The answer of a workspace that never wrapped (the oracle tests check those).
        let mut fresh = Workspace::new(g.node_count());
        fresh.run(&g, &seeds, u32::MAX, Direction::From);
        // Put the base a few searches short of the top of the u32 range.
        let start = u32::MAX - super::MAX_SEARCH_MS - 1;
        ws.base = start;
        for round in 0..6u32 {
            ws.run(&g, &seeds, u32::MAX, Direction::From);
            for v in 0..g.node_count() as u32 {
                assert_eq!(ws.time_ms(v), fresh.time_ms(v), "round {round}, node {v}");
                // The invariant that keeps later searches right: a record this search did
                // not write lies below the base (else, once the base climbs back up to it,
                // it would read as reached).
                if fresh.time_ms(v).is_none() {
                    assert!(ws.state[v as usize].t < ws.base, "round {round}, node {v}");
                }
            }
        }
        assert!(ws.base < start, "the base never wrapped");
    }

    #[test]
    fn radix_heap_pops_in_key_order_under_monotone_use() {
        for seed in 0..50u64 {
            let mut rng = SplitMix64::new(seed);
            let mut heap = RadixHeap::default();
            let mut reference = std::collections::BinaryHeap::new();
            let mut last = 0u32;
            for step in 0..2000u32 {
                if rng.chance(0.6) || heap.is_empty() {
                    let bits = rng.below(31);
                    let key = last + rng.below(1 << bits) as u32;
                    heap.push(key, step);
                    reference.push(std::cmp::Reverse(key));
                } else {
                    let (k, _) = heap.pop().expect("non-empty");
                    let std::cmp::Reverse(r) = reference.pop().expect("non-empty");
                    assert_eq!(k, r, "seed {seed} step {step}");
                    last = k;
                }
                assert_eq!(heap.len(), reference.len());
            }
        }
    }
}
