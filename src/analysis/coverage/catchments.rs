//! The per-facility catchments over the origins (the supply side of 2SFCA, E2SFCA and the
//! assignment): one bounded search per facility site.

use super::siting;
use super::*;

impl Prepared {
    /// Each placed facility's catchment over the origins: for every municipality, the share
    /// of its origins' weight within each third of the limit (the E2SFCA zones) and their
    /// mean time. One search per facility bounded at the limit (backward for `to`), the
    /// facilities in parallel; only the nodes it settles are read, so a facility costs its
    /// catchment, not the country.
    pub(super) fn catchments(
        &self,
        engine: &Engine,
        placed: &[usize],
        limit: u32,
        dir: Direction,
    ) -> Vec<Reach> {
        // Facilities at the same place (several units on one site) share one search.
        let mut sites: BTreeMap<Vec<(u32, u32)>, Site> = BTreeMap::new();
        for &f in placed {
            if let Ok(snap) = &self.facility_snaps[f] {
                let seeds = engine.seeds(snap, 0, dir);
                let key = seeds.iter().map(|s| (s.node, s.offset_ms)).collect();
                sites
                    .entry(key)
                    .or_insert_with(|| (seeds, Vec::new()))
                    .1
                    .push(f);
            }
        }
        let sites: Vec<Site> = sites.into_values().collect();
        let token = crate::cancel::current();
        let mut reach: Vec<Reach> = sites
            .par_iter()
            .flat_map_iter(|(seeds, facilities)| {
                crate::cancel::run_with(token.as_ref(), || {
                    if crate::cancel::requested() {
                        return Vec::new();
                    }
                    siting::with_thread_workspace(|ws| {
                        ws.run(&engine.graph, seeds, limit, dir);
                        self.catchment_of(engine, ws, facilities, limit, dir)
                    })
                })
            })
            .collect();
        reach.sort_by_key(|r| (r.facility, r.municipality));
        reach
    }

    /// The catchment of the `facilities` at one site after its bounded search in `ws`.
    fn catchment_of(
        &self,
        engine: &Engine,
        ws: &Workspace,
        facilities: &[usize],
        limit: u32,
        dir: Direction,
    ) -> Vec<Reach> {
        let nm = self.municipalities.len();
        let mut zone_w = vec![[0.0f64; 3]; nm];
        let mut time_w = vec![0.0f64; nm];
        let mut add = |m: usize, t: u32, w: f64| {
            if t <= limit {
                zone_w[m][demand::zone(t, limit)] += w;
                time_w[m] += w * f64::from(t);
            }
        };
        for &v in ws.settled() {
            if let (Some((m, w)), Some(t)) = (self.origins_by_node.at(v), ws.time_ms(v)) {
                add(m, t, w);
            }
        }
        for &m in self.point_origins.iter() {
            for o in &self.origins[m] {
                if let Origin::Point { snap, weight } = o
                    && let Some((t, _)) = engine.time_at(ws, snap, dir)
                {
                    add(m, t, *weight);
                }
            }
        }
        (0..nm)
            .filter(|&m| self.origin_weight[m] > 0.0 && zone_w[m].iter().sum::<f64>() > 0.0)
            .flat_map(|m| {
                let within: f64 = zone_w[m].iter().sum();
                let zone_share = zone_w[m].map(|w| w / self.origin_weight[m]);
                let mean_ms = (time_w[m] / within).round() as u32;
                facilities.iter().map(move |&facility| Reach {
                    facility,
                    municipality: m,
                    zone_share,
                    mean_ms,
                })
            })
            .collect()
    }
}
