//! One configuration for every command and the service, in layers: defaults → TOML file
//! (`--config` or `NABIJ_CONFIG`) → environment (`NABIJ_*`) → flags. The demo is resolved
//! here and nowhere else.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::error::AppError;
use crate::analysis::MunicipalityFields;

pub use super::demo::DEMO_DIR;

/// One layer of settings; every key optional. The TOML file has these keys (a subset of the
/// flags, with underscores); the CLI fills one from its flags.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConfigLayer {
    pub demo: Option<bool>,
    pub graph: Option<PathBuf>,
    pub municipalities: Option<PathBuf>,
    pub municipalities_osm: Option<PathBuf>,
    pub admin_level: Option<u8>,
    pub facilities: Option<PathBuf>,
    pub facilities_osm: Option<PathBuf>,
    pub facility_tag: Option<String>,
    pub grouping_csv: Option<Vec<PathBuf>>,
    pub origins: Option<PathBuf>,
    /// The weight column or property of the origins file (default `weight`).
    pub origins_weight: Option<String>,
    /// A demand file (`code,demand`).
    pub demand: Option<PathBuf>,
    pub code_field: Option<String>,
    pub name_field: Option<String>,
    pub population_field: Option<String>,
    pub max_snap_m: Option<f64>,
    pub listen: Option<String>,
    pub workers: Option<usize>,
    /// Longest a single computation may take before the client gets a 503.
    pub compute_timeout_s: Option<u64>,
    /// Computations the service runs at once (default: the number of cores).
    pub max_computations: Option<usize>,
    /// Computations that may wait for one (default: four per core); more get a 503.
    pub max_waiting: Option<usize>,
    /// How long a request body may take to arrive, in seconds (plus its length at 64 KiB/s).
    pub body_timeout_s: Option<u64>,
    /// Client connections held at once (default: what the open-file limit allows, less a
    /// reserve); more wait in the listen queue.
    pub max_connections: Option<usize>,
    /// The SQLite database of saved scenarios (created on first write).
    pub database: Option<PathBuf>,
    /// The bearer token that scenario writes over HTTP must carry (none: writes are off).
    pub write_token: Option<String>,
    /// A basemap for the map page: an XYZ tile URL (`https://host/{z}/{x}/{y}.png`); its
    /// origin is the only one the page may load images from.
    pub basemap_url: Option<String>,
    /// The basemap's attribution, shown on the map.
    pub basemap_attribution: Option<String>,
}

impl ConfigLayer {
    /// `other`'s keys replace ours where it has them.
    pub fn merge(mut self, other: ConfigLayer) -> Self {
        macro_rules! take {
            ($($f:ident),*) => { $( if other.$f.is_some() { self.$f = other.$f; } )* };
        }
        take!(
            demo,
            graph,
            municipalities,
            municipalities_osm,
            admin_level,
            facilities,
            facilities_osm,
            facility_tag,
            grouping_csv,
            origins,
            origins_weight,
            demand,
            code_field,
            name_field,
            population_field,
            max_snap_m,
            listen,
            workers,
            compute_timeout_s,
            max_computations,
            max_waiting,
            body_timeout_s,
            max_connections,
            database,
            write_token,
            basemap_url,
            basemap_attribution
        );
        self
    }

    /// Reads a TOML layer.
    pub fn from_toml_file(path: &Path) -> Result<Self, AppError> {
        let text = crate::limits::read_to_string(path).map_err(|e| AppError::Config {
            source_name: path.display().to_string(),
            message: e.to_string(),
        })?;
        toml::from_str(&text).map_err(|e| {
            let mut message = e.message().to_string();
            const NEED_KEYS: [&str; 8] = [
                "`minutes`",
                "`limit_minutes`",
                "`type`",
                "`types`",
                "`age`",
                "`direction`",
                "`as_of`",
                "`profile`",
            ];
            if NEED_KEYS
                .iter()
                .any(|k| message.contains(&format!("unknown field {k}")))
            {
                message.push_str(
                    " (the question itself belongs in a need profile: --need FILE.toml, see docs/ANALYSIS.md)",
                );
            }
            AppError::Config {
                source_name: path.display().to_string(),
                message,
            }
        })
    }

    /// The environment layer: `NABIJ_GRAPH`, `NABIJ_MUNICIPALITIES`, `NABIJ_FACILITIES`,
    /// `NABIJ_LISTEN`, `NABIJ_WORKERS`, `NABIJ_COMPUTE_TIMEOUT_S`, `NABIJ_DATABASE`,
    /// `NABIJ_WRITE_TOKEN`.
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Result<Self, AppError> {
        let number = |key: &str| -> Result<Option<u64>, AppError> {
            env(key)
                .map(|v| {
                    v.trim().parse::<u64>().map_err(|_| AppError::Config {
                        source_name: key.to_string(),
                        message: format!("{v:?} is not a whole number"),
                    })
                })
                .transpose()
        };
        Ok(ConfigLayer {
            graph: env("NABIJ_GRAPH").map(PathBuf::from),
            municipalities: env("NABIJ_MUNICIPALITIES").map(PathBuf::from),
            facilities: env("NABIJ_FACILITIES").map(PathBuf::from),
            listen: env("NABIJ_LISTEN"),
            workers: number("NABIJ_WORKERS")?.map(|n| n as usize),
            compute_timeout_s: number("NABIJ_COMPUTE_TIMEOUT_S")?,
            database: env("NABIJ_DATABASE").map(PathBuf::from),
            write_token: env("NABIJ_WRITE_TOKEN"),
            basemap_url: env("NABIJ_BASEMAP_URL"),
            ..Default::default()
        })
    }
}

/// Connections the open-file limit leaves room for: one descriptor each, less a reserve for
/// the graph, the database, the listener and the computations' socket duplicates.
fn connections_the_limit_allows() -> usize {
    const RESERVE: u64 = 128;
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one rlimit into the local we own.
    let ok = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } == 0;
    let files = if ok { lim.rlim_cur } else { 1024 };
    usize::try_from(files.saturating_sub(RESERVE).clamp(16, 25_000)).unwrap_or(1024)
}

fn cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
}

/// Where the road graph comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum GraphSource {
    /// A `.nbg` file from `nabij build`.
    File(PathBuf),
    /// An OSM PBF built in memory (the demo).
    Pbf(PathBuf),
}

/// Where the municipalities come from.
#[derive(Debug, Clone, PartialEq)]
pub enum MunicipalitySource {
    GeoJson(PathBuf),
    Osm { path: PathBuf, admin_level: u8 },
}

/// Where the facilities come from.
#[derive(Debug, Clone, PartialEq)]
pub enum FacilitySource {
    File(PathBuf),
    Osm {
        path: PathBuf,
        key: String,
        value: String,
    },
}

/// The configuration after all layers, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The bundled demo region is used.
    pub demo: bool,
    pub graph: GraphSource,
    pub municipalities: Option<MunicipalitySource>,
    pub facilities: Option<FacilitySource>,
    pub groupings: Vec<PathBuf>,
    pub origins: Option<PathBuf>,
    /// The weight column or property of the origins file.
    pub origins_weight: String,
    pub demand: Option<PathBuf>,
    pub fields: MunicipalityFields,
    pub max_snap_m: f64,
    pub listen: String,
    pub workers: usize,
    pub compute_timeout_s: u64,
    pub max_computations: usize,
    pub max_waiting: usize,
    pub body_timeout_s: u64,
    /// Client connections at once, over all workers.
    pub max_connections: usize,
    /// The scenario database: `--database`, else `NABIJ_DATABASE`, else
    /// `$XDG_DATA_HOME/nabij/scenarios.sqlite` (`~/.local/share/...`), else
    /// `nabij-scenarios.sqlite` here.
    pub database: PathBuf,
    /// No database was named: [`Config::database`] is the default location, whose folder
    /// may be made.
    pub database_is_default: bool,
    pub write_token: Option<String>,
    /// The map page's basemap, checked.
    pub basemap: Option<Basemap>,
}

/// A basemap of XYZ tiles for the map page.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Basemap {
    /// `https://host/{z}/{x}/{y}.png`
    pub url: String,
    /// `https://host`: the one origin the page's Content-Security-Policy adds for images.
    #[serde(skip)]
    pub origin: String,
    pub attribution: String,
}

impl Basemap {
    /// Checks a tile URL: http(s), a plain host, and the `{z}`, `{x}`, `{y}` placeholders.
    pub fn parse(url: &str, attribution: Option<&str>) -> Result<Self, AppError> {
        let bad = |why: &str| {
            AppError::Usage(format!(
                "basemap URL {url:?} {why}; give e.g. https://tile.example.org/{{z}}/{{x}}/{{y}}.png"
            ))
        };
        let rest = url
            .strip_prefix("https://")
            .map(|r| ("https://", r))
            .or_else(|| url.strip_prefix("http://").map(|r| ("http://", r)));
        let Some((scheme, rest)) = rest else {
            return Err(bad("is not http(s)"));
        };
        let host = rest.split('/').next().unwrap_or("");
        let host_ok = !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
        if !host_ok {
            return Err(bad("has no plain host name"));
        }
        if !["{z}", "{x}", "{y}"].iter().all(|p| url.contains(p)) {
            return Err(bad("lacks {z}, {x} or {y}"));
        }
        if url.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | ';' | '<' | '>')
        }) {
            return Err(bad("has characters a URL may not"));
        }
        Ok(Basemap {
            url: url.to_string(),
            origin: format!("{scheme}{host}"),
            attribution: attribution.unwrap_or("").to_string(),
        })
    }
}

/// Where scenarios are saved when no database is named.
pub fn default_database(env: &dyn Fn(&str) -> Option<String>) -> PathBuf {
    let base = env("XDG_DATA_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| env("HOME").map(|h| PathBuf::from(h).join(".local/share")));
    match base {
        Some(b) => b.join("nabij").join("scenarios.sqlite"),
        None => PathBuf::from("nabij-scenarios.sqlite"),
    }
}

impl Config {
    /// Defaults → the TOML file (`config_file`, else `NABIJ_CONFIG`) → the environment →
    /// `flags`; then resolved and checked.
    pub fn layered(
        config_file: Option<&Path>,
        env: &dyn Fn(&str) -> Option<String>,
        flags: ConfigLayer,
    ) -> Result<Self, AppError> {
        let file = config_file
            .map(Path::to_path_buf)
            .or_else(|| env("NABIJ_CONFIG").map(PathBuf::from));
        let mut layer = ConfigLayer::default();
        if let Some(file) = &file {
            layer = layer.merge(ConfigLayer::from_toml_file(file)?);
        }
        layer = layer.merge(ConfigLayer::from_env(env)?);
        Self::resolve(layer.merge(flags))
    }

    /// The demo with every default.
    pub fn demo() -> Self {
        Self::resolve(ConfigLayer {
            demo: Some(true),
            ..Default::default()
        })
        .unwrap_or_else(|_| unreachable!("the demo configuration is valid"))
    }

    /// Resolves one merged layer: the demo when asked for, or when no graph and no inputs
    /// are named at all; defaults for the rest.
    pub fn resolve(l: ConfigLayer) -> Result<Self, AppError> {
        let usage = |m: String| Err(AppError::Usage(m));
        let named_inputs = l.graph.is_some()
            || l.municipalities.is_some()
            || l.municipalities_osm.is_some()
            || l.facilities.is_some()
            || l.facilities_osm.is_some();
        if l.demo == Some(true) && l.graph.is_some() {
            return usage("give --graph or --demo, not both".into());
        }
        let demo = l.demo.unwrap_or(!named_inputs);
        let demo_dir_buf = if demo {
            super::demo::dir()
        } else {
            PathBuf::from(DEMO_DIR)
        };
        let demo_dir = demo_dir_buf.as_path();
        let graph = match (&l.graph, demo) {
            (Some(p), _) => GraphSource::File(p.clone()),
            (None, true) => GraphSource::Pbf(demo_dir.join("nabijland.osm.pbf")),
            (None, false) => return usage("give --graph FILE.nbg (or --demo)".into()),
        };
        if l.municipalities.is_some() && l.municipalities_osm.is_some() {
            return usage("give --municipalities or --municipalities-osm, not both".into());
        }
        if l.facilities.is_some() && l.facilities_osm.is_some() {
            return usage("give --facilities or --facilities-osm, not both".into());
        }
        let municipalities = match (&l.municipalities, &l.municipalities_osm) {
            (Some(p), _) => Some(MunicipalitySource::GeoJson(p.clone())),
            (None, Some(p)) => Some(MunicipalitySource::Osm {
                path: p.clone(),
                admin_level: l.admin_level.unwrap_or(8),
            }),
            (None, None) if demo => Some(MunicipalitySource::GeoJson(
                demo_dir.join("municipalities.geojson"),
            )),
            (None, None) => None,
        };
        let facilities = match (&l.facilities, &l.facilities_osm) {
            (Some(p), _) => Some(FacilitySource::File(p.clone())),
            (None, Some(p)) => {
                let tag = l.facility_tag.clone().unwrap_or_default();
                let Some((k, v)) = tag
                    .split_once('=')
                    .filter(|(k, v)| !k.trim().is_empty() && !v.trim().is_empty())
                else {
                    return usage(format!(
                        "--facility-tag {tag:?} must be KEY=VALUE, e.g. amenity=hospital"
                    ));
                };
                Some(FacilitySource::Osm {
                    path: p.clone(),
                    key: k.trim().to_string(),
                    value: v.trim().to_string(),
                })
            }
            (None, None) if demo => Some(FacilitySource::File(demo_dir.join("facilities.csv"))),
            (None, None) => None,
        };
        // The demo's grouping belongs to the demo's municipalities only.
        let groupings = match l.grouping_csv {
            Some(g) if !g.is_empty() => g,
            _ if demo && l.municipalities.is_none() && l.municipalities_osm.is_none() => {
                vec![demo_dir.join("zorggebieden.csv")]
            }
            _ => Vec::new(),
        };
        let mut fields = MunicipalityFields::default();
        if let Some(f) = l.code_field {
            fields.code = f;
        }
        if let Some(f) = l.name_field {
            fields.name = f;
        }
        if let Some(f) = l.population_field
            && !fields.population.contains(&f)
        {
            fields.population.insert(0, f);
        }
        let config = Config {
            demo,
            graph,
            municipalities,
            facilities,
            groupings,
            origins: l.origins,
            origins_weight: l.origins_weight.unwrap_or_else(|| "weight".into()),
            demand: l.demand,
            fields,
            max_snap_m: l.max_snap_m.unwrap_or(1000.0),
            listen: l.listen.unwrap_or_else(|| "127.0.0.1:8080".into()),
            workers: l.workers.unwrap_or_else(|| {
                std::thread::available_parallelism()
                    .map(|n| n.get())
                    .unwrap_or(2)
            }),
            compute_timeout_s: l.compute_timeout_s.unwrap_or(60),
            max_computations: l.max_computations.unwrap_or(cores()),
            max_waiting: l.max_waiting.unwrap_or(4 * cores()),
            body_timeout_s: l.body_timeout_s.unwrap_or(10),
            max_connections: l
                .max_connections
                .unwrap_or_else(connections_the_limit_allows),
            database_is_default: l.database.is_none(),
            database: l
                .database
                .unwrap_or_else(|| default_database(&|k| std::env::var(k).ok())),
            write_token: l.write_token.filter(|t| !t.is_empty()),
            basemap: l
                .basemap_url
                .as_deref()
                .filter(|u| !u.is_empty())
                .map(|u| Basemap::parse(u, l.basemap_attribution.as_deref()))
                .transpose()?,
        };
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), AppError> {
        let usage = |m: String| Err(AppError::Usage(m));
        if !(self.max_snap_m.is_finite() && self.max_snap_m > 0.0 && self.max_snap_m <= 100_000.0) {
            return usage(format!(
                "--max-snap-m {} must be a positive number of metres (at most 100000)",
                self.max_snap_m
            ));
        }
        if self.listen.parse::<std::net::SocketAddr>().is_err() {
            return usage(format!(
                "listen address {:?} is not HOST:PORT (e.g. 127.0.0.1:8080)",
                self.listen
            ));
        }
        if self.workers == 0 || self.workers > 256 {
            return usage(format!(
                "workers {} must be between 1 and 256",
                self.workers
            ));
        }
        if self.max_computations == 0 || self.max_computations > 1024 || self.max_waiting > 100_000
        {
            return usage(format!(
                "max_computations {} must be between 1 and 1024, max_waiting {} at most 100000",
                self.max_computations, self.max_waiting
            ));
        }
        if let Some(t) = &self.write_token
            && (t.len() < 16 || t.chars().any(|c| c.is_whitespace() || c.is_control()))
        {
            return usage(
                "the write token must be at least 16 characters without spaces (e.g. from `openssl rand -hex 16`)".into(),
            );
        }
        if self.body_timeout_s == 0 || self.body_timeout_s > 3600 {
            return usage("body_timeout_s must be between 1 and 3600".into());
        }
        if self.max_connections == 0 {
            return usage("max_connections must be at least 1".into());
        }
        if self.compute_timeout_s == 0 {
            return usage("compute_timeout_s must be at least 1".into());
        }
        Ok(())
    }

    /// The scenario database (nothing is opened until it is used).
    pub fn store(&self) -> crate::store::Store {
        if self.database_is_default {
            crate::store::Store::at_default(&self.database)
        } else {
            crate::store::Store::new(&self.database)
        }
    }

    /// Every input file the configuration names (for refusing an output over an input).
    pub fn input_files(&self) -> Vec<PathBuf> {
        let mut v = Vec::new();
        match &self.graph {
            GraphSource::File(p) | GraphSource::Pbf(p) => v.push(p.clone()),
        }
        match &self.municipalities {
            Some(MunicipalitySource::GeoJson(p)) => v.push(p.clone()),
            Some(MunicipalitySource::Osm { path, .. }) => v.push(path.clone()),
            None => {}
        }
        match &self.facilities {
            Some(FacilitySource::File(p)) => v.push(p.clone()),
            Some(FacilitySource::Osm { path, .. }) => v.push(path.clone()),
            None => {}
        }
        v.extend(self.groupings.iter().cloned());
        v.extend(self.origins.iter().cloned());
        v.extend(self.demand.iter().cloned());
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn nothing_named_is_the_demo_and_a_graph_alone_is_not() {
        let c = Config::layered(None, &no_env, ConfigLayer::default()).expect("demo");
        assert!(c.demo);
        assert_eq!(c.groupings.len(), 1);
        let c = Config::layered(
            None,
            &no_env,
            ConfigLayer {
                graph: Some("x.nbg".into()),
                ..Default::default()
            },
        )
        .expect("graph");
        assert!(!c.demo);
        assert_eq!(c.municipalities, None);
        let e = Config::layered(
            None,
            &no_env,
            ConfigLayer {
                municipalities: Some("m.geojson".into()),
                ..Default::default()
            },
        )
        .expect_err("no graph");
        assert!(e.to_string().contains("--graph"), "{e}");
    }

    #[test]
    fn flags_beat_environment_beat_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("nabij.toml");
        std::fs::write(&file, "listen = \"127.0.0.1:1\"\nworkers = 3\n").expect("write");
        let env = |k: &str| (k == "NABIJ_LISTEN").then(|| "127.0.0.1:2".to_string());
        let c = Config::layered(Some(&file), &env, ConfigLayer::default()).expect("layers");
        assert_eq!((c.listen.as_str(), c.workers), ("127.0.0.1:2", 3));
        let flags = ConfigLayer {
            listen: Some("127.0.0.1:3".into()),
            ..Default::default()
        };
        let c = Config::layered(Some(&file), &env, flags).expect("layers");
        assert_eq!(c.listen, "127.0.0.1:3");
        std::fs::write(&file, "lissen = 1\n").expect("write");
        let e = Config::layered(Some(&file), &no_env, ConfigLayer::default()).expect_err("bad key");
        assert!(e.to_string().contains("lissen"), "{e}");
    }
}
