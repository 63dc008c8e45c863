//! The interface as a GIS user and a planner meet it: inputs that miss the graph, unknown
//! population, unplaced facilities, statuses that agree with their figures, long names,
//! help texts, logging and the `synth --bbox` form.

mod common;

use common::nabij;

/// `nabij --quiet coverage --demo FLAG VALUE --format FORMAT`: the demo with one input replaced.
fn demo_coverage(flag: &str, value: &str, format: &str) -> (bool, String, String) {
    nabij(&[
        "--quiet", "coverage", "--demo", flag, value, "--format", format,
    ])
}

fn repo(p: &str) -> String {
    format!("{}/{p}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn facilities_that_miss_the_graph_are_an_error_not_an_empty_answer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let far = dir.path().join("far.csv");
    // Real Dutch facilities against the North Sea demo roads.
    std::fs::write(
        &far,
        "id,name,type,lon,lat\nA,Amsterdam,kleinschalig_verblijf,4.9,52.37\nB,Utrecht,kleinschalig_verblijf,5.12,52.09\n",
    )
    .expect("write");
    let (ok, out, err) = demo_coverage("--facilities", far.to_str().expect("utf8"), "text");
    assert!(!ok, "exit 0 with {out}");
    assert!(
        err.contains("none of the 2 facilities lies on the road graph"),
        "{err}"
    );
    // Municipalities far from the roads: the same.
    let (ok, _, err) = nabij(&[
        "--quiet",
        "coverage",
        "--demo",
        "--municipalities",
        &format!(
            "{}/../shared/data/boundaries/gemeenten_2024.geojson",
            env!("CARGO_MANIFEST_DIR")
        ),
        "--format",
        "text",
    ]);
    assert!(!ok);
    assert!(err.contains("overlaps the road graph"), "{err}");
}

#[test]
fn an_unplaced_facility_is_listed_with_its_reason_and_counts_for_no_status() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fac = dir.path().join("f.csv");
    let mut text = std::fs::read_to_string(repo("data/demo/facilities.csv")).expect("demo");
    // A facility inside Leegwater (no roads), 5 km from any road.
    text.push_str(
        "NB-99,In het water,kleinschalig_verblijf,3.55,52.42,4,1,8,18,4,0.25,no,active,GM9015\n",
    );
    std::fs::write(&fac, text).expect("write");
    for format in ["json", "csv", "geojson", "text"] {
        let (ok, out, err) = demo_coverage("--facilities", fac.to_str().expect("utf8"), format);
        assert!(ok, "{err}");
        assert!(
            out.contains("NB-99: point"),
            "{format}: the reason is missing"
        );
    }
    let (_, out, _) = demo_coverage("--facilities", fac.to_str().expect("utf8"), "json");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let leeg = common::municipality(&v, "GM9015");
    assert_eq!(leeg["status"], "unreachable");
    assert_eq!(leeg["facilities_in_municipality"], 0);
    // No status contradicts its own figures.
    for m in v["municipalities"].as_array().expect("list") {
        let share = m["share_within_limit"].as_f64().expect("share");
        let own = m["facilities_in_municipality"].as_u64().expect("count");
        match m["status"].as_str().expect("status") {
            "own_municipality" => assert!(own > 0, "{m}"),
            "within_limit" => assert!(own == 0 && share >= 0.5, "{m}"),
            "within_region" | "outside_region" => assert!(
                own == 0 && share < 0.5 && !m["minutes_median"].is_null(),
                "{m}"
            ),
            "unreachable" => assert!(own == 0 && m["minutes_median"].is_null(), "{m}"),
            other => panic!("unknown status {other}"),
        }
    }
}

#[test]
fn without_a_population_the_output_says_so_and_long_names_align() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut fc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo("data/demo/municipalities.geojson")).expect("demo"),
    )
    .expect("json");
    for (i, f) in fc["features"]
        .as_array_mut()
        .expect("features")
        .iter_mut()
        .enumerate()
    {
        let p = f["properties"].as_object_mut().expect("props");
        p.remove("est_0_22");
        p.remove("inwoners_2024");
        if i == 0 {
            p.insert(
                "gemeentenaam".into(),
                "Súdwest-Fryslân aan de Lange Waterweg".into(),
            );
        }
    }
    let m = dir.path().join("m.geojson");
    std::fs::write(&m, fc.to_string()).expect("write");
    let (ok, out, err) = demo_coverage("--municipalities", m.to_str().expect("utf8"), "text");
    assert!(ok, "{err}");
    assert!(out.contains("population unknown"), "{out}");
    assert!(!out.contains("places per 10,000"), "{out}");
    // The status column starts at the same character on every row, long name or not.
    let rows: Vec<&str> = out.lines().filter(|l| l.starts_with("GM90")).collect();
    let at = |l: &str| {
        [
            "own_municipality",
            "within_limit",
            "within_region",
            "outside_region",
            "unreachable",
        ]
        .iter()
        .find_map(|s| l.find(s).map(|b| l[..b].chars().count()))
        .expect("a status")
    };
    let first = at(rows[0]);
    assert!(rows.iter().all(|r| at(r) == first), "{out}");
    assert!(rows[0].contains("Súdwest-Fryslân aan de Lange Waterweg"));
    let (_, out, _) = demo_coverage("--municipalities", m.to_str().expect("utf8"), "json");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert!(v["national"]["young_people"].is_null());
    assert!(v["national"]["places_per_10k"].is_null());
}

#[test]
fn every_flag_of_every_command_has_a_help_text() {
    use clap::CommandFactory;
    let cmd = nabij::cli::Cli::command();
    let mut missing = Vec::new();
    for sub in cmd.get_subcommands() {
        for arg in sub.get_arguments() {
            if arg.get_help().is_none() && arg.get_long_help().is_none() && arg.get_id() != "help" {
                missing.push(format!("{} --{}", sub.get_name(), arg.get_id()));
            }
        }
    }
    assert!(missing.is_empty(), "flags without help: {missing:?}");
}

#[test]
fn serve_demo_synth_bbox_and_debug_logging_work_as_documented() {
    let (ok, out, _) = nabij(&["serve", "--help"]);
    assert!(ok && out.contains("--demo"), "{out}");
    let dir = tempfile::tempdir().expect("tempdir");
    let pbf = dir.path().join("s.osm.pbf");
    let (ok, _, err) = nabij(&[
        "--quiet",
        "synth",
        "--out",
        pbf.to_str().expect("utf8"),
        "--bbox",
        "4.0,52.0,4.2,52.1",
        "--way-nodes",
        "2000",
    ]);
    assert!(ok, "{err}");
    let (ok, _, err) = nabij(&["synth", "--out", "x.pbf", "--bbox", "4,52,4.2"]);
    assert!(!ok && err.contains("four numbers"), "{err}");
    // RUST_LOG=debug shows nabij's own logs and not the dependencies' debug output.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nabij"))
        .args(["coverage", "--demo", "--format", "csv"])
        .env("RUST_LOG", "debug")
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success());
    assert!(err.contains("nabij"), "no nabij debug lines: {err}");
    assert!(
        err.lines()
            .all(|l| !l.contains("DEBUG") || l.contains("nabij")),
        "a dependency's debug line: {err}"
    );
    assert!(!err.contains('\u{1b}'), "colour codes in a redirected log");
}

#[test]
fn the_real_cbs_boundaries_are_repaired_on_input_and_geo_stays_quiet() {
    use geo::{InteriorPoint, Validation};
    let path = common::shared_data().join("boundaries/gemeenten_2024.geojson");
    let (ms, _) = nabij::analysis::inputs::read_municipalities(&path, &Default::default())
        .expect("the CBS file reads");
    assert_eq!(ms.len(), 342);
    for m in &ms {
        assert!(
            m.geometry.is_valid(),
            "{} {}: {:?}",
            m.code,
            m.name,
            m.geometry.check_validation()
        );
        let p = m.geometry.interior_point().expect("a representative point");
        use geo::coordinate_position::{CoordPos, CoordinatePosition};
        assert_eq!(
            m.geometry.coordinate_position(&p.0),
            CoordPos::Inside,
            "{}",
            m.code
        );
    }
    // On a plain run the repair is said once and geo prints nothing.
    let (_, _, err) = nabij(&[
        "coverage",
        "--demo",
        "--municipalities",
        path.to_str().expect("utf8"),
    ]);
    assert_eq!(
        err.matches("repaired the boundaries of").count(),
        1,
        "{err}"
    );
    assert!(!err.contains("geo::"), "{err}");
}

#[test]
fn outputs_never_overwrite_inputs_links_or_special_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    // build --out naming its own input.
    let pbf = dir.path().join("malta.osm.pbf");
    std::fs::copy(common::osm(common::MALTA), &pbf).expect("copy");
    let before = std::fs::read(&pbf).expect("read");
    let p = pbf.to_str().expect("utf8");
    let (ok, _, err) = nabij(&["--quiet", "build", "--osm", p, "--out", p]);
    assert!(!ok && err.contains("is an input"), "{err}");
    assert_eq!(
        std::fs::read(&pbf).expect("read"),
        before,
        "the input is untouched"
    );
    // coverage --out naming its facilities file.
    let fac = dir.path().join("f.csv");
    std::fs::copy(repo("data/demo/facilities.csv"), &fac).expect("copy");
    let f = fac.to_str().expect("utf8");
    let (ok, _, err) = nabij(&[
        "--quiet",
        "coverage",
        "--demo",
        "--facilities",
        f,
        "--out",
        f,
    ]);
    assert!(!ok && err.contains("is an input"), "{err}");
    // A symlink and a FIFO as --out are refused, not followed or replaced.
    let target = dir.path().join("precious.txt");
    std::fs::write(&target, "keep me").expect("write");
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink(&target, &link).expect("symlink");
    let (ok, _, err) = nabij(&[
        "--quiet",
        "coverage",
        "--demo",
        "--format",
        "csv",
        "--out",
        link.to_str().expect("utf8"),
    ]);
    assert!(!ok && err.contains("symbolic link"), "{err}");
    assert_eq!(std::fs::read_to_string(&target).expect("read"), "keep me");
    let fifo = dir.path().join("fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo")
            .success()
    );
    let (ok, _, err) = nabij(&[
        "--quiet",
        "coverage",
        "--demo",
        "--out",
        fifo.to_str().expect("utf8"),
    ]);
    assert!(!ok && err.contains("special file"), "{err}");
    // No temporary file is left behind by any refusal.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_semicolon_csv_is_named_and_formulas_in_names_are_neutralised() {
    let dir = tempfile::tempdir().expect("tempdir");
    let semi = dir.path().join("f.csv");
    std::fs::write(
        &semi,
        "id;name;type;lon;lat\nA;A;kleinschalig_verblijf;2.36;52.85\n",
    )
    .expect("write");
    let (ok, _, err) = demo_coverage("--facilities", semi.to_str().expect("utf8"), "csv");
    assert!(!ok && err.contains("separated by semicolons"), "{err}");
    let mut fc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo("data/demo/municipalities.geojson")).expect("demo"),
    )
    .expect("json");
    fc["features"][0]["properties"]["gemeentenaam"] = "=HYPERLINK(\"http://evil\")".into();
    let m = dir.path().join("m.geojson");
    std::fs::write(&m, fc.to_string()).expect("write");
    let (ok, out, err) = demo_coverage("--municipalities", m.to_str().expect("utf8"), "csv");
    assert!(ok, "{err}");
    let row = out.lines().find(|l| l.starts_with("GM9001")).expect("row");
    assert!(row.contains("\"'=HYPERLINK("), "{row}");
}

#[test]
fn an_empty_facilities_file_and_swapped_coordinates_are_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "id,name,type,lon,lat\n").expect("write");
    let (ok, _, err) = demo_coverage("--facilities", empty.to_str().expect("utf8"), "csv");
    assert!(!ok && err.contains("no facilities in the file"), "{err}");
    let swapped = dir.path().join("swapped.csv");
    std::fs::write(
        &swapped,
        "id,name,type,lon,lat\nA,A,kleinschalig_verblijf,52.85,2.36\nB,B,kleinschalig_verblijf,52.6,3.2\n",
    )
    .expect("write");
    let (ok, _, err) = demo_coverage("--facilities", swapped.to_str().expect("utf8"), "csv");
    assert!(!ok, "exit 0");
    assert!(err.contains("longitude and latitude swapped"), "{err}");
}

#[test]
fn an_interrupted_command_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("big.osm.pbf");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_nabij"))
        .args([
            "--quiet",
            "synth",
            "--out",
            out.to_str().expect("utf8"),
            "--way-nodes",
            "20000000",
        ])
        .spawn()
        .expect("starts");
    // Wait until the temporary file exists, then interrupt as Ctrl-C does.
    let tmp_exists = || {
        std::fs::read_dir(dir.path())
            .expect("dir")
            .flatten()
            .any(|e| e.file_name().to_string_lossy().contains(".tmp-"))
    };
    for _ in 0..200 {
        if tmp_exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    assert!(tmp_exists(), "the command writes through a temporary file");
    let _ = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let status = child.wait().expect("exits");
    assert!(!status.success());
    assert!(!tmp_exists(), "the temporary file is removed");
    assert!(!out.exists(), "nothing half-written");
}

#[test]
fn a_contradicting_crs_is_refused_and_official_regions_are_never_replaced() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut fc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo("data/demo/municipalities.geojson")).expect("demo"),
    )
    .expect("json");
    fc["crs"] =
        serde_json::json!({"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}});
    let m = dir.path().join("m.geojson");
    std::fs::write(&m, fc.to_string()).expect("write");
    let (ok, _, err) = demo_coverage("--municipalities", m.to_str().expect("utf8"), "csv");
    assert!(!ok && err.contains("declares RdNew"), "{err}");
    // A custom grouping called jeugdregio does not replace the official jeugdregio.
    let g = dir.path().join("g.csv");
    let mut csv = String::from("gemeentecode,jeugdregio\n");
    for k in 1..=20 {
        csv.push_str(&format!("GM90{k:02},Alles\n"));
    }
    std::fs::write(&g, csv).expect("write");
    let (ok, out, err) = nabij(&[
        "coverage",
        "--demo",
        "--grouping-csv",
        g.to_str().expect("utf8"),
        "--format",
        "json",
    ]);
    assert!(ok, "{err}");
    assert!(err.contains("jeugdregio_custom"), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let m1 = common::municipality(&v, "GM9001");
    assert_eq!(m1["regions"]["jeugdregio"], "JZ91");
    assert_eq!(m1["regions"]["jeugdregio_custom"], "Alles");
}
