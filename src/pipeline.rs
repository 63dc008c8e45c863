//! `nabij build`: OSM PBF → graph file, as one library call the CLI and tests share.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::graph::build::{BuildError, build_graph};
use crate::graph::file::{AtomicFile, GraphFileError, write_graph};
use crate::graph::{GraphMeta, RoadGraph};
use crate::ingest::{CarProfile, IngestError, read_network};
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
    /// Seconds spent contracting, if a hierarchy was added.
    pub hierarchy_s: Option<f64>,
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
    // Hash the source on a second thread while the first pass reads it.
    let (hash, raw) = std::thread::scope(|s| {
        let hasher = s.spawn(|| hash_file(osm));
        let raw = guard_decoder(osm, || read_network(osm, profile, progress));
        (hasher.join(), raw)
    });
    let raw = raw?;
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
    /// For graphs of at most [`AUTO_HIERARCHY_MAX_NODES`] nodes.
    #[default]
    Auto,
    Always,
    Never,
}

/// The largest graph `auto` contracts. Contraction cost grows faster than the graph: on the
/// synthetic Netherlands-size grid (4.6 M nodes) it takes minutes, beyond the build budget
/// (docs/BENCHMARKS.md); a city or province contracts in seconds.
pub const AUTO_HIERARCHY_MAX_NODES: usize = 1_000_000;

/// Adds a contraction hierarchy to `g` if `mode` asks for one; returns the seconds it took.
pub fn add_hierarchy(g: &mut RoadGraph, mode: HierarchyMode, progress: &Progress) -> Option<f64> {
    let wanted = match mode {
        HierarchyMode::Auto => g.node_count() <= AUTO_HIERARCHY_MAX_NODES,
        HierarchyMode::Always => true,
        HierarchyMode::Never => false,
    };
    if !wanted || g.node_count() == 0 {
        return None;
    }
    let start = Instant::now();
    let bar = progress.bar(g.node_count() as u64, "contracting");
    let h = crate::graph::contract::contract(g, &|done| bar.set_position(done as u64));
    bar.finish_and_clear();
    g.meta.stats.hierarchy_arcs = h.arcs.len() as u64;
    g.hierarchy = Some(h);
    Some(start.elapsed().as_secs_f64())
}

/// The whole `nabij build`: the output file is created first (so an unwritable path fails
/// at once) and renamed into place only when complete.
pub fn build_to_file(
    osm: &Path,
    out: &Path,
    profile: &CarProfile,
    progress: &Progress,
) -> Result<BuildReport, PipelineError> {
    build_to_file_with(osm, out, profile, HierarchyMode::Auto, progress)
}

/// [`build_to_file`] with a choice about the contraction hierarchy.
pub fn build_to_file_with(
    osm: &Path,
    out: &Path,
    profile: &CarProfile,
    hierarchy: HierarchyMode,
    progress: &Progress,
) -> Result<BuildReport, PipelineError> {
    let start = Instant::now();
    let file = AtomicFile::create(out).map_err(|source| PipelineError::Output {
        path: out.to_path_buf(),
        source,
    })?;
    let mut g = build_in_memory(osm, profile, progress)?;
    let hierarchy_s = add_hierarchy(&mut g, hierarchy, progress);
    let spinner = progress.spinner("writing graph");
    write_graph(&g, file, out)?;
    spinner.finish_and_clear();
    let file_bytes = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    Ok(BuildReport {
        meta: g.meta,
        wall_s: start.elapsed().as_secs_f64(),
        hierarchy_s,
        file_bytes,
    })
}
