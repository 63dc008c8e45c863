//! A contraction hierarchy over the road graph: the data (built by [`super::contract`]; the
//! queries are in `routing::ch`).
//!
//! Nodes are numbered by **position**: positions sort the nodes by the round in which they
//! were contracted (lowest first), then by node id, which keeps the Hilbert order within a
//! round. Each position lists its *upward* arcs, to positions contracted later, with the
//! time in both directions ([`NO_TIME`] where a direction is closed): an original road, or a
//! shortcut that stands for a shortest path through positions below both ends.
//!
//! Every shortest path is an upward part followed by a downward part, so one upward search
//! from the sources and one sweep over the positions from the top down give the times to
//! every node (PHAST).

use super::NO_TIME;

/// One upward arc of a position: to `head` (a higher position), `up_ms` from the tail to the
/// head, `down_ms` from the head to the tail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C)]
pub struct ChArc {
    pub head: u32,
    pub up_ms: u32,
    pub down_ms: u32,
}

/// The hierarchy: positions, and upward arcs per position in CSR form.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Hierarchy {
    /// The node at each position.
    pub node_at: Vec<u32>,
    /// The position of each node (the inverse of `node_at`).
    pub position: Vec<u32>,
    /// The arcs of position `p` are `arcs[first[p]..first[p + 1]]`.
    pub first: Vec<u32>,
    pub arcs: Vec<ChArc>,
    /// Metres along each arc's fastest path, `[up, down]` (kept apart from `arcs` so that the
    /// sweep, which needs only times, reads less memory).
    pub arc_m: Vec<[f32; 2]>,
    /// Derived from the arcs (not stored in the file): ascending boundaries `0 = b0 < b1 <
    /// … = len` of runs of positions whose arcs all lead past the run's end, so that the
    /// downward sweep can take the positions of one run in any order, on several threads
    /// ([`Hierarchy::fill_sweep_blocks`]). A contraction round is such a run.
    pub sweep_blocks: Vec<u32>,
    /// The peak period's `[up, down]` times of each arc (empty without peak times): the same
    /// order and arcs serve both periods (see `graph::contract`).
    pub peak_arcs: Vec<[u32; 2]>,
    /// Metres along each arc's fastest path at peak, `[up, down]`.
    pub peak_arc_m: Vec<[f32; 2]>,
}

impl Hierarchy {
    /// Whether the hierarchy holds the peak period's arc times.
    pub fn has_peak(&self) -> bool {
        self.peak_arcs.len() == self.arcs.len() && self.peak_arc_m.len() == self.arcs.len()
    }

    /// The same hierarchy with the peak period's times and lengths as its own (and none
    /// beside them).
    pub fn peak(&self) -> Hierarchy {
        Hierarchy {
            node_at: self.node_at.clone(),
            position: self.position.clone(),
            first: self.first.clone(),
            arcs: self
                .arcs
                .iter()
                .zip(&self.peak_arcs)
                .map(|(a, p)| ChArc {
                    head: a.head,
                    up_ms: p[0],
                    down_ms: p[1],
                })
                .collect(),
            arc_m: self.peak_arc_m.clone(),
            sweep_blocks: self.sweep_blocks.clone(),
            peak_arcs: Vec::new(),
            peak_arc_m: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.node_at.len()
    }

    pub fn is_empty(&self) -> bool {
        self.node_at.is_empty()
    }

    #[inline]
    pub fn arcs_of(&self, p: u32) -> &[ChArc] {
        &self.arcs[self.first[p as usize] as usize..self.first[p as usize + 1] as usize]
    }

    /// Rebuilds `position` from `node_at`.
    pub fn fill_positions(&mut self) {
        self.position = vec![0; self.node_at.len()];
        for (p, &v) in self.node_at.iter().enumerate() {
            if let Some(slot) = self.position.get_mut(v as usize) {
                *slot = p as u32;
            }
        }
    }

    /// Computes [`Hierarchy::sweep_blocks`] from the arcs (which must lead upward, see
    /// [`Hierarchy::check`]): from the top down, a run grows until a position has an arc into
    /// it.
    pub fn fill_sweep_blocks(&mut self) {
        let n = self.len();
        let mut bounds = vec![n as u32];
        let mut end = n;
        for p in (0..n).rev() {
            let lowest = self.arcs_of(p as u32).iter().map(|a| a.head).min();
            if lowest.is_some_and(|h| (h as usize) < end) {
                // `p` reads a position of the current run: the run starts above it.
                bounds.push(p as u32 + 1);
                end = p + 1;
            }
        }
        if n > 0 {
            bounds.push(0);
        }
        bounds.reverse();
        self.sweep_blocks = bounds;
    }

    /// Checks what every query relies on: a permutation of `nodes` nodes, offsets in order and
    /// in bounds, every arc upward, every time below [`NO_TIME`] or closed, and at least one
    /// direction open per arc.
    pub fn check(&self, nodes: usize) -> Result<(), String> {
        let n = self.node_at.len();
        if n != nodes {
            return Err(format!(
                "the hierarchy has {n} positions for a graph of {nodes} nodes"
            ));
        }
        let mut seen = vec![false; n];
        for (p, &v) in self.node_at.iter().enumerate() {
            let Some(s) = seen.get_mut(v as usize) else {
                return Err(format!("position {p} names node {v}, beyond the graph"));
            };
            if *s {
                return Err(format!("node {v} has two positions"));
            }
            *s = true;
        }
        if self.position.len() != n
            || self
                .node_at
                .iter()
                .enumerate()
                .any(|(p, &v)| self.position[v as usize] != p as u32)
        {
            return Err("the hierarchy's positions are not the inverse of its order".into());
        }
        if self.first.len() != n + 1 || self.first.first() != Some(&0) {
            return Err("the hierarchy's arc offsets do not match its positions".into());
        }
        if self.first.windows(2).any(|w| w[0] > w[1])
            || self.first.last().copied() != Some(self.arcs.len() as u32)
        {
            return Err("the hierarchy's arc offsets are out of order or out of bounds".into());
        }
        if self.arc_m.len() != self.arcs.len() {
            return Err("the hierarchy has lengths for a different number of arcs".into());
        }
        if !self.peak_arcs.is_empty() && !self.has_peak() {
            return Err("the hierarchy has peak times for a different number of arcs".into());
        }
        if self.arcs.iter().zip(&self.peak_arcs).any(|(a, p)| {
            (a.up_ms == NO_TIME) != (p[0] == NO_TIME) || (a.down_ms == NO_TIME) != (p[1] == NO_TIME)
        }) {
            return Err(
                "a hierarchy arc is open at peak where it is closed in free flow, or the reverse"
                    .into(),
            );
        }
        if self
            .arc_m
            .iter()
            .chain(&self.peak_arc_m)
            .flatten()
            .any(|m| !m.is_finite() || *m < 0.0)
        {
            return Err(
                "a hierarchy arc has a length that is not a finite, non-negative number".into(),
            );
        }
        for p in 0..n {
            for a in self.arcs_of(p as u32) {
                if a.head as usize >= n || a.head <= p as u32 {
                    return Err(format!(
                        "hierarchy arc from position {p} to {} does not lead upward",
                        a.head
                    ));
                }
                if a.up_ms == NO_TIME && a.down_ms == NO_TIME {
                    return Err(format!(
                        "hierarchy arc from position {p} to {} is closed both ways",
                        a.head
                    ));
                }
            }
        }
        Ok(())
    }
}
