//! Streaming reads of an OSM PBF file in two parallel passes.
//!
//! Pass 1 decodes every blob and keeps the ways the profile finds drivable (their node refs
//! and attributes). Pass 2 decodes only the blobs that held nodes and keeps the coordinates
//! (and barrier tags) of the nodes those ways reference. Blobs are decoded in parallel with
//! rayon; results are merged in blob order, so the output does not depend on scheduling.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use osmpbf::{BlobDecode, BlobReader, PrimitiveBlock};
use rayon::prelude::*;

use super::profile::{CarProfile, Direction, Period, WayVerdict};
use crate::progress::Progress;

/// Errors from reading an OSM PBF file.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("cannot open {path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not an OSM PBF file ({detail})")]
    NotPbf { path: PathBuf, detail: String },
    #[error("{path} is damaged or truncated: {detail}")]
    Damaged { path: PathBuf, detail: String },
    #[error(
        "{path} contains no road that a car may drive on ({ways} ways read); is this the right extract?"
    )]
    NoDrivableRoads { path: PathBuf, ways: u64 },
}

/// Road class index reserved for car ferries.
pub const FERRY_CLASS: u8 = u8::MAX;

/// The `writingprogram` of the PBF files nabij's generator writes: a graph built from such a
/// file is marked as having SYNTHETIC roads.
pub const SYNTHETIC_WRITING_PROGRAM: &str = "nabij-synth";

/// A drivable way as read from the file.
#[derive(Debug, Clone)]
pub struct RawWay {
    pub osm_id: i64,
    /// Index into the profile's class table, or [`FERRY_CLASS`].
    pub class: u8,
    pub speed_kmh: f32,
    /// The peak period's speed is `speed_kmh × peak_factor` (the profile's factor for the
    /// way's class and setting, or a measured override); 1 for ferries (timetabled).
    pub peak_factor: f32,
    pub direction: Direction,
    /// Only for ferries: the tagged crossing time.
    pub ferry_duration_s: Option<f32>,
    /// Range into [`RawNetwork::refs`].
    pub refs_start: u32,
    pub refs_end: u32,
}

/// Counts gathered while reading, reported in the build summary.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct IngestStats {
    pub blobs: u64,
    pub ways_read: u64,
    pub ways_drivable: u64,
    pub ferries: u64,
    pub ways_access_denied: u64,
    pub ways_maxspeed_invalid: u64,
    pub nodes_read: u64,
    pub way_nodes: u64,
    pub nodes_missing: u64,
    pub barrier_nodes: u64,
    /// Nodes with a delay (signals, stop signs, crossings).
    #[serde(default)]
    pub delay_nodes: u64,
}

/// Everything the graph builder needs from the file.
#[derive(Debug, Clone, Default)]
pub struct RawNetwork {
    pub ways: Vec<RawWay>,
    /// Node refs of all ways, as indices into `node_ids`.
    pub refs: Vec<u32>,
    /// Sorted, distinct OSM ids of every referenced node.
    pub node_ids: Vec<i64>,
    /// Coordinates in 1e-7 degrees; `i32::MIN` when the node is missing from the file.
    pub node_lat_e7: Vec<i32>,
    pub node_lon_e7: Vec<i32>,
    /// Nodes whose barrier stops cars.
    pub node_blocks: Vec<bool>,
    /// Time lost passing each node (signals, stop signs, crossings), in milliseconds.
    pub node_delay_ms: Vec<u32>,
    /// The header's bounding box `[min_lon, min_lat, max_lon, max_lat]`, if the file has one.
    pub header_bbox: Option<[f64; 4]>,
    /// The header's `writingprogram`, if any.
    pub writing_program: Option<String>,
    pub stats: IngestStats,
}

impl RawNetwork {
    pub fn node_present(&self, idx: u32) -> bool {
        self.node_lat_e7[idx as usize] != i32::MIN
    }
}

fn open(
    path: &Path,
    progress: &Progress,
    msg: &str,
) -> Result<BlobReader<BufReader<Box<dyn Read + Send>>>, IngestError> {
    let file = File::open(path).map_err(|source| IngestError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len == 0 {
        return Err(IngestError::NotPbf {
            path: path.to_path_buf(),
            detail: "the file is empty".into(),
        });
    }
    let reader: Box<dyn Read + Send> = Box::new(progress.bytes(len, msg).wrap_read(file));
    Ok(BlobReader::new(BufReader::with_capacity(1 << 20, reader)))
}

fn classify_read_error(path: &Path, index: usize, err: osmpbf::Error) -> IngestError {
    let detail = err.to_string();
    if index == 0 {
        IngestError::NotPbf {
            path: path.to_path_buf(),
            detail,
        }
    } else {
        IngestError::Damaged {
            path: path.to_path_buf(),
            detail: format!("blob {index}: {detail}"),
        }
    }
}

struct WayPart {
    ways: Vec<(RawWay, Vec<i64>)>,
    ways_read: u64,
    access_denied: u64,
    maxspeed_invalid: u64,
    has_nodes: bool,
    bbox: Option<[f64; 4]>,
    writing_program: Option<String>,
}

impl WayPart {
    fn empty() -> Self {
        WayPart {
            ways: Vec::new(),
            ways_read: 0,
            access_denied: 0,
            maxspeed_invalid: 0,
            has_nodes: false,
            bbox: None,
            writing_program: None,
        }
    }
}

fn read_ways_of_block(block: &PrimitiveBlock, profile: &CarProfile) -> WayPart {
    let mut part = WayPart::empty();
    let mut tags: Vec<(&str, &str)> = Vec::with_capacity(16);
    for group in block.groups() {
        if group.dense_nodes().next().is_some() || group.nodes().next().is_some() {
            part.has_nodes = true;
        }
        for way in group.ways() {
            part.ways_read += 1;
            tags.clear();
            tags.extend(way.tags());
            let lookup = |k: &str| tags.iter().find(|(key, _)| *key == k).map(|(_, v)| *v);
            let verdict = profile.classify_way(lookup);
            let (class, speed_kmh, peak_factor, direction, ferry_duration_s) = match verdict {
                WayVerdict::Road {
                    class,
                    speed_kmh,
                    direction,
                    maxspeed_invalid,
                    built_up,
                } => {
                    if maxspeed_invalid {
                        part.maxspeed_invalid += 1;
                    }
                    let Some(ci) = profile.class_index(&class) else {
                        continue;
                    };
                    let peak = profile.speed_factor(Period::Peak, &class, built_up);
                    (ci, speed_kmh as f32, peak as f32, direction, None)
                }
                WayVerdict::Ferry { duration_s, oneway } => {
                    (FERRY_CLASS, 0.0, 1.0, oneway, duration_s.map(|d| d as f32))
                }
                WayVerdict::NotDrivable(super::profile::Reject::AccessDenied) => {
                    part.access_denied += 1;
                    continue;
                }
                WayVerdict::NotDrivable(_) => continue,
            };
            let refs: Vec<i64> = way.refs().collect();
            if refs.len() < 2 {
                continue;
            }
            part.ways.push((
                RawWay {
                    osm_id: way.id(),
                    class,
                    speed_kmh,
                    peak_factor,
                    direction,
                    ferry_duration_s,
                    refs_start: 0,
                    refs_end: 0,
                },
                refs,
            ));
        }
    }
    part
}

/// Reads the drivable ways and their nodes.
pub fn read_network(
    path: &Path,
    profile: &CarProfile,
    progress: &Progress,
) -> Result<RawNetwork, IngestError> {
    // Pass 1: the drivable ways, in parallel over the blobs.
    let parts = way_parts(path, profile, progress)?;
    let (mut net, raw_refs, node_blobs) = merge_ways(path, parts)?;
    let node_ids = number_nodes(&mut net, raw_refs);
    // Pass 2: the referenced nodes, from the blobs that hold nodes.
    let found = node_parts(path, profile, progress, &node_ids, &node_blobs)?;
    fill_nodes(&mut net, node_ids, found);
    Ok(net)
}

/// Pass 1: every blob's drivable ways (and the header's box and writer), by blob index.
fn way_parts(
    path: &Path,
    profile: &CarProfile,
    progress: &Progress,
) -> Result<Vec<(usize, WayPart)>, IngestError> {
    let reader = open(path, progress, "reading ways")?;
    let parts: Vec<Result<(usize, WayPart), IngestError>> = reader
        .enumerate()
        .par_bridge()
        .map(|(index, blob)| {
            let blob = blob.map_err(|e| classify_read_error(path, index, e))?;
            let decoded = blob
                .decode()
                .map_err(|e| classify_read_error(path, index, e))?;
            Ok(match decoded {
                BlobDecode::OsmData(block) => (index, read_ways_of_block(&block, profile)),
                BlobDecode::OsmHeader(header) => {
                    let mut part = WayPart::empty();
                    part.bbox = header.bbox().map(|b| [b.left, b.bottom, b.right, b.top]);
                    part.writing_program = header.writing_program().map(str::to_string);
                    (index, part)
                }
                BlobDecode::Unknown(kind) => {
                    if index == 0 {
                        return Err(IngestError::NotPbf {
                            path: path.to_path_buf(),
                            detail: format!("first blob has unknown type {kind:?}"),
                        });
                    }
                    (index, WayPart::empty())
                }
            })
        })
        .collect();
    progress.finish_bytes();
    let mut parts: Vec<(usize, WayPart)> = parts.into_iter().collect::<Result<_, _>>()?;
    // An error on the lowest blob index is the one to report; collect() above returns the
    // first in iteration order, which par_bridge does not guarantee, so sort first.
    parts.sort_by_key(|(i, _)| *i);

    Ok(parts)
}

/// The ways of all blobs in one network, sorted and deduplicated by OSM id, with their node
/// refs (OSM ids) and which blobs hold nodes.
fn merge_ways(
    path: &Path,
    parts: Vec<(usize, WayPart)>,
) -> Result<(RawNetwork, Vec<i64>, Vec<bool>), IngestError> {
    let mut net = RawNetwork::default();
    let mut node_blobs: Vec<bool> = vec![false; parts.len()];
    let mut raw_refs: Vec<i64> = Vec::new();
    let mut ways: Vec<(RawWay, Vec<i64>)> = Vec::new();
    for (index, part) in parts {
        net.stats.blobs += 1;
        net.stats.ways_read += part.ways_read;
        net.stats.ways_access_denied += part.access_denied;
        net.stats.ways_maxspeed_invalid += part.maxspeed_invalid;
        if part.bbox.is_some() {
            net.header_bbox = part.bbox;
        }
        if part.writing_program.is_some() {
            net.writing_program = part.writing_program;
        }
        if index < node_blobs.len() {
            node_blobs[index] = part.has_nodes;
        }
        ways.extend(part.ways);
    }
    if ways.is_empty() {
        return Err(IngestError::NoDrivableRoads {
            path: path.to_path_buf(),
            ways: net.stats.ways_read,
        });
    }
    ways.sort_by_key(|(w, _)| w.osm_id);
    ways.dedup_by_key(|(w, _)| w.osm_id);
    for (mut way, refs) in ways {
        way.refs_start = raw_refs.len() as u32;
        raw_refs.extend_from_slice(&refs);
        way.refs_end = raw_refs.len() as u32;
        if way.class == FERRY_CLASS {
            net.stats.ferries += 1;
        }
        net.ways.push(way);
    }
    net.stats.ways_drivable = net.ways.len() as u64;
    net.stats.way_nodes = raw_refs.len() as u64;

    Ok((net, raw_refs, node_blobs))
}

/// The referenced nodes numbered by OSM id; the ways' refs become those numbers.
fn number_nodes(net: &mut RawNetwork, raw_refs: Vec<i64>) -> Vec<i64> {
    let mut node_ids = raw_refs.clone();
    node_ids.par_sort_unstable();
    node_ids.dedup();
    net.refs = raw_refs
        .par_iter()
        .map(|id| {
            node_ids
                .binary_search(id)
                .map(|i| i as u32)
                .unwrap_or(u32::MAX)
        })
        .collect();

    node_ids
}

/// Pass 2: the referenced nodes' positions, barriers and delays, from the blobs with nodes.
fn node_parts(
    path: &Path,
    profile: &CarProfile,
    progress: &Progress,
    node_ids: &[i64],
    node_blobs: &[bool],
) -> Result<Vec<NodePart>, IngestError> {
    let reader = open(path, progress, "reading nodes")?;
    let found: Vec<Result<NodePart, IngestError>> = reader
        .enumerate()
        .filter(|(index, _)| node_blobs.get(*index).copied().unwrap_or(true))
        .par_bridge()
        .map(|(index, blob)| {
            let blob = blob.map_err(|e| classify_read_error(path, index, e))?;
            match blob
                .decode()
                .map_err(|e| classify_read_error(path, index, e))?
            {
                BlobDecode::OsmData(block) => Ok(read_nodes_of_block(&block, node_ids, profile)),
                _ => Ok(NodePart::default()),
            }
        })
        .collect();
    progress.finish_bytes();
    found.into_iter().collect()
}

/// The nodes' arrays filled from the parts (missing nodes keep `i32::MIN`), with the counts.
fn fill_nodes(net: &mut RawNetwork, node_ids: Vec<i64>, found: Vec<NodePart>) {
    let n = node_ids.len();
    let mut lat = vec![i32::MIN; n];
    let mut lon = vec![i32::MIN; n];
    let mut blocks = vec![false; n];
    let mut delays = vec![0u32; n];
    for part in found {
        net.stats.nodes_read += part.nodes_read;
        for (idx, la, lo, barrier, delay) in part.hits {
            lat[idx as usize] = la;
            lon[idx as usize] = lo;
            blocks[idx as usize] = barrier;
            delays[idx as usize] = delay;
        }
    }
    net.stats.delay_nodes = delays.iter().filter(|&&d| d > 0).count() as u64;
    net.stats.nodes_missing = lat.iter().filter(|&&v| v == i32::MIN).count() as u64;
    net.stats.barrier_nodes = blocks.iter().filter(|&&b| b).count() as u64;
    net.node_ids = node_ids;
    net.node_lat_e7 = lat;
    net.node_lon_e7 = lon;
    net.node_blocks = blocks;
    net.node_delay_ms = delays;
}

#[derive(Default)]
struct NodePart {
    nodes_read: u64,
    /// (node index, lat, lon, blocks, delay in ms)
    hits: Vec<(u32, i32, i32, bool, u32)>,
}

fn read_nodes_of_block(block: &PrimitiveBlock, needed: &[i64], profile: &CarProfile) -> NodePart {
    let mut part = NodePart::default();
    let mut cursor = SortedCursor::new(needed);
    let mut visit = |id: i64, lat: i32, lon: i32, tags: &mut dyn Iterator<Item = (&str, &str)>| {
        part.nodes_read += 1;
        if let Some(idx) = cursor.find(id) {
            let tags: Vec<(&str, &str)> = tags.collect();
            let tag = |k: &str| tags.iter().find(|(key, _)| *key == k).map(|(_, v)| *v);
            let blocks = !tags.is_empty() && profile.node_blocks(tag);
            let delay_ms = if tags.is_empty() {
                0
            } else {
                (profile.node_delay_s(tag) * 1000.0).round() as u32
            };
            part.hits.push((idx, lat, lon, blocks, delay_ms));
        }
    };
    for group in block.groups() {
        for node in group.dense_nodes() {
            visit(
                node.id(),
                node.decimicro_lat(),
                node.decimicro_lon(),
                &mut node.tags(),
            );
        }
        for node in group.nodes() {
            visit(
                node.id(),
                node.decimicro_lat(),
                node.decimicro_lon(),
                &mut node.tags(),
            );
        }
    }
    part
}

/// Finds ids in a sorted slice when the queries mostly come in increasing order (as nodes do
/// in a PBF block): a forward walk from the last hit, with a binary search to jump far or
/// to go back. Cost per block is about the block's length plus the needed ids it spans.
struct SortedCursor<'a> {
    sorted: &'a [i64],
    pos: usize,
}

impl<'a> SortedCursor<'a> {
    fn new(sorted: &'a [i64]) -> Self {
        SortedCursor { sorted, pos: 0 }
    }

    fn find(&mut self, id: i64) -> Option<u32> {
        let s = self.sorted;
        if self.pos > 0 && s[self.pos - 1] >= id {
            self.pos = s.partition_point(|&v| v < id);
        } else {
            // Walk a few steps, then jump.
            let mut steps = 0;
            while self.pos < s.len() && s[self.pos] < id {
                self.pos += 1;
                steps += 1;
                if steps == 16 {
                    self.pos += s[self.pos..].partition_point(|&v| v < id);
                    break;
                }
            }
        }
        (self.pos < s.len() && s[self.pos] == id).then_some(self.pos as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::SortedCursor;

    #[test]
    fn sorted_cursor_matches_binary_search_in_any_query_order() {
        let sorted: Vec<i64> = (0..500).map(|i| i * 10 + (i % 7)).collect();
        let mut queries: Vec<i64> = (-5..5100).collect();
        let mut shuffled = queries.clone();
        // a fixed permutation: reverse halves
        shuffled.reverse();
        queries.extend(shuffled);
        let mut cursor = SortedCursor::new(&sorted);
        for q in queries {
            let expected = sorted.binary_search(&q).ok().map(|i| i as u32);
            assert_eq!(cursor.find(q), expected, "query {q}");
        }
    }
}
