//! What-if scenarios, saved scenarios and siting advice: on the demo through the CLI and the
//! application core, over HTTP (tokens, bad bodies), and the real server killed with
//! SIGKILL in the middle of a stream of writes.

mod common;

use common::nabij;
use nabij::app::{AdviceRequest, Config, Dataset, NeedProfile, Objective, Progress, Scenario};

fn demo() -> Dataset {
    Dataset::load(&Config::demo(), &Progress::hidden()).expect("the demo loads")
}

fn scenario(json: &str) -> Scenario {
    serde_json::from_str(json).expect("scenario JSON")
}

fn region_change<'a>(
    d: &'a nabij::analysis::scenario::ScenarioDiff,
    grouping: &str,
    code: &str,
) -> &'a nabij::analysis::scenario::RegionChange {
    d.regions
        .iter()
        .find(|r| r.grouping == grouping && r.code == code)
        .expect("region in the diff")
}

#[test]
fn a_unit_in_nabij_oost_clears_its_no_facility_flag() {
    let d = demo();
    let need = NeedProfile::default();
    let a = d
        .scenario(
            &scenario(
                r#"{"name": "Jonkersdam", "changes": [{"op": "add", "id": "N1", "type": "kleinschalig_verblijf", "municipality": "GM9010", "places": 4}]}"#,
            ),
            &need,
            None,
        )
        .expect("scenario");
    let oost = region_change(&a.diff, "jeugdregio", "JZ93");
    assert_eq!((oost.facilities_before, oost.facilities_after), (0, 1));
    assert!(oost.flags_cleared.contains(&"min_facilities"), "{oost:?}");
    assert!(!oost.flags_after.contains(&"min_facilities"));
    let jonkersdam = a
        .diff
        .municipalities
        .iter()
        .find(|m| m.code == "GM9010")
        .expect("GM9010");
    assert_eq!(jonkersdam.status_after.as_str(), "own_municipality");
    assert!(a.diff.young_people_gaining_within_limit > 0.0);
    assert_eq!(a.diff.young_people_losing_within_limit, 0.0);
    // Nothing else moved the other way.
    assert!(a.diff.changed().all(|m| m.effect.as_str() == "better"));
}

#[test]
fn closing_the_only_unit_of_a_municipality_moves_it_from_own_municipality() {
    let d = demo();
    let need = NeedProfile::default();
    let base = d.coverage(&need).expect("baseline");
    // Ommelanden (GM9016) has one suitable unit, NB-07.
    let before = base
        .municipalities
        .iter()
        .find(|m| m.code == "GM9016")
        .expect("GM9016");
    assert_eq!(before.status.as_str(), "own_municipality");
    assert_eq!(before.facilities_in_municipality, 1);
    let a = d
        .scenario(
            &scenario(r#"{"name": "close", "changes": [{"op": "close", "id": "NB-07"}]}"#),
            &need,
            Some(&base),
        )
        .expect("scenario");
    let m = a
        .diff
        .municipalities
        .iter()
        .find(|m| m.code == "GM9016")
        .expect("GM9016");
    assert_eq!(m.status_before.as_str(), "own_municipality");
    assert_ne!(m.status_after.as_str(), "own_municipality");
    assert_eq!(m.effect.as_str(), "worse");
    assert!(a.diff.places_after < a.diff.places_before);
}

#[test]
fn an_empty_scenario_changes_nothing_and_set_places_moves_supply_only() {
    let d = demo();
    let need = NeedProfile::default();
    let a = d
        .scenario(&scenario(r#"{"name": "none", "changes": []}"#), &need, None)
        .expect("scenario");
    assert_eq!(a.diff.municipalities_changed, 0);
    assert_eq!(a.diff.places_before, a.diff.places_after);
    let b = d
        .scenario(
            &scenario(
                r#"{"name": "more places", "changes": [{"op": "set_places", "id": "NB-01", "places": 6}]}"#,
            ),
            &need,
            None,
        )
        .expect("scenario");
    assert_eq!(b.diff.municipalities_changed, 0);
    assert_eq!(b.diff.places_after - b.diff.places_before, 2.0);
}

#[test]
fn a_unit_placed_off_the_roads_is_an_error_naming_the_change() {
    let d = demo();
    let e = d
        .scenario(
            &scenario(
                r#"{"name": "sea", "changes": [{"op": "close", "id": "NB-01"}, {"op": "add", "id": "N1", "type": "kleinschalig_verblijf", "lon": 1.0, "lat": 51.0}]}"#,
            ),
            &NeedProfile::default(),
            None,
        )
        .expect_err("off the roads");
    let msg = e.to_string();
    assert!(msg.starts_with("change 2 (add \"N1\")"), "{msg}");
    assert!(msg.contains("road network"), "{msg}");
}

fn advise(d: &Dataset, add: usize, objective: Objective) -> nabij::app::AdviceAnswer {
    d.advise(
        &AdviceRequest {
            need: NeedProfile::default(),
            add,
            region: None,
            objective,
            candidates: None,
            kind: None,
            places: None,
        },
        &Progress::hidden(),
    )
    .expect("advice")
}

#[test]
fn advice_for_one_unit_on_the_demo_picks_nabij_oost() {
    let d = demo();
    let a = advise(&d, 1, Objective::Fairness);
    assert_eq!(a.sites.len(), 1);
    assert_eq!(a.sites[0].region.as_deref(), Some("JZ93"), "{:?}", a.sites);
    assert!(a.sites[0].first_in_region);
    // Checked as a scenario: Nabij-Oost's flag clears.
    let oost = region_change(
        &a.check.as_ref().expect("checked").diff,
        "jeugdregio",
        "JZ93",
    );
    assert!(oost.flags_cleared.contains(&"min_facilities"), "{oost:?}");
    assert!(a.synthetic_roads);
}

#[test]
fn coverage_advice_on_the_demo_is_the_exact_optimum_and_its_gains_are_real() {
    let d = demo();
    for k in 1..=3 {
        let a = advise(&d, k, Objective::Coverage);
        assert!(a.exact, "k={k}: {}", a.guarantee);
        assert_eq!(a.upper_bound, Some(a.value));
        // The model's gain is what the full scenario finds: the same origins, the same
        // searches, so the young people newly within the limit are the change in each
        // municipality's share within the limit times its young people.
        let modelled: f64 = a.sites.iter().map(|s| s.newly_within_limit).sum();
        assert!(
            (modelled - a.value).abs() < 1e-6,
            "k={k}: {modelled} vs {}",
            a.value
        );
        let found = young_people_newly_within(&a.check.as_ref().expect("checked").diff);
        assert!(
            (found - a.value).abs() < 1e-6 * a.value.max(1.0),
            "k={k}: the check finds {found} of {}",
            a.value
        );
    }
    // A brute force over pairs of municipalities by the scenario itself agrees with K = 2.
    let best = advise(&d, 2, Objective::Coverage);
    let codes: Vec<String> = d
        .prepared
        .municipalities
        .iter()
        .map(|m| m.code.clone())
        .collect();
    let need = NeedProfile::default();
    let base = d.coverage(&need).expect("baseline");
    let mut brute: f64 = 0.0;
    for i in 0..codes.len() {
        for j in i + 1..codes.len() {
            let s = scenario(&format!(
                r#"{{"name": "pair", "changes": [{{"op": "add", "id": "A", "type": "kleinschalig_verblijf", "municipality": "{}"}}, {{"op": "add", "id": "B", "type": "kleinschalig_verblijf", "municipality": "{}"}}]}}"#,
                codes[i], codes[j]
            ));
            if let Ok(a) = d.scenario(&s, &need, Some(&base)) {
                brute = brute.max(young_people_newly_within(&a.diff));
            }
        }
    }
    assert!(
        (best.value - brute).abs() < 1e-6 * brute.max(1.0),
        "advice gains {} but the best pair gains {brute}",
        best.value
    );
}

/// Young people newly within the limit by a scenario, as its diff states it, checked against
/// each municipality's change in share within the limit times its young people.
/// Advice for the peak sites units for the peak's times: the gain it claims is what the
/// scenario finds at rush hour; with both periods it is the same advice.
#[test]
fn advice_for_the_peak_holds_at_the_peak() {
    let d = demo();
    let need = |period| NeedProfile {
        limit_minutes: 30.0,
        period,
        ..NeedProfile::default()
    };
    let ask = |period| {
        d.advise(
            &AdviceRequest {
                need: need(period),
                add: 1,
                region: None,
                objective: Objective::Coverage,
                candidates: None,
                kind: None,
                places: None,
            },
            &Progress::hidden(),
        )
        .expect("advice")
    };
    let peak = ask(nabij::app::PeriodChoice::Peak);
    assert_eq!(peak.need.period, nabij::app::PeriodChoice::Peak);
    let found = young_people_newly_within(&peak.check.as_ref().expect("checked").diff);
    assert!(
        (found - peak.value).abs() < 1e-6 * peak.value.max(1.0),
        "the peak scenario finds {found} of {}",
        peak.value
    );
    let free = ask(nabij::app::PeriodChoice::Free);
    assert!(
        (free.value - peak.value).abs() > 1.0,
        "free-flow and peak advice gain the same ({}): the peak's times were not used",
        peak.value
    );
    let both = ask(nabij::app::PeriodChoice::Both);
    assert_eq!(both.need.period, nabij::app::PeriodChoice::Peak);
    assert_eq!(both.value, peak.value);
}

fn young_people_newly_within(diff: &nabij::analysis::scenario::ScenarioDiff) -> f64 {
    let by_municipality: f64 = diff
        .municipalities
        .iter()
        .map(|m| m.young_people * (m.share_within_limit_after - m.share_within_limit_before))
        .sum();
    let stated = diff.young_people_within_limit_after - diff.young_people_within_limit_before;
    assert!((stated - by_municipality).abs() < 1e-6 * stated.abs().max(1.0));
    stated
}

#[test]
fn advice_refuses_what_it_cannot_answer() {
    let d = demo();
    let mut req = AdviceRequest {
        need: NeedProfile::default(),
        add: 0,
        region: None,
        objective: Objective::Coverage,
        candidates: None,
        kind: None,
        places: None,
    };
    assert!(d.advise(&req, &Progress::hidden()).is_err());
    req.add = 1;
    req.region = Some("JZ99".into());
    let e = d
        .advise(&req, &Progress::hidden())
        .expect_err("unknown region");
    assert!(e.to_string().contains("JZ99"), "{e}");
    req.region = None;
    req.kind = Some("kvjj".into());
    let e = d
        .advise(&req, &Progress::hidden())
        .expect_err("type not counted");
    assert!(e.to_string().contains("do not count"), "{e}");
}

#[test]
fn the_cli_answers_saves_lists_shows_and_deletes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let changes = dir.path().join("changes.json");
    std::fs::write(
        &changes,
        r#"{"name": "Jonkersdam", "changes": [{"op": "add", "id": "N1", "type": "kleinschalig_verblijf", "municipality": "GM9010"}]}"#,
    )
    .expect("write");
    let db = dir.path().join("s.sqlite");
    let c = changes.to_str().expect("utf8");
    let dbs = db.to_str().expect("utf8");
    let (ok, out, err) = nabij(&["scenario", "--demo", "--changes", c, "--format", "text"]);
    assert!(ok, "{err}");
    assert!(
        out.contains("GM9010 Jonkersdam: within_limit -> own_municipality"),
        "{out}"
    );
    assert!(out.contains("flags cleared: min_facilities"), "{out}");
    // GeoJSON for a map: every municipality with its tier before and the effect.
    let gj = dir.path().join("s.geojson");
    let (ok, _, err) = nabij(&[
        "--quiet",
        "scenario",
        "--demo",
        "--changes",
        c,
        "--format",
        "geojson",
        "--out",
        gj.to_str().expect("utf8"),
    ]);
    assert!(ok, "{err}");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&gj).expect("read")).expect("json");
    let features = v["features"].as_array().expect("features");
    assert_eq!(features.len(), 20);
    let j = features
        .iter()
        .find(|f| f["id"] == "GM9010")
        .expect("GM9010");
    assert_eq!(j["properties"]["status_before"], "within_limit");
    assert_eq!(j["properties"]["status"], "own_municipality");
    assert_eq!(j["properties"]["effect"], "better");
    // CSV.
    let (ok, out, _) = nabij(&[
        "--quiet",
        "scenario",
        "--demo",
        "--changes",
        c,
        "--format",
        "csv",
    ]);
    assert!(ok);
    assert!(out.starts_with("code,name,status_before,status_after,effect"));
    assert_eq!(out.lines().count(), 21);
    // Save, list, show, delete.
    let (ok, _, err) = nabij(&[
        "scenario",
        "--demo",
        "--changes",
        c,
        "--save",
        "--database",
        dbs,
    ]);
    assert!(ok, "{err}");
    let id = err
        .split("saved as scenario ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .expect("the id is printed")
        .to_string();
    let (ok, out, _) = nabij(&["scenarios", "list", "--database", dbs]);
    assert!(
        ok && out.contains(&id) && out.contains("Jonkersdam"),
        "{out}"
    );
    let (ok, out, _) = nabij(&["scenarios", "show", &id, "--database", dbs]);
    assert!(ok, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["scenario"]["changes"][0]["id"], "N1");
    let (ok, _, _) = nabij(&["scenarios", "delete", &id, "--database", dbs]);
    assert!(ok);
    let (ok, _, err) = nabij(&["scenarios", "delete", &id, "--database", dbs]);
    assert!(!ok && err.contains("no scenario"), "{err}");
    // A scenario file that is not one: a clear error, non-zero exit, nothing written.
    std::fs::write(
        &changes,
        r#"{"name": "x", "changes": [{"op": "close", "id": "NOPE"}]}"#,
    )
    .expect("write");
    let out_file = dir.path().join("never.json");
    let (ok, _, err) = nabij(&[
        "scenario",
        "--demo",
        "--changes",
        c,
        "--format",
        "json",
        "--out",
        out_file.to_str().expect("utf8"),
    ]);
    assert!(!ok);
    assert!(err.contains("no facility with id \"NOPE\""), "{err}");
    assert!(!out_file.exists());
    std::fs::write(&changes, "{\"name\": \"x\", \"changes\": [").expect("write");
    let (ok, _, err) = nabij(&["scenario", "--demo", "--changes", c]);
    assert!(!ok && err.contains("line 1"), "{err}");
}

#[test]
fn the_cli_advises_with_every_objective() {
    for objective in ["fairness", "coverage", "median"] {
        let (ok, out, err) = nabij(&[
            "--quiet",
            "advise",
            "--demo",
            "--add",
            "2",
            "--objective",
            objective,
            "--format",
            "json",
        ]);
        assert!(ok, "{objective}: {err}");
        let v: serde_json::Value = serde_json::from_str(&out).expect("json");
        assert_eq!(v["objective"], objective);
        assert_eq!(v["sites"].as_array().expect("sites").len(), 2);
        assert_eq!(v["synthetic_roads"], true);
    }
    let (ok, out, err) = nabij(&[
        "--quiet", "advise", "--demo", "--add", "1", "--region", "JZ91",
    ]);
    assert!(ok, "{err}");
    assert!(out.contains(" in JZ91"), "{out}");
    let (ok, _, err) = nabij(&["advise", "--demo", "--add", "50"]);
    assert!(!ok && err.contains("1 to 20"), "{err}");
}

/// One HTTP/1.1 request over a fresh connection: (status, body), `None` if the server is gone.
fn http(
    addr: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> Option<(u16, String)> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .ok()?;
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .ok()?;
    // A server that refuses early may close before the whole body is sent.
    let _ = s.write_all(body.as_bytes());
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).ok()?;
    let head_end = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    Some((
        status,
        String::from_utf8_lossy(&buf[head_end..]).into_owned(),
    ))
}

struct Server;

impl Server {
    /// The demo server, healthy.
    fn start(db: &std::path::Path, token: Option<&str>) -> common::Served {
        let s = common::Served::demo(db, token);
        for _ in 0..200 {
            if http(&s.addr, "GET", "/health", None, "").is_some_and(|(c, _)| c == 200) {
                return s;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("the server did not become healthy");
    }
}

const TOKEN: &str = "a-test-token-of-some-length";

fn body(name: &str) -> String {
    format!(
        r#"{{"name": "{name}", "changes": [{{"op": "add", "id": "N1", "type": "kleinschalig_verblijf", "municipality": "GM9010"}}, {{"op": "close", "id": "NB-07"}}]}}"#
    )
}

fn ids(addr: &str) -> Vec<String> {
    let (code, list) = http(addr, "GET", "/api/v1/scenarios", None, "").expect("list");
    assert_eq!(code, 200, "{list}");
    let v: serde_json::Value = serde_json::from_str(&list).expect("json");
    v["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .map(|s| s["id"].as_str().expect("id").to_string())
        .collect()
}

#[test]
fn saved_scenarios_survive_a_restart_and_writes_need_the_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("scenarios.sqlite");
    let s = Server::start(&db, Some(TOKEN));
    let (code, out) = http(
        &s.addr,
        "POST",
        "/api/v1/scenarios",
        Some(TOKEN),
        &body("one"),
    )
    .expect("post");
    assert_eq!(code, 201, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let id = v["id"].as_str().expect("id").to_string();
    assert_eq!(v["links"]["self"], format!("/api/v1/scenarios/{id}"));
    // Refused writes: no token, a wrong one.
    let (code, out) = http(&s.addr, "POST", "/api/v1/scenarios", None, &body("x")).expect("post");
    assert_eq!(code, 401, "{out}");
    let (code, _) = http(
        &s.addr,
        "POST",
        "/api/v1/scenarios",
        Some("wrong-token-wrong-token"),
        &body("x"),
    )
    .expect("post");
    assert_eq!(code, 403);
    let (code, _) = http(
        &s.addr,
        "DELETE",
        &format!("/api/v1/scenarios/{id}"),
        None,
        "",
    )
    .expect("delete");
    assert_eq!(code, 401);
    // Bad bodies: 4xx with a problem, never a crash.
    let bad = [
        (r#"{"name": 3, "changes": []}"#.to_string(), 400),
        (r#"{"name": "x", "changes": [{"op": "close", "id": "F999"}]}"#.to_string(), 422),
        (r#"{"name": "x", "changes": [{"op": "add", "id": "N", "type": "kvjj", "lon": "east", "lat": 52}]}"#.to_string(), 400),
        ("not json".to_string(), 400),
        (
            format!(
                r#"{{"name": "many", "changes": [{}]}}"#,
                vec![r#"{"op": "close", "id": "NB-01"}"#; 10_000].join(",")
            ),
            422,
        ),
        (format!(r#"{{"name": "{}", "changes": []}}"#, "x".repeat(10 << 20)), 413),
    ];
    for (b, want) in &bad {
        let (code, out) =
            http(&s.addr, "POST", "/api/v1/scenarios", Some(TOKEN), b).expect("an answer");
        assert_eq!(code, *want, "{}: {out}", &b[..b.len().min(80)]);
        if code != 413 {
            assert!(out.contains("\"detail\""), "{out}");
        }
    }
    assert_eq!(
        http(&s.addr, "GET", "/health", None, "").map(|r| r.0),
        Some(200)
    );
    assert_eq!(
        ids(&s.addr),
        vec![id.clone()],
        "refused writes left nothing"
    );
    drop(s);
    // Restart: read again, then delete with the token.
    let s = Server::start(&db, Some(TOKEN));
    assert_eq!(ids(&s.addr), vec![id.clone()]);
    let (code, out) = http(
        &s.addr,
        "GET",
        &format!("/api/v1/scenarios/{id}/diff"),
        None,
        "",
    )
    .expect("diff");
    assert_eq!(code, 200, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["baseline_changed"], false);
    assert!(v["diff"]["municipalities_changed"].as_u64().expect("count") >= 1);
    let (code, _) = http(
        &s.addr,
        "DELETE",
        &format!("/api/v1/scenarios/{id}"),
        Some(TOKEN),
        "",
    )
    .expect("delete");
    assert_eq!(code, 204);
    let (code, _) =
        http(&s.addr, "GET", &format!("/api/v1/scenarios/{id}"), None, "").expect("get");
    assert_eq!(code, 404);
    drop(s);
    // Without a token configured, writes are off and say so; reads still work.
    let s = Server::start(&db, None);
    let (code, out) = http(
        &s.addr,
        "POST",
        "/api/v1/scenarios",
        Some(TOKEN),
        &body("x"),
    )
    .expect("post");
    assert_eq!(code, 403);
    assert!(out.contains("writes are off"), "{out}");
    assert_eq!(ids(&s.addr), Vec::<String>::new());
}

#[test]
fn kill_9_during_a_stream_of_writes_loses_no_acknowledged_scenario() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("scenarios.sqlite");
    let s = Server::start(&db, Some(TOKEN));
    let addr = s.addr.clone();
    let acked = std::sync::Mutex::new(Vec::<String>::new());
    let stop = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|t| {
        // Three concurrent writers, each on its own connections.
        for w in 0..3 {
            let (addr, acked, stop) = (&addr, &acked, &stop);
            t.spawn(move || {
                for i in 0.. {
                    if stop.load(std::sync::atomic::Ordering::SeqCst) {
                        break;
                    }
                    match http(
                        addr,
                        "POST",
                        "/api/v1/scenarios",
                        Some(TOKEN),
                        &body(&format!("w{w}-{i}")),
                    ) {
                        Some((201, out)) => {
                            let v: serde_json::Value = serde_json::from_str(&out).expect("json");
                            acked
                                .lock()
                                .expect("lock")
                                .push(v["id"].as_str().expect("id").to_string());
                        }
                        Some((code, out)) => panic!("write refused: {code} {out}"),
                        // The server is gone (killed).
                        None => break,
                    }
                }
            });
        }
        // Kill it in the middle of the stream.
        while acked.lock().expect("lock").len() < 30 {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        s.kill9();
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
    });
    let acked = acked.into_inner().expect("lock");
    assert!(acked.len() >= 30);
    let s = Server::start(&db, Some(TOKEN));
    let saved: std::collections::BTreeSet<String> = ids(&s.addr).into_iter().collect();
    let lost: Vec<&String> = acked.iter().filter(|id| !saved.contains(*id)).collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged writes lost: {lost:?}",
        lost.len()
    );
    // Every saved scenario reads back whole.
    for id in saved.iter().take(5) {
        let (code, out) =
            http(&s.addr, "GET", &format!("/api/v1/scenarios/{id}"), None, "").expect("get");
        assert_eq!(code, 200, "{out}");
    }
}

#[test]
fn the_database_is_named_by_flag_environment_or_configuration() {
    let dir = tempfile::tempdir().expect("tempdir");
    let changes = dir.path().join("c.json");
    std::fs::write(
        &changes,
        r#"{"name": "cfg", "changes": [{"op": "close", "id": "NB-07"}]}"#,
    )
    .expect("write");
    let toml_db = dir.path().join("from-config.sqlite");
    let config = dir.path().join("nabij.toml");
    std::fs::write(
        &config,
        format!("database = {:?}\n", toml_db.to_str().expect("utf8")),
    )
    .expect("write");
    let run = |args: &[&str], env: Option<&std::path::Path>| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_nabij"));
        c.args(args).env_remove("NABIJ_DATABASE");
        if let Some(e) = env {
            c.env("NABIJ_DATABASE", e);
        }
        let out = c.output().expect("runs");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let c = changes.to_str().expect("utf8");
    let cfg = config.to_str().expect("utf8");
    // The configuration file's key.
    let (ok, _, err) = run(
        &[
            "scenario",
            "--demo",
            "--changes",
            c,
            "--save",
            "--config",
            cfg,
        ],
        None,
    );
    assert!(ok, "{err}");
    assert!(toml_db.exists(), "saved where the configuration says");
    // The environment wins over the file; the flag over both.
    let env_db = dir.path().join("from-env.sqlite");
    let (ok, _, err) = run(
        &[
            "scenario",
            "--demo",
            "--changes",
            c,
            "--save",
            "--config",
            cfg,
        ],
        Some(&env_db),
    );
    assert!(ok, "{err}");
    assert!(env_db.exists());
    let (ok, out, _) = run(&["scenarios", "list", "--config", cfg], Some(&env_db));
    assert!(
        ok && out.contains("cfg") && out.lines().count() == 1,
        "{out}"
    );
    let flag_db = dir.path().join("from-flag.sqlite");
    let (ok, out, _) = run(
        &[
            "scenarios",
            "list",
            "--database",
            flag_db.to_str().expect("utf8"),
        ],
        Some(&env_db),
    );
    assert!(ok && out.contains("no saved scenarios"), "{out}");
    assert!(!flag_db.exists(), "a read does not create the database");
}

#[test]
fn advice_counts_every_young_person_and_names_those_off_the_roads() {
    // Leegwater (GM9015, Nabij-Oost) has no road near its point: it is counted in every
    // objective (as out of reach of every site) and named, never left out.
    let d = demo();
    for objective in [Objective::Coverage, Objective::Median, Objective::Fairness] {
        let a = advise(&d, 2, objective);
        assert_eq!(a.municipalities, 20, "{objective:?}");
        assert_eq!(a.off_network, vec!["GM9015".to_string()], "{objective:?}");
        // Young people are counted where they live: every origin is a demand unit.
        assert_eq!(a.population_model, "street_length");
        let origins: usize = d.prepared.origins.iter().map(|o| o.len().max(1)).sum();
        assert_eq!(a.origins, origins, "{objective:?}");
        // 20 candidates, 190 pairs: every objective is enumerated, so the answer is exact.
        assert!(a.exact, "{objective:?}: {}", a.guarantee);
    }
}

/// Checks that a scenario changed only what it touched: every region's demand is the
/// baseline's; a region with the same facilities and places keeps its balance; one whose own
/// figures are unchanged keeps its absolute flags (relative flags may move and are labelled
/// so).
fn assert_demand_holds_still(
    base: &nabij::analysis::CoverageResult,
    after: &nabij::analysis::CoverageResult,
    what: &str,
) {
    assert_eq!(after.placements_per_10k, base.placements_per_10k, "{what}");
    for (b, a) in base.regions.iter().zip(&after.regions) {
        assert_eq!((&b.grouping, &b.code), (&a.grouping, &a.code));
        let (fb, fa) = (&b.figures, &a.figures);
        assert_eq!(fb.demand, fa.demand, "{what}: demand of {}", b.code);
        if fb.facilities == fa.facilities && fb.places == fa.places {
            assert_eq!(fb.balance, fa.balance, "{what}: balance of {}", b.code);
            if fb.share_within_limit == fa.share_within_limit {
                let absolute = |r: &nabij::analysis::coverage::RegionResult| -> Vec<&'static str> {
                    r.flags
                        .iter()
                        .filter(|f| !f.relative)
                        .map(|f| f.rule)
                        .collect()
                };
                assert_eq!(absolute(b), absolute(a), "{what}: flags of {}", b.code);
            }
        }
    }
}

#[test]
fn random_scenarios_on_the_demo_change_no_demand_and_only_the_regions_they_touch() {
    let d = demo();
    let need = NeedProfile::default();
    let base = d.coverage(&need).expect("baseline");
    assert_eq!(base.demand_source, "national_balance");
    let ids: Vec<String> = d.prepared.facilities.iter().map(|f| f.id.clone()).collect();
    let mut rng = nabij::rng::SplitMix64::new(22);
    let mut checked = 0;
    for round in 0..30 {
        let mut changes = Vec::new();
        for c in 0..1 + rng.below(3) {
            let change = match rng.below(3) {
                0 => format!(
                    r#"{{"op": "add", "id": "R{round}-{c}", "type": "kleinschalig_verblijf", "municipality": "GM90{:02}", "places": {}}}"#,
                    1 + rng.below(20),
                    2 + rng.below(7)
                ),
                1 => format!(
                    r#"{{"op": "close", "id": "{}"}}"#,
                    ids[rng.below(ids.len() as u64) as usize]
                ),
                _ => format!(
                    r#"{{"op": "set_places", "id": "{}", "places": {}}}"#,
                    ids[rng.below(ids.len() as u64) as usize],
                    1 + rng.below(8)
                ),
            };
            changes.push(change);
        }
        let json = format!(
            r#"{{"name": "r{round}", "changes": [{}]}}"#,
            changes.join(",")
        );
        // Some random scenarios are invalid (a unit closed twice, a site off the roads, no
        // suitable facility left): those are refused, which is not what this test checks.
        let Ok(a) = d.scenario(&scenario(&json), &need, Some(&base)) else {
            continue;
        };
        assert_eq!(a.coverage.demand_source, "baseline_national_balance");
        assert_demand_holds_still(&base, &a.coverage, &json);
        checked += 1;
    }
    assert!(checked >= 15, "only {checked} valid random scenarios");
}
