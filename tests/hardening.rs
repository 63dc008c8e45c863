//! Hardening, as an attacker and an operator would probe it: bodies that never arrive,
//! guessed tokens, oversized requests and ids, retried writes, scenario databases that are
//! not nabij's, and endless CLI inputs.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::Served;

const TOKEN: &str = "hardening-test-token-0123";

/// Sends raw bytes, reads the whole answer (the server closes: `Connection: close`).
fn raw(addr: &str, request: &[u8]) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    s.write_all(request).expect("send");
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    let code = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (code, text)
}

fn request(method: &str, path: &str, headers: &[&str], body: &str) -> Vec<u8> {
    let mut r = format!("{method} {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n");
    for h in headers {
        r.push_str(h);
        r.push_str("\r\n");
    }
    r.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    r.into_bytes()
}

const SCENARIO: &str = r#"{"name": "Unit in Jonkersdam", "changes": [{"op": "add", "id": "N1", "type": "kleinschalig_verblijf", "municipality": "GM9010"}]}"#;

#[test]
fn a_body_that_never_arrives_gets_408_and_its_connection_closed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = dir.path().join("nabij.toml");
    std::fs::write(&cfg, "body_timeout_s = 1\n").expect("config");
    let server = Served::start(
        &dir.path().join("s.sqlite"),
        Some(TOKEN),
        &["--config", cfg.to_str().expect("utf8")],
    );
    for (path, auth) in [
        ("/api/v1/matrix", String::new()),
        (
            "/api/v1/scenarios",
            format!("Authorization: Bearer {TOKEN}\r\n"),
        ),
    ] {
        let started = Instant::now();
        let mut s = TcpStream::connect(&server.addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(60)))
            .expect("timeout");
        // (A write the server has already refused shows in what it answered.)
        let _ = write!(
            s,
            "POST {path} HTTP/1.1\r\nHost: t\r\n{auth}Content-Length: 1000000\r\n\r\n{{"
        );
        let mut out = Vec::new();
        // The server answers and closes: read_to_end returns.
        let _ = s.read_to_end(&mut out);
        let text = String::from_utf8_lossy(&out);
        assert!(text.starts_with("HTTP/1.1 408"), "{path}: {text}");
        assert!(text.contains("body-timeout"), "{text}");
        // 1 s of body time plus 1 MB at 64 KiB/s: about 16 s at most.
        assert!(started.elapsed() < Duration::from_secs(40), "{path}");
    }
}

#[test]
fn many_slow_bodies_under_a_small_descriptor_limit_leave_health_answering() {
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let addr = common::free_addr();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nabij"));
    cmd.args([
        "--quiet",
        "serve",
        "--demo",
        "--listen",
        &addr,
        "--database",
    ])
    .arg(dir.path().join("s.sqlite"))
    .current_dir(env!("CARGO_MANIFEST_DIR"))
    .stdout(Stdio::null());
    // SAFETY: setrlimit between fork and exec touches only the child's own limit.
    unsafe {
        cmd.pre_exec(|| {
            let lim = libc::rlimit {
                rlim_cur: 1024,
                rlim_max: 1024,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = cmd.spawn().expect("serve");
    let server = Served { child, addr };
    let mut up = false;
    for _ in 0..400 {
        if TcpStream::connect(&server.addr).is_ok() {
            up = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    assert!(up, "the server listens");
    // 500 connections that announce a body and send one byte of it.
    let mut held = Vec::new();
    for _ in 0..500 {
        let mut s = TcpStream::connect(&server.addr).expect("connect");
        let _ = write!(
            s,
            "POST /api/v1/matrix HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n{{"
        );
        held.push(s);
    }
    // /health keeps answering meanwhile (its latency under load is measured by
    // scripts/load_test.py, recorded in docs/BENCHMARKS.md; here: it answers at all, promptly).
    for _ in 0..20 {
        let started = Instant::now();
        let (code, _) = raw(&server.addr, &request("GET", "/health", &[], ""));
        assert_eq!(code, 200);
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
    }
    drop(held);
}

#[test]
fn the_token_check_is_exact_and_guessing_is_braked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Served::demo(&dir.path().join("s.sqlite"), Some(TOKEN));
    let post = |headers: &[&str]| {
        raw(
            &server.addr,
            &request("POST", "/api/v1/scenarios", headers, SCENARIO),
        )
    };
    let upper = format!("Authorization: BEARER {TOKEN}");
    assert_eq!(post(&[&upper]).0, 201, "the scheme is case-insensitive");
    // A token with more after it is another token (trailing spaces are trimmed by HTTP's
    // own parsing of header values; the exact comparison is unit-tested in api::auth).
    let inner = format!("Authorization: Bearer {TOKEN} x");
    assert_eq!(post(&[&inner]).0, 403);
    let good = format!("Authorization: Bearer {TOKEN}");
    let (code, body) = post(&[&good, "Authorization: Bearer other"]);
    assert_eq!(code, 400, "{body}");
    assert!(body.contains("exactly one Authorization"), "{body}");
    // Guessing: after the allowed failures, 429 with Retry-After, even with the right token.
    let wrong = "Authorization: Bearer wrong-token-guess-0000";
    let mut last = 0;
    for _ in 0..12 {
        last = post(&[wrong]).0;
    }
    assert_eq!(last, 429);
    let (code, text) = post(&[&good]);
    assert_eq!(code, 429);
    assert!(text.to_ascii_lowercase().contains("retry-after:"), "{text}");
    let (_, metrics) = raw(&server.addr, &request("GET", "/metrics", &[], ""));
    assert!(
        metrics.contains("nabij_auth_failures_total 10"),
        "{metrics}"
    );
    assert!(metrics.contains("nabij_auth_throttled_total"), "{metrics}");
}

#[test]
fn oversized_matrices_are_413_and_long_ids_are_not_echoed_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Served::demo(&dir.path().join("s.sqlite"), None);
    let points = vec!["[2.6,52.6]"; 501].join(",");
    let body = format!(r#"{{"origins": [{points}], "destinations": [{points}]}}"#);
    let (code, text) = raw(&server.addr, &request("POST", "/api/v1/matrix", &[], &body));
    assert_eq!(code, 413, "{text}");
    assert!(text.contains("250000"), "{text}");
    let long = "a".repeat(60_000);
    let (code, text) = raw(
        &server.addr,
        &request("GET", &format!("/api/v1/scenarios/{long}"), &[], ""),
    );
    assert_eq!(code, 404);
    let body = text.split("\r\n\r\n").nth(1).unwrap_or("");
    assert!(body.len() < 400, "{} bytes: {body:.200}", body.len());
}

#[test]
fn a_retried_write_with_the_same_idempotency_key_returns_the_first_answer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Served::demo(&dir.path().join("s.sqlite"), Some(TOKEN));
    let auth = format!("Authorization: Bearer {TOKEN}");
    let send = |key: &str| {
        raw(
            &server.addr,
            &request(
                "POST",
                "/api/v1/scenarios",
                &[&auth, &format!("Idempotency-Key: {key}")],
                SCENARIO,
            ),
        )
    };
    let id = |text: &str| -> String {
        let body = text.split("\r\n\r\n").nth(1).unwrap_or("{}");
        let v: serde_json::Value = serde_json::from_str(body).expect("json");
        v["id"].as_str().expect("id").to_string()
    };
    let (c1, first) = send("retry-0001");
    let (c2, second) = send("retry-0001");
    assert_eq!((c1, c2), (201, 201));
    assert_eq!(id(&first), id(&second));
    assert!(
        second
            .to_ascii_lowercase()
            .contains("idempotent-replayed: true")
    );
    let (_, third) = send("retry-0002");
    assert_ne!(id(&first), id(&third));
    let (_, list) = raw(&server.addr, &request("GET", "/api/v1/scenarios", &[], ""));
    let body = list.split("\r\n\r\n").nth(1).unwrap_or("{}");
    let v: serde_json::Value = serde_json::from_str(body).expect("json");
    assert_eq!(v["scenarios"].as_array().map(Vec::len), Some(2));
}

/// `nabij serve --database PATH`: its exit status and standard error, if it stopped.
fn serve_on(db: &Path) -> (Option<bool>, String) {
    let addr = common::free_addr();
    let mut child = Command::new(env!("CARGO_BIN_EXE_nabij"))
        .args(["serve", "--demo", "--listen", &addr, "--database"])
        .arg(db)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve");
    for _ in 0..200 {
        if let Ok(Some(status)) = child.try_wait() {
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = e.read_to_string(&mut err);
            }
            return (Some(status.success()), err);
        }
        if TcpStream::connect(&addr).is_ok() {
            let _ = child.kill();
            let _ = child.wait();
            return (None, String::new());
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("serve neither started nor stopped");
}

#[test]
fn the_server_refuses_to_start_on_a_database_that_is_not_nabijs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let foreign = dir.path().join("crm.sqlite");
    let c = rusqlite::Connection::open(&foreign).expect("open");
    c.execute_batch("CREATE TABLE customers (id INTEGER); INSERT INTO customers VALUES (7);")
        .expect("foreign");
    drop(c);
    let before = std::fs::read(&foreign).expect("read");
    let garbage = dir.path().join("garbage.sqlite");
    std::fs::write(&garbage, vec![7u8; 8192]).expect("write");
    let cases: [(&Path, &str); 5] = [
        (&foreign, "not a nabij scenario database"),
        (&garbage, "not a readable SQLite database"),
        (dir.path(), "not a regular file"),
        (Path::new("/dev/null"), "not a regular file"),
        (&dir.path().join("typo/s.sqlite"), "does not exist"),
    ];
    for (db, says) in cases {
        let (ended, err) = serve_on(db);
        assert_eq!(ended, Some(false), "{}: the server started", db.display());
        assert!(err.contains(says), "{}: {err}", db.display());
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    }
    assert_eq!(
        std::fs::read(&foreign).expect("read"),
        before,
        "left as it was"
    );
    assert!(!dir.path().join("crm.sqlite-wal").exists());
}

#[test]
fn a_read_only_database_serves_reads_and_health_says_so() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("s.sqlite");
    {
        let server = Served::demo(&db, Some(TOKEN));
        let auth = format!("Authorization: Bearer {TOKEN}");
        let (code, _) = raw(
            &server.addr,
            &request("POST", "/api/v1/scenarios", &[&auth], SCENARIO),
        );
        assert_eq!(code, 201);
        let (_, health) = raw(&server.addr, &request("GET", "/health", &[], ""));
        assert!(health.contains(r#""state":"ready""#), "{health}");
    }
    // A clean close leaves no write-ahead log to replay; the file is then made read-only.
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).expect("chmod");
    let server = Served::demo(&db, Some(TOKEN));
    let (_, health) = raw(&server.addr, &request("GET", "/health", &[], ""));
    assert!(health.contains(r#""state":"read_only""#), "{health}");
    let (code, list) = raw(&server.addr, &request("GET", "/api/v1/scenarios", &[], ""));
    assert_eq!(code, 200, "{list}");
    assert!(list.contains("Unit in Jonkersdam"), "{list}");
    let auth = format!("Authorization: Bearer {TOKEN}");
    let (code, text) = raw(
        &server.addr,
        &request("POST", "/api/v1/scenarios", &[&auth], SCENARIO),
    );
    assert_eq!(code, 403, "{text}");
    assert!(text.contains("read-only"), "{text}");
    // A fresh database in an existing folder: health says it is new.
    let fresh = Served::demo(&dir.path().join("new.sqlite"), None);
    let (_, health) = raw(&fresh.addr, &request("GET", "/health", &[], ""));
    assert!(health.contains(r#""state":"new""#), "{health}");
}

/// Runs nabij with `args`, feeding `stdin` forever when asked; returns (success, stderr,
/// wall time, peak resident memory in KB) of that one process.
fn bounded_run(
    args: &[&str],
    endless_stdin: Option<(&str, &str)>,
) -> (bool, String, Duration, i64) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_nabij"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(if endless_stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    // A well-formed start, then the same row for ever (until the reader goes).
    let content = endless_stdin.map(|(head, row)| (head.to_string(), row.repeat(1000)));
    let writer = child
        .stdin
        .take()
        .zip(content)
        .map(|(mut w, (head, rows))| {
            std::thread::spawn(move || {
                if w.write_all(head.as_bytes()).is_ok() {
                    while w.write_all(rows.as_bytes()).is_ok() {}
                }
            })
        });
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is a plain C struct, filled by wait4 for this one child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waiting for our own child by pid; the Child is not waited on afterwards.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid);
    if let Some(w) = writer {
        let _ = w.join();
    }
    let ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    std::mem::forget(child);
    (ok, err, started.elapsed(), usage.ru_maxrss)
}

#[test]
fn endless_cli_inputs_end_in_a_clean_error_quickly_and_in_little_memory() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A small graph (a few Amsterdam streets) keeps the memory of the rest of the command low.
    let graph = common::cli_build(dir.path(), &common::osm(common::AMSTERDAM), "ams.nbg");
    let munis = dir.path().join("m.geojson");
    std::fs::write(
        &munis,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"gemeentecode":"GM0363","gemeentenaam":"Amsterdam"},"geometry":{"type":"Polygon","coordinates":[[[4.92,52.338],[4.935,52.338],[4.935,52.348],[4.92,52.348],[4.92,52.338]]]}}]}"#,
    )
    .expect("write");
    let facs = dir.path().join("f.csv");
    std::fs::write(&facs, "id,name,type,lon,lat\nF1,a,kvjj,4.928,52.343\n").expect("write");
    let (m, f) = (munis.to_str().expect("utf8"), facs.to_str().expect("utf8"));
    for source in ["/dev/zero", "/dev/stdin"] {
        let endless = source == "/dev/stdin";
        // (arguments, flag, the endless pipe's first line and its repeated row)
        let cases: Vec<(Vec<&str>, &str, (&str, &str))> = vec![
            (
                vec![
                    "coverage",
                    "--graph",
                    &graph,
                    "--municipalities",
                    m,
                    "--facilities",
                    source,
                ],
                "--facilities",
                ("id,name,type,lon,lat\n", "X,x,kvjj,4.93,52.34\n"),
            ),
            (
                vec![
                    "coverage",
                    "--graph",
                    &graph,
                    "--municipalities",
                    source,
                    "--facilities",
                    f,
                ],
                "--municipalities",
                (
                    r#"{"type":"FeatureCollection","features":["#,
                    r#"{"type":"Feature","properties":{"gemeentecode":"GM1","gemeentenaam":"x"},"geometry":{"type":"Point","coordinates":[4.93,52.34]}},"#,
                ),
            ),
            (
                vec![
                    "coverage",
                    "--graph",
                    &graph,
                    "--municipalities",
                    m,
                    "--facilities",
                    f,
                    "--origins",
                    source,
                ],
                "--origins",
                ("lon,lat,weight\n", "4.93,52.34,1\n"),
            ),
            (
                vec![
                    "coverage",
                    "--graph",
                    &graph,
                    "--municipalities",
                    m,
                    "--facilities",
                    f,
                    "--demand",
                    source,
                ],
                "--demand",
                ("gemeentecode,demand\n", "GM0363,1\n"),
            ),
            (
                vec![
                    "coverage",
                    "--graph",
                    &graph,
                    "--municipalities",
                    m,
                    "--facilities",
                    f,
                    "--grouping-csv",
                    source,
                ],
                "--grouping-csv",
                ("gemeentecode,zorggebied\n", "GM0363,A\n"),
            ),
            (
                vec!["coverage", "--graph", &graph, "--config", source],
                "--config",
                ("", "listen = \"127.0.0.1:1\"\n"),
            ),
            (
                vec![
                    "scenario",
                    "--graph",
                    &graph,
                    "--municipalities",
                    m,
                    "--facilities",
                    f,
                    "--changes",
                    source,
                ],
                "--changes",
                (
                    r#"{"name": "x", "changes": ["#,
                    r#"{"op": "close", "id": "F1"},"#,
                ),
            ),
            (
                vec![
                    "advise",
                    "--graph",
                    &graph,
                    "--municipalities",
                    m,
                    "--facilities",
                    f,
                    "--candidates",
                    source,
                ],
                "--candidates",
                ("id,lon,lat\n", "X,4.93,52.34\n"),
            ),
            (
                vec![
                    "matrix",
                    "--graph",
                    &graph,
                    "--origins",
                    source,
                    "--destinations",
                    f,
                ],
                "--origins (matrix)",
                ("id,lon,lat\n", "X,4.93,52.34\n"),
            ),
            (
                vec![
                    "matrix",
                    "--graph",
                    &graph,
                    "--origins",
                    f,
                    "--destinations",
                    source,
                ],
                "--destinations",
                ("id,lon,lat\n", "X,4.93,52.34\n"),
            ),
            (
                vec![
                    "synth",
                    "--way-nodes",
                    "2000",
                    "--out",
                    "/tmp/nabij-never.osm.pbf",
                    "--towns-from",
                    source,
                ],
                "--towns-from",
                (
                    r#"{"type":"FeatureCollection","features":["#,
                    r#"{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[4.93,52.34]}},"#,
                ),
            ),
        ];
        for (args, flag, pipe) in cases {
            let mut all = vec!["--quiet"];
            all.extend(args.iter().copied());
            let (ok, err, took, peak_kb) = bounded_run(&all, endless.then_some(pipe));
            assert!(!ok, "{flag} {source}: succeeded");
            assert!(err.starts_with("error: "), "{flag} {source}: {err}");
            assert_eq!(err.trim().lines().count(), 1, "{flag} {source}: {err}");
            assert!(took < Duration::from_secs(10), "{flag} {source}: {took:?}");
            assert!(peak_kb < 100 * 1024, "{flag} {source}: {peak_kb} KB");
        }
    }
    // The limit names the flag that raises it.
    let (_, err, _, _) = bounded_run(
        &[
            "--quiet",
            "coverage",
            "--graph",
            &graph,
            "--municipalities",
            m,
            "--facilities",
            "/dev/zero",
        ],
        None,
    );
    assert!(err.contains("--max-input-mb"), "{err}");
}

#[test]
fn candidates_beyond_the_cap_are_refused_with_the_flag_to_raise_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cands = dir.path().join("c.csv");
    let mut text = String::from("id,lon,lat\n");
    for i in 0..30 {
        text.push_str(&format!("C{i},2.6,52.6\n"));
    }
    std::fs::write(&cands, text).expect("write");
    let (ok, _, err) = common::nabij(&[
        "advise",
        "--demo",
        "--candidates",
        cands.to_str().expect("utf8"),
        "--max-candidates",
        "20",
    ]);
    assert!(!ok);
    assert!(
        err.contains("more than 20 rows") && err.contains("--max-candidates"),
        "{err}"
    );
}

/// The response headers of a GET, lower-cased names.
fn headers_of(addr: &str, path: &str) -> (u16, String) {
    let (code, text) = raw(addr, &request("GET", path, &[], ""));
    let head = text
        .split("\r\n\r\n")
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    (code, head)
}

#[test]
fn the_page_and_the_report_send_their_security_headers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Served::demo(&dir.path().join("s.sqlite"), None);
    let (code, page) = headers_of(&server.addr, "/");
    assert_eq!(code, 200);
    assert!(
        page.contains("content-security-policy: default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"),
        "{page}"
    );
    assert!(
        !page.contains("unsafe-inline") && !page.contains("https:;"),
        "{page}"
    );
    assert!(page.contains("referrer-policy: no-referrer"), "{page}");
    let (code, report) = headers_of(&server.addr, "/api/v1/report?region=JZ93&format=html");
    assert_eq!(code, 200, "{report}");
    assert!(
        report.contains("content-security-policy: default-src 'none'"),
        "{report}"
    );
    assert!(report.contains("referrer-policy: no-referrer"), "{report}");
    drop(server);
    // A configured basemap: its origin, and only it, joins img-src; the page learns its URL.
    let server = Served::start(
        &dir.path().join("b.sqlite"),
        None,
        &[
            "--demo",
            "--basemap-url",
            "https://tiles.example.org/{z}/{x}/{y}.png",
        ],
    );
    let (_, page) = headers_of(&server.addr, "/");
    assert!(
        page.contains("img-src 'self' data: https://tiles.example.org;"),
        "{page}"
    );
    let (_, meta) = raw(&server.addr, &request("GET", "/api/v1/meta", &[], ""));
    assert!(
        meta.contains("https://tiles.example.org/{z}/{x}/{y}.png"),
        "{meta}"
    );
    drop(server);
    // A basemap URL that could smuggle a directive is refused at the start.
    let (ok, _, err) = common::nabij(&[
        "serve",
        "--demo",
        "--basemap-url",
        "https://x.org/{z}/{x}/{y}.png; img-src *",
    ]);
    assert!(!ok && err.contains("basemap URL"), "{err}");
}
