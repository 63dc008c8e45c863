//! The application core: the loaded dataset and the questions it answers.
//!
//! [`Config`] gathers every setting in layers (defaults → TOML → environment → flags) and
//! resolves the demo; [`Network`] holds the road graph (travel times, isochrones);
//! [`Dataset`] adds municipalities, facilities and groupings matched to it (coverage, one
//! municipality, regions, facilities). The CLI (`cli`) and the HTTP service (`api`) are thin
//! layers over these methods and import nothing below this module except through it, so the
//! types they need are re-exported here.

pub mod advice;
pub mod clock;
pub mod config;
pub mod dataset;
pub mod demo;
pub mod error;
pub mod gpkg;
mod load;
pub mod network;
pub mod policy_report;
pub mod scenario;

pub use crate::geodesy::parse_lonlat;
pub use config::{Config, ConfigLayer, DEMO_DIR};
pub use dataset::{
    Dataset, FacilityView, MunicipalityAnswer, NearestFacility, Place, RegionsAnswer,
};
pub use error::AppError;
pub use network::{Network, SourceInfo};

pub use crate::analysis::advice::Objective;
pub use crate::analysis::coverage::{CoverageStatus, OriginKind};
pub use crate::analysis::crs::RdConverter;
pub use crate::analysis::inputs::{Status as FacilityStatus, read_points};
pub use crate::analysis::need::{NeedOverrides, PeriodChoice};
pub use crate::analysis::result::LabelLang;
pub use crate::analysis::scenario::{Scenario, ScenarioError};
pub use crate::analysis::summary::{Style, summary};
pub use crate::analysis::{CoverageResult, NeedError, NeedProfile, report};
pub use crate::graph::Period;
pub use crate::progress::Progress;
pub use crate::routing::RoutingError;
pub use crate::routing::{Direction, Isochrone, Reached, Route};
pub use crate::spatial::Snap;
pub use crate::store::{Store, StoreError, StoreState};
pub use advice::{AdviceAnswer, AdviceRequest, Baseline, Site};
pub use scenario::{SavedAnswer, ScenarioAnswer, parse_scenario};

/// The configured facilities, read without the municipalities (e.g. to centre an isochrone
/// on a facility by its id).
pub fn read_configured_facilities(
    config: &Config,
) -> Result<Vec<crate::analysis::Facility>, AppError> {
    Ok(load::facilities(config)?.0)
}

/// The named need profiles (name and label), the default first.
pub fn need_profiles() -> Vec<serde_json::Value> {
    crate::analysis::kinds::KINDS
        .iter()
        .map(
            |k| serde_json::json!({"name": k.name, "label": k.label, "small_scale": k.small_scale}),
        )
        .collect()
}
pub use crate::document::{Lang, Report};

/// The tiers in order, each with its code, colour, whether it meets the norm, and its name
/// in Dutch and English (`/api/v1/meta`; the map page draws with these).
pub fn tiers() -> Vec<serde_json::Value> {
    use crate::analysis::coverage::CoverageStatus as S;
    S::ALL
        .iter()
        .map(|s| {
            serde_json::json!({
                "status": s.as_str(),
                "colour": crate::document::tier_colour(*s),
                "meets_norm": matches!(s, S::OwnMunicipality | S::WithinLimit),
                "nl": crate::document::tier_name(Lang::Nl, *s),
                "en": crate::document::tier_name(Lang::En, *s),
            })
        })
        .collect()
}
pub use policy_report::ReportRequest;
pub use policy_report::scenario::ScenarioSource;

/// A coverage answer as an Excel workbook (municipalities, regions, what the figures answer).
pub fn to_xlsx(result: &CoverageResult, lang: LabelLang) -> Result<Vec<u8>, AppError> {
    crate::analysis::xlsx::to_xlsx(result, lang)
        .map_err(|e| AppError::Mismatch(format!("the workbook could not be written: {e}")))
}

/// The report laid out as HTML.
pub fn report_html(r: &crate::document::Report) -> String {
    crate::document::html::to_html(r)
}

/// The report laid out as PDF.
pub fn report_pdf(r: &crate::document::Report) -> Result<Vec<u8>, AppError> {
    Ok(crate::document::pdf::to_pdf(r)?)
}
