//! The HTTP service: every endpoint and error in memory, the panic guard, configuration layers,
//! the real binary on a loopback port (read by GDAL, stopped with SIGTERM), and the OpenAPI
//! document validated and checked against the routes actually served.

mod common;

use actix_web::http::StatusCode;
use actix_web::test as atest;
use actix_web::{App, web};
use nabij::api::{AppState, configure};
use nabij::app::{Config, Dataset, Progress};

const TOKEN: &str = "test-token-0123456789";

fn demo_state() -> web::Data<AppState> {
    // Tests run in the package root, where data/demo lives.
    let data = Dataset::load(&Config::demo(), &Progress::hidden()).expect("the demo loads");
    // A database of its own per state (a small file left in the system temp folder).
    let dir = tempfile::tempdir().expect("tempdir").keep();
    web::Data::new(
        AppState::new(data, std::time::Duration::from_secs(60)).with_scenarios(
            nabij::app::Store::new(dir.join("scenarios.sqlite")),
            Some(TOKEN.into()),
        ),
    )
}

/// Saves a small scenario and returns its id.
async fn saved_scenario(
    app: &impl actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse,
        Error = actix_web::Error,
    >,
) -> String {
    let resp = atest::call_service(
        app,
        atest::TestRequest::post()
            .uri("/api/v1/scenarios")
            .insert_header(("Authorization", format!("Bearer {TOKEN}")))
            .set_payload(r#"{"name": "t", "changes": [{"op": "close", "id": "NB-07"}]}"#)
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let v: serde_json::Value = serde_json::from_slice(&atest::read_body(resp).await).expect("json");
    v["id"].as_str().expect("id").to_string()
}

/// A concrete path for a route pattern.
fn concrete(pattern: &str, scenario: &str) -> String {
    if pattern.starts_with("/api/v1/scenarios/") {
        pattern.replace("{id}", scenario)
    } else {
        pattern
            .replace("{code}", "GM9001")
            .replace("{id}", "NB-01")
            .replace("{file}", "app.js")
            .replace("{collectionId}", "coverage")
            .replace("{featureId}", "GM9001")
    }
}

macro_rules! app {
    ($state:expr) => {
        atest::init_service(App::new().configure(configure($state.clone()))).await
    };
}

async fn get(
    app: &impl actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse,
        Error = actix_web::Error,
    >,
    uri: &str,
) -> (StatusCode, String, String) {
    let resp = atest::call_service(app, atest::TestRequest::get().uri(uri).to_request()).await;
    let status = resp.status();
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = String::from_utf8_lossy(&atest::read_body(resp).await).into_owned();
    (status, ct, body)
}

#[actix_web::test]
async fn every_endpoint_answers() {
    let state = demo_state();
    let app = app!(state);
    let (s, _, body) = get(&app, "/health").await;
    assert_eq!(s, StatusCode::OK);
    assert!(body.contains("\"graph_loaded\":true"));
    let (s, _, body) = get(&app, "/api/v1/meta").await;
    assert_eq!(s, StatusCode::OK);
    let meta: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(meta["synthetic_roads"], true);
    assert_eq!(meta["municipalities"], 20);
    for (uri, ct) in [
        ("/api/v1/coverage", "application/geo+json"),
        ("/api/v1/coverage?format=csv", "text/csv; charset=utf-8"),
        (
            "/api/v1/coverage?format=json&minutes=30&type=kleinschalig_verblijf&age=15&min_free_places=1&status=active,planned&direction=from",
            "application/json",
        ),
        ("/api/v1/coverage/GM9020", "application/json"),
        (
            "/api/v1/coverage?need=kvjj&as_of=2021-01-01&format=json",
            "application/json",
        ),
        (
            "/api/v1/regions?need=kleinschalig_verblijf&grouping=zorggebied",
            "application/json",
        ),
        ("/api/v1/regions?grouping=zorggebied", "application/json"),
        ("/api/v1/regions", "application/json"),
        (
            "/api/v1/facilities?type=jeugdzorgplus&status=active",
            "application/geo+json",
        ),
        ("/api/v1/facilities/NB-01", "application/geo+json"),
        (
            "/api/v1/travel-time?from=2.36,52.85&to=2.67,52.85",
            "application/json",
        ),
        (
            "/api/v1/isochrone?at=NB-01&minutes=20",
            "application/geo+json",
        ),
        (
            "/api/v1/isochrone?at=2.67,52.85&minutes=10&direction=from",
            "application/geo+json",
        ),
        ("/api/v1/openapi.json", "application/json"),
    ] {
        let (s, got_ct, body) = get(&app, uri).await;
        assert_eq!(s, StatusCode::OK, "{uri}: {body}");
        assert_eq!(got_ct, ct, "{uri}");
    }
    let (_, _, body) = get(&app, "/api/v1/coverage").await;
    let fc: geojson::FeatureCollection = body.parse().expect("GeoJSON");
    assert_eq!(fc.features.len(), 20);
    let (_, _, body) = get(&app, "/api/v1/coverage/GM9020").await;
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(v["municipality"]["status"], "outside_region");
    assert!(!v["nearest_facilities"].as_array().expect("list").is_empty());
    let (_, _, body) = get(&app, "/api/v1/regions?grouping=jeugdregio").await;
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    let oost = v["regions"]
        .as_array()
        .expect("regions")
        .iter()
        .find(|r| r["code"] == "JZ93")
        .expect("JZ93")
        .clone();
    assert_eq!(oost["unfair"], true);
    let (_, _, body) = get(&app, "/metrics").await;
    assert!(
        body.contains("nabij_requests_total{route=\"/api/v1/coverage\",status=\"200\"}"),
        "{body}"
    );
    assert!(body.contains("nabij_cache_hits_total"));
}

#[actix_web::test]
async fn every_bad_parameter_is_a_problem_naming_it() {
    let state = demo_state();
    let app = app!(state);
    for (uri, status, parameter) in [
        ("/api/v1/coverage?minutes=0", 400, Some("minutes")),
        ("/api/v1/coverage?minutes=abc", 400, Some("minutes")),
        ("/api/v1/coverage?type=castle", 400, Some("type")),
        ("/api/v1/coverage?age=99", 400, Some("age")),
        ("/api/v1/coverage?status=sometimes", 400, Some("status")),
        (
            "/api/v1/coverage?direction=sideways",
            400,
            Some("direction"),
        ),
        ("/api/v1/coverage?format=shp", 400, Some("format")),
        ("/api/v1/coverage?colour=red", 400, Some("colour")),
        (
            "/api/v1/coverage?minutes=30&minutes=40",
            400,
            Some("minutes"),
        ),
        ("/api/v1/coverage/GM0000", 404, Some("code")),
        ("/api/v1/regions?grouping=continent", 400, Some("grouping")),
        ("/api/v1/facilities/NOPE", 404, Some("id")),
        ("/api/v1/facilities?status=open", 400, Some("status")),
        ("/api/v1/travel-time?from=2.36,52.85", 400, Some("to")),
        (
            "/api/v1/travel-time?from=abc&to=2.67,52.85",
            400,
            Some("from"),
        ),
        (
            "/api/v1/travel-time?from=2.36,52.85&to=0,0",
            400,
            Some("to"),
        ),
        ("/api/v1/isochrone?at=NB-01", 400, Some("minutes")),
        (
            "/api/v1/isochrone?at=NB-01&minutes=500",
            400,
            Some("minutes"),
        ),
        ("/api/v1/isochrone?at=castle&minutes=10", 404, Some("at")),
        ("/api/v1/isochrone?at=10,10&minutes=10", 400, Some("at")),
        (
            "/api/v1/isochrone?facility=NB-01&minutes=10",
            400,
            Some("facility"),
        ),
        ("/api/v1/facilities?type=castle", 400, Some("type")),
        ("/api/v1/coverage?need=castle", 400, Some("need")),
        (
            "/api/v1/coverage?need=kleinschalig_jeugdzorgplus",
            400,
            Some("need"),
        ),
        ("/api/v1/coverage?as_of=2021-13-01", 400, Some("as_of")),
        ("/api/v1/coverage?minutes=300", 400, Some("minutes")),
        ("/health?verbose=1", 400, Some("verbose")),
        ("/api/v1/meta?x=1", 400, Some("x")),
        ("/api/v1/openapi.json?x=1", 400, Some("x")),
        ("/metrics?x=1", 400, Some("x")),
        ("/api/v1/nothing-here", 404, None),
    ] {
        let (s, ct, body) = get(&app, uri).await;
        assert_eq!(s.as_u16(), status, "{uri}: {body}");
        assert_eq!(ct, "application/problem+json", "{uri}");
        let v: serde_json::Value = serde_json::from_str(&body).expect("problem json");
        for key in ["type", "title", "status", "detail"] {
            assert!(v.get(key).is_some(), "{uri}: {key} missing in {body}");
        }
        if let Some(p) = parameter {
            assert_eq!(v["parameter"], p, "{uri}: {body}");
        }
    }
    let long = format!("/api/v1/coverage?type={}", "a".repeat(3000));
    let (s, ct, _) = get(&app, &long).await;
    assert_eq!(s, StatusCode::URI_TOO_LONG);
    assert_eq!(ct, "application/problem+json");
}

#[actix_web::test]
async fn etag_cache_cors_and_gzip() {
    let state = demo_state();
    let app = app!(state);
    let resp = atest::call_service(
        &app,
        atest::TestRequest::get()
            .uri("/api/v1/coverage?minutes=40")
            .to_request(),
    )
    .await;
    let etag = resp
        .headers()
        .get("etag")
        .expect("etag")
        .to_str()
        .expect("ascii")
        .to_string();
    let resp = atest::call_service(
        &app,
        atest::TestRequest::get()
            .uri("/api/v1/coverage?minutes=40")
            .insert_header(("If-None-Match", etag.clone()))
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::NOT_MODIFIED);
    let hits = state.metrics.lock().map(|m| m.cache_hits).unwrap_or(0);
    assert!(hits >= 1, "the second request was answered from the cache");
    let resp = atest::call_service(
        &app,
        atest::TestRequest::get()
            .uri("/api/v1/coverage")
            .insert_header(("Origin", "https://qgis.example"))
            .to_request(),
    )
    .await;
    assert_eq!(
        resp.headers()
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok()),
        Some("https://qgis.example")
    );
    let resp = atest::call_service(
        &app,
        atest::TestRequest::get()
            .uri("/api/v1/coverage")
            .insert_header(("Accept-Encoding", "gzip"))
            .to_request(),
    )
    .await;
    assert_eq!(
        resp.headers()
            .get("content-encoding")
            .and_then(|v| v.to_str().ok()),
        Some("gzip")
    );
}

#[actix_web::test]
async fn a_panicking_handler_gives_a_500_problem_without_detail() {
    let app = atest::init_service(App::new().route(
        "/boom",
        web::get().to(|| nabij::api::guard(async { panic!("secret internal detail") })),
    ))
    .await;
    let (s, ct, body) = get(&app, "/boom").await;
    assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(ct, "application/problem+json");
    assert!(!body.contains("secret"), "{body}");
}

#[actix_web::test]
async fn the_openapi_document_is_valid_and_matches_the_served_routes() {
    let state = demo_state();
    let app = app!(state);
    let (_, _, body) = get(&app, "/api/v1/openapi.json").await;
    let doc: serde_json::Value = serde_json::from_str(&body).expect("json");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("openapi.json");
    std::fs::write(&path, &body).expect("write");
    if !common::skip_without(&[common::Tool::PyModule("openapi_spec_validator")]) {
        let out = std::process::Command::new(common::python())
            .args(["-m", "openapi_spec_validator"])
            .arg(&path)
            .output()
            .expect("python3 runs");
        assert!(
            out.status.success(),
            "openapi-spec-validator (in target/pyenv: .ci/run installs it, see README): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // Every documented path is served (not the 404 fallback), and every served route is documented.
    let paths = doc["paths"].as_object().expect("paths");
    assert_eq!(paths.len(), nabij::api::openapi::ROUTES.len());
    let id = saved_scenario(&app).await;
    for (p, item) in paths.iter().filter(|(_, item)| item.get("get").is_some()) {
        let uri = concrete(p, &id);
        let required: Vec<&str> = item["get"]["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|x| x["required"] == true && x["in"] == "query")
            .filter_map(|x| x["name"].as_str())
            .collect();
        let query = required
            .iter()
            .map(|n| match *n {
                "from" => "from=2.36,52.85",
                "to" => "to=2.67,52.85",
                "at" => "at=NB-01",
                "minutes" => "minutes=10",
                "region" => "region=JZ93",
                _ => "",
            })
            .collect::<Vec<_>>()
            .join("&");
        let uri = if query.is_empty() {
            uri
        } else {
            format!("{uri}?{query}")
        };
        let (s, _, body) = get(&app, &uri).await;
        assert_eq!(s, StatusCode::OK, "documented {uri} is not served: {body}");
    }
    let (_, _, body) = get(&app, "/metrics").await;
    for line in body
        .lines()
        .filter(|l| l.starts_with("nabij_requests_total"))
    {
        let route = line
            .split("route=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap_or("");
        assert!(
            paths.contains_key(route) || route == "unmatched",
            "served route {route} is not documented"
        );
    }
}

#[test]
fn the_real_binary_serves_on_loopback_and_stops_on_sigterm() {
    let addr = common::free_addr();
    let db = tempfile::tempdir().expect("tempdir");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_nabij"))
        .args(["serve", "--listen", &addr, "--database"])
        .arg(db.path().join("s.sqlite"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("starts");
    let fetch = |path: &str| -> Option<(u16, Vec<u8>)> {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(&addr).ok()?;
        s.set_read_timeout(Some(std::time::Duration::from_secs(20)))
            .ok()?;
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )
        .ok()?;
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).ok()?;
        let head_end = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
        let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
        let status = head.split_whitespace().nth(1)?.parse().ok()?;
        Some((status, buf[head_end..].to_vec()))
    };
    let mut ready = false;
    for _ in 0..100 {
        if fetch("/health").is_some_and(|(s, _)| s == 200) {
            ready = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(ready, "the server did not become healthy");
    let (status, body) = fetch("/api/v1/coverage").expect("coverage");
    assert_eq!(status, 200);
    if !common::skip_without(&[common::Tool::Command("ogrinfo")]) {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("served.geojson");
        std::fs::write(&file, &body).expect("write");
        let info = std::process::Command::new("ogrinfo")
            .args(["-al", "-so"])
            .arg(&file)
            .output()
            .expect("ogrinfo (gdal-bin) runs");
        let text = String::from_utf8_lossy(&info.stdout);
        assert!(
            info.status.success() && text.contains("Feature Count: 20"),
            "{text}"
        );
        // GDAL reads the served coverage over HTTP as QGIS does (/vsicurl/ sends HEAD first).
        let info = std::process::Command::new("ogrinfo")
            .args(["-ro", "-al", "-so"])
            .arg(format!("/vsicurl/http://{addr}/api/v1/coverage"))
            .env("GDAL_HTTP_TIMEOUT", "20")
            .output()
            .expect("ogrinfo runs");
        let text = String::from_utf8_lossy(&info.stdout);
        assert!(
            info.status.success() && text.contains("Feature Count: 20"),
            "ogrinfo /vsicurl/: {text}{}",
            String::from_utf8_lossy(&info.stderr)
        );
        // Graceful shutdown on SIGTERM.
    }
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let mut exited = None;
    for _ in 0..150 {
        if let Ok(Some(st)) = child.try_wait() {
            exited = Some(st);
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let Some(st) = exited else {
        let _ = child.kill();
        panic!("the server did not stop on SIGTERM");
    };
    assert!(st.success(), "exit status {st}");
    // It says whether requests were dropped at shutdown (none were in flight here).
    let mut out = String::new();
    if let Some(mut o) = child.stdout.take() {
        use std::io::Read;
        let _ = o.read_to_string(&mut out);
    }
    assert!(out.contains("no request was dropped"), "{out}");
}

#[actix_web::test]
async fn head_answers_every_get_route_and_other_methods_get_405() {
    let state = demo_state();
    let app = app!(state);
    let id = saved_scenario(&app).await;
    for r in nabij::api::openapi::ROUTES
        .iter()
        .filter(|r| r.methods == nabij::api::openapi::Methods::Get)
    {
        let uri = concrete(r.path, &id);
        let uri = match r.id {
            nabij::api::openapi::RouteId::TravelTime => {
                format!("{uri}?from=2.36,52.85&to=2.67,52.85")
            }
            nabij::api::openapi::RouteId::Isochrone => format!("{uri}?at=NB-01&minutes=10"),
            nabij::api::openapi::RouteId::Report | nabij::api::openapi::RouteId::ScenarioReport => {
                format!("{uri}?region=JZ93")
            }
            _ => uri,
        };
        let get = atest::call_service(&app, atest::TestRequest::get().uri(&uri).to_request()).await;
        assert_eq!(get.status(), StatusCode::OK, "GET {uri}");
        let get_type = get.headers().get("content-type").cloned();
        let head = atest::call_service(
            &app,
            atest::TestRequest::default()
                .method(actix_web::http::Method::HEAD)
                .uri(&uri)
                .to_request(),
        )
        .await;
        assert_eq!(head.status(), StatusCode::OK, "HEAD {uri}");
        assert_eq!(
            head.headers().get("content-type").cloned(),
            get_type,
            "HEAD {uri}"
        );
        let post =
            atest::call_service(&app, atest::TestRequest::post().uri(&uri).to_request()).await;
        assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED, "POST {uri}");
        assert_eq!(
            post.headers().get("allow").and_then(|v| v.to_str().ok()),
            Some("GET, HEAD"),
            "POST {uri}"
        );
    }
}

#[actix_web::test]
async fn every_data_response_has_an_etag_and_no_negative_zero() {
    let state = demo_state();
    let app = app!(state);
    for uri in [
        "/api/v1/meta",
        "/api/v1/openapi.json",
        "/api/v1/coverage",
        "/api/v1/coverage?format=csv",
        "/api/v1/coverage?format=json&direction=from",
        "/api/v1/coverage/GM9005",
        "/api/v1/regions",
        "/api/v1/facilities",
        "/api/v1/facilities/NB-01",
        "/api/v1/travel-time?from=2.36,52.85&to=2.67,52.85",
        "/api/v1/isochrone?at=NB-01&minutes=10",
    ] {
        let resp = atest::call_service(&app, atest::TestRequest::get().uri(uri).to_request()).await;
        assert_eq!(resp.status(), StatusCode::OK, "{uri}");
        assert!(resp.headers().get("etag").is_some(), "{uri} has no ETag");
        assert_eq!(
            resp.headers()
                .get("x-content-type-options")
                .and_then(|v| v.to_str().ok()),
            Some("nosniff"),
            "{uri}"
        );
        let body = String::from_utf8_lossy(&atest::read_body(resp).await).into_owned();
        assert!(
            !body.contains("-0.0,") && !body.contains("-0,") && !body.contains(":-0}"),
            "{uri}: -0 in the output"
        );
    }
    // gzip refused with q=0 is not sent.
    let resp = atest::call_service(
        &app,
        atest::TestRequest::get()
            .uri("/api/v1/coverage")
            .insert_header(("Accept-Encoding", "gzip;q=0, identity"))
            .to_request(),
    )
    .await;
    assert_ne!(
        resp.headers()
            .get("content-encoding")
            .and_then(|v| v.to_str().ok()),
        Some("gzip")
    );
}

#[actix_web::test]
async fn the_fictional_demo_does_not_claim_osm_or_cbs_data() {
    let state = demo_state();
    let app = app!(state);
    let (_, _, body) = get(&app, "/api/v1/meta").await;
    let meta: serde_json::Value = serde_json::from_str(&body).expect("json");
    let attribution = meta["attribution"].as_str().expect("attribution");
    assert!(!attribution.contains("OpenStreetMap"), "{attribution}");
    assert!(attribution.contains("Fictional"), "{attribution}");
    // File names only, never server paths.
    assert_eq!(meta["sources"]["graph"], "nabijland.osm.pbf");
}

#[actix_web::test]
async fn the_matrix_endpoint_answers_a_json_body_as_the_pairwise_routes_do() {
    let state = demo_state();
    let app = app!(state);
    let post = |body: serde_json::Value| {
        atest::TestRequest::post()
            .uri("/api/v1/matrix")
            .set_json(body)
            .to_request()
    };
    let origins = [[2.36, 52.85], [2.67, 52.85]];
    let destinations = [[3.2, 52.6], [2.5, 52.2], [0.0, 0.0]];
    let resp = atest::call_service(
        &app,
        post(serde_json::json!({"origins": origins, "destinations": destinations})),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let v: serde_json::Value = serde_json::from_slice(&atest::read_body(resp).await).expect("json");
    for (i, o) in origins.iter().enumerate() {
        for (j, d) in destinations.iter().enumerate() {
            let pairwise = state.data.network.travel_time(
                (o[0], o[1]),
                (d[0], d[1]),
                nabij::app::Period::Free,
            );
            let cell = &v["seconds"][i][j];
            match pairwise {
                Ok(r) => assert_eq!(
                    cell.as_f64(),
                    Some(nabij::units::round_dp(r.time_ms as f64 / 1000.0, 1)),
                    "{o:?} -> {d:?}"
                ),
                Err(_) => {
                    assert!(cell.is_null());
                    assert!(
                        v["reasons"][i][j]
                            .as_str()
                            .is_some_and(|r| r.contains("to:"))
                    );
                }
            }
        }
    }
    assert_eq!(v["synthetic_roads"], true);
    // Bad bodies are problems naming what to fix; GET is a 405 that says POST.
    for (body, status, parameter) in [
        (
            serde_json::json!({"origins": [], "destinations": destinations}),
            400,
            "origins",
        ),
        (
            serde_json::json!({"origins": [[200.0, 1.0]], "destinations": destinations}),
            400,
            "origins[0]",
        ),
        (serde_json::json!({"origins": origins}), 400, "body"),
        (
            serde_json::json!({"origins": origins, "destinations": destinations, "colour": 1}),
            400,
            "body",
        ),
    ] {
        let resp = atest::call_service(&app, post(body.clone())).await;
        assert_eq!(resp.status().as_u16(), status, "{body}");
        let v: serde_json::Value =
            serde_json::from_slice(&atest::read_body(resp).await).expect("problem");
        assert_eq!(v["parameter"], parameter, "{body}");
    }
    let big: Vec<[f64; 2]> = (0..600).map(|i| [2.3 + i as f64 * 1e-4, 52.8]).collect();
    let resp = atest::call_service(
        &app,
        post(serde_json::json!({"origins": big, "destinations": big})),
    )
    .await;
    assert_eq!(
        resp.status(),
        StatusCode::PAYLOAD_TOO_LARGE,
        "360,000 pairs"
    );
    let resp = atest::call_service(
        &app,
        atest::TestRequest::get().uri("/api/v1/matrix").to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        resp.headers().get("allow").and_then(|v| v.to_str().ok()),
        Some("POST")
    );
}

#[actix_web::test]
async fn a_graph_alone_is_served_as_a_routing_server() {
    let dir = tempfile::tempdir().expect("tempdir");
    let nbg = dir.path().join("demo.nbg");
    nabij::pipeline::build_to_file(
        std::path::Path::new("data/demo/nabijland.osm.pbf"),
        &nbg,
        &nabij::ingest::CarProfile::default(),
        &Progress::hidden(),
    )
    .expect("builds");
    let config = Config::resolve(nabij::app::ConfigLayer {
        graph: Some(nbg),
        ..Default::default()
    })
    .expect("config");
    let data = Dataset::load(&config, &Progress::hidden()).expect("loads");
    assert!(data.routing_only);
    let state = web::Data::new(AppState::new(data, std::time::Duration::from_secs(60)));
    let app = app!(state);
    let (s, _, body) = get(&app, "/api/v1/travel-time?from=2.36,52.85&to=2.67,52.85").await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (s, _, body) = get(&app, "/api/v1/isochrone?at=2.36,52.85&minutes=10").await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let resp = atest::call_service(
        &app,
        atest::TestRequest::post()
            .uri("/api/v1/matrix")
            .set_json(
                serde_json::json!({"origins": [[2.36, 52.85]], "destinations": [[2.67, 52.85]]}),
            )
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    for uri in [
        "/api/v1/coverage",
        "/api/v1/regions",
        "/api/v1/facilities",
        "/api/v1/coverage/GM9001",
    ] {
        let (s, ct, body) = get(&app, uri).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(ct, "application/problem+json");
        assert!(body.contains("only a road graph"), "{uri}: {body}");
    }
}

/// Under load: at most `running` computations at once and `waiting` queued; the rest get a
/// 503 with Retry-After at once; /health answers meanwhile; identical requests in flight
/// share one computation.
#[actix_web::test]
async fn bounded_work_under_load_and_identical_requests_computed_once() {
    let data = Dataset::load(&Config::demo(), &Progress::hidden()).expect("demo");
    let state = web::Data::new(nabij::api::state::AppState::with_admission(
        data,
        std::time::Duration::from_secs(60),
        nabij::api::state::Admission {
            running: 1,
            waiting: 0,
        },
    ));
    let app = app!(state);
    // Eight identical uncached requests: one computation.
    let same = (0..8).map(|_| {
        atest::call_service(
            &app,
            atest::TestRequest::get()
                .uri("/api/v1/coverage?minutes=41&format=json")
                .to_request(),
        )
    });
    let answers = futures_util::future::join_all(same).await;
    assert!(answers.iter().all(|r| r.status() == StatusCode::OK));
    let computed = state.metrics.lock().map(|m| m.computations).unwrap_or(0);
    assert_eq!(
        computed, 1,
        "identical requests in flight share one computation"
    );
    // Twelve distinct uncached profiles with room for one: the others are refused at once.
    let distinct = (0..12).map(|i| {
        atest::call_service(
            &app,
            atest::TestRequest::get()
                .uri(&format!("/api/v1/coverage?minutes={}&format=csv", 50 + i))
                .to_request(),
        )
    });
    let health = atest::call_service(&app, atest::TestRequest::get().uri("/health").to_request());
    let (answers, health) =
        futures_util::future::join(futures_util::future::join_all(distinct), health).await;
    assert_eq!(health.status(), StatusCode::OK);
    let busy: Vec<_> = answers
        .iter()
        .filter(|r| r.status() == StatusCode::SERVICE_UNAVAILABLE)
        .collect();
    assert!(!busy.is_empty(), "some requests must be refused");
    assert!(answers.iter().any(|r| r.status() == StatusCode::OK));
    for r in busy {
        assert_eq!(
            r.headers().get("retry-after").and_then(|v| v.to_str().ok()),
            Some("5")
        );
    }
}

#[actix_web::test]
async fn errors_of_the_http_layer_are_problems_too() {
    let state = demo_state();
    let app = app!(state);
    // A CORS preflight for a method the service does not allow.
    let resp = atest::call_service(
        &app,
        atest::TestRequest::default()
            .method(actix_web::http::Method::OPTIONS)
            .uri("/api/v1/coverage")
            .insert_header(("Origin", "https://qgis.example"))
            .insert_header(("Access-Control-Request-Method", "PUT"))
            .to_request(),
    )
    .await;
    assert!(resp.status().is_client_error(), "{}", resp.status());
    assert_eq!(
        resp.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/problem+json")
    );
    let v: serde_json::Value =
        serde_json::from_slice(&atest::read_body(resp).await).expect("problem");
    assert!(
        v["status"]
            .as_u64()
            .is_some_and(|s| (400..500).contains(&s)),
        "{v}"
    );
    // A request body that is not JSON at all.
    let resp = atest::call_service(
        &app,
        atest::TestRequest::post()
            .uri("/api/v1/matrix")
            .insert_header(("content-type", "application/json"))
            .set_payload("{not json")
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        resp.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/problem+json")
    );
}

#[actix_web::test]
async fn a_computation_past_its_time_limit_is_cancelled_and_not_kept() {
    let data = Dataset::load(&Config::demo(), &Progress::hidden()).expect("the demo loads");
    // A time limit no 240-minute isochrone of the demo can meet.
    let state = web::Data::new(AppState::new(data, std::time::Duration::from_millis(1)));
    let app = app!(state);
    let (s, _, body) = get(&app, "/api/v1/isochrone?at=NB-01&minutes=240").await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(body.contains("took longer than"), "{body}");
    // The computation hears of it and stops; what it left is counted, not kept.
    let mut cancelled = 0;
    for _ in 0..200 {
        cancelled = state.metrics.lock().map(|m| m.cancelled).unwrap_or(0);
        if cancelled > 0 {
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(cancelled, 1);
    let (_, _, metrics) = get(&app, "/metrics").await;
    assert!(
        metrics.contains("nabij_computations_cancelled_total 1"),
        "{metrics}"
    );
}

/// Identical requests share one computation: it goes on while any of them waits, and stops as
/// soon as the last one has gone (not only at the time limit).
#[actix_web::test]
async fn a_shared_computation_stops_when_the_last_request_waiting_for_it_goes() {
    use nabij::api::ApiError;
    use nabij::api::cache::Cached;
    use nabij::api::state::coalesced;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;
    let data = Dataset::load(&Config::demo(), &Progress::hidden()).expect("the demo loads");
    let state = web::Data::new(AppState::new(data, Duration::from_secs(60)));
    let stopped = Arc::new(AtomicBool::new(false));
    let second_ran = Arc::new(AtomicBool::new(false));
    // Works until it is cancelled, then notes that it stopped.
    let slow = {
        let stopped = stopped.clone();
        move |_: &AppState| -> Result<Cached, ApiError> {
            while !nabij::cancel::requested() {
                std::thread::sleep(Duration::from_millis(5));
            }
            stopped.store(true, Ordering::SeqCst);
            Err(ApiError::Internal("stopped".into()))
        }
    };
    let first = actix_web::rt::spawn({
        let st = state.clone();
        async move { coalesced(&st, None, "k".into(), slow).await }
    });
    actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    let second = actix_web::rt::spawn({
        let (st, ran) = (state.clone(), second_ran.clone());
        async move {
            coalesced(&st, None, "k".into(), move |_| {
                ran.store(true, Ordering::SeqCst);
                Err(ApiError::Internal("a second computation".into()))
            })
            .await
        }
    });
    actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    // The request that started it leaves; the other still waits.
    first.abort();
    actix_web::rt::time::sleep(Duration::from_millis(400)).await;
    assert!(
        !stopped.load(Ordering::SeqCst),
        "a request still waits, yet the computation stopped"
    );
    // The last one leaves too.
    second.abort();
    let mut waited = 0;
    while !stopped.load(Ordering::SeqCst) && waited < 100 {
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        waited += 1;
    }
    assert!(
        stopped.load(Ordering::SeqCst),
        "nobody waits, yet it goes on"
    );
    assert!(
        !second_ran.load(Ordering::SeqCst),
        "the second request joined the first computation"
    );
    let mut cancelled = 0;
    for _ in 0..100 {
        cancelled = state.metrics.lock().map(|m| m.cancelled).unwrap_or(0);
        if cancelled > 0 {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(cancelled, 1);
}

#[test]
fn a_client_that_leaves_has_its_computation_cancelled() {
    let db = tempfile::tempdir().expect("tempdir");
    // The demo graph without a contraction hierarchy: the matrix below is then one search per
    // row, about a second of work (with the hierarchy it is done before the client hangs up).
    let served = common::Served::demo_built(db.path(), "never");
    let addr = served.addr.clone();
    let get = |path: &str| -> Option<String> {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(&addr).ok()?;
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .ok()?;
        let mut out = String::new();
        s.read_to_string(&mut out).ok()?;
        Some(out)
    };
    let mut ready = false;
    for _ in 0..200 {
        if get("/health").is_some_and(|r| r.starts_with("HTTP/1.1 200")) {
            ready = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(ready, "the server did not become healthy");
    // A 500 × 500 matrix around the demo's facilities (about a second of work), sent whole,
    // then the client hangs up without reading.
    let mut rng = nabij::rng::SplitMix64::new(7);
    let centres = [
        (2.36, 52.86),
        (2.67, 52.85),
        (2.35, 52.64),
        (2.65, 52.63),
        (3.26, 52.63),
    ];
    let points: Vec<[f64; 2]> = (0..500)
        .map(|i| {
            let c = centres[i % centres.len()];
            [c.0 + rng.range(-0.02, 0.02), c.1 + rng.range(-0.01, 0.01)]
        })
        .collect();
    let body = serde_json::json!({"origins": points, "destinations": points}).to_string();
    {
        use std::io::Write;
        let mut s = std::net::TcpStream::connect(&addr).expect("connect");
        write!(
            s,
            "POST /api/v1/matrix HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .expect("send");
        std::thread::sleep(std::time::Duration::from_millis(100));
        // Dropped: the connection closes.
    }
    let mut seen = String::new();
    for _ in 0..100 {
        seen = get("/metrics").unwrap_or_default();
        if seen.contains("nabij_computations_cancelled_total 1") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    drop(served);
    assert!(
        seen.contains("nabij_computations_cancelled_total 1"),
        "the computation was not cancelled: {seen}"
    );
    assert!(seen.contains("status=\"499\""), "{seen}");
}
