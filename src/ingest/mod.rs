//! Reading OpenStreetMap data: the car profile's tag rules and the PBF reader.

pub mod areas;
pub mod osm;
pub mod profile;
pub mod speeds;

pub use osm::{
    FERRY_CLASS, IngestError, IngestStats, RawNetwork, RawWay, SYNTHETIC_WRITING_PROGRAM,
    read_network,
};
pub use profile::{CarProfile, Period, ProfileError};
pub use speeds::{OverrideStats, SpeedOverrides, SpeedsError};
