//! Every bad input to `nabij build` gives a one-line reason and a non-zero exit, never a
//! panic, and never leaves an output (or temporary) file behind.

mod common;

use std::path::Path;

use common::*;

fn assert_clean_failure(args: &[&str], needle: &str, out: &Path) {
    let (ok, stdout, stderr) = nabij(args);
    assert!(!ok, "{args:?} should fail; stdout: {stdout}");
    assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "{args:?}: one line expected, got {stderr}");
    assert!(lines[0].starts_with("error: "), "{stderr}");
    assert!(
        stderr.contains(needle),
        "{args:?}: expected {needle:?} in {stderr}"
    );
    assert!(!out.exists(), "{args:?} left {}", out.display());
    if let Some(dir) = out.parent()
        && dir.exists()
    {
        let leftovers: Vec<_> = std::fs::read_dir(dir)
            .expect("dir")
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
            .collect();
        assert!(leftovers.is_empty(), "{args:?} left temporary files");
    }
}

fn build_args<'a>(osm: &'a str, out: &'a str) -> Vec<&'a str> {
    vec!["build", "--osm", osm, "--out", out]
}

#[test]
fn missing_input_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("g.nbg");
    let o = out.to_str().expect("utf8");
    assert_clean_failure(
        &build_args("/nonexistent/x.osm.pbf", o),
        "cannot open /nonexistent/x.osm.pbf",
        &out,
    );
}

#[test]
fn a_file_that_is_not_pbf() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("notes.osm.pbf");
    std::fs::write(
        &input,
        "this is a text file, not OpenStreetMap data\n".repeat(20),
    )
    .expect("write");
    let out = dir.path().join("g.nbg");
    assert_clean_failure(
        &build_args(input.to_str().expect("utf8"), out.to_str().expect("utf8")),
        "is not an OSM PBF file",
        &out,
    );
    let empty = dir.path().join("empty.osm.pbf");
    std::fs::write(&empty, b"").expect("write");
    assert_clean_failure(
        &build_args(empty.to_str().expect("utf8"), out.to_str().expect("utf8")),
        "empty",
        &out,
    );
}

#[test]
fn a_truncated_pbf() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = std::fs::read(osm(MALTA)).expect("malta");
    let input = dir.path().join("cut.osm.pbf");
    std::fs::write(&input, &bytes[..bytes.len() / 2]).expect("write");
    let out = dir.path().join("g.nbg");
    assert_clean_failure(
        &build_args(input.to_str().expect("utf8"), out.to_str().expect("utf8")),
        "damaged or truncated",
        &out,
    );
}

#[test]
fn a_pbf_without_drivable_roads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("paths.osm.pbf");
    {
        let f = std::fs::File::create(&input).expect("create");
        let mut w =
            nabij::synth::pbf::PbfWriter::new(f, [4.0, 52.0, 4.1, 52.1], "test").expect("hdr");
        for i in 1..=3 {
            w.node(i, 520_000_000 + i as i32 * 1000, 40_000_000, &[])
                .expect("node");
        }
        w.way(1, &[1, 2, 3], &[("highway", "footway")])
            .expect("way");
        w.way(2, &[1, 3], &[("highway", "cycleway")]).expect("way");
        w.finish().expect("finish");
    }
    let out = dir.path().join("g.nbg");
    assert_clean_failure(
        &build_args(input.to_str().expect("utf8"), out.to_str().expect("utf8")),
        "contains no road that a car may drive on (2 ways read)",
        &out,
    );
}

#[test]
fn an_unwritable_output_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("no/such/dir/g.nbg");
    assert_clean_failure(
        &build_args(
            osm(MALTA).to_str().expect("utf8"),
            out.to_str().expect("utf8"),
        ),
        "cannot write",
        &out,
    );
    // A directory as output.
    let (ok, _, stderr) = nabij(&build_args(
        osm(MALTA).to_str().expect("utf8"),
        dir.path().to_str().expect("utf8"),
    ));
    assert!(!ok && stderr.contains("directory"), "{stderr}");
}

#[test]
fn an_invalid_profile() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("g.nbg");
    let o = out.to_str().expect("utf8");
    let m = osm(MALTA);
    let m = m.to_str().expect("utf8");
    for (text, needle) in [
        ("maxspeed_factor = [", "not valid TOML"),
        (
            "[highway_speeds_kmh]\nresidential = 0\n",
            "highway_speeds_kmh.residential",
        ),
        ("colour = \"blue\"\n", "unknown field"),
    ] {
        let profile = dir.path().join("car.toml");
        std::fs::write(&profile, text).expect("write");
        let mut args = build_args(m, o);
        args.extend(["--profile", profile.to_str().expect("utf8")]);
        assert_clean_failure(&args, needle, &out);
    }
    let mut args = build_args(m, o);
    args.extend(["--profile", "/nonexistent/car.toml"]);
    assert_clean_failure(&args, "cannot read profile", &out);
}

#[test]
fn an_existing_output_survives_a_failed_build() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("g.nbg");
    std::fs::write(&out, b"previous graph").expect("write");
    let (ok, _, _) = nabij(&build_args(
        "/nonexistent.osm.pbf",
        out.to_str().expect("utf8"),
    ));
    assert!(!ok);
    assert_eq!(std::fs::read(&out).expect("kept"), b"previous graph");
}

#[test]
fn corrupt_or_foreign_graph_files_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = dir.path().join("m.nbg");
    nabij::pipeline::build_to_file(
        &osm(MALTA),
        &good,
        &nabij::ingest::CarProfile::default(),
        &nabij::progress::Progress::hidden(),
    )
    .expect("build");
    let bytes = std::fs::read(&good).expect("read");
    let read = |b: &[u8]| nabij::graph::file::decode_graph(b, Path::new("x.nbg")).map(|_| ());
    assert!(read(&bytes).is_ok());
    let msg =
        |r: Result<(), nabij::graph::file::GraphFileError>| r.expect_err("refused").to_string();
    assert!(msg(read(b"PK\x03\x04 a zip file, not a graph")).contains("not a nabij graph"));
    assert!(msg(read(&bytes[..bytes.len() / 3])).contains("corrupt"));
    let mut flipped = bytes.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x40;
    assert!(msg(read(&flipped)).contains("checksum"));
    let mut version = bytes.clone();
    version[8] = 99;
    assert!(msg(read(&version)).contains("version 99"));
    assert!(nabij::graph::file::read_graph(Path::new("/nonexistent.nbg")).is_err());
}

#[test]
fn corrupted_bytes_never_crash_the_build() {
    // Flip a few bytes at seeded positions of the real Malta extract: each build must either
    // succeed or fail with a clean error, never panic (the decoder is guarded).
    let bytes = std::fs::read(osm(MALTA)).expect("malta");
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("corrupt.osm.pbf");
    let profile = nabij::ingest::CarProfile::default();
    for seed in 0..40u64 {
        let mut rng = nabij::rng::SplitMix64::new(seed);
        let mut b = bytes.clone();
        for _ in 0..1 + rng.below(8) {
            let i = rng.below(b.len() as u64) as usize;
            b[i] ^= 1 << rng.below(8);
        }
        std::fs::write(&input, &b).expect("write");
        let r = std::panic::catch_unwind(|| {
            nabij::pipeline::build_in_memory(&input, &profile, &nabij::progress::Progress::hidden())
                .map(|_| ())
        });
        assert!(r.is_ok(), "seed {seed}: the build panicked");
    }
}

#[test]
fn a_decoder_panic_becomes_a_damaged_file_error() {
    let r: Result<(), _> =
        nabij::pipeline::guard_decoder(Path::new("x.osm.pbf"), || panic!("decoder bug"));
    let msg = r.expect_err("converted").to_string();
    assert!(msg.contains("x.osm.pbf is damaged or truncated"), "{msg}");
}

/// A forged graph file with a valid checksum: every value a search trusts is checked on every
/// load, not only with `info --check`.
#[test]
fn forged_values_with_a_valid_checksum_are_refused_on_load() {
    let dir = tempfile::tempdir().expect("tempdir");
    let base = common::build(common::MALTA);
    let forge = |name: &str, f: &dyn Fn(&mut nabij::graph::RoadGraph)| {
        let mut g = base.clone();
        f(&mut g);
        common::write_and_read(dir.path(), name, &g)
    };
    assert!(forge("ok.nbg", &|_| {}).is_ok());
    for (name, f, needle) in [
        (
            "nan.nbg",
            (&|g: &mut nabij::graph::RoadGraph| g.edge_length_m[7] = f32::NAN)
                as &dyn Fn(&mut nabij::graph::RoadGraph),
            "length",
        ),
        ("neg.nbg", &|g| g.edge_length_m[3] = -5.0, "length"),
        (
            "far.nbg",
            &|g| g.node_lat_e7[11] = 890_000_000,
            "bounding box",
        ),
        (
            "slow.nbg",
            &|g| {
                for t in [&mut g.edge_time_fw_ms[5], &mut g.edge_time_bw_ms[5]] {
                    if *t != nabij::graph::NO_TIME {
                        *t = 900_000_000;
                    }
                }
            },
            "two days",
        ),
        ("class.nbg", &|g| g.edge_class[2] = 200, "road class"),
    ] {
        let e = forge(name, f).expect_err(name);
        let msg = e.to_string();
        assert!(
            msg.contains("corrupt") && msg.contains(needle),
            "{name}: {msg}"
        );
    }
}
