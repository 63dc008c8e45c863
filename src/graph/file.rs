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
//! | … | the sections of [`SECTIONS`], each a `u64` byte length then a raw little-endian array |
//! | 8 | xxh3-64 of every byte before it |
//!
//! The stored form is compact; loading expands it into [`RoadGraph`]'s arrays:
//! edges are sorted by `from`, so a per-node `node_first_edge` replaces a per-edge `from`;
//! one `edge_time_ms` plus `edge_dir` bits (1 = from→to open, 2 = to→from open) replace
//! the two per-direction times (a way has one speed); shape points are counted per edge
//! (`u16`) rather than offset. On a Netherlands-sized graph this saves about a fifth.
//!
//! Format 3 adds the peak period: one `peak_edge_time_ms` per edge (open in the same
//! directions as the free time) and the hierarchy's peak `[up, down]` times and metres per
//! arc. The order and arcs of the hierarchy are shared, so the peak costs its weights only.
//!
//! The file is written to a temporary file next to the target and renamed into place only
//! when complete, so a crash never leaves half a file. Loading streams each section straight
//! into its array while hashing, checks the checksum before the graph is used, then checks
//! the structure, and rebuilds the adjacency arrays (O(E), forward and reverse in parallel).

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use super::hierarchy::{ChArc, Hierarchy};
use super::{GraphMeta, NO_TIME, RoadGraph};

pub const MAGIC: &[u8; 8] = b"NABIJGRF";
pub const FORMAT_VERSION: u32 = 3;

/// Section names, in file order. Version 1 files end after `shape_lon_e7` (no hierarchy),
/// version 2 after `ch_arc_m` (no peak period); both are still read.
pub const SECTIONS: [&str; 20] = [
    "node_lat_e7",
    "node_lon_e7",
    "node_first_edge",
    "edge_to",
    "edge_length_m",
    "edge_time_ms",
    "edge_dir",
    "edge_class",
    "edge_way",
    "way_osm_id",
    "edge_shape_count",
    "shape_lat_e7",
    "shape_lon_e7",
    "ch_node_at",
    "ch_first",
    "ch_arcs",
    "ch_arc_m",
    "peak_edge_time_ms",
    "ch_peak_arcs",
    "ch_peak_arc_m",
];

/// Direction bits of `edge_dir`.
const DIR_FW: u8 = 1;
const DIR_BW: u8 = 2;

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
        "{path} has graph format version {found}, this nabij reads versions 1 to {FORMAT_VERSION}: rebuild it with `nabij build`"
    )]
    Version { path: PathBuf, found: u32 },
    #[error("{path} is corrupt ({detail}); rebuild it with `nabij build`")]
    Corrupt { path: PathBuf, detail: String },
}

/// The stored (compact) form of a graph's arrays.
struct Compact {
    node_first_edge: Vec<u32>,
    edge_time_ms: Vec<u32>,
    /// Empty without peak times.
    peak_edge_time_ms: Vec<u32>,
    edge_dir: Vec<u8>,
    edge_shape_count: Vec<u16>,
}

fn compact(g: &RoadGraph) -> Result<Compact, String> {
    let n = g.node_count();
    let m = g.edge_count();
    if g.edge_from.windows(2).any(|w| w[0] > w[1]) {
        return Err("edges are not sorted by their from node".into());
    }
    let mut node_first_edge = vec![0u32; n + 1];
    for &u in &g.edge_from {
        node_first_edge[u as usize + 1] += 1;
    }
    for i in 0..n {
        node_first_edge[i + 1] += node_first_edge[i];
    }
    let mut edge_time_ms = Vec::with_capacity(m);
    let mut peak_edge_time_ms = Vec::new();
    let mut edge_dir = Vec::with_capacity(m);
    for e in 0..m {
        let (fw, bw) = (g.edge_time_fw_ms[e], g.edge_time_bw_ms[e]);
        if fw != NO_TIME && bw != NO_TIME && fw != bw {
            return Err(format!("edge {e} has different times per direction"));
        }
        edge_time_ms.push(if fw != NO_TIME { fw } else { bw });
        if !g.peak_time_fw_ms.is_empty() {
            let (pf, pb) = (g.peak_time_fw_ms[e], g.peak_time_bw_ms[e]);
            if (pf == NO_TIME) != (fw == NO_TIME) || (pb == NO_TIME) != (bw == NO_TIME) {
                return Err(format!(
                    "edge {e} is open at peak where it is closed in free flow"
                ));
            }
            if pf != NO_TIME && pb != NO_TIME && pf != pb {
                return Err(format!("edge {e} has different peak times per direction"));
            }
            peak_edge_time_ms.push(if pf != NO_TIME { pf } else { pb });
        }
        edge_dir.push((u8::from(fw != NO_TIME) * DIR_FW) | (u8::from(bw != NO_TIME) * DIR_BW));
    }
    let edge_shape_count = g
        .edge_shape_first
        .windows(2)
        .map(|w| {
            u16::try_from(w[1] - w[0])
                .map_err(|_| "an edge has more than 65535 shape points".to_string())
        })
        .collect::<Result<Vec<u16>, String>>()?;
    Ok(Compact {
        node_first_edge,
        edge_time_ms,
        peak_edge_time_ms,
        edge_dir,
        edge_shape_count,
    })
}

fn section_bytes<'a>(g: &'a RoadGraph, c: &'a Compact) -> [&'a [u8]; 20] {
    static NONE: Hierarchy = Hierarchy {
        node_at: Vec::new(),
        position: Vec::new(),
        first: Vec::new(),
        arcs: Vec::new(),
        arc_m: Vec::new(),
        sweep_blocks: Vec::new(),
        peak_arcs: Vec::new(),
        peak_arc_m: Vec::new(),
    };
    // Without a hierarchy its sections are empty.
    let h = g.hierarchy.as_ref().unwrap_or(&NONE);
    [
        bytemuck::cast_slice(&g.node_lat_e7),
        bytemuck::cast_slice(&g.node_lon_e7),
        bytemuck::cast_slice(&c.node_first_edge),
        bytemuck::cast_slice(&g.edge_to),
        bytemuck::cast_slice(&g.edge_length_m),
        bytemuck::cast_slice(&c.edge_time_ms),
        bytemuck::cast_slice(&c.edge_dir),
        bytemuck::cast_slice(&g.edge_class),
        bytemuck::cast_slice(&g.edge_way),
        bytemuck::cast_slice(&g.way_osm_id),
        bytemuck::cast_slice(&c.edge_shape_count),
        bytemuck::cast_slice(&g.shape_lat_e7),
        bytemuck::cast_slice(&g.shape_lon_e7),
        bytemuck::cast_slice(&h.node_at),
        bytemuck::cast_slice(&h.first),
        bytemuck::cast_slice(&h.arcs),
        bytemuck::cast_slice(&h.arc_m),
        bytemuck::cast_slice(&c.peak_edge_time_ms),
        bytemuck::cast_slice(&h.peak_arcs),
        bytemuck::cast_slice(&h.peak_arc_m),
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

/// The temporary files of the [`AtomicFile`]s alive now, for [`remove_temporaries`].
static TEMPORARIES: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

/// Removes every temporary file still open: called when the process is interrupted
/// (Ctrl-C, SIGTERM), where no destructor runs.
pub fn remove_temporaries() {
    if let Ok(mut t) = TEMPORARIES.lock() {
        for p in t.drain(..) {
            let _ = std::fs::remove_file(p);
        }
    }
}

fn forget_temporary(p: &Path) {
    if let Ok(mut t) = TEMPORARIES.lock() {
        t.retain(|x| x != p);
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
    /// A symlink or a special file (FIFO, device) as the target is refused rather than
    /// followed or replaced: nabij writes only regular files.
    pub fn create(target: &Path) -> std::io::Result<Self> {
        if target.is_dir() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::IsADirectory,
                "the output path is a directory",
            ));
        }
        if let Ok(meta) = std::fs::symlink_metadata(target) {
            let what = if meta.file_type().is_symlink() {
                Some("a symbolic link")
            } else if !meta.file_type().is_file() {
                Some("a special file (FIFO, socket or device)")
            } else {
                None
            };
            if let Some(what) = what {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    format!("the output path is {what}; nabij writes only regular files"),
                ));
            }
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
        if let Ok(mut t) = TEMPORARIES.lock() {
            t.push(tmp.clone());
        }
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
        forget_temporary(&self.tmp);
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
            forget_temporary(&self.tmp);
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
        let c = compact(g).map_err(|e| werr(std::io::Error::other(e)))?;
        let header =
            serde_json::to_vec(&g.meta).map_err(|e| werr(std::io::Error::other(e.to_string())))?;
        w.write_all(MAGIC).map_err(werr)?;
        w.write_all(&FORMAT_VERSION.to_le_bytes()).map_err(werr)?;
        w.write_all(&(header.len() as u32).to_le_bytes())
            .map_err(werr)?;
        w.write_all(&header).map_err(werr)?;
        for bytes in section_bytes(g, &c) {
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

/// Reads from a stream while hashing what it reads.
struct HashingReader<R: Read> {
    inner: R,
    hasher: xxhash_rust::xxh3::Xxh3,
}

impl<R: Read> HashingReader<R> {
    fn exact(&mut self, buf: &mut [u8]) -> std::io::Result<()> {
        self.inner.read_exact(buf)?;
        self.hasher.update(buf);
        Ok(())
    }
}

/// Loads and validates a graph file, and rebuilds its adjacency arrays.
pub fn read_graph(path: &Path) -> Result<RoadGraph, GraphFileError> {
    let file = File::open(path).map_err(|source| GraphFileError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    decode_stream(BufReader::with_capacity(1 << 20, file), len, path)
}

/// Decodes a graph from the bytes of a `.nbg` file.
pub fn decode_graph(bytes: &[u8], path: &Path) -> Result<RoadGraph, GraphFileError> {
    decode_stream(bytes, bytes.len() as u64, path)
}

fn decode_stream<R: Read>(
    inner: R,
    total_len: u64,
    path: &Path,
) -> Result<RoadGraph, GraphFileError> {
    let corrupt = |detail: String| GraphFileError::Corrupt {
        path: path.to_path_buf(),
        detail,
    };
    let truncated = |what: &str| corrupt(format!("file ends inside {what}"));
    let mut r = HashingReader {
        inner,
        hasher: xxhash_rust::xxh3::Xxh3::new(),
    };
    let mut head = [0u8; 16];
    if total_len < 16 || r.exact(&mut head).is_err() || &head[..8] != MAGIC {
        return Err(GraphFileError::NotAGraph {
            path: path.to_path_buf(),
        });
    }
    let word = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    let version = word(&head[8..12]);
    if !(1..=FORMAT_VERSION).contains(&version) {
        return Err(GraphFileError::Version {
            path: path.to_path_buf(),
            found: version,
        });
    }
    // Never allocate more than the file can hold.
    let mut remaining = total_len.saturating_sub(16 + 8);
    let mut budget = |n: u64, what: &str| -> Result<usize, GraphFileError> {
        if n > remaining {
            return Err(truncated(what));
        }
        remaining -= n;
        usize::try_from(n).map_err(|_| truncated(what))
    };
    let hlen = budget(word(&head[12..16]) as u64, "the header")?;
    let mut header = vec![0u8; hlen];
    r.exact(&mut header).map_err(|_| truncated("the header"))?;
    let meta: GraphMeta =
        serde_json::from_slice(&header).map_err(|e| corrupt(format!("header: {e}")))?;

    let stored = Stored::read(&mut r, version, &mut budget, &corrupt)?;
    if remaining != 0 {
        return Err(corrupt("trailing bytes after the last section".into()));
    }
    let digest = r.hasher.digest();
    let mut stored_sum = [0u8; 8];
    r.inner
        .read_exact(&mut stored_sum)
        .map_err(|_| truncated("the checksum"))?;
    if digest != u64::from_le_bytes(stored_sum) {
        return Err(corrupt("checksum mismatch: truncated or modified".into()));
    }
    // Structure checks that expansion and adjacency building rely on.
    if !stored.consistent() {
        return Err(corrupt("array lengths or indices are inconsistent".into()));
    }
    stored.into_graph(meta, &corrupt)
}

/// One section: its length in bytes, then its elements; within the byte budget.
fn section<T: bytemuck::Pod, R: Read>(
    r: &mut HashingReader<R>,
    name: &str,
    budget: &mut dyn FnMut(u64, &str) -> Result<usize, GraphFileError>,
    corrupt: &dyn Fn(String) -> GraphFileError,
) -> Result<Vec<T>, GraphFileError> {
    let mut len = [0u8; 8];
    budget(8, name)?;
    r.exact(&mut len)
        .map_err(|_| corrupt(format!("file ends inside {name}")))?;
    let bytes = budget(u64::from_le_bytes(len), name)?;
    let size = std::mem::size_of::<T>();
    if bytes % size != 0 {
        return Err(corrupt(format!("section {name} has a partial element")));
    }
    let mut v: Vec<T> = vec![T::zeroed(); bytes / size];
    r.exact(bytemuck::cast_slice_mut(&mut v))
        .map_err(|_| corrupt(format!("file ends inside {name}")))?;
    Ok(v)
}

/// The graph as stored: edges by tail node (CSR) with one time and a direction each, shapes
/// as counts, and the hierarchy's sections (format 2).
struct Stored {
    node_lat_e7: Vec<i32>,
    node_lon_e7: Vec<i32>,
    node_first_edge: Vec<u32>,
    edge_to: Vec<u32>,
    edge_length_m: Vec<f32>,
    edge_time_ms: Vec<u32>,
    edge_dir: Vec<u8>,
    edge_class: Vec<u8>,
    edge_way: Vec<u32>,
    way_osm_id: Vec<i64>,
    edge_shape_count: Vec<u16>,
    shape_lat_e7: Vec<i32>,
    shape_lon_e7: Vec<i32>,
    ch_node_at: Vec<u32>,
    ch_first: Vec<u32>,
    ch_arcs: Vec<ChArc>,
    ch_arc_m: Vec<[f32; 2]>,
    peak_edge_time_ms: Vec<u32>,
    ch_peak_arcs: Vec<[u32; 2]>,
    ch_peak_arc_m: Vec<[f32; 2]>,
}

impl Stored {
    fn read<R: Read>(
        r: &mut HashingReader<R>,
        version: u32,
        b: &mut dyn FnMut(u64, &str) -> Result<usize, GraphFileError>,
        corrupt: &dyn Fn(String) -> GraphFileError,
    ) -> Result<Self, GraphFileError> {
        let mut s = Stored {
            node_lat_e7: section(r, SECTIONS[0], b, corrupt)?,
            node_lon_e7: section(r, SECTIONS[1], b, corrupt)?,
            node_first_edge: section(r, SECTIONS[2], b, corrupt)?,
            edge_to: section(r, SECTIONS[3], b, corrupt)?,
            edge_length_m: section(r, SECTIONS[4], b, corrupt)?,
            edge_time_ms: section(r, SECTIONS[5], b, corrupt)?,
            edge_dir: section(r, SECTIONS[6], b, corrupt)?,
            edge_class: section(r, SECTIONS[7], b, corrupt)?,
            edge_way: section(r, SECTIONS[8], b, corrupt)?,
            way_osm_id: section(r, SECTIONS[9], b, corrupt)?,
            edge_shape_count: section(r, SECTIONS[10], b, corrupt)?,
            shape_lat_e7: section(r, SECTIONS[11], b, corrupt)?,
            shape_lon_e7: section(r, SECTIONS[12], b, corrupt)?,
            ch_node_at: Vec::new(),
            ch_first: Vec::new(),
            ch_arcs: Vec::new(),
            ch_arc_m: Vec::new(),
            peak_edge_time_ms: Vec::new(),
            ch_peak_arcs: Vec::new(),
            ch_peak_arc_m: Vec::new(),
        };
        if version >= 2 {
            s.ch_node_at = section(r, SECTIONS[13], b, corrupt)?;
            s.ch_first = section(r, SECTIONS[14], b, corrupt)?;
            s.ch_arcs = section(r, SECTIONS[15], b, corrupt)?;
            s.ch_arc_m = section(r, SECTIONS[16], b, corrupt)?;
        }
        if version >= 3 {
            s.peak_edge_time_ms = section(r, SECTIONS[17], b, corrupt)?;
            s.ch_peak_arcs = section(r, SECTIONS[18], b, corrupt)?;
            s.ch_peak_arc_m = section(r, SECTIONS[19], b, corrupt)?;
        }
        Ok(s)
    }

    /// The lengths and indices agree, so that expanding cannot go out of bounds.
    fn consistent(&self) -> bool {
        let n = self.node_lat_e7.len();
        let m = self.edge_to.len();
        let first = &self.node_first_edge;
        self.node_lon_e7.len() == n
            && first.len() == n + 1
            && first.first() == Some(&0)
            && first.last().copied() == Some(m as u32)
            && !first.windows(2).any(|w| w[0] > w[1])
            && [
                self.edge_length_m.len(),
                self.edge_time_ms.len(),
                self.edge_dir.len(),
                self.edge_class.len(),
                self.edge_way.len(),
                self.edge_shape_count.len(),
            ]
            .iter()
            .all(|&l| l == m)
            && !self.edge_to.iter().any(|&v| v as usize >= n)
            && !self
                .edge_way
                .iter()
                .any(|&w| w as usize >= self.way_osm_id.len())
            && !self.edge_dir.iter().any(|&d| d == 0 || d > 3)
            && !self.edge_time_ms.iter().any(|&t| t == 0 || t == NO_TIME)
            && (self.peak_edge_time_ms.is_empty() || self.peak_edge_time_ms.len() == m)
            && !self
                .peak_edge_time_ms
                .iter()
                .any(|&t| t == 0 || t == NO_TIME)
            && self.shape_lat_e7.len() == self.shape_lon_e7.len()
            && self
                .edge_shape_count
                .iter()
                .map(|&c| c as usize)
                .sum::<usize>()
                == self.shape_lat_e7.len()
    }

    /// The road graph in memory: tails expanded, times per direction, shape offsets, values
    /// checked, the hierarchy checked and prepared for sweeping, adjacency built.
    fn into_graph(
        self,
        meta: GraphMeta,
        corrupt: &dyn Fn(String) -> GraphFileError,
    ) -> Result<RoadGraph, GraphFileError> {
        let n = self.node_lat_e7.len();
        let m = self.edge_to.len();
        let mut edge_from = Vec::with_capacity(m);
        for v in 0..n {
            let k = (self.node_first_edge[v + 1] - self.node_first_edge[v]) as usize;
            edge_from.extend(std::iter::repeat_n(v as u32, k));
        }
        let time_if = |bit: u8| -> Vec<u32> {
            self.edge_time_ms
                .iter()
                .zip(&self.edge_dir)
                .map(|(&t, &d)| if d & bit != 0 { t } else { NO_TIME })
                .collect()
        };
        let (edge_time_fw_ms, edge_time_bw_ms) = (time_if(DIR_FW), time_if(DIR_BW));
        let peak_if = |bit: u8| -> Vec<u32> {
            self.peak_edge_time_ms
                .iter()
                .zip(&self.edge_dir)
                .map(|(&t, &d)| if d & bit != 0 { t } else { NO_TIME })
                .collect()
        };
        let (peak_time_fw_ms, peak_time_bw_ms) = (peak_if(DIR_FW), peak_if(DIR_BW));
        let mut edge_shape_first = Vec::with_capacity(m + 1);
        let mut acc = 0u32;
        edge_shape_first.push(0);
        for &c in &self.edge_shape_count {
            acc += c as u32;
            edge_shape_first.push(acc);
        }
        let mut g = RoadGraph {
            meta,
            node_lat_e7: self.node_lat_e7,
            node_lon_e7: self.node_lon_e7,
            edge_from,
            edge_to: self.edge_to,
            edge_length_m: self.edge_length_m,
            edge_time_fw_ms,
            edge_time_bw_ms,
            peak_time_fw_ms,
            peak_time_bw_ms,
            edge_class: self.edge_class,
            edge_way: self.edge_way,
            way_osm_id: self.way_osm_id,
            edge_shape_first,
            shape_lat_e7: self.shape_lat_e7,
            shape_lon_e7: self.shape_lon_e7,
            ..Default::default()
        };
        g.check_values().map_err(corrupt)?;
        if !self.ch_node_at.is_empty() {
            let mut h = Hierarchy {
                node_at: self.ch_node_at,
                first: self.ch_first,
                arcs: self.ch_arcs,
                arc_m: self.ch_arc_m,
                peak_arcs: self.ch_peak_arcs,
                peak_arc_m: self.ch_peak_arc_m,
                ..Hierarchy::default()
            };
            h.fill_positions();
            h.check(n)
                .map_err(|e| corrupt(format!("contraction hierarchy: {e}")))?;
            h.fill_sweep_blocks();
            g.hierarchy = Some(h);
        }
        g.rebuild_adjacency();
        Ok(g)
    }
}
