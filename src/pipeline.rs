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

/// The whole `nabij build`: the output file is created first (so an unwritable path fails
/// at once) and renamed into place only when complete.
pub fn build_to_file(
    osm: &Path,
    out: &Path,
    profile: &CarProfile,
    progress: &Progress,
) -> Result<BuildReport, PipelineError> {
    let start = Instant::now();
    let file = AtomicFile::create(out).map_err(|source| PipelineError::Output {
        path: out.to_path_buf(),
        source,
    })?;
    let g = build_in_memory(osm, profile, progress)?;
    let spinner = progress.spinner("writing graph");
    write_graph(&g, file, out)?;
    spinner.finish_and_clear();
    let file_bytes = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    Ok(BuildReport {
        meta: g.meta,
        wall_s: start.elapsed().as_secs_f64(),
        file_bytes,
    })
}
