//! Queries on the contraction hierarchy ([`crate::graph::hierarchy`], built by
//! [`crate::graph::contract`]): times from many
//! sources to every node by one upward search and one sweep (PHAST, Delling et al. 2011), and
//! tables between two point sets by upward searches that meet in buckets (Knopp et al. 2007).
//!
//! Both give exactly the times of a Dijkstra on the road graph: every shortest path has an
//! upward part and a downward part in the hierarchy, and both queries take the minimum over
//! all such pairs. Ties between sources are broken towards the lower source number, as in
//! [`crate::routing::Workspace`].
//!
//! Written by hand for the same reason as the Dijkstra: the sweep is the hot path of every
//! coverage question. Its speed comes from the memory order: positions are sorted by
//! contraction round, then by node (Hilbert order), so the sweep reads the arcs front to
//! back and most arcs lead to the much smaller, cache-resident upper rounds.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::search::Direction;
use super::{Seed, Times};
use crate::graph::NO_TIME;
pub use crate::graph::contract::contract;
use crate::graph::hierarchy::Hierarchy;

/// A time and the source it comes from; compared as a pair, so ties go to the lower source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(C)]
struct Label {
    t: u32,
    src: u32,
}

const UNREACHED: Label = Label {
    t: u32::MAX,
    src: u32::MAX,
};

/// The weight of an arc for the upward search of direction `dir` (`up = true`) or for its
/// downward sweep.
#[inline]
fn weight(a: &crate::graph::hierarchy::ChArc, dir: Direction, up: bool) -> u32 {
    match (dir, up) {
        (Direction::From, true) | (Direction::To, false) => a.up_ms,
        (Direction::From, false) | (Direction::To, true) => a.down_ms,
    }
}

/// Sweep blocks at least this long are swept on all cores, in chunks of [`SWEEP_CHUNK`]
/// positions (smaller ones cost more to hand out than to sweep).
pub const PARALLEL_BLOCK: usize = 1 << 15;
const SWEEP_CHUNK: usize = 1 << 12;

/// Reusable state of one-to-all queries.
#[derive(Debug, Clone, Default)]
pub struct Phast {
    labels: Vec<Label>,
    heap: BinaryHeap<Reverse<(Label, u32)>>,
}

/// The times of a [`Phast`] run, by node.
pub struct AllTimes<'a> {
    h: &'a Hierarchy,
    labels: &'a [Label],
}

impl Phast {
    /// Times from the seeds to every node (`From`) or from every node to the seeds (`To`).
    pub fn run(&mut self, h: &Hierarchy, seeds: &[Seed], dir: Direction) {
        let n = h.len();
        if self.labels.len() == n {
            use rayon::prelude::*;
            self.labels
                .par_chunks_mut(SWEEP_CHUNK)
                .for_each(|c| c.fill(UNREACHED));
        } else {
            self.labels.clear();
            self.labels.resize(n, UNREACHED);
        }
        let labels = &mut self.labels;
        let heap = &mut self.heap;
        heap.clear();
        if seeds.is_empty() {
            return;
        }
        for s in seeds {
            let Some(&p) = h.position.get(s.node as usize) else {
                continue;
            };
            let l = Label {
                t: s.offset_ms,
                src: s.source,
            };
            if l.t < u32::MAX && l < labels[p as usize] {
                labels[p as usize] = l;
                heap.push(Reverse((l, p)));
            }
        }
        // Upward: a Dijkstra over the arcs to higher positions only.
        while let Some(Reverse((l, p))) = heap.pop() {
            if l != labels[p as usize] {
                continue;
            }
            for a in h.arcs_of(p) {
                let w = weight(a, dir, true);
                if w == NO_TIME {
                    continue;
                }
                let c = Label {
                    t: l.t.saturating_add(w),
                    src: l.src,
                };
                if c.t < u32::MAX && c < labels[a.head as usize] {
                    labels[a.head as usize] = c;
                    heap.push(Reverse((c, a.head)));
                }
            }
        }
        // Downward: from the top position to the bottom, each takes the best of its own label
        // and its upper neighbours' (all final by then).
        sweep_down(
            h,
            labels,
            |best: &mut Label, above: &Label, w: u32| {
                if above.t == u32::MAX {
                    return;
                }
                let c = Label {
                    t: above.t.saturating_add(w),
                    src: above.src,
                };
                if c < *best {
                    *best = c;
                }
            },
            dir,
        );
    }

    /// The times of the last [`Phast::run`] on `h`.
    pub fn view<'a>(&'a self, h: &'a Hierarchy) -> AllTimes<'a> {
        AllTimes {
            h,
            labels: &self.labels,
        }
    }
}

impl AllTimes<'_> {
    /// `(node, time)` of every reached node, in position order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.labels
            .iter()
            .zip(&self.h.node_at)
            .filter(|(l, _)| l.t != u32::MAX)
            .map(|(l, &v)| (v, l.t))
    }
}

impl Times for AllTimes<'_> {
    #[inline]
    fn time_ms(&self, v: u32) -> Option<u32> {
        let p = *self.h.position.get(v as usize)?;
        let l = self.labels[p as usize];
        (l.t != u32::MAX).then_some(l.t)
    }

    #[inline]
    fn source_of(&self, v: u32) -> Option<u32> {
        let p = *self.h.position.get(v as usize)?;
        let l = self.labels[p as usize];
        (l.t != u32::MAX).then_some(l.src)
    }
}

/// The downward sweep of PHAST over any label: from the top position to the bottom, each
/// position's label `relax`ed by every upper neighbour's (final by then) plus the arc's
/// weight. Within one sweep block no position reads another of the same block, so a large
/// block is split over all cores. A hierarchy assembled without `fill_sweep_blocks` is
/// swept a position at a time.
fn sweep_down<L: Copy + Send + Sync>(
    h: &Hierarchy,
    labels: &mut [L],
    relax: impl Fn(&mut L, &L, u32) + Sync,
    dir: Direction,
) {
    let n = h.len();
    let blocks: std::borrow::Cow<[u32]> = match h.sweep_blocks.last() {
        Some(&last) if last as usize == n => (&h.sweep_blocks[..]).into(),
        _ => (0..=n as u32).collect::<Vec<u32>>().into(),
    };
    for w in blocks.windows(2).rev() {
        let (start, end) = (w[0] as usize, w[1] as usize);
        let (below, above) = labels.split_at_mut(end);
        let block = &mut below[start..];
        let sweep = |p: usize, label: &mut L| {
            let (a, b) = (h.first[p] as usize, h.first[p + 1] as usize);
            for arc in &h.arcs[a..b] {
                let w = weight(arc, dir, false);
                if w != NO_TIME {
                    // Heads of a block's arcs lie above the block (`sweep_blocks`).
                    relax(label, &above[arc.head as usize - end], w);
                }
            }
        };
        if block.len() >= PARALLEL_BLOCK {
            use rayon::prelude::*;
            block
                .par_chunks_mut(SWEEP_CHUNK)
                .enumerate()
                .for_each(|(i, chunk)| {
                    let first = start + i * SWEEP_CHUNK;
                    for (k, label) in chunk.iter_mut().enumerate() {
                        sweep(first + k, label);
                    }
                });
        } else {
            for (k, label) in block.iter_mut().enumerate() {
                sweep(start + k, label);
            }
        }
    }
}

/// Reusable state of upward searches (tables).
#[derive(Debug, Default)]
pub struct Upward {
    /// Per position: the epoch that wrote it, its time and its metres.
    state: Vec<(u32, u32, f32)>,
    epoch: u32,
    heap: BinaryHeap<Reverse<(u32, u32)>>,
    /// Positions settled by the last search, with their times and metres.
    settled: Vec<(u32, u32, f32)>,
}

impl Upward {
    /// Settles the upward search space of the seeds (their `source` is ignored), with
    /// the weights of direction `dir`: `From` searches forward from the seeds, `To` backward.
    /// A seed's metres are `seed_m` of its index.
    pub fn run(
        &mut self,
        h: &Hierarchy,
        seeds: &[Seed],
        seed_m: &[f32],
        dir: Direction,
    ) -> &[(u32, u32, f32)] {
        let n = h.len();
        if self.state.len() != n {
            self.state = vec![(0, u32::MAX, 0.0); n];
            self.epoch = 0;
        }
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            self.state.fill((0, u32::MAX, 0.0));
            self.epoch = 1;
        }
        self.heap.clear();
        self.settled.clear();
        let epoch = self.epoch;
        let state = &mut self.state;
        let time = |state: &[(u32, u32, f32)], p: u32| {
            let (e, t, _) = state[p as usize];
            if e == epoch { t } else { u32::MAX }
        };
        for (i, s) in seeds.iter().enumerate() {
            let Some(&p) = h.position.get(s.node as usize) else {
                continue;
            };
            if s.offset_ms < time(state, p) {
                state[p as usize] = (epoch, s.offset_ms, seed_m.get(i).copied().unwrap_or(0.0));
                self.heap.push(Reverse((s.offset_ms, p)));
            }
        }
        while let Some(Reverse((t, p))) = self.heap.pop() {
            if t != time(state, p) {
                continue;
            }
            let m = state[p as usize].2;
            self.settled.push((p, t, m));
            let first = h.first[p as usize] as usize;
            for (k, a) in h.arcs_of(p).iter().enumerate() {
                let w = weight(a, dir, true);
                if w == NO_TIME {
                    continue;
                }
                let c = t.saturating_add(w);
                if c < time(state, a.head) {
                    let lengths = h.arc_m[first + k];
                    let am = match dir {
                        Direction::From => lengths[0],
                        Direction::To => lengths[1],
                    };
                    state[a.head as usize] = (epoch, c, m + am);
                    self.heap.push(Reverse((c, a.head)));
                }
            }
        }
        &self.settled
    }
}

/// One side of a table: the seeds of a point, with the metres already travelled to each.
pub type TableSide = (Vec<Seed>, Vec<f32>);

/// Times and metres from each row's seeds to each column's seeds (`From`), or from each
/// column's seeds to each row's seeds (`To`): `None` where no route exists. Rows run in
/// parallel.
///
/// A row's seeds are where its searches start in direction `dir` ([`super::Engine::seeds`]
/// with `dir`), a column's where they end (with `dir.reverse()`).
pub fn table(
    h: &Hierarchy,
    rows: &[TableSide],
    columns: &[TableSide],
    dir: Direction,
) -> Vec<Vec<Option<(u32, f32)>>> {
    use rayon::prelude::*;
    // Every column's upward search from the other end, kept as buckets sorted by position.
    let mut buckets: Vec<(u32, u32, u32, f32)> = columns
        .par_iter()
        .enumerate()
        .flat_map_iter(|(j, (seeds, seed_m))| {
            with_upward(|up| {
                up.run(h, seeds, seed_m, dir.reverse())
                    .iter()
                    .map(|&(p, t, m)| (p, j as u32, t, m))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    buckets.par_sort_unstable_by_key(|b| (b.0, b.1));
    let token = crate::cancel::current();
    rows.par_iter()
        .map(|(seeds, seed_m)| {
            let mut row: Vec<Option<(u32, f32)>> = vec![None; columns.len()];
            // Nobody waits any more: the rest of the rows are left empty.
            if token.as_ref().is_some_and(|t| t.is_cancelled()) {
                return row;
            }
            with_upward(|up| {
                for &(p, t, m) in up.run(h, seeds, seed_m, dir) {
                    let start = buckets.partition_point(|b| b.0 < p);
                    for &(q, j, tj, mj) in &buckets[start..] {
                        if q != p {
                            break;
                        }
                        let c = t.saturating_add(tj);
                        let cell = &mut row[j as usize];
                        if c < u32::MAX && cell.is_none_or(|(best, _)| c < best) {
                            *cell = Some((c, m + mj));
                        }
                    }
                }
            });
            row
        })
        .collect()
}

thread_local! {
    /// One upward-search state per thread, kept between tables: its arrays are as long as the
    /// graph, too big to make per search.
    static UPWARD: std::cell::RefCell<Upward> = std::cell::RefCell::new(Upward::default());
}

fn with_upward<R>(f: impl FnOnce(&mut Upward) -> R) -> R {
    UPWARD.with(|u| match u.try_borrow_mut() {
        Ok(mut up) => f(&mut up),
        // Re-entered on this thread (rayon work-stealing inside a search): use a fresh state.
        Err(_) => f(&mut Upward::default()),
    })
}
