//! `nabij report`: the policy report of one region, or of every region of a grouping, as a
//! self-contained HTML file or a PDF.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::CliError;
use super::args::{DataArgs, NeedArgs};
use super::output;
use crate::app::config::ConfigLayer;
use crate::app::{Dataset, Lang, Progress, ReportRequest, ScenarioSource, report_html, report_pdf};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReportFormat {
    /// One HTML file with its map inline (opens in any browser, prints well).
    Html,
    /// A PDF made in-process (no browser needed).
    Pdf,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    /// Nederlands (default).
    Nl,
    /// English.
    En,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["region", "all"])))]
pub struct ReportArgs {
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub need: NeedArgs,
    /// The region's code in the grouping (e.g. JZ93).
    #[arg(long)]
    pub region: Option<String>,
    /// Every region of the grouping, one section each.
    #[arg(long)]
    pub all: bool,
    /// The grouping: jeugdregio (default), provincie, or a custom one from --grouping-csv.
    #[arg(long, default_value = "jeugdregio")]
    pub grouping: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "html")]
    pub format: ReportFormat,
    /// Language of the report.
    #[arg(long, value_enum, default_value = "nl")]
    pub lang: LangArg,
    /// Leave out the siting advice for regions with gaps.
    #[arg(long)]
    pub no_advice: bool,
    /// Output file (written atomically, never over an input); required for PDF, standard
    /// output for HTML if omitted.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The report of a saved scenario (its id, from `nabij scenarios list`): the region with
    /// the scenario's facilities, today's figures beside it, and the changes in words. The
    /// need is the one saved with the scenario (need flags are then refused).
    #[arg(long, value_name = "ID")]
    pub scenario: Option<String>,
    /// The scenario database (SQLite; env NABIJ_DATABASE; default
    /// ~/.local/share/nabij/scenarios.sqlite), for --scenario.
    #[arg(long)]
    pub database: Option<PathBuf>,
}

pub fn report(args: ReportArgs, progress: &Progress) -> Result<(), CliError> {
    if matches!(args.format, ReportFormat::Pdf) && args.out.is_none() {
        return Err(CliError::Usage(
            "a PDF report needs --out FILE.pdf (it is not written to a terminal)".into(),
        ));
    }
    let config = args.data.config_with(ConfigLayer {
        database: args.database.clone(),
        ..Default::default()
    })?;
    let mut inputs = config.input_files();
    if args.scenario.is_some() {
        inputs.push(config.database.clone());
    }
    let file = output::open(args.out.as_deref(), &inputs)?;
    let data = Dataset::load(&config, progress)?;
    let mut request = ReportRequest {
        need: args.need.profile()?,
        grouping: args.grouping.clone(),
        region: if args.all { None } else { args.region.clone() },
        lang: match args.lang {
            LangArg::Nl => Lang::Nl,
            LangArg::En => Lang::En,
        },
        advice: !args.no_advice,
    };
    let report = match &args.scenario {
        None => data.report(&request, progress)?,
        Some(id) => {
            if args.need.is_given() {
                return Err(CliError::Usage(
                    "--scenario reports with the need saved with the scenario: leave out the need flags (--type, --minutes, --age, ...)".into(),
                ));
            }
            let saved = data.saved_record(&config.store(), id)?;
            request.need = saved.need.clone();
            let source = ScenarioSource {
                scenario: &saved.scenario,
                saved_id: Some(&saved.id),
            };
            data.scenario_report(&request, &source, progress)?
        }
    };
    match args.format {
        ReportFormat::Html => output::finish(file, args.out.as_deref(), &report_html(&report)),
        ReportFormat::Pdf => output::finish_bytes(file, args.out.as_deref(), &report_pdf(&report)?),
    }
}
