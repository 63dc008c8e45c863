//! Bounded multi-source Dijkstra over the compact CSR arrays.
//!
//! This is the hot path of nabij, so it is written by hand rather than taken from petgraph
//! (which is the test oracle):
//! - a reusable [`Workspace`] holds per-node state interleaved in one 16-byte record per node
//!   (generation stamp, time, source, parent), so relaxing an arc touches one cache line;
//!   the arrays are never cleared: a stamp from an older generation means "unreached", which
//!   makes a reset O(1) (after fast_paths' `valid_flags`);
//! - the queue is a monotone radix heap ([`RadixHeap`]): Dijkstra pops keys in non-decreasing
//!   order, so keys can be bucketed by their highest bit differing from the last popped key,
//!   which makes push O(1) and pop amortised O(log C) with mostly sequential memory access —
//!   markedly faster than a binary heap when many sources keep many fronts open;
//! - lazy deletion: a node may sit in the queue more than once; stale entries are skipped.
//!
//! A search stops at the budget, so its cost is one pass over the reached part of the graph.

use crate::graph::{Csr, RoadGraph};

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
        debug_assert!(key >= self.last, "radix heap keys must be monotone");
        self.buckets[Self::bucket(self.last, key)].push((key, value));
        self.len += 1;
    }

    /// Pops a pair with the smallest key.
    #[inline]
    pub fn pop(&mut self) -> Option<(u32, u32)> {
        if self.buckets[0].is_empty() {
            let i = (1..33).find(|&i| !self.buckets[i].is_empty())?;
            let items = std::mem::take(&mut self.buckets[i]);
            self.last = items.iter().map(|&(k, _)| k).min().unwrap_or(self.last);
            for &(k, v) in &items {
                self.buckets[Self::bucket(self.last, k)].push((k, v));
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

/// Per-node search state, interleaved so one relaxation touches one cache line.
#[derive(Debug, Clone, Copy, Default)]
struct NodeState {
    stamp: u32,
    dist: u32,
    source: u32,
    parent: u32,
}

/// Per-thread search state, reused across queries without clearing.
#[derive(Debug, Clone, Default)]
pub struct Workspace {
    state: Vec<NodeState>,
    generation: u32,
    heap: RadixHeap,
    settled: Vec<u32>,
    budget_ms: u32,
}

/// No parent: the node was a seed.
pub const NO_PARENT: u32 = u32::MAX;

impl Workspace {
    pub fn new(node_count: usize) -> Self {
        Workspace {
            state: vec![NodeState::default(); node_count],
            generation: 0,
            heap: RadixHeap::default(),
            settled: Vec::new(),
            budget_ms: 0,
        }
    }

    fn reset(&mut self, n: usize) {
        if self.state.len() != n {
            *self = Workspace::new(n);
        }
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.state.iter_mut().for_each(|s| s.stamp = 0);
            self.generation = 1;
        }
        self.heap.clear();
        self.settled.clear();
    }

    /// Runs a search from `seeds` up to `budget_ms` (inclusive) in direction `dir`.
    /// Afterwards [`Workspace::time_ms`] answers for every node settled within the budget.
    pub fn run(&mut self, g: &RoadGraph, seeds: &[Seed], budget_ms: u32, dir: Direction) {
        self.search::<false, _>(dir.csr(g), g.node_count(), seeds, budget_ms, |_, _| true);
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
        self.reset(n);
        self.budget_ms = budget_ms;
        let generation = self.generation;
        let state = &mut self.state[..];
        let mut sorted: Vec<&Seed> = seeds
            .iter()
            .filter(|s| (s.node as usize) < n && s.offset_ms <= budget_ms)
            .collect();
        // The radix heap needs keys at or above the last pop: push seeds in order.
        sorted.sort_by_key(|s| (s.offset_ms, s.source, s.node));
        for s in sorted {
            let st = &mut state[s.node as usize];
            let better = st.stamp != generation
                || s.offset_ms < st.dist
                || (s.offset_ms == st.dist && s.source < st.source);
            if better {
                *st = NodeState {
                    stamp: generation,
                    dist: s.offset_ms,
                    source: s.source,
                    parent: NO_PARENT,
                };
                self.heap.push(s.offset_ms, s.node);
            }
        }
        let first = &csr.first;
        let arcs = &csr.arcs;
        while let Some((d, v)) = self.heap.pop() {
            let v = v as usize;
            if d > budget_ms {
                break;
            }
            let st = state[v];
            if d != st.dist {
                continue; // stale entry
            }
            self.settled.push(v as u32);
            if !on_settle(v as u32, d) {
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
                if h.stamp != generation || nd < h.dist {
                    h.stamp = generation;
                    h.dist = nd;
                    h.source = src;
                    if TRACK {
                        h.parent = (a + i) as u32;
                    }
                    self.heap.push(nd, arc.head);
                }
            }
        }
    }

    /// Time of `v` from/to its nearest source, if settled within the budget.
    #[inline]
    pub fn time_ms(&self, v: u32) -> Option<u32> {
        let st = self.state.get(v as usize)?;
        (st.stamp == self.generation && st.dist <= self.budget_ms).then_some(st.dist)
    }

    /// The source whose time [`Workspace::time_ms`] reports.
    #[inline]
    pub fn source_of(&self, v: u32) -> Option<u32> {
        self.time_ms(v).map(|_| self.state[v as usize].source)
    }

    /// The arc (index into the searched CSR) by which `v` was reached; `NO_PARENT` for a seed.
    /// Only meaningful after [`Workspace::run_with`].
    pub fn parent_arc(&self, v: u32) -> u32 {
        self.state[v as usize].parent
    }

    /// Nodes settled by the last search, in order of time.
    pub fn settled(&self) -> &[u32] {
        &self.settled
    }
}

#[cfg(test)]
mod tests {
    use super::RadixHeap;
    use crate::util::SplitMix64;

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
