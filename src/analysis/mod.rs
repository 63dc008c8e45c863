//! Coverage per municipality and fairness per region.
//!
//! [`inputs`] reads municipalities (GeoJSON in WGS84 or RD New, or OSM boundary relations),
//! groupings and facilities; [`need`] decides which facilities suit; [`coverage`] matches it
//! all to the graph once ([`coverage::Prepared`]) and answers need profiles with one
//! multi-source search; [`report`] writes GeoJSON, CSV and JSON.

pub mod advice;
pub mod coverage;
pub mod crs;
pub mod demand;
pub mod fairness;
pub mod inputs;
pub mod kinds;
pub mod need;
pub mod origins;
pub mod repair;
pub mod report;
pub mod result;
pub mod scenario;
pub mod summary;
pub mod xlsx;

pub use coverage::{CoverageResult, Prepared, WeightedPoint};
pub use inputs::{Facility, InputError, Municipality, MunicipalityFields};
pub use need::{NeedError, NeedProfile};
