//! Synthetic road networks, written as real `.osm.pbf` files.
//!
//! No Dutch road network larger than a neighbourhood is available offline, so national-scale
//! measurements and the bundled demo run on networks generated here. They have the structure
//! that matters for routing cost: towns with residential grids (oneways, living streets,
//! bollards, private service roads), arterials between towns with varied `maxspeed` tags, dual
//! carriageway motorways with `*_link` ramps between the largest towns, and islands reached
//! only by a car ferry. Every result computed on them must be labelled as synthetic; the
//! file's `writingprogram` is [`WRITING_PROGRAM`], which `nabij build` records in the graph.
//!
//! Generation is deterministic for a given configuration and seed ([`SplitMix64`]).

pub mod demo;
pub mod pbf;
mod town;

use std::io::BufWriter;
use std::path::{Path, PathBuf};

use crate::graph::file::AtomicFile;
use crate::rng::SplitMix64;
use pbf::PbfWriter;

/// The PBF `writingprogram` of generated files; graphs built from them are labelled synthetic.
pub use crate::ingest::SYNTHETIC_WRITING_PROGRAM as WRITING_PROGRAM;

/// Errors of the generator.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid generator settings: {0}")]
    Invalid(String),
}

/// A town to place: its centre and a weight (e.g. population) that sets its size.
#[derive(Debug, Clone, PartialEq)]
pub struct TownSpec {
    pub name: String,
    pub lon: f64,
    pub lat: f64,
    pub weight: f64,
    /// Reached only by a car ferry from the nearest other town.
    pub island: bool,
}

/// Generator settings.
#[derive(Debug, Clone)]
pub struct SynthConfig {
    pub seed: u64,
    /// `[min_lon, min_lat, max_lon, max_lat]` of the area (random towns are placed inside).
    pub bbox: [f64; 4],
    /// Towns to build; `None` places random towns in `bbox`.
    pub towns: Option<Vec<TownSpec>>,
    /// About how many way-node references the file should have in all.
    pub target_way_nodes: u64,
    /// With random towns: make the town nearest the south-east corner an island.
    pub island: bool,
    /// How residential streets are laid out inside towns.
    pub streets: StreetPattern,
}

pub use town::StreetPattern;

/// What was generated.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SynthReport {
    pub towns: usize,
    pub nodes: u64,
    pub ways: u64,
    pub way_nodes: u64,
    pub ferries: u64,
    pub motorway_km: f64,
    pub bbox: [f64; 4],
}

type Tags = Vec<(&'static str, String)>;

struct Net {
    origin: (f64, f64),
    /// Node positions in metres east/north of `origin`.
    xy: Vec<(f64, f64)>,
    node_tags: Vec<(usize, Tags)>,
    ways: Vec<(Vec<u32>, Tags)>,
    rng: SplitMix64,
}

const M_PER_DEG_LAT: f64 = 110_540.0;

impl Net {
    fn m_per_deg_lon(&self) -> f64 {
        111_320.0 * self.origin.1.to_radians().cos()
    }
    fn to_xy(&self, lon: f64, lat: f64) -> (f64, f64) {
        (
            (lon - self.origin.0) * self.m_per_deg_lon(),
            (lat - self.origin.1) * M_PER_DEG_LAT,
        )
    }
    fn to_lonlat(&self, x: f64, y: f64) -> (f64, f64) {
        (
            self.origin.0 + x / self.m_per_deg_lon(),
            self.origin.1 + y / M_PER_DEG_LAT,
        )
    }
    fn node(&mut self, x: f64, y: f64) -> u32 {
        self.xy.push((x, y));
        self.xy.len() as u32 - 1
    }
    fn way(&mut self, refs: Vec<u32>, tags: Tags) {
        if refs.len() >= 2 {
            self.ways.push((refs, tags));
        }
    }
    /// A chain of new nodes from `a` to `b` (exclusive), about every `step_m`, bent sideways
    /// by up to `bend_m` so roads are not ruler-straight.
    fn chain(&mut self, a: u32, b: u32, step_m: f64, bend_m: f64) -> Vec<u32> {
        let (ax, ay) = self.xy[a as usize];
        let (bx, by) = self.xy[b as usize];
        let len = ((bx - ax).powi(2) + (by - ay).powi(2)).sqrt();
        let k = (len / step_m).floor() as usize;
        let (nx, ny) = if len > 0.0 {
            (-(by - ay) / len, (bx - ax) / len)
        } else {
            (0.0, 0.0)
        };
        let phase = self.rng.range(0.0, std::f64::consts::PI);
        let mut out = Vec::with_capacity(k);
        for i in 1..k {
            let t = i as f64 / k as f64;
            let off = bend_m
                * (std::f64::consts::PI * t + phase).sin()
                * (std::f64::consts::PI * t).sin();
            let id = self.node(ax + (bx - ax) * t + nx * off, ay + (by - ay) * t + ny * off);
            out.push(id);
        }
        out
    }
}

struct Town {
    centre: (f64, f64),
    grid: usize,
    /// Intersection ids, row-major, `(grid + 1)^2`.
    nodes: Vec<u32>,
    island: bool,
    weight: f64,
}

impl Town {
    fn boundary_nearest(&self, net: &Net, to: (f64, f64)) -> u32 {
        let g = self.grid + 1;
        let mut best = (f64::INFINITY, self.nodes[0]);
        for j in 0..g {
            for i in 0..g {
                if i != 0 && j != 0 && i != g - 1 && j != g - 1 {
                    continue;
                }
                let id = self.nodes[j * g + i];
                let (x, y) = net.xy[id as usize];
                let d = (x - to.0).powi(2) + (y - to.1).powi(2);
                if d < best.0 {
                    best = (d, id);
                }
            }
        }
        best.1
    }
}

fn pick<'a>(rng: &mut SplitMix64, options: &[&'a str]) -> &'a str {
    options[rng.below(options.len() as u64) as usize]
}

/// Prim's minimum spanning tree over points; returns index pairs.
fn spanning_tree(points: &[(f64, f64)]) -> Vec<(usize, usize)> {
    let n = points.len();
    if n < 2 {
        return Vec::new();
    }
    let d = |a: usize, b: usize| (points[a].0 - points[b].0).hypot(points[a].1 - points[b].1);
    let mut in_tree = vec![false; n];
    let mut best = vec![(f64::INFINITY, 0usize); n];
    in_tree[0] = true;
    for (v, b) in best.iter_mut().enumerate().skip(1) {
        *b = (d(0, v), 0);
    }
    let mut out = Vec::new();
    for _ in 1..n {
        let Some(v) = (0..n)
            .filter(|&v| !in_tree[v])
            .min_by(|&a, &b| best[a].0.total_cmp(&best[b].0))
        else {
            break;
        };
        in_tree[v] = true;
        out.push((best[v].1, v));
        for w in 0..n {
            if !in_tree[w] && d(v, w) < best[w].0 {
                best[w] = (d(v, w), v);
            }
        }
    }
    out
}

/// Generates a network and writes it atomically to `out`.
pub fn generate(cfg: &SynthConfig, out: &Path) -> Result<SynthReport, SynthError> {
    check_config(cfg)?;
    // The output first (its temporary file beside it), so that a path that cannot be written
    // fails before the work, and an interruption removes the temporary.
    let file = AtomicFile::create(out).map_err(|source| SynthError::Write {
        path: out.to_path_buf(),
        source,
    })?;
    let [min_lon, min_lat, max_lon, max_lat] = cfg.bbox;
    let mut net = Net {
        origin: ((min_lon + max_lon) / 2.0, (min_lat + max_lat) / 2.0),
        xy: Vec::new(),
        node_tags: Vec::new(),
        ways: Vec::new(),
        rng: SplitMix64::new(cfg.seed),
    };
    let specs = town_specs(cfg, &mut net)?;
    let (towns, heavy) = lay_out_towns(cfg, &mut net, &specs);
    let mainland: Vec<usize> = (0..towns.len()).filter(|&i| !towns[i].island).collect();
    arterials(&mut net, &towns, &mainland, heavy);
    let motorway_m = motorways(&mut net, &towns, &mainland, heavy);
    let ferries = ferries(&mut net, &towns, &mainland, &specs);
    write(&net, cfg, out, file, ferries, motorway_m, towns.len())
}

/// The box must be degrees with min < max, and the size at least 1,000 way nodes.
fn check_config(cfg: &SynthConfig) -> Result<(), SynthError> {
    let [min_lon, min_lat, max_lon, max_lat] = cfg.bbox;
    let lon_ok = |v: f64| (-180.0..=180.0).contains(&v);
    let lat_ok = |v: f64| (-85.0..=85.0).contains(&v);
    let valid = min_lon < max_lon
        && min_lat < max_lat
        && lon_ok(min_lon)
        && lon_ok(max_lon)
        && lat_ok(min_lat)
        && lat_ok(max_lat);
    if !valid {
        return Err(SynthError::Invalid(format!(
            "bbox {:?} must be min_lon,min_lat,max_lon,max_lat in degrees with min < max",
            cfg.bbox
        )));
    }
    if cfg.target_way_nodes < 1000 {
        return Err(SynthError::Invalid(
            "target_way_nodes must be at least 1000".into(),
        ));
    }
    Ok(())
}

/// The towns: given, or a jittered grid over the box with heavy-tailed sizes (the one
/// nearest the south-east corner an island when asked).
fn town_specs(cfg: &SynthConfig, net: &mut Net) -> Result<Vec<TownSpec>, SynthError> {
    let [min_lon, min_lat, max_lon, max_lat] = cfg.bbox;
    let specs: Vec<TownSpec> = match &cfg.towns {
        Some(t) if !t.is_empty() => t.clone(),
        Some(_) => return Err(SynthError::Invalid("the town list is empty".into())),
        None => {
            let n = ((cfg.target_way_nodes / 40_000).clamp(3, 400)) as usize;
            let cols = (n as f64).sqrt().ceil() as usize;
            let rows = n.div_ceil(cols);
            let mut v = Vec::with_capacity(n);
            for i in 0..n {
                let (c, r) = (i % cols, i / cols);
                let lon = min_lon
                    + (max_lon - min_lon) * (c as f64 + net.rng.range(0.3, 0.7)) / cols as f64;
                let lat = min_lat
                    + (max_lat - min_lat) * (r as f64 + net.rng.range(0.3, 0.7)) / rows as f64;
                // Town sizes follow a heavy-tailed distribution, as real ones do.
                let weight = 1.0 / net.rng.range(0.05, 1.0);
                v.push(TownSpec {
                    name: format!("Town {i}"),
                    lon,
                    lat,
                    weight,
                    island: false,
                });
            }
            if cfg.island && n >= 3 {
                let corner = (max_lon, min_lat);
                if let Some(k) = (0..n).min_by(|&a, &b| {
                    let da = (v[a].lon - corner.0).powi(2) + (v[a].lat - corner.1).powi(2);
                    let db = (v[b].lon - corner.0).powi(2) + (v[b].lat - corner.1).powi(2);
                    da.total_cmp(&db)
                }) {
                    v[k].island = true;
                }
            }
            v
        }
    };
    for t in &specs {
        if !(t.weight.is_finite() && t.weight > 0.0 && t.lon.is_finite() && t.lat.is_finite()) {
            return Err(SynthError::Invalid(format!(
                "town {:?} has a bad position or weight",
                t.name
            )));
        }
    }
    Ok(specs)
}

/// Every town's streets, sized by its weight (way nodes are about 3 per intersection,
/// shared out by sqrt(weight)) and kept inside 40% of the distance to its nearest neighbour;
/// with the weight above which a town is a city.
fn lay_out_towns(cfg: &SynthConfig, net: &mut Net, specs: &[TownSpec]) -> (Vec<Town>, f64) {
    let [min_lon, min_lat, max_lon, max_lat] = cfg.bbox;
    let (w_m, h_m) = {
        let a = net.to_xy(min_lon, min_lat);
        let b = net.to_xy(max_lon, max_lat);
        (b.0 - a.0, b.1 - a.1)
    };
    let centres: Vec<(f64, f64)> = specs.iter().map(|t| net.to_xy(t.lon, t.lat)).collect();
    let total_w: f64 = specs.iter().map(|t| t.weight.sqrt()).sum();
    let budget_intersections = cfg.target_way_nodes as f64 / 3.4;
    let heavy = {
        let mut w: Vec<f64> = specs.iter().map(|t| t.weight).collect();
        w.sort_by(|a, b| b.total_cmp(a));
        w.get((w.len() / 7).max(1).min(w.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0.0)
    };
    let mut towns: Vec<Town> = Vec::with_capacity(specs.len());
    for (i, t) in specs.iter().enumerate() {
        let share = t.weight.sqrt() / total_w;
        let grid = ((budget_intersections * share).sqrt().round() as usize).clamp(2, 2000);
        let nn = centres
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != i)
            .map(|(_, c)| (c.0 - centres[i].0).hypot(c.1 - centres[i].1))
            .fold(f64::INFINITY, f64::min);
        let room = if nn.is_finite() {
            nn * 0.8
        } else {
            w_m.min(h_m) * 0.8
        };
        let spacing = (room / grid as f64).clamp(25.0, 100.0);
        let nodes = town::build_town(
            net,
            centres[i],
            grid,
            spacing,
            t.weight >= heavy,
            cfg.streets,
        );
        towns.push(Town {
            centre: centres[i],
            grid,
            nodes,
            island: t.island,
            weight: t.weight,
        });
    }
    (towns, heavy)
}

/// Arterials: a spanning tree over the mainland towns plus links to each one's 2 nearest
/// neighbours; primary between cities, else secondary, split into ways as mappers do.
fn arterials(net: &mut Net, towns: &[Town], mainland: &[usize], heavy: f64) {
    let pts: Vec<(f64, f64)> = mainland.iter().map(|&i| towns[i].centre).collect();
    let mut pairs: Vec<(usize, usize)> = spanning_tree(&pts)
        .into_iter()
        .map(|(a, b)| (mainland[a], mainland[b]))
        .collect();
    for (k, &i) in mainland.iter().enumerate() {
        let mut near: Vec<(f64, usize)> = mainland
            .iter()
            .enumerate()
            .filter(|&(l, _)| l != k)
            .map(|(_, &j)| {
                (
                    (towns[i].centre.0 - towns[j].centre.0)
                        .hypot(towns[i].centre.1 - towns[j].centre.1),
                    j,
                )
            })
            .collect();
        near.sort_by(|a, b| a.0.total_cmp(&b.0));
        for &(_, j) in near.iter().take(2) {
            pairs.push((i.min(j), i.max(j)));
        }
    }
    for p in pairs.iter_mut() {
        *p = (p.0.min(p.1), p.0.max(p.1));
    }
    pairs.sort_unstable();
    pairs.dedup();
    for &(a, b) in &pairs {
        let s = towns[a].boundary_nearest(net, towns[b].centre);
        let e = towns[b].boundary_nearest(net, towns[a].centre);
        let mid = net.chain(s, e, 220.0, 300.0);
        let big = towns[a].weight >= heavy && towns[b].weight >= heavy;
        let class = if big { "primary" } else { "secondary" };
        let ms = pick(
            &mut net.rng,
            &["80", "NL:rural", "80", "70", "80;60", "60", "none"],
        );
        let mut refs = vec![s];
        refs.extend(mid);
        refs.push(e);
        let parts = (refs.len() / 40).max(1);
        let per = refs.len().div_ceil(parts);
        let mut start = 0;
        while start + 1 < refs.len() {
            let end = (start + per).min(refs.len() - 1);
            net.way(
                refs[start..=end].to_vec(),
                vec![("highway", class.to_string()), ("maxspeed", ms.to_string())],
            );
            start = end;
        }
    }
}

/// Motorways between the cities (a spanning tree), dual carriageway with ramps; returns
/// their length in metres.
fn motorways(net: &mut Net, towns: &[Town], mainland: &[usize], heavy: f64) -> f64 {
    let cities: Vec<usize> = mainland
        .iter()
        .copied()
        .filter(|&i| towns[i].weight >= heavy)
        .collect();
    let city_pts: Vec<(f64, f64)> = cities.iter().map(|&i| towns[i].centre).collect();
    let mut motorway_m = 0.0;
    for (a, b) in spanning_tree(&city_pts) {
        let (ta, tb) = (cities[a], cities[b]);
        let (ca, cb) = (towns[ta].centre, towns[tb].centre);
        let len = (cb.0 - ca.0).hypot(cb.1 - ca.1);
        if len < 3000.0 {
            continue;
        }
        let (ux, uy) = ((cb.0 - ca.0) / len, (cb.1 - ca.1) / len);
        let (nx, ny) = (-uy, ux);
        let ra = towns[ta].grid as f64 * 70.0 + 800.0;
        let rb = towns[tb].grid as f64 * 70.0 + 800.0;
        if ra + rb + 2000.0 > len {
            continue;
        }
        // carriageway A→B on the right (offset -n), B→A on the left (+n).
        let p = |t: f64, side: f64| {
            (
                ca.0 + ux * t + nx * side * 15.0,
                ca.1 + uy * t + ny * side * 15.0,
            )
        };
        let a1 = {
            let q = p(ra, -1.0);
            net.node(q.0, q.1)
        };
        let b1 = {
            let q = p(len - rb, -1.0);
            net.node(q.0, q.1)
        };
        let b2 = {
            let q = p(len - rb, 1.0);
            net.node(q.0, q.1)
        };
        let a2 = {
            let q = p(ra, 1.0);
            net.node(q.0, q.1)
        };
        let ms = pick(&mut net.rng, &["130", "100", "NL:motorway", "120"]);
        for (s, e) in [(a1, b1), (b2, a2)] {
            let mut refs = vec![s];
            refs.extend(net.chain(s, e, 500.0, 0.0));
            refs.push(e);
            net.way(
                refs,
                vec![
                    ("highway", "motorway".to_string()),
                    ("maxspeed", ms.to_string()),
                    ("ref", "A99".to_string()),
                ],
            );
        }
        motorway_m += 2.0 * (len - ra - rb);
        // Ramps: town A boundary → a1 (on), a2 → town A (off); same at B.
        for (town, on, off) in [(ta, a1, a2), (tb, b2, b1)] {
            ramps(net, &towns[town], on, off);
        }
    }
    motorway_m
}

/// A motorway junction's two ramps: from the town's boundary onto the motorway at `on`, and
/// off it at `off` back to the same point.
fn ramps(net: &mut Net, town: &Town, on: u32, off: u32) {
    let join = town.boundary_nearest(net, net.xy[on as usize]);
    let mut r_on = vec![join];
    r_on.extend(net.chain(join, on, 150.0, 40.0));
    r_on.push(on);
    net.way(r_on, vec![("highway", "motorway_link".to_string())]);
    let mut r_off = vec![off];
    r_off.extend(net.chain(off, join, 150.0, 40.0));
    r_off.push(join);
    net.way(
        r_off,
        vec![
            ("highway", "motorway_link".to_string()),
            ("maxspeed", "70".to_string()),
        ],
    );
}

/// Islands: a car ferry to the nearest mainland town; returns how many.
fn ferries(net: &mut Net, towns: &[Town], mainland: &[usize], specs: &[TownSpec]) -> u64 {
    let mut ferries = 0u64;
    for i in 0..towns.len() {
        if !towns[i].island {
            continue;
        }
        let Some(&j) = mainland.iter().min_by(|&&a, &&b| {
            let da = (towns[a].centre.0 - towns[i].centre.0)
                .hypot(towns[a].centre.1 - towns[i].centre.1);
            let db = (towns[b].centre.0 - towns[i].centre.0)
                .hypot(towns[b].centre.1 - towns[i].centre.1);
            da.total_cmp(&db)
        }) else {
            continue;
        };
        let s = towns[j].boundary_nearest(net, towns[i].centre);
        let e = towns[i].boundary_nearest(net, towns[j].centre);
        let (sx, sy) = net.xy[s as usize];
        let (ex, ey) = net.xy[e as usize];
        let dist = (ex - sx).hypot(ey - sy);
        let minutes = (dist / 1000.0 / 20.0 * 60.0).round().max(5.0) as u32;
        let mut refs = vec![s];
        refs.extend(net.chain(s, e, 1000.0, 200.0));
        refs.push(e);
        net.way(
            refs,
            vec![
                ("route", "ferry".to_string()),
                ("motor_vehicle", "yes".to_string()),
                (
                    "duration",
                    format!("{:02}:{:02}", minutes / 60, minutes % 60),
                ),
                ("name", format!("Veerdienst {}", specs[i].name)),
            ],
        );
        ferries += 1;
    }
    ferries
}

fn write(
    net: &Net,
    _cfg: &SynthConfig,
    out: &Path,
    mut file: AtomicFile,
    ferries: u64,
    motorway_m: f64,
    towns: usize,
) -> Result<SynthReport, SynthError> {
    let werr = |source| SynthError::Write {
        path: out.to_path_buf(),
        source,
    };
    let coords: Vec<(i32, i32)> = net
        .xy
        .iter()
        .map(|&(x, y)| {
            let (lon, lat) = net.to_lonlat(x, y);
            ((lat * 1e7).round() as i32, (lon * 1e7).round() as i32)
        })
        .collect();
    let mut bbox = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for &(lat, lon) in &coords {
        let (lon, lat) = (lon as f64 * 1e-7, lat as f64 * 1e-7);
        bbox = [
            bbox[0].min(lon),
            bbox[1].min(lat),
            bbox[2].max(lon),
            bbox[3].max(lat),
        ];
    }
    let mut way_nodes = 0u64;
    {
        let mut w = PbfWriter::new(
            BufWriter::with_capacity(1 << 20, file.file()),
            bbox,
            WRITING_PROGRAM,
        )
        .map_err(werr)?;
        let mut tag_iter = net.node_tags.iter().peekable();
        for (i, &(lat, lon)) in coords.iter().enumerate() {
            let mut tags: Vec<(&str, &str)> = Vec::new();
            while let Some((idx, t)) = tag_iter.peek() {
                if *idx != i {
                    break;
                }
                tags.extend(t.iter().map(|(k, v)| (*k, v.as_str())));
                tag_iter.next();
            }
            w.node(i as i64 + 1, lat, lon, &tags).map_err(werr)?;
        }
        for (wi, (refs, tags)) in net.ways.iter().enumerate() {
            let ids: Vec<i64> = refs.iter().map(|&r| r as i64 + 1).collect();
            way_nodes += ids.len() as u64;
            let t: Vec<(&str, &str)> = tags.iter().map(|(k, v)| (*k, v.as_str())).collect();
            w.way(wi as i64 + 1, &ids, &t).map_err(werr)?;
        }
        w.finish().map_err(werr)?;
    }
    file.commit().map_err(werr)?;
    Ok(SynthReport {
        towns,
        nodes: coords.len() as u64,
        ways: net.ways.len() as u64,
        way_nodes,
        ferries,
        motorway_km: (motorway_m / 10.0).round() / 100.0,
        bbox,
    })
}
