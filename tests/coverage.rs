//! `nabij coverage`: hand-computable cases, the demo, Malta end to end, real Dutch inputs in
//! WGS84 and RD New, GDAL reading the GeoJSON, and input errors.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use nabij::analysis::inputs::{read_facilities, read_municipalities};
use nabij::analysis::{MunicipalityFields, NeedProfile, Prepared};
use nabij::routing::{Engine, Workspace};

const DLAT: f64 = 1.0 / 111_320.0;
const DLON: f64 = 1.0 / (111_320.0 * 0.6157);

fn repo(p: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(p)
}

fn engine_from_pbf(pbf: &Path) -> Engine {
    Engine::new(
        nabij::pipeline::build_in_memory(
            pbf,
            &nabij::ingest::CarProfile::default(),
            &nabij::progress::Progress::hidden(),
        )
        .expect("builds"),
    )
}

/// A straight residential road of 20 km along 52°N with a node every km; municipality A covers
/// its first 10.5 km, B the rest; one facility at the road's west end.
#[test]
fn a_hand_computable_case() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pbf = dir.path().join("line.osm.pbf");
    {
        let f = std::fs::File::create(&pbf).expect("create");
        let mut w =
            nabij::synth::pbf::PbfWriter::new(f, [4.9, 51.9, 5.4, 52.1], "test").expect("hdr");
        for k in 0..=20i64 {
            let lon = 5.0 + k as f64 * 1000.0 * DLON;
            w.node(k + 1, 520_000_000, (lon * 1e7).round() as i32, &[])
                .expect("node");
        }
        // One way per kilometre, so that every kilometre node is a junction (a graph node).
        for k in 1..=20i64 {
            w.way(k, &[k, k + 1], &[("highway", "residential")])
                .expect("way");
        }
        w.finish().expect("finish");
    }
    let engine = engine_from_pbf(&pbf);
    let square = |x0: f64, x1: f64| {
        let (w, e) = (5.0 + x0 * DLON, 5.0 + x1 * DLON);
        let (s, n) = (52.0 - 3000.0 * DLAT, 52.0 + 3000.0 * DLAT);
        geo::MultiPolygon(vec![geo::Polygon::new(
            vec![(w, s), (e, s), (e, n), (w, n), (w, s)].into(),
            vec![],
        )])
    };
    let muni = |code: &str, x0: f64, x1: f64| nabij::analysis::Municipality {
        code: code.into(),
        name: code.into(),
        population: 100.0,
        population_known: true,
        demand: None,
        regions: [("region".to_string(), ("R".to_string(), "R".to_string()))].into(),
        geometry: square(x0, x1),
    };
    let facility = nabij::analysis::Facility {
        places: Some(4.0),
        free_places: Some(1.0),
        group_size: Some(4.0),
        staff_ratio: Some(0.25),
        ..nabij::analysis::Facility::at("F", "F", "kleinschalig_verblijf", 5.0, 52.0)
    };
    let prepared = Prepared::new(
        &engine,
        vec![muni("A", -500.0, 10_500.0), muni("B", 10_500.0, 20_500.0)],
        vec![facility],
        None,
    );
    let r = prepared.coverage(&engine, &mut Workspace::default(), &NeedProfile::default());
    let (a, b) = (&r.municipalities[0], &r.municipalities[1]);
    assert_eq!(a.status, "own_municipality");
    // Residential roads go at 25 km/h: 144 s per km. B's origins are the nodes at km 11..20,
    // weighted by half the road on each side (1,000 m, and 500 m for the end node at km 20).
    // Within 45 min (2,700 s): km 11..18 (8,000 of 9,500 m of weight).
    assert_eq!(b.status, "within_limit");
    assert!(
        (b.share_within_limit - 8000.0 / 9500.0).abs() < 0.002,
        "{}",
        b.share_within_limit
    );
    let close = |got: Option<f64>, km: f64| {
        let expected = km * 144.0 / 60.0;
        let got = got.expect("a time");
        assert!(
            (got - expected).abs() <= 0.01 * expected + 0.1,
            "{got} min, expected {expected}"
        );
    };
    close(b.minutes_median, 15.0); // the weighted median origin is at km 15
    close(b.minutes_p90, 19.0);
    close(b.minutes_worst, 20.0);
    // B's representative point is its centre, on the road at km 15.5.
    close(b.nearest_minutes, 15.5);
    assert_eq!(b.nearest_facility_id.as_deref(), Some("F"));
    assert_eq!(b.facilities_within_limit, 1);
    // A 30-minute limit (1,800 s) covers km 11 and 12 only: B is beyond it.
    let need = NeedProfile {
        limit_minutes: 30.0,
        ..Default::default()
    };
    let r30 = prepared.coverage(&engine, &mut Workspace::default(), &need);
    // F lies in A, of B's own planning region R: B is served in its region, beyond the limit.
    assert_eq!(r30.municipalities[1].status, "within_region");
    assert!((r30.municipalities[1].share_within_limit - 2000.0 / 9500.0).abs() < 0.002);
    // Some of B's young people (km 11 and 12) still reach F within the limit: one facility
    // within reach, and access above zero (one population model).
    assert_eq!(r30.municipalities[1].facilities_within_limit, 1);
    assert!(r30.municipalities[1].access_2sfca > 0.0);
    // A closed facility counts for nothing: B cannot reach any.
    let mut closed = prepared;
    closed.facilities[0].status = nabij::analysis::inputs::Status::Closed;
    let rc = closed.coverage(&engine, &mut Workspace::default(), &NeedProfile::default());
    assert_eq!(rc.municipalities[0].status, "unreachable");
    assert!(
        rc.regions
            .iter()
            .all(|g| g.unfair && g.unfair_reasons[0].contains("no suitable facility"))
    );
}

fn demo_coverage(need: &NeedProfile) -> (nabij::analysis::CoverageResult, Prepared) {
    let engine = engine_from_pbf(&repo("data/demo/nabijland.osm.pbf"));
    let (ms, _) = read_municipalities(
        &repo("data/demo/municipalities.geojson"),
        &MunicipalityFields::default(),
    )
    .expect("demo municipalities");
    let fs = read_facilities(&repo("data/demo/facilities.csv")).expect("demo facilities");
    let prepared = Prepared::new(&engine, ms, fs, None);
    let r = prepared.coverage(&engine, &mut Workspace::default(), need);
    (r, prepared)
}

#[test]
fn the_demo_shows_every_status_and_the_unfair_region() {
    let (r, _) = demo_coverage(&NeedProfile::default());
    let status = |code: &str| {
        r.municipalities
            .iter()
            .find(|m| m.code == code)
            .map(|m| m.status)
            .expect(code)
    };
    // Municipalities with an active facility that fits (group <= 6, staff >= 1:4).
    for code in [
        "GM9001", "GM9002", "GM9006", "GM9007", "GM9009", "GM9011", "GM9012", "GM9016",
    ] {
        assert_eq!(status(code), "own_municipality", "{code}");
    }
    // KVJJ West (group of 8) does not fit the default need, the planned and closed ones neither.
    assert!(!r.suitable_facilities.contains(&"NB-05".to_string()));
    assert!(!r.suitable_facilities.contains(&"NB-08".to_string()));
    assert!(!r.suitable_facilities.contains(&"NB-11".to_string()));
    // Leegwater has no roads; Zeewaard is an island an hour and more away by ferry.
    assert_eq!(status("GM9015"), "unreachable");
    // Oost (JZ93) has no facility of its own: Zeewaard is served only outside its region.
    assert_eq!(status("GM9020"), "outside_region");
    let zeewaard = r
        .municipalities
        .iter()
        .find(|m| m.code == "GM9020")
        .expect("Zeewaard");
    assert!(zeewaard.minutes_median.expect("time") > 60.0);
    assert!(r.municipalities.iter().any(|m| m.status == "within_limit"));
    // Region Oost (JZ93) has no facility: unfair; West (JZ91) is not.
    let region = |code: &str| {
        r.regions
            .iter()
            .find(|g| g.grouping == "jeugdregio" && g.code == code)
            .expect(code)
    };
    assert!(region("JZ93").unfair);
    assert!(
        region("JZ93")
            .unfair_reasons
            .iter()
            .any(|s| s.contains("no suitable facility"))
    );
    assert!(
        region("JZ93")
            .gap_municipalities
            .contains(&"GM9015".to_string())
    );
    assert!(
        !region("JZ91").unfair,
        "{:?}",
        region("JZ91").unfair_reasons
    );
    assert!(region("JZ91").figures.share_within_limit > r.national.share_within_limit);
    assert!(r.synthetic_roads);
    // Counting planned facilities changes Midden (NB-08, a JeugdzorgPlus, opens in Cromvoort).
    let plans = NeedProfile {
        include_planned: true,
        types: vec!["jeugdzorgplus".into()],
        ..Default::default()
    };
    let (rp, _) = demo_coverage(&plans);
    let cromvoort = rp
        .municipalities
        .iter()
        .find(|m| m.code == "GM9003")
        .expect("Cromvoort");
    assert_eq!(cromvoort.status, "own_municipality");
}

#[test]
fn malta_end_to_end_from_its_own_boundaries_and_hospitals() {
    let dir = tempfile::tempdir().expect("tempdir");
    let g = dir.path().join("malta.nbg");
    let m = osm(MALTA);
    let m = m.to_str().expect("utf8");
    let (ok, _, err) = nabij(&[
        "--quiet",
        "build",
        "--osm",
        m,
        "--out",
        g.to_str().expect("utf8"),
    ]);
    assert!(ok, "{err}");
    let out = dir.path().join("malta.json");
    let v = malta_hospitals(&g, &out, &[]);
    let munis = v["municipalities"].as_array().expect("array");
    assert_eq!(
        munis.len(),
        67,
        "Malta's 67 local councils from its admin_level=8 relations"
    );
    assert!(
        v["suitable_facilities"].as_array().expect("ids").len() >= 15,
        "hospitals as facilities"
    );

    // Only Mater Dei (Malta's acute hospital, way 24063943): Gozo's councils reach it only by ferry.
    let engine = engine_from_pbf(&osm(MALTA));
    let (areas, points, _) = nabij::ingest::areas::read_areas_and_points(
        &osm(MALTA),
        Some(8),
        Some(("amenity", "hospital")),
    )
    .expect("reads");
    let mater_dei = points
        .iter()
        .find(|p| p.osm_id == "w24063943")
        .expect("Mater Dei");
    let facility = nabij::analysis::Facility::at(
        &mater_dei.osm_id,
        "Mater Dei",
        "hospital",
        mater_dei.lon,
        mater_dei.lat,
    );
    let on_gozo: Vec<bool> = areas
        .iter()
        .map(|a| geo::InteriorPoint::interior_point(&a.geometry).is_some_and(|p| p.y() > 36.0))
        .collect();
    let ms = areas
        .into_iter()
        .map(|a| nabij::analysis::Municipality {
            code: a.code,
            name: a.name,
            population: 1.0,
            population_known: false,
            demand: None,
            regions: Default::default(),
            geometry: a.geometry,
        })
        .collect();
    let prepared = Prepared::new(&engine, ms, vec![facility], None);
    let r = prepared.coverage(&engine, &mut Workspace::default(), &of_types(&["hospital"]));
    let gozo: Vec<_> = r
        .municipalities
        .iter()
        .zip(&on_gozo)
        .filter(|(_, g)| **g)
        .map(|(m, _)| m)
        .collect();
    assert!(gozo.len() >= 13, "{} Gozo councils", gozo.len());
    // Every Gozo council is reachable, but only across the channel (the crossing alone takes
    // about 18 min at the profile's 20 km/h), so each is slower than every council on Malta.
    let slowest_malta = r
        .municipalities
        .iter()
        .zip(&on_gozo)
        .filter(|(_, g)| !**g)
        .filter_map(|(m, _)| m.minutes_median)
        .fold(0.0f64, f64::max);
    for m in &gozo {
        assert_ne!(m.status, "unreachable", "{}", m.name);
        assert_eq!(m.nearest_facility_id.as_deref(), Some("w24063943"));
        let t = m.minutes_median.expect("reachable by ferry");
        assert!(
            t > 35.0 && t > slowest_malta,
            "{}: {t} min (slowest on Malta {slowest_malta})",
            m.name
        );
    }
    assert!(
        // OSM boundaries carry no planning regions: the region is national, so beyond the
        // limit is "within the region".
        gozo.iter().any(|m| m.status == "within_region"),
        "most of Gozo is beyond 45 min of Mater Dei"
    );
}

/// The real CBS municipalities and facilities, on a SYNTHETIC road network generated over them
/// (no Dutch road network is available offline), read in WGS84 and in RD New.
#[test]
fn dutch_municipalities_give_identical_results_in_wgs84_and_rd_new() {
    let dir = tempfile::tempdir().expect("tempdir");
    let gem = shared_data().join("boundaries/gemeenten_2024.geojson");
    let fac = shared_data().join("facilities_nl.csv");
    let pbf = dir.path().join("nl.osm.pbf");
    let (ok, _, err) = nabij(&[
        "--quiet",
        "synth",
        "--towns-from",
        gem.to_str().expect("utf8"),
        "--way-nodes",
        "300000",
        "--out",
        pbf.to_str().expect("utf8"),
    ]);
    assert!(ok, "{err}");
    let engine = engine_from_pbf(&pbf);
    let fields = MunicipalityFields::default();
    let (ms, crs) = read_municipalities(&gem, &fields).expect("CBS municipalities");
    assert_eq!(ms.len(), 342);
    assert_eq!(crs, nabij::analysis::crs::Crs::Wgs84);
    let fs = read_facilities(&fac).expect("facilities");
    assert_eq!(fs.len(), 20);

    // Convert copies to RD New (as Dutch government data comes).
    let conv = nabij::analysis::crs::RdConverter::new();
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&gem).expect("read")).expect("json");
    fn walk(v: &mut serde_json::Value, conv: &nabij::analysis::crs::RdConverter) {
        if let Some(a) = v.as_array_mut() {
            if a.len() == 2 && a.iter().all(|x| x.is_f64() || x.is_i64()) {
                let (x, y) = conv
                    .to_rd(a[0].as_f64().unwrap_or(0.0), a[1].as_f64().unwrap_or(0.0))
                    .expect("to rd");
                *a = vec![serde_json::json!(x), serde_json::json!(y)];
            } else {
                for x in a {
                    walk(x, conv);
                }
            }
        }
    }
    for f in v["features"].as_array_mut().expect("features") {
        walk(&mut f["geometry"]["coordinates"], &conv);
    }
    v["crs"] =
        serde_json::json!({"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}});
    let gem_rd = dir.path().join("gemeenten_rd.geojson");
    std::fs::write(&gem_rd, v.to_string()).expect("write");
    let mut csv = String::from("id,name,type,x,y,status\n");
    for f in &fs {
        let (x, y) = conv.to_rd(f.lon, f.lat).expect("to rd");
        csv.push_str(&format!(
            "{},\"{}\",{},{x:.3},{y:.3},{}\n",
            f.id,
            f.name,
            f.kind,
            match f.status {
                nabij::analysis::inputs::Status::Closed => "closed",
                nabij::analysis::inputs::Status::Planned => "planned",
                nabij::analysis::inputs::Status::Active => "active",
            }
        ));
    }
    let fac_rd = dir.path().join("facilities_rd.csv");
    std::fs::write(&fac_rd, csv).expect("write");
    let (ms_rd, crs_rd) = read_municipalities(&gem_rd, &fields).expect("RD municipalities");
    assert_eq!(crs_rd, nabij::analysis::crs::Crs::RdNew);
    let fs_rd = read_facilities(&fac_rd).expect("RD facilities");

    let need = of_types(&["kleinschalig_verblijf", "kvjj", "jeugdzorgplus", "jji"]);
    let a =
        Prepared::new(&engine, ms, fs, None).coverage(&engine, &mut Workspace::default(), &need);
    let b = Prepared::new(&engine, ms_rd, fs_rd, None).coverage(
        &engine,
        &mut Workspace::default(),
        &need,
    );
    assert!(a.synthetic_roads);
    for (x, y) in a.municipalities.iter().zip(&b.municipalities) {
        assert_eq!(
            (x.code.as_str(), x.status, x.share_within_limit),
            (y.code.as_str(), y.status, y.share_within_limit)
        );
        // Within output rounding: the two CRSs move boundaries by millimetres.
        let tenth = |v: Option<f64>| v.map(|m| nabij::units::round_dp(m, 1));
        assert_eq!(
            (tenth(x.minutes_median), x.nearest_facility_id.as_deref()),
            (tenth(y.minutes_median), y.nearest_facility_id.as_deref()),
            "{}",
            x.code
        );
        assert_eq!(x.origins, y.origins, "{}", x.code);
    }
    assert_eq!(a.regions.len(), b.regions.len());
    // 42 youth regions and 12 provinces.
    assert_eq!(
        a.regions
            .iter()
            .filter(|r| r.grouping == "jeugdregio")
            .count(),
        42
    );
    assert_eq!(
        a.regions
            .iter()
            .filter(|r| r.grouping == "provincie")
            .count(),
        12
    );
    // The historical facilities (closure per 2020/2021, contract lost) do not count.
    assert_eq!(
        a.suitable_facilities.len(),
        20 - 3,
        "{:?}",
        a.suitable_facilities
    );
}

#[test]
fn the_geojson_opens_in_gdal() {
    if common::skip_without(&[common::Tool::Command("ogrinfo")]) {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let g = std::path::PathBuf::from(cli_build(
        dir.path(),
        &repo("data/demo/nabijland.osm.pbf"),
        "demo.nbg",
    ));
    let out = dir.path().join("coverage.geojson");
    let (ok, _, err) = nabij(&[
        "coverage",
        "--graph",
        g.to_str().expect("utf8"),
        "--municipalities",
        repo("data/demo/municipalities.geojson")
            .to_str()
            .expect("utf8"),
        "--facilities",
        repo("data/demo/facilities.csv").to_str().expect("utf8"),
        "--grouping-csv",
        repo("data/demo/zorggebieden.csv").to_str().expect("utf8"),
        "--out",
        out.to_str().expect("utf8"),
    ]);
    assert!(ok, "{err}");
    let info = std::process::Command::new("ogrinfo")
        .args(["-al", "-so"])
        .arg(&out)
        .output()
        .expect("ogrinfo runs");
    let text = String::from_utf8_lossy(&info.stdout);
    assert!(
        info.status.success(),
        "{}",
        String::from_utf8_lossy(&info.stderr)
    );
    assert!(text.contains("Feature Count: 20"), "{text}");
    assert!(
        text.contains("Geometry: Multi Polygon") || text.contains("Geometry: Polygon"),
        "{text}"
    );
    assert!(text.contains("WGS 84"), "{text}");
    for field in [
        "status: String",
        "share_within_limit: Real",
        "nearest_minutes: Real",
        "jeugdregio: String",
        "zorggebied: String",
    ] {
        assert!(text.contains(field), "GDAL does not see {field}: {text}");
    }
    // CSV: one row per municipality with the same fields.
    let (ok, csv, _) = nabij(&[
        "coverage",
        "--graph",
        g.to_str().expect("utf8"),
        "--municipalities",
        repo("data/demo/municipalities.geojson")
            .to_str()
            .expect("utf8"),
        "--facilities",
        repo("data/demo/facilities.csv").to_str().expect("utf8"),
        "--format",
        "csv",
    ]);
    assert!(ok);
    assert_eq!(csv.lines().count(), 21);
    assert!(csv.starts_with(
        "code,name,status,status_label,status_rank,status_peak,status_peak_label,robust,margin_factor,margin_minutes,fragile,share_within_limit,minutes_median"
    ));
}

#[test]
fn every_input_error_is_a_clear_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    let g = std::path::PathBuf::from(cli_build(
        dir.path(),
        &repo("data/demo/nabijland.osm.pbf"),
        "demo.nbg",
    ));
    let gs = g.to_str().expect("utf8").to_string();
    let munis = repo("data/demo/municipalities.geojson")
        .to_str()
        .expect("utf8")
        .to_string();
    let facs = repo("data/demo/facilities.csv")
        .to_str()
        .expect("utf8")
        .to_string();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).expect("write");
        p.to_str().expect("utf8").to_string()
    };
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![
                "--municipalities".into(),
                "/nonexistent.geojson".into(),
                "--facilities".into(),
                facs.clone(),
            ],
            "cannot read",
        ),
        (
            vec![
                "--municipalities".into(),
                write("a.geojson", "{\"type\":\"Feature\"}"),
                "--facilities".into(),
                facs.clone(),
            ],
            "expected a GeoJSON FeatureCollection",
        ),
        (
            vec![
                "--municipalities".into(),
                write("b.geojson", "not json"),
                "--facilities".into(),
                facs.clone(),
            ],
            "not JSON",
        ),
        (
            vec![
                "--municipalities".into(),
                write(
                    "c.geojson",
                    r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"naam":"x"},"geometry":{"type":"Point","coordinates":[3,52]}}]}"#,
                ),
                "--facilities".into(),
                facs.clone(),
            ],
            "no \"gemeentecode\" property",
        ),
        (
            vec![
                "--municipalities".into(),
                write(
                    "d.geojson",
                    r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"gemeentecode":"X"},"geometry":{"type":"Point","coordinates":[3,52]}}]}"#,
                ),
                "--facilities".into(),
                facs.clone(),
            ],
            "is not a (Multi)Polygon",
        ),
        (
            vec![
                "--municipalities".into(),
                write(
                    "e.geojson",
                    r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:3857"}},"features":[]}"#,
                ),
                "--facilities".into(),
                facs.clone(),
            ],
            "EPSG:3857",
        ),
        (
            vec![
                "--municipalities".into(),
                munis.clone(),
                "--facilities".into(),
                write("f.csv", "id,name,lon,lat\n1,a,3,52\n"),
            ],
            "the type is missing",
        ),
        (
            vec![
                "--municipalities".into(),
                munis.clone(),
                "--facilities".into(),
                write("g.csv", "id,name,type,lon,lat\n1,a,kvjj,abc,52\n"),
            ],
            "lon = \"abc\" is not a number",
        ),
        (
            vec![
                "--municipalities".into(),
                munis.clone(),
                "--facilities".into(),
                write("h.csv", "id,name,type\n1,a,kvjj\n"),
            ],
            "needs lon,lat",
        ),
        (
            vec![
                "--municipalities".into(),
                munis.clone(),
                "--facilities".into(),
                write(
                    "i.csv",
                    "id,name,type,lon,lat,min_age,max_age\n1,a,kvjj,3,52,18,12\n",
                ),
            ],
            "min_age 18 is above max_age 12",
        ),
        (
            vec![
                "--municipalities".into(),
                munis.clone(),
                "--facilities".into(),
                write(
                    "j.csv",
                    "id,name,type,lon,lat\n1,a,kvjj,3,52\n1,b,kvjj,3,52\n",
                ),
            ],
            "appears twice",
        ),
        (
            vec![
                "--municipalities".into(),
                munis.clone(),
                "--facilities".into(),
                facs.clone(),
                "--minutes".into(),
                "0".into(),
            ],
            "minutes",
        ),
        (
            vec![
                "--municipalities".into(),
                munis.clone(),
                "--facilities".into(),
                facs.clone(),
                "--age".into(),
                "99".into(),
            ],
            "age",
        ),
        (
            vec![
                "--municipalities".into(),
                munis.clone(),
                "--facilities".into(),
                facs.clone(),
                "--need".into(),
                write("n.toml", "limit_minutes = \"long\"\n"),
            ],
            "need profile",
        ),
        (
            vec![
                "--municipalities".into(),
                munis.clone(),
                "--facilities".into(),
                facs.clone(),
                "--origins".into(),
                write("o.csv", "lon,lat\n3,52\n"),
            ],
            "missing column \"weight\"",
        ),
        (
            vec![
                "--municipalities".into(),
                munis.clone(),
                "--facilities".into(),
                facs.clone(),
                "--grouping-csv".into(),
                write("k.csv", "only\n"),
            ],
            "expected two columns",
        ),
        (
            vec![
                "--municipalities".into(),
                munis.clone(),
                "--facilities".into(),
                facs.clone(),
                "--out".into(),
                "/nonexistent/dir/x.geojson".into(),
            ],
            "cannot write",
        ),
    ];
    for (extra, needle) in cases {
        let mut args: Vec<String> = vec!["coverage".into(), "--graph".into(), gs.clone()];
        args.extend(extra.iter().cloned());
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let (ok, _, err) = nabij(&refs);
        assert!(!ok, "{extra:?} should fail");
        assert!(!err.contains("panicked"), "{extra:?}: {err}");
        assert!(
            err.contains(needle),
            "{extra:?}: expected {needle:?} in {err}"
        );
    }
}

#[test]
fn the_readme_quick_start_runs_on_the_demo() {
    // README: `cargo run --release -- coverage --demo --format text`, from the repository root.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nabij"))
        .args(["coverage", "--demo", "--format", "text"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for needle in [
        "SYNTHETIC",
        "own_municipality",
        "within_limit",
        "outside_region",
        "within_region",
        "unreachable",
        "FLAG min_facilities (absolute): no suitable facility in the region",
    ] {
        assert!(text.contains(needle), "{needle} missing from:\n{text}");
    }
}

#[test]
fn user_supplied_weighted_origins_replace_the_road_network() {
    // Two points in Aldewolde (GM9001, which has its own facility) and one far out in
    // Querendonk (GM9018), weighted like neighbourhood youth counts; one point in the sea.
    let dir = tempfile::tempdir().expect("tempdir");
    let (r_default, prepared) = demo_coverage(&NeedProfile::default());
    let centre = |code: &str| {
        let m = prepared
            .municipalities
            .iter()
            .position(|m| m.code == code)
            .expect(code);
        prepared.representative[m]
    };
    let (a, q) = (centre("GM9001"), centre("GM9018"));
    let csv = format!(
        "lon,lat,weight\n{},{},120\n{},{},80\n{},{},300\n0.5,52.5,10\n",
        a.0,
        a.1,
        a.0 + 0.001,
        a.1,
        q.0,
        q.1
    );
    let origins = dir.path().join("origins.csv");
    std::fs::write(&origins, csv).expect("write");
    let (ok, out, err) = nabij(&[
        "coverage",
        "--demo",
        "--origins",
        origins.to_str().expect("utf8"),
        "--format",
        "json",
    ]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["origin_kind"], "weighted_points");
    let muni = |code: &str| common::municipality(&v, code);
    assert_eq!(muni("GM9001")["origins"], 2);
    assert_eq!(muni("GM9001")["status"], "own_municipality");
    assert_eq!(muni("GM9018")["origins"], 1);
    // Querendonk's single point is its representative point: its time is the nearest time.
    let q = muni("GM9018");
    assert_eq!(q["minutes_median"], q["nearest_minutes"]);
    // Municipalities without a supplied point fall back to their representative point.
    assert_eq!(muni("GM9003")["origins"], 1);
    assert_ne!(r_default.municipalities[2].origins, 1);
}

/// The default profile with other facility types (real files and OSM tags have other kinds).
fn of_types(types: &[&str]) -> NeedProfile {
    NeedProfile {
        profile: "custom".into(),
        types: types.iter().map(|t| t.to_string()).collect(),
        ..Default::default()
    }
}

/// 2SFCA and E2SFCA recomputed from scratch over the origins, with times from petgraph's
/// Dijkstra (an independent search) and the formulas of docs/ANALYSIS.md written out per
/// origin: each origin a demand point with its share of the municipality's young people.
fn floating_catchments_by_oracle(
    engine: &Engine,
    p: &Prepared,
    result: &nabij::analysis::CoverageResult,
    need: &NeedProfile,
) -> Vec<(f64, f64)> {
    use nabij::analysis::coverage::Origin;
    use nabij::routing::Direction;
    use petgraph::graph::{DiGraph, NodeIndex};
    use petgraph::visit::{EdgeRef, Reversed};
    let g = &engine.graph;
    let limit = need.limit_ms() as u64;
    // The road graph, one arc per allowed direction, plus a virtual node for the seeds.
    let n = g.node_count();
    let mut pg = DiGraph::<(), u64>::new();
    for _ in 0..=n {
        pg.add_node(());
    }
    for e in 0..g.edge_from.len() {
        let (u, v) = (g.edge_from[e] as usize, g.edge_to[e] as usize);
        if g.edge_time_fw_ms[e] != nabij::graph::NO_TIME {
            pg.add_edge(
                NodeIndex::new(u),
                NodeIndex::new(v),
                g.edge_time_fw_ms[e] as u64,
            );
        }
        if g.edge_time_bw_ms[e] != nabij::graph::NO_TIME {
            pg.add_edge(
                NodeIndex::new(v),
                NodeIndex::new(u),
                g.edge_time_bw_ms[e] as u64,
            );
        }
    }
    let mut ratios = Vec::new(); // per facility: (places, times to every node)
    for f in 0..p.facilities.len() {
        let (Ok(snap), true) = (
            &p.facility_snaps[f],
            result.suitable_facilities.contains(&p.facilities[f].id),
        ) else {
            continue;
        };
        // Travel home → facility: a backward search from the facility's seeds.
        let mut pf = pg.clone();
        let virt = NodeIndex::new(n);
        for s in engine.seeds(snap, 0, Direction::To) {
            pf.add_edge(NodeIndex::new(s.node as usize), virt, s.offset_ms as u64);
        }
        let found = petgraph::algo::dijkstra(Reversed(&pf), virt, None, |e| *e.weight());
        let times: Vec<Option<u64>> = (0..n)
            .map(|v| found.get(&NodeIndex::new(v)).copied())
            .collect();
        ratios.push((nabij::analysis::need::places_of(&p.facilities[f]), times));
    }
    let zone_weight =
        |t: u64| [1.0, 0.68, 0.22][((t as f64 / (limit as f64 / 3.0)) as usize).min(2)];
    // Every origin as a demand point: (municipality, young people, node).
    let mut points = Vec::new();
    for (m, list) in p.origins.iter().enumerate() {
        let total: f64 = list
            .iter()
            .map(|o| match o {
                Origin::Node { weight, .. } | Origin::Point { weight, .. } => *weight,
            })
            .sum();
        for o in list {
            // A node, or a snapped point reached through the ends of its edge (the leg along
            // the edge and the access leg on top), as a home travelling to a facility.
            let (ends, weight): (Vec<(u32, u64)>, f64) = match o {
                Origin::Node { node, weight } => (vec![(*node, 0)], *weight),
                Origin::Point { snap, weight } => {
                    let e = snap.ends(g);
                    let legs = [
                        (e.from_node, e.leave_to_from_ms),
                        (e.to_node, e.leave_to_to_ms),
                    ];
                    let ends = legs
                        .into_iter()
                        .filter_map(|(v, leg)| Some((v, (leg? + snap.access_ms) as u64)))
                        .collect();
                    (ends, *weight)
                }
            };
            points.push((m, p.municipalities[m].population * weight / total, ends));
        }
    }
    let within = |f: &(f64, Vec<Option<u64>>), ends: &[(u32, u64)]| {
        ends.iter()
            .filter_map(|&(v, leg)| f.1[v as usize].map(|t| t + leg))
            .min()
            .filter(|&t| t <= limit)
    };
    let mut access = vec![(0.0, 0.0); p.municipalities.len()];
    for f in &ratios {
        let (mut pop, mut pop_w) = (0.0, 0.0);
        for (_, people, ends) in &points {
            let people = *people;
            if let Some(t) = within(f, ends) {
                pop += people;
                pop_w += people * zone_weight(t);
            }
        }
        for (m, people, ends) in &points {
            let (m, people) = (*m, *people);
            if let Some(t) = within(f, ends) {
                let share = people / p.municipalities[m].population;
                access[m].0 += share * f.0 / pop * 10_000.0;
                access[m].1 += share * zone_weight(t) * f.0 / pop_w * 10_000.0;
            }
        }
    }
    access
}

#[test]
fn floating_catchments_over_the_origins_equal_an_independent_oracle_on_the_demo() {
    let d = nabij::app::Dataset::load(&nabij::app::Config::demo(), &nabij::app::Progress::hidden())
        .expect("demo");
    for need in [
        NeedProfile::default(),
        NeedProfile::from_overrides(nabij::analysis::need::NeedOverrides {
            profile: Some("jeugdzorgplus".into()),
            ..Default::default()
        })
        .expect("profile"),
    ] {
        let result = d.coverage(&need).expect("coverage");
        let oracle = floating_catchments_by_oracle(&d.network.engine, &d.prepared, &result, &need);
        assert_catchments_equal(&result, &oracle);
    }
}

#[test]
fn floating_catchments_over_the_origins_equal_an_independent_oracle_on_liechtenstein() {
    // The real Liechtenstein extract, cut into four quarters with populations, and three
    // units on its roads.
    let engine = engine_from_pbf(&osm(LIECHTENSTEIN));
    let [w, s, e, n] = engine.graph.meta.bbox;
    let (cx, cy) = ((w + e) / 2.0, (s + n) / 2.0);
    let quarter = |code: &str, x0: f64, y0: f64, x1: f64, y1: f64, population: f64| {
        nabij::analysis::Municipality {
            code: code.into(),
            name: code.into(),
            population,
            population_known: true,
            demand: None,
            regions: Default::default(),
            geometry: geo::MultiPolygon(vec![geo::Polygon::new(
                vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)].into(),
                vec![],
            )]),
        }
    };
    let ms = vec![
        quarter("SW", w, s, cx, cy, 1200.0),
        quarter("SE", cx, s, e, cy, 800.0),
        quarter("NW", w, cy, cx, n, 1500.0),
        quarter("NE", cx, cy, e, n, 500.0),
    ];
    let unit = |id: &str, lon: f64, lat: f64, places: f64| nabij::analysis::Facility {
        places: Some(places),
        group_size: Some(4.0),
        staff_ratio: Some(0.25),
        ..nabij::analysis::Facility::at(id, id, "kleinschalig_verblijf", lon, lat)
    };
    // At road nodes spread through the graph (its nodes are in Hilbert order).
    let at = |k: usize| {
        engine
            .graph
            .node_lonlat((engine.graph.node_count() * k / 10) as u32)
    };
    let (a, b, c) = (at(2), at(5), at(8));
    let fs = vec![
        unit("A", a.0, a.1, 4.0),
        unit("B", b.0, b.1, 6.0),
        unit("C", c.0, c.1, 2.0),
    ];
    let prepared = Prepared::new(&engine, ms, fs, None);
    // A limit short enough that the catchments differ on a fragment a few kilometres wide.
    for minutes in [5.0, 10.0, 45.0] {
        let need = NeedProfile {
            limit_minutes: minutes,
            ..Default::default()
        };
        let result = prepared.coverage(&engine, &mut Workspace::default(), &need);
        assert_eq!(
            result.unsnapped_facilities,
            vec![],
            "all three on the roads"
        );
        let oracle = floating_catchments_by_oracle(&engine, &prepared, &result, &need);
        assert_catchments_equal(&result, &oracle);
        // Not a vacuous comparison: some quarters have access, some only in part.
        let with_access = result
            .municipalities
            .iter()
            .filter(|m| m.access_2sfca > 0.0);
        assert!(with_access.count() >= 2, "{minutes} min");
        if minutes < 45.0 {
            assert!(
                result
                    .municipalities
                    .iter()
                    .any(|m| m.share_within_limit > 0.0 && m.share_within_limit < 1.0),
                "{minutes} min"
            );
        }
    }
}

fn assert_catchments_equal(result: &nabij::analysis::CoverageResult, oracle: &[(f64, f64)]) {
    {
        for (m, r) in result.municipalities.iter().enumerate() {
            assert!(
                (r.access_2sfca - oracle[m].0).abs() < 1e-9 * (1.0 + oracle[m].0),
                "{} 2SFCA {} vs oracle {}",
                r.code,
                r.access_2sfca,
                oracle[m].0
            );
            assert!(
                (r.access_e2sfca - oracle[m].1).abs() < 1e-9 * (1.0 + oracle[m].1),
                "{} E2SFCA {} vs oracle {}",
                r.code,
                r.access_e2sfca,
                oracle[m].1
            );
            // One population model: some young people within reach means some access.
            assert_eq!(
                r.share_within_limit > 0.0,
                r.access_2sfca > 0.0,
                "{}: share {} access {}",
                r.code,
                r.share_within_limit,
                r.access_2sfca
            );
        }
    }
}

#[test]
fn a_facility_no_road_reaches_is_stated_supply_only_and_the_summary_says_why() {
    // The demo's facilities plus one suitable unit in Leegwater, 17 km from any road.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut csv = std::fs::read_to_string(repo("data/demo/facilities.csv")).expect("read");
    csv.push_str(
        "NB-99,Huis in het water,kleinschalig_verblijf,3.55,52.42,4,1,8,18,4,0.25,no,active,\n",
    );
    let fac = dir.path().join("facilities.csv");
    std::fs::write(&fac, csv).expect("write");
    let run = |format: &str| {
        let (ok, out, err) = nabij(&[
            "coverage",
            "--demo",
            "--facilities",
            fac.to_str().expect("utf8"),
            "--format",
            format,
        ]);
        assert!(ok, "{err}");
        out
    };
    let v: serde_json::Value = serde_json::from_str(&run("json")).expect("json");
    let unsnapped = v["unsnapped_facilities"].as_array().expect("list");
    assert_eq!(unsnapped.len(), 1, "{unsnapped:?}");
    assert_eq!(unsnapped[0][0], "NB-99");
    // Its places are not reachable supply: the national places are the demo's 8 units'.
    let (base, _) = demo_coverage(&NeedProfile::default());
    assert_eq!(v["national"]["places"], base.national.places);
    // But they are stated supply: the national balance spreads them too, so demand grows
    // by their share and the balance shows the places no one reaches.
    let demand: f64 = v["national"]["demand"].as_f64().expect("demand");
    assert!(
        (demand - (base.national.demand + 4.0)).abs() < 0.01,
        "{demand}"
    );
    assert!(
        v["national"]["share_demand_within_limit"]
            .as_f64()
            .expect("share")
            < 1.0
    );
    let text = run("text");
    assert!(
        text.contains("1 of the 9 suitable facilities are not placed on the road network")
            && text.contains("NB-99 ("),
        "{text}"
    );
}

#[test]
fn population_areas_and_points_from_files_in_wgs84_and_rd_new() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |origins: &Path, extra: &[&str]| -> (bool, String, String) {
        let mut args = vec![
            "coverage",
            "--demo",
            "--origins",
            origins.to_str().expect("utf8"),
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        nabij(&args)
    };
    // All of Aldewolde's young people in a small square (RD New) around its own unit NB-01,
    // a neighbourhood with a CBS "secret" code, and nobody anywhere else in the file.
    let rd = nabij::analysis::crs::RdConverter::new();
    let square = |lon: f64, lat: f64, half_m: f64| -> String {
        let (x, y) = rd.to_rd(lon, lat).expect("rd");
        format!(
            "[[[{},{}],[{},{}],[{},{}],[{},{}],[{},{}]]]",
            x - half_m,
            y - half_m,
            x + half_m,
            y - half_m,
            x + half_m,
            y + half_m,
            x - half_m,
            y + half_m,
            x - half_m,
            y - half_m
        )
    };
    let areas = format!(
        r#"{{"type": "FeatureCollection", "features": [
          {{"type": "Feature", "properties": {{"buurtcode": "BU1", "jongeren": 1200}}, "geometry": {{"type": "Polygon", "coordinates": {}}}}},
          {{"type": "Feature", "properties": {{"buurtcode": "BU2", "jongeren": -99997}}, "geometry": {{"type": "Polygon", "coordinates": {}}}}}]}}"#,
        square(2.36177, 52.85649, 600.0),
        square(2.67323, 52.85076, 600.0)
    );
    let file = dir.path().join("buurten.geojson");
    std::fs::write(&file, areas).expect("write");
    let (ok, out, err) = run(&file, &["--origins-weight", "jongeren"]);
    assert!(ok, "{err}");
    assert!(err.contains("-99997"), "the CBS code is reported: {err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["origin_kind"], "weighted_areas");
    assert_eq!(v["population_model"], "file:buurten.geojson (jongeren)");
    let (base, _) = demo_coverage(&NeedProfile::default());
    let a = common::municipality(&v, "GM9001");
    let base_a = &base.municipalities[0];
    assert_eq!(base_a.code, "GM9001");
    // Only the roads of the square carry people: fewer origins, all near the unit.
    let origins = a["origins"].as_u64().expect("origins") as usize;
    assert!(
        origins > 0 && origins < base_a.origins / 5,
        "{origins} of {}",
        base_a.origins
    );
    assert!(a["minutes_worst"].as_f64().expect("worst") < 3.0, "{a}");
    // A municipality no area touches falls back to its representative point.
    assert_eq!(common::municipality(&v, "GM9003")["origins"], 1);

    // Points in RD New x,y with a named weight column give the same kind of answer.
    let (x, y) = rd.to_rd(2.36177, 52.85649).expect("rd");
    let pts = dir.path().join("punten.csv");
    std::fs::write(
        &pts,
        format!("x,y,kinderen\n{x},{y},50\n{},{},70\n", x + 300.0, y),
    )
    .expect("write");
    let (ok, out, err) = run(&pts, &["--origins-weight", "kinderen"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["origin_kind"], "weighted_points");
    assert_eq!(common::municipality(&v, "GM9001")["origins"], 2);

    // Clear errors.
    for (name, body, weight, says) in [
        ("a.csv", "lon,lat,weight\n2.4,52.8,5\n".to_string(), "young", "missing column \"young\""),
        ("b.csv", "lon,lat,weight\n2.4,52.8,-5\n".to_string(), "weight", "a negative weight"),
        ("c.csv", "lon,lat,weight\n2.4,52.8,0\n".to_string(), "weight", "no one lives here"),
        (
            "d.geojson",
            r#"{"type": "FeatureCollection", "features": [
              {"type": "Feature", "properties": {"weight": 3}, "geometry": {"type": "Point", "coordinates": [2.4, 52.8]}},
              {"type": "Feature", "properties": {"weight": 3}, "geometry": {"type": "Polygon", "coordinates": [[[2.4,52.8],[2.5,52.8],[2.5,52.9],[2.4,52.8]]]}}]}"#.to_string(),
            "weight",
            "mixes points and polygons",
        ),
        (
            "e.geojson",
            r#"{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"n": 3}, "geometry": {"type": "Point", "coordinates": [2.4, 52.8]}}]}"#.to_string(),
            "weight",
            "--origins-weight",
        ),
    ] {
        let f = dir.path().join(name);
        std::fs::write(&f, body).expect("write");
        let (ok, _, err) = run(&f, &["--origins-weight", weight]);
        assert!(!ok, "{name}");
        assert!(err.contains(says), "{name}: {err}");
    }
}
