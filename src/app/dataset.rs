//! The loaded data and the questions it answers: [`Dataset`], the network (`network.rs`) with
//! municipalities, facilities and groupings matched to it, for coverage, one municipality,
//! regions and facilities. The CLI, the HTTP handlers and the tests all go through these
//! methods.

use std::collections::BTreeSet;

use serde::Serialize;

use super::config::Config;
use super::error::AppError;
use super::network::{Network, SourceInfo};
use crate::analysis::coverage::RoadOrigins;
use crate::analysis::coverage::{MunicipalityResult, RegionResult};
use crate::analysis::inputs::{Facility, Population, Status, read_population};
use crate::analysis::need::{Exclusion, PeriodChoice};
use crate::analysis::{CoverageResult, Municipality, NeedProfile, Prepared};
use crate::graph::Period;
use crate::progress::Progress;
use crate::routing::Engine;
use crate::spatial::Snap;
use crate::units::minutes_out;

/// One of a municipality's nearest suitable facilities.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NearestFacility {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub minutes: f64,
    pub within_limit: bool,
}

/// The answer for one municipality: its figures and its nearest suitable facilities.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MunicipalityAnswer {
    pub municipality: MunicipalityResult,
    pub nearest_facilities: Vec<NearestFacility>,
    pub need: NeedProfile,
    pub synthetic_roads: bool,
}

/// The regions of one grouping.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionsAnswer {
    pub grouping: String,
    pub need: NeedProfile,
    pub national: crate::analysis::coverage::Figures,
    pub regions: Vec<RegionResult>,
    pub synthetic_roads: bool,
}

/// A facility as listed: its record, and the municipality it lies in.
#[derive(Debug, Clone, Serialize)]
pub struct FacilityView<'a> {
    pub facility: &'a Facility,
    pub municipality: Option<&'a str>,
    /// Why it cannot be placed on the road network, if it cannot.
    pub unplaced: Option<String>,
}

/// A place a question starts from: a facility (by id) or a point.
#[derive(Debug, Clone, PartialEq)]
pub enum Place {
    Facility(String),
    Point(f64, f64),
}

impl Place {
    /// A facility id, or `LON,LAT`.
    pub fn parse(s: &str) -> Result<Self, String> {
        if s.contains(',') {
            let (lon, lat) = crate::geodesy::parse_lonlat(s)?;
            Ok(Place::Point(lon, lat))
        } else if s.trim().is_empty() {
            Err("is empty: give a facility id or LON,LAT".into())
        } else {
            Ok(Place::Facility(s.trim().to_string()))
        }
    }
}

/// The network with municipalities, facilities, groupings and origins matched to it.
pub struct Dataset {
    /// The road network, shared with the views of what-if scenarios ([`Dataset::with_facilities`]).
    pub network: std::sync::Arc<Network>,
    pub prepared: Prepared,
    /// Only a road graph was given: travel times, matrices and isochrones only.
    pub routing_only: bool,
    /// The baseline fingerprint, computed once (see [`Dataset::fingerprint`]).
    pub(super) fingerprint: std::sync::OnceLock<String>,
}

impl Dataset {
    /// Loads everything the configuration names. Municipalities and facilities are required.
    pub fn load(config: &Config, progress: &Progress) -> Result<Self, AppError> {
        let spinner = progress.spinner("loading road graph");
        if config.municipalities.is_none() && config.facilities.is_none() {
            let network = Network::load(config)?;
            spinner.finish_and_clear();
            let mut d = Self::new(network, Vec::new(), Vec::new(), None)?;
            d.routing_only = true;
            return Ok(d);
        }
        let (graph, options, mut sources) = Network::read(config)?;
        spinner.set_message("building the snap index; reading municipalities and facilities");
        // The snap index and the inputs (with the road-network origins, which need the graph
        // only) are built side by side: the server is ready sooner.
        let started = std::time::Instant::now();
        let (index, inputs) = rayon::join(
            || crate::spatial::SnapIndex::build(&graph, options),
            || -> Result<_, AppError> {
                let (municipalities, m_name) = super::load::municipalities(config)?;
                let (facilities, f_name) = super::load::facilities(config)?;
                let origins = config
                    .origins
                    .as_deref()
                    .map(|p| read_population(p, &config.origins_weight))
                    .transpose()?;
                let road = (!matches!(origins, Some(Population::Points(_))))
                    .then(|| RoadOrigins::compute(&graph, &municipalities));
                tracing::debug!(
                    "inputs and road-network origins read in {:.2} s",
                    started.elapsed().as_secs_f64()
                );
                Ok((municipalities, m_name, facilities, f_name, origins, road))
            },
        );
        let (municipalities, m_name, facilities, f_name, origins, road) = inputs?;
        spinner.finish_and_clear();
        sources.municipalities = Some(m_name);
        sources.facilities = Some(f_name);
        let network = Network::assemble(Engine::from_parts(graph, index), sources);
        let spinner = progress.spinner("matching inputs to the road graph");
        let matching = std::time::Instant::now();
        let mut d =
            Self::with_prepared(network, municipalities, facilities, origins.as_ref(), road);
        if let (Ok(d), Some(path)) = (&mut d, &config.origins) {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            d.prepared.population_model = format!(
                "file:{} ({})",
                name.unwrap_or_default(),
                config.origins_weight
            );
        }
        tracing::debug!(
            "inputs matched to the road graph in {:.2} s",
            matching.elapsed().as_secs_f64()
        );
        spinner.finish_and_clear();
        d
    }

    /// Matches inputs to the network. Inputs that do not lie on the graph at all are an
    /// error that says so; a facility that cannot be placed is reported with its reason.
    pub fn new(
        network: Network,
        municipalities: Vec<Municipality>,
        facilities: Vec<Facility>,
        origins: Option<&Population>,
    ) -> Result<Self, AppError> {
        Self::with_prepared(network, municipalities, facilities, origins, None)
    }

    fn with_prepared(
        network: Network,
        municipalities: Vec<Municipality>,
        facilities: Vec<Facility>,
        origins: Option<&Population>,
        road: Option<RoadOrigins>,
    ) -> Result<Self, AppError> {
        let prepared =
            Prepared::with_road_origins(&network.engine, municipalities, facilities, origins, road);
        let bbox = network.engine.graph.meta.bbox;
        let graph_box = format!(
            "the graph covers lon {:.3}..{:.3}, lat {:.3}..{:.3}",
            bbox[0], bbox[2], bbox[1], bbox[3]
        );
        let placed = prepared.facility_snaps.iter().filter(|s| s.is_ok()).count();
        if !prepared.facilities.is_empty() && placed == 0 {
            let why = prepared
                .facility_snaps
                .iter()
                .find_map(|s| s.as_ref().err().map(|e| e.to_string()))
                .unwrap_or_default();
            // Would the points fit with longitude and latitude swapped?
            let inside = |lon: f64, lat: f64| {
                (bbox[0]..=bbox[2]).contains(&lon) && (bbox[1]..=bbox[3]).contains(&lat)
            };
            let swapped = prepared
                .facilities
                .iter()
                .filter(|f| inside(f.lat, f.lon))
                .count();
            let hint = if swapped * 2 > prepared.facilities.len() {
                format!(
                    " {swapped} of them would lie inside the graph with longitude and latitude swapped: the file has them the wrong way round (lon is east-west, about 3 to 7 in the Netherlands)."
                )
            } else {
                " Are the facilities and the graph of the same area, and are coordinates LON,LAT?"
                    .into()
            };
            return Err(AppError::Mismatch(format!(
                "none of the {} facilities lies on the road graph ({graph_box}); e.g. {why}.{hint}",
                prepared.facilities.len()
            )));
        }
        let with_origins = prepared.origins.iter().filter(|o| !o.is_empty()).count();
        if !prepared.municipalities.is_empty() && with_origins == 0 {
            return Err(AppError::Mismatch(format!(
                "none of the {} municipalities overlaps the road graph ({graph_box}); are the municipalities and the graph of the same area?",
                prepared.municipalities.len()
            )));
        }
        // The first few by name, the rest as a count (a huge file must not flood the log).
        const SHOWN: usize = 5;
        let unplaced: Vec<_> = prepared
            .facilities
            .iter()
            .zip(&prepared.facility_snaps)
            .filter_map(|(f, s)| s.as_ref().err().map(|e| (f, e)))
            .collect();
        for (f, e) in unplaced.iter().take(SHOWN) {
            tracing::warn!(
                "facility {} cannot be placed on the road network: {e}",
                f.id
            );
        }
        if unplaced.len() > SHOWN {
            tracing::warn!(
                "{} more facilities cannot be placed on the road network (every output lists them)",
                unplaced.len() - SHOWN
            );
        }
        Ok(Dataset {
            network: std::sync::Arc::new(network),
            prepared,
            routing_only: false,
            fingerprint: std::sync::OnceLock::new(),
        })
    }

    pub fn synthetic_roads(&self) -> bool {
        self.network.synthetic_roads()
    }

    pub fn sources(&self) -> &SourceInfo {
        &self.network.sources
    }

    /// The facility types in the data.
    pub fn facility_types(&self) -> BTreeSet<&str> {
        self.prepared
            .facilities
            .iter()
            .map(|f| f.kind.as_str())
            .collect()
    }

    /// The groupings the municipalities carry (`jeugdregio`, `provincie`, custom ones).
    pub fn groupings(&self) -> BTreeSet<&str> {
        self.prepared
            .municipalities
            .iter()
            .flat_map(|m| m.regions.keys().map(String::as_str))
            .collect()
    }

    /// Checks a need profile against the data: every type must be one the data has.
    pub fn check_need(&self, need: &NeedProfile) -> Result<(), AppError> {
        self.check_loaded()?;
        need.validate()?;
        if need.period != PeriodChoice::Free {
            self.network.engine_for(Period::Peak)?;
        }
        need.types.iter().try_for_each(|t| self.check_type(t))
    }

    /// The engine of `period` for a need that passed [`Dataset::check_need`] (which refuses a
    /// period the graph lacks; the free-flow engine otherwise).
    pub(super) fn engine(&self, period: Period) -> &Engine {
        self.network
            .engine_for(period)
            .unwrap_or(&self.network.engine)
    }

    /// Municipalities and facilities are loaded (not a routing-only dataset).
    pub fn check_loaded(&self) -> Result<(), AppError> {
        if self.routing_only {
            Err(AppError::RoutingOnly)
        } else {
            Ok(())
        }
    }

    /// A facility type the data has or the policy names, or an error listing those.
    pub fn check_type(&self, kind: &str) -> Result<(), AppError> {
        let mut known = self.facility_types();
        known.extend(
            crate::analysis::kinds::KINDS
                .iter()
                .flat_map(|k| k.types.iter().copied()),
        );
        if known.contains(kind) {
            return Ok(());
        }
        Err(AppError::bad(
            "type",
            format!(
                "unknown facility type {kind:?}; known: {}",
                known.into_iter().collect::<Vec<_>>().join(", ")
            ),
        ))
    }

    /// Coverage for a need profile: every municipality and every region of every grouping.
    /// A profile that leaves no suitable facility is an error that says which filter removed
    /// how many.
    pub fn coverage(&self, need: &NeedProfile) -> Result<CoverageResult, AppError> {
        self.coverage_of(&self.prepared, need)
    }

    /// Coverage with another set of facilities matched to the same municipalities (a
    /// scenario's).
    pub(super) fn coverage_of(
        &self,
        prepared: &Prepared,
        need: &NeedProfile,
    ) -> Result<CoverageResult, AppError> {
        self.check_need(need)?;
        let r = match need.period {
            PeriodChoice::Both => {
                // Side by side: each answer leaves cores idle in its sequential parts.
                let token = crate::cancel::current();
                let (free, peak) = rayon::join(
                    || self.coverage_in(prepared, need, Period::Free),
                    || {
                        crate::cancel::run_with(token.as_ref(), || {
                            self.coverage_in(prepared, need, Period::Peak)
                        })
                    },
                );
                crate::analysis::coverage::margins::with_peak(free?, &peak?)
            }
            one => self.coverage_in(prepared, need, one.primary())?,
        };
        if r.suitable_facilities.is_empty() {
            let why: Vec<String> = r
                .excluded
                .iter()
                .map(|(e, n)| match e {
                    Exclusion::Type => other_types(&prepared.facilities, need),
                    _ => format!("{n} {}", e.describe()),
                })
                .collect();
            return Err(AppError::NothingSuitable(format!(
                "no suitable facility for need profile {:?} (types {}{}) among the {} facilities: {}",
                need.profile,
                need.types.join(", "),
                need.as_of
                    .as_deref()
                    .map(|d| format!(", open on {d}"))
                    .unwrap_or_default(),
                prepared.facilities.len(),
                why.join("; ")
            )));
        }
        if need
            .planning_grouping
            .as_deref()
            .is_some_and(|g| g != r.planning_grouping)
        {
            tracing::warn!(
                "the data has no {} grouping: the \"in the region\" tier is national (give --grouping-csv with a {} column, or --planning-grouping)",
                need.planning_grouping.as_deref().unwrap_or_default(),
                need.planning_grouping.as_deref().unwrap_or_default()
            );
        }
        Ok(r)
    }

    /// Coverage with the travel times of one period.
    fn coverage_in(
        &self,
        prepared: &Prepared,
        need: &NeedProfile,
        period: Period,
    ) -> Result<CoverageResult, AppError> {
        let engine = self.network.engine_for(period)?;
        Ok(self
            .network
            .with_workspace(|ws| prepared.coverage(engine, ws, need)))
    }

    /// The index of a municipality by its code (case-insensitive).
    pub fn municipality_index(&self, code: &str) -> Result<usize, AppError> {
        self.check_loaded()?;
        self.prepared
            .municipalities
            .iter()
            .position(|m| m.code.eq_ignore_ascii_case(code))
            .ok_or_else(|| AppError::NotFound {
                what: "municipality",
                id: code.to_string(),
                parameter: "code",
            })
    }

    /// One municipality of a coverage answer, with its nearest suitable facilities (up to
    /// ten, by travel time from its representative point, within four times the limit).
    pub fn municipality(
        &self,
        result: &CoverageResult,
        code: &str,
    ) -> Result<MunicipalityAnswer, AppError> {
        let m = self.municipality_index(code)?;
        let need = &result.need;
        let p = &self.prepared;
        let engine = self.network.engine_for(need.period.primary())?;
        let mut nearest = Vec::new();
        if let Ok(rep) = &p.representative_snaps[m] {
            // Home → facility (`to`) is a forward search from the home; `from` the reverse.
            let search_dir = need.direction.reverse();
            let budget = need.limit_ms().saturating_mul(4);
            let mut times: Vec<(u32, usize)> = self.network.with_workspace(|ws| {
                ws.run(
                    &engine.graph,
                    &engine.seeds(rep, 0, search_dir),
                    budget,
                    search_dir,
                );
                result
                    .suitable_facilities
                    .iter()
                    .filter_map(|id| p.facilities.iter().position(|f| &f.id == id))
                    .filter_map(|f| {
                        let fs = p.facility_snaps[f].as_ref().ok()?;
                        engine.time_at(ws, fs, search_dir).map(|t| (t.0, f))
                    })
                    .collect()
            });
            times.sort();
            for (t, f) in times.into_iter().take(10) {
                let fac = &p.facilities[f];
                nearest.push(NearestFacility {
                    id: fac.id.clone(),
                    name: fac.name.clone(),
                    kind: fac.kind.clone(),
                    minutes: minutes_out(t),
                    within_limit: t <= need.limit_ms(),
                });
            }
        }
        Ok(MunicipalityAnswer {
            municipality: result.municipalities[m].clone(),
            nearest_facilities: nearest,
            need: need.clone(),
            synthetic_roads: result.synthetic_roads,
        })
    }

    /// The regions of one grouping of a coverage answer.
    pub fn regions(
        &self,
        result: &CoverageResult,
        grouping: &str,
    ) -> Result<RegionsAnswer, AppError> {
        self.check_grouping(grouping)?;
        Ok(RegionsAnswer {
            grouping: grouping.to_string(),
            need: result.need.clone(),
            national: result.national.clone(),
            regions: result
                .regions
                .iter()
                .filter(|r| r.grouping == grouping)
                .cloned()
                .collect(),
            synthetic_roads: result.synthetic_roads,
        })
    }

    /// A grouping the data carries, or an error listing those it does.
    pub fn check_grouping(&self, grouping: &str) -> Result<(), AppError> {
        self.check_loaded()?;
        let known = self.groupings();
        if known.contains(grouping) {
            Ok(())
        } else {
            Err(AppError::bad(
                "grouping",
                format!(
                    "unknown grouping {grouping:?}; the data has {}",
                    known.into_iter().collect::<Vec<_>>().join(", ")
                ),
            ))
        }
    }

    /// The facilities, optionally of one type and status; an unknown type is an error.
    pub fn facilities(
        &self,
        kind: Option<&str>,
        status: Option<Status>,
    ) -> Result<Vec<FacilityView<'_>>, AppError> {
        self.check_loaded()?;
        if let Some(k) = kind {
            self.check_type(k)?;
        }
        Ok((0..self.prepared.facilities.len())
            .filter(|&i| {
                let f = &self.prepared.facilities[i];
                status.is_none_or(|s| f.status == s) && kind.is_none_or(|k| f.kind == k)
            })
            .map(|i| self.facility_view(i))
            .collect())
    }

    /// One facility by id.
    pub fn facility(&self, id: &str) -> Result<FacilityView<'_>, AppError> {
        self.check_loaded()?;
        let i = self
            .prepared
            .facilities
            .iter()
            .position(|f| f.id == id)
            .ok_or_else(|| AppError::NotFound {
                what: "facility",
                id: id.to_string(),
                parameter: "id",
            })?;
        Ok(self.facility_view(i))
    }

    fn facility_view(&self, i: usize) -> FacilityView<'_> {
        let p = &self.prepared;
        FacilityView {
            facility: &p.facilities[i],
            municipality: p.facility_municipality[i].map(|m| p.municipalities[m].code.as_str()),
            unplaced: p.facility_snaps[i].as_ref().err().map(|e| e.to_string()),
        }
    }

    /// Where a place lies on the road network: a facility's own snap, or a point snapped.
    pub fn snap_place(&self, place: &Place, parameter: &str) -> Result<Snap, AppError> {
        match place {
            Place::Point(lon, lat) => self.network.snap(*lon, *lat, parameter),
            Place::Facility(id) => {
                let i = self
                    .prepared
                    .facilities
                    .iter()
                    .position(|f| &f.id == id)
                    .ok_or_else(|| AppError::NotFound {
                        what: "facility",
                        id: id.clone(),
                        parameter: "at",
                    })?;
                self.prepared.facility_snaps[i].clone().map_err(|error| {
                    AppError::Routing(crate::routing::RoutingError::Snap {
                        which: parameter.to_string(),
                        error,
                    })
                })
            }
        }
    }
}

impl Dataset {
    /// The facilities as GeoJSON features with flat properties, and whether each counts for
    /// the question of `result`.
    pub fn facility_features(&self, result: &CoverageResult) -> Vec<serde_json::Value> {
        self.prepared
            .facilities
            .iter()
            .map(|f| {
                serde_json::json!({
                    "type": "Feature",
                    "id": f.id,
                    "properties": {
                        "id": f.id, "name": f.name, "type": f.kind,
                        "status": f.status, "places": f.places,
                        "counts": result.suitable_facilities.contains(&f.id),
                    },
                    "geometry": {"type": "Point", "coordinates": [f.lon, f.lat]},
                })
            })
            .collect()
    }
}

/// The facilities of types the need does not count, by type, with the flag that would count
/// them: "19 of type hospital (add --type hospital)".
fn other_types(facilities: &[Facility], need: &NeedProfile) -> String {
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for f in facilities {
        if !need.types.iter().any(|t| t.eq_ignore_ascii_case(&f.kind)) {
            *counts.entry(f.kind.as_str()).or_default() += 1;
        }
    }
    let listed: Vec<String> = counts
        .iter()
        .map(|(t, n)| format!("{n} of type {t}"))
        .collect();
    let flags: Vec<String> = counts.keys().map(|t| format!("--type {t}")).collect();
    format!("{} (to count them: {})", listed.join(", "), flags.join(" "))
}
