//! Scenario and siting-advice benchmark (issue #13): all 342 Dutch municipalities (CBS 2024)
//! with the 20 real facilities of ../shared/data, on the Netherlands-scale SYNTHETIC road
//! network of `scripts/bench_coverage.sh`. Run with `scripts/bench_planning.sh`. Reports the
//! median of repeated runs of: a scenario of 5 changes with its diff (its baseline computed
//! too, as the CLI does), and siting advice for K = 3 among the 342 municipalities'
//! representative points, for the fairness and the coverage objectives.

use std::path::PathBuf;
use std::time::Instant;

use nabij::analysis::MunicipalityFields;
use nabij::analysis::inputs::{read_facilities, read_municipalities};
use nabij::app::{AdviceRequest, Dataset, NeedProfile, Network, Objective, Progress, Scenario};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let graph = std::env::var("NABIJ_BENCH_COVERAGE_GRAPH")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root.join("target/bench-data/nl_towns_15000000.nbg"));
    let gem = root.join("../shared/data/boundaries/gemeenten_2024.geojson");
    let fac = root.join("../shared/data/facilities_nl.csv");
    let Ok(g) = nabij::graph::file::read_graph(&graph) else {
        eprintln!(
            "no graph at {} (run scripts/bench_planning.sh)",
            graph.display()
        );
        return;
    };
    let synthetic = g.meta.synthetic_roads;
    let (ms, _) =
        read_municipalities(&gem, &MunicipalityFields::default()).expect("municipalities");
    let fs = read_facilities(&fac).expect("facilities");
    let data = Dataset::new(Network::from_graph(g, "bench"), ms, fs, None).expect("dataset");
    println!(
        "graph {} ({}{} nodes), {} municipalities, {} facilities",
        graph
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default(),
        if synthetic { "SYNTHETIC, " } else { "" },
        data.network.graph().node_count(),
        data.prepared.municipalities.len(),
        data.prepared.facilities.len()
    );
    let need = NeedProfile::default();
    let ids: Vec<String> = data
        .prepared
        .facilities
        .iter()
        .filter(|f| f.kind == "kleinschalig_verblijf")
        .map(|f| f.id.clone())
        .collect();
    // Five changes: three new units (Groningen, Middelburg, Emmen), one closed, one resized.
    let scenario: Scenario = serde_json::from_str(&format!(
        r#"{{"name": "bench", "changes": [
        {{"op": "add", "id": "N1", "type": "kleinschalig_verblijf", "municipality": "GM0014"}},
        {{"op": "add", "id": "N2", "type": "kleinschalig_verblijf", "municipality": "GM0687"}},
        {{"op": "add", "id": "N3", "type": "kleinschalig_verblijf", "municipality": "GM0114"}},
        {{"op": "close", "id": "{}"}},
        {{"op": "set_places", "id": "{}", "places": 6}}]}}"#,
        ids.first().expect("a verblijf unit"),
        ids.get(1).expect("two verblijf units")
    ))
    .expect("scenario");
    let mut times = Vec::new();
    let mut changed = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let a = data.scenario(&scenario, &need, None).expect("scenario");
        times.push(t.elapsed().as_secs_f64());
        changed = a.diff.municipalities_changed;
    }
    println!(
        "scenario of 5 changes with its diff (baseline computed too): median {:.0} ms over {} runs ({} municipalities change tier)",
        median(times.clone()) * 1000.0,
        times.len(),
        changed
    );
    let base = data.coverage(&need).expect("baseline");
    let mut times = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        data.scenario(&scenario, &need, Some(&base))
            .expect("scenario");
        times.push(t.elapsed().as_secs_f64());
    }
    println!(
        "scenario of 5 changes with its diff (baseline cached, as the server has it): median {:.0} ms",
        median(times) * 1000.0
    );
    for objective in [Objective::Fairness, Objective::Coverage] {
        let mut times = Vec::new();
        let mut last = None;
        for _ in 0..3 {
            let t = Instant::now();
            last = Some(
                data.advise(
                    &AdviceRequest {
                        need: need.clone(),
                        add: 3,
                        region: None,
                        objective,
                        candidates: None,
                        kind: None,
                        places: None,
                    },
                    &Progress::hidden(),
                )
                .expect("advice"),
            );
            times.push(t.elapsed().as_secs_f64());
        }
        let a = last.expect("ran");
        println!(
            "advice K = 3, objective {}, {} candidates: median {:.2} s over {} runs; sites {}; {}",
            objective.as_str(),
            a.candidates,
            median(times.clone()),
            times.len(),
            a.sites
                .iter()
                .map(|s| format!("{} ({})", s.site.name, s.region.as_deref().unwrap_or("?")))
                .collect::<Vec<_>>()
                .join(", "),
            a.guarantee
        );
    }
    // The policy report of one region (JZ18) as PDF and of every region as HTML, on the
    // loaded data (the part of `nabij report` after loading the graph).
    for (region, what) in [
        (Some("JZ18"), "one region (JZ18) as PDF"),
        (None, "every region as HTML"),
    ] {
        let mut times = Vec::new();
        for _ in 0..5 {
            let t = Instant::now();
            let report = data
                .report(
                    &nabij::app::ReportRequest {
                        need: need.clone(),
                        grouping: "jeugdregio".into(),
                        region: region.map(String::from),
                        lang: nabij::document::Lang::Nl,
                        advice: true,
                    },
                    &Progress::hidden(),
                )
                .expect("report");
            let bytes = match region {
                Some(_) => nabij::document::pdf::to_pdf(&report).expect("pdf").len(),
                None => nabij::document::html::to_html(&report).len(),
            };
            assert!(bytes > 0);
            times.push(t.elapsed().as_secs_f64());
        }
        println!(
            "report, {what}, data loaded: median {:.0} ms over {} runs",
            median(times.clone()) * 1000.0,
            times.len()
        );
    }
}
