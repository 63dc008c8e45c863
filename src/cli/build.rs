//! `nabij build` and `nabij synth`.

use std::path::PathBuf;

use clap::Args;

use super::CliError;
use crate::ingest::{CarProfile, SpeedOverrides};
use crate::pipeline::{HierarchyMode, HierarchyOutcome, build_to_file_with};
use crate::progress::Progress;
use crate::synth::{StreetPattern, SynthConfig, TownSpec, generate};

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// OpenStreetMap extract (.osm.pbf), e.g. Geofabrik's netherlands-latest.osm.pbf.
    #[arg(long)]
    pub osm: PathBuf,
    /// Where to write the graph (.nbg). Written atomically: replaced only when complete.
    #[arg(long)]
    pub out: PathBuf,
    /// A TOML file overriding the built-in Dutch car profile key by key (see docs/PROFILE.md).
    #[arg(long)]
    pub profile: Option<PathBuf>,
    /// Add a contraction hierarchy, which makes coverage questions and matrices several times
    /// faster. `auto` adds it to graphs of up to 1,000,000 nodes (a city or province: seconds)
    /// and to larger road networks unless contraction turns dense early, as on street grids
    /// where it would take minutes (then the build goes on without one; docs/BENCHMARKS.md).
    /// `always` insists; `never` skips it.
    #[arg(long, value_enum, default_value_t = HierarchyArg::Auto)]
    pub hierarchy: HierarchyArg,
    /// Measured speeds per OSM way replacing the profile's, e.g. from NDW (the Dutch traffic
    /// data portal): a CSV with columns osm_way_id, speed_kmh and optionally period (free or
    /// peak; default peak). See docs/PROFILE.md.
    #[arg(long, value_name = "CSV")]
    pub speeds: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HierarchyArg {
    Auto,
    Always,
    Never,
}

impl From<HierarchyArg> for HierarchyMode {
    fn from(a: HierarchyArg) -> Self {
        match a {
            HierarchyArg::Auto => HierarchyMode::Auto,
            HierarchyArg::Always => HierarchyMode::Always,
            HierarchyArg::Never => HierarchyMode::Never,
        }
    }
}

pub fn build(args: BuildArgs, quiet: bool, progress: &Progress) -> Result<(), CliError> {
    let profile = match &args.profile {
        Some(p) => CarProfile::from_toml_file(p)?,
        None => CarProfile::default(),
    };
    let speeds = match &args.speeds {
        Some(p) => Some(SpeedOverrides::from_csv_file(p)?),
        None => None,
    };
    let mut inputs = vec![args.osm.clone()];
    inputs.extend(args.profile.iter().cloned());
    inputs.extend(args.speeds.iter().cloned());
    super::output::refuse_input(&args.out, &inputs)?;
    let report = build_to_file_with(
        &args.osm,
        &args.out,
        &profile,
        speeds.as_ref(),
        args.hierarchy.into(),
        progress,
    )?;
    if !quiet {
        let s = &report.meta.stats;
        println!(
            "built {} from {}{}",
            args.out.display(),
            report.meta.source_file,
            if report.meta.synthetic_roads {
                " (SYNTHETIC roads)"
            } else {
                ""
            }
        );
        println!(
            "  graph: {} nodes, {} edges ({} arcs), {:.1} km of road, {} ferry edges",
            s.nodes, s.edges, s.arcs, s.road_km, s.ferry_edges
        );
        println!(
            "  read: {} ways ({} drivable, {} closed to cars, {} with unreadable maxspeed), {} way nodes, {} missing nodes, {} barriers",
            s.ingest.ways_read,
            s.ingest.ways_drivable,
            s.ingest.ways_access_denied,
            s.ingest.ways_maxspeed_invalid,
            s.ingest.way_nodes,
            s.ingest.nodes_missing,
            s.ingest.barrier_nodes
        );
        println!(
            "  dropped outside the largest strongly connected component: {} pieces, {} nodes, {} edges; {} self-loops",
            s.components_dropped, s.nodes_dropped, s.edges_dropped, s.self_loops_dropped
        );
        match report.hierarchy {
            HierarchyOutcome::Added { seconds } => println!(
                "  contraction hierarchy: {} upward arcs, {:.2} s",
                s.hierarchy_arcs, seconds
            ),
            HierarchyOutcome::NotAsked => {
                println!("  no contraction hierarchy (--hierarchy never)")
            }
            HierarchyOutcome::GaveUp {
                seconds,
                remaining,
                mean_degree,
            } => println!(
                "  no contraction hierarchy: given up after {seconds:.1} s with {remaining} nodes left at {mean_degree:.1} neighbours each, too dense to finish in time (grid-like streets); --hierarchy always insists"
            ),
        }
        println!(
            "  periods: {} (peak speeds: the profile's factors per road class and setting{})",
            report
                .meta
                .periods
                .iter()
                .map(|p| p.name())
                .collect::<Vec<_>>()
                .join(", "),
            match &report.meta.speed_file {
                Some(f) => format!(
                    "; {} measured speeds from {f} applied, {} matched no drivable way",
                    report.meta.speed_overrides.applied, report.meta.speed_overrides.unmatched
                ),
                None => String::new(),
            }
        );
        println!(
            "  profile {} ({}), file {:.1} MB, wall time {:.2} s",
            report.meta.profile_name,
            report.meta.profile_hash,
            report.file_bytes as f64 / 1e6,
            report.wall_s
        );
    }
    Ok(())
}

#[derive(Debug, Args)]
pub struct SynthArgs {
    /// Where to write the .osm.pbf.
    #[arg(long)]
    pub out: PathBuf,
    /// Area as min_lon,min_lat,max_lon,max_lat (degrees), e.g. 3.3,50.75,7.25,53.55 (the
    /// Netherlands, the default).
    #[arg(long, value_parser = parse_bbox, allow_hyphen_values = true, default_value = "3.3,50.75,7.25,53.55")]
    pub bbox: [f64; 4],
    /// About how many way-node references to generate (the Netherlands has ~15 million car way nodes).
    #[arg(long, default_value_t = 1_000_000)]
    pub way_nodes: u64,
    /// Place one town per municipality of this GeoJSON (e.g. gemeenten_2024.geojson), sized by population.
    #[arg(long)]
    pub towns_from: Option<PathBuf>,
    /// Population property of --towns-from features.
    #[arg(long, default_value = "inwoners_2024")]
    pub population_property: String,
    /// Codes (gemeentecode) of --towns-from municipalities that are islands reached by ferry.
    #[arg(long, value_delimiter = ',', default_values_t = ["GM0060".to_string(), "GM0088".to_string(), "GM0093".to_string(), "GM0096".to_string(), "GM0448".to_string()])]
    pub islands: Vec<String>,
    /// Random seed; the same seed and settings give the same file.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Residential street layout of the towns: `grid` (every block a street, four-way
    /// crossings everywhere: the worst case for a contraction hierarchy) or `organic`
    /// (distributor roads around cells of cul-de-sacs, T-junctions and a few loops, with
    /// junction degrees like real OSM extracts').
    #[arg(long, value_enum, default_value_t = StreetPattern::Grid)]
    pub streets: StreetPattern,
}

pub fn synth(args: SynthArgs, quiet: bool) -> Result<(), CliError> {
    let bbox = args.bbox;
    let towns = match &args.towns_from {
        Some(path) => Some(towns_from_geojson(
            path,
            &args.population_property,
            &args.islands,
        )?),
        None => None,
    };
    let bbox = match &towns {
        Some(t) => {
            let mut b = [
                f64::INFINITY,
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::NEG_INFINITY,
            ];
            for town in t {
                b = [
                    b[0].min(town.lon),
                    b[1].min(town.lat),
                    b[2].max(town.lon),
                    b[3].max(town.lat),
                ];
            }
            [b[0] - 0.05, b[1] - 0.05, b[2] + 0.05, b[3] + 0.05]
        }
        None => bbox,
    };
    let cfg = SynthConfig {
        seed: args.seed,
        bbox,
        towns,
        target_way_nodes: args.way_nodes,
        island: true,
        streets: args.streets,
    };
    let report = generate(&cfg, &args.out)?;
    if !quiet {
        println!(
            "wrote {} (SYNTHETIC road network): {} towns, {} nodes, {} ways, {} way nodes, {} ferries, {:.0} km of motorway",
            args.out.display(),
            report.towns,
            report.nodes,
            report.ways,
            report.way_nodes,
            report.ferries,
            report.motorway_km
        );
    }
    Ok(())
}

/// Where a town goes in a feature: a point inside its area. Boundaries simplified by their
/// publishers touch themselves now and then; they are repaired first, as `coverage` repairs
/// them, so that geo does not warn about rings nabij handles.
fn town_point(g: geo::Geometry<f64>) -> Option<geo::Point<f64>> {
    use geo::InteriorPoint;
    let areas = match g {
        geo::Geometry::Polygon(p) => geo::MultiPolygon(vec![p]),
        geo::Geometry::MultiPolygon(mp) => mp,
        other => return other.interior_point(),
    };
    crate::analysis::repair::repair(&areas).0.interior_point()
}

/// One town per feature: the mean of its exterior ring vertices, weighted by population.
fn towns_from_geojson(
    path: &std::path::Path,
    pop_prop: &str,
    islands: &[String],
) -> Result<Vec<TownSpec>, CliError> {
    let input_err = |message: String| CliError::Input {
        path: path.to_path_buf(),
        message,
    };
    let text = crate::limits::read_to_string(path).map_err(|e| input_err(e.to_string()))?;
    let gj: geojson::GeoJson = text
        .parse()
        .map_err(|e: geojson::Error| input_err(e.to_string()))?;
    let geojson::GeoJson::FeatureCollection(fc) = gj else {
        return Err(input_err("expected a FeatureCollection".into()));
    };
    let mut towns = Vec::new();
    for f in fc.features {
        let props = f.properties.clone().unwrap_or_default();
        let code = props
            .get("gemeentecode")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string();
        let name = props
            .get("gemeentenaam")
            .and_then(|v| v.as_str())
            .map(str::to_string)
            .unwrap_or_else(|| code.clone());
        let weight = props
            .get(pop_prop)
            .and_then(|v| v.as_f64())
            .unwrap_or(10_000.0)
            .max(100.0);
        let Some(geom) = f.geometry else { continue };
        let geo_geom: geo::Geometry<f64> = geom
            .value
            .try_into()
            .map_err(|e: geojson::Error| input_err(e.to_string()))?;
        let Some(p) = town_point(geo_geom) else {
            continue;
        };
        towns.push(TownSpec {
            name,
            lon: p.x(),
            lat: p.y(),
            weight,
            island: islands.contains(&code),
        });
    }
    if towns.is_empty() {
        return Err(input_err("no features with a geometry".into()));
    }
    Ok(towns)
}

#[derive(Debug, Args)]
pub struct InfoArgs {
    /// The graph file (.nbg).
    #[arg(long)]
    pub graph: PathBuf,
    /// Also check every structural invariant (slower).
    #[arg(long)]
    pub check: bool,
}

pub fn info(args: InfoArgs) -> Result<(), CliError> {
    let start = std::time::Instant::now();
    let g = crate::graph::file::read_graph(&args.graph)?;
    let load_s = start.elapsed().as_secs_f64();
    if args.check {
        g.check_invariants().map_err(|message| CliError::Input {
            path: args.graph.clone(),
            message: format!("invariant violated: {message}"),
        })?;
    }
    let json = serde_json::json!({
        "graph": args.graph.display().to_string(),
        "load_seconds": (load_s * 1000.0).round() / 1000.0,
        "nodes": g.node_count(),
        "edges": g.edge_count(),
        "arcs": g.fwd.arcs.len(),
        // The contraction hierarchy, if the graph has one (`nabij build --hierarchy`).
        "hierarchy": g.hierarchy.as_ref().map(|h| serde_json::json!({
            "positions": h.len(),
            "upward_arcs": h.arcs.len(),
        })),
        "invariants_checked": args.check,
        "meta": g.meta,
    });
    println!(
        "{}",
        serde_json::to_string_pretty(&json).unwrap_or_default()
    );
    Ok(())
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Folder to write the demo files into.
    #[arg(long, default_value = "data/demo")]
    pub out: PathBuf,
}

pub fn demo(args: DemoArgs, quiet: bool) -> Result<(), CliError> {
    crate::synth::demo::write_demo(&args.out)?;
    if !quiet {
        println!(
            "wrote the Nabijland demo (SYNTHETIC) to {}: municipalities.geojson, facilities.csv, zorggebieden.csv, nabijland.osm.pbf",
            args.out.display()
        );
    }
    Ok(())
}

/// `min_lon,min_lat,max_lon,max_lat` in degrees.
fn parse_bbox(s: &str) -> Result<[f64; 4], String> {
    let v: Vec<f64> = s
        .split(',')
        .map(|p| {
            p.trim()
                .parse::<f64>()
                .map_err(|_| format!("{p:?} is not a number"))
        })
        .collect::<Result<_, _>>()?;
    let [a, b, c, d] = v.as_slice() else {
        return Err(format!(
            "{s:?}: give four numbers min_lon,min_lat,max_lon,max_lat"
        ));
    };
    let lon_ok = (-180.0..=180.0).contains(a) && (-180.0..=180.0).contains(c);
    let lat_ok = (-90.0..=90.0).contains(b) && (-90.0..=90.0).contains(d);
    if !(a < c && b < d && lon_ok && lat_ok) {
        return Err(format!(
            "{s:?}: min must be below max, lon within -180..180 and lat within -90..90"
        ));
    }
    Ok([*a, *b, *c, *d])
}
