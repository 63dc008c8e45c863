//! Golden files: the demo's answers, byte for byte. They protect every refactor: a change
//! in any output shows up here. To regenerate them on purpose (and then review the diff):
//!
//! ```sh
//! NABIJ_BLESS=1 cargo test --release --test golden
//! ```

mod common;

use std::path::PathBuf;

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// Compares `got` with the committed golden file, or rewrites it under `NABIJ_BLESS=1`.
fn check(name: &str, got: &str) {
    let path = golden_dir().join(name);
    if std::env::var_os("NABIJ_BLESS").is_some() {
        std::fs::write(&path, got).expect("write golden file");
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (NABIJ_BLESS=1 writes it)", path.display()));
    if want != got {
        // The first differing character, with a little context (lines can be long).
        let at = want
            .char_indices()
            .zip(got.chars())
            .find(|((_, a), b)| a != b)
            .map(|((i, _), _)| i)
            .unwrap_or(want.len().min(got.len()));
        let window = |s: &str| {
            s.char_indices()
                .filter(|(i, _)| *i + 80 >= at && *i < at + 80)
                .map(|(_, c)| c)
                .collect::<String>()
        };
        let line = want[..at].matches('\n').count() + 1;
        panic!(
            "{name} differs from the golden file at line {line}:\n  golden: …{}…\n  now:    …{}…\n\
             If the change is on purpose: NABIJ_BLESS=1 cargo test --release --test golden",
            window(&want),
            window(got)
        );
    }
}

#[test]
fn demo_coverage_in_every_format() {
    for (format, file) in [
        ("geojson", "coverage.geojson"),
        ("csv", "coverage.csv"),
        ("json", "coverage.json"),
        ("text", "coverage.txt"),
    ] {
        let (ok, out, err) = common::nabij(&["--quiet", "coverage", "--demo", "--format", format]);
        assert!(ok, "{format}: {err}");
        check(file, &out);
    }
}

#[test]
fn demo_regions_in_every_grouping() {
    for (grouping, file) in [
        ("jeugdregio", "regions_jeugdregio.json"),
        ("zorggebied", "regions_zorggebied.json"),
    ] {
        let (ok, out, err) = common::nabij(&[
            "--quiet",
            "regions",
            "--demo",
            "--grouping",
            grouping,
            "--format",
            "json",
        ]);
        assert!(ok, "{grouping}: {err}");
        check(file, &out);
    }
}
