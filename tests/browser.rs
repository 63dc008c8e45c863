//! The map page in a real browser: `nabij serve --demo` on a loopback port with a saved
//! scenario, and `tests/browser/map_page.py` driving Debian's headless Chromium through
//! ChromeDriver (Selenium). It needs `chromium`, `chromium-driver` and the Python package
//! `selenium`, which `.ci/run` installs; without them the test fails and says so. A
//! screenshot is written to `target/browser/map.png`.

mod common;

use std::path::PathBuf;
use std::process::Command;

fn have(cmd: &str, arg: &str) -> bool {
    Command::new(cmd)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn the_map_page_works_in_headless_chromium() {
    let missing: Vec<&str> = [
        ("/usr/bin/chromium", "--version", "chromium (apt)"),
        (
            "/usr/bin/chromedriver",
            "--version",
            "chromium-driver (apt)",
        ),
    ]
    .iter()
    .filter(|(c, a, _)| !have(c, a))
    .map(|(_, _, name)| *name)
    .chain(
        (!Command::new("python3")
            .args(["-c", "import selenium"])
            .output()
            .is_ok_and(|o| o.status.success()))
        .then_some("selenium (pip)"),
    )
    .collect();
    assert!(
        missing.is_empty(),
        "the browser test needs {}; .ci/run installs them",
        missing.join(", ")
    );
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
    Command::new("python3")
        .arg(root.join("tests/browser/map_page.py"))
        .arg(format!("http://{addr}"))
        .arg(shots.join("map.png"))
        .output()
        .expect("python3 runs")
}
