//! The layer order of docs/ARCHITECTURE.md, enforced: ingest → graph → spatial → routing →
//! analysis → (store, document) → app → api / cli, with base modules (units, geodesy, rng, prefetch, progress, cancel, limits)
//! usable everywhere. A module may use only modules of lower layers; spatial, routing and
//! analysis do not reach back to ingest (they get what they need through graph); the HTTP
//! layer uses only the application core.

use std::collections::BTreeMap;
use std::path::Path;

fn rank(module: &str) -> Option<u32> {
    Some(match module {
        "units" | "geodesy" | "rng" | "prefetch" | "progress" | "cancel" | "limits" => 0,
        "ingest" => 1,
        "graph" => 2,
        "pipeline" | "synth" => 3,
        "spatial" => 4,
        "routing" => 5,
        "analysis" => 6,
        "store" | "document" => 7,
        "app" => 8,
        "api" => 9,
        "cli" => 10,
        _ => return None,
    })
}

/// Every `crate::<module>` a file names, outside comments.
fn uses(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            let tail = &rest[i + 7..];
            let name: String = tail
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            out.push(name);
            rest = tail;
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).expect("src is readable").flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn no_module_imports_a_higher_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    let mut violations: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in files {
        let rel = f.strip_prefix(&src).expect("under src");
        let first = rel.components().next().expect("a component");
        let module = first
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if module == "lib" || module == "main" {
            continue;
        }
        let own = rank(&module).unwrap_or_else(|| panic!("{module} has no layer in this test"));
        let text = std::fs::read_to_string(&f).expect("readable");
        for used in uses(&text) {
            if used == module {
                continue;
            }
            let Some(r) = rank(&used) else { continue };
            let upward = r >= own && r > 0;
            let back_to_ingest =
                used == "ingest" && ["spatial", "routing", "analysis"].contains(&module.as_str());
            let api_below_app = module == "api" && r > 0 && used != "app";
            if upward || back_to_ingest || api_below_app {
                violations
                    .entry(rel.display().to_string())
                    .or_default()
                    .push(used);
            }
        }
    }
    assert!(
        violations.is_empty(),
        "imports against the layer order: {violations:#?}"
    );
}

#[test]
fn the_check_sees_a_violation() {
    assert_eq!(
        uses("use crate::cli::Cli; // crate::api in a comment"),
        vec!["cli".to_string()]
    );
}
