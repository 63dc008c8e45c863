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

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rayon::prelude::*;

use super::hierarchy::{ChArc, Hierarchy};
use super::{NO_TIME, RoadGraph};

/// How many metrics (periods) a contraction carries: free-flow and peak.
const METRICS: usize = 2;

/// A neighbour in the remaining graph: times per metric from the node to it and from it to the
/// node, and how many roads the longer of the two stands for.
#[derive(Debug, Clone, Copy)]
struct Entry {
    node: u32,
    out_ms: [u32; METRICS],
    in_ms: [u32; METRICS],
    /// Metres along the fastest path of each direction, per metric.
    out_m: [f32; METRICS],
    in_m: [f32; METRICS],
    hops: u32,
}

impl Entry {
    /// Directions are open or closed alike in every metric, so metric 0 tells.
    #[inline]
    fn out_open(&self) -> bool {
        self.out_ms[0] != NO_TIME
    }

    #[inline]
    fn in_open(&self) -> bool {
        self.in_ms[0] != NO_TIME
    }
}

/// The remaining graph: each node's entries in one slot of a shared array, with room to grow;
/// a slot that overflows moves to the end with twice the room. Neighbouring nodes (Hilbert
/// order) start out in neighbouring memory, which the witness searches depend on.
struct Arena {
    start: Vec<u32>,
    len: Vec<u32>,
    cap: Vec<u32>,
    entries: Vec<Entry>,
}

const EMPTY: Entry = Entry {
    node: u32::MAX,
    out_ms: [NO_TIME; METRICS],
    in_ms: [NO_TIME; METRICS],
    out_m: [0.0; METRICS],
    in_m: [0.0; METRICS],
    hops: 0,
};

impl Arena {
    fn with_degrees(deg: &[u32]) -> Self {
        let mut start = Vec::with_capacity(deg.len());
        let mut cap = Vec::with_capacity(deg.len());
        let mut at = 0u32;
        for &d in deg {
            start.push(at);
            let c = d + 2;
            cap.push(c);
            at += c;
        }
        Arena {
            start,
            len: vec![0; deg.len()],
            cap,
            entries: vec![EMPTY; at as usize],
        }
    }

    #[inline]
    fn of(&self, v: u32) -> &[Entry] {
        let s = self.start[v as usize] as usize;
        &self.entries[s..s + self.len[v as usize] as usize]
    }

    #[inline]
    fn of_mut(&mut self, v: u32) -> &mut [Entry] {
        let s = self.start[v as usize] as usize;
        &mut self.entries[s..s + self.len[v as usize] as usize]
    }

    fn push(&mut self, v: u32, e: Entry) {
        let i = v as usize;
        if self.len[i] == self.cap[i] {
            let new_cap = (self.cap[i] * 2).max(4);
            let new_start = self.entries.len();
            let s = self.start[i] as usize;
            self.entries.extend_from_within(s..s + self.len[i] as usize);
            self.entries.resize(new_start + new_cap as usize, EMPTY);
            self.start[i] = new_start as u32;
            self.cap[i] = new_cap;
        }
        let at = (self.start[i] + self.len[i]) as usize;
        self.entries[at] = e;
        self.len[i] += 1;
    }

    fn remove(&mut self, v: u32, node: u32) {
        let list = self.of_mut(v);
        if let Some(k) = list.iter().position(|e| e.node == node) {
            let last = list.len() - 1;
            list.swap(k, last);
            self.len[v as usize] -= 1;
        }
    }

    fn take(&mut self, v: u32) -> Vec<Entry> {
        let out = self.of(v).to_vec();
        self.len[v as usize] = 0;
        out
    }
}

/// Settled-node limit of the witness searches that estimate a priority.
const ESTIMATE_SETTLED: usize = 3;
/// Settled-node limit of the witness searches of a real contraction.
const CONTRACT_SETTLED: usize = 100;

/// A candidate shortcut, with its time and length per metric.
#[derive(Debug, Clone, Copy)]
struct Shortcut {
    from: u32,
    to: u32,
    ms: [u32; METRICS],
    m: [f32; METRICS],
    hops: u32,
}

struct Witness {
    /// Marks the targets of the current contraction (the out-neighbours of the node).
    is_target: Vec<bool>,
    /// Per node: the epoch that wrote it, and its time.
    state: Vec<(u32, u32)>,
    epoch: u32,
    heap: BinaryHeap<Reverse<(u32, u32)>>,
}

impl Witness {
    fn new(n: usize) -> Self {
        Witness {
            is_target: vec![false; n],
            state: vec![(0, NO_TIME); n],
            epoch: 0,
            heap: BinaryHeap::new(),
        }
    }

    #[inline]
    fn dist(&self, v: u32) -> u32 {
        let (stamp, d) = self.state[v as usize];
        if stamp == self.epoch { d } else { NO_TIME }
    }

    #[inline]
    fn set(&mut self, v: u32, d: u32) {
        self.state[v as usize] = (self.epoch, d);
    }

    /// Times in `metric` from `start` in the remaining graph without `skip` and the blocked
    /// nodes, up to `max_ms`, `limit` settled nodes, or until `targets` nodes marked in
    /// `is_target` are settled.
    #[allow(clippy::too_many_arguments)]
    fn run(
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
fn shortcuts_of(
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

/// Adds (or shortens, in each metric on its own) the arc `s.from → s.to`: the `out` side of
/// `from`'s entry for `to`, and the `in` side of `to`'s entry for `from`.
fn add_arc(adj: &mut Arena, s: Shortcut) {
    for (at, other, out) in [(s.from, s.to, true), (s.to, s.from, false)] {
        match adj.of_mut(at).iter_mut().find(|e| e.node == other) {
            Some(e) => {
                let (ms, m) = if out {
                    (&mut e.out_ms, &mut e.out_m)
                } else {
                    (&mut e.in_ms, &mut e.in_m)
                };
                for k in 0..METRICS {
                    if s.ms[k] < ms[k] {
                        ms[k] = s.ms[k];
                        m[k] = s.m[k];
                        e.hops = e.hops.max(s.hops);
                    }
                }
            }
            None => {
                let mut e = Entry {
                    node: other,
                    hops: s.hops,
                    ..EMPTY
                };
                if out {
                    (e.out_ms, e.out_m) = (s.ms, s.m);
                } else {
                    (e.in_ms, e.in_m) = (s.ms, s.m);
                }
                adj.push(at, e);
            }
        }
    }
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

/// The graph to contract: both directions of a road in one entry, parallel roads merged,
/// self-loops left out. With one metric the second holds a copy of the first.
fn remaining_graph(g: &RoadGraph, metrics: usize) -> Arena {
    let n = g.node_count();
    let mut deg = vec![0u32; n];
    for e in 0..g.edge_count() {
        deg[g.edge_from[e] as usize] += 1;
        deg[g.edge_to[e] as usize] += 1;
    }
    let mut adj = Arena::with_degrees(&deg);
    for e in 0..g.edge_count() {
        let (a, b) = (g.edge_from[e], g.edge_to[e]);
        if a == b {
            continue;
        }
        let (fw, bw) = (g.edge_time_fw_ms[e], g.edge_time_bw_ms[e]);
        let (peak_fw, peak_bw) = if metrics > 1 {
            (g.peak_time_fw_ms[e], g.peak_time_bw_ms[e])
        } else {
            (fw, bw)
        };
        let m = g.edge_length_m[e];
        let road = |from, to, ms| Shortcut {
            from,
            to,
            ms,
            m: [m; METRICS],
            hops: 1,
        };
        if fw != NO_TIME {
            add_arc(&mut adj, road(a, b, [fw, peak_fw]));
        }
        if bw != NO_TIME {
            add_arc(&mut adj, road(b, a, [bw, peak_bw]));
        }
    }
    adj
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
