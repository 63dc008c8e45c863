//! What-if scenarios on the loaded data: the changes applied to the baseline facilities,
//! coverage with them, and the difference against the baseline.

use serde::Serialize;

use super::dataset::Dataset;
use super::error::AppError;
use crate::analysis::scenario::{Resolver, Scenario, ScenarioDiff, diff};
use crate::analysis::{CoverageResult, Facility, NeedProfile};

/// A scenario's answer: its coverage (every municipality, every region) and the difference
/// against the baseline.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioAnswer {
    pub scenario: Scenario,
    pub need: NeedProfile,
    /// The baseline the scenario was computed against (see [`Dataset::fingerprint`]).
    pub baseline: String,
    pub diff: ScenarioDiff,
    #[serde(skip)]
    pub coverage: CoverageResult,
    /// The scenario's facilities (the baseline with the changes applied).
    #[serde(skip)]
    pub facilities: Vec<Facility>,
    pub synthetic_roads: bool,
}

struct DataResolver<'a>(&'a Dataset);

impl Resolver for DataResolver<'_> {
    fn municipality_point(&self, code: &str) -> Option<(f64, f64)> {
        let m = self.0.municipality_index(code).ok()?;
        let p = self.0.prepared.representative[m];
        p.0.is_finite().then_some(p)
    }

    fn check_type(&self, kind: &str) -> Result<(), String> {
        self.0.check_type(kind).map_err(|e| match e {
            AppError::BadParameter { message, .. } => message,
            other => other.to_string(),
        })
    }
}

impl Dataset {
    /// A short, stable hash of what a coverage answer depends on besides the need: the
    /// graph, the municipalities (codes, young people, regions) and the facilities. A saved
    /// scenario records it; when it differs at read time, the baseline has changed.
    pub fn fingerprint(&self) -> String {
        // The inputs do not change once loaded: hashed once.
        self.fingerprint
            .get_or_init(|| self.compute_fingerprint())
            .clone()
    }

    fn compute_fingerprint(&self) -> String {
        use xxhash_rust::xxh3::Xxh3;
        let mut h = Xxh3::new();
        let g = &self.network.engine.graph;
        h.update(&(g.node_count() as u64).to_le_bytes());
        h.update(&(g.edge_count() as u64).to_le_bytes());
        for x in g.meta.bbox {
            h.update(&x.to_le_bytes());
        }
        h.update(
            self.network
                .sources
                .graph_built
                .as_deref()
                .unwrap_or("")
                .as_bytes(),
        );
        for m in self.prepared.municipalities.iter() {
            h.update(m.code.as_bytes());
            h.update(&m.population.to_le_bytes());
            for (k, v) in &m.regions {
                h.update(k.as_bytes());
                h.update(v.0.as_bytes());
            }
        }
        h.update(
            serde_json::to_string(&self.prepared.facilities)
                .unwrap_or_default()
                .as_bytes(),
        );
        format!("{:016x}", h.digest())
    }

    /// The baseline facilities with a scenario's changes applied; every error names the
    /// change at fault.
    pub fn scenario_facilities(&self, s: &Scenario) -> Result<Vec<Facility>, AppError> {
        self.check_loaded()?;
        Ok(s.apply(&self.prepared.facilities, &DataResolver(self))?)
    }

    /// A scenario's coverage and its difference against the baseline. `baseline` may be the
    /// baseline answer for the same need, when the caller has it already.
    pub fn scenario(
        &self,
        s: &Scenario,
        need: &NeedProfile,
        baseline: Option<&CoverageResult>,
    ) -> Result<ScenarioAnswer, AppError> {
        let facilities = self.scenario_facilities(s)?;
        let computed;
        let base = match baseline {
            Some(b) => b,
            None => {
                computed = self.coverage(need)?;
                &computed
            }
        };
        // Changing supply never changes demand: the scenario holds the baseline's rate.
        let prepared = self
            .prepared
            .with_facilities(&self.network.engine, facilities.clone())
            .holding_rate(base);
        // An added or moved unit that cannot be placed on the roads is an error of the
        // scenario, not a silent "unplaced".
        for (i, c) in s.changes.iter().enumerate() {
            use crate::analysis::scenario::Change;
            if let Change::Add { id, .. } | Change::Move { id, .. } = c
                && let Some(k) = prepared.facilities.iter().position(|f| &f.id == id)
                && let Err(e) = &prepared.facility_snaps[k]
            {
                return Err(crate::analysis::scenario::ScenarioError::Change {
                    index: i,
                    op: c.op(),
                    id: id.clone(),
                    message: format!("cannot be placed on the road network: {e}"),
                }
                .into());
            }
        }
        let coverage = self.coverage_of(&prepared, need)?;
        Ok(ScenarioAnswer {
            scenario: s.clone(),
            need: need.clone(),
            baseline: self.fingerprint(),
            diff: diff(base, &coverage),
            synthetic_roads: coverage.synthetic_roads,
            coverage,
            facilities,
        })
    }
}

/// Two saved scenarios compared: the difference of `scenario` against `against` (what changes
/// when one goes from `against` to `scenario`).
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub id: String,
    pub against: String,
    pub scenario: Scenario,
    pub against_scenario: Scenario,
    pub need: NeedProfile,
    pub diff: ScenarioDiff,
    pub synthetic_roads: bool,
}

impl Dataset {
    /// Two saved scenarios compared with each other (not with today). They must answer the
    /// same question (the same need), else the comparison would mix two questions.
    pub fn compare_scenarios(
        &self,
        a: &crate::store::Saved,
        b: &crate::store::Saved,
    ) -> Result<Comparison, AppError> {
        if a.need != b.need {
            return Err(AppError::bad(
                "against",
                format!(
                    "scenario {} was saved for another question (need) than {}: compare scenarios of the same question",
                    b.id, a.id
                ),
            ));
        }
        let today = self.coverage(&a.need)?;
        let with_a = self.scenario(&a.scenario, &a.need, Some(&today))?;
        let with_b = self.scenario(&b.scenario, &b.need, Some(&today))?;
        Ok(Comparison {
            id: a.id.clone(),
            against: b.id.clone(),
            scenario: a.scenario.clone(),
            against_scenario: b.scenario.clone(),
            need: a.need.clone(),
            diff: diff(&with_b.coverage, &with_a.coverage),
            synthetic_roads: with_a.synthetic_roads,
        })
    }
}

/// A saved scenario answered against the data loaded now.
#[derive(Debug, Clone, Serialize)]
pub struct SavedAnswer {
    pub id: String,
    pub created_at: String,
    /// The baseline it was saved against, and whether that differs from the loaded one (its
    /// results are then recomputed against the loaded baseline, as this answer is).
    pub baseline_saved: String,
    pub baseline_changed: bool,
    #[serde(flatten)]
    pub answer: ScenarioAnswer,
}

/// The largest scenario file or body read (a scenario of the maximum number of changes is
/// far smaller).
pub const MAX_SCENARIO_BYTES: usize = 1 << 20;

/// Reads a scenario from JSON text; errors say where.
pub fn parse_scenario(text: &str) -> Result<Scenario, AppError> {
    if text.len() > MAX_SCENARIO_BYTES {
        return Err(AppError::bad(
            "changes",
            format!(
                "the scenario is {} bytes; at most {MAX_SCENARIO_BYTES}",
                text.len()
            ),
        ));
    }
    let s: Scenario = serde_json::from_str(text).map_err(|e| {
        AppError::bad(
            "changes",
            format!(
                "not a scenario (line {}, column {}): {e}",
                e.line(),
                e.column()
            ),
        )
    })?;
    s.validate()?;
    Ok(s)
}

fn unix_now_s() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl Dataset {
    /// Computes a scenario (so that only scenarios that can be answered are saved), then
    /// saves it whole.
    pub fn save_scenario(
        &self,
        store: &crate::store::Store,
        s: &Scenario,
        need: &NeedProfile,
        baseline: Option<&CoverageResult>,
    ) -> Result<SavedAnswer, AppError> {
        let answer = self.scenario(s, need, baseline)?;
        let created_at = super::clock::rfc3339_utc(unix_now_s());
        let id = store.save(s, need, &answer.baseline, &created_at)?;
        Ok(SavedAnswer {
            id,
            created_at,
            baseline_saved: answer.baseline.clone(),
            baseline_changed: false,
            answer,
        })
    }

    /// [`Dataset::save_scenario`] with an idempotency key: a key that named a scenario within
    /// the last day gets that scenario's answer (and `true`), and nothing new is saved.
    pub fn save_scenario_once(
        &self,
        store: &crate::store::Store,
        s: &Scenario,
        need: &NeedProfile,
        baseline: Option<&CoverageResult>,
        key: Option<&str>,
    ) -> Result<(SavedAnswer, bool), AppError> {
        let Some(key) = key else {
            return Ok((self.save_scenario(store, s, need, baseline)?, false));
        };
        if let Some(id) = store.id_for_key(key, s, need)? {
            let record = self.saved_record(store, &id)?;
            return Ok((self.saved_scenario(record, baseline)?, true));
        }
        let answer = self.scenario(s, need, baseline)?;
        let created_at = super::clock::rfc3339_utc(unix_now_s());
        let (id, replayed) = store.save_once(s, need, &answer.baseline, &created_at, Some(key))?;
        if replayed {
            // Another request with the same key saved first.
            let record = self.saved_record(store, &id)?;
            return Ok((self.saved_scenario(record, baseline)?, true));
        }
        Ok((
            SavedAnswer {
                id,
                created_at,
                baseline_saved: answer.baseline.clone(),
                baseline_changed: false,
                answer,
            },
            false,
        ))
    }

    /// A saved scenario (its record, from [`Dataset::saved_record`]), answered against the
    /// loaded data.
    pub fn saved_scenario(
        &self,
        saved: crate::store::Saved,
        baseline: Option<&CoverageResult>,
    ) -> Result<SavedAnswer, AppError> {
        let answer = self.scenario(&saved.scenario, &saved.need, baseline)?;
        Ok(SavedAnswer {
            id: saved.id,
            created_at: saved.created_at,
            baseline_changed: saved.baseline != answer.baseline,
            baseline_saved: saved.baseline,
            answer,
        })
    }

    /// The stored record of a scenario, or a not-found error.
    pub fn saved_record(
        &self,
        store: &crate::store::Store,
        id: &str,
    ) -> Result<crate::store::Saved, AppError> {
        let missing = || AppError::NotFound {
            what: "scenario",
            id: id.to_string(),
            parameter: "id",
        };
        if !crate::store::is_id(id) {
            return Err(missing());
        }
        store.get(id)?.ok_or_else(missing)
    }
}
