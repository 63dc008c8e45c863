//! Bounded multi-source Dijkstra over the compact CSR arrays.
//!
//! This is the hot path of nabij, so it is written by hand rather than taken from petgraph
//! (which is the test oracle): a reusable [`Workspace`] holds per-node state in flat arrays
//! that are never cleared; a generation stamp per node makes a reset O(1) (after fast_paths'
//! `valid_flags`). The queue is a binary heap of packed `u64` keys (`time << 32 | node`) with
//! lazy deletion. Search stops at the budget, so its cost is one pass over the reached part
//! of the graph.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

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

/// Per-thread search state, reused across queries without clearing.
#[derive(Debug, Clone, Default)]
pub struct Workspace {
    dist: Vec<u32>,
    source: Vec<u32>,
    parent: Vec<u32>,
    stamp: Vec<u32>,
    generation: u32,
    heap: BinaryHeap<Reverse<u64>>,
    settled: Vec<u32>,
    budget_ms: u32,
}

/// No parent: the node was a seed.
pub const NO_PARENT: u32 = u32::MAX;

impl Workspace {
    pub fn new(node_count: usize) -> Self {
        Workspace {
            dist: vec![0; node_count],
            source: vec![0; node_count],
            parent: vec![NO_PARENT; node_count],
            stamp: vec![0; node_count],
            generation: 0,
            heap: BinaryHeap::new(),
            settled: Vec::new(),
            budget_ms: 0,
        }
    }

    fn reset(&mut self, n: usize) {
        if self.stamp.len() != n {
            *self = Workspace::new(n);
        }
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.stamp.iter_mut().for_each(|s| *s = 0);
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
        for s in seeds {
            let v = s.node as usize;
            if v >= n || s.offset_ms > budget_ms {
                continue;
            }
            let better = self.stamp[v] != generation
                || s.offset_ms < self.dist[v]
                || (s.offset_ms == self.dist[v] && s.source < self.source[v]);
            if better {
                self.stamp[v] = generation;
                self.dist[v] = s.offset_ms;
                self.source[v] = s.source;
                if TRACK {
                    self.parent[v] = NO_PARENT;
                }
                self.heap
                    .push(Reverse(((s.offset_ms as u64) << 32) | s.node as u64));
            }
        }
        let first = &csr.first;
        let arcs = &csr.arcs;
        while let Some(Reverse(key)) = self.heap.pop() {
            let d = (key >> 32) as u32;
            let v = key as u32 as usize;
            if d > budget_ms {
                break;
            }
            if d != self.dist[v] {
                continue; // stale entry
            }
            self.settled.push(v as u32);
            if !on_settle(v as u32, d) {
                break;
            }
            let src = self.source[v];
            let (a, b) = (first[v] as usize, first[v + 1] as usize);
            for (i, arc) in arcs[a..b].iter().enumerate() {
                let nd = d.saturating_add(arc.time_ms);
                if nd > budget_ms {
                    continue;
                }
                let h = arc.head as usize;
                if self.stamp[h] != generation || nd < self.dist[h] {
                    self.stamp[h] = generation;
                    self.dist[h] = nd;
                    self.source[h] = src;
                    if TRACK {
                        self.parent[h] = (a + i) as u32;
                    }
                    self.heap.push(Reverse(((nd as u64) << 32) | h as u64));
                }
            }
        }
    }

    /// Time of `v` from/to its nearest source, if settled within the budget.
    #[inline]
    pub fn time_ms(&self, v: u32) -> Option<u32> {
        let v = v as usize;
        (v < self.stamp.len() && self.stamp[v] == self.generation && self.dist[v] <= self.budget_ms)
            .then(|| self.dist[v])
    }

    /// The source whose time [`Workspace::time_ms`] reports.
    #[inline]
    pub fn source_of(&self, v: u32) -> Option<u32> {
        self.time_ms(v).map(|_| self.source[v as usize])
    }

    /// The arc (index into the searched CSR) by which `v` was reached; `NO_PARENT` for a seed.
    /// Only meaningful after [`Workspace::run_with`].
    pub fn parent_arc(&self, v: u32) -> u32 {
        self.parent[v as usize]
    }

    /// Nodes settled by the last search, in order of time.
    pub fn settled(&self) -> &[u32] {
        &self.settled
    }
}
