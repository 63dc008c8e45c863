//! The command line: argument definitions and one function per subcommand.
//! The binary (`src/main.rs`) only parses, sets up logging, calls [`run`] and prints errors.

pub mod args;
mod build;
pub mod coverage;
mod output;
pub mod plan;
pub mod report;
pub mod route;
pub mod serve;

use clap::{Parser, Subcommand};

use crate::graph::file::GraphFileError;
use crate::ingest::ProfileError;
use crate::pipeline::PipelineError;
use crate::synth::SynthError;

/// nabij: can every municipality reach a suitable small-scale youth-care facility within
/// 45 minutes by car? Builds a car road graph from OpenStreetMap and answers reachability
/// and coverage questions per municipality and region.
#[derive(Debug, Parser)]
#[command(name = "nabij", version, long_about = None)]
pub struct Cli {
    /// No progress bars and no summary (errors are still printed).
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Largest input file read, in MB (CSV, GeoJSON, TOML; pipes and devices alike; default
    /// 32; env NABIJ_MAX_INPUT_MB). OSM extracts and graph files are not limited by it.
    #[arg(long, global = true, env = "NABIJ_MAX_INPUT_MB")]
    pub max_input_mb: Option<u64>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build a car road graph (.nbg) from an OpenStreetMap PBF extract.
    Build(build::BuildArgs),
    /// Generate a synthetic road network as an .osm.pbf (for benchmarks and the demo).
    Synth(build::SynthArgs),
    /// Travel time, distance and path by car between two points.
    Time(Box<route::TimeArgs>),
    /// Travel times between sets of points (CSV id,lon,lat in, CSV or JSON out).
    Matrix(Box<route::MatrixArgs>),
    /// The area reachable within N minutes as a GeoJSON polygon (and the reached roads as lines).
    Isochrone(Box<route::IsochroneArgs>),
    /// Coverage per municipality (own municipality / within the limit / beyond it) and fairness per region.
    Coverage(Box<coverage::CoverageArgs>),
    /// The regional table of one grouping (jeugdregio, provincie or custom): figures, gaps, flags.
    Regions(Box<coverage::RegionsArgs>),
    /// What if units open, close or change? Coverage of a scenario and its difference from today.
    Scenario(Box<plan::ScenarioArgs>),
    /// The saved scenarios: list, show, delete.
    Scenarios(plan::ScenariosArgs),
    /// Where would K new units serve most young people (or the worst-served region) best?
    Advise(Box<plan::AdviseArgs>),
    /// The policy report of a region (or every region) as HTML or PDF: summary, map, table, figures, gaps, advice.
    Report(Box<report::ReportArgs>),
    /// Serve coverage, regions, facilities, travel times and isochrones over HTTP (the demo without arguments).
    Serve(Box<serve::ServeArgs>),
    /// Write the bundled demo region "Nabijland" (synthetic roads, municipalities, facilities).
    Demo(build::DemoArgs),
    /// Load a graph file, check it, and print what it holds and how long loading took.
    Info(build::InfoArgs),
}

/// Errors a subcommand can end with.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    #[error(transparent)]
    Profile(#[from] ProfileError),
    #[error(transparent)]
    Speeds(#[from] crate::ingest::SpeedsError),
    #[error(transparent)]
    GraphFile(#[from] GraphFileError),
    #[error(transparent)]
    Synth(#[from] SynthError),
    #[error(transparent)]
    App(#[from] crate::app::AppError),
    #[error("{0}")]
    Usage(String),
    #[error("cannot read {path}: {message}")]
    Input {
        path: std::path::PathBuf,
        message: String,
    },
    #[error("cannot write {path}: {source}")]
    Output {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<(), CliError> {
    if let Some(mb) = cli.max_input_mb {
        if mb == 0 {
            return Err(CliError::Usage("--max-input-mb must be at least 1".into()));
        }
        crate::limits::set_max_input_mb(mb);
    }
    let progress = crate::progress::Progress::new(!cli.quiet);
    match cli.command {
        Command::Build(args) => build::build(args, cli.quiet, &progress),
        Command::Synth(args) => build::synth(args, cli.quiet),
        Command::Info(args) => build::info(args),
        Command::Demo(args) => build::demo(args, cli.quiet),
        Command::Time(args) => route::time(*args),
        Command::Matrix(args) => route::matrix(*args),
        Command::Isochrone(args) => route::isochrone(*args),
        Command::Coverage(args) => coverage::coverage(*args, &progress),
        Command::Regions(args) => coverage::regions(*args, &progress),
        Command::Scenario(args) => plan::scenario(*args, cli.quiet, &progress),
        Command::Scenarios(args) => plan::scenarios(args, &progress),
        Command::Advise(args) => plan::advise(*args, &progress),
        Command::Report(args) => report::report(*args, &progress),
        Command::Serve(args) => serve::serve(*args, cli.quiet, &progress),
    }
}
