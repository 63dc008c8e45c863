//! The handlers, one file per resource. Each parses its typed query, asks the application
//! core, and formats the answer; computations run on the blocking pool under a timeout.

pub mod coverage;
pub mod facilities;
pub mod meta;
pub mod ogc;
pub mod report;
pub mod routing;
pub mod scenarios;
pub mod web;
