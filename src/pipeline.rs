//! `nabij build`: OSM PBF → graph file, as one library call the CLI and tests share.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::graph::build::{BuildError, build_graph};
use crate::graph::file::{AtomicFile, GraphFileError, write_graph};
use crate::graph::{GraphMeta, RoadGraph};
use crate::ingest::{CarProfile, IngestError, SpeedOverrides, read_network};
use crate::progress::Progress;

/// Errors of the whole build.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Ingest(#[from] IngestError),
    #[error(transparent)]
    Build(#[from] BuildError),
    #[error(transparent)]
    File(#[from] GraphFileError),
    #[error("cannot write {path}: {source}")]
    Output {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// What a build did, for the summary line.
#[derive(Debug, Clone)]
pub struct BuildReport {
    pub meta: GraphMeta,
    pub wall_s: f64,
    /// What became of the contraction hierarchy.
    pub hierarchy: HierarchyOutcome,
    pub file_bytes: u64,
}

/// xxh3-64 of a file, streamed.
pub fn hash_file(path: &Path) -> std::io::Result<(u64, u64)> {
    let mut f = std::fs::File::open(path)?;
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        total += n as u64;
        h.update(&buf[..n]);
    }
    Ok((h.digest(), total))
}

/// Runs a PBF reader, turning a panic inside the decoder (osmpbf unwraps on some malformed
/// data) into a "damaged file" error: bad input must never crash nabij.
pub fn guard_decoder<T>(
    path: &Path,
    f: impl FnOnce() -> Result<T, IngestError>,
) -> Result<T, IngestError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(IngestError::Damaged {
            path: path.to_path_buf(),
            detail: "the PBF decoder failed on malformed data".into(),
        })
    })
}

/// Reads `osm`, builds the graph with `profile`, returns it with its metadata filled in.
pub fn build_in_memory(
    osm: &Path,
    profile: &CarProfile,
    progress: &Progress,
) -> Result<RoadGraph, PipelineError> {
    build_in_memory_with(osm, profile, None, progress)
}

/// [`build_in_memory`] with measured speeds per way replacing the profile's.
pub fn build_in_memory_with(
    osm: &Path,
    profile: &CarProfile,
    speeds: Option<&SpeedOverrides>,
    progress: &Progress,
) -> Result<RoadGraph, PipelineError> {
    // Hash the source on a second thread while the first pass reads it.
    let (hash, raw) = std::thread::scope(|s| {
        let hasher = s.spawn(|| hash_file(osm));
        let raw = guard_decoder(osm, || read_network(osm, profile, progress));
        (hasher.join(), raw)
    });
    let mut raw = raw?;
    let applied = speeds.map(|o| (o.source.clone(), o.apply(&mut raw)));
    let (digest, size) = match hash {
        Ok(Ok(v)) => v,
        Ok(Err(source)) => {
            return Err(IngestError::Open {
                path: osm.to_path_buf(),
                source,
            }
            .into());
        }
        Err(_) => {
            // A hash recorded as 0 would claim a provenance nobody can check: fail instead.
            return Err(IngestError::Damaged {
                path: osm.to_path_buf(),
                detail: "hashing the file failed unexpectedly".into(),
            }
            .into());
        }
    };
    let writing_program = raw.writing_program.clone();
    let meta = GraphMeta {
        nabij_version: env!("CARGO_PKG_VERSION").to_string(),
        source_file: osm
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        source_size_bytes: size,
        source_xxh3: format!("{digest:016x}"),
        synthetic_roads: writing_program
            .as_deref()
            .is_some_and(|p| p.starts_with(crate::ingest::SYNTHETIC_WRITING_PROGRAM)),
        source_writing_program: writing_program,
        speed_file: applied.as_ref().map(|a| a.0.clone()),
        speed_overrides: applied.map(|a| a.1).unwrap_or_default(),
        ..Default::default()
    };
    let spinner = progress.spinner("building graph");
    let g = build_graph(&raw, profile, meta);
    spinner.finish_and_clear();
    Ok(g?)
}

/// Whether `nabij build` adds a contraction hierarchy to the graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HierarchyMode {
    /// Always for graphs of at most [`AUTO_HIERARCHY_MAX_NODES`] nodes; for larger ones
    /// unless the remaining graph turns dense early ([`gives_up`]).
    #[default]
    Auto,
    Always,
    Never,
}

/// Up to this size `auto` always contracts: even the worst case, a pure street grid, takes
/// under half a minute (docs/BENCHMARKS.md).
pub const AUTO_HIERARCHY_MAX_NODES: usize = 1_000_000;

/// `auto` gives up on a larger graph when more than this share of its nodes is left ...
pub const AUTO_GIVE_UP_REMAINING_SHARE: f64 = 0.05;
/// ... with more than this many neighbours each on average.
pub const AUTO_GIVE_UP_MEAN_DEGREE: f64 = 8.0;

/// Whether `auto` stops contracting a graph of more than [`AUTO_HIERARCHY_MAX_NODES`]
/// nodes. Road networks keep a sparse remaining graph until the last few percent of their
/// nodes (the Netherlands-size synthetic network with organic streets: mean degree 4.9 with
/// 5.6 % left; real extracts alike); a street grid's long separators make it dense early
/// (mean degree 8.6 with 34 % left), and contracting it would take minutes. Deciding on the
/// graph's own state keeps builds reproducible, where a time limit would not be.
pub fn gives_up(state: crate::graph::contract::RoundState) -> bool {
    state.node_count > AUTO_HIERARCHY_MAX_NODES
        && state.remaining as f64 > AUTO_GIVE_UP_REMAINING_SHARE * state.node_count as f64
        && state.mean_degree > AUTO_GIVE_UP_MEAN_DEGREE
}

/// What became of the contraction hierarchy in a build.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum HierarchyOutcome {
    /// Added; contraction took this many seconds.
    Added { seconds: f64 },
    /// `--hierarchy never`.
    NotAsked,
    /// `auto` gave up after this many seconds (see [`gives_up`]).
    GaveUp {
        seconds: f64,
        remaining: usize,
        mean_degree: f64,
    },
}

/// Adds a contraction hierarchy to `g` if `mode` asks for one, and says what became of it.
pub fn add_hierarchy(
    g: &mut RoadGraph,
    mode: HierarchyMode,
    progress: &Progress,
) -> HierarchyOutcome {
    if mode == HierarchyMode::Never || g.node_count() == 0 {
        return HierarchyOutcome::NotAsked;
    }
    let start = Instant::now();
    let bar = progress.bar(g.node_count() as u64, "contracting");
    let h = crate::graph::contract::contract_unless(
        g,
        &|done| bar.set_position(done as u64),
        &|state| mode == HierarchyMode::Auto && gives_up(state),
    );
    bar.finish_and_clear();
    let seconds = start.elapsed().as_secs_f64();
    match h {
        Ok(h) => {
            g.meta.stats.hierarchy_arcs = h.arcs.len() as u64;
            g.hierarchy = Some(h);
            HierarchyOutcome::Added { seconds }
        }
        Err(state) => HierarchyOutcome::GaveUp {
            seconds,
            remaining: state.remaining,
            mean_degree: state.mean_degree,
        },
    }
}

/// The whole `nabij build`: the output file is created first (so an unwritable path fails
/// at once) and renamed into place only when complete.
pub fn build_to_file(
    osm: &Path,
    out: &Path,
    profile: &CarProfile,
    progress: &Progress,
) -> Result<BuildReport, PipelineError> {
    build_to_file_with(osm, out, profile, None, HierarchyMode::Auto, progress)
}

/// [`build_to_file`] with a choice about the contraction hierarchy.
pub fn build_to_file_with(
    osm: &Path,
    out: &Path,
    profile: &CarProfile,
    speeds: Option<&SpeedOverrides>,
    hierarchy: HierarchyMode,
    progress: &Progress,
) -> Result<BuildReport, PipelineError> {
    let start = Instant::now();
    let file = AtomicFile::create(out).map_err(|source| PipelineError::Output {
        path: out.to_path_buf(),
        source,
    })?;
    let mut g = build_in_memory_with(osm, profile, speeds, progress)?;
    let hierarchy = add_hierarchy(&mut g, hierarchy, progress);
    let spinner = progress.spinner("writing graph");
    write_graph(&g, file, out)?;
    spinner.finish_and_clear();
    let file_bytes = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    Ok(BuildReport {
        meta: g.meta,
        wall_s: start.elapsed().as_secs_f64(),
        hierarchy,
        file_bytes,
    })
}
