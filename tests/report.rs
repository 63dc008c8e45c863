//! The policy report read as a reader would: `pdftotext` finds the region's name, its gaps
//! and its figures, `pdftoppm` renders the first page; the HTML is self-contained; the HTTP
//! endpoint answers PDF and HTML and refuses what it cannot answer.

mod common;

use common::nabij;

/// Skips (or, under `.ci/run`, fails) without poppler's `pdftotext` and `pdftoppm`.
fn poppler_missing() -> bool {
    common::skip_without(&[
        common::Tool::Command("pdftotext"),
        common::Tool::Command("pdftoppm"),
    ])
}

fn pdf_text(pdf: &std::path::Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs (poppler-utils; .ci/run installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_pdf_report_names_the_region_its_gaps_and_its_figures() {
    if poppler_missing() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let pdf = dir.path().join("r.pdf");
    let (ok, _, err) = nabij(&[
        "--quiet",
        "report",
        "--demo",
        "--region",
        "JZ93",
        "--format",
        "pdf",
        "--out",
        pdf.to_str().expect("utf8"),
    ]);
    assert!(ok, "{err}");
    let bytes = std::fs::read(&pdf).expect("read");
    assert!(bytes.starts_with(b"%PDF-"));
    let text = pdf_text(&pdf);
    // The region, its gaps by name, its figures, in Dutch.
    assert!(text.contains("Nabij-Oost (JZ93)"), "{text}");
    for gap in ["Eemsterland", "Leegwater", "Zeewaard"] {
        assert!(
            text.contains(&format!("{gap} (GM90")),
            "{gap} missing: {text}"
        );
    }
    assert!(text.contains("Samenvatting"));
    // The finding first: the first sentence after the heading is the verdict, with names;
    // a date as people write it; labels, not codes, in the header.
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let after = flat.split("Samenvatting").nth(1).expect("summary");
    assert!(
        after.trim_start().starts_with(
            "In Nabij-Oost halen 3 van de 4 gemeenten de norm van 45 minuten niet (Eemsterland, Leegwater en Zeewaard); de regio heeft geen eigen passende voorziening."
        ),
        "{after}"
    );
    let made: Vec<&str> = flat
        .split("Gemaakt op ")
        .nth(1)
        .expect("date")
        .splitn(4, ' ')
        .take(3)
        .collect();
    assert!(
        made[0].parse::<u32>().is_ok()
            && [
                "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus"
            ]
            .iter()
            .chain(&["september", "oktober", "november", "december"])
            .any(|m| *m == made[1])
            && made[2].parse::<u32>().is_ok(),
        "a Dutch date: {made:?}"
    );
    assert!(
        flat.contains("Uitgangspunten: kleinschalig verblijf en kleinschalig JeugdzorgPlus"),
        "{flat}"
    );
    assert!(!flat.contains("kleinschalig_verblijf"), "{flat}");
    assert!(flat.contains("Advies: een extra voorziening in"), "{flat}");
    // The map: names on it, the same caption as in HTML, kept with it.
    assert!(
        flat.contains("met hun naam; dikke lijn: grens van de regio; buurgemeenten grijs; stippen: passende voorzieningen in de regio of binnen de norm"),
        "{flat}"
    );
    assert!(text.contains("31,0%"), "share within the limit: {text}");
    assert!(
        text.contains("geen passende voorziening in de regio"),
        "{text}"
    );
    assert!(
        text.contains("SYNTHETISCH"),
        "the synthetic-roads label: {text}"
    );
    assert!(text.contains("Advies"), "{text}");
    assert!(text.contains("Bronnen") && text.contains("fictieve demoregio"));
    // Page 1 renders.
    let prefix = dir.path().join("page");
    let out = std::process::Command::new("pdftoppm")
        .args(["-r", "50", "-f", "1", "-l", "1", "-png"])
        .arg(&pdf)
        .arg(&prefix)
        .output()
        .expect("pdftoppm runs (poppler-utils)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let png = std::fs::read_dir(dir.path())
        .expect("dir")
        .flatten()
        .find(|e| e.file_name().to_string_lossy().starts_with("page"))
        .expect("a page image");
    assert!(png.metadata().expect("meta").len() > 2000);
}

#[test]
fn every_region_in_english_and_html_self_contained() {
    if poppler_missing() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let pdf = dir.path().join("all.pdf");
    let (ok, _, err) = nabij(&[
        "--quiet",
        "report",
        "--demo",
        "--all",
        "--lang",
        "en",
        "--format",
        "pdf",
        "--out",
        pdf.to_str().expect("utf8"),
    ]);
    assert!(ok, "{err}");
    let text = pdf_text(&pdf);
    for region in [
        "Nabij-West (JZ91)",
        "Nabij-Midden (JZ92)",
        "Nabij-Oost (JZ93)",
    ] {
        assert!(text.contains(region), "{region}: {text}");
    }
    assert!(text.contains("Summary") && text.contains("no suitable facility in the region"));
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("In Nabij-Oost, 3 of the 4 municipalities do not meet the 45-minute norm"),
        "{flat}"
    );
    // A report of several regions opens with the national picture and the contents.
    let national = flat
        .split("National picture")
        .nth(1)
        .expect("national picture first");
    assert!(
        national.trim_start().starts_with("Nationally, ")
            && national.contains("of the 3 regions")
            && national.contains("Contents: the regions"),
        "{national}"
    );
    assert!(flat.find("National picture") < flat.find("Nabij-Midden (JZ92)"));
    // Flags in English carry their threshold at the summary's precision.
    assert!(flat.contains("less than the expected 90.0%"), "{flat}");
    let (ok, html, err) = nabij(&["--quiet", "report", "--demo", "--region", "jz93"]);
    assert!(ok, "{err}");
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("<svg") && html.contains("Nabij-Oost"));
    assert!(html.contains(">Zeewaard</text>") && html.contains("stippen: passende voorzieningen"));
    // Landmarks, header cells, and the map's text alternative saying the finding.
    assert!(html.contains("<main>") && html.contains(r#"<th scope="col">"#));
    assert!(html.contains(r#"<th scope="row""#));
    assert!(
        html.contains(
            "<title>In Nabij-Oost halen 3 van de 4 gemeenten de norm van 45 minuten niet"
        ),
        "{html}"
    );
    // Nothing is fetched: no scripts, no linked files or images.
    assert!(!html.contains("<script") && !html.contains("src=") && !html.contains("<link"));
    // Errors: an unknown region names the known ones; a PDF to a terminal is refused.
    let (ok, _, err) = nabij(&["report", "--demo", "--region", "JZ99"]);
    assert!(!ok && err.contains("JZ91, JZ92, JZ93"), "{err}");
    let (ok, _, err) = nabij(&["report", "--demo", "--region", "JZ93", "--format", "pdf"]);
    assert!(!ok && err.contains("--out"), "{err}");
    let (ok, _, err) = nabij(&["report", "--demo"]);
    assert!(!ok && err.contains("--region"), "{err}");
}

#[actix_web::test]
async fn the_report_endpoint_answers_pdf_and_html() {
    use actix_web::test as atest;
    use actix_web::{App, web};
    let data =
        nabij::app::Dataset::load(&nabij::app::Config::demo(), &nabij::app::Progress::hidden())
            .expect("demo");
    let state = web::Data::new(nabij::api::AppState::new(
        data,
        std::time::Duration::from_secs(60),
    ));
    let app = atest::init_service(App::new().configure(nabij::api::configure(state))).await;
    let get = |uri: &str| atest::TestRequest::get().uri(uri).to_request();
    let resp = atest::call_service(&app, get("/api/v1/report?region=JZ93&format=pdf")).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/pdf")
    );
    let body = atest::read_body(resp).await;
    assert!(body.starts_with(b"%PDF-"));
    let resp = atest::call_service(&app, get("/api/v1/report?region=all&lang=en&minutes=30")).await;
    assert_eq!(resp.status(), 200);
    let html = String::from_utf8_lossy(&atest::read_body(resp).await).into_owned();
    assert!(
        html.contains("Nabij-West") && html.contains("30 minutes"),
        "{html}"
    );
    for (uri, parameter) in [
        ("/api/v1/report", "region"),
        ("/api/v1/report?region=JZ99", "region"),
        ("/api/v1/report?region=JZ93&format=docx", "format"),
        ("/api/v1/report?region=JZ93&lang=fr", "lang"),
    ] {
        let resp = atest::call_service(&app, get(uri)).await;
        assert_eq!(resp.status(), 400, "{uri}");
        let v: serde_json::Value =
            serde_json::from_slice(&atest::read_body(resp).await).expect("problem");
        assert_eq!(v["parameter"], parameter, "{uri}: {v}");
    }
    // The map page and its assets.
    let resp = atest::call_service(&app, get("/")).await;
    assert_eq!(resp.status(), 200);
    assert!(resp.headers().get("content-security-policy").is_some());
    let page = String::from_utf8_lossy(&atest::read_body(resp).await).into_owned();
    assert!(page.contains("/assets/leaflet.js") && page.contains("/assets/app.js"));
    for asset in [
        "app.js",
        "style.css",
        "leaflet.js",
        "leaflet.css",
        "leaflet-LICENSE.txt",
    ] {
        let resp = atest::call_service(&app, get(&format!("/assets/{asset}"))).await;
        assert_eq!(resp.status(), 200, "{asset}");
    }
    let resp = atest::call_service(&app, get("/assets/../Cargo.toml")).await;
    assert_eq!(resp.status(), 404);
    let resp = atest::call_service(&app, get("/assets/secret.js")).await;
    assert_eq!(resp.status(), 404);
}

/// The report made as a PDF file in `dir`; its path.
fn make_pdf(dir: &std::path::Path, name: &str, extra: &[&str]) -> std::path::PathBuf {
    let pdf = dir.join(name);
    let mut args = vec!["--quiet", "report", "--demo", "--format", "pdf"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--out", pdf.to_str().expect("utf8")]);
    let (ok, _, err) = nabij(&args);
    assert!(ok, "{err}");
    pdf
}

/// `scripts/check_pdf_ua.py` on a file: (passed, its output).
fn check_pdf_ua(pdf: &std::path::Path, lang: &str, title: Option<&str>) -> (bool, String) {
    let mut cmd = std::process::Command::new(common::python());
    cmd.arg(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scripts/check_pdf_ua.py"
    ))
    .arg(pdf)
    .args(["--lang", lang]);
    if let Some(t) = title {
        cmd.args(["--title", t]);
    }
    let out = cmd.output().expect("the PDF/UA checker runs");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn the_pdf_is_tagged_pdf_ua_in_both_languages_and_the_checker_catches_an_untagged_copy() {
    if poppler_missing()
        || common::skip_without(&[
            common::Tool::PyModule("pikepdf"),
            common::Tool::PyModule("pdfua"),
        ])
    {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let nl = make_pdf(dir.path(), "nl.pdf", &["--region", "JZ93"]);
    let (ok, out) = check_pdf_ua(
        &nl,
        "nl-NL",
        Some("Bereikbaarheid kleinschalige jeugdzorg: Nabij-Oost"),
    );
    assert!(ok, "{out}");
    // The structure a screen reader walks: the title, the region, its sections; the map
    // a figure; the legend, gaps and flags lists; the table with header cells.
    let structure = out.lines().next().unwrap_or_default();
    assert!(
        structure.starts_with("structure: Document H1 P P P H2 H3 P"),
        "{structure}"
    );
    for part in [
        "Figure L LI LBody",
        "Table TR TH TH",
        "TR TH TD TD",
        "L LI Lbl LBody",
    ] {
        assert!(structure.contains(part), "{part}: {structure}");
    }
    // Every region of the demo, in English.
    let en = make_pdf(dir.path(), "en.pdf", &["--all", "--lang", "en"]);
    let (ok, out) = check_pdf_ua(&en, "en-GB", None);
    assert!(ok, "{out}");
    // The reading order pdftotext finds is the report's.
    let text = pdf_text(&en)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let order = [
        "National picture",
        "Contents: the regions",
        "Summary",
        "Map: the region's municipalities",
        "Gaps",
        "Municipalities",
        "Fair spread: the figures",
        "Flags",
        "Method",
        "Sources",
    ];
    let at: Vec<usize> = order
        .iter()
        .map(|s| {
            text.find(s)
                .unwrap_or_else(|| panic!("{s} missing: {text}"))
        })
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{order:?} at {at:?}");
    // The checker is not a formality: the same file with its structure tree, its marking
    // and its language taken out fails it.
    let broken = dir.path().join("untagged.pdf");
    let strip = std::process::Command::new(common::python())
        .args([
            "-c",
            "import pikepdf,sys\np=pikepdf.open(sys.argv[1])\nfor k in ('/StructTreeRoot','/MarkInfo','/Lang'):\n    del p.Root[k]\np.save(sys.argv[2])",
        ])
        .arg(&nl)
        .arg(&broken)
        .output()
        .expect("python runs");
    assert!(
        strip.status.success(),
        "{}",
        String::from_utf8_lossy(&strip.stderr)
    );
    let (ok, out) = check_pdf_ua(&broken, "nl-NL", None);
    assert!(!ok, "{out}");
    for finding in ["MarkInfo", "language", "no H1 element"] {
        assert!(out.contains(finding), "{finding}: {out}");
    }
}

#[actix_web::test]
async fn a_saved_scenario_has_its_report_in_the_cli_and_over_http_with_today_beside_it() {
    if poppler_missing() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("s.sqlite");
    let changes = dir.path().join("c.json");
    std::fs::write(
        &changes,
        r#"{"name": "Extra unit in Zeewaard", "description": "Een huis voor vier jongeren in Zeewaard.", "changes": [{"op": "add", "id": "NEW1", "name": "Huis Zeewaard", "type": "kleinschalig_verblijf", "municipality": "GM9020", "places": 4}]}"#,
    )
    .expect("write");
    let db_s = db.to_str().expect("utf8");
    let (ok, _, err) = nabij(&[
        "scenario",
        "--demo",
        "--changes",
        changes.to_str().expect("utf8"),
        "--save",
        "--database",
        db_s,
    ]);
    assert!(ok, "{err}");
    let id = err
        .split("saved as scenario ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .expect("the id on standard error")
        .to_string();
    let pdf = make_pdf(
        dir.path(),
        "s.pdf",
        &["--scenario", &id, "--database", db_s, "--region", "JZ93"],
    );
    let text = pdf_text(&pdf)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for part in [
        "Nabij-Oost, scenario “Extra unit in Zeewaard”",
        "Scenario: Extra unit in Zeewaard Een huis voor vier jongeren in Zeewaard.",
        &format!("(opgeslagen als {id})"),
        "Nieuw: Huis Zeewaard (kleinschalig verblijf, 4 plaatsen) in Zeewaard",
        // The verdict is the scenario's: Zeewaard now has a unit of its own.
        "In Nabij-Oost halen 2 van de 4 gemeenten de norm van 45 minuten niet (Eemsterland en Leegwater).",
        "Vandaag en met het scenario",
        "Gemeenten die de norm van 45 minuten halen 1 van 4 2 van 4",
        "Jongeren binnen 45 minuten (aandeel) 31,0% 63,0%",
        "Plaatsen in de regio 0 4",
        "Verwachte vraag (plaatsen) 6,7 6,7",
        "Zeewaard: buiten de regio → eigen gemeente",
        "Signaal opgeheven: geen passende voorziening in de regio",
    ] {
        assert!(text.contains(part), "{part}: {text}");
    }
    if !common::skip_without(&[
        common::Tool::PyModule("pikepdf"),
        common::Tool::PyModule("pdfua"),
    ]) {
        let (ok, out) = check_pdf_ua(&pdf, "nl-NL", None);
        assert!(ok, "{out}");
    }
    // The scenario's need is its own: need flags beside --scenario are refused.
    let (ok, _, err) = nabij(&[
        "report",
        "--demo",
        "--scenario",
        &id,
        "--database",
        db_s,
        "--region",
        "JZ93",
        "--minutes",
        "30",
    ]);
    assert!(!ok && err.contains("need saved with the scenario"), "{err}");
    let (ok, _, err) = nabij(&[
        "report",
        "--demo",
        "--scenario",
        "0123456789abcdef",
        "--database",
        db_s,
        "--region",
        "JZ93",
    ]);
    assert!(!ok && err.contains("0123456789abcdef"), "{err}");

    // A second scenario of the same question, compared with the first rather than with
    // today: moving from the unit in Zeewaard to one in Eemsterland as well.
    let changes2 = dir.path().join("c2.json");
    std::fs::write(
        &changes2,
        r#"{"name": "Zeewaard and Eemsterland", "changes": [{"op": "add", "id": "NEW1", "name": "Huis Zeewaard", "type": "kleinschalig_verblijf", "municipality": "GM9020", "places": 4}, {"op": "add", "id": "NEW2", "name": "Huis Eemsterland", "type": "kleinschalig_verblijf", "municipality": "GM9005", "places": 4}]}"#,
    )
    .expect("write");
    let (ok, _, err) = nabij(&[
        "scenario",
        "--demo",
        "--changes",
        changes2.to_str().expect("utf8"),
        "--save",
        "--database",
        db_s,
    ]);
    assert!(ok, "{err}");
    let id2 = err
        .split("saved as scenario ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .expect("the id")
        .to_string();
    let (ok, out, err) = nabij(&[
        "--quiet",
        "scenarios",
        "diff",
        &id2,
        &id,
        "--demo",
        "--database",
        db_s,
        "--format",
        "json",
    ]);
    assert!(ok, "{err}");
    let cmp: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(cmp["against"], id.as_str());
    // Only Eemsterland changes between the two (it gains a unit of its own); against today
    // Zeewaard would change too.
    let changed: Vec<&str> = cmp["diff"]["municipalities"]
        .as_array()
        .expect("municipalities")
        .iter()
        .filter(|m| m["effect"] != "same")
        .map(|m| m["name"].as_str().unwrap_or_default())
        .collect();
    assert!(
        changed.contains(&"Eemsterland") && !changed.contains(&"Zeewaard"),
        "{changed:?}"
    );
    assert_eq!(cmp["diff"]["municipalities_changed"], changed.len());
    let (ok, _, err) = nabij(&[
        "scenarios",
        "diff",
        &id2,
        "0123456789abcdef",
        "--demo",
        "--database",
        db_s,
    ]);
    assert!(!ok && err.contains("0123456789abcdef"), "{err}");

    // The same over HTTP, in English.
    use actix_web::test as atest;
    use actix_web::{App, web};
    let data =
        nabij::app::Dataset::load(&nabij::app::Config::demo(), &nabij::app::Progress::hidden())
            .expect("demo");
    let state = web::Data::new(
        nabij::api::AppState::new(data, std::time::Duration::from_secs(60))
            .with_scenarios(nabij::app::Store::new(&db), None),
    );
    let app = atest::init_service(App::new().configure(nabij::api::configure(state))).await;
    let get = |uri: &str| atest::TestRequest::get().uri(uri).to_request();
    let resp = atest::call_service(
        &app,
        get(&format!(
            "/api/v1/scenarios/{id}/report?region=JZ93&lang=en"
        )),
    )
    .await;
    assert_eq!(resp.status(), 200);
    assert!(resp.headers().get("content-security-policy").is_some());
    let html = String::from_utf8_lossy(&atest::read_body(resp).await).into_owned();
    for part in [
        "Today and with the scenario",
        "<th scope=\"row\">Municipalities meeting the 45-minute norm</th><td class=\"num\">1 of 4</td><td class=\"num\">2 of 4</td>",
        "New: Huis Zeewaard (kleinschalig verblijf, 4 places) in Zeewaard",
        "Flag cleared: no suitable facility in the region",
    ] {
        assert!(html.contains(part), "{part}: {html}");
    }
    let resp = atest::call_service(
        &app,
        get(&format!(
            "/api/v1/scenarios/{id}/report?region=JZ93&format=pdf"
        )),
    )
    .await;
    assert_eq!(resp.status(), 200);
    assert!(atest::read_body(resp).await.starts_with(b"%PDF-"));
    // A saved scenario answers the question asked (the map page's controls), not only the
    // one it was saved with.
    let resp = atest::call_service(
        &app,
        get(&format!(
            "/api/v1/scenarios/{id}/coverage?format=json&minutes=30"
        )),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let v: serde_json::Value = serde_json::from_slice(&atest::read_body(resp).await).expect("json");
    assert_eq!(v["need"]["limit_minutes"], 30.0, "{}", v["need"]);
    let resp = atest::call_service(
        &app,
        get(&format!("/api/v1/scenarios/{id}/regions?minutes=500")),
    )
    .await;
    assert_eq!(resp.status(), 400);
    let resp = atest::call_service(
        &app,
        get(&format!("/api/v1/scenarios/{id2}/diff?against={id}")),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let v: serde_json::Value = serde_json::from_slice(&atest::read_body(resp).await).expect("json");
    assert_eq!(v["diff"], cmp["diff"], "the API and the CLI compare alike");
    for (uri, status, parameter) in [
        (
            format!("/api/v1/scenarios/{id2}/diff?against=0123456789abcdef"),
            404,
            "against",
        ),
        (format!("/api/v1/scenarios/{id}/report"), 400, "region"),
        (
            format!("/api/v1/scenarios/{id}/report?region=JZ93&minutes=30"),
            400,
            "minutes",
        ),
        (
            "/api/v1/scenarios/0123456789abcdef/report?region=JZ93".to_string(),
            404,
            "id",
        ),
    ] {
        let resp = atest::call_service(&app, get(&uri)).await;
        assert_eq!(resp.status(), status, "{uri}");
        let v: serde_json::Value =
            serde_json::from_slice(&atest::read_body(resp).await).expect("problem");
        assert_eq!(v["parameter"], parameter, "{uri}: {v}");
    }
}
