//! `nabij time`, `nabij matrix`, `nabij isochrone`: single answers, checked by hand.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde_json::json;

use super::CliError;
use super::args::{DirectionArg, FacilityArgs, GraphArgs, PeriodArg};
use super::output;
use crate::app::report::csv_safe;
use crate::app::{AppError, Network, Place, parse_lonlat, read_points};
use crate::units::{ms_to_seconds, round_dp};

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
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: TextOrJson,
    /// Also print the path (its LON,LAT points in text; a `path` array in JSON).
    #[arg(long)]
    pub path: bool,
    /// Also write the path as a GeoJSON LineString feature to this file.
    #[arg(long)]
    pub path_geojson: Option<PathBuf>,
    /// Travel times of this period: free (free-flow) or peak (weekday rush hour).
    #[arg(long, value_enum, default_value = "free")]
    pub period: PeriodArg,
}

fn synthetic_note(synthetic: bool) -> &'static str {
    if synthetic { " [SYNTHETIC roads]" } else { "" }
}

pub fn time(args: TimeArgs) -> Result<(), CliError> {
    let config = args.graph.config()?;
    let file = output::open(args.path_geojson.as_deref(), &config.input_files())?;
    let net = Network::load(&config)?;
    let synthetic = net.synthetic_roads();
    let route = match (
        net.travel_time(args.from, args.to, args.period.into()),
        args.format,
    ) {
        (Ok(r), _) => r,
        (Err(e), TextOrJson::Json) => {
            // Unroutable pairs are an answer in JSON, with the reason, and a non-zero exit.
            output::write(
                None,
                &[],
                &format!(
                    "{}\n",
                    json!({"routable": false, "reason": e.to_string(), "synthetic_roads": synthetic})
                ),
            )?;
            return Err(e.into());
        }
        (Err(e), TextOrJson::Text) => return Err(e.into()),
    };
    let path: Vec<[f64; 2]> = route.path.iter().map(|&(x, y)| [x, y]).collect();
    if file.is_some() {
        let feature = json!({
            "type": "Feature",
            "properties": {
                "seconds": round_dp(ms_to_seconds(route.time_ms), 1),
                "meters": round_dp(route.length_m, 0),
                "synthetic_roads": synthetic,
            },
            "geometry": {"type": "LineString", "coordinates": path},
        });
        output::finish(file, args.path_geojson.as_deref(), &format!("{feature}\n"))?;
    }
    let seconds = ms_to_seconds(route.time_ms);
    let text = match args.format {
        TextOrJson::Json => {
            let mut j = json!({
                "routable": true,
                "seconds": round_dp(seconds, 1),
                "minutes": round_dp(seconds / 60.0, 1),
                "meters": round_dp(route.length_m, 0),
                "from_snap_m": round_dp(route.from.distance_m, 1),
                "to_snap_m": round_dp(route.to.distance_m, 1),
                "synthetic_roads": synthetic,
            });
            if args.path {
                j["path"] = json!(path);
            }
            format!("{j}\n")
        }
        TextOrJson::Text => {
            let mut s = format!(
                "{:.1} min ({:.0} s), {:.2} km by car; start {:.0} m and end {:.0} m from the road{}\n",
                seconds / 60.0,
                seconds,
                route.length_m / 1000.0,
                route.from.distance_m,
                route.to.distance_m,
                synthetic_note(synthetic)
            );
            if args.path {
                s.push_str("path (LON,LAT):\n");
                for p in &path {
                    s.push_str(&format!("  {:.6},{:.6}\n", p[0], p[1]));
                }
            }
            s
        }
    };
    output::write(None, &[], &text)
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
    /// Output format.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: CsvOrJson,
    /// Write here (atomically, never over an input) instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Search no further than this many minutes (1 to 240); pairs beyond it are empty, with
    /// the reason.
    #[arg(long)]
    pub max_minutes: Option<f64>,
    /// Travel times of this period: free (free-flow) or peak (weekday rush hour).
    #[arg(long, value_enum, default_value = "free")]
    pub period: PeriodArg,
}

pub fn matrix(args: MatrixArgs) -> Result<(), CliError> {
    let origins = read_points(&args.origins).map_err(AppError::from)?;
    let destinations = read_points(&args.destinations).map_err(AppError::from)?;
    if origins.len() * destinations.len() > 10_000_000 {
        return Err(CliError::Usage(format!(
            "{} × {} pairs is more than this command is for (10,000,000); use `nabij coverage` for area-wide questions",
            origins.len(),
            destinations.len()
        )));
    }
    let config = args.graph.config()?;
    let mut inputs = config.input_files();
    inputs.extend([args.origins.clone(), args.destinations.clone()]);
    let file = output::open(args.out.as_deref(), &inputs)?;
    let net = Network::load(&config)?;
    let synthetic = net.synthetic_roads();
    let pts = |v: &[(String, f64, f64)]| v.iter().map(|p| (p.1, p.2)).collect::<Vec<_>>();
    let cells = net.matrix(
        &pts(&origins),
        &pts(&destinations),
        args.max_minutes,
        args.period.into(),
    )?;
    let mut rows = Vec::new();
    for (o, row) in origins.iter().zip(cells) {
        for (d, cell) in destinations.iter().zip(row) {
            rows.push((o.0.clone(), d.0.clone(), cell));
        }
    }
    let text = match args.format {
        CsvOrJson::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let _ = w.write_record([
                "origin_id",
                "destination_id",
                "seconds",
                "meters",
                "reason",
                "synthetic_roads",
            ]);
            for (o, d, r) in &rows {
                let (sec, m, reason) = match r {
                    Ok(r) => (
                        format!("{:.1}", ms_to_seconds(r.time_ms)),
                        format!("{:.0}", r.length_m),
                        String::new(),
                    ),
                    Err(e) => (String::new(), String::new(), e.clone()),
                };
                let _ = w.write_record([
                    csv_safe(o).as_str(),
                    csv_safe(d).as_str(),
                    &sec,
                    &m,
                    &csv_safe(&reason),
                    &synthetic.to_string(),
                ]);
            }
            String::from_utf8_lossy(&w.into_inner().unwrap_or_default()).into_owned()
        }
        CsvOrJson::Json => {
            let v: Vec<_> = rows
                .iter()
                .map(|(o, d, r)| match r {
                    Ok(r) => json!({"origin_id": o, "destination_id": d, "seconds": round_dp(ms_to_seconds(r.time_ms), 1), "meters": round_dp(r.length_m, 0)}),
                    Err(e) => json!({"origin_id": o, "destination_id": d, "seconds": null, "meters": null, "reason": e.to_string()}),
                })
                .collect();
            format!(
                "{}\n",
                serde_json::to_string_pretty(&json!({"synthetic_roads": synthetic, "pairs": v}))
                    .unwrap_or_default()
            )
        }
    };
    output::finish(file, args.out.as_deref(), &text)
}

#[derive(Debug, Args)]
pub struct IsochroneArgs {
    #[command(flatten)]
    pub data: FacilityArgs,
    /// Where the isochrone is centred: a facility id (of --facilities or the demo) or a point
    /// LON,LAT; repeat for several.
    #[arg(long, required = true, allow_hyphen_values = true, value_parser = Place::parse)]
    pub at: Vec<Place>,
    /// Travel time budget in minutes (1 to 240).
    #[arg(long, default_value_t = 45.0)]
    pub minutes: f64,
    /// `to`: the area from which the places are reached (a catchment, as in coverage);
    /// `from`: the area reached from them.
    #[arg(long, value_enum, default_value = "to")]
    pub direction: DirectionArg,
    /// Raster cell size of the polygon in metres, 10 to 5000 (see docs/ROUTING.md for the
    /// error this implies).
    #[arg(long, default_value_t = 200.0)]
    pub cell_m: f64,
    /// Travel times of this period: free (free-flow) or peak (weekday rush hour).
    #[arg(long, value_enum, default_value = "free")]
    pub period: PeriodArg,
    /// Write the polygon (a GeoJSON FeatureCollection) here instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also write the reached road network (GeoJSON lines) to this file.
    #[arg(long)]
    pub roads_out: Option<PathBuf>,
}

pub fn isochrone(args: IsochroneArgs) -> Result<(), CliError> {
    crate::units::check_minutes(args.minutes)
        .map_err(|m| CliError::Usage(format!("--minutes {m}")))?;
    let config = args.data.config()?;
    let inputs = config.input_files();
    let file = output::open(args.out.as_deref(), &inputs)?;
    let roads_file = output::open(args.roads_out.as_deref(), &inputs)?;
    let net = Network::load(&config)?;
    // Facility ids need the facilities (not the municipalities); points the graph alone.
    let facilities = args
        .at
        .iter()
        .any(|p| matches!(p, Place::Facility(_)))
        .then(|| crate::app::read_configured_facilities(&config))
        .transpose()?;
    let snaps = args
        .at
        .iter()
        .enumerate()
        .map(|(i, p)| net.snap_place(p, facilities.as_deref(), &format!("--at #{}", i + 1)))
        .collect::<Result<Vec<_>, AppError>>()?;
    let direction = args.direction.into();
    let iso = net.isochrone(
        &snaps,
        args.minutes,
        direction,
        args.cell_m,
        args.period.into(),
    )?;
    let synthetic = net.synthetic_roads();
    let at: Vec<String> = args
        .at
        .iter()
        .map(|p| match p {
            Place::Facility(id) => id.clone(),
            Place::Point(lon, lat) => format!("{lon},{lat}"),
        })
        .collect();
    let props = json!({
        "at": at,
        "minutes": args.minutes,
        "direction": iso.direction,
        "cell_m": iso.cell_m,
        "synthetic_roads": synthetic,
        "method": "reached roads rasterised, dilated by one cell; boundary within 2*sqrt(2)*cell_m of reached roads",
    });
    let geometry = geojson::Geometry::from(&iso.polygon);
    let fc = json!({
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": props, "geometry": geometry}],
    });
    output::finish(file, args.out.as_deref(), &format!("{fc}\n"))?;
    if roads_file.is_some() {
        let g = net.graph();
        let features: Vec<_> = iso
            .roads(g)
            .iter()
            .map(|(e, pts)| {
                json!({
                    "type": "Feature",
                    "properties": {"edge": e, "osm_way_id": g.edge_osm_way(*e), "synthetic_roads": synthetic},
                    "geometry": {"type": "LineString", "coordinates": pts.iter().map(|&(x, y)| [x, y]).collect::<Vec<_>>()},
                })
            })
            .collect();
        let fc = json!({"type": "FeatureCollection", "name": if synthetic { "nabij_isochrone_roads (SYNTHETIC roads)" } else { "nabij_isochrone_roads" }, "features": features});
        output::finish(roads_file, args.roads_out.as_deref(), &format!("{fc}\n"))?;
    }
    Ok(())
}
