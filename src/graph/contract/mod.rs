//! Building the contraction hierarchy ([`super::hierarchy`]; the queries are in
//! `routing::ch`): nodes are contracted in rounds of independent sets, both cores
//! working on each round.
//!
//! Contracting a node `v` removes it and adds a shortcut `u → w` for every pair of neighbours
//! whose shortest path might run through `v`, unless a *witness* search finds a path from `u`
//! to `w` at most as long that avoids `v`. The order matters for the size of the result: a
//! node's priority is its level (one more than the highest contracted neighbour) plus the
//! arcs and hops its contraction would add, each divided by those it would remove (the
//! measure of RoutingKit and Geisberger's thesis). A round contracts every node whose
//! priority is lower than each of its neighbours'; no two of them are adjacent, so their
//! shortcuts can be found in parallel on the unchanged graph. Witness searches skip every
//! node of the round, not only the one being contracted: two nodes of one round must not each
//! take a path through the other as their witness, or both paths would vanish together.
//!
//! The witness search is bounded (settled nodes), so it may miss a witness and add a shortcut
//! that is not needed; that costs space, never exactness.
//!
//! **One hierarchy for every period.** A graph with peak times is contracted for both
//! metrics at once: every arc carries a time per period, the witness searches run once per
//! period, and a shortcut is left out only if *each* period has a witness. So the hierarchy
//! is exact for each period on its own, and the order and the arcs are shared: a period adds
//! its arc times to the file, not a second hierarchy (the shortcuts one period needs and the
//! other does not are the price; docs/BENCHMARKS.md measures it).
//!
//! **One hierarchy for every period.** A graph with peak times is contracted for both
//! metrics at once: every arc carries a time per period, the witness searches run once per
//! period, and a shortcut is left out only if *each* period has a witness. So the hierarchy
//! is exact for each period on its own, and the order and the arcs are shared: a period adds
//! its arc times to the file, not a second hierarchy (the shortcuts one period needs and the
//! other does not are the price; docs/BENCHMARKS.md measures it).

mod remaining;
mod witness;

use rayon::prelude::*;

use super::RoadGraph;
use super::hierarchy::{ChArc, Hierarchy};
use remaining::{Arena, Entry, Shortcut, add_arc, remaining_graph};
use witness::{Witness, shortcuts_of};

/// Settled-node limit of the witness searches that estimate a priority.
const ESTIMATE_SETTLED: usize = 3;
/// Settled-node limit of the witness searches of a real contraction.
const CONTRACT_SETTLED: usize = 100;

/// The priority of `v`: lower is contracted earlier.
fn priority(v: u32, adj: &Arena, c: &Shared, ws: &mut Workspace) -> f32 {
    let Workspace {
        witness,
        shortcuts: buf,
        needed,
    } = ws;
    buf.clear();
    shortcuts_of(
        v,
        adj,
        c.metrics,
        c.blocked,
        witness,
        ESTIMATE_SETTLED,
        needed,
        buf,
    );
    let nb = adj.of(v);
    let removed_arcs = nb
        .iter()
        .map(|e| e.out_open() as u32 + e.in_open() as u32)
        .sum::<u32>()
        .max(1);
    let removed_hops = nb
        .iter()
        .map(|e| e.hops * (e.out_open() as u32 + e.in_open() as u32))
        .sum::<u32>()
        .max(1);
    let added_hops: u32 = buf.iter().map(|s| s.hops).sum();
    1.0 + c.level[v as usize] as f32
        + buf.len() as f32 / removed_arcs as f32
        + added_hops as f32 / removed_hops as f32
}

/// A tie-breaker that spreads equal priorities over the graph.
#[inline]
fn scatter(v: u32) -> u32 {
    v.wrapping_mul(0x9E37_79B1).rotate_left(13) ^ v
}

/// A worker's scratch space: the witness search, and buffers for shortcuts.
struct Workspace {
    witness: Witness,
    shortcuts: Vec<Shortcut>,
    needed: Vec<bool>,
}

/// What the priority of a node reads besides the remaining graph.
struct Shared<'a> {
    metrics: usize,
    level: &'a [u32],
    blocked: &'a [bool],
}

/// One witness workspace per worker thread, made once: a workspace is two arrays as long as
/// the graph, too big to allocate per round.
struct Pool(Vec<std::sync::Mutex<Workspace>>);

impl Pool {
    fn new(n: usize) -> Self {
        let threads = rayon::current_num_threads() + 1;
        Pool(
            (0..threads)
                .map(|_| {
                    std::sync::Mutex::new(Workspace {
                        witness: Witness::new(n),
                        shortcuts: Vec::new(),
                        needed: Vec::new(),
                    })
                })
                .collect(),
        )
    }

    /// Runs `f` with this thread's workspace.
    fn with<R>(&self, f: impl FnOnce(&mut Workspace) -> R) -> R {
        let i = rayon::current_thread_index().map_or(0, |i| i + 1);
        let slot = &self.0[i.min(self.0.len() - 1)];
        let mut guard = slot.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut guard)
    }
}

/// Contracts the graph. `progress(contracted)` is called after each round.
pub fn contract(g: &RoadGraph, progress: &(dyn Fn(usize) + Sync)) -> Hierarchy {
    // Never gives up, so there is always a hierarchy.
    contract_unless(g, progress, &|_| false).unwrap_or_default()
}

/// The state of the remaining graph after a round, for [`contract_unless`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoundState {
    /// Nodes not contracted yet.
    pub remaining: usize,
    /// Their mean number of neighbours in the remaining graph.
    pub mean_degree: f64,
    pub node_count: usize,
}

/// As [`contract`], but stops as soon as `give_up` says so after a round (the graph is
/// becoming too dense to finish in reasonable time) and returns the state it stopped in.
pub fn contract_unless(
    g: &RoadGraph,
    progress: &(dyn Fn(usize) + Sync),
    give_up: &dyn Fn(RoundState) -> bool,
) -> Result<Hierarchy, RoundState> {
    let n = g.node_count();
    let t0 = std::time::Instant::now();
    let pool = Pool::new(n);
    let with_peak = g.period == crate::graph::Period::Free
        && g.peak_time_fw_ms.len() == g.edge_count()
        && g.peak_time_bw_ms.len() == g.edge_count();
    let metrics = if with_peak { 2 } else { 1 };
    let mut c = Contraction::new(remaining_graph(g, metrics), n, metrics, &pool);
    let (mut round, mut done) = (0u32, 0usize);
    while !c.remaining.is_empty() {
        let set = c.independent_set();
        let shortcuts = c.shortcuts(&set, &pool);
        let touched = c.contract(&set, shortcuts, round);
        c.reprioritise(&touched, &pool);
        done += set.len();
        let state = c.state(n);
        tracing::trace!(
            round,
            contracted = set.len(),
            remaining = state.remaining,
            mean_degree = state.mean_degree,
            elapsed_s = t0.elapsed().as_secs_f64(),
            "contraction round"
        );
        round += 1;
        progress(done);
        if !c.remaining.is_empty() && give_up(state) {
            tracing::debug!(
                round,
                remaining = state.remaining,
                mean_degree = state.mean_degree,
                "contraction given up"
            );
            return Err(state);
        }
    }
    tracing::debug!(rounds = round, "contracted");
    Ok(hierarchy_of(&c.round_of, &c.up, metrics))
}

/// The state of a contraction between rounds.
struct Contraction {
    adj: Arena,
    /// Metrics whose witnesses count (1 without peak times).
    metrics: usize,
    level: Vec<u32>,
    blocked: Vec<bool>,
    /// The round each node was contracted in, `u32::MAX` while it remains.
    round_of: Vec<u32>,
    /// Each contracted node's arcs to the nodes left when it went (its upward arcs).
    up: Vec<Vec<Entry>>,
    prio: Vec<f32>,
    remaining: Vec<u32>,
    dirty: Vec<bool>,
}

impl Contraction {
    fn new(adj: Arena, n: usize, metrics: usize, pool: &Pool) -> Self {
        let level = vec![0u32; n];
        let blocked = vec![false; n];
        let prio: Vec<f32> = {
            let shared = Shared {
                metrics,
                level: &level,
                blocked: &blocked,
            };
            let adj = &adj;
            (0..n as u32)
                .into_par_iter()
                .map(|v| pool.with(|ws| priority(v, adj, &shared, ws)))
                .collect()
        };
        Contraction {
            adj,
            metrics,
            level,
            blocked,
            round_of: vec![u32::MAX; n],
            up: vec![Vec::new(); n],
            prio,
            remaining: (0..n as u32).collect(),
            dirty: vec![false; n],
        }
    }

    /// The nodes whose priority is below every neighbour's: contracted together this round.
    fn independent_set(&self) -> Vec<u32> {
        let key = |v: u32| (self.prio[v as usize], scatter(v), v);
        self.remaining
            .par_iter()
            .copied()
            .filter(|&v| {
                let kv = key(v);
                self.adj.of(v).iter().all(|e| kv < key(e.node))
            })
            .collect()
    }

    /// The shortcuts contracting each node of `set` needs (the set blocked meanwhile).
    fn shortcuts(&mut self, set: &[u32], pool: &Pool) -> Vec<Vec<Shortcut>> {
        for &v in set {
            self.blocked[v as usize] = true;
        }
        let (adj, blocked, metrics) = (&self.adj, &self.blocked, self.metrics);
        set.par_iter()
            .map(|&v| {
                pool.with(|ws| {
                    let mut out = Vec::new();
                    shortcuts_of(
                        v,
                        adj,
                        metrics,
                        blocked,
                        &mut ws.witness,
                        CONTRACT_SETTLED,
                        &mut ws.needed,
                        &mut out,
                    );
                    out
                })
            })
            .collect()
    }

    /// Takes the set out of the remaining graph (their arcs become upward arcs), adds the
    /// shortcuts, and returns the neighbours whose priority must be recomputed.
    fn contract(&mut self, set: &[u32], shortcuts: Vec<Vec<Shortcut>>, round: u32) -> Vec<u32> {
        let mut touched: Vec<u32> = Vec::new();
        for &v in set {
            let list = self.adj.take(v);
            for e in &list {
                self.adj.remove(e.node, v);
                let x = e.node as usize;
                self.level[x] = self.level[x].max(self.level[v as usize] + 1);
                if !self.dirty[x] {
                    self.dirty[x] = true;
                    touched.push(e.node);
                }
            }
            self.up[v as usize] = list;
            self.round_of[v as usize] = round;
            self.blocked[v as usize] = false;
        }
        for s in shortcuts.into_iter().flatten() {
            add_arc(&mut self.adj, s);
        }
        self.remaining
            .retain(|&v| self.round_of[v as usize] == u32::MAX);
        touched
    }

    /// New priorities for the touched nodes.
    fn reprioritise(&mut self, touched: &[u32], pool: &Pool) {
        let updated: Vec<f32> = {
            let shared = Shared {
                metrics: self.metrics,
                level: &self.level,
                blocked: &self.blocked,
            };
            let adj = &self.adj;
            touched
                .par_iter()
                .map(|&v| pool.with(|ws| priority(v, adj, &shared, ws)))
                .collect()
        };
        for (&v, p) in touched.iter().zip(updated) {
            self.prio[v as usize] = p;
            self.dirty[v as usize] = false;
        }
    }

    /// What is left, for the progress trace and the decision to give up.
    fn state(&self, n: usize) -> RoundState {
        let arcs_left: usize = self
            .remaining
            .iter()
            .map(|&v| self.adj.len[v as usize] as usize)
            .sum();
        RoundState {
            remaining: self.remaining.len(),
            mean_degree: arcs_left as f64 / self.remaining.len().max(1) as f64,
            node_count: n,
        }
    }
}

/// The hierarchy: positions by contraction round (then node), each position's upward arcs
/// sorted by head (with the peak metric's times and lengths beside them when there are two
/// metrics), and the sweep blocks.
fn hierarchy_of(round_of: &[u32], up: &[Vec<Entry>], metrics: usize) -> Hierarchy {
    let n = round_of.len();
    let mut node_at: Vec<u32> = (0..n as u32).collect();
    node_at.par_sort_unstable_by_key(|&v| (round_of[v as usize], v));
    let mut h = Hierarchy {
        node_at,
        ..Hierarchy::default()
    };
    h.fill_positions();
    let mut first = Vec::with_capacity(n + 1);
    let mut arcs = Vec::new();
    let mut arc_m = Vec::new();
    let (mut peak_arcs, mut peak_arc_m) = (Vec::new(), Vec::new());
    first.push(0u32);
    for &v in &h.node_at {
        let mut list: Vec<(ChArc, &Entry)> = up[v as usize]
            .iter()
            .map(|e| {
                (
                    ChArc {
                        head: h.position[e.node as usize],
                        up_ms: e.out_ms[0],
                        down_ms: e.in_ms[0],
                    },
                    e,
                )
            })
            .collect();
        list.sort_unstable_by_key(|a| a.0.head);
        arcs.extend(list.iter().map(|a| a.0));
        arc_m.extend(list.iter().map(|a| [a.1.out_m[0], a.1.in_m[0]]));
        if metrics > 1 {
            peak_arcs.extend(list.iter().map(|a| [a.1.out_ms[1], a.1.in_ms[1]]));
            peak_arc_m.extend(list.iter().map(|a| [a.1.out_m[1], a.1.in_m[1]]));
        }
        first.push(arcs.len() as u32);
    }
    h.first = first;
    h.arcs = arcs;
    h.arc_m = arc_m;
    h.peak_arcs = peak_arcs;
    h.peak_arc_m = peak_arc_m;
    h.fill_sweep_blocks();
    h
}
