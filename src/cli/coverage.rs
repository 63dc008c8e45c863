//! `nabij coverage` and `nabij regions`: the planners' question for every municipality and
//! region, and the regional table of one grouping.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::CliError;
use super::args::{DataArgs, LayoutArgs, NeedArgs};
use super::output;
use crate::app::{CoverageResult, Dataset, Progress, Style, report, summary};
use crate::graph::file::AtomicFile;

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
    /// The summary for a policy writer (regions, flags, findings) in Markdown.
    Markdown,
    /// An Excel workbook: municipalities and regions, Dutch headers (English with --lang
    /// en), numbers as numbers; needs --out FILE.xlsx (or a pipe).
    Xlsx,
    /// A GeoPackage: municipalities (styled by tier for QGIS), regions and facilities as
    /// three layers; needs --out FILE.gpkg (or a pipe).
    Gpkg,
}

#[derive(Debug, Args)]
pub struct CoverageArgs {
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub need: NeedArgs,
    /// Output format (default: text when writing to a terminal, GeoJSON to a file or a pipe).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    #[command(flatten)]
    pub layout: LayoutArgs,
    /// Output file (written atomically, never over an input); standard output if omitted.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// The steps both commands share: the need profile, the output opened before the work (never
/// over an input), the data loaded, the grouping checked, the need answered.
fn answer(
    data: &DataArgs,
    need: &NeedArgs,
    grouping: Option<&str>,
    out: Option<&Path>,
    progress: &Progress,
) -> Result<(Dataset, CoverageResult, Option<AtomicFile>), CliError> {
    let need = need.profile()?;
    let config = data.config()?;
    let file = output::open(out, &config.input_files())?;
    let data = Dataset::load(&config, progress)?;
    if let Some(g) = grouping {
        data.check_grouping(g)?;
    }
    let result = data.coverage(&need)?;
    Ok((data, result, file))
}

pub fn coverage(args: CoverageArgs, progress: &Progress) -> Result<(), CliError> {
    let (data, result, file) = answer(&args.data, &args.need, None, args.out.as_deref(), progress)?;
    let to_terminal = args.out.is_none() && std::io::stdout().is_terminal();
    let format = args.format.unwrap_or(if to_terminal {
        Format::Text
    } else {
        Format::Geojson
    });
    if let Format::Xlsx | Format::Gpkg = format {
        if to_terminal {
            return Err(CliError::Usage(
                "--format xlsx and gpkg write a binary file: give --out FILE".into(),
            ));
        }
        let lang = args.layout.layout().lang;
        let bytes = match format {
            Format::Gpkg => data.geopackage(&result, lang)?,
            _ => crate::app::to_xlsx(&result, lang)?,
        };
        return output::finish_bytes(file, args.out.as_deref(), &bytes);
    }
    let text = match format {
        Format::Xlsx | Format::Gpkg => unreachable!("written above"),
        Format::Text => report::to_text(&result),
        Format::Geojson => format!(
            "{}\n",
            report::to_geojson_in(
                &result,
                &data.prepared.municipalities,
                args.layout.layout().lang
            )
        ),
        Format::Csv => report::to_csv_as(&result, args.layout.layout()),
        Format::Json => format!("{}\n", pretty(&report::to_json(&result))),
        Format::Markdown => summary(&result, None, Style::Markdown),
    };
    output::finish(file, args.out.as_deref(), &text)
}

fn pretty(v: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RegionsFormat {
    /// The summary of the grouping's regions, for people.
    Text,
    /// The same in Markdown.
    Markdown,
    /// The regional table.
    Json,
    /// Each region's polygon (the union of its municipalities) with its figures and flags:
    /// a layer for QGIS.
    Geojson,
    /// One row per region.
    Csv,
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
    #[command(flatten)]
    pub layout: LayoutArgs,
    /// Output file (written atomically, never over an input); standard output if omitted.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn regions(args: RegionsArgs, progress: &Progress) -> Result<(), CliError> {
    let (data, result, file) = answer(
        &args.data,
        &args.need,
        Some(&args.grouping),
        args.out.as_deref(),
        progress,
    )?;
    let answer = data.regions(&result, &args.grouping)?;
    let text = match args.format {
        RegionsFormat::Json => format!("{}\n", pretty(&answer)),
        RegionsFormat::Geojson => format!(
            "{}\n",
            report::regions_to_geojson(&result, &args.grouping, &data.prepared.municipalities)
        ),
        RegionsFormat::Csv => report::regions_to_csv(&result, &args.grouping, args.layout.layout()),
        RegionsFormat::Text => summary(&result, Some(&args.grouping), Style::Text),
        RegionsFormat::Markdown => summary(&result, Some(&args.grouping), Style::Markdown),
    };
    output::finish(file, args.out.as_deref(), &text)
}
