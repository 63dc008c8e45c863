//! The road graph as the application core holds it: [`Network`] (graph, snap index, a pool
//! of search workspaces) with the questions that need only roads: travel time, matrix,
//! snapping, isochrone; and [`SourceInfo`], what answers say about their data.

use std::path::Path;
use std::sync::Mutex;

use serde::Serialize;

use super::config::{Config, GraphSource};
use super::error::AppError;
use crate::graph::{Period, RoadGraph};
use crate::progress::Progress;
use crate::routing::{Direction, Engine, Isochrone, Reached, Route, Workspace};
use crate::spatial::{Snap, SnapOptions};
use crate::units::minutes_to_ms;
/// What a served or computed answer says about its data: file names only, never paths.
#[derive(Debug, Clone, Serialize)]
pub struct SourceInfo {
    pub demo: bool,
    pub graph: String,
    pub municipalities: Option<String>,
    pub facilities: Option<String>,
    /// Modification time of the graph file (its build date), RFC 3339, if known.
    pub graph_built: Option<String>,
}

pub(super) fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

/// Workspaces kept for reuse; more are made under load and freed afterwards.
pub const MAX_POOLED_WORKSPACES: usize = 4;

/// The road graph with its snap index and a pool of search workspaces; and the same roads
/// with the peak period's times, when the graph holds them.
pub struct Network {
    /// Free-flow times (the default period).
    pub engine: Engine,
    /// Peak times over the same roads and snap index, made on first use (or by
    /// [`Network::prepare_periods`]): it copies the graph, which a free-flow question need
    /// not wait for.
    peak: std::sync::OnceLock<Option<Engine>>,
    pub sources: SourceInfo,
    workspaces: Mutex<Vec<Workspace>>,
}

impl Network {
    /// Loads (or, for the demo, builds in memory) the configured graph.
    pub fn load(config: &Config) -> Result<Self, AppError> {
        let (g, options, sources) = Self::read(config)?;
        Ok(Self::assemble(Engine::with_options(g, options), sources))
    }

    /// The configured graph, the snap options for it and what to say of its source.
    pub(super) fn read(config: &Config) -> Result<(RoadGraph, SnapOptions, SourceInfo), AppError> {
        let (path, g) = match &config.graph {
            GraphSource::File(p) => (p, crate::graph::file::read_graph(p)?),
            GraphSource::Pbf(p) => {
                if !p.exists() {
                    return Err(AppError::Usage(format!(
                        "{} not found (the demo could not be written to a cache folder: set XDG_CACHE_HOME to a writable folder, or write it with `nabij demo --out {}`)",
                        p.display(),
                        super::config::DEMO_DIR
                    )));
                }
                // Built at every start, so without a contraction hierarchy (that belongs to
                // `nabij build`; on the demo's 47,000 nodes it would add a second).
                let g = crate::pipeline::build_in_memory(
                    p,
                    &crate::ingest::CarProfile::default(),
                    &Progress::hidden(),
                )?;
                (p, g)
            }
        };
        let built = std::fs::metadata(path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| super::clock::rfc3339_utc(d.as_secs()));
        let mut options = SnapOptions::for_graph(&g);
        options.max_distance_m = config.max_snap_m;
        let sources = SourceInfo {
            demo: config.demo,
            graph: file_name(path),
            municipalities: None,
            facilities: None,
            graph_built: built,
        };
        Ok((g, options, sources))
    }

    pub(super) fn assemble(engine: Engine, sources: SourceInfo) -> Self {
        Network {
            peak: std::sync::OnceLock::new(),
            engine,
            sources,
            workspaces: Mutex::new(Vec::new()),
        }
    }

    /// A network over a graph already in memory (tests, benchmarks).
    pub fn from_graph(graph: RoadGraph, name: &str) -> Self {
        Self::assemble(
            Engine::new(graph),
            SourceInfo {
                demo: false,
                graph: name.to_string(),
                municipalities: None,
                facilities: None,
                graph_built: None,
            },
        )
    }

    /// The engine whose times are those of `period`; an error naming the fix if the graph
    /// holds no such times (a graph built before periods).
    pub fn engine_for(&self, period: Period) -> Result<&Engine, AppError> {
        match period {
            Period::Free => return Ok(&self.engine),
            Period::Peak => {}
        }
        match self.peak.get_or_init(|| self.engine.peak()) {
            Some(e) => Ok(e),
            None => Err(AppError::bad(
                "period",
                format!(
                    "the graph {} holds free-flow times only (it was built before nabij knew periods): rebuild it with `nabij build` to answer for the peak",
                    self.sources.graph
                ),
            )),
        }
    }

    /// The periods this network answers for.
    pub fn periods(&self) -> Vec<Period> {
        Period::ALL
            .into_iter()
            .filter(|&p| self.engine.graph.has_period(p))
            .collect()
    }

    /// Makes the other periods' engines now, on a thread of their own, so that the first
    /// question for the peak does not wait for them (the server calls it once it is up).
    pub fn prepare_periods(self: &std::sync::Arc<Self>) {
        let net = self.clone();
        std::thread::spawn(move || {
            let _ = net.engine_for(Period::Peak);
        });
    }

    pub fn graph(&self) -> &RoadGraph {
        &self.engine.graph
    }

    pub fn synthetic_roads(&self) -> bool {
        self.engine.graph.meta.synthetic_roads
    }

    /// Runs `f` with a workspace from the pool (created on first use, returned afterwards).
    pub fn with_workspace<T>(&self, f: impl FnOnce(&mut Workspace) -> T) -> T {
        let mut ws = self
            .workspaces
            .lock()
            .ok()
            .and_then(|mut p| p.pop())
            .unwrap_or_else(|| Workspace::new(self.engine.graph.node_count()));
        let out = f(&mut ws);
        // Keep at most a few: after a burst the rest is freed (each holds 8 bytes per node).
        if let Ok(mut p) = self.workspaces.lock()
            && p.len() < MAX_POOLED_WORKSPACES
        {
            p.push(ws);
        }
        out
    }

    /// The fastest route by car between two points in `period`.
    pub fn travel_time(
        &self,
        from: (f64, f64),
        to: (f64, f64),
        period: Period,
    ) -> Result<Route, AppError> {
        let engine = self.engine_for(period)?;
        Ok(self.with_workspace(|ws| engine.route(ws, from, to))?)
    }

    /// Travel times and distances between every origin and every destination
    /// ([`crate::routing::Engine::table`]: with the graph's contraction hierarchy, upward
    /// searches that meet in buckets; without, one search per origin, or per destination when
    /// those are fewer, stopping when every target is settled or at `max_minutes`). Each cell is the time and
    /// length, or the reason there is none.
    pub fn matrix(
        &self,
        origins: &[(f64, f64)],
        destinations: &[(f64, f64)],
        max_minutes: Option<f64>,
        period: Period,
    ) -> Result<Vec<Vec<Result<Reached, String>>>, AppError> {
        let budget = match max_minutes {
            Some(m) => {
                crate::units::check_minutes(m).map_err(|e| AppError::bad("max_minutes", e))?;
                minutes_to_ms(m)
            }
            None => u32::MAX,
        };
        let e = self.engine_for(period)?;
        let o_snaps = e.index.snap_many(origins);
        let d_snaps = e.index.snap_many(destinations);
        let forward = origins.len() <= destinations.len();
        let (rows, cols, dir) = if forward {
            (&o_snaps, &d_snaps, Direction::From)
        } else {
            (&d_snaps, &o_snaps, Direction::To)
        };
        let points = |v: &[Result<Snap, _>]| -> Vec<Option<Snap>> {
            v.iter().map(|s| s.as_ref().ok().copied()).collect()
        };
        let searched = e.table(&points(rows), &points(cols), budget, dir);
        let no_route = match max_minutes {
            Some(m) => format!("no route by car within {m} minutes"),
            None => "no route by car (one of the points is cut off, e.g. by oneway streets)".into(),
        };
        let cell = |o: usize, d: usize| -> Result<Reached, String> {
            if let Err(err) = &o_snaps[o] {
                return Err(format!("from: {err}"));
            }
            if let Err(err) = &d_snaps[d] {
                return Err(format!("to: {err}"));
            }
            let r = if forward {
                searched[o][d]
            } else {
                searched[d][o]
            };
            r.ok_or_else(|| no_route.clone())
        };
        Ok((0..origins.len())
            .map(|o| (0..destinations.len()).map(|d| cell(o, d)).collect())
            .collect())
    }

    /// Snaps a point; the error names the parameter it came from.
    pub fn snap(&self, lon: f64, lat: f64, parameter: &str) -> Result<Snap, AppError> {
        self.engine.snap(lon, lat).map_err(|error| {
            AppError::Routing(crate::routing::RoutingError::Snap {
                which: parameter.to_string(),
                error,
            })
        })
    }

    /// Where a place lies on the road network: a point snapped, or a facility of
    /// `facilities` (by id) snapped at its coordinates.
    pub fn snap_place(
        &self,
        place: &super::Place,
        facilities: Option<&[crate::analysis::Facility]>,
        parameter: &str,
    ) -> Result<Snap, AppError> {
        match place {
            super::Place::Point(lon, lat) => self.snap(*lon, *lat, parameter),
            super::Place::Facility(id) => {
                let Some(facilities) = facilities else {
                    return Err(AppError::Usage(format!(
                        "{parameter} {id}: facility ids need --facilities (or --demo)"
                    )));
                };
                let f =
                    facilities
                        .iter()
                        .find(|f| &f.id == id)
                        .ok_or_else(|| AppError::NotFound {
                            what: "facility",
                            id: id.clone(),
                            parameter: "at",
                        })?;
                self.snap(f.lon, f.lat, parameter)
            }
        }
    }

    /// The area within `minutes` of the snapped points (`direction` `to`: from which they are
    /// reached; `from`: reached from them). The minutes are checked by the caller's need or
    /// by [`crate::units::check_minutes`].
    pub fn isochrone(
        &self,
        at: &[Snap],
        minutes: f64,
        direction: Direction,
        cell_m: f64,
        period: Period,
    ) -> Result<Isochrone, AppError> {
        crate::units::check_minutes(minutes).map_err(|m| AppError::bad("minutes", m))?;
        if !(cell_m.is_finite() && (10.0..=5000.0).contains(&cell_m)) {
            return Err(AppError::bad(
                "cell_m",
                format!("{cell_m} must be between 10 and 5000"),
            ));
        }
        let engine = self.engine_for(period)?;
        Ok(self.with_workspace(|ws| {
            engine.isochrone(ws, at, minutes_to_ms(minutes), direction, cell_m)
        }))
    }
}
