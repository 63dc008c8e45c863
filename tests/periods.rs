//! Periods (free flow and the peak) and margins, checked as docs/ANALYSIS.md states them:
//! factors of 1 change nothing; a uniform factor changes exactly the tiers the margins
//! predict; on real extracts the peak is slower on every pair, by the configured factors of
//! the roads the route takes.

mod common;

use std::path::PathBuf;

use common::*;
use nabij::analysis::MunicipalityFields;
use nabij::analysis::inputs::{read_facilities, read_municipalities};
use nabij::app::{CoverageStatus, Dataset, Network, PeriodChoice};
use nabij::graph::{ARC_BACKWARD, FERRY_CLASS, NO_TIME, RoadGraph};
use nabij::ingest::CarProfile;
use nabij::pipeline::{HierarchyMode, add_hierarchy, build_in_memory};
use nabij::progress::Progress;
use nabij::routing::search::NO_PARENT;
use nabij::routing::{Direction, Seed, Workspace, arc_tail};

fn repo(p: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(p)
}

/// A profile whose peak factor is `f` for every class, built-up or not.
fn uniform(f: f64) -> CarProfile {
    let mut p = CarProfile::default();
    for class in p.highway_speeds_kmh.keys() {
        p.peak_factors_built_up.insert(class.clone(), f);
        p.peak_factors_rural.insert(class.clone(), f);
    }
    p
}

/// The demo region (SYNTHETIC roads) built with `profile`, as a dataset.
fn demo_with(profile: &CarProfile, hierarchy: bool) -> Dataset {
    let p = Progress::hidden();
    let mut g = build_in_memory(&repo("data/demo/nabijland.osm.pbf"), profile, &p).expect("demo");
    if hierarchy {
        add_hierarchy(&mut g, HierarchyMode::Always, &p);
    }
    let (ms, _) = read_municipalities(
        &repo("data/demo/municipalities.geojson"),
        &MunicipalityFields::default(),
    )
    .expect("municipalities");
    let fs = read_facilities(&repo("data/demo/facilities.csv")).expect("facilities");
    Dataset::new(Network::from_graph(g, "nabijland"), ms, fs, None).expect("dataset")
}

fn need(period: PeriodChoice) -> nabij::app::NeedProfile {
    nabij::app::NeedProfile {
        period,
        ..Default::default()
    }
}

#[test]
fn peak_factors_of_one_give_the_free_answer_exactly() {
    let d = demo_with(&uniform(1.0), true);
    let g = d.network.graph();
    assert_eq!(g.peak_time_fw_ms, g.edge_time_fw_ms);
    assert_eq!(g.peak_time_bw_ms, g.edge_time_bw_ms);
    let h = g.hierarchy.as_ref().expect("hierarchy");
    assert!(
        h.arcs
            .iter()
            .zip(&h.peak_arcs)
            .all(|(a, p)| [a.up_ms, a.down_ms] == *p)
    );
    let free = d.coverage(&need(PeriodChoice::Free)).expect("free");
    let peak = d.coverage(&need(PeriodChoice::Peak)).expect("peak");
    for (a, b) in free.municipalities.iter().zip(&peak.municipalities) {
        assert_eq!(a, b, "{}", a.code);
    }
    let both = d.coverage(&need(PeriodChoice::Both)).expect("both");
    for m in &both.municipalities {
        assert_eq!(m.status_peak, Some(m.status), "{}", m.code);
        assert_eq!(m.robust, Some(true), "{}", m.code);
    }
    assert!(
        both.regions
            .iter()
            .all(|r| r.share_tier_depends_on_hour == Some(0.0))
    );
}

/// A peak factor `s` on every road divides every road time by `s`: the peak tier of each
/// municipality is what its free-flow margin predicts for the factor `1 / s`. Travel times
/// are whole milliseconds per road piece and a facility's access leg (off the road) is not
/// scaled, so a municipality whose margin lies within 1 % of the factor is left out.
#[test]
fn a_uniform_peak_factor_changes_exactly_the_tiers_the_margins_predict() {
    let mut changed = 0;
    let mut checked = 0;
    for s in [0.6, 0.7, 0.8, 1.1, 1.3] {
        let d = demo_with(&uniform(s), false);
        let r = d.coverage(&need(PeriodChoice::Both)).expect("both");
        let f = 1.0 / s;
        for m in &r.municipalities {
            let peak = m.status_peak.expect("both periods");
            let Some(factor) = m.margin_factor else {
                assert_eq!(
                    peak, m.status,
                    "{} has no margin but changes at {s}",
                    m.code
                );
                continue;
            };
            if (f / factor - 1.0).abs() < 0.01 {
                continue;
            }
            checked += 1;
            let within_now = m.status == CoverageStatus::WithinLimit;
            let predicted_within = f <= factor;
            assert_eq!(
                peak == CoverageStatus::WithinLimit,
                predicted_within,
                "{} at factor {f:.3}: margin {factor:.3}, free {}, peak {peak}",
                m.code,
                m.status
            );
            if within_now != predicted_within {
                changed += 1;
            }
        }
    }
    assert!(checked >= 30, "only {checked} municipalities checked");
    assert!(
        changed >= 2,
        "only {changed} tier changes: the test would not see a wrong margin"
    );
}

/// Nodes on the free-flow path from `a` to `b`: the edges taken.
fn free_path_edges(g: &RoadGraph, ws: &mut Workspace, a: u32, b: u32) -> Option<Vec<u32>> {
    let seed = [Seed {
        node: a,
        offset_ms: 0,
        source: 0,
    }];
    ws.run_with(g, &seed, u32::MAX, Direction::From, |v, _| v != b);
    ws.time_ms(b)?;
    let mut edges = Vec::new();
    let mut v = b;
    loop {
        let arc = ws.parent_arc(v);
        if arc == NO_PARENT {
            break;
        }
        edges.push(g.fwd.arc_edge[arc as usize] & !ARC_BACKWARD);
        v = arc_tail(&g.fwd, arc);
    }
    Some(edges)
}

/// Every edge's peak time is its free time divided by one of its class's two factors; on
/// seeded random pairs of Porto and Malta the peak is slower than free flow, by at least the
/// mildest and at most the strongest factor of the roads of the free-flow route, and the
/// peak's own route is no slower than that route at peak.
#[test]
fn on_real_extracts_the_peak_is_slower_on_every_pair_by_the_factors_of_its_roads() {
    let profile = CarProfile::default();
    for name in [PORTO, MALTA] {
        let g = build(name);
        let peak = g.peak_graph().expect("peak times");
        let factors = |e: usize| -> [f64; 2] {
            if g.edge_class[e] == FERRY_CLASS {
                return [1.0, 1.0];
            }
            let class = &g.meta.class_names[g.edge_class[e] as usize];
            [
                profile.speed_factor(nabij::graph::Period::Peak, class, true),
                profile.speed_factor(nabij::graph::Period::Peak, class, false),
            ]
        };
        for e in 0..g.edge_count() {
            for (free, at_peak) in [
                (g.edge_time_fw_ms[e], g.peak_time_fw_ms[e]),
                (g.edge_time_bw_ms[e], g.peak_time_bw_ms[e]),
            ] {
                if free == NO_TIME {
                    assert_eq!(at_peak, NO_TIME);
                    continue;
                }
                // Factors are stored per way as f32.
                let ok = factors(e)
                    .iter()
                    .any(|&f| ((free as f64 / f as f32 as f64).round() as u32).max(1) == at_peak);
                assert!(ok, "{name} edge {e}: {free} ms free, {at_peak} ms at peak");
            }
        }
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as u32
        };
        let (mut ws, mut wp) = (
            Workspace::new(g.node_count()),
            Workspace::new(g.node_count()),
        );
        let mut pairs = 0;
        while pairs < 150 {
            let (a, b) = (next(g.node_count()), next(g.node_count()));
            if a == b {
                continue;
            }
            let Some(path) = free_path_edges(&g, &mut ws, a, b) else {
                continue;
            };
            let free_ms = ws.time_ms(b).expect("reached") as f64;
            let seed = [Seed {
                node: a,
                offset_ms: 0,
                source: 0,
            }];
            wp.run(&peak, &seed, u32::MAX, Direction::From);
            let peak_ms = wp
                .time_ms(b)
                .expect("the peak reaches what free flow reaches") as f64;
            // The free-flow route at peak, and the bounds its roads' factors give.
            let (mut route_at_peak, mut low, mut high) = (0.0, 0.0, 0.0);
            for &e in &path {
                let e = e as usize;
                let t = g.edge_time_fw_ms[e].min(g.edge_time_bw_ms[e]) as f64;
                let p = g.peak_time_fw_ms[e].min(g.peak_time_bw_ms[e]) as f64;
                let [f1, f2] = factors(e);
                route_at_peak += p;
                low += t / f1.max(f2);
                high += t / f1.min(f2);
            }
            let rounding = path.len() as f64;
            assert!(
                peak_ms > free_ms,
                "{name} {a}->{b}: {peak_ms} ms at peak, {free_ms} free"
            );
            assert!(
                peak_ms <= route_at_peak + 0.5,
                "{name} {a}->{b}: peak route slower"
            );
            assert!(
                route_at_peak >= low - rounding && route_at_peak <= high + rounding,
                "{name} {a}->{b}: {route_at_peak} ms outside {low}..{high}"
            );
            pairs += 1;
        }
    }
}

/// A graph from before periods answers free flow and refuses the peak with what to do.
#[test]
fn a_graph_without_peak_times_says_to_rebuild() {
    let mut g = build(MALTA);
    g.peak_time_fw_ms.clear();
    g.peak_time_bw_ms.clear();
    let net = Network::from_graph(g, "old.nbg");
    let err = net
        .travel_time((14.5, 35.9), (14.4, 35.9), nabij::app::Period::Peak)
        .expect_err("no peak")
        .to_string();
    assert!(err.contains("rebuild it with `nabij build`"), "{err}");
}

/// Over HTTP: each period on coverage and routing, both side by side in JSON and CSV, the
/// periods in the metadata, and an unknown period refused on its parameter.
#[actix_web::test]
async fn the_api_answers_each_period_and_refuses_an_unknown_one() {
    use actix_web::{App, test as atest, web};
    let data = Dataset::load(&nabij::app::Config::demo(), &Progress::hidden()).expect("demo");
    let state = web::Data::new(nabij::api::AppState::new(
        data,
        std::time::Duration::from_secs(60),
    ));
    let app = atest::init_service(App::new().configure(nabij::api::configure(state))).await;
    let get = |uri: &str| atest::TestRequest::get().uri(uri).to_request();
    let json = |bytes: &[u8]| -> serde_json::Value { serde_json::from_slice(bytes).expect("json") };
    let resp = atest::call_service(&app, get("/api/v1/meta")).await;
    let meta = json(&atest::read_body(resp).await);
    assert_eq!(meta["periods"], serde_json::json!(["free", "peak"]));
    let resp = atest::call_service(
        &app,
        get("/api/v1/coverage?format=json&minutes=30&period=both"),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let both = json(&atest::read_body(resp).await);
    let ms = both["municipalities"].as_array().expect("municipalities");
    assert!(ms.iter().all(|m| m["status_peak"].is_string()));
    assert!(
        ms.iter().any(|m| m["robust"] == false),
        "nothing changes at 30 minutes"
    );
    assert!(ms.iter().any(|m| m["fragile"] == true));
    assert!(
        both["regions"]
            .as_array()
            .expect("regions")
            .iter()
            .any(|r| r["share_tier_depends_on_hour"].as_f64().unwrap_or(0.0) > 0.0)
    );
    let resp = atest::call_service(&app, get("/api/v1/coverage?format=csv&period=both")).await;
    let csv = String::from_utf8_lossy(&atest::read_body(resp).await).into_owned();
    let header = csv.lines().next().unwrap_or_default();
    for column in [
        "status_peak",
        "robust",
        "margin_factor",
        "margin_minutes",
        "fragile",
        "period",
    ] {
        assert!(
            header.split(',').any(|c| c == column),
            "{column} missing: {header}"
        );
    }
    // The same trip is slower at rush hour.
    let resp = atest::call_service(&app, get("/api/v1/facilities")).await;
    let fac = json(&atest::read_body(resp).await);
    let at = |i: usize| {
        let c = &fac["features"][i]["geometry"]["coordinates"];
        format!("{},{}", c[0], c[1])
    };
    let mut seconds = Vec::new();
    for period in ["free", "peak"] {
        let uri = format!(
            "/api/v1/travel-time?from={}&to={}&period={period}",
            at(0),
            at(5)
        );
        let resp = atest::call_service(&app, get(&uri)).await;
        assert_eq!(resp.status(), 200, "{uri}");
        let t = json(&atest::read_body(resp).await);
        assert_eq!(t["period"], period);
        seconds.push(t["seconds"].as_f64().expect("seconds"));
    }
    assert!(seconds[1] > seconds[0], "{seconds:?}");
    for uri in [
        "/api/v1/coverage?period=night",
        "/api/v1/travel-time?from=6.0,52.0&to=6.1,52.0&period=both",
        "/api/v1/coverage?fragile_margin=0.9",
    ] {
        let resp = atest::call_service(&app, get(uri)).await;
        assert_eq!(resp.status(), 400, "{uri}");
        let v = json(&atest::read_body(resp).await);
        let want = if uri.contains("fragile") {
            "fragile_margin"
        } else {
            "period"
        };
        assert_eq!(v["parameter"], want, "{uri}: {v}");
    }
}

/// Measured speeds per way (`nabij build --speeds`): a way given 50 km/h free and 10 km/h at
/// peak takes five times as long at peak, its free time follows 50 km/h, and the build says
/// what matched.
#[test]
fn measured_speeds_replace_the_profile_for_their_way() {
    let dir = tempfile::tempdir().expect("tempdir");
    let g = build(MALTA);
    // A long two-way road piece, so that the rounding of whole milliseconds is small.
    let e = (0..g.edge_count())
        .filter(|&e| g.edge_class[e] != FERRY_CLASS)
        .filter(|&e| g.edge_time_fw_ms[e] != NO_TIME && g.edge_time_bw_ms[e] != NO_TIME)
        .max_by(|&a, &b| g.edge_length_m[a].total_cmp(&g.edge_length_m[b]))
        .expect("a road");
    let way = g.edge_osm_way(e as u32);
    let csv = dir.path().join("speeds.csv");
    std::fs::write(
        &csv,
        format!("osm_way_id,speed_kmh,period\n{way},50,free\n{way},10,peak\n1,30,peak\n"),
    )
    .expect("write");
    let speeds = nabij::ingest::SpeedOverrides::from_csv_file(&csv).expect("speeds");
    let m = nabij::pipeline::build_in_memory_with(
        &osm(MALTA),
        &CarProfile::default(),
        Some(&speeds),
        &Progress::hidden(),
    )
    .expect("build");
    assert_eq!(m.meta.speed_file.as_deref(), Some("speeds.csv"));
    assert_eq!(m.meta.speed_overrides.applied, 2);
    assert_eq!(m.meta.speed_overrides.unmatched, 1);
    // The same piece in the new graph (same build order): by its way and length.
    let e2 = (0..m.edge_count())
        .find(|&x| m.edge_osm_way(x as u32) == way && m.edge_length_m[x] == g.edge_length_m[e])
        .expect("the piece");
    let free = m.edge_time_fw_ms[e2] as f64;
    let peak = m.peak_time_fw_ms[e2] as f64;
    let driving_ms = m.edge_length_m[e2] as f64 / (50.0 / 3.6) * 1000.0;
    assert!(
        free >= driving_ms - 1.0 && free <= driving_ms + 20_000.0,
        "{free} ms for {driving_ms} ms of driving"
    );
    assert!(
        (peak - 5.0 * free).abs() <= 1.0,
        "{peak} ms at peak, {free} ms free"
    );
}
