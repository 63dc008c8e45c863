//! nabij: can every municipality reach a suitable small-scale youth-care facility within
//! 45 minutes by car, and is the regional spread fair?
//!
//! The modules follow the data: [`ingest`] reads OpenStreetMap, [`graph`] builds and stores
//! the road graph, [`synth`] writes synthetic road networks for benchmarks and the demo.

pub mod analysis;
pub mod api;
pub mod app;
pub mod cancel;
pub mod cli;
pub mod document;
pub mod geodesy;
pub mod graph;
pub mod ingest;
pub mod limits;
pub mod pipeline;
pub mod prefetch;
pub mod progress;
pub mod rng;
pub mod routing;
pub mod spatial;
pub mod store;
pub mod synth;
pub mod units;
