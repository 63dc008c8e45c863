//! OGC API – Features as QGIS and GDAL use it: GDAL's `OAPIF` driver lists and reads every
//! collection and copies one to a GeoPackage with a bbox in RD New; and a checklist per
//! conformance class claimed (Core, GeoJSON, HTML, OpenAPI 3.0, CRS), request by request.
//! (The OGC's own test suite, a Java web application, is not run here.)

mod common;

use serde_json::Value;

const RD: &str = "http://www.opengis.net/def/crs/EPSG/0/28992";

/// GET with an Accept header; (status, headers lower-cased, body).
fn get(addr: &str, path: &str, accept: &str) -> (u16, String, String) {
    common::http(addr, "GET", path, &[&format!("Accept: {accept}")], "")
}

fn json(addr: &str, path: &str) -> Value {
    let (s, _, body) = get(addr, path, "application/json");
    assert_eq!(s, 200, "{path}: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body:.200}"))
}

fn rels(v: &Value) -> Vec<String> {
    v["links"]
        .as_array()
        .map(|l| {
            l.iter()
                .filter_map(|x| x["rel"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The href of the first link with `rel`, without the server part.
fn href(v: &Value, rel: &str, addr: &str) -> String {
    v["links"]
        .as_array()
        .and_then(|l| l.iter().find(|x| x["rel"] == rel))
        .and_then(|x| x["href"].as_str())
        .map(|h| h.replace(&format!("http://{addr}"), ""))
        .unwrap_or_else(|| panic!("no {rel} link in {v}"))
}

#[test]
fn the_conformance_classes_hold_request_by_request() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = common::Served::demo(&dir.path().join("s.sqlite"), None);
    let a = &server.addr;
    // Core: the landing page links the API definition, the conformance and the data.
    let landing = json(a, "/ogc");
    for rel in ["self", "service-desc", "conformance", "data"] {
        assert!(
            rels(&landing).contains(&rel.to_string()),
            "landing lacks {rel}"
        );
    }
    let conf = json(a, &href(&landing, "conformance", a));
    let classes: Vec<&str> = conf["conformsTo"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for c in ["core", "geojson", "html", "oas30"] {
        let uri = format!("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/{c}");
        assert!(classes.contains(&uri.as_str()), "{uri}");
    }
    assert!(classes.contains(&"http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs"));
    // OAS 3.0: the API definition describes the OGC paths.
    let api = json(a, &href(&landing, "service-desc", a));
    assert!(
        api["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.0"))
    );
    assert!(api["paths"]["/ogc/collections/{collectionId}/items"].is_object());
    // Collections: every one has an id, an extent, its CRSs and an items link.
    let cols = json(a, &href(&landing, "data", a));
    let ids: Vec<&str> = cols["collections"]
        .as_array()
        .expect("collections")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "coverage",
            "facilities",
            "regions_jeugdregio",
            "regions_provincie",
            "regions_zorggebied"
        ]
    );
    for c in cols["collections"].as_array().expect("collections") {
        assert!(
            rels(c).contains(&"items".to_string()) && rels(c).contains(&"describedby".to_string())
        );
        assert_eq!(
            c["extent"]["spatial"]["bbox"][0].as_array().map(Vec::len),
            Some(4)
        );
        assert!(c["crs"].as_array().expect("crs").iter().any(|x| x == RD));
    }
    let one = json(a, "/ogc/collections/coverage");
    assert_eq!(one["id"], "coverage");
    // Items: GeoJSON, paged with next links that visit every feature once.
    let (s, head, body) = get(
        a,
        "/ogc/collections/coverage/items?limit=7",
        "application/geo+json",
    );
    assert_eq!(s, 200);
    assert!(
        head.contains("content-type: application/geo+json"),
        "{head}"
    );
    assert!(
        head.contains("content-crs: <http://www.opengis.net/def/crs/ogc/1.3/crs84>"),
        "{head}"
    );
    let mut page: Value = serde_json::from_str(&body).expect("geojson");
    let mut seen = Vec::new();
    loop {
        assert_eq!(page["type"], "FeatureCollection");
        assert_eq!(page["numberMatched"], 20);
        let n = page["features"].as_array().expect("features").len();
        assert_eq!(page["numberReturned"], n);
        assert!(n <= 7);
        seen.extend(
            page["features"]
                .as_array()
                .expect("features")
                .iter()
                .map(|f| f["id"].clone()),
        );
        if !rels(&page).contains(&"next".to_string()) {
            break;
        }
        page = json(a, &href(&page, "next", a));
    }
    assert_eq!(seen.len(), 20);
    seen.dedup();
    assert_eq!(seen.len(), 20);
    // One item, and problems for what does not exist or is out of range.
    let f = json(a, "/ogc/collections/coverage/items/GM9010?minutes=30");
    assert_eq!(f["properties"]["limit_minutes"], 30.0);
    // Self and alternate links on every resource; a limit above the maximum is the maximum.
    for path in [
        "/ogc",
        "/ogc/conformance",
        "/ogc/collections",
        "/ogc/collections/coverage",
        "/ogc/collections/coverage/items?limit=2",
        "/ogc/collections/coverage/items/GM9010",
    ] {
        let v = json(a, path);
        let r = rels(&v);
        assert!(
            r.contains(&"self".to_string()) && r.contains(&"alternate".to_string()),
            "{path}"
        );
    }
    assert_eq!(
        json(a, "/ogc/collections/coverage/items?limit=20000")["numberReturned"],
        20
    );
    // A bbox with heights selects as the same bbox without.
    assert_eq!(
        json(
            a,
            "/ogc/collections/coverage/items?bbox=2.3,52.3,0,2.8,52.7,100"
        )["numberMatched"],
        json(a, "/ogc/collections/coverage/items?bbox=2.3,52.3,2.8,52.7")["numberMatched"]
    );
    assert_eq!(
        (f["type"].as_str(), f["id"].as_str()),
        (Some("Feature"), Some("GM9010"))
    );
    for (path, status) in [
        ("/ogc/collections/nope/items", 404),
        ("/ogc/collections/coverage/items/GM0000", 404),
        ("/ogc/collections/coverage/items?limit=0", 400),
        ("/ogc/collections/coverage/items?bbox=1,2,3", 400),
        ("/ogc/collections/coverage/items?crs=EPSG:3857", 400),
        ("/ogc/collections/coverage/items?colour=red", 400),
    ] {
        let (s, head, _) = get(a, path, "application/json");
        assert_eq!(s, status, "{path}");
        assert!(head.contains("application/problem+json"), "{path}: {head}");
    }
    // The need parameters: a 30-minute question is another answer.
    let m30 = json(a, "/ogc/collections/coverage/items?minutes=30");
    assert_eq!(m30["features"][0]["properties"]["limit_minutes"], 30.0);
    // HTML for a browser, by f or by Accept.
    let (s, head, body) = get(
        a,
        "/ogc/collections/coverage/items?limit=3",
        "text/html,application/xhtml+xml",
    );
    assert_eq!(s, 200);
    assert!(
        head.contains("content-type: text/html")
            && body.contains("<table>")
            && body.contains("<th scope=\"col\">code</th>"),
        "{body:.300}"
    );
    let (_, head, _) = get(a, "/ogc?f=html", "*/*");
    assert!(head.contains("content-type: text/html"));
    // CRS: RD New coordinates, said in Content-Crs; a bbox in RD selects as the same bbox in CRS84.
    let (s, head, body) = get(
        a,
        &format!("/ogc/collections/facilities/items?crs={RD}"),
        "application/geo+json",
    );
    assert_eq!(s, 200);
    assert!(
        head.contains("content-crs: <http://www.opengis.net/def/crs/epsg/0/28992>"),
        "{head}"
    );
    let rd: Value = serde_json::from_str(&body).expect("geojson");
    let x = rd["features"][0]["geometry"]["coordinates"][0]
        .as_f64()
        .expect("x");
    let y = rd["features"][0]["geometry"]["coordinates"][1]
        .as_f64()
        .expect("y");
    assert!(
        (-100_000.0..300_000.0).contains(&x) && (300_000.0..700_000.0).contains(&y),
        "{x},{y}"
    );
    let wgs = json(a, "/ogc/collections/coverage/items?bbox=2.3,52.3,2.8,52.7");
    let conv = nabij::analysis::crs::RdConverter::new();
    let (x0, y0) = conv.to_rd(2.3, 52.3).expect("rd");
    let (x1, y1) = conv.to_rd(2.8, 52.7).expect("rd");
    let by_rd = json(
        a,
        &format!("/ogc/collections/coverage/items?bbox={x0},{y0},{x1},{y1}&bbox-crs={RD}"),
    );
    let n = wgs["numberMatched"].as_u64().expect("n");
    assert!(n > 0 && n < 20, "{n}");
    // The RD box, as a rectangle in RD, is a little larger than the degree box: it selects
    // at least the same municipalities.
    assert!(by_rd["numberMatched"].as_u64().expect("n") >= n);
    let etrs = json(
        a,
        "/ogc/collections/facilities/items?crs=http://www.opengis.net/def/crs/EPSG/0/4258&limit=1",
    );
    let c = &etrs["features"][0]["geometry"]["coordinates"];
    assert!(
        c[0].as_f64().is_some_and(|lat| lat > 50.0),
        "EPSG:4258 is lat,lon: {c}"
    );
    // The schema names the fields, their types and the id.
    let schema = json(a, "/ogc/collections/coverage/schema");
    assert_eq!(schema["properties"]["code"]["x-ogc-role"], "id");
    assert_eq!(schema["properties"]["status_rank"]["type"], "integer");
}

#[test]
fn gdal_reads_every_collection_and_copies_one_to_a_geopackage_in_rd_new() {
    if common::skip_without(&[
        common::Tool::Command("ogrinfo"),
        common::Tool::Command("ogr2ogr"),
    ]) {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let server = common::Served::demo(&dir.path().join("s.sqlite"), None);
    let url = format!("OAPIF:http://{}/ogc", server.addr);
    let out = std::process::Command::new("ogrinfo")
        .arg("-ro")
        .arg(&url)
        .output()
        .expect("ogrinfo");
    let list = String::from_utf8_lossy(&out.stdout);
    for layer in [
        "coverage",
        "facilities",
        "regions_jeugdregio",
        "regions_zorggebied",
    ] {
        assert!(list.contains(&format!(": {layer} ")), "{layer}: {list}");
    }
    for (layer, count) in [
        ("coverage", 20),
        ("facilities", 12),
        ("regions_jeugdregio", 3),
        ("regions_provincie", 1),
        ("regions_zorggebied", 2),
    ] {
        let out = std::process::Command::new("ogrinfo")
            .args(["-ro", "-so"])
            .arg(&url)
            .arg(layer)
            .output()
            .expect("ogrinfo");
        let info = String::from_utf8_lossy(&out.stdout);
        assert!(
            info.contains(&format!("Feature Count: {count}")),
            "{layer}: {info}"
        );
    }
    let gpkg = dir.path().join("copy.gpkg");
    let out = std::process::Command::new("ogr2ogr")
        .args(["-f", "GPKG"])
        .arg(&gpkg)
        .arg(&url)
        .args([
            "coverage",
            "-spat",
            "2.3",
            "52.3",
            "2.8",
            "52.7",
            "-t_srs",
            "EPSG:28992",
        ])
        .output()
        .expect("ogr2ogr");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = std::process::Command::new("ogrinfo")
        .args(["-ro", "-so"])
        .arg(&gpkg)
        .arg("coverage")
        .output()
        .expect("ogrinfo");
    let info = String::from_utf8_lossy(&out.stdout);
    assert!(info.contains("Amersfoort / RD New"), "{info}");
    let n: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Feature Count: "))
        .and_then(|n| n.trim().parse().ok())
        .expect("a count");
    assert!(n > 0 && n < 20, "{n}");
}

#[test]
fn a_problems_type_resolves_to_the_servers_page_of_problem_types() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = common::Served::demo(&dir.path().join("s.sqlite"), None);
    let (s, _, body) = get(
        &server.addr,
        "/api/v1/coverage?minutes=300",
        "application/json",
    );
    assert_eq!(s, 400);
    let problem: Value = serde_json::from_str(&body).expect("problem");
    let t = problem["type"].as_str().expect("type");
    let (page, anchor) = t.split_once('#').expect("an anchor");
    assert_eq!(page, "/api/v1/problems");
    let (s, _, html) = get(&server.addr, page, "text/html");
    assert_eq!(s, 200);
    assert!(html.contains(&format!("id=\"{anchor}\"")), "{html:.300}");
}
