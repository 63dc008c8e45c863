//! Times from each of many sources (e.g. every suitable facility) to every node, for the
//! per-facility catchments of coverage: on the contraction hierarchy [`LANES`] sources per
//! sweep ([`MultiPhast`]); without one, a Dijkstra per source bounded by the budget.

use super::ch::{LANES, MultiPhast};
use super::search::Direction;
use super::{Engine, Seed, Times, Workspace};
use crate::graph::hierarchy::Hierarchy;

/// The times of one batch of sources.
pub enum SourceTimes<'a> {
    Lanes {
        h: &'a Hierarchy,
        multi: &'a MultiPhast,
    },
    One(&'a Workspace),
}

impl SourceTimes<'_> {
    /// How many sources the batch holds.
    pub fn len(&self) -> usize {
        match self {
            SourceTimes::Lanes { multi, .. } => multi.lanes(),
            SourceTimes::One(_) => 1,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every source's time at node `v` (`u32::MAX` where not reached; a Dijkstra's only
    /// within its budget, the sweep's at any time).
    #[inline]
    pub fn at(&self, v: u32) -> [u32; LANES] {
        match self {
            SourceTimes::Lanes { h, multi } => multi.at(h, v),
            SourceTimes::One(ws) => {
                let mut out = [u32::MAX; LANES];
                out[0] = ws.time_ms(v).unwrap_or(u32::MAX);
                out
            }
        }
    }

    /// One source's times, as any search's ([`Times`]).
    pub fn lane(&self, lane: usize) -> Lane<'_> {
        Lane { batch: self, lane }
    }
}

/// One source of a batch.
pub struct Lane<'a> {
    batch: &'a SourceTimes<'a>,
    lane: usize,
}

impl Times for Lane<'_> {
    #[inline]
    fn time_ms(&self, v: u32) -> Option<u32> {
        let t = self.batch.at(v)[self.lane];
        (t != u32::MAX).then_some(t)
    }

    #[inline]
    fn source_of(&self, v: u32) -> Option<u32> {
        self.time_ms(v).map(|_| self.lane as u32)
    }
}

impl Engine {
    /// Times from each source (its seeds) to every node (`From`) or from every node to it
    /// (`To`), at least up to `budget_ms`: `visit(first, batch)` is called for consecutive
    /// batches, `first` the index of the batch's first source. `ws` holds the state.
    pub fn each_source(
        &self,
        ws: &mut Workspace,
        sources: &[Vec<Seed>],
        budget_ms: u32,
        dir: Direction,
        visit: &mut dyn FnMut(usize, &SourceTimes<'_>),
    ) {
        match &self.graph.hierarchy {
            Some(h) => {
                for (b, batch) in sources.chunks(LANES).enumerate() {
                    let seeds: Vec<&[Seed]> = batch.iter().map(Vec::as_slice).collect();
                    ws.multi.run(h, &seeds, dir);
                    visit(
                        b * LANES,
                        &SourceTimes::Lanes {
                            h,
                            multi: &ws.multi,
                        },
                    );
                }
            }
            None => {
                for (i, seeds) in sources.iter().enumerate() {
                    ws.run(&self.graph, seeds, budget_ms, dir);
                    visit(i, &SourceTimes::One(ws));
                }
            }
        }
    }
}
