//! The `.nbg` graph file.
//!
//! Layout (all integers little-endian):
//!
//! | bytes | content |
//! |---|---|
//! | 8 | magic `NABIJGRF` |
//! | 4 | format version (`FORMAT_VERSION`) |
//! | 4 | length `h` of the JSON header |
//! | h | [`GraphMeta`] as JSON (source size and xxh3, profile hash, counts) |
//! | … | 11 sections, each a `u64` byte length then raw little-endian array bytes, in the order of [`SECTIONS`] |
//! | 8 | xxh3-64 of every byte before it |
//!
//! The file is written to a temporary file next to the target and renamed into place only
//! when complete, so a crash never leaves half a file. Loading checks magic, version and
//! checksum before it trusts a single length, then the graph's invariants. The adjacency
//! arrays are rebuilt on load (O(E)) rather than stored, which keeps the file small.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::{GraphMeta, RoadGraph};

pub const MAGIC: &[u8; 8] = b"NABIJGRF";
pub const FORMAT_VERSION: u32 = 1;

/// Section names, in file order (for error messages).
pub const SECTIONS: [&str; 11] = [
    "node_lat_e7",
    "node_lon_e7",
    "edge_from",
    "edge_to",
    "edge_length_m",
    "edge_time_fw_ms",
    "edge_time_bw_ms",
    "edge_class",
    "edge_shape_first",
    "shape_lat_e7",
    "shape_lon_e7",
];

/// Errors from reading or writing a graph file.
#[derive(Debug, thiserror::Error)]
pub enum GraphFileError {
    #[error("cannot read graph {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write graph {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a nabij graph file (build one with `nabij build`)")]
    NotAGraph { path: PathBuf },
    #[error(
        "{path} has graph format version {found}, this nabij reads version {FORMAT_VERSION}: rebuild it with `nabij build`"
    )]
    Version { path: PathBuf, found: u32 },
    #[error("{path} is corrupt ({detail}); rebuild it with `nabij build`")]
    Corrupt { path: PathBuf, detail: String },
}

fn section_bytes(g: &RoadGraph) -> [&[u8]; 11] {
    [
        bytemuck::cast_slice(&g.node_lat_e7),
        bytemuck::cast_slice(&g.node_lon_e7),
        bytemuck::cast_slice(&g.edge_from),
        bytemuck::cast_slice(&g.edge_to),
        bytemuck::cast_slice(&g.edge_length_m),
        bytemuck::cast_slice(&g.edge_time_fw_ms),
        bytemuck::cast_slice(&g.edge_time_bw_ms),
        bytemuck::cast_slice(&g.edge_class),
        bytemuck::cast_slice(&g.edge_shape_first),
        bytemuck::cast_slice(&g.shape_lat_e7),
        bytemuck::cast_slice(&g.shape_lon_e7),
    ]
}

/// A writer that hashes what passes through it.
struct HashingWriter<W: Write> {
    inner: W,
    hasher: xxhash_rust::xxh3::Xxh3,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A temporary file beside `target` that is removed unless [`AtomicFile::commit`] renames it
/// into place. Every writer in nabij uses it, so that no output is ever half-written.
pub struct AtomicFile {
    tmp: PathBuf,
    target: PathBuf,
    file: File,
    committed: bool,
}

impl AtomicFile {
    /// Creates the temporary file now, so an unwritable destination fails before any work.
    pub fn create(target: &Path) -> std::io::Result<Self> {
        if target.is_dir() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::IsADirectory,
                "the output path is a directory",
            ));
        }
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "no file name"))?;
        let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
        let file = File::create(&tmp)?;
        Ok(AtomicFile {
            tmp,
            target: target.to_path_buf(),
            file,
            committed: false,
        })
    }

    pub fn file(&mut self) -> &mut File {
        &mut self.file
    }

    /// Flushes to disk and renames into place.
    pub fn commit(mut self) -> std::io::Result<()> {
        self.file.sync_all()?;
        std::fs::rename(&self.tmp, &self.target)?;
        self.committed = true;
        Ok(())
    }

    /// Writes `bytes` to `target` atomically.
    pub fn write_all(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
        let mut f = AtomicFile::create(target)?;
        f.file().write_all(bytes)?;
        f.commit()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Writes the graph atomically to `path`.
pub fn write_graph(g: &RoadGraph, mut out: AtomicFile, path: &Path) -> Result<(), GraphFileError> {
    let werr = |source| GraphFileError::Write {
        path: path.to_path_buf(),
        source,
    };
    {
        let mut w = HashingWriter {
            inner: BufWriter::with_capacity(1 << 20, out.file()),
            hasher: xxhash_rust::xxh3::Xxh3::new(),
        };
        let header =
            serde_json::to_vec(&g.meta).map_err(|e| werr(std::io::Error::other(e.to_string())))?;
        w.write_all(MAGIC).map_err(werr)?;
        w.write_all(&FORMAT_VERSION.to_le_bytes()).map_err(werr)?;
        w.write_all(&(header.len() as u32).to_le_bytes())
            .map_err(werr)?;
        w.write_all(&header).map_err(werr)?;
        for bytes in section_bytes(g) {
            w.write_all(&(bytes.len() as u64).to_le_bytes())
                .map_err(werr)?;
            w.write_all(bytes).map_err(werr)?;
        }
        let digest = w.hasher.digest();
        w.inner.write_all(&digest.to_le_bytes()).map_err(werr)?;
        w.inner.flush().map_err(werr)?;
    }
    out.commit().map_err(werr)
}

/// Loads and validates a graph file, and rebuilds its adjacency arrays.
pub fn read_graph(path: &Path) -> Result<RoadGraph, GraphFileError> {
    let bytes = std::fs::read(path).map_err(|source| GraphFileError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    decode_graph(&bytes, path)
}

/// Decodes a graph from bytes (the content of a `.nbg` file).
pub fn decode_graph(bytes: &[u8], path: &Path) -> Result<RoadGraph, GraphFileError> {
    let corrupt = |detail: String| GraphFileError::Corrupt {
        path: path.to_path_buf(),
        detail,
    };
    if bytes.len() < 16 || &bytes[..8] != MAGIC {
        return Err(GraphFileError::NotAGraph {
            path: path.to_path_buf(),
        });
    }
    let version = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
    if version != FORMAT_VERSION {
        return Err(GraphFileError::Version {
            path: path.to_path_buf(),
            found: version,
        });
    }
    if bytes.len() < 24 {
        return Err(corrupt("file is truncated".into()));
    }
    let body = &bytes[..bytes.len() - 8];
    let mut stored = [0u8; 8];
    stored.copy_from_slice(&bytes[bytes.len() - 8..]);
    if xxhash_rust::xxh3::xxh3_64(body) != u64::from_le_bytes(stored) {
        return Err(corrupt("checksum mismatch: truncated or modified".into()));
    }
    let mut pos = 12usize;
    let take = |pos: &mut usize, n: usize, what: &str| -> Result<&[u8], GraphFileError> {
        let end = pos
            .checked_add(n)
            .filter(|&e| e <= body.len())
            .ok_or_else(|| corrupt(format!("{what} runs past the end of the file")))?;
        let s = &body[*pos..end];
        *pos = end;
        Ok(s)
    };
    let hlen = u32::from_le_bytes(
        take(&mut pos, 4, "header length")?
            .try_into()
            .map_err(|_| corrupt("header length".into()))?,
    ) as usize;
    let meta: GraphMeta = serde_json::from_slice(take(&mut pos, hlen, "header")?)
        .map_err(|e| corrupt(format!("header: {e}")))?;
    let mut sections: Vec<&[u8]> = Vec::with_capacity(SECTIONS.len());
    for name in SECTIONS {
        let len_bytes: [u8; 8] = take(&mut pos, 8, name)?
            .try_into()
            .map_err(|_| corrupt(format!("{name} length")))?;
        let len = usize::try_from(u64::from_le_bytes(len_bytes))
            .map_err(|_| corrupt(format!("{name} length")))?;
        sections.push(take(&mut pos, len, name)?);
    }
    if pos != body.len() {
        return Err(corrupt("trailing bytes after the last section".into()));
    }
    fn arr<T: bytemuck::Pod>(
        s: &[u8],
        name: &str,
        corrupt: &dyn Fn(String) -> GraphFileError,
    ) -> Result<Vec<T>, GraphFileError> {
        if s.len() % std::mem::size_of::<T>() != 0 {
            return Err(corrupt(format!("section {name} has a partial element")));
        }
        Ok(bytemuck::pod_collect_to_vec(s))
    }
    let mut g = RoadGraph {
        meta,
        node_lat_e7: arr(sections[0], SECTIONS[0], &corrupt)?,
        node_lon_e7: arr(sections[1], SECTIONS[1], &corrupt)?,
        edge_from: arr(sections[2], SECTIONS[2], &corrupt)?,
        edge_to: arr(sections[3], SECTIONS[3], &corrupt)?,
        edge_length_m: arr(sections[4], SECTIONS[4], &corrupt)?,
        edge_time_fw_ms: arr(sections[5], SECTIONS[5], &corrupt)?,
        edge_time_bw_ms: arr(sections[6], SECTIONS[6], &corrupt)?,
        edge_class: arr(sections[7], SECTIONS[7], &corrupt)?,
        edge_shape_first: arr(sections[8], SECTIONS[8], &corrupt)?,
        shape_lat_e7: arr(sections[9], SECTIONS[9], &corrupt)?,
        shape_lon_e7: arr(sections[10], SECTIONS[10], &corrupt)?,
        ..Default::default()
    };
    // Structural checks that adjacency building relies on (cheap, O(E)).
    let n = g.node_count() as u32;
    let m = g.edge_count();
    if g.node_lon_e7.len() != n as usize
        || [
            g.edge_to.len(),
            g.edge_length_m.len(),
            g.edge_time_fw_ms.len(),
            g.edge_time_bw_ms.len(),
            g.edge_class.len(),
        ]
        .iter()
        .any(|&l| l != m)
        || g.edge_shape_first.len() != m + 1
        || g.edge_from.iter().chain(&g.edge_to).any(|&v| v >= n)
    {
        return Err(corrupt(
            "array lengths or node indices are inconsistent".into(),
        ));
    }
    if g.edge_shape_first.windows(2).any(|w| w[0] > w[1])
        || g.edge_shape_first.last().copied().unwrap_or(0) as usize != g.shape_lat_e7.len()
        || g.shape_lat_e7.len() != g.shape_lon_e7.len()
    {
        return Err(corrupt("shape offsets are inconsistent".into()));
    }
    g.rebuild_adjacency();
    Ok(g)
}
