//! `nabij scenario`, `nabij scenarios` and `nabij advise`: what-if questions, saved scenarios
//! and siting advice.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::CliError;
use super::args::{DataArgs, NeedArgs};
use super::output;
use crate::app::{
    AdviceAnswer, AdviceRequest, ConfigLayer, Dataset, Objective, Progress, parse_scenario, report,
};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ScenarioFormat {
    /// The change in words.
    Text,
    /// The scenario, its diff and its whole coverage answer.
    Json,
    /// The municipalities with the scenario's answer and their tier before (for a map).
    Geojson,
    /// One row per municipality: tier before and after.
    Csv,
}

#[derive(Debug, Args)]
pub struct ScenarioArgs {
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub need: NeedArgs,
    /// The scenario as JSON: {"name": "...", "changes": [{"op": "add", "id": "N1", "type":
    /// "kleinschalig_verblijf", "lon": 5.1, "lat": 52.1, "places": 4}, {"op": "close", "id":
    /// "F003"}, {"op": "set_places", "id": "F004", "places": 6}, ...] (docs/ANALYSIS.md).
    #[arg(long)]
    pub changes: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ScenarioFormat,
    /// Output file (written atomically, never over an input); standard output if omitted.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also save the scenario in the database (its id is printed on standard error).
    #[arg(long)]
    pub save: bool,
    /// The scenario database (SQLite; env NABIJ_DATABASE; default
    /// ~/.local/share/nabij/scenarios.sqlite). Created on first save.
    #[arg(long)]
    pub database: Option<PathBuf>,
}

pub fn scenario(args: ScenarioArgs, quiet: bool, progress: &Progress) -> Result<(), CliError> {
    let need = args.need.profile()?;
    let text = crate::limits::read_to_string_with(
        &args.changes,
        crate::app::scenario::MAX_SCENARIO_BYTES as u64,
        "a scenario holds at most 1,000 changes",
    )
    .map_err(|e| CliError::Input {
        path: args.changes.clone(),
        message: e.to_string(),
    })?;
    let s = parse_scenario(&text).map_err(|e| CliError::Input {
        path: args.changes.clone(),
        message: e.to_string(),
    })?;
    let config = args.data.config_with(ConfigLayer {
        database: args.database.clone(),
        ..Default::default()
    })?;
    let mut inputs = config.input_files();
    inputs.push(args.changes.clone());
    inputs.push(config.database.clone());
    let file = output::open(args.out.as_deref(), &inputs)?;
    // A database that cannot take the scenario says so before the work.
    let store = config.store();
    if args.save {
        store.check().map_err(|e| CliError::App(e.into()))?;
    }
    let data = Dataset::load(&config, progress)?;
    let spinner = progress.spinner("computing the scenario and the baseline");
    let answer = if args.save {
        let saved = data.save_scenario(&store, &s, &need, None)?;
        if !quiet {
            eprintln!(
                "saved as scenario {} in {}",
                saved.id,
                config.database.display()
            );
        }
        saved.answer
    } else {
        data.scenario(&s, &need, None)?
    };
    spinner.finish_and_clear();
    let out = match args.format {
        ScenarioFormat::Text => {
            report::scenario_text(&answer.scenario, &answer.diff, answer.synthetic_roads)
        }
        ScenarioFormat::Json => {
            let mut v = serde_json::to_value(&answer).unwrap_or_default();
            v["coverage"] = report::to_json(&answer.coverage);
            format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default())
        }
        ScenarioFormat::Geojson => format!(
            "{}\n",
            report::scenario_geojson(
                &answer.coverage,
                &answer.diff,
                &data.prepared.municipalities,
                &answer.scenario.name
            )
        ),
        ScenarioFormat::Csv => report::scenario_csv(&answer.diff),
    };
    output::finish(file, args.out.as_deref(), &out)
}

#[derive(Debug, Args)]
pub struct ScenariosArgs {
    /// The scenario database (SQLite; env NABIJ_DATABASE, config key `database`; default
    /// ~/.local/share/nabij/scenarios.sqlite).
    #[arg(long, global = true)]
    pub database: Option<PathBuf>,
    /// A TOML configuration file (its `database` key is used; env NABIJ_CONFIG).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub action: ScenariosAction,
}

#[derive(Debug, Subcommand)]
pub enum ScenariosAction {
    /// The saved scenarios, newest first.
    List,
    /// One saved scenario as JSON (its changes and need; run `nabij scenario` for results).
    Show {
        /// The scenario's id (from `nabij scenarios list`).
        id: String,
    },
    /// Delete a saved scenario.
    Delete {
        /// The scenario's id (from `nabij scenarios list`).
        id: String,
    },
    /// Compare two saved scenarios of the same question: what changes when one goes from
    /// AGAINST to ID (municipalities changing tier, young people, region flags). Needs the
    /// data the scenarios were made on (--demo, or --graph with --municipalities and
    /// --facilities).
    Diff {
        /// The scenario to look at.
        id: String,
        /// The scenario to compare it with (instead of today).
        against: String,
        #[command(flatten)]
        data: Box<DataArgs>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: DiffFormat,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DiffFormat {
    /// Plain sentences for a reader.
    Text,
    /// The comparison as JSON.
    Json,
    /// One row per municipality.
    Csv,
}

pub fn scenarios(args: ScenariosArgs, progress: &Progress) -> Result<(), CliError> {
    // The same layers as every command: defaults → TOML → environment → the flag.
    let config = crate::app::Config::layered(
        args.config.as_deref(),
        &|k| std::env::var(k).ok(),
        ConfigLayer {
            database: args.database.clone(),
            ..Default::default()
        },
    )?;
    let path = config.database.clone();
    let store = config.store();
    let app = |e: crate::app::StoreError| CliError::App(e.into());
    match args.action {
        ScenariosAction::List => {
            let list = store.list().map_err(app)?;
            if list.is_empty() {
                println!("no saved scenarios in {}", path.display());
            }
            for l in list {
                println!(
                    "{}  {}  {:>3} change(s)  {}",
                    l.id, l.created_at, l.changes, l.name
                );
            }
            Ok(())
        }
        ScenariosAction::Show { id } => {
            let saved = store.get(&id).map_err(app)?.ok_or_else(|| {
                CliError::Usage(format!("no scenario {id:?} in {}", path.display()))
            })?;
            println!(
                "{}",
                serde_json::to_string_pretty(&saved).unwrap_or_default()
            );
            Ok(())
        }
        ScenariosAction::Diff {
            id,
            against,
            data,
            format,
        } => {
            let missing =
                |id: &str| CliError::Usage(format!("no scenario {id:?} in {}", path.display()));
            let a = store.get(&id).map_err(app)?.ok_or_else(|| missing(&id))?;
            let b = store
                .get(&against)
                .map_err(app)?
                .ok_or_else(|| missing(&against))?;
            let dataset = Dataset::load(&data.config()?, progress)?;
            let cmp = dataset.compare_scenarios(&a, &b)?;
            let out = match format {
                DiffFormat::Text => {
                    let mut t = format!(
                        "{} ({}) compared with {} ({}), not with today:\n",
                        a.scenario.name, a.id, b.scenario.name, b.id
                    );
                    t.push_str(&report::scenario_text(
                        &cmp.scenario,
                        &cmp.diff,
                        cmp.synthetic_roads,
                    ));
                    t
                }
                DiffFormat::Json => format!(
                    "{}\n",
                    serde_json::to_string_pretty(&cmp).unwrap_or_default()
                ),
                DiffFormat::Csv => report::scenario_csv(&cmp.diff),
            };
            print!("{out}");
            Ok(())
        }
        ScenariosAction::Delete { id } => {
            if store.delete(&id).map_err(app)? {
                println!("deleted scenario {id}");
                Ok(())
            } else {
                Err(CliError::Usage(format!(
                    "no scenario {id:?} in {}",
                    path.display()
                )))
            }
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ObjectiveArg {
    /// Most young people newly within the limit (maximal covering location).
    Coverage,
    /// Least demand-weighted travel time (p-median).
    Median,
    /// The worst-served region first (regions without a unit of their own, then the lowest
    /// share within the limit).
    Fairness,
}

impl From<ObjectiveArg> for Objective {
    fn from(o: ObjectiveArg) -> Self {
        match o {
            ObjectiveArg::Coverage => Objective::Coverage,
            ObjectiveArg::Median => Objective::Median,
            ObjectiveArg::Fairness => Objective::Fairness,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum AdviceFormat {
    Text,
    Json,
    /// One row per advised site.
    Csv,
}

#[derive(Debug, Args)]
pub struct AdviseArgs {
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub need: NeedArgs,
    /// How many new units to site (1 to 20).
    #[arg(long, default_value_t = 1)]
    pub add: usize,
    /// Only sites in, and young people of, this region (a code of any grouping, e.g. JZ93
    /// or a zorggebied).
    #[arg(long)]
    pub region: Option<String>,
    /// What the advice maximises (default fairness: the policy asks for a fair spread over
    /// the regions first; `coverage` for the most young people within the limit).
    #[arg(long, value_enum, default_value = "fairness")]
    pub objective: ObjectiveArg,
    /// Candidate sites as CSV id,lon,lat (default: every municipality's representative point).
    #[arg(long)]
    pub candidates: Option<PathBuf>,
    /// Most candidate sites read from --candidates (each costs one search; the advice over
    /// 100,000 sites takes minutes on a national graph).
    #[arg(long, default_value_t = crate::app::advice::MAX_CANDIDATES)]
    pub max_candidates: usize,
    /// Type of the new units (default: the need's first type).
    #[arg(long = "unit-type")]
    pub unit_type: Option<String>,
    /// Places per new unit (default: the type's usual size).
    #[arg(long)]
    pub places: Option<f64>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: AdviceFormat,
    /// Output file (written atomically, never over an input); standard output if omitted.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn advise(args: AdviseArgs, progress: &Progress) -> Result<(), CliError> {
    let need = args.need.profile()?;
    let config = args.data.config()?;
    let mut inputs = config.input_files();
    inputs.extend(args.candidates.clone());
    let file = output::open(args.out.as_deref(), &inputs)?;
    let candidates = args
        .candidates
        .as_deref()
        .map(|p| crate::app::advice::read_candidates(p, args.max_candidates))
        .transpose()?;
    let data = Dataset::load(&config, progress)?;
    let answer = data.advise(
        &AdviceRequest {
            need,
            add: args.add,
            region: args.region.clone(),
            objective: args.objective.into(),
            candidates,
            kind: args.unit_type.clone(),
            places: args.places,
        },
        progress,
    )?;
    let out = match args.format {
        AdviceFormat::Text => advice_text(&answer),
        AdviceFormat::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&advice_json(&answer)).unwrap_or_default()
        ),
        AdviceFormat::Csv => advice_csv(&answer),
    };
    output::finish(file, args.out.as_deref(), &out)
}

/// The advice as JSON: the answer with its check (the scenario diff) but not the whole
/// coverage of the check.
pub fn advice_json(a: &AdviceAnswer) -> serde_json::Value {
    serde_json::to_value(a).unwrap_or_default()
}

fn advice_csv(a: &AdviceAnswer) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "rank",
        "id",
        "name",
        "lon",
        "lat",
        "municipality",
        "region",
        "newly_within_limit",
        "weighted_minutes_saved",
        "first_in_region",
    ]);
    for s in &a.sites {
        let _ = w.write_record([
            s.rank.to_string(),
            report::csv_safe(&s.site.id),
            report::csv_safe(&s.site.name),
            format!("{:.6}", s.site.lon),
            format!("{:.6}", s.site.lat),
            s.site.municipality.clone().unwrap_or_default(),
            report::csv_safe(s.region.as_deref().unwrap_or("")),
            format!("{:.1}", s.newly_within_limit),
            format!("{:.1}", s.weighted_minutes_saved),
            s.first_in_region.to_string(),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn advice_text(a: &AdviceAnswer) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Siting advice: {} new {} unit(s), objective {}{}",
        a.add,
        a.kind,
        a.objective.as_str(),
        a.region
            .as_deref()
            .map(|r| format!(", region {r}"))
            .unwrap_or_default()
    );
    if a.synthetic_roads {
        let _ = writeln!(s, "(travel times on SYNTHETIC roads)");
    }
    for site in &a.sites {
        let _ = writeln!(
            s,
            "{}. {} {} ({:.5}, {:.5}) in {}: +{:.0} young people within the limit, {:.0} young-people-minutes saved{}",
            site.rank,
            site.site.id,
            site.site.name,
            site.site.lon,
            site.site.lat,
            site.region.as_deref().unwrap_or("?"),
            site.newly_within_limit,
            site.weighted_minutes_saved,
            if site.first_in_region {
                "; the first unit of its region"
            } else {
                ""
            }
        );
    }
    let _ = writeln!(s, "Quality: {}", a.guarantee);
    let _ = writeln!(s, "Method: {}", a.method);
    if let Some(check) = &a.check {
        let _ = writeln!(s, "Checked as a scenario:");
        s.push_str(&report::scenario_text(&check.scenario, &check.diff, false));
    }
    s
}
