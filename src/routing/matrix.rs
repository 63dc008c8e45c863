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
