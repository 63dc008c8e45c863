//! Witness searches: whether contracting a node needs a shortcut between two of its
//! neighbours, in any metric (period).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::super::NO_TIME;
use super::remaining::{Arena, Shortcut};

pub(super) struct Witness {
    /// Marks the targets of the current contraction (the out-neighbours of the node).
    pub(super) is_target: Vec<bool>,
    /// Per node: the epoch that wrote it, and its time.
    pub(super) state: Vec<(u32, u32)>,
    pub(super) epoch: u32,
    pub(super) heap: BinaryHeap<Reverse<(u32, u32)>>,
}

impl Witness {
    pub(super) fn new(n: usize) -> Self {
        Witness {
            is_target: vec![false; n],
            state: vec![(0, NO_TIME); n],
            epoch: 0,
            heap: BinaryHeap::new(),
        }
    }

    #[inline]
    pub(super) fn dist(&self, v: u32) -> u32 {
        let (stamp, d) = self.state[v as usize];
        if stamp == self.epoch { d } else { NO_TIME }
    }

    #[inline]
    pub(super) fn set(&mut self, v: u32, d: u32) {
        self.state[v as usize] = (self.epoch, d);
    }

    /// Times in `metric` from `start` in the remaining graph without `skip` and the blocked
    /// nodes, up to `max_ms`, `limit` settled nodes, or until `targets` nodes marked in
    /// `is_target` are settled.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn run(
        &mut self,
        adj: &Arena,
        metric: usize,
        blocked: &[bool],
        start: u32,
        skip: u32,
        max_ms: u32,
        limit: usize,
        is_target: &[bool],
        mut targets: usize,
    ) {
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            self.state.fill((0, NO_TIME));
            self.epoch = 1;
        }
        self.heap.clear();
        self.set(start, 0);
        self.heap.push(Reverse((0, start)));
        let mut settled = 0;
        while let Some(Reverse((d, v))) = self.heap.pop() {
            if d > self.dist(v) {
                continue;
            }
            if is_target[v as usize] {
                targets -= 1;
                if targets == 0 {
                    break;
                }
            }
            settled += 1;
            if settled > limit {
                break;
            }
            // The skipped and blocked nodes are reached but never passed through.
            if v != start && (v == skip || blocked[v as usize]) {
                continue;
            }
            for e in adj.of(v) {
                let out = e.out_ms[metric];
                if out == NO_TIME {
                    continue;
                }
                let nd = d.saturating_add(out);
                if nd <= max_ms && nd < self.dist(e.node) {
                    self.set(e.node, nd);
                    self.heap.push(Reverse((nd, e.node)));
                }
            }
        }
    }
}

/// The shortcuts that contracting `v` needs in any of the first `metrics` metrics, appended
/// to `out`: a pair keeps its path through `v` unless every metric has a witness.
#[allow(clippy::too_many_arguments)]
pub(super) fn shortcuts_of(
    v: u32,
    adj: &Arena,
    metrics: usize,
    blocked: &[bool],
    ws: &mut Witness,
    limit: usize,
    needed: &mut Vec<bool>,
    out: &mut Vec<Shortcut>,
) {
    let nb = adj.of(v);
    let mut is_target = std::mem::take(&mut ws.is_target);
    let mut targets = 0;
    for b in nb {
        if b.out_open() {
            is_target[b.node as usize] = true;
            targets += 1;
        }
    }
    for a in nb {
        if !a.in_open() {
            continue;
        }
        needed.clear();
        needed.resize(nb.len(), false);
        for k in 0..metrics {
            let max_c = nb
                .iter()
                .filter(|b| b.node != a.node && b.out_open())
                .map(|b| a.in_ms[k].saturating_add(b.out_ms[k]))
                .max();
            let Some(max_c) = max_c else { break };
            // The search settles `a` itself first; if it is a target, it counts as one.
            ws.run(
                adj, k, blocked, a.node, v, max_c, limit, &is_target, targets,
            );
            for (i, b) in nb.iter().enumerate() {
                if b.node == a.node || !b.out_open() {
                    continue;
                }
                let c = a.in_ms[k].saturating_add(b.out_ms[k]);
                if c < NO_TIME && ws.dist(b.node) > c {
                    needed[i] = true;
                }
            }
        }
        for (i, b) in nb.iter().enumerate() {
            if needed[i] {
                out.push(Shortcut {
                    from: a.node,
                    to: b.node,
                    ms: std::array::from_fn(|k| a.in_ms[k].saturating_add(b.out_ms[k])),
                    m: std::array::from_fn(|k| a.in_m[k] + b.out_m[k]),
                    hops: a.hops + b.hops,
                });
            }
        }
    }
    for b in nb {
        is_target[b.node as usize] = false;
    }
    ws.is_target = is_target;
}
