//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// `../shared/data` next to the project root (present on developer machines and in CI).
pub fn shared_data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data")
}

pub fn osm(name: &str) -> PathBuf {
    shared_data().join("osm").join(name)
}

pub const MALTA: &str = "malta_gdal_ubuntu.osm.pbf";
pub const PORTO: &str = "porto_portugal_r5_test.osm.pbf";
pub const LIECHTENSTEIN: &str = "liechtenstein_valhalla_test.osm.pbf";
pub const AMSTERDAM: &str = "nl_amsterdam_valhalla_test.osm.pbf";
pub const DELFT: &str = "nl_delft_station_r5_test.osm.pbf";

/// Builds a graph in memory with the default profile.
pub fn build(name: &str) -> nabij::graph::RoadGraph {
    nabij::pipeline::build_in_memory(
        &osm(name),
        &nabij::ingest::CarProfile::default(),
        &nabij::progress::Progress::hidden(),
    )
    .unwrap_or_else(|e| panic!("building {name}: {e}"))
}

/// Runs the nabij binary; returns (exit success, stdout, stderr).
pub fn nabij(args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nabij"))
        .args(args)
        .output()
        .expect("the nabij binary runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Builds a graph file with the `nabij build` command; returns its path as a string.
pub fn cli_build(dir: &std::path::Path, osm: &std::path::Path, name: &str) -> String {
    let out = dir.join(name);
    let (ok, _, err) = nabij(&[
        "--quiet",
        "build",
        "--osm",
        osm.to_str().expect("utf8"),
        "--out",
        out.to_str().expect("utf8"),
    ]);
    assert!(ok, "building {}: {err}", osm.display());
    out.to_string_lossy().into_owned()
}
