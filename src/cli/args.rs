//! Argument groups shared by several commands, each turned into a layer of the one
//! configuration (`app::Config`): the data a command reads, and the need profile.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::CliError;
use crate::app::{AppError, Config, ConfigLayer, Direction, NeedOverrides, NeedProfile};

/// The road graph alone (travel times and isochrones).
#[derive(Debug, Args)]
pub struct GraphArgs {
    /// The road graph (.nbg) from `nabij build`.
    #[arg(long)]
    pub graph: Option<PathBuf>,
    /// Use the bundled demo region (embedded in nabij; its road graph is built in memory). Also the
    /// default when no graph and no inputs are given.
    #[arg(long)]
    pub demo: bool,
    /// Points farther than this from a drivable road cannot be placed (metres, default 1000).
    #[arg(long)]
    pub max_snap_m: Option<f64>,
    /// A TOML configuration file of the data and service settings (env NABIJ_CONFIG). Its
    /// keys: graph, demo, municipalities, municipalities_osm, admin_level, code_field,
    /// name_field, population_field, grouping_csv (a list), facilities, facilities_osm,
    /// facility_tag, origins, origins_weight, demand, max_snap_m, listen, workers, compute_timeout_s,
    /// max_computations, max_waiting, body_timeout_s, max_connections, database,
    /// write_token, basemap_url, basemap_attribution (docs/API.md). The question itself
    /// (minutes, type, age, ...) goes in a need profile: --need FILE.toml.
    #[arg(long)]
    pub config: Option<PathBuf>,
}

impl GraphArgs {
    fn layer(&self) -> ConfigLayer {
        ConfigLayer {
            demo: self.demo.then_some(true),
            graph: self.graph.clone(),
            max_snap_m: self.max_snap_m,
            ..Default::default()
        }
    }

    /// The configuration: defaults → TOML → environment → these flags.
    pub fn config(&self) -> Result<Config, CliError> {
        layered(self.config.as_deref(), self.layer())
    }
}

/// The road graph with facilities (isochrones around a facility by its id).
#[derive(Debug, Args)]
pub struct FacilityArgs {
    #[command(flatten)]
    pub graph: GraphArgs,
    /// Facilities: CSV (id,name,type,lon,lat or x,y, optional attributes) or GeoJSON points.
    #[arg(long)]
    pub facilities: Option<PathBuf>,
    /// Take facilities from this OSM extract by tag (see --facility-tag).
    #[arg(long, requires = "facility_tag")]
    pub facilities_osm: Option<PathBuf>,
    /// KEY=VALUE tag of OSM facilities, e.g. amenity=hospital (nodes and closed ways).
    #[arg(long)]
    pub facility_tag: Option<String>,
}

impl FacilityArgs {
    /// The configuration: defaults → TOML → environment → these flags.
    pub fn config(&self) -> Result<Config, CliError> {
        let flags = ConfigLayer {
            facilities: self.facilities.clone(),
            facilities_osm: self.facilities_osm.clone(),
            facility_tag: self.facility_tag.clone(),
            ..self.graph.layer()
        };
        layered(self.graph.config.as_deref(), flags)
    }
}

/// The road graph with municipalities, facilities, groupings and origins.
#[derive(Debug, Args)]
pub struct DataArgs {
    #[command(flatten)]
    pub graph: GraphArgs,
    /// Municipalities: GeoJSON FeatureCollection of (Multi)Polygons, WGS84 or RD New.
    #[arg(long)]
    pub municipalities: Option<PathBuf>,
    /// Take municipalities from the boundary relations of this OSM extract instead.
    #[arg(long)]
    pub municipalities_osm: Option<PathBuf>,
    /// admin_level of --municipalities-osm (default 8, gemeenten in the Netherlands).
    #[arg(long)]
    pub admin_level: Option<u8>,
    /// Property with the municipality code (default gemeentecode).
    #[arg(long)]
    pub code_field: Option<String>,
    /// Property with the municipality name (default gemeentenaam).
    #[arg(long)]
    pub name_field: Option<String>,
    /// Property with the number of young people (default est_0_22, then inwoners_2024;
    /// without one, every municipality weighs the same and outputs say "population unknown").
    #[arg(long)]
    pub population_field: Option<String>,
    /// A CSV mapping municipality code to a group of your own (header `code,<grouping>`,
    /// e.g. zorggebied); repeatable.
    #[arg(long)]
    pub grouping_csv: Vec<PathBuf>,
    /// Facilities: CSV (id,name,type,lon,lat or x,y, optional attributes) or GeoJSON points.
    #[arg(long)]
    pub facilities: Option<PathBuf>,
    /// Take facilities from this OSM extract by tag (see --facility-tag).
    #[arg(long, requires = "facility_tag")]
    pub facilities_osm: Option<PathBuf>,
    /// KEY=VALUE tag of OSM facilities, e.g. amenity=hospital (nodes and closed ways).
    #[arg(long)]
    pub facility_tag: Option<String>,
    /// Where young people live, instead of street length on the inhabited roads: points (CSV
    /// lon,lat or RD New x,y, or GeoJSON points) or areas (GeoJSON polygons, e.g. CBS
    /// neighbourhoods, whose young people are spread over the roads inside them), in WGS84
    /// or RD New, with a weight column (--origins-weight). docs/ANALYSIS.md, "Origins".
    #[arg(long)]
    pub origins: Option<PathBuf>,
    /// The column or property of --origins that counts the young people (default weight;
    /// e.g. aantal_inwoners_0_tot_15_jaar in CBS's wijk- en buurtkaart).
    #[arg(long, requires = "origins")]
    pub origins_weight: Option<String>,
    /// Demand per municipality: CSV `<code>,demand` (young people needing a place, e.g.
    /// current placements or a waiting list) instead of young people × the placement rate.
    #[arg(long)]
    pub demand: Option<PathBuf>,
}

impl DataArgs {
    fn layer(&self) -> ConfigLayer {
        ConfigLayer {
            municipalities: self.municipalities.clone(),
            municipalities_osm: self.municipalities_osm.clone(),
            admin_level: self.admin_level,
            code_field: self.code_field.clone(),
            name_field: self.name_field.clone(),
            population_field: self.population_field.clone(),
            grouping_csv: (!self.grouping_csv.is_empty()).then(|| self.grouping_csv.clone()),
            facilities: self.facilities.clone(),
            facilities_osm: self.facilities_osm.clone(),
            facility_tag: self.facility_tag.clone(),
            origins: self.origins.clone(),
            origins_weight: self.origins_weight.clone(),
            demand: self.demand.clone(),
            ..self.graph.layer()
        }
    }

    /// The configuration: defaults → TOML → environment → these flags (and `extra`).
    pub fn config_with(&self, extra: ConfigLayer) -> Result<Config, CliError> {
        layered(self.graph.config.as_deref(), self.layer().merge(extra))
    }

    pub fn config(&self) -> Result<Config, CliError> {
        self.config_with(ConfigLayer::default())
    }
}

fn layered(file: Option<&Path>, flags: ConfigLayer) -> Result<Config, CliError> {
    Ok(Config::layered(file, &|k| std::env::var(k).ok(), flags)?)
}

/// Which way travel is measured.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DirectionArg {
    /// Towards the facility or point, as young people travel (the default everywhere).
    To,
    /// Away from it.
    From,
}

impl From<DirectionArg> for Direction {
    fn from(d: DirectionArg) -> Self {
        match d {
            DirectionArg::From => Direction::From,
            DirectionArg::To => Direction::To,
        }
    }
}

/// What a young person needs: which facilities count, and the travel limit.
#[derive(Debug, Args)]
pub struct NeedArgs {
    /// A named need profile of the policy (kleinschalig [default]: small-scale verblijf and
    /// JeugdzorgPlus; kleinschalig_verblijf; kleinschalig_jeugdzorgplus; kvjj; and, for
    /// comparison, the large jeugdzorgplus and jji), or a need profile as a TOML file (see
    /// docs/ANALYSIS.md); the flags below override it.
    #[arg(long)]
    pub need: Option<String>,
    /// Facility type that counts; repeatable (default: the profile's types).
    #[arg(long = "type")]
    pub types: Vec<String>,
    /// An age that must lie in the facility's age range (its own, else its kind's, 8-23 for
    /// the small-scale kinds).
    #[arg(long)]
    pub age: Option<f64>,
    /// At least this many free places (a facility that does not state its free places then
    /// does not count).
    #[arg(long)]
    pub min_free_places: Option<f64>,
    /// Largest group size that counts (default: the profile's, 6; 8 for kvjj; facilities
    /// that do not state one count).
    #[arg(long)]
    pub max_group_size: Option<f64>,
    /// Carers per young person at least (default 0.25 = one per four).
    #[arg(long)]
    pub min_staff_ratio: Option<f64>,
    /// Count planned facilities too.
    #[arg(long)]
    pub include_planned: bool,
    /// Travel limit in minutes (1 to 240, default 45).
    #[arg(long)]
    pub minutes: Option<f64>,
    /// `to` the facility (default) or `from` it.
    #[arg(long, value_enum)]
    pub direction: Option<DirectionArg>,
    /// Count the facilities open on this date (YYYY-MM-DD) from their opening and closing
    /// dates, e.g. 2020-12-31 for the situation of the policy report.
    #[arg(long)]
    pub as_of: Option<String>,
    /// The grouping whose regions plan this kind (the "in the region" tier): jeugdregio,
    /// zorggebied, provincie, a custom grouping, or national (default: the profile's).
    #[arg(long)]
    pub planning_grouping: Option<String>,
    /// Young people needing a place per 10,000 (default: the national supply spread over the
    /// young people; see docs/ANALYSIS.md).
    #[arg(long)]
    pub placements_per_10k: Option<f64>,
    /// Whose travel times answer: free (free-flow, the default), peak (weekday rush hour:
    /// the profile's speed factors, docs/PROFILE.md), or both: each municipality's tier in
    /// both periods and whether it holds at every hour (robust).
    #[arg(long, value_enum)]
    pub period: Option<PeriodChoiceArg>,
    /// A municipality is kwetsbaar (fragile) when travel times changing by less than this
    /// share would change its tier (0.01 to 0.5, default 0.10).
    #[arg(long)]
    pub fragile_margin: Option<f64>,
}

/// `--period` of a coverage question.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PeriodChoiceArg {
    Free,
    Peak,
    Both,
}

impl From<PeriodChoiceArg> for crate::app::PeriodChoice {
    fn from(p: PeriodChoiceArg) -> Self {
        match p {
            PeriodChoiceArg::Free => crate::app::PeriodChoice::Free,
            PeriodChoiceArg::Peak => crate::app::PeriodChoice::Peak,
            PeriodChoiceArg::Both => crate::app::PeriodChoice::Both,
        }
    }
}

/// `--period` of a routing command: one period's travel times.
#[derive(Debug, Clone, Copy, Default, ValueEnum)]
pub enum PeriodArg {
    #[default]
    Free,
    Peak,
}

impl From<PeriodArg> for crate::app::Period {
    fn from(p: PeriodArg) -> Self {
        match p {
            PeriodArg::Free => crate::app::Period::Free,
            PeriodArg::Peak => crate::app::Period::Peak,
        }
    }
}

impl NeedArgs {
    /// Whether any need flag was given.
    pub fn is_given(&self) -> bool {
        self.need.is_some()
            || !self.types.is_empty()
            || self.age.is_some()
            || self.min_free_places.is_some()
            || self.max_group_size.is_some()
            || self.min_staff_ratio.is_some()
            || self.include_planned
            || self.minutes.is_some()
            || self.direction.is_some()
            || self.as_of.is_some()
            || self.planning_grouping.is_some()
            || self.placements_per_10k.is_some()
            || self.period.is_some()
            || self.fragile_margin.is_some()
    }

    /// The profile: the named kind (or TOML file), then the flags; checked in one place.
    pub fn profile(&self) -> Result<NeedProfile, CliError> {
        let mut o = NeedOverrides::default();
        if let Some(n) = &self.need {
            let path = Path::new(n);
            if path.is_file() || n.ends_with(".toml") {
                o = NeedOverrides::from_toml_file(path).map_err(AppError::from)?;
            } else {
                o.profile = Some(n.clone());
            }
        }
        let flags = NeedOverrides {
            types: (!self.types.is_empty()).then(|| self.types.clone()),
            age: self.age,
            min_free_places: self.min_free_places,
            max_group_size: self.max_group_size,
            min_staff_ratio: self.min_staff_ratio,
            include_planned: self.include_planned.then_some(true),
            limit_minutes: self.minutes,
            direction: self.direction.map(Direction::from),
            as_of: self.as_of.clone(),
            planning_grouping: self.planning_grouping.clone(),
            placements_per_10k: self.placements_per_10k,
            profile: None,
            expectations: None,
            period: self.period.map(Into::into),
            fragile_margin: self.fragile_margin,
        };
        Ok(NeedProfile::from_overrides(o.merge(flags)).map_err(AppError::from)?)
    }
}

/// How data outputs are laid out for their reader.
#[derive(Debug, Args)]
pub struct LayoutArgs {
    /// Language of the labels in the data (`status_label`): nl (default) or en.
    #[arg(long, value_enum, default_value = "nl")]
    pub lang: LangArg,
    /// CSV dialect: standard (comma, decimal point) or nl (semicolon, decimal comma, UTF-8
    /// with a byte-order mark: opens in columns when double-clicked in Dutch Excel).
    #[arg(long, value_enum, default_value = "standard")]
    pub csv_dialect: CsvDialectArg,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    Nl,
    En,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CsvDialectArg {
    Standard,
    Nl,
}

impl LayoutArgs {
    pub fn layout(&self) -> crate::app::report::Layout {
        crate::app::report::Layout {
            lang: match self.lang {
                LangArg::Nl => crate::app::LabelLang::Nl,
                LangArg::En => crate::app::LabelLang::En,
            },
            csv: match self.csv_dialect {
                CsvDialectArg::Standard => crate::app::report::CsvDialect::Standard,
                CsvDialectArg::Nl => crate::app::report::CsvDialect::Nl,
            },
        }
    }
}
