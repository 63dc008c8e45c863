//! What a new user meets first: every example in the README and the docs runs as written, the
//! demo works from any folder, a closed pipe is not a crash, errors say what to do, the
//! national recipe's join is right, and the licence is stated.

mod common;

use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `nabij` in `dir`, with its own cache folder (so the embedded demo is written afresh) and
/// no configuration from the environment.
fn nabij_in(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_nabij"));
    c.current_dir(dir)
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .env_remove("NABIJ_CONFIG")
        .env_remove("NABIJ_DATABASE")
        .env_remove("RUST_LOG");
    c
}

/// Splits a shell command line into words: single and double quotes, `$NAME` expanded from
/// `vars` outside single quotes (enough for the docs' examples, which use no other syntax).
fn shell_words(line: &str, vars: &[(&str, &str)]) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (Some(q), c) if c == q => quote = None,
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (q, '$') if q != Some('\'') => {
                let mut name = String::new();
                while let Some(&n) = chars.peek() {
                    if n.is_ascii_alphanumeric() || n == '_' {
                        name.push(n);
                        chars.next();
                    } else {
                        break;
                    }
                }
                let value = vars
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| *v)
                    .unwrap_or_else(|| {
                        panic!("the example uses ${name}, which the test does not set")
                    });
                word.push_str(value);
                in_word = true;
            }
            (_, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// The lines of every ```sh block (continuations joined, comments dropped) and the bodies of
/// every ```json block of a Markdown file.
fn blocks(markdown: &str) -> (Vec<String>, Vec<String>) {
    let mut sh = Vec::new();
    let mut json = Vec::new();
    let mut kind: Option<&str> = None;
    let mut body = String::new();
    for line in markdown.lines() {
        if let Some(info) = line.strip_prefix("```") {
            match kind {
                None => {
                    kind = Some(match info.trim() {
                        "sh" => "sh",
                        "json" => "json",
                        _ => "other",
                    });
                    body.clear();
                }
                Some(k) => {
                    if k == "sh" {
                        let joined = body.replace("\\\n", " ");
                        for l in joined.lines() {
                            // A comment starts with " #" outside quotes in these examples.
                            let l = l.split(" # ").next().unwrap_or("").trim();
                            if !l.is_empty() {
                                sh.push(l.to_string());
                            }
                        }
                    } else if k == "json" {
                        json.push(body.clone());
                    }
                    kind = None;
                }
            }
        } else if kind.is_some() {
            body.push_str(line);
            body.push('\n');
        }
    }
    (sh, json)
}

/// Inline code spans that run nabij on the demo (`nabij ... --demo ...`).
fn inline_demo_commands(markdown: &str) -> Vec<String> {
    markdown
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| {
            (s.starts_with("nabij ") || s.starts_with("cargo run --release -- "))
                && s.contains("--demo")
        })
        .map(str::to_string)
        .collect()
}

/// One HTTP/1.1 request with `Connection: close`; the status code.
fn http(addr: &str, method: &str, path: &str, headers: &[String], body: &[u8]) -> u16 {
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for h in headers {
        req.push_str(h);
        req.push_str("\r\n");
    }
    req.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    s.write_all(req.as_bytes()).expect("send");
    s.write_all(body).expect("send body");
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let head = String::from_utf8_lossy(&out[..out.len().min(64)]).into_owned();
    head.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP status in {head:?}"))
}

/// Runs a `curl` example against `addr` (its host:port replaced); returns the status code.
fn run_curl(words: &[String], addr: &str, dir: &Path) -> u16 {
    let mut method = "GET".to_string();
    let mut headers = Vec::new();
    let mut body = Vec::new();
    let mut url = None;
    let mut i = 1;
    while i < words.len() {
        let w = words[i].as_str();
        match w {
            "-s" | "-S" | "-f" | "-L" => {}
            "-o" => i += 1,
            "-X" => {
                i += 1;
                method = words[i].clone();
            }
            "-H" => {
                i += 1;
                headers.push(words[i].clone());
            }
            "-d" | "--data" | "--data-binary" => {
                i += 1;
                body = match words[i].strip_prefix('@') {
                    Some(file) => std::fs::read(dir.join(file)).expect("the example's file"),
                    None => words[i].clone().into_bytes(),
                };
                if method == "GET" {
                    method = "POST".into();
                }
            }
            u if u.starts_with("http://") => url = Some(u.to_string()),
            other => panic!("curl option {other} is not understood by this test"),
        }
        i += 1;
    }
    let url = url.expect("a URL");
    let path = url
        .strip_prefix("http://127.0.0.1:8080")
        .expect("examples address the default 127.0.0.1:8080");
    http(addr, &method, path, &headers, &body)
}

/// A scratch folder with what the examples name relative to the repository root.
fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for sub in ["docs/examples", "data/demo"] {
        let to = dir.path().join(sub);
        std::fs::create_dir_all(&to).expect("mkdir");
        for e in std::fs::read_dir(repo().join(sub)).expect("list") {
            let e = e.expect("entry");
            std::fs::copy(e.path(), to.join(e.file_name())).expect("copy");
        }
    }
    dir
}

/// Starts `nabij serve` from an example (its --listen replaced by a free port) and waits for
/// `/health`.
fn serve(dir: &Path, args: &[String], token: &str) -> (std::process::Child, String) {
    let addr = common::free_addr();
    let mut child = nabij_in(dir)
        .arg("--quiet")
        .args(args)
        .args(["--listen", &addr, "--database"])
        .arg(dir.join("served.sqlite"))
        .env("NABIJ_WRITE_TOKEN", token)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve starts");
    for _ in 0..400 {
        if std::net::TcpStream::connect(&addr).is_ok() {
            return (child, addr);
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("nabij serve did not listen");
}

#[test]
fn every_example_in_the_readme_and_the_docs_runs_as_written() {
    let dir = scratch();
    let token = "docs-example-token-0123456789";
    let mut ran = 0;
    let mut curls = Vec::new();
    for doc in ["README.md", "docs/ANALYSIS.md", "docs/API.md"] {
        let text = std::fs::read_to_string(repo().join(doc)).expect("doc");
        let (sh, json) = blocks(&text);
        let mut lines = sh;
        lines.extend(inline_demo_commands(&text));
        for line in lines {
            let words = shell_words(&line, &[("NABIJ_WRITE_TOKEN", token)]);
            let args: Vec<String> = match words.first().map(String::as_str) {
                Some("nabij") => words[1..].to_vec(),
                Some("cargo") if words.get(1).map(String::as_str) == Some("test") => continue,
                Some("cargo") => {
                    let at = words
                        .iter()
                        .position(|w| w == "--")
                        .unwrap_or_else(|| panic!("{doc}: `{line}`: cargo run without --"));
                    words[at + 1..].to_vec()
                }
                Some("curl") => {
                    curls.push((doc, line.clone(), words));
                    continue;
                }
                // The national recipe needs internet and is tested by its dry run below.
                Some("scripts/download_nl.sh") => continue,
                _ => panic!("{doc}: `{line}` is neither nabij, cargo nor curl"),
            };
            // The national data are downloaded by the user; examples on them cannot run here.
            if line.contains("data/nl/") {
                continue;
            }
            if args.first().map(String::as_str) == Some("serve") {
                let (mut child, addr) = serve(dir.path(), &args, token);
                let code = http(&addr, "GET", "/health", &[], b"");
                let _ = child.kill();
                let _ = child.wait();
                assert_eq!(code, 200, "{doc}: `{line}`");
            } else {
                let out = nabij_in(dir.path()).args(&args).output().expect("runs");
                assert!(
                    out.status.success(),
                    "{doc}: `{line}` failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            ran += 1;
        }
        for (i, body) in json.iter().enumerate() {
            if !body.contains("\"changes\"") {
                continue;
            }
            let file = dir.path().join(format!("example-{i}.json"));
            std::fs::write(&file, body).expect("write");
            let out = nabij_in(dir.path())
                .args(["scenario", "--demo", "--format", "json", "--changes"])
                .arg(&file)
                .output()
                .expect("runs");
            assert!(
                out.status.success(),
                "{doc}: scenario example {i}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            ran += 1;
        }
    }
    assert!(!curls.is_empty(), "docs/API.md has curl examples");
    let (mut child, addr) = serve(dir.path(), &["serve".into(), "--demo".into()], token);
    for (doc, line, words) in &curls {
        let code = run_curl(words, &addr, dir.path());
        assert!(
            (200..300).contains(&code),
            "{doc}: `{line}` answered {code}"
        );
        ran += 1;
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(ran >= 30, "only {ran} examples found");
}

#[test]
fn the_demo_works_from_any_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = nabij_in(dir.path())
        .args(["coverage", "--demo", "--format", "json"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["municipalities"].as_array().map(Vec::len), Some(20));
    // The embedded files were written to the cache, whole, and are used again.
    let cached: Vec<_> = std::fs::read_dir(dir.path().join("cache/nabij"))
        .expect("cache")
        .filter_map(Result::ok)
        .collect();
    assert_eq!(cached.len(), 1);
    let (server, addr) = serve(
        dir.path(),
        &["serve".into(), "--demo".into()],
        "x".repeat(16).as_str(),
    );
    let mut server = server;
    let code = http(&addr, "GET", "/api/v1/regions", &[], b"");
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(code, 200);
}

#[test]
fn a_closed_pipe_ends_a_command_quietly() {
    let dir = scratch();
    let d = dir.path();
    let saved = nabij_in(d)
        .args([
            "--quiet",
            "scenario",
            "--demo",
            "--save",
            "--database",
            "s.sqlite",
            "--changes",
        ])
        .arg("docs/examples/scenario.json")
        .output()
        .expect("runs");
    assert!(
        saved.status.success(),
        "{}",
        String::from_utf8_lossy(&saved.stderr)
    );
    let commands: &[&[&str]] = &[
        &["--help"],
        &["coverage", "--demo", "--format", "csv"],
        &["coverage", "--demo", "--format", "text"],
        &["regions", "--demo"],
        &[
            "time",
            "--demo",
            "--from",
            "2.3326,52.8384",
            "--to",
            "2.6126,52.608",
            "--path",
        ],
        &[
            "matrix",
            "--demo",
            "--origins",
            "docs/examples/origins.csv",
            "--destinations",
            "docs/examples/destinations.csv",
        ],
        &["isochrone", "--demo", "--at", "NB-01", "--minutes", "20"],
        &[
            "scenario",
            "--demo",
            "--changes",
            "docs/examples/scenario.json",
            "--format",
            "text",
        ],
        &["scenarios", "list", "--database", "s.sqlite"],
        &["advise", "--demo", "--add", "1"],
        &["report", "--demo", "--region", "JZ93", "--format", "html"],
    ];
    for args in commands {
        let mut child = nabij_in(d)
            .args(*args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("runs");
        // Read one line (as `head -1` does), then go away.
        let stdout = child.stdout.take().expect("stdout");
        let mut first = String::new();
        let _ = std::io::BufReader::new(stdout).read_line(&mut first);
        let out = child.wait_with_output().expect("ends");
        let stderr = String::from_utf8_lossy(&out.stderr);
        use std::os::unix::process::ExitStatusExt;
        let quiet_end = out.status.success() || out.status.signal() == Some(libc_sigpipe());
        assert!(quiet_end, "{args:?}: {:?} {stderr}", out.status);
        for noise in ["panicked", "Broken pipe", "failed printing"] {
            assert!(!stderr.contains(noise), "{args:?}: {stderr}");
        }
    }
}

/// SIGPIPE's number on Linux (and every Unix nabij runs on).
fn libc_sigpipe() -> i32 {
    13
}

#[test]
fn a_need_that_counts_none_of_the_types_names_them_and_the_flag() {
    let dir = tempfile::tempdir().expect("tempdir");
    let facilities = dir.path().join("hospitals.csv");
    std::fs::write(
        &facilities,
        "id,name,type,lon,lat\nH1,Ziekenhuis A,hospital,2.36177,52.85649\nH2,Ziekenhuis B,hospital,2.65398,52.63239\n",
    )
    .expect("write");
    let out = nabij_in(dir.path())
        .args(["coverage", "--demo", "--format", "json", "--facilities"])
        .arg(&facilities)
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("2 of type hospital"), "{err}");
    assert!(err.contains("--type hospital"), "{err}");
    // With the flag it says, the question is answered.
    let out = nabij_in(dir.path())
        .args([
            "coverage",
            "--demo",
            "--format",
            "json",
            "--type",
            "hospital",
            "--facilities",
        ])
        .arg(&facilities)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_configuration_key_of_the_question_points_to_the_need_profile() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = dir.path().join("nabij.toml");
    std::fs::write(&cfg, "minutes = 30\n").expect("write");
    let out = nabij_in(dir.path())
        .args(["coverage", "--demo", "--format", "json", "--config"])
        .arg(&cfg)
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("minutes") && err.contains("--need"), "{err}");
    // The help names the real keys.
    let help = nabij_in(dir.path())
        .args(["coverage", "--help"])
        .output()
        .expect("runs");
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("max_snap_m") && help.contains("write_token"),
        "{help}"
    );
}

#[test]
fn each_command_has_a_description_and_only_its_own_flags() {
    let (ok, help, _) = common::nabij(&["--help"]);
    assert!(ok);
    let commands = [
        "build",
        "synth",
        "time",
        "matrix",
        "isochrone",
        "coverage",
        "regions",
        "scenario",
        "scenarios",
        "advise",
        "report",
        "serve",
        "demo",
        "info",
    ];
    for c in commands {
        let line = help
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{c} ")))
            .unwrap_or_else(|| panic!("{c} is not listed: {help}"));
        assert!(
            line.split_whitespace().count() > 2,
            "{c} has no description"
        );
    }
    for sub in ["list", "show", "delete"] {
        let (ok, h, _) = common::nabij(&["scenarios", sub, "--help"]);
        assert!(ok);
        assert!(
            h.lines().next().is_some_and(|l| l.len() > 10),
            "scenarios {sub}: {h}"
        );
    }
    let (_, iso, _) = common::nabij(&["isochrone", "--help"]);
    for foreign in [
        "--municipalities",
        "--population-field",
        "--grouping-csv",
        "--origins",
    ] {
        assert!(!iso.contains(foreign), "isochrone --help lists {foreign}");
    }
    assert!(iso.contains("--facilities"));
}

#[test]
fn synth_repairs_published_boundaries_without_warnings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = nabij_in(dir.path())
        .args([
            "--quiet",
            "synth",
            "--way-nodes",
            "20000",
            "--out",
            "nl.osm.pbf",
            "--towns-from",
        ])
        .arg(common::shared_data().join("boundaries/gemeenten_2024.geojson"))
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        !err.contains("invalid ring") && !err.contains("WARN"),
        "{err}"
    );
}

/// The national recipe's join, run offline on inputs shaped like the CBS and PDOK downloads
/// (made here from the shared 2024 boundaries): every municipality gets its jeugdregio and
/// young people, as the shared file has them.
#[test]
fn the_national_join_gives_every_municipality_its_jeugdregio() {
    let dir = tempfile::tempdir().expect("tempdir");
    let shared = common::shared_data().join("boundaries");
    let gj: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(shared.join("gemeenten_2024.geojson")).expect("boundaries"),
    )
    .expect("json");
    let features = gj["features"].as_array().expect("features");
    // PDOK: statcode/statnaam only.
    let pdok: Vec<_> = features
        .iter()
        .map(|f| {
            serde_json::json!({"type": "Feature", "geometry": f["geometry"], "properties": {
                "statcode": f["properties"]["gemeentecode"], "statnaam": f["properties"]["gemeentenaam"]}})
        })
        .collect();
    // CBS tables: codes padded to 10 characters, columns numbered as in 2024.
    let pad = |s: &str| format!("{s:<10}");
    let mut csv = csv::Reader::from_path(shared.join("gemeenten_2024.csv")).expect("csv");
    let headers = csv.headers().expect("headers").clone();
    let col = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let (mut gebieden, mut kern) = (Vec::new(), Vec::new());
    let mut expected = std::collections::BTreeMap::new();
    for r in csv.records() {
        let r = r.expect("row");
        let code = &r[col("gemeentecode")];
        gebieden.push(serde_json::json!({
            "ID": 0, "RegioS": pad(code), "Code_1": pad(code), "Naam_2": r[col("gemeentenaam")],
            "Code_16": pad("GG0000"), "Naam_17": "GGD",
            "Code_18": pad(&r[col("jeugdregio_code")]), "Naam_19": r[col("jeugdregio_naam")],
            "Code_28": pad("PV00"), "Naam_29": r[col("provincie")]}));
        let k15: f64 = r[col("est_0_14")].parse().expect("number");
        let k25: f64 = r[col("est_15_24")].parse().expect("number");
        kern.push(serde_json::json!({
            "WijkenEnBuurten": pad(code), "SoortRegio_2": pad("Gemeente"),
            "AantalInwoners_5": r[col("inwoners_2024")].parse::<f64>().expect("number"),
            "k_0Tot15Jaar_8": k15, "k_15Tot25Jaar_9": k25}));
        expected.insert(code.to_string(), r[col("jeugdregio_code")].to_string());
    }
    kern.push(
        serde_json::json!({"WijkenEnBuurten": pad("NL00"), "SoortRegio_2": "Land",
        "AantalInwoners_5": 1, "k_0Tot15Jaar_8": 1, "k_15Tot25Jaar_9": 1}),
    );
    let write = |name: &str, v: serde_json::Value| {
        let p = dir.path().join(name);
        std::fs::write(&p, v.to_string()).expect("write");
        p
    };
    let g = write(
        "g.geojson",
        serde_json::json!({"type": "FeatureCollection", "features": pdok}),
    );
    let b = write("b.json", serde_json::json!({"value": gebieden}));
    let k = write("k.json", serde_json::json!({"value": kern}));
    let out_path = dir.path().join("gemeenten_2024.geojson");
    let out = Command::new(common::python())
        .arg(repo().join("scripts/join_nl.py"))
        .arg("--gemeenten")
        .arg(&g)
        .arg("--gebieden")
        .arg(&b)
        .arg("--kerncijfers")
        .arg(&k)
        .arg("--out")
        .arg(&out_path)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let joined: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out_path).expect("out")).expect("json");
    let fs = joined["features"].as_array().expect("features");
    assert_eq!(fs.len(), 342);
    for f in fs {
        let p = &f["properties"];
        let code = p["gemeentecode"].as_str().expect("code");
        assert_eq!(
            p["jeugdregio_code"].as_str(),
            Some(expected[code].as_str()),
            "{code}"
        );
        assert!(p["est_0_22"].as_f64().is_some_and(|n| n > 0.0), "{code}");
    }
    // A municipality missing from the area classification stops the join, naming it.
    let b2 = write("b2.json", serde_json::json!({"value": &gebieden[1..]}));
    let out2 = dir.path().join("partial.geojson");
    let out = Command::new(common::python())
        .arg(repo().join("scripts/join_nl.py"))
        .args([
            "--gemeenten",
            g.to_str().expect("utf8"),
            "--gebieden",
            b2.to_str().expect("utf8"),
        ])
        .args([
            "--kerncijfers",
            k.to_str().expect("utf8"),
            "--out",
            out2.to_str().expect("utf8"),
        ])
        .output()
        .expect("python runs");
    assert!(!out.status.success());
    let dropped = gebieden[0]["RegioS"]
        .as_str()
        .expect("code")
        .trim()
        .to_string();
    assert!(String::from_utf8_lossy(&out.stderr).contains(&dropped));
    assert!(!out2.exists(), "nothing half-written");
}

/// The neighbourhood join, offline on inputs shaped like the PDOK pages and the CBS table
/// (four squares over the demo's Aldewolde, one with a secret figure, one without a row),
/// and its output read by nabij as where young people live.
#[test]
fn the_neighbourhood_join_feeds_the_population_model() {
    if common::skip_without(&[common::Tool::Command("python3")]) {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let square = |lon: f64, lat: f64| {
        let h = 0.004;
        serde_json::json!({"type": "Polygon", "coordinates": [[[lon - h, lat - h], [lon + h, lat - h],
            [lon + h, lat + h], [lon - h, lat + h], [lon - h, lat - h]]]})
    };
    let page = |codes: &[(&str, f64, f64)]| {
        serde_json::json!({"type": "FeatureCollection", "features": codes.iter().map(|(c, lon, lat)|
            serde_json::json!({"type": "Feature", "geometry": square(*lon, *lat),
                "properties": {"buurtcode": c, "buurtnaam": "x"}})).collect::<Vec<_>>()})
    };
    let write = |name: &str, v: serde_json::Value| {
        let p = dir.path().join(name);
        std::fs::write(&p, v.to_string()).expect("write");
        p
    };
    let b0 = write(
        "b0.geojson",
        page(&[("BU00010001", 2.36, 52.856), ("BU00010002", 2.37, 52.85)]),
    );
    let b1 = write(
        "b1.geojson",
        page(&[("BU00010003", 2.35, 52.86), ("BU00019999", 2.34, 52.85)]),
    );
    let k = write(
        "k.json",
        serde_json::json!({"value": [
            {"WijkenEnBuurten": "BU00010001", "k_0Tot15Jaar_8": 120, "k_15Tot25Jaar_9": 80},
            {"WijkenEnBuurten": "BU00010002", "k_0Tot15Jaar_8": null, "k_15Tot25Jaar_9": 40},
            {"WijkenEnBuurten": "BU00010003", "k_0Tot15Jaar_8": 10, "k_15Tot25Jaar_9": 5},
            {"WijkenEnBuurten": "GM0001    ", "k_0Tot15Jaar_8": 1, "k_15Tot25Jaar_9": 1}]}),
    );
    let out_path = dir.path().join("buurten_2024.geojson");
    let out = Command::new(common::python())
        .arg(repo().join("scripts/join_buurten.py"))
        .args([
            "--buurten",
            b0.to_str().expect("utf8"),
            "--buurten",
            b1.to_str().expect("utf8"),
        ])
        .args([
            "--kerncijfers",
            k.to_str().expect("utf8"),
            "--out",
            out_path.to_str().expect("utf8"),
        ])
        .output()
        .expect("python runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("BU00019999") && err.contains("1 figures are secret"),
        "{err}"
    );
    let joined: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out_path).expect("out")).expect("json");
    let young: Vec<f64> = joined["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| f["properties"]["jongeren_0_25"].as_f64().expect("number"))
        .collect();
    assert_eq!(young, [200.0, 40.0, 15.0]);
    let (ok, stdout, stderr) = common::nabij(&[
        "coverage",
        "--demo",
        "--origins",
        out_path.to_str().expect("utf8"),
        "--origins-weight",
        "jongeren_0_25",
        "--format",
        "json",
    ]);
    assert!(ok, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(v["origin_kind"], "weighted_areas");
    assert_eq!(
        v["population_model"],
        "file:buurten_2024.geojson (jongeren_0_25)"
    );
}

#[test]
fn the_licence_is_stated() {
    let cargo = std::fs::read_to_string(repo().join("Cargo.toml")).expect("Cargo.toml");
    assert!(cargo.contains("license = \"EUPL-1.2\""));
    let licence = std::fs::read_to_string(repo().join("LICENSE")).expect("LICENSE");
    assert!(licence.starts_with("EUROPEAN UNION PUBLIC LICENCE v. 1.2"));
    let third = std::fs::read_to_string(repo().join("THIRD_PARTY.md")).expect("THIRD_PARTY.md");
    assert!(third.contains("Leaflet") && third.contains("deny.toml"));
}

/// On a terminal (`script` gives the command one): coverage writes its text summary, and a
/// warning is one plain line, without the timestamp and module path of the log format.
#[test]
fn on_a_terminal_coverage_writes_text_and_warnings_are_plain_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut gj: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("data/demo/municipalities.geojson")).expect("demo"),
    )
    .expect("json");
    for f in gj["features"].as_array_mut().expect("features") {
        if let Some(p) = f["properties"].as_object_mut() {
            p.remove("jeugdregio_code");
            p.remove("jeugdregio_naam");
        }
    }
    let munis = dir.path().join("m.geojson");
    std::fs::write(&munis, gj.to_string()).expect("write");
    let command = format!(
        "{} coverage --demo --municipalities {}",
        env!("CARGO_BIN_EXE_nabij"),
        munis.display()
    );
    let out = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(dir.path())
        .env("XDG_CACHE_HOME", dir.path().join("cache"))
        .env_remove("RUST_LOG")
        .output()
        .expect("script (util-linux) runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("Coverage within 45 min"), "{text}");
    assert!(!text.contains("FeatureCollection"), "{text}");
    let warning = text
        .lines()
        .find(|l| l.contains("grouping"))
        .unwrap_or_else(|| panic!("no warning: {text}"));
    // (The line may start with the escape codes that clear a progress spinner.)
    assert!(
        warning.contains("warning: the data has no jeugdregio grouping"),
        "{warning}"
    );
    assert!(
        !warning.contains("nabij::") && !warning.contains("WARN"),
        "{warning}"
    );
    assert!(
        !warning.contains("Z  ") && !warning.contains("T1"),
        "no timestamp: {warning}"
    );
}
