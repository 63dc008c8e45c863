//! `nabij time`, `nabij matrix`, `nabij isochrone` as a user runs them.

mod common;

use common::*;

fn malta_graph(dir: &std::path::Path) -> String {
    cli_build(dir, &osm(MALTA), "malta.nbg")
}

#[test]
fn time_prints_json_with_seconds_meters_and_snaps_and_writes_the_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let g = malta_graph(dir.path());
    let path = dir.path().join("path.geojson");
    let (ok, out, err) = nabij(&[
        "time",
        "--graph",
        &g,
        "--from",
        "14.5146,35.8989",
        "--to",
        "14.4033,35.8858",
        "--format",
        "json",
        "--path-geojson",
        path.to_str().expect("utf8"),
    ]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("one JSON object");
    for key in ["seconds", "meters", "from_snap_m", "to_snap_m"] {
        assert!(v[key].as_f64().is_some(), "{key} missing in {out}");
    }
    assert!(v["seconds"].as_f64().unwrap_or(0.0) > 300.0);
    let feature: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("path written")).expect("json");
    assert_eq!(feature["geometry"]["type"], "LineString");
    // Text output too.
    let (ok, out, _) = nabij(&[
        "time",
        "--graph",
        &g,
        "--from",
        "14.5146,35.8989",
        "--to",
        "14.4033,35.8858",
    ]);
    assert!(ok && out.contains("min") && out.contains("km"), "{out}");
}

#[test]
fn time_explains_unroutable_and_malformed_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    let g = malta_graph(dir.path());
    // In the sea, 20 km off Malta.
    let (ok, out, err) = nabij(&[
        "time",
        "--graph",
        &g,
        "--from",
        "14.5146,35.8989",
        "--to",
        "14.3,35.6",
        "--format",
        "json",
    ]);
    assert!(!ok);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["routable"], false);
    assert!(
        v["reason"]
            .as_str()
            .unwrap_or("")
            .contains("m from the nearest drivable road"),
        "{out}"
    );
    assert!(err.starts_with("error: to:"), "{err}");
    for bad in ["14.5", "abc,35.9", "14.5;35.9", "200,35.9", "14.5,35.9,3"] {
        let (ok, _, err) = nabij(&[
            "time",
            "--graph",
            &g,
            "--from",
            bad,
            "--to",
            "14.4033,35.8858",
        ]);
        assert!(!ok && !err.contains("panicked"), "{bad}: {err}");
        assert!(
            err.contains("--from"),
            "{bad}: the error names the argument: {err}"
        );
    }
    let (ok, _, err) = nabij(&[
        "time",
        "--graph",
        "/nonexistent.nbg",
        "--from",
        "14.5,35.9",
        "--to",
        "14.4,35.8",
    ]);
    assert!(!ok && err.contains("cannot read graph"), "{err}");
}

#[test]
fn matrix_writes_the_documented_csv_columns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let g = malta_graph(dir.path());
    let o = dir.path().join("o.csv");
    let d = dir.path().join("d.csv");
    std::fs::write(
        &o,
        "id,lon,lat\nvalletta,14.5146,35.8989\nmdina,14.4033,35.8858\n",
    )
    .expect("write");
    std::fs::write(&d, "id,lon,lat\nvictoria,14.2394,36.0444\nsea,14.3,35.6\n").expect("write");
    let (ok, out, err) = nabij(&[
        "matrix",
        "--graph",
        &g,
        "--origins",
        o.to_str().expect("utf8"),
        "--destinations",
        d.to_str().expect("utf8"),
    ]);
    assert!(ok, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "origin_id,destination_id,seconds,meters,reason,synthetic_roads"
    );
    assert_eq!(lines.len(), 5);
    assert!(lines[1].starts_with("valletta,victoria,"));
    assert!(
        lines[2].starts_with("valletta,sea,,,") && lines[2].contains("nearest drivable road"),
        "unroutable pairs are empty, with the reason: {}",
        lines[2]
    );
    let (ok, out, _) = nabij(&[
        "matrix",
        "--graph",
        &g,
        "--origins",
        o.to_str().expect("utf8"),
        "--destinations",
        d.to_str().expect("utf8"),
        "--format",
        "json",
    ]);
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["pairs"].as_array().map(|a| a.len()), Some(4));
    assert_eq!(v["synthetic_roads"], false);
    // A file without the id column.
    std::fs::write(&o, "name,lon,lat\nx,14.5,35.9\n").expect("write");
    let (ok, _, err) = nabij(&[
        "matrix",
        "--graph",
        &g,
        "--origins",
        o.to_str().expect("utf8"),
        "--destinations",
        d.to_str().expect("utf8"),
    ]);
    assert!(!ok && err.contains("missing column \"id\""), "{err}");
}

#[test]
fn isochrone_writes_rfc7946_polygon_and_roads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let g = malta_graph(dir.path());
    let poly = dir.path().join("iso.geojson");
    let roads = dir.path().join("roads.geojson");
    let (ok, _, err) = nabij(&[
        "isochrone",
        "--graph",
        &g,
        "--at",
        "14.5146,35.8989",
        "--minutes",
        "10",
        "--out",
        poly.to_str().expect("utf8"),
        "--roads-out",
        roads.to_str().expect("utf8"),
    ]);
    assert!(ok, "{err}");
    let fc: geojson::FeatureCollection = std::fs::read_to_string(&poly)
        .expect("written")
        .parse()
        .expect("valid GeoJSON");
    assert!(
        fc.foreign_members
            .as_ref()
            .is_none_or(|m| !m.contains_key("crs")),
        "no crs member (RFC 7946)"
    );
    let geom = fc.features[0].geometry.as_ref().expect("geometry");
    let mp: geo::MultiPolygon<f64> = geom.value.clone().try_into().expect("a (multi)polygon");
    use geo::Winding;
    for p in &mp.0 {
        assert!(
            p.exterior().is_ccw(),
            "exterior rings are counter-clockwise"
        );
    }
    let rfc: geojson::FeatureCollection = std::fs::read_to_string(&roads)
        .expect("roads")
        .parse()
        .expect("valid");
    assert!(rfc.features.len() > 100);
    let (ok, _, err) = nabij(&[
        "isochrone",
        "--graph",
        &g,
        "--at",
        "14.5,35.9",
        "--minutes",
        "0",
    ]);
    assert!(!ok && err.contains("--minutes"), "{err}");
}

#[test]
fn every_routing_output_on_synthetic_roads_is_labelled_and_gives_reasons() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("path.geojson");
    let (ok, out, err) = nabij(&[
        "time",
        "--demo",
        "--from",
        "2.36,52.85",
        "--to",
        "2.67,52.85",
        "--path",
        "--path-geojson",
        path.to_str().expect("utf8"),
    ]);
    assert!(ok, "{err}");
    assert!(
        out.contains("[SYNTHETIC roads]") && out.contains("path (LON,LAT):"),
        "{out}"
    );
    let feature = std::fs::read_to_string(&path).expect("path written");
    assert!(feature.contains("\"synthetic_roads\":true"), "{feature}");
    // The isochrone of a demo facility by its id, with its roads labelled.
    let roads = dir.path().join("roads.geojson");
    let (ok, out, err) = nabij(&[
        "isochrone",
        "--demo",
        "--at",
        "NB-01",
        "--minutes",
        "10",
        "--roads-out",
        roads.to_str().expect("utf8"),
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("\"synthetic_roads\":true"), "{out}");
    let roads = std::fs::read_to_string(&roads).expect("roads written");
    assert!(roads.contains("SYNTHETIC roads"), "roads are labelled");
    // An unroutable matrix cell says why.
    let pts = dir.path().join("pts.csv");
    std::fs::write(&pts, "id,lon,lat\na,2.36,52.85\nsea,2.0,52.0\n").expect("write");
    let p = pts.to_str().expect("utf8");
    let (ok, out, err) = nabij(&["matrix", "--demo", "--origins", p, "--destinations", p]);
    assert!(ok, "{err}");
    let sea = out
        .lines()
        .find(|l| l.starts_with("a,sea,"))
        .expect("a row");
    assert!(
        sea.contains("drivable road") && sea.ends_with(",true"),
        "{sea}"
    );
}
