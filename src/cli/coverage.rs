//! `nabij coverage` and `nabij regions`: the planners' question for every municipality and
//! region, and the regional table of one grouping.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::CliError;
use super::args::{DataArgs, NeedArgs};
use super::output;
use crate::app::{Dataset, Progress, report};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// A readable summary.
    Text,
    /// GeoJSON FeatureCollection of the municipalities with their answers (QGIS, GDAL).
    Geojson,
    /// One row per municipality.
    Csv,
    /// The whole answer, with the regional table.
    Json,
}

#[derive(Debug, Args)]
pub struct CoverageArgs {
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub need: NeedArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "geojson")]
    pub format: Format,
    /// Output file (written atomically, never over an input); standard output if omitted.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn coverage(args: CoverageArgs, progress: &Progress) -> Result<(), CliError> {
    let need = args.need.profile()?;
    let config = args.data.config()?;
    let file = output::open(args.out.as_deref(), &config.input_files())?;
    let data = Dataset::load(&config, progress)?;
    let result = data.coverage(&need)?;
    let text = match args.format {
        Format::Text => report::to_text(&result),
        Format::Geojson => format!(
            "{}\n",
            report::to_geojson(&result, &data.prepared.municipalities)
        ),
        Format::Csv => report::to_csv(&result),
        Format::Json => format!("{}\n", pretty(&report::to_json(&result))),
    };
    output::finish(file, args.out.as_deref(), &text)
}

fn pretty(v: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RegionsFormat {
    /// A readable table.
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct RegionsArgs {
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub need: NeedArgs,
    /// The grouping: jeugdregio (default), provincie, or a custom one from --grouping-csv.
    #[arg(long, default_value = "jeugdregio")]
    pub grouping: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: RegionsFormat,
    /// Output file (written atomically, never over an input); standard output if omitted.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn regions(args: RegionsArgs, progress: &Progress) -> Result<(), CliError> {
    let need = args.need.profile()?;
    let config = args.data.config()?;
    let file = output::open(args.out.as_deref(), &config.input_files())?;
    let data = Dataset::load(&config, progress)?;
    data.check_grouping(&args.grouping)?;
    let result = data.coverage(&need)?;
    let answer = data.regions(&result, &args.grouping)?;
    let text = match args.format {
        RegionsFormat::Json => format!("{}\n", pretty(&answer)),
        RegionsFormat::Text => report::regions_to_text(&answer.regions, &answer.national),
    };
    output::finish(file, args.out.as_deref(), &text)
}
