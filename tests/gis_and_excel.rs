//! Downloads a GIS analyst and a policy officer open directly (issue #25, first part): the
//! coverage layer names what it holds and orders its fields for people; the tier carries a
//! label and a rank for styling; the regions come as polygons and as a table; the CSV has a
//! dialect that Dutch Excel opens in columns.

mod common;

use common::nabij;

fn run(args: &[&str]) -> String {
    let (ok, out, err) = nabij(args);
    assert!(ok, "{args:?}: {err}");
    out
}

#[test]
fn the_coverage_layer_names_what_it_holds_and_orders_its_fields() {
    let text = run(&[
        "--quiet",
        "coverage",
        "--demo",
        "--format",
        "geojson",
        "--minutes",
        "30",
    ]);
    let v: serde_json::Value = serde_json::from_str(&text).expect("geojson");
    assert_eq!(v["name"], "nabij_coverage_kleinschalig_30min");
    let props = v["features"][0]["properties"]
        .as_object()
        .expect("properties");
    let keys: Vec<&str> = props.keys().map(String::as_str).take(5).collect();
    assert_eq!(
        keys,
        ["code", "name", "status", "status_label", "status_rank"]
    );
    assert_eq!(props["need_profile"], "kleinschalig");
    assert_eq!(props["limit_minutes"], 30.0);
    assert_eq!(props["synthetic_roads"], true);
    // Every status has its Dutch label and its rank on the ladder.
    for f in v["features"].as_array().expect("features") {
        let p = &f["properties"];
        let (label, rank) = match p["status"].as_str().expect("status") {
            "own_municipality" => ("in de eigen gemeente", 1),
            "within_limit" => ("binnen de norm", 2),
            "within_region" => ("verder weg in de eigen regio", 3),
            "outside_region" => ("alleen buiten de regio", 4),
            "unreachable" => ("niet bereikbaar", 5),
            other => panic!("status {other}"),
        };
        assert_eq!(
            (p["status_label"].as_str(), p["status_rank"].as_u64()),
            (Some(label), Some(rank))
        );
    }
    let en = run(&[
        "--quiet", "coverage", "--demo", "--format", "geojson", "--lang", "en",
    ]);
    assert!(
        en.contains("\"status_label\":\"in the own municipality\""),
        "{en:.300}"
    );
}

#[test]
fn the_dutch_csv_dialect_opens_in_columns_with_decimal_commas() {
    let json: serde_json::Value =
        serde_json::from_str(&run(&["--quiet", "coverage", "--demo", "--format", "json"]))
            .expect("json");
    let text = run(&[
        "--quiet",
        "coverage",
        "--demo",
        "--format",
        "csv",
        "--csv-dialect",
        "nl",
    ]);
    let body = text
        .strip_prefix('\u{feff}')
        .expect("UTF-8 byte-order mark first");
    let mut r = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(body.as_bytes());
    let headers = r.headers().expect("header").clone();
    let col = |n: &str| headers.iter().position(|h| h == n).expect(n);
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.expect("row")).collect();
    assert_eq!(rows.len(), 20);
    for (row, m) in rows
        .iter()
        .zip(json["municipalities"].as_array().expect("municipalities"))
    {
        assert_eq!(&row[col("code")], m["code"].as_str().expect("code"));
        // Numbers with a decimal comma, equal to the JSON's.
        let cell = &row[col("demand")];
        assert!(!cell.contains('.'), "{cell}");
        let parsed: f64 = cell.replace(',', ".").parse().expect("a number");
        assert_eq!(parsed, m["demand"].as_f64().expect("demand"));
    }
    // The standard dialect is unchanged: comma, decimal point, no byte-order mark.
    let std = run(&["--quiet", "coverage", "--demo", "--format", "csv"]);
    assert!(std.starts_with("code,name,status,"), "{std:.80}");
}

#[test]
fn regions_come_as_polygons_and_as_a_table() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = run(&[
        "--quiet",
        "regions",
        "--demo",
        "--grouping",
        "jeugdregio",
        "--format",
        "geojson",
    ]);
    let v: serde_json::Value = serde_json::from_str(&text).expect("geojson");
    let fs = v["features"].as_array().expect("features");
    assert_eq!(fs.len(), 3);
    assert_eq!(v["name"], "nabij_regions_jeugdregio_kleinschalig_45min");
    use geo::{Area, Validation};
    let mut total = 0.0;
    for f in fs {
        let g: geo::Geometry<f64> =
            serde_json::from_value::<geojson::Geometry>(f["geometry"].clone())
                .expect("geometry")
                .value
                .try_into()
                .expect("geo");
        assert!(g.is_valid(), "{}: {:?}", f["id"], g.check_validation());
        total += g.unsigned_area();
        // Lists are one text cell; flags by rule.
        assert!(f["properties"]["flags"].is_string());
        assert!(f["properties"]["gap_municipalities"].is_string());
    }
    // The regions together cover exactly the municipalities.
    let munis: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("data/demo/municipalities.geojson"),
        )
        .expect("demo"),
    )
    .expect("json");
    let mut area = 0.0;
    for f in munis["features"].as_array().expect("features") {
        let g: geo::Geometry<f64> =
            serde_json::from_value::<geojson::Geometry>(f["geometry"].clone())
                .expect("geometry")
                .value
                .try_into()
                .expect("geo");
        area += g.unsigned_area();
    }
    assert!(
        (total - area).abs() < 1e-9 * area.max(1.0),
        "{total} vs {area}"
    );
    let csv = run(&[
        "--quiet",
        "regions",
        "--demo",
        "--grouping",
        "zorggebied",
        "--format",
        "csv",
    ]);
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(r.headers().expect("header").get(1), Some("code"));
    assert_eq!(r.records().count(), 2);
    if !common::skip_without(&[common::Tool::Command("ogrinfo")]) {
        let file = dir.path().join("regions.geojson");
        std::fs::write(&file, &text).expect("write");
        let out = std::process::Command::new("ogrinfo")
            .args(["-so", "-al"])
            .arg(&file)
            .output()
            .expect("ogrinfo");
        let info = String::from_utf8_lossy(&out.stdout);
        assert!(
            info.contains("Feature Count: 3") && info.contains("Multi Polygon"),
            "{info}"
        );
    }
}

/// GET over loopback; (status, content type, body).
fn get(addr: &str, path: &str) -> (u16, String, String) {
    let (status, head, body) = common::http(addr, "GET", path, &[], "");
    let ctype = head
        .lines()
        .find_map(|l| l.strip_prefix("content-type: ").map(str::to_string))
        .unwrap_or_default();
    (status, ctype, body)
}

#[test]
fn the_api_serves_region_layers_labels_and_the_dutch_dialect() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = common::Served::demo(&dir.path().join("s.sqlite"), None);
    let a = &server.addr;
    let (s, t, body) = get(a, "/api/v1/regions?grouping=jeugdregio&format=geojson");
    assert_eq!(
        (s, t.as_str()),
        (200, "application/geo+json"),
        "{body:.200}"
    );
    let v: serde_json::Value = serde_json::from_str(&body).expect("geojson");
    assert_eq!(v["features"].as_array().map(Vec::len), Some(3));
    let (s, t, body) = get(a, "/api/v1/regions?format=csv&csv_dialect=nl");
    assert_eq!(s, 200);
    assert!(t.starts_with("text/csv"), "{t}");
    assert!(
        body.starts_with('\u{feff}') && body.contains(";JZ91;"),
        "{body:.200}"
    );
    let (_, _, body) = get(a, "/api/v1/coverage?lang=en");
    assert!(
        body.contains("\"status_label\":\"within the limit\""),
        "{body:.300}"
    );
    for bad in [
        "/api/v1/coverage?lang=fr",
        "/api/v1/coverage?format=csv&csv_dialect=excel",
        "/api/v1/regions?format=shp",
    ] {
        let (s, t, body) = get(a, bad);
        assert_eq!(s, 400, "{bad}: {body}");
        assert!(t.starts_with("application/problem+json"), "{bad}: {t}");
    }
}

#[test]
fn the_workbook_opens_with_dutch_headers_numbers_and_percentages() {
    if common::skip_without(&[common::Tool::PyModule("openpyxl")]) {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("dekking.xlsx");
    run(&[
        "--quiet",
        "coverage",
        "--demo",
        "--format",
        "xlsx",
        "--out",
        file.to_str().expect("utf8"),
    ]);
    let json: serde_json::Value =
        serde_json::from_str(&run(&["--quiet", "coverage", "--demo", "--format", "json"]))
            .expect("json");
    let out = std::process::Command::new(common::python())
        .arg(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/spreadsheet/read_xlsx.py"),
        )
        .arg(&file)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let book: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        book["sheets"],
        serde_json::json!(["Gemeenten", "Regio's", "Toelichting"])
    );
    let g = &book["Gemeenten"];
    assert_eq!(g["frozen"], "A2");
    assert!(
        g["filter"].as_str().is_some_and(|f| f.starts_with("A1:")),
        "{}",
        g["filter"]
    );
    let header: Vec<&str> = g["header"]
        .as_array()
        .expect("header")
        .iter()
        .filter_map(|h| h.as_str())
        .collect();
    assert_eq!(&header[..3], ["Code", "Gemeente", "Niveau"]);
    let col = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let rows = g["rows"].as_array().expect("rows");
    let munis = json["municipalities"].as_array().expect("municipalities");
    assert_eq!(rows.len(), munis.len());
    for (row, m) in rows.iter().zip(munis) {
        assert_eq!(row[col("Code")], m["code"]);
        // Numbers are numbers, equal to the JSON's (shares as fractions, shown as %).
        let share = row[col("Jongeren binnen de norm")]
            .as_f64()
            .expect("a number");
        assert!((share - m["share_within_limit"].as_f64().expect("share")).abs() < 1e-3);
        let young = row[col("Jongeren (aantal)")].as_f64().expect("a number");
        assert_eq!(young, m["young_people"].as_f64().expect("young people"));
    }
    assert_eq!(g["formats"][col("Jongeren binnen de norm")], "0.0%");
    let r = &book["Regio's"];
    assert_eq!(r["frozen"], "A2");
    assert_eq!(
        r["rows"].as_array().map(Vec::len),
        json["regions"].as_array().map(Vec::len)
    );
    // Like every output, a special file is refused (the workbook goes to a file).
    let (ok, _, err) = nabij(&[
        "coverage",
        "--demo",
        "--format",
        "xlsx",
        "--out",
        "/dev/stdout",
    ]);
    assert!(!ok, "{err}");
}

#[test]
fn the_geopackage_has_three_layers_a_tier_style_and_passes_gdals_validation() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("dekking.gpkg");
    run(&[
        "--quiet",
        "coverage",
        "--demo",
        "--format",
        "gpkg",
        "--out",
        file.to_str().expect("utf8"),
    ]);
    // Read as QGIS would find it: the layers, the style stored for the municipalities.
    let c = rusqlite::Connection::open(&file).expect("sqlite");
    let app: i64 = c
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .expect("id");
    assert_eq!(app, 0x4750_4B47, "GPKG");
    let layers: Vec<(String, String)> = c
        .prepare(
            "SELECT table_name, geometry_type_name FROM gpkg_geometry_columns ORDER BY table_name",
        )
        .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
        .expect("layers");
    assert_eq!(
        layers,
        [
            (
                "nabij_coverage_kleinschalig_45min".to_string(),
                "MULTIPOLYGON".to_string()
            ),
            ("nabij_facilities".to_string(), "POINT".to_string()),
            (
                "nabij_regions_jeugdregio_kleinschalig_45min".to_string(),
                "MULTIPOLYGON".to_string()
            ),
        ]
    );
    let (table, qml): (String, String) = c
        .query_row(
            "SELECT f_table_name, styleQML FROM layer_styles WHERE useAsDefault",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("a default style");
    assert_eq!(table, "nabij_coverage_kleinschalig_45min");
    assert!(
        qml.contains(r#"attr="status_rank""#) && qml.contains("binnen de norm"),
        "{qml:.300}"
    );
    let n: i64 = c
        .query_row(
            "SELECT count(*) FROM nabij_coverage_kleinschalig_45min WHERE geom IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(n, 20);
    drop(c);
    if common::skip_without(&[common::Tool::Command("ogrinfo")]) {
        return;
    }
    let out = std::process::Command::new("ogrinfo")
        .args(["-ro", "-al", "-so"])
        .arg(&file)
        .output()
        .expect("ogrinfo");
    let info = String::from_utf8_lossy(&out.stdout);
    let warnings = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && info.matches("Feature Count").count() >= 3,
        "{info}"
    );
    assert!(
        !warnings.contains("Warning") && !warnings.contains("ERROR"),
        "{warnings}"
    );
    // GDAL's own GeoPackage validator (from python3-gdal, which gdal-bin depends on).
    let validator = "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py";
    let have = std::path::Path::new(validator).exists();
    assert!(
        have || std::env::var_os("NABIJ_REQUIRE_TOOLS").is_none(),
        "GDAL's validate_gpkg.py (python3-gdal) is missing"
    );
    if have {
        let out = std::process::Command::new("/usr/bin/python3")
            .arg(validator)
            .arg(&file)
            .output()
            .expect("validate_gpkg.py");
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn facility_properties_are_flat() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = common::Served::demo(&dir.path().join("s.sqlite"), None);
    let (s, _, body) = get(&server.addr, "/api/v1/facilities/NB-01");
    assert_eq!(s, 200, "{body}");
    let f: serde_json::Value = serde_json::from_str(&body).expect("geojson");
    let p = f["properties"].as_object().expect("properties");
    assert!(p.values().all(|v| !v.is_object()), "{p:?}");
    assert!(!p.contains_key("properties"));
    // The demo file's extra column (its municipality) is a property like any other.
    assert!(p.contains_key("municipality"), "{p:?}");
}
