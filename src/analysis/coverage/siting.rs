//! The demand side of siting advice over the same origins as coverage: every origin of the
//! asked municipalities with its young people and its time to the nearest suitable unit now,
//! and the time from every origin to each candidate site (one bounded search per site).

use super::*;

/// The origins of some municipalities as the demand units of a location problem.
#[derive(Debug, Clone, Default)]
pub struct OriginDemand {
    /// The municipality of each unit (an index into [`Prepared::municipalities`]).
    pub municipality: Vec<usize>,
    /// The young people of each unit: its municipality's, spread by origin weight. A
    /// municipality without origins is one unit that nothing reaches.
    pub young_people: Vec<f64>,
    /// Each unit's time to the nearest suitable unit today (home → unit for `to`), `None`
    /// where none is reached.
    pub now_ms: Vec<Option<u32>>,
    /// The unit of the origin at each node (`NONE` if none), for reading a search's
    /// settled nodes.
    by_node: Vec<u32>,
    /// The units that are snapped points, with their snaps.
    points: Vec<(u32, Snap)>,
}

impl OriginDemand {
    const NONE: u32 = u32::MAX;

    pub fn len(&self) -> usize {
        self.municipality.len()
    }

    pub fn is_empty(&self) -> bool {
        self.municipality.is_empty()
    }
}

/// Every origin's time to the nearest suitable unit of a need today (home → unit for `to`),
/// `None` where none is reached: the search of [`Prepared::coverage`]'s step 2, kept so that
/// several advice questions on one baseline share it.
#[derive(Debug, Clone)]
pub struct OriginsNow {
    /// Per municipality, its origins' times in origin order.
    times: Vec<Vec<Option<u32>>>,
}

impl Prepared {
    /// Every origin's time to the nearest suitable unit of `need` today.
    pub fn origins_now(
        &self,
        engine: &Engine,
        ws: &mut Workspace,
        need: &NeedProfile,
    ) -> OriginsNow {
        let chosen = self.choose_facilities(engine, need);
        let times = engine.one_to_all(ws, &chosen.seeds, need.direction);
        OriginsNow {
            times: self
                .origins
                .iter()
                .map(|list| {
                    list.iter()
                        .map(|o| match o {
                            Origin::Node { node, .. } => times.time_ms(*node),
                            Origin::Point { snap, .. } => {
                                engine.time_at(&times, snap, need.direction).map(|t| t.0)
                            }
                        })
                        .collect()
                })
                .collect(),
        }
    }

    /// The origins of `municipalities` as demand units (`young_people[m]` young people in
    /// municipality `m`, spread over its origins by weight), with their times today.
    pub fn origin_demand(
        &self,
        engine: &Engine,
        now: &OriginsNow,
        municipalities: &[usize],
        young_people: &[f64],
    ) -> OriginDemand {
        let mut d = OriginDemand {
            by_node: vec![OriginDemand::NONE; engine.graph.node_count()],
            ..OriginDemand::default()
        };
        for &m in municipalities {
            let total = self.origin_weight[m];
            if self.origins[m].is_empty() || total <= 0.0 {
                d.push(m, young_people[m], None);
                continue;
            }
            for (o, &t) in self.origins[m].iter().zip(&now.times[m]) {
                let unit = d.len() as u32;
                match o {
                    Origin::Node { node, .. } => {
                        if let Some(slot) = d.by_node.get_mut(*node as usize) {
                            *slot = unit;
                        }
                    }
                    Origin::Point { snap, .. } => d.points.push((unit, *snap)),
                }
                d.push(m, young_people[m] * o.weight() / total, t);
            }
        }
        d
    }

    /// The time from every demand unit to each site (home → site for `to`), up to `cap_ms`:
    /// one search per site bounded at the cap, the sites in parallel, reading only the nodes
    /// each settles. `(unit, time)` per site, by unit.
    pub fn site_reaches(
        &self,
        engine: &Engine,
        demand: &OriginDemand,
        sites: &[Snap],
        cap_ms: u32,
        dir: Direction,
        on_each: &(dyn Fn() + Sync),
    ) -> Vec<Vec<(usize, u32)>> {
        let token = crate::cancel::current();
        sites
            .par_iter()
            .map(|site| {
                crate::cancel::run_with(token.as_ref(), || {
                    if crate::cancel::requested() {
                        return Vec::new();
                    }
                    let seeds = engine.seeds(site, 0, dir);
                    let reach = with_thread_workspace(|ws| {
                        ws.run(&engine.graph, &seeds, cap_ms, dir);
                        demand.reached(engine, ws, cap_ms, dir)
                    });
                    on_each();
                    reach
                })
            })
            .collect()
    }
}

impl OriginDemand {
    fn push(&mut self, m: usize, young_people: f64, now_ms: Option<u32>) {
        self.municipality.push(m);
        self.young_people.push(young_people);
        self.now_ms.push(now_ms);
    }

    /// The units a bounded search in `ws` reached within `cap_ms`, with their times, by unit.
    fn reached(
        &self,
        engine: &Engine,
        ws: &Workspace,
        cap_ms: u32,
        dir: Direction,
    ) -> Vec<(usize, u32)> {
        let mut out: Vec<(usize, u32)> = ws
            .settled()
            .iter()
            .filter_map(|&v| {
                let unit = *self.by_node.get(v as usize)?;
                (unit != Self::NONE).then_some((unit as usize, ws.time_ms(v)?))
            })
            .collect();
        out.extend(self.points.iter().filter_map(|(unit, snap)| {
            let (t, _) = engine.time_at(ws, snap, dir)?;
            (t <= cap_ms).then_some((*unit as usize, t))
        }));
        out.sort_unstable();
        out
    }
}

/// Runs `f` with this worker thread's search state, kept between questions (a graph's worth
/// of labels is too much to allocate per search).
pub(super) fn with_thread_workspace<R>(f: impl FnOnce(&mut Workspace) -> R) -> R {
    thread_local! {
        static WORKSPACE: std::cell::RefCell<Workspace> = Default::default();
    }
    WORKSPACE.with_borrow_mut(f)
}
