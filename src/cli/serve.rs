//! `nabij serve`: configuration in layers (defaults → TOML file → environment → flags),
//! loading, and the HTTP server.

use std::path::{Path, PathBuf};
use std::time::Duration;

use actix_web::{App, HttpServer, web};
use clap::Args;
use serde::Deserialize;

use super::CliError;
use crate::analysis::inputs::{apply_groupings, read_facilities, read_municipalities};
use crate::analysis::{MunicipalityFields, Prepared};
use crate::api::{AppState, Sources, configure};
use crate::routing::Engine;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Road graph (.nbg). Without graph, municipalities and facilities, the bundled demo is served.
    #[arg(long)]
    pub graph: Option<PathBuf>,
    /// Municipalities GeoJSON (WGS84 or RD New).
    #[arg(long)]
    pub municipalities: Option<PathBuf>,
    /// Facilities CSV or GeoJSON.
    #[arg(long)]
    pub facilities: Option<PathBuf>,
    /// Custom grouping CSV (code,group); repeatable.
    #[arg(long)]
    pub grouping_csv: Vec<PathBuf>,
    /// A TOML configuration file (keys as the flags, with underscores; env NABIJ_CONFIG).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Address to listen on (env NABIJ_LISTEN; default 127.0.0.1:8080).
    #[arg(long)]
    pub listen: Option<String>,
    /// HTTP worker threads (default: the number of cores).
    #[arg(long)]
    pub workers: Option<usize>,
    /// Property with the municipality code (default gemeentecode).
    #[arg(long)]
    pub code_field: Option<String>,
    /// Property with the municipality name (default gemeentenaam).
    #[arg(long)]
    pub name_field: Option<String>,
    /// Property with the number of young people (default est_0_22, then inwoners_2024).
    #[arg(long)]
    pub population_field: Option<String>,
}

/// The service configuration after all layers.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServeConfig {
    pub graph: Option<PathBuf>,
    pub municipalities: Option<PathBuf>,
    pub facilities: Option<PathBuf>,
    pub grouping_csv: Vec<PathBuf>,
    pub listen: String,
    pub workers: usize,
    /// Longest a single computation may take before the client gets a 503.
    pub compute_timeout_s: u64,
    pub code_field: Option<String>,
    pub name_field: Option<String>,
    pub population_field: Option<String>,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            graph: None,
            municipalities: None,
            facilities: None,
            grouping_csv: Vec::new(),
            listen: "127.0.0.1:8080".into(),
            workers: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
            compute_timeout_s: 60,
            code_field: None,
            name_field: None,
            population_field: None,
        }
    }
}

impl ServeConfig {
    /// Layers: defaults, then the TOML file (`--config` or `NABIJ_CONFIG`), then the
    /// environment (`NABIJ_GRAPH`, `NABIJ_MUNICIPALITIES`, `NABIJ_FACILITIES`, `NABIJ_LISTEN`,
    /// `NABIJ_WORKERS`), then flags; then [`ServeConfig::validate`].
    pub fn from_layers(
        args: &ServeArgs,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, CliError> {
        let file = args
            .config
            .clone()
            .or_else(|| env("NABIJ_CONFIG").map(PathBuf::from));
        let mut c = match &file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| CliError::Input {
                    path: path.clone(),
                    message: e.to_string(),
                })?;
                toml::from_str::<ServeConfig>(&text).map_err(|e| CliError::Input {
                    path: path.clone(),
                    message: e.message().to_string(),
                })?
            }
            None => ServeConfig::default(),
        };
        if let Some(v) = env("NABIJ_GRAPH") {
            c.graph = Some(v.into());
        }
        if let Some(v) = env("NABIJ_MUNICIPALITIES") {
            c.municipalities = Some(v.into());
        }
        if let Some(v) = env("NABIJ_FACILITIES") {
            c.facilities = Some(v.into());
        }
        if let Some(v) = env("NABIJ_LISTEN") {
            c.listen = v;
        }
        if let Some(v) = env("NABIJ_WORKERS") {
            c.workers = v
                .parse()
                .map_err(|_| CliError::Usage(format!("NABIJ_WORKERS={v:?} is not a number")))?;
        }
        if args.graph.is_some() {
            c.graph = args.graph.clone();
        }
        if args.municipalities.is_some() {
            c.municipalities = args.municipalities.clone();
        }
        if args.facilities.is_some() {
            c.facilities = args.facilities.clone();
        }
        if !args.grouping_csv.is_empty() {
            c.grouping_csv = args.grouping_csv.clone();
        }
        if let Some(l) = &args.listen {
            c.listen = l.clone();
        }
        if let Some(w) = args.workers {
            c.workers = w;
        }
        for (flag, value) in [
            (&args.code_field, &mut c.code_field),
            (&args.name_field, &mut c.name_field),
            (&args.population_field, &mut c.population_field),
        ] {
            if flag.is_some() {
                *value = flag.clone();
            }
        }
        c.validate()?;
        Ok(c)
    }

    /// Either all of graph, municipalities and facilities, or none (the demo).
    pub fn validate(&self) -> Result<(), CliError> {
        let given = [
            self.graph.is_some(),
            self.municipalities.is_some(),
            self.facilities.is_some(),
        ];
        if given.iter().any(|g| *g) && !given.iter().all(|g| *g) {
            return Err(CliError::Usage("give --graph, --municipalities and --facilities together (or none of them for the demo)".into()));
        }
        if self.listen.parse::<std::net::SocketAddr>().is_err() {
            return Err(CliError::Usage(format!(
                "listen address {:?} is not HOST:PORT (e.g. 127.0.0.1:8080)",
                self.listen
            )));
        }
        if self.workers == 0 || self.workers > 256 {
            return Err(CliError::Usage(format!(
                "workers {} must be between 1 and 256",
                self.workers
            )));
        }
        if self.compute_timeout_s == 0 {
            return Err(CliError::Usage(
                "compute_timeout_s must be at least 1".into(),
            ));
        }
        Ok(())
    }

    pub fn is_demo(&self) -> bool {
        self.graph.is_none()
    }
}

/// Loads everything the service needs.
pub fn load_state(c: &ServeConfig) -> Result<AppState, CliError> {
    let demo = Path::new(super::route::DEMO_DIR);
    let (graph, municipalities, facilities, groupings) = if c.is_demo() {
        (
            demo.join("nabijland.osm.pbf"),
            demo.join("municipalities.geojson"),
            demo.join("facilities.csv"),
            vec![demo.join("zorggebieden.csv")],
        )
    } else {
        (
            c.graph.clone().unwrap_or_default(),
            c.municipalities.clone().unwrap_or_default(),
            c.facilities.clone().unwrap_or_default(),
            c.grouping_csv.clone(),
        )
    };
    let g = if c.is_demo() {
        if !graph.exists() {
            return Err(CliError::Usage(format!(
                "{} not found: run nabij from the repository root",
                graph.display()
            )));
        }
        crate::pipeline::build_in_memory(
            &graph,
            &crate::ingest::CarProfile::default(),
            &crate::progress::Progress::hidden(),
        )?
    } else {
        crate::graph::file::read_graph(&graph)?
    };
    let built = std::fs::metadata(&graph)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| crate::util::rfc3339_utc(d.as_secs()));
    let engine = Engine::new(g);
    let mut fields = MunicipalityFields::default();
    if let Some(f) = &c.code_field {
        fields.code = f.clone();
    }
    if let Some(f) = &c.name_field {
        fields.name = f.clone();
    }
    if let Some(f) = &c.population_field {
        fields.population.insert(0, f.clone());
    }
    let (mut ms, _) = read_municipalities(&municipalities, &fields)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    apply_groupings(&mut ms, &groupings).map_err(|e| CliError::Usage(e.to_string()))?;
    let fs = read_facilities(&facilities).map_err(|e| CliError::Usage(e.to_string()))?;
    let prepared = Prepared::new(&engine, ms, fs, None);
    let name = |p: &Path| p.display().to_string();
    let mut state = AppState::new(
        engine,
        prepared,
        Sources {
            graph: name(&graph),
            municipalities: name(&municipalities),
            facilities: name(&facilities),
            graph_built: built,
        },
    );
    state.compute_timeout = Duration::from_secs(c.compute_timeout_s);
    Ok(state)
}

pub fn serve(args: ServeArgs, quiet: bool) -> Result<(), CliError> {
    let config = ServeConfig::from_layers(&args, &|k| std::env::var(k).ok())?;
    let state = web::Data::new(load_state(&config)?);
    let synthetic = state.engine.graph.meta.synthetic_roads;
    let app = configure(state);
    let server = HttpServer::new(move || App::new().configure(app.clone()))
        .workers(config.workers)
        .client_request_timeout(Duration::from_secs(10))
        .shutdown_timeout(10)
        .bind(&config.listen)
        .map_err(|e| CliError::Usage(format!("cannot listen on {}: {e}", config.listen)))?;
    if !quiet {
        println!(
            "nabij serving {} on http://{} ({}); GET /api/v1/openapi.json for the API",
            if config.is_demo() {
                "the Nabijland demo"
            } else {
                "your data"
            },
            config.listen,
            if synthetic {
                "SYNTHETIC roads"
            } else {
                "OpenStreetMap roads"
            }
        );
    }
    actix_web::rt::System::new()
        .block_on(server.run())
        .map_err(|e| CliError::Usage(format!("server stopped: {e}")))
}
