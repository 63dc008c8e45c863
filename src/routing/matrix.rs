//! Travel times and distances from one point to many with one search: the search stops when
//! no target can still improve (every target has a time no later than the search front) or at
//! the budget. A matrix is one such search per row, on the smaller side (`Direction::From`
//! from each origin, or `Direction::To` towards each destination), the rows in parallel.

use super::search::NO_PARENT;
use super::{Direction, Engine, Workspace, arc_tail};
use crate::graph::ARC_BACKWARD;
use crate::spatial::Snap;

/// A target reached: time (access legs included) and length along the roads plus the legs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reached {
    pub time_ms: u32,
    pub length_m: f64,
}

impl Engine {
    /// The seeds of a snapped point for direction `dir` ([`Engine::seeds`]) with the metres
    /// from the point to each (the part of its edge and its access leg).
    pub fn seeds_m(&self, snap: &Snap, dir: Direction) -> super::ch::TableSide {
        let g = &self.graph;
        let seeds = self.seeds(snap, 0, dir);
        let len = g.edge_length_m[snap.edge as usize] as f64;
        let metres = seeds
            .iter()
            .map(|s| {
                let share = if s.node == g.edge_to[snap.edge as usize]
                    && s.node != g.edge_from[snap.edge as usize]
                {
                    1.0 - snap.fraction
                } else {
                    snap.fraction
                };
                (share * len + snap.distance_m) as f32
            })
            .collect();
        (seeds, metres)
    }

    /// Times and lengths from every row point to every column point (`From`), or from every
    /// column point to every row point (`To`), `None` where there is no route within
    /// `budget_ms` or the point is missing. With a contraction hierarchy: upward searches that
    /// meet in buckets; without: [`Engine::one_to_many`] per row. Rows run in parallel.
    pub fn table(
        &self,
        rows: &[Option<Snap>],
        columns: &[Option<Snap>],
        budget_ms: u32,
        dir: Direction,
    ) -> Vec<Vec<Option<Reached>>> {
        self.table_with(rows, columns, budget_ms, dir, &|| {})
    }

    /// As [`Engine::table`], calling `row_done` as rows are finished (for a progress bar).
    pub fn table_with(
        &self,
        rows: &[Option<Snap>],
        columns: &[Option<Snap>],
        budget_ms: u32,
        dir: Direction,
        row_done: &(dyn Fn() + Sync),
    ) -> Vec<Vec<Option<Reached>>> {
        let g = &self.graph;
        let Some(h) = &g.hierarchy else {
            return self.table_by_searches(rows, columns, budget_ms, dir, row_done);
        };
        let side = |points: &[Option<Snap>], d: Direction| -> Vec<super::ch::TableSide> {
            points
                .iter()
                .map(|p| match p {
                    Some(p) => self.seeds_m(p, d),
                    None => (Vec::new(), Vec::new()),
                })
                .collect()
        };
        let times = super::ch::table(h, &side(rows, dir), &side(columns, dir.reverse()), dir);
        // The whole table takes a fraction of a second: its rows are done together.
        rows.iter().for_each(|_| row_done());
        rows.iter()
            .zip(times)
            .map(|(a, row)| {
                columns
                    .iter()
                    .zip(row)
                    .map(|(b, cell)| {
                        let (a, b) = (a.as_ref()?, b.as_ref()?);
                        // A point on the same edge may be reached along it.
                        let along = match dir {
                            Direction::From => a.same_edge_ms(b, g),
                            Direction::To => b.same_edge_ms(a, g),
                        }
                        .map(|t| Reached {
                            time_ms: t + a.access_ms + b.access_ms,
                            length_m: a.same_edge_m(b, g) + a.distance_m + b.distance_m,
                        });
                        let via = cell.map(|(t, m)| Reached {
                            time_ms: t,
                            length_m: m as f64,
                        });
                        let best = match (along, via) {
                            (Some(x), Some(y)) => Some(if y.time_ms < x.time_ms { y } else { x }),
                            (x, y) => x.or(y),
                        };
                        best.filter(|r| r.time_ms <= budget_ms)
                    })
                    .collect()
            })
            .collect()
    }

    /// [`Engine::table_with`] without a hierarchy: one bounded search per row, the rows in
    /// parallel on pooled workspaces.
    fn table_by_searches(
        &self,
        rows: &[Option<Snap>],
        columns: &[Option<Snap>],
        budget_ms: u32,
        dir: Direction,
        row_done: &(dyn Fn() + Sync),
    ) -> Vec<Vec<Option<Reached>>> {
        use rayon::prelude::*;
        let token = crate::cancel::current();
        let n = self.graph.node_count();
        rows.par_iter()
            .map_init(
                || Workspace::new(n),
                |ws, a| {
                    let row = match a {
                        Some(a) => crate::cancel::run_with(token.as_ref(), || {
                            if crate::cancel::requested() {
                                return vec![None; columns.len()];
                            }
                            // A cell over the budget (the search bounds the time at the
                            // nodes, the target's part edge and access leg come on top) has
                            // no route within it.
                            self.one_to_many(ws, a, columns, budget_ms, dir)
                                .into_iter()
                                .map(|r| r.filter(|r| r.time_ms <= budget_ms))
                                .collect()
                        }),
                        None => vec![None; columns.len()],
                    };
                    row_done();
                    row
                },
            )
            .collect()
    }

    /// From (`dir = From`) or to (`dir = To`) the snapped point `a`, the time and length to
    /// or from every target, `None` where none is reached within `budget_ms`. The same times
    /// as [`Engine::route`] for each pair.
    pub fn one_to_many(
        &self,
        ws: &mut Workspace,
        a: &Snap,
        targets: &[Option<Snap>],
        budget_ms: u32,
        dir: Direction,
    ) -> Vec<Option<Reached>> {
        let g = &self.graph;
        // For `From`, a is the origin and the targets are destinations; for `To`, the search
        // runs backwards from a (a destination) and the targets are origins.
        let along = |b: &Snap| match dir {
            Direction::From => a.same_edge_ms(b, g),
            Direction::To => b.same_edge_ms(a, g),
        };
        // Best so far per target: (time, Some(node) via the graph, None = along the edge).
        let mut best: Vec<Option<(u32, Option<u32>)>> = targets
            .iter()
            .map(|b| {
                let b = b.as_ref()?;
                along(b).map(|t| (t + a.access_ms + b.access_ms, None))
            })
            .collect();
        // Which targets end at which node, with the partial edge from the node to the target.
        let mut at_node: Vec<(u32, usize, u32)> = Vec::new();
        for (i, b) in targets.iter().enumerate() {
            let Some(b) = b else { continue };
            let ends = b.ends(g);
            let parts = match dir {
                Direction::From => [
                    (ends.from_node, ends.arrive_from_from_ms),
                    (ends.to_node, ends.arrive_from_to_ms),
                ],
                Direction::To => [
                    (ends.from_node, ends.leave_to_from_ms),
                    (ends.to_node, ends.leave_to_to_ms),
                ],
            };
            for (node, part) in parts {
                if let Some(p) = part {
                    at_node.push((node, i, p.saturating_add(b.access_ms)));
                }
            }
        }
        at_node.sort_unstable();
        let reachable = targets.iter().filter(|t| t.is_some()).count();
        let mut unknown = best.iter().filter(|b| b.is_none()).count() - (targets.len() - reachable);
        let mut latest = 0u32;
        let mut latest_fresh = false;
        let seeds = self.seeds(a, 0, dir);
        ws.run_with(g, &seeds, budget_ms, dir, |v, d| {
            // Stop once every reachable target has a time no later than the front.
            if unknown == 0 && reachable > 0 {
                if !latest_fresh {
                    latest = best.iter().flatten().map(|b| b.0).max().unwrap_or(0);
                    latest_fresh = true;
                }
                if d >= latest {
                    return false;
                }
            }
            let start = at_node.partition_point(|x| x.0 < v);
            for &(node, i, part) in &at_node[start..] {
                if node != v {
                    break;
                }
                let total = d.saturating_add(part);
                match best[i] {
                    None => {
                        best[i] = Some((total, Some(v)));
                        unknown -= 1;
                        latest_fresh = false;
                    }
                    Some((t, _)) if total < t => {
                        best[i] = Some((total, Some(v)));
                        latest_fresh = false;
                    }
                    _ => {}
                }
            }
            true
        });
        best.iter()
            .zip(targets)
            .map(|(b, t)| {
                let ((time_ms, via), t) = (b.as_ref()?, t.as_ref()?);
                let roads_m = match via {
                    None => a.same_edge_m(t, g),
                    Some(last) => self.traced_length_m(ws, a, t, *last, dir),
                };
                Some(Reached {
                    time_ms: *time_ms,
                    length_m: roads_m + a.distance_m + t.distance_m,
                })
            })
            .collect()
    }

    /// Metres along the roads from the search's seed edge (`a`'s) through the parents of
    /// `last` to the target's edge (`b`'s), after a search in direction `dir`.
    fn traced_length_m(
        &self,
        ws: &Workspace,
        a: &Snap,
        b: &Snap,
        last: u32,
        dir: Direction,
    ) -> f64 {
        let g = &self.graph;
        let csr = dir.csr(g);
        let mut length_m = 0.0;
        let mut v = last;
        loop {
            let arc = ws.parent_arc(v);
            if arc == NO_PARENT {
                break;
            }
            let e = csr.arc_edge[arc as usize] & !ARC_BACKWARD;
            length_m += g.edge_length_m[e as usize] as f64;
            v = arc_tail(csr, arc);
        }
        // `v` is the seed node on a's edge, `last` the node on b's edge.
        let share = |s: &Snap, node: u32| {
            let end_t = if node == g.edge_to[s.edge as usize] {
                1.0
            } else {
                0.0
            };
            (end_t - s.fraction).abs() * g.edge_length_m[s.edge as usize] as f64
        };
        length_m + share(a, v) + share(b, last)
    }
}
