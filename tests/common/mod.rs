//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// `../shared/data` next to the project root (present on developer machines and in CI).
pub fn shared_data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data")
}

pub fn osm(name: &str) -> PathBuf {
    shared_data().join("osm").join(name)
}

pub const MALTA: &str = "malta_gdal_ubuntu.osm.pbf";
pub const PORTO: &str = "porto_portugal_r5_test.osm.pbf";
pub const LIECHTENSTEIN: &str = "liechtenstein_valhalla_test.osm.pbf";
pub const AMSTERDAM: &str = "nl_amsterdam_valhalla_test.osm.pbf";
pub const DELFT: &str = "nl_delft_station_r5_test.osm.pbf";

/// Builds a graph in memory with the default profile.
pub fn build(name: &str) -> nabij::graph::RoadGraph {
    nabij::pipeline::build_in_memory(
        &osm(name),
        &nabij::ingest::CarProfile::default(),
        &nabij::progress::Progress::hidden(),
    )
    .unwrap_or_else(|e| panic!("building {name}: {e}"))
}

/// Runs the nabij binary; returns (exit success, stdout, stderr).
pub fn nabij(args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nabij"))
        .args(args)
        .output()
        .expect("the nabij binary runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Builds a graph file with the `nabij build` command; returns its path as a string.
pub fn cli_build(dir: &std::path::Path, osm: &std::path::Path, name: &str) -> String {
    let out = dir.join(name);
    let (ok, _, err) = nabij(&[
        "--quiet",
        "build",
        "--osm",
        osm.to_str().expect("utf8"),
        "--out",
        out.to_str().expect("utf8"),
    ]);
    assert!(ok, "building {}: {err}", osm.display());
    out.to_string_lossy().into_owned()
}

/// A seeded random road graph of 2 to `max_nodes + 1` nodes with oneways (a quarter of the
/// edges each way) and times of up to 10 minutes, with the same graph in petgraph as the
/// oracle's input.
pub fn random_graph(
    seed: u64,
    max_nodes: u64,
) -> (nabij::graph::RoadGraph, petgraph::graph::DiGraph<(), u32>) {
    random_graph_with(seed, max_nodes, 4, 600_000, |_| 100.0)
}

/// As [`random_graph`], with up to `edges_per_node` edges per node, times of 1 to `max_ms`,
/// and `length_m(time)` metres per edge.
pub fn random_graph_with(
    seed: u64,
    max_nodes: u64,
    edges_per_node: u64,
    max_ms: u64,
    length_m: impl Fn(u32) -> f32,
) -> (nabij::graph::RoadGraph, petgraph::graph::DiGraph<(), u32>) {
    use nabij::graph::{NO_TIME, RoadGraph};
    use petgraph::graph::{DiGraph, NodeIndex};
    let mut rng = nabij::rng::SplitMix64::new(seed);
    let n = 2 + rng.below(max_nodes) as usize;
    let m = rng.below(edges_per_node * n as u64) as usize;
    let coords: Vec<(f64, f64)> = (0..n)
        .map(|_| (rng.range(4.0, 5.0), rng.range(52.0, 53.0)))
        .collect();
    let mut edges = Vec::new();
    let mut oracle = DiGraph::<(), u32>::new();
    let ids: Vec<NodeIndex> = (0..n).map(|_| oracle.add_node(())).collect();
    for _ in 0..m {
        let (u, v) = (rng.below(n as u64) as u32, rng.below(n as u64) as u32);
        if u == v {
            continue;
        }
        let t = 1 + rng.below(max_ms) as u32;
        let (fw, bw) = match rng.below(4) {
            0 => (t, NO_TIME),
            1 => (NO_TIME, t),
            _ => (t, t),
        };
        edges.push((u, v, fw, bw, length_m(t)));
        if fw != NO_TIME {
            oracle.add_edge(ids[u as usize], ids[v as usize], fw);
        }
        if bw != NO_TIME {
            oracle.add_edge(ids[v as usize], ids[u as usize], bw);
        }
    }
    (RoadGraph::from_edges(&coords, &edges), oracle)
}

/// Writes `g` as `dir/name` and reads it back (what a forged graph file gives on load).
pub fn write_and_read(
    dir: &std::path::Path,
    name: &str,
    g: &nabij::graph::RoadGraph,
) -> Result<nabij::graph::RoadGraph, nabij::graph::file::GraphFileError> {
    let path = dir.join(name);
    let out = nabij::graph::file::AtomicFile::create(&path).expect("create");
    nabij::graph::file::write_graph(g, out, &path).expect("write");
    nabij::graph::file::read_graph(&path)
}

/// `nabij coverage` of Malta's local councils and hospitals (from the Malta extract) on
/// `graph`, as JSON into `out`, with `extra` flags; returns the answer.
pub fn malta_hospitals(
    graph: &std::path::Path,
    out: &std::path::Path,
    extra: &[&str],
) -> serde_json::Value {
    let m = osm(MALTA);
    let m = m.to_str().expect("utf8");
    let mut args = vec![
        "coverage",
        "--graph",
        graph.to_str().expect("utf8"),
        "--municipalities-osm",
        m,
        "--facilities-osm",
        m,
        "--facility-tag",
        "amenity=hospital",
        "--type",
        "hospital",
        "--format",
        "json",
        "--out",
        out.to_str().expect("utf8"),
    ];
    args.extend_from_slice(extra);
    let (ok, _, err) = nabij(&args);
    assert!(ok, "{err}");
    serde_json::from_str(&std::fs::read_to_string(out).expect("written")).expect("json")
}

/// One municipality of a coverage answer in JSON, by code.
pub fn municipality(v: &serde_json::Value, code: &str) -> serde_json::Value {
    v["municipalities"]
        .as_array()
        .expect("a list of municipalities")
        .iter()
        .find(|m| m["code"] == code)
        .unwrap_or_else(|| panic!("{code} is not in the answer"))
        .clone()
}

/// A loopback address with a port that was free a moment ago.
pub fn free_addr() -> String {
    // Never the same port twice in one test process: tests run in parallel, and a port the
    // system hands out again before the first server has bound it would start two servers on
    // one port (one fails, and its test talks to the other's).
    static GIVEN: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    loop {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("a free port")
            .local_addr()
            .expect("addr")
            .port();
        let mut given = GIVEN.lock().unwrap_or_else(|e| e.into_inner());
        if !given.contains(&port) {
            given.push(port);
            return format!("127.0.0.1:{port}");
        }
    }
}

/// `nabij --quiet serve` on the demo at a free loopback port with its own scenario database,
/// the write token (if any) in the environment, as the help advises; stopped when dropped.
pub struct Served {
    pub child: std::process::Child,
    pub addr: String,
}

impl Served {
    pub fn demo(db: &std::path::Path, token: Option<&str>) -> Served {
        Self::start(db, token, &[])
    }

    /// `nabij serve` on the demo's inputs with its graph built by `nabij build --hierarchy
    /// {hierarchy}` into `dir`.
    pub fn demo_built(dir: &std::path::Path, hierarchy: &str) -> Served {
        let nbg = dir.join(format!("demo-{hierarchy}.nbg"));
        let (ok, _, err) = nabij(&[
            "--quiet",
            "build",
            "--osm",
            "data/demo/nabijland.osm.pbf",
            "--out",
            nbg.to_str().expect("utf8"),
            "--hierarchy",
            hierarchy,
        ]);
        assert!(ok, "{err}");
        Self::start(
            &dir.join(format!("{hierarchy}.sqlite")),
            None,
            &[
                "--graph",
                nbg.to_str().expect("utf8"),
                "--municipalities",
                "data/demo/municipalities.geojson",
                "--facilities",
                "data/demo/facilities.csv",
            ],
        )
    }

    /// `nabij serve` with more arguments (e.g. another graph than the demo's).
    pub fn start(db: &std::path::Path, token: Option<&str>, args: &[&str]) -> Served {
        let addr = free_addr();
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_nabij"));
        cmd.args(["--quiet", "serve", "--listen", &addr, "--database"])
            .arg(db)
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env_remove("NABIJ_WRITE_TOKEN");
        if let Some(t) = token {
            cmd.env("NABIJ_WRITE_TOKEN", t);
        }
        let child = cmd.spawn().expect("the server starts");
        let served = Served { child, addr };
        for _ in 0..400 {
            if std::net::TcpStream::connect(&served.addr).is_ok() {
                return served;
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        panic!("the server did not listen on {}", served.addr);
    }

    /// Stops it with SIGKILL, as a crash would.
    pub fn kill9(mut self) {
        let _ = std::process::Command::new("kill")
            .args(["-9", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The Python that has the test tools: `NABIJ_PYTHON`, else the project's virtual
/// environment `target/pyenv` (which `.ci/run` makes; stock Debian refuses `pip install`
/// into the system Python), else `python3`.
pub fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("NABIJ_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/pyenv/bin/python3");
    if venv.exists() {
        return venv;
    }
    PathBuf::from("python3")
}

/// An outside tool a test needs: a command, or a Python module in [`python`]'s environment.
pub enum Tool {
    Command(&'static str),
    PyModule(&'static str),
    /// A file a package manager puts in place (e.g. axe-core from npm).
    File(&'static str),
}

/// Whether to skip a test for want of tools: each missing tool is named. On a newcomer's
/// machine the test is skipped with that message on standard error; with
/// `NABIJ_REQUIRE_TOOLS=1` (which `.ci/run` sets, after installing them) it fails instead,
/// so CI never skips silently.
pub fn skip_without(tools: &[Tool]) -> bool {
    let missing: Vec<&str> = tools
        .iter()
        .filter(|t| match t {
            Tool::Command(c) => std::process::Command::new(c)
                .arg("--version")
                .output()
                .is_err(),
            Tool::PyModule(m) => !std::process::Command::new(python())
                .args(["-c", &format!("import {m}")])
                .output()
                .is_ok_and(|o| o.status.success()),
            Tool::File(f) => !std::path::Path::new(f).exists(),
        })
        .map(|t| match t {
            Tool::Command(c) | Tool::PyModule(c) | Tool::File(c) => *c,
        })
        .collect();
    if missing.is_empty() {
        return false;
    }
    let msg = format!(
        "this test needs {} (`.ci/run` installs them; see README)",
        missing.join(", ")
    );
    if std::env::var_os("NABIJ_REQUIRE_TOOLS").is_some() {
        panic!("{msg}");
    }
    eprintln!("skipped: {msg}");
    true
}

/// One HTTP/1.1 request over loopback with `Connection: close`: (status, head lower-cased,
/// body). `headers` are whole lines (`Accept: text/html`).
pub fn http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[&str],
    body: &str,
) -> (u16, String, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for h in headers {
        req.push_str(h);
        req.push_str("\r\n");
    }
    req.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    s.write_all(req.as_bytes()).expect("send");
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, head.to_ascii_lowercase(), rest.to_string())
}
