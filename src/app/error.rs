//! Errors of the application core. Each keeps its source; the CLI prints them, the HTTP
//! layer maps them to problems (`api::error`).

use crate::analysis::{InputError, NeedError};
use crate::graph::file::GraphFileError;
use crate::ingest::IngestError;
use crate::pipeline::PipelineError;
use crate::routing::RoutingError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A configuration file or variable that cannot be used.
    #[error("configuration {source_name}: {message}")]
    Config {
        source_name: String,
        message: String,
    },
    /// Settings that contradict each other or are missing.
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Need(#[from] NeedError),
    #[error(transparent)]
    GraphFile(#[from] GraphFileError),
    #[error(transparent)]
    Build(#[from] PipelineError),
    #[error(transparent)]
    Ingest(#[from] IngestError),
    #[error(transparent)]
    Routing(#[from] RoutingError),
    /// A parameter of a question that cannot be answered as asked.
    #[error("{parameter}: {message}")]
    BadParameter {
        parameter: &'static str,
        message: String,
    },
    /// An id that the loaded data does not hold.
    #[error("no {what} {id:?}")]
    NotFound {
        what: &'static str,
        id: String,
        parameter: &'static str,
    },
    /// A need profile that leaves no suitable facility, with the reasons.
    #[error("{0}")]
    NothingSuitable(String),
    /// A question about municipalities or facilities to a dataset that has only a road graph.
    #[error(
        "only a road graph is loaded: travel times, matrices and isochrones can be answered; for coverage give --municipalities and --facilities too"
    )]
    RoutingOnly,
    /// A scenario that cannot be applied (the message names the change).
    #[error(transparent)]
    Scenario(#[from] crate::analysis::scenario::ScenarioError),
    /// The scenario database cannot be used.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// Inputs that do not lie on the road graph at all.
    #[error("{0}")]
    Mismatch(String),
    /// The report's PDF could not be written (a fault of nabij, not of the question).
    #[error(transparent)]
    Pdf(#[from] crate::document::pdf::PdfError),
}

impl AppError {
    pub fn bad(parameter: &'static str, message: impl Into<String>) -> Self {
        AppError::BadParameter {
            parameter,
            message: message.into(),
        }
    }
}
