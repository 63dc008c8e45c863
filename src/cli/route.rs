//! `nabij time`, `nabij matrix`, `nabij isochrone`: checking single answers by hand.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use serde_json::json;

use super::CliError;
use crate::graph::file::{AtomicFile, read_graph};
use crate::routing::{Direction, Engine, Workspace};
use crate::spatial::SnapOptions;

pub use crate::spatial::parse_lonlat;

/// Where the bundled demo lives, relative to the repository root.
pub const DEMO_DIR: &str = "data/demo";

#[derive(Debug, Args)]
pub struct GraphArgs {
    /// The road graph (.nbg) from `nabij build`.
    #[arg(long, required_unless_present = "demo")]
    pub graph: Option<PathBuf>,
    /// Use the bundled demo region (data/demo): its road graph is built in memory, and its
    /// municipalities and facilities are used where a command needs them.
    #[arg(long, conflicts_with = "graph")]
    pub demo: bool,
    /// Points farther than this from a drivable road are unsnappable.
    #[arg(long, default_value_t = 1000.0)]
    pub max_snap_m: f64,
}

impl GraphArgs {
    pub fn engine(&self) -> Result<Engine, CliError> {
        if !(self.max_snap_m.is_finite() && self.max_snap_m > 0.0) {
            return Err(CliError::Usage(format!(
                "--max-snap-m {} must be a positive number",
                self.max_snap_m
            )));
        }
        let g = match (&self.graph, self.demo) {
            (Some(path), _) => read_graph(path)?,
            (None, true) => {
                let pbf = PathBuf::from(DEMO_DIR).join("nabijland.osm.pbf");
                if !pbf.exists() {
                    return Err(CliError::Usage(format!(
                        "{} not found: run nabij from the repository root, or `nabij demo --out {DEMO_DIR}`",
                        pbf.display()
                    )));
                }
                crate::pipeline::build_in_memory(
                    &pbf,
                    &crate::ingest::CarProfile::default(),
                    &crate::progress::Progress::hidden(),
                )?
            }
            (None, false) => {
                return Err(CliError::Usage("give --graph FILE.nbg (or --demo)".into()));
            }
        };
        let mut options = SnapOptions::for_graph(&g);
        options.max_distance_m = self.max_snap_m;
        Ok(Engine::with_options(g, options))
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TextOrJson {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct TimeArgs {
    #[command(flatten)]
    pub graph: GraphArgs,
    /// Start point, LON,LAT (WGS84).
    #[arg(long, value_parser = parse_lonlat, allow_hyphen_values = true)]
    pub from: (f64, f64),
    /// End point, LON,LAT (WGS84).
    #[arg(long, value_parser = parse_lonlat, allow_hyphen_values = true)]
    pub to: (f64, f64),
    #[arg(long, value_enum, default_value = "text")]
    pub format: TextOrJson,
    /// Also write the path as a GeoJSON LineString feature to this file.
    #[arg(long)]
    pub path_geojson: Option<PathBuf>,
}

fn write_out(path: Option<&Path>, text: &str) -> Result<(), CliError> {
    match path {
        Some(p) => AtomicFile::write_all(p, text.as_bytes()).map_err(|e| CliError::Input {
            path: p.to_path_buf(),
            message: format!("cannot write: {e}"),
        }),
        None => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (e.g. `| head`) is not an error worth a panic.
            let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
            Ok(())
        }
    }
}

pub fn time(args: TimeArgs) -> Result<(), CliError> {
    let engine = args.graph.engine()?;
    let mut ws = Workspace::default();
    let route = engine.route(&mut ws, args.from, args.to);
    let route = match (route, args.format) {
        (Ok(r), _) => r,
        (Err(e), TextOrJson::Json) => {
            // Unroutable pairs are an answer in JSON, with the reason, and a non-zero exit.
            write_out(
                None,
                &format!("{}\n", json!({"routable": false, "reason": e.to_string()})),
            )?;
            return Err(CliError::Routing(e));
        }
        (Err(e), TextOrJson::Text) => return Err(CliError::Routing(e)),
    };
    if let Some(p) = &args.path_geojson {
        let feature = json!({
            "type": "Feature",
            "properties": {"seconds": route.time_ms as f64 / 1000.0, "meters": route.length_m},
            "geometry": {"type": "LineString", "coordinates": route.path.iter().map(|&(x, y)| [x, y]).collect::<Vec<_>>()},
        });
        write_out(Some(p), &format!("{feature}\n"))?;
    }
    let seconds = route.time_ms as f64 / 1000.0;
    match args.format {
        TextOrJson::Json => {
            let j = json!({
                "routable": true,
                "seconds": (seconds * 10.0).round() / 10.0,
                "minutes": (seconds / 6.0).round() / 10.0,
                "meters": route.length_m.round(),
                "from_snap_m": (route.from.distance_m * 10.0).round() / 10.0,
                "to_snap_m": (route.to.distance_m * 10.0).round() / 10.0,
                "synthetic_roads": engine.graph.meta.synthetic_roads,
            });
            write_out(None, &format!("{j}\n"))
        }
        TextOrJson::Text => write_out(
            None,
            &format!(
                "{:.1} min ({:.0} s), {:.2} km by car; start {:.0} m and end {:.0} m from the road{}\n",
                seconds / 60.0,
                seconds,
                route.length_m / 1000.0,
                route.from.distance_m,
                route.to.distance_m,
                if engine.graph.meta.synthetic_roads {
                    " [SYNTHETIC roads]"
                } else {
                    ""
                }
            ),
        ),
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CsvOrJson {
    Csv,
    Json,
}

#[derive(Debug, Args)]
pub struct MatrixArgs {
    #[command(flatten)]
    pub graph: GraphArgs,
    /// CSV with columns id,lon,lat.
    #[arg(long)]
    pub origins: PathBuf,
    /// CSV with columns id,lon,lat.
    #[arg(long)]
    pub destinations: PathBuf,
    #[arg(long, value_enum, default_value = "csv")]
    pub format: CsvOrJson,
    /// Write here instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Reads `id,lon,lat` rows.
pub fn read_points(path: &Path) -> Result<Vec<(String, f64, f64)>, CliError> {
    let err = |message: String| CliError::Input {
        path: path.to_path_buf(),
        message,
    };
    let mut rdr = csv::Reader::from_path(path).map_err(|e| err(e.to_string()))?;
    let headers = rdr.headers().map_err(|e| err(e.to_string()))?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
            .ok_or_else(|| err(format!("missing column {name:?} (expected id,lon,lat)")))
    };
    let (ci, cx, cy) = (col("id")?, col("lon")?, col("lat")?);
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| err(format!("line {line}: {e}")))?;
        let field = |c: usize| rec.get(c).unwrap_or("").trim().to_string();
        let lonlat = parse_lonlat(&format!("{},{}", field(cx), field(cy)))
            .map_err(|e| err(format!("line {line}: {e}")))?;
        out.push((field(ci), lonlat.0, lonlat.1));
    }
    if out.is_empty() {
        return Err(err("no rows".into()));
    }
    Ok(out)
}

pub fn matrix(args: MatrixArgs) -> Result<(), CliError> {
    let origins = read_points(&args.origins)?;
    let destinations = read_points(&args.destinations)?;
    if origins.len() * destinations.len() > 1_000_000 {
        return Err(CliError::Usage(format!(
            "{} × {} pairs is more than this command is for (1,000,000); use `nabij coverage` for area-wide questions",
            origins.len(),
            destinations.len()
        )));
    }
    let engine = args.graph.engine()?;
    let mut ws = Workspace::default();
    let mut rows = Vec::new();
    for o in &origins {
        for d in &destinations {
            let r = engine.route(&mut ws, (o.1, o.2), (d.1, d.2));
            rows.push((o.0.clone(), d.0.clone(), r));
        }
    }
    let text = match args.format {
        CsvOrJson::Csv => {
            let mut s = String::from("origin_id,destination_id,seconds,meters\n");
            let mut w = csv::Writer::from_writer(Vec::new());
            for (o, d, r) in &rows {
                let (sec, m) = match r {
                    Ok(r) => (
                        format!("{:.1}", r.time_ms as f64 / 1000.0),
                        format!("{:.0}", r.length_m),
                    ),
                    Err(_) => (String::new(), String::new()),
                };
                let _ = w.write_record([o.as_str(), d.as_str(), &sec, &m]);
            }
            s.push_str(&String::from_utf8_lossy(
                &w.into_inner().unwrap_or_default(),
            ));
            s
        }
        CsvOrJson::Json => {
            let v: Vec<_> = rows
                .iter()
                .map(|(o, d, r)| match r {
                    Ok(r) => json!({"origin_id": o, "destination_id": d, "seconds": (r.time_ms as f64 / 100.0).round() / 10.0, "meters": r.length_m.round()}),
                    Err(e) => json!({"origin_id": o, "destination_id": d, "seconds": null, "meters": null, "reason": e.to_string()}),
                })
                .collect();
            format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default())
        }
    };
    write_out(args.out.as_deref(), &text)
}

#[derive(Debug, Args)]
pub struct IsochroneArgs {
    #[command(flatten)]
    pub graph: GraphArgs,
    /// A source point LON,LAT; repeat for several sources.
    #[arg(long, required = true, value_parser = parse_lonlat, allow_hyphen_values = true)]
    pub from: Vec<(f64, f64)>,
    /// Travel time budget in minutes.
    #[arg(long, default_value_t = 45.0)]
    pub minutes: f64,
    /// `from`: the area reachable from the sources; `to`: the area from which the sources are reached.
    #[arg(long, value_enum, default_value = "from")]
    pub direction: DirectionArg,
    /// Raster cell size of the polygon in metres (see docs/ROUTING.md for the error this implies).
    #[arg(long, default_value_t = 200.0)]
    pub cell_m: f64,
    /// Write the polygon (a GeoJSON FeatureCollection) here instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also write the reached road network (GeoJSON lines) to this file.
    #[arg(long)]
    pub roads_out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DirectionArg {
    From,
    To,
}

impl From<DirectionArg> for Direction {
    fn from(d: DirectionArg) -> Self {
        match d {
            DirectionArg::From => Direction::From,
            DirectionArg::To => Direction::To,
        }
    }
}

pub fn isochrone(args: IsochroneArgs) -> Result<(), CliError> {
    if !(args.minutes.is_finite() && args.minutes > 0.0 && args.minutes <= 600.0) {
        return Err(CliError::Usage(format!(
            "--minutes {} must be between 0 and 600",
            args.minutes
        )));
    }
    if !(args.cell_m.is_finite() && (10.0..=5000.0).contains(&args.cell_m)) {
        return Err(CliError::Usage(format!(
            "--cell-m {} must be between 10 and 5000",
            args.cell_m
        )));
    }
    let engine = args.graph.engine()?;
    let mut snaps = Vec::new();
    for (i, &(lon, lat)) in args.from.iter().enumerate() {
        snaps.push(engine.snap(lon, lat).map_err(|source| {
            CliError::Routing(crate::routing::RoutingError::Snap {
                which: format!("--from #{}", i + 1),
                error: source,
            })
        })?);
    }
    let budget_ms = (args.minutes * 60_000.0).round() as u32;
    let mut ws = Workspace::default();
    let iso = engine.isochrone(
        &mut ws,
        &snaps,
        budget_ms,
        args.direction.into(),
        args.cell_m,
    );
    let props = json!({
        "minutes": args.minutes,
        "direction": iso.direction,
        "cell_m": iso.cell_m,
        "sources": args.from.iter().map(|p| [p.0, p.1]).collect::<Vec<_>>(),
        "synthetic_roads": engine.graph.meta.synthetic_roads,
        "method": "reached roads rasterised, dilated by one cell; boundary within 2*sqrt(2)*cell_m of reached roads",
    });
    let geometry = geojson::Geometry::from(&iso.polygon);
    let fc = json!({
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": props, "geometry": geometry}],
    });
    write_out(args.out.as_deref(), &format!("{fc}\n"))?;
    if let Some(path) = &args.roads_out {
        let features: Vec<_> = iso
            .roads
            .iter()
            .map(|(e, pts)| {
                json!({
                    "type": "Feature",
                    "properties": {"edge": e, "osm_way_id": engine.graph.edge_osm_way(*e)},
                    "geometry": {"type": "LineString", "coordinates": pts.iter().map(|&(x, y)| [x, y]).collect::<Vec<_>>()},
                })
            })
            .collect();
        let fc = json!({"type": "FeatureCollection", "features": features});
        write_out(Some(path), &format!("{fc}\n"))?;
    }
    Ok(())
}
