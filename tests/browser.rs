//! The map page in a real browser: `nabij serve --demo` on a loopback port with a saved
//! scenario, and `tests/browser/map_page.py` driving Debian's headless Chromium through
//! ChromeDriver (Selenium). It needs `chromium`, `chromium-driver` and the Python package
//! `selenium`, which `.ci/run` installs; without them the test is skipped and says so (and
//! fails under `.ci/run`, which sets `NABIJ_REQUIRE_TOOLS`). A
//! screenshot is written to `target/browser/map.png`.

mod common;

use std::path::PathBuf;
use std::process::Command;

/// Skips (or, under `.ci/run`, fails) without Chromium, its driver and Selenium.
fn browser_missing() -> bool {
    use common::Tool;
    common::skip_without(&[
        Tool::Command("/usr/bin/chromium"),
        Tool::Command("/usr/bin/chromedriver"),
        Tool::PyModule("selenium"),
        Tool::PyModule("colorspacious"),
        Tool::PyModule("numpy"),
        Tool::File(AXE),
    ])
}

/// axe-core from npm, which `.ci/run` installs into `target/npm` (for the tests only).
const AXE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/target/npm/node_modules/axe-core/axe.min.js"
);

#[test]
fn the_map_page_works_in_headless_chromium() {
    if browser_missing() {
        return;
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("scenarios.sqlite");
    let token = "browser-test-token-0123";
    let server = common::Served::demo(&db, Some(token));
    let addr = server.addr.clone();
    let outcome = drive(&addr, token, &root);
    drop(server);
    let stdout = String::from_utf8_lossy(&outcome.stdout);
    let stderr = String::from_utf8_lossy(&outcome.stderr);
    assert!(outcome.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("ok: map page checked"), "{stdout}");
    assert!(root.join("target/browser/map.png").exists());
}

/// Waits for the server, saves one scenario, runs the browser script.
fn drive(addr: &str, token: &str, root: &std::path::Path) -> std::process::Output {
    // Healthy, then one saved scenario for the scenario view.
    let post = |path: &str, body: &str| -> Option<u16> {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(addr).ok()?;
        write!(s, "POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()).ok()?;
        let mut out = String::new();
        s.read_to_string(&mut out).ok()?;
        out.split_whitespace().nth(1)?.parse().ok()
    };
    let mut ready = false;
    for _ in 0..200 {
        if std::net::TcpStream::connect(addr).is_ok() {
            ready = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(ready, "the server did not listen");
    let code = post(
        "/api/v1/scenarios",
        r#"{"name": "Unit in Jonkersdam", "changes": [{"op": "add", "id": "N1", "type": "kleinschalig_verblijf", "municipality": "GM9010"}]}"#,
    );
    assert_eq!(code, Some(201));
    let shots = root.join("target/browser");
    std::fs::create_dir_all(&shots).expect("target/browser");
    Command::new(common::python())
        .arg(root.join("tests/browser/map_page.py"))
        .arg(format!("http://{addr}"))
        .arg(shots.join("map.png"))
        .env("NABIJ_TEST_TOKEN", token)
        .env("NABIJ_AXE", AXE)
        .output()
        .expect("python3 runs")
}

/// Names that are markup (from OpenStreetMap anyone can edit them) reach the page as text:
/// municipalities, facilities, a custom grouping and a saved scenario carry `<img>` beacons
/// and `<b>` tags; headless Chromium opens every tooltip and panel, and neither an element
/// nor a request may result.
#[test]
fn poisoned_names_stay_text_on_the_map_page() {
    if browser_missing() {
        return;
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().expect("tempdir");
    let beacon = std::net::TcpListener::bind("127.0.0.1:0").expect("beacon");
    beacon.set_nonblocking(true).expect("nonblocking");
    let url = format!("http://{}/beacon", beacon.local_addr().expect("addr"));
    let img = |what: &str| {
        format!(r#"<img src="{url}-{what}" class="poison" onerror="window.poisoned=1">"#)
    };
    // Municipalities: every name poisoned.
    let mut gj: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("data/demo/municipalities.geojson")).expect("demo"),
    )
    .expect("json");
    for f in gj["features"].as_array_mut().expect("features") {
        let name = f["properties"]["gemeentenaam"]
            .as_str()
            .unwrap_or("")
            .to_string();
        f["properties"]["gemeentenaam"] =
            serde_json::json!(format!("<b class=\"poison\">{name}</b>{}", img("m")));
        f["properties"]["jeugdregio_naam"] = serde_json::json!(img("jr"));
    }
    let munis = dir.path().join("m.geojson");
    std::fs::write(&munis, gj.to_string()).expect("write");
    // Facilities: names and a type label.
    let csv = std::fs::read_to_string(root.join("data/demo/facilities.csv")).expect("demo");
    let mut out = String::new();
    for (i, line) in csv.lines().enumerate() {
        if i == 0 {
            out.push_str(line);
        } else {
            let mut cols: Vec<String> = line.split(',').map(str::to_string).collect();
            cols[1] = format!("\"{}\"", img("f").replace('"', "\"\""));
            out.push_str(&cols.join(","));
        }
        out.push('\n');
    }
    // One more facility whose id and type are markup too.
    out.push_str(&format!(
        "\"<b class=\"\"poison\"\">X1</b>\",\"{}\",\"<b class=\"\"poison\"\">soort</b>\",3.56,52.62,,,,,,,,active,GM9010\n",
        img("x").replace('"', "\"\"")
    ));
    let facs = dir.path().join("f.csv");
    std::fs::write(&facs, out).expect("write");
    // A grouping whose region names are markup.
    let mut groups = String::from("gemeentecode,zorggebied\n");
    for f in gj["features"].as_array().expect("features") {
        groups.push_str(&format!(
            "{},\"{}\"\n",
            f["properties"]["gemeentecode"].as_str().unwrap_or(""),
            img("g").replace('"', "\"\"")
        ));
    }
    let grouping = dir.path().join("g.csv");
    std::fs::write(&grouping, groups).expect("write");
    let token = "browser-poison-token-0123";
    let server = common::Served::start(
        &dir.path().join("s.sqlite"),
        Some(token),
        &[
            "--demo",
            "--municipalities",
            munis.to_str().expect("utf8"),
            "--facilities",
            facs.to_str().expect("utf8"),
            "--grouping-csv",
            grouping.to_str().expect("utf8"),
        ],
    );
    // A scenario whose name, description and new unit are markup.
    let scenario = serde_json::json!({
        "name": format!("<b class=\"poison\">S</b>{}", img("s")),
        "description": img("d"),
        "changes": [{"op": "add", "id": "N<b>1</b>", "name": img("n"), "type": "kleinschalig_verblijf", "municipality": "GM9010"}],
    })
    .to_string();
    let id = {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(&server.addr).expect("connect");
        write!(s, "POST /api/v1/scenarios HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{scenario}", scenario.len()).expect("send");
        let mut text = String::new();
        s.read_to_string(&mut text).expect("read");
        assert!(text.starts_with("HTTP/1.1 201"), "{text}");
        let body = text.split("\r\n\r\n").nth(1).unwrap_or("{}");
        let v: serde_json::Value = serde_json::from_str(body).expect("json");
        v["id"].as_str().expect("id").to_string()
    };
    let shots = root.join("target/browser");
    std::fs::create_dir_all(&shots).expect("target/browser");
    let run = Command::new(common::python())
        .arg(root.join("tests/browser/poisoned.py"))
        .arg(format!("http://{}", server.addr))
        .arg(&id)
        .arg(shots.join("poisoned.png"))
        .output()
        .expect("python runs");
    drop(server);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(stdout.contains("ok: poisoned names stay text"), "{stdout}");
    // Nothing asked the beacon for anything.
    match beacon.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        Ok((_, from)) => panic!("the beacon was requested (from {from})"),
        Err(e) => panic!("beacon: {e}"),
    }
}
