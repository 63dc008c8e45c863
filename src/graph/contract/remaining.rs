//! The remaining graph of a contraction: each node's neighbours with a time and length per
//! metric (period), kept in one shared array, and the shortcuts added to it.

use super::super::{NO_TIME, RoadGraph};

/// How many metrics (periods) a contraction carries: free-flow and peak.
pub(super) const METRICS: usize = 2;

/// A neighbour in the remaining graph: times per metric from the node to it and from it to the
/// node, and how many roads the longer of the two stands for.
#[derive(Debug, Clone, Copy)]
pub(super) struct Entry {
    pub(super) node: u32,
    pub(super) out_ms: [u32; METRICS],
    pub(super) in_ms: [u32; METRICS],
    /// Metres along the fastest path of each direction, per metric.
    pub(super) out_m: [f32; METRICS],
    pub(super) in_m: [f32; METRICS],
    pub(super) hops: u32,
}

impl Entry {
    /// Directions are open or closed alike in every metric, so metric 0 tells.
    #[inline]
    pub(super) fn out_open(&self) -> bool {
        self.out_ms[0] != NO_TIME
    }

    #[inline]
    pub(super) fn in_open(&self) -> bool {
        self.in_ms[0] != NO_TIME
    }
}

/// The remaining graph: each node's entries in one slot of a shared array, with room to grow;
/// a slot that overflows moves to the end with twice the room. Neighbouring nodes (Hilbert
/// order) start out in neighbouring memory, which the witness searches depend on.
pub(super) struct Arena {
    pub(super) start: Vec<u32>,
    pub(super) len: Vec<u32>,
    pub(super) cap: Vec<u32>,
    pub(super) entries: Vec<Entry>,
}

pub(super) const EMPTY: Entry = Entry {
    node: u32::MAX,
    out_ms: [NO_TIME; METRICS],
    in_ms: [NO_TIME; METRICS],
    out_m: [0.0; METRICS],
    in_m: [0.0; METRICS],
    hops: 0,
};

impl Arena {
    pub(super) fn with_degrees(deg: &[u32]) -> Self {
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
    pub(super) fn of(&self, v: u32) -> &[Entry] {
        let s = self.start[v as usize] as usize;
        &self.entries[s..s + self.len[v as usize] as usize]
    }

    #[inline]
    pub(super) fn of_mut(&mut self, v: u32) -> &mut [Entry] {
        let s = self.start[v as usize] as usize;
        &mut self.entries[s..s + self.len[v as usize] as usize]
    }

    pub(super) fn push(&mut self, v: u32, e: Entry) {
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

    pub(super) fn remove(&mut self, v: u32, node: u32) {
        let list = self.of_mut(v);
        if let Some(k) = list.iter().position(|e| e.node == node) {
            let last = list.len() - 1;
            list.swap(k, last);
            self.len[v as usize] -= 1;
        }
    }

    pub(super) fn take(&mut self, v: u32) -> Vec<Entry> {
        let out = self.of(v).to_vec();
        self.len[v as usize] = 0;
        out
    }
}

/// A candidate shortcut, with its time and length per metric.
#[derive(Debug, Clone, Copy)]
pub(super) struct Shortcut {
    pub(super) from: u32,
    pub(super) to: u32,
    pub(super) ms: [u32; METRICS],
    pub(super) m: [f32; METRICS],
    pub(super) hops: u32,
}

/// Adds (or shortens, in each metric on its own) the arc `s.from → s.to`: the `out` side of
/// `from`'s entry for `to`, and the `in` side of `to`'s entry for `from`.
pub(super) fn add_arc(adj: &mut Arena, s: Shortcut) {
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

/// The graph to contract: both directions of a road in one entry, parallel roads merged,
/// self-loops left out. With one metric the second holds a copy of the first.
pub(super) fn remaining_graph(g: &RoadGraph, metrics: usize) -> Arena {
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
