//! Reading OpenStreetMap data: the car profile's tag rules and the PBF reader.

pub mod areas;
pub mod osm;
pub mod profile;

pub use osm::{FERRY_CLASS, IngestError, SYNTHETIC_WRITING_PROGRAM, IngestStats, RawNetwork, RawWay, read_network};
pub use profile::{CarProfile, ProfileError};
