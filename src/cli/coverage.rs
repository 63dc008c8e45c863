//! `nabij coverage`: the planners' question for every municipality and region.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::CliError;
use super::route::{DirectionArg, GraphArgs};
use crate::analysis::inputs::{Facility, apply_groupings, read_facilities, read_municipalities};
use crate::analysis::{MunicipalityFields, NeedProfile, Prepared, WeightedPoint, report};
use crate::graph::file::AtomicFile;
use crate::ingest::areas::read_areas_and_points;
use crate::routing::Workspace;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// A readable summary.
    Text,
    Geojson,
    Csv,
    Json,
}

#[derive(Debug, Args)]
pub struct CoverageArgs {
    #[command(flatten)]
    pub graph: GraphArgs,
    /// Municipalities: GeoJSON FeatureCollection of (Multi)Polygons, WGS84 or RD New.
    #[arg(long, conflicts_with = "municipalities_osm")]
    pub municipalities: Option<PathBuf>,
    /// Take municipalities from the boundary relations of this OSM extract instead.
    #[arg(long)]
    pub municipalities_osm: Option<PathBuf>,
    /// admin_level of --municipalities-osm (8 = gemeenten in the Netherlands).
    #[arg(long, default_value_t = 8)]
    pub admin_level: u8,
    /// Property with the municipality code.
    #[arg(long, default_value = "gemeentecode")]
    pub code_field: String,
    /// Property with the municipality name.
    #[arg(long, default_value = "gemeentenaam")]
    pub name_field: String,
    /// Property with the number of young people (falls back to inwoners_2024, then 1 each).
    #[arg(long, default_value = "est_0_22")]
    pub population_field: String,
    /// A CSV mapping municipality code to a group of your own (e.g. zorggebied); repeatable.
    #[arg(long)]
    pub grouping_csv: Vec<PathBuf>,
    /// Facilities: CSV (id,name,type,lon,lat or x,y, optional attributes) or GeoJSON points.
    #[arg(long, conflicts_with = "facilities_osm")]
    pub facilities: Option<PathBuf>,
    /// Take facilities from this OSM extract by tag (see --facility-tag).
    #[arg(long, requires = "facility_tag")]
    pub facilities_osm: Option<PathBuf>,
    /// KEY=VALUE tag of OSM facilities, e.g. amenity=hospital (nodes and closed ways).
    #[arg(long)]
    pub facility_tag: Option<String>,
    /// Origins: CSV lon,lat,weight (e.g. neighbourhood centroids with youth counts) instead of
    /// the inhabited road network.
    #[arg(long)]
    pub origins: Option<PathBuf>,
    /// A need profile as TOML (see docs/ANALYSIS.md); flags below override it.
    #[arg(long)]
    pub need: Option<PathBuf>,
    /// Facility type that counts; repeatable (default: any).
    #[arg(long = "type")]
    pub types: Vec<String>,
    /// Age that must lie in the facility's age range.
    #[arg(long)]
    pub age: Option<f64>,
    #[arg(long)]
    pub min_free_places: Option<f64>,
    #[arg(long)]
    pub max_group_size: Option<f64>,
    /// Carers per young person (0.25 = one per four).
    #[arg(long)]
    pub min_staff_ratio: Option<f64>,
    /// Count planned facilities too.
    #[arg(long)]
    pub include_planned: bool,
    /// Travel limit in minutes (default 45).
    #[arg(long)]
    pub minutes: Option<f64>,
    /// `to` the facility (default) or `from` it.
    #[arg(long, value_enum)]
    pub direction: Option<DirectionArg>,
    #[arg(long, value_enum, default_value = "geojson")]
    pub format: Format,
    /// Output file (written atomically); standard output if omitted.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

impl CoverageArgs {
    pub fn need(&self) -> Result<NeedProfile, CliError> {
        let mut need = match &self.need {
            Some(p) => {
                NeedProfile::from_toml_file(p).map_err(|e| CliError::Usage(e.to_string()))?
            }
            None => NeedProfile::default(),
        };
        if !self.types.is_empty() {
            need.types = self.types.iter().map(|t| t.to_ascii_lowercase()).collect();
        }
        if self.age.is_some() {
            need.age = self.age;
        }
        if let Some(v) = self.min_free_places {
            need.min_free_places = v;
        }
        if let Some(v) = self.max_group_size {
            need.max_group_size = v;
        }
        if let Some(v) = self.min_staff_ratio {
            need.min_staff_ratio = v;
        }
        if self.include_planned {
            need.include_planned = true;
        }
        if let Some(v) = self.minutes {
            need.limit_minutes = v;
        }
        if let Some(d) = self.direction {
            need.direction = d.into();
        }
        need.validate()
            .map_err(|e| CliError::Usage(format!("need profile: {e}")))?;
        Ok(need)
    }
}

fn input_err(path: &std::path::Path, message: String) -> CliError {
    CliError::Input {
        path: path.to_path_buf(),
        message,
    }
}

fn read_origins(path: &std::path::Path) -> Result<Vec<WeightedPoint>, CliError> {
    let mut rdr = csv::Reader::from_path(path).map_err(|e| input_err(path, e.to_string()))?;
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| input_err(path, e.to_string()))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let col = |n: &str| {
        headers.iter().position(|h| h == n).ok_or_else(|| {
            input_err(
                path,
                format!("missing column {n:?} (expected lon,lat,weight)"),
            )
        })
    };
    let (cx, cy, cw) = (col("lon")?, col("lat")?, col("weight")?);
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| input_err(path, format!("line {}: {e}", i + 2)))?;
        let num = |c: usize, what: &str| -> Result<f64, CliError> {
            rec.get(c)
                .and_then(|s| s.trim().parse::<f64>().ok())
                .filter(|v| v.is_finite())
                .ok_or_else(|| input_err(path, format!("line {}: {what} is not a number", i + 2)))
        };
        let (lon, lat, weight) = (num(cx, "lon")?, num(cy, "lat")?, num(cw, "weight")?);
        if weight < 0.0 {
            return Err(input_err(
                path,
                format!("line {}: a negative weight", i + 2),
            ));
        }
        out.push(WeightedPoint { lon, lat, weight });
    }
    Ok(out)
}

/// Reads every input named by the arguments and matches it to the graph.
pub fn prepare(args: &CoverageArgs, engine: &crate::routing::Engine) -> Result<Prepared, CliError> {
    let mut fields = MunicipalityFields {
        code: args.code_field.clone(),
        name: args.name_field.clone(),
        ..Default::default()
    };
    if args.population_field != "est_0_22" {
        fields.population.insert(0, args.population_field.clone());
    }
    let demo = std::path::Path::new(super::route::DEMO_DIR);
    let demo_municipalities = demo.join("municipalities.geojson");
    let municipalities_file = args.municipalities.clone().or_else(|| {
        (args.graph.demo && args.municipalities_osm.is_none()).then(|| demo_municipalities.clone())
    });
    let mut municipalities = match (&municipalities_file, &args.municipalities_osm) {
        (Some(p), _) => {
            read_municipalities(p, &fields)
                .map_err(|e| CliError::Usage(e.to_string()))?
                .0
        }
        (None, Some(p)) => {
            let (areas, _, report) = crate::pipeline::guard_decoder(p, || {
                read_areas_and_points(p, Some(args.admin_level), None)
            })
            .map_err(crate::pipeline::PipelineError::from)?;
            if areas.is_empty() {
                return Err(input_err(
                    p,
                    format!(
                        "no boundary relations with admin_level={} could be assembled ({} found)",
                        args.admin_level, report.relations
                    ),
                ));
            }
            for (id, name) in &report.unclosed {
                tracing::warn!("boundary relation {id} ({name}) does not close and is left out");
            }
            areas
                .into_iter()
                .map(|a| crate::analysis::Municipality {
                    code: a.code,
                    name: a.name,
                    population: 1.0,
                    regions: Default::default(),
                    geometry: a.geometry,
                })
                .collect()
        }
        (None, None) => {
            return Err(CliError::Usage(
                "give --municipalities FILE.geojson or --municipalities-osm FILE.osm.pbf".into(),
            ));
        }
    };
    let mut groupings = args.grouping_csv.clone();
    if args.graph.demo && groupings.is_empty() {
        groupings.push(demo.join("zorggebieden.csv"));
    }
    apply_groupings(&mut municipalities, &groupings).map_err(|e| CliError::Usage(e.to_string()))?;
    let facilities_file = args.facilities.clone().or_else(|| {
        (args.graph.demo && args.facilities_osm.is_none()).then(|| demo.join("facilities.csv"))
    });
    let facilities: Vec<Facility> = match (&facilities_file, &args.facilities_osm) {
        (Some(p), _) => read_facilities(p).map_err(|e| CliError::Usage(e.to_string()))?,
        (None, Some(p)) => {
            let tag = args.facility_tag.as_deref().unwrap_or("");
            let Some((k, v)) = tag.split_once('=') else {
                return Err(CliError::Usage(format!(
                    "--facility-tag {tag:?} must be KEY=VALUE, e.g. amenity=hospital"
                )));
            };
            let (_, points, _) =
                crate::pipeline::guard_decoder(p, || read_areas_and_points(p, None, Some((k, v))))
                    .map_err(crate::pipeline::PipelineError::from)?;
            points
                .into_iter()
                .map(|pt| {
                    let name = pt.name.clone().unwrap_or_else(|| pt.osm_id.clone());
                    Facility::at(&pt.osm_id, &name, v, pt.lon, pt.lat)
                })
                .collect()
        }
        (None, None) => {
            return Err(CliError::Usage(
                "give --facilities FILE or --facilities-osm FILE --facility-tag KEY=VALUE".into(),
            ));
        }
    };
    let origins = args.origins.as_deref().map(read_origins).transpose()?;
    Ok(Prepared::new(
        engine,
        municipalities,
        facilities,
        origins.as_deref(),
    ))
}

pub fn coverage(args: CoverageArgs) -> Result<(), CliError> {
    let need = args.need()?;
    // Fail on an unwritable output before the work.
    let out = args
        .out
        .as_ref()
        .map(|p| AtomicFile::create(p).map_err(|e| input_err(p, format!("cannot write: {e}"))))
        .transpose()?;
    let engine = args.graph.engine()?;
    let prepared = prepare(&args, &engine)?;
    let mut ws = Workspace::default();
    let result = prepared.coverage(&engine, &mut ws, &need);
    for (id, why) in &result.unsnapped_facilities {
        tracing::warn!("facility {id} is left out: {why}");
    }
    let text = match args.format {
        Format::Text => report::to_text(&result),
        Format::Geojson => format!(
            "{}\n",
            report::to_geojson(&result, &prepared.municipalities)
        ),
        Format::Csv => report::to_csv(&result),
        Format::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&report::to_json(&result)).unwrap_or_default()
        ),
    };
    match (out, &args.out) {
        (Some(mut f), Some(p)) => {
            use std::io::Write;
            f.file()
                .write_all(text.as_bytes())
                .map_err(|e| input_err(p, format!("cannot write: {e}")))?;
            f.commit()
                .map_err(|e| input_err(p, format!("cannot write: {e}")))?;
        }
        _ => {
            use std::io::Write;
            let mut o = std::io::stdout().lock();
            let _ = o.write_all(text.as_bytes()).and_then(|_| o.flush());
        }
    }
    Ok(())
}
