//! Property tests of the readers: whatever bytes a file holds, reading it returns a value or
//! a clear error, never a panic. CI runs a few hundred cases per reader; for longer runs:
//! `PROPTEST_CASES=100000 cargo test --release --test readers_fuzz` (scripts/fuzz_readers.sh).

mod common;

use proptest::prelude::*;

/// Bytes that look like a facilities CSV: the header, then rows mixing numbers, text and
/// junk, so that the cases reach past the header parser.
fn csv_like() -> impl Strategy<Value = Vec<u8>> {
    let cell = prop_oneof![
        "-?[0-9]{1,3}(\\.[0-9]{0,8})?",
        "[a-zA-Z_ ]{0,12}",
        Just(String::new()),
        "\\PC{0,6}",
    ];
    let row = prop::collection::vec(cell, 0..8).prop_map(|c| c.join(","));
    (
        prop_oneof![
            Just("id,name,type,lon,lat,places,min_age,max_age,status,opening_date".to_string()),
            Just("id;name;type;lon;lat".to_string()),
            "\\PC{0,40}",
        ],
        prop::collection::vec(row, 0..12),
    )
        .prop_map(|(h, rows)| format!("{h}\n{}", rows.join("\n")).into_bytes())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(200)
    ))]

    #[test]
    fn the_facilities_reader_never_panics(bytes in prop_oneof![csv_like(), prop::collection::vec(any::<u8>(), 0..300)]) {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("f.csv");
        std::fs::write(&p, &bytes).expect("write");
        let _ = nabij::analysis::inputs::read_facilities(&p);
        let g = dir.path().join("f.geojson");
        std::fs::write(&g, &bytes).expect("write");
        let _ = nabij::analysis::inputs::read_facilities(&g);
    }

    #[test]
    fn the_municipalities_reader_never_panics(
        bytes in prop::collection::vec(any::<u8>(), 0..300),
        coords in prop::collection::vec((-1e6f64..1e6, -1e6f64..1e6), 0..8),
    ) {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("m.geojson");
        std::fs::write(&p, &bytes).expect("write");
        let _ = nabij::analysis::inputs::read_municipalities(&p, &Default::default());
        // A well-formed collection with arbitrary (often invalid) rings.
        let ring: Vec<[f64; 2]> = coords.iter().map(|c| [c.0, c.1]).collect();
        let fc = serde_json::json!({"type": "FeatureCollection", "features": [{"type": "Feature",
            "properties": {"gemeentecode": "GM1", "gemeentenaam": "X"},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}]});
        std::fs::write(&p, fc.to_string()).expect("write");
        let _ = nabij::analysis::inputs::read_municipalities(&p, &Default::default());
    }

    #[test]
    fn the_grouping_and_demand_readers_never_panic(bytes in csv_like()) {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("g.csv");
        std::fs::write(&p, &bytes).expect("write");
        let _ = nabij::analysis::inputs::read_grouping(&p);
        let _ = nabij::analysis::inputs::read_points(&p);
        let _ = nabij::analysis::inputs::read_population(&p, "weight");
        let gj = dir.path().join("g.geojson");
        std::fs::write(&gj, &bytes).expect("write");
        let _ = nabij::analysis::inputs::read_population(&gj, "weight");
    }

    #[test]
    fn the_graph_reader_never_panics_on_damaged_files(
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let bytes = graph_bytes();
        let mut damaged = bytes.to_vec();
        for (i, b) in &flips {
            let k = i.index(damaged.len());
            damaged[k] ^= b | 1;
        }
        let _ = nabij::graph::file::decode_graph(&damaged, std::path::Path::new("damaged.nbg"));
        let short = &bytes[..cut.index(bytes.len())];
        prop_assert!(nabij::graph::file::decode_graph(short, std::path::Path::new("short.nbg")).is_err());
    }
}

/// The Malta graph file's bytes, built once.
fn graph_bytes() -> &'static [u8] {
    static BYTES: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BYTES.get_or_init(|| {
        let g = common::build(common::MALTA);
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("malta.nbg");
        let out = nabij::graph::file::AtomicFile::create(&p).expect("create");
        nabij::graph::file::write_graph(&g, out, &p).expect("write");
        std::fs::read(&p).expect("read")
    })
}
