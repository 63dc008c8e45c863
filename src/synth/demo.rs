//! The bundled demo: "Nabijland", a fictional region of 20 municipalities in 3 youth-care
//! regions, with a synthetic road network, populations and facilities of all three kinds.
//!
//! It lies in the North Sea west of Noord-Holland on purpose: on any base map its roads sit
//! on water, so nobody takes it for real data. Codes use the unassigned CBS ranges GM9xxx
//! and JZ9x. Everything is deterministic; `nabij demo --out data/demo` rewrites the
//! committed files byte for byte (a test checks this).
//!
//! What it is built to show:
//! - region West (JZ91) is well served: facilities of every kind;
//! - region Midden (JZ92) has a kleinschalig verblijf but its JeugdzorgPlus is planned only;
//! - region Oost (JZ93) has no facility at all: the unfair spread, with its far
//!   municipalities beyond 45 minutes;
//! - Zeewaard (GM9020) is an island reached only by a car ferry;
//! - Leegwater (GM9015) has no roads at all, so it cannot be reached.

use std::fmt::Write as _;
use std::path::Path;

use super::{SynthConfig, SynthError, TownSpec, generate};
use crate::graph::file::AtomicFile;
use crate::rng::SplitMix64;

const COLS: usize = 5;
const ROWS: usize = 4;
const BBOX: [f64; 4] = [2.2, 52.1, 3.7, 52.95];

const NAMES: [&str; 20] = [
    "Aldewolde",
    "Brakeloo",
    "Cromvoort",
    "Dijkhoorn",
    "Eemsterland",
    "Frijlingen",
    "Gaasterveen",
    "Holtmaar",
    "IJsselwaard",
    "Jonkersdam",
    "Kampervelde",
    "Lindenhoeve",
    "Moerkerken",
    "Noorderzand",
    "Leegwater",
    "Ommelanden",
    "Peelhorst",
    "Querendonk",
    "Rietbroek",
    "Zeewaard",
];

/// Region of a grid column: West = columns 0-1, Midden = 2-3, Oost = 4.
fn region(col: usize) -> (&'static str, &'static str) {
    match col {
        0 | 1 => ("JZ91", "Nabij-West"),
        2 | 3 => ("JZ92", "Nabij-Midden"),
        _ => ("JZ93", "Nabij-Oost"),
    }
}

/// Zorggebied (a custom grouping, as planners use for JeugdzorgPlus): rows 0-1 North, 2-3 South.
fn zorggebied(row: usize) -> &'static str {
    if row < 2 { "Nabij-Noord" } else { "Nabij-Zuid" }
}

struct Municipality {
    code: String,
    name: &'static str,
    ring: Vec<(f64, f64)>,
    centre: (f64, f64),
    population: u64,
    col: usize,
    row: usize,
}

fn municipalities() -> Vec<Municipality> {
    let mut rng = SplitMix64::new(2026);
    let [w, s, e, n] = BBOX;
    let dx = (e - w) / COLS as f64;
    let dy = (n - s) / ROWS as f64;
    // Shared corner grid, jittered inside (borders straight).
    let mut corner = vec![vec![(0.0, 0.0); COLS + 1]; ROWS + 1];
    for (j, row) in corner.iter_mut().enumerate() {
        for (i, c) in row.iter_mut().enumerate() {
            let jx = if i == 0 || i == COLS {
                0.0
            } else {
                rng.range(-0.18, 0.18) * dx
            };
            let jy = if j == 0 || j == ROWS {
                0.0
            } else {
                rng.range(-0.18, 0.18) * dy
            };
            *c = (w + i as f64 * dx + jx, n - j as f64 * dy + jy);
        }
    }
    let mut out = Vec::new();
    for row in 0..ROWS {
        for col in 0..COLS {
            let k = row * COLS + col;
            let (a, b) = (corner[row][col], corner[row][col + 1]);
            let (c, d) = (corner[row + 1][col + 1], corner[row + 1][col]);
            // Counter-clockwise exterior ring (RFC 7946): bottom-left, bottom-right, top-right, top-left.
            let ring = vec![d, c, b, a, d];
            let centre = ((a.0 + b.0 + c.0 + d.0) / 4.0, (a.1 + b.1 + c.1 + d.1) / 4.0);
            let population = 8_000 + rng.below(60_000) + if k == 6 { 120_000 } else { 0 };
            out.push(Municipality {
                code: format!("GM90{:02}", k + 1),
                name: NAMES[k],
                ring,
                centre,
                population,
                col,
                row,
            });
        }
    }
    out
}

/// `(id, name, type, municipality index, places, free, min_age, max_age, group, staff, secure, status)`
type FacilityRow = (
    &'static str,
    &'static str,
    &'static str,
    usize,
    u32,
    u32,
    u32,
    u32,
    u32,
    f64,
    bool,
    &'static str,
);

const FACILITIES: [FacilityRow; 12] = [
    (
        "NB-01",
        "Huize Aldewolde",
        "kleinschalig_verblijf",
        0,
        4,
        1,
        8,
        18,
        4,
        0.25,
        false,
        "active",
    ),
    (
        "NB-02",
        "De Brakeloo Kamers",
        "kleinschalig_verblijf",
        1,
        6,
        2,
        12,
        23,
        6,
        0.25,
        false,
        "active",
    ),
    (
        "NB-03",
        "Frijlingen Plus",
        "jeugdzorgplus",
        5,
        6,
        1,
        12,
        18,
        6,
        0.33,
        true,
        "active",
    ),
    (
        "NB-04",
        "Frijlingen Verblijf",
        "kleinschalig_verblijf",
        5,
        4,
        0,
        8,
        16,
        4,
        0.25,
        false,
        "active",
    ),
    (
        "NB-05",
        "KVJJ West",
        "kvjj",
        6,
        8,
        3,
        12,
        23,
        8,
        0.33,
        true,
        "active",
    ),
    (
        "NB-06",
        "Kampervelde Huis",
        "kleinschalig_verblijf",
        10,
        5,
        2,
        8,
        18,
        5,
        0.25,
        false,
        "active",
    ),
    (
        "NB-07",
        "Ommelanden Jongerenhuis",
        "kleinschalig_verblijf",
        15,
        4,
        1,
        16,
        23,
        4,
        0.25,
        false,
        "active",
    ),
    (
        "NB-08",
        "Cromvoort Plus (gepland)",
        "jeugdzorgplus",
        2,
        6,
        6,
        12,
        18,
        6,
        0.33,
        true,
        "planned",
    ),
    (
        "NB-09",
        "Gaasterveen Kamers",
        "kleinschalig_verblijf",
        6,
        6,
        1,
        12,
        18,
        6,
        0.25,
        false,
        "active",
    ),
    (
        "NB-10",
        "Lindenhoeve Verblijf",
        "kleinschalig_verblijf",
        11,
        4,
        1,
        8,
        18,
        4,
        0.25,
        false,
        "active",
    ),
    (
        "NB-11",
        "Oud Instituut Dijkhoorn",
        "jeugdzorgplus",
        3,
        24,
        4,
        12,
        18,
        12,
        0.2,
        true,
        "closed",
    ),
    (
        "NB-12",
        "IJsselwaard Verblijf",
        "kleinschalig_verblijf",
        8,
        6,
        0,
        12,
        23,
        6,
        0.25,
        false,
        "active",
    ),
];

/// Writes the demo files into `dir`: `municipalities.geojson`, `facilities.csv`,
/// `zorggebieden.csv` and `nabijland.osm.pbf`.
pub fn write_demo(dir: &Path) -> Result<(), SynthError> {
    let werr = |path: &Path| {
        let path = path.to_path_buf();
        move |source| SynthError::Write { path, source }
    };
    std::fs::create_dir_all(dir).map_err(werr(dir))?;
    let ms = municipalities();

    // Municipalities as GeoJSON (RFC 7946), with CBS-style properties.
    let mut features = Vec::new();
    for m in &ms {
        let (rc, rn) = region(m.col);
        let ring: Vec<Vec<f64>> = m
            .ring
            .iter()
            .map(|&(x, y)| vec![(x * 1e5).round() / 1e5, (y * 1e5).round() / 1e5])
            .collect();
        features.push(serde_json::json!({
            "type": "Feature",
            "properties": {
                "gemeentecode": m.code,
                "gemeentenaam": m.name,
                "provincie": "Nabijland",
                "jeugdregio_code": rc,
                "jeugdregio_naam": rn,
                "inwoners_2024": m.population,
                "est_0_22": (m.population as f64 * 0.24).round() as u64,
            },
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }));
    }
    let fc = serde_json::json!({
        "type": "FeatureCollection",
        "name": "nabijland_gemeenten (SYNTHETIC demo data)",
        "features": features,
    });
    let text = serde_json::to_string_pretty(&fc).map_err(|e| SynthError::Invalid(e.to_string()))?;
    let path = dir.join("municipalities.geojson");
    AtomicFile::write_all(&path, format!("{text}\n").as_bytes()).map_err(werr(&path))?;

    // Facilities.
    let mut csv = String::from(
        "id,name,type,lon,lat,places,free_places,min_age,max_age,group_size,staff_ratio,secure,status,municipality\n",
    );
    for (i, f) in FACILITIES.iter().enumerate() {
        let m = &ms[f.3];
        // A little off the town centre, deterministic.
        let lon = m.centre.0 + 0.004 * ((i % 3) as f64 - 1.0);
        let lat = m.centre.1 + 0.003 * ((i % 2) as f64 - 0.5);
        let _ = writeln!(
            csv,
            "{},{},{},{:.5},{:.5},{},{},{},{},{},{},{},{},{}",
            f.0,
            f.1,
            f.2,
            lon,
            lat,
            f.4,
            f.5,
            f.6,
            f.7,
            f.8,
            f.9,
            if f.10 { "yes" } else { "no" },
            f.11,
            m.code
        );
    }
    let path = dir.join("facilities.csv");
    AtomicFile::write_all(&path, csv.as_bytes()).map_err(werr(&path))?;

    // A custom grouping.
    let mut groups = String::from("gemeentecode,zorggebied\n");
    for m in &ms {
        let _ = writeln!(groups, "{},{}", m.code, zorggebied(m.row));
    }
    let path = dir.join("zorggebieden.csv");
    AtomicFile::write_all(&path, groups.as_bytes()).map_err(werr(&path))?;

    // Roads: one town per municipality except Leegwater; Zeewaard is an island.
    let towns: Vec<TownSpec> = ms
        .iter()
        .filter(|m| m.code != "GM9015")
        .map(|m| TownSpec {
            name: m.name.to_string(),
            lon: m.centre.0,
            lat: m.centre.1,
            weight: m.population as f64,
            island: m.code == "GM9020",
        })
        .collect();
    let cfg = SynthConfig {
        seed: 2026,
        bbox: BBOX,
        towns: Some(towns),
        target_way_nodes: 150_000,
        island: false,
        streets: super::StreetPattern::Grid,
    };
    generate(&cfg, &dir.join("nabijland.osm.pbf"))?;
    Ok(())
}
