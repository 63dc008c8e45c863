//! The car road graph: intersections as nodes, road pieces between them as edges, with
//! their shape points for geometry, and forward/reverse adjacency in compact CSR arrays.
//!
//! Edges are stored once per road piece (`from` → `to` in way order) with a travel time for
//! each direction ([`NO_TIME`] where the direction is closed). The CSR arrays are derived
//! from the edges when a graph is built or loaded; they are what routing reads.

pub mod build;
pub mod contract;
pub mod file;
pub mod hierarchy;
pub mod hilbert;
pub mod scc;

pub use crate::ingest::Period;

/// The road class of ferry edges (ingest assigns it; spatial and routing treat ferries apart).
pub use crate::ingest::FERRY_CLASS;

use serde::{Deserialize, Serialize};

use crate::ingest::IngestStats;

/// Marks a direction in which an edge cannot be driven.
pub const NO_TIME: u32 = u32::MAX;

/// High bit of [`Csr::arc_edge`]: the arc runs against the edge's `from` → `to` order.
pub const ARC_BACKWARD: u32 = 1 << 31;

/// One directed arc in a CSR: where it leads and how long it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C)]
pub struct Arc {
    pub head: u32,
    pub time_ms: u32,
}

/// Compressed sparse rows: the arcs of node `v` are `arcs[first[v]..first[v + 1]]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Csr {
    pub first: Vec<u32>,
    pub arcs: Vec<Arc>,
    /// For each arc, the edge it comes from, with [`ARC_BACKWARD`] set when it runs `to` → `from`.
    pub arc_edge: Vec<u32>,
}

impl Csr {
    #[inline]
    pub fn arcs_of(&self, v: u32) -> &[Arc] {
        let a = self.first[v as usize] as usize;
        let b = self.first[v as usize + 1] as usize;
        &self.arcs[a..b]
    }

    #[inline]
    pub fn range_of(&self, v: u32) -> std::ops::Range<usize> {
        self.first[v as usize] as usize..self.first[v as usize + 1] as usize
    }
}

/// Summary numbers of a build, kept in the graph file.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct BuildStats {
    pub ingest: IngestStats,
    pub nodes: u64,
    pub edges: u64,
    pub arcs: u64,
    pub road_km: f64,
    pub ferry_edges: u64,
    pub components_dropped: u64,
    pub nodes_dropped: u64,
    pub edges_dropped: u64,
    pub self_loops_dropped: u64,
    /// Upward arcs of the contraction hierarchy (roads and shortcuts), 0 without one.
    #[serde(default)]
    pub hierarchy_arcs: u64,
}

/// What the graph file says about where the graph came from.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct GraphMeta {
    pub nabij_version: String,
    /// File name (not path) of the source extract.
    pub source_file: String,
    pub source_size_bytes: u64,
    /// xxh3-64 of the source file, hex.
    pub source_xxh3: String,
    /// `writingprogram` from the PBF header, if any.
    pub source_writing_program: Option<String>,
    /// True when the source is a synthetic network written by `nabij synth`.
    pub synthetic_roads: bool,
    pub profile_name: String,
    /// xxh3-64 of the profile, hex.
    pub profile_hash: String,
    /// The periods whose times the graph holds (`free`, `peak`); empty in files from before
    /// periods, which hold only free-flow times.
    #[serde(default)]
    pub periods: Vec<Period>,
    /// Road class names by class index (ferries use class 255).
    pub class_names: Vec<String>,
    /// Bounding box of the nodes, `[min_lon, min_lat, max_lon, max_lat]`.
    pub bbox: [f64; 4],
    /// The PBF header's bounding box, if it had one.
    pub header_bbox: Option<[f64; 4]>,
    pub stats: BuildStats,
    /// The file of measured speeds per way the build applied (`nabij build --speeds`), if any.
    #[serde(default)]
    pub speed_file: Option<String>,
    /// What those speeds matched.
    #[serde(default)]
    pub speed_overrides: crate::ingest::OverrideStats,
}

/// The road graph. Coordinates are in 1e-7 degrees (WGS84).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RoadGraph {
    pub meta: GraphMeta,
    pub node_lat_e7: Vec<i32>,
    pub node_lon_e7: Vec<i32>,
    pub edge_from: Vec<u32>,
    pub edge_to: Vec<u32>,
    pub edge_length_m: Vec<f32>,
    pub edge_time_fw_ms: Vec<u32>,
    pub edge_time_bw_ms: Vec<u32>,
    /// The peak period's times per edge and direction ([`NO_TIME`] where closed, as in the
    /// free times); empty when the graph holds only free-flow times.
    pub peak_time_fw_ms: Vec<u32>,
    pub peak_time_bw_ms: Vec<u32>,
    /// The period whose times `edge_time_*`, the adjacency and the hierarchy hold: `free`,
    /// or `peak` in the graph [`RoadGraph::peak_graph`] makes. Not stored in the file.
    pub period: Period,
    pub edge_class: Vec<u8>,
    /// For each edge, the index in `way_osm_id` of the OSM way it was cut from.
    pub edge_way: Vec<u32>,
    /// Sorted OSM ids of the ways the edges come from.
    pub way_osm_id: Vec<i64>,
    /// Shape points of edge `e` (between its end nodes) are `shape_*[edge_shape_first[e]..edge_shape_first[e + 1]]`.
    pub edge_shape_first: Vec<u32>,
    pub shape_lat_e7: Vec<i32>,
    pub shape_lon_e7: Vec<i32>,
    /// Forward adjacency (arcs leaving a node).
    pub fwd: Csr,
    /// Reverse adjacency (arcs entering a node, stored at the head with `head` = the tail).
    pub rev: Csr,
    /// The contraction hierarchy `nabij build` adds (absent in graphs built in memory).
    pub hierarchy: Option<hierarchy::Hierarchy>,
}

impl RoadGraph {
    /// How many nodes have 0, 1, 2, 3, 4 and 5 or more distinct neighbours (either
    /// direction): the shape of the network. Real OSM extracts are mostly T-junctions with
    /// many dead ends; a street grid is mostly four-way crossings.
    pub fn junction_degrees(&self) -> [usize; 6] {
        let mut pairs: Vec<(u32, u32)> = (0..self.edge_count())
            .filter(|&e| self.edge_from[e] != self.edge_to[e])
            .flat_map(|e| {
                let (a, b) = (self.edge_from[e], self.edge_to[e]);
                [(a, b), (b, a)]
            })
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        let mut degree = vec![0usize; self.node_count()];
        for (a, _) in pairs {
            degree[a as usize] += 1;
        }
        let mut out = [0usize; 6];
        for d in degree {
            out[d.min(5)] += 1;
        }
        out
    }

    /// Whether the graph holds the times of `period`.
    pub fn has_period(&self, period: Period) -> bool {
        match period {
            Period::Free => self.period == Period::Free,
            Period::Peak => {
                self.period == Period::Peak
                    || (self.peak_time_fw_ms.len() == self.edge_count()
                        && self.peak_time_bw_ms.len() == self.edge_count()
                        && self.hierarchy.as_ref().is_none_or(|h| h.has_peak()))
            }
        }
    }

    /// The same roads with the peak period's times in place of the free ones (adjacency and
    /// hierarchy too), so that every search runs on it unchanged; `None` if the graph holds
    /// no peak times. The geometry is copied: a period costs the memory of one more graph,
    /// not a second file (docs/ARCHITECTURE.md).
    pub fn peak_graph(&self) -> Option<RoadGraph> {
        if self.period != Period::Free || !self.has_period(Period::Peak) {
            return None;
        }
        let mut g = RoadGraph {
            meta: self.meta.clone(),
            node_lat_e7: self.node_lat_e7.clone(),
            node_lon_e7: self.node_lon_e7.clone(),
            edge_from: self.edge_from.clone(),
            edge_to: self.edge_to.clone(),
            edge_length_m: self.edge_length_m.clone(),
            edge_time_fw_ms: self.peak_time_fw_ms.clone(),
            edge_time_bw_ms: self.peak_time_bw_ms.clone(),
            peak_time_fw_ms: Vec::new(),
            peak_time_bw_ms: Vec::new(),
            period: Period::Peak,
            edge_class: self.edge_class.clone(),
            edge_way: self.edge_way.clone(),
            way_osm_id: self.way_osm_id.clone(),
            edge_shape_first: self.edge_shape_first.clone(),
            shape_lat_e7: self.shape_lat_e7.clone(),
            shape_lon_e7: self.shape_lon_e7.clone(),
            fwd: Csr::default(),
            rev: Csr::default(),
            hierarchy: self.hierarchy.as_ref().map(|h| h.peak()),
        };
        g.rebuild_adjacency();
        Some(g)
    }

    pub fn node_count(&self) -> usize {
        self.node_lat_e7.len()
    }

    pub fn edge_count(&self) -> usize {
        self.edge_from.len()
    }

    /// `(lon, lat)` of a node in degrees.
    #[inline]
    pub fn node_lonlat(&self, v: u32) -> (f64, f64) {
        (
            self.node_lon_e7[v as usize] as f64 * 1e-7,
            self.node_lat_e7[v as usize] as f64 * 1e-7,
        )
    }

    /// The full polyline of an edge from `from` to `to`, as `(lon, lat)` degrees.
    /// The points of edge `e`'s polyline without allocating: its `from` node, its shape
    /// points, its `to` node. Point `i` is number `edge_shape_first[e] + 2e + i` overall.
    pub fn edge_points(&self, e: u32) -> impl ExactSizeIterator<Item = (f64, f64)> + '_ {
        let e = e as usize;
        let a = self.edge_shape_first[e] as usize;
        let b = self.edge_shape_first[e + 1] as usize;
        let n = b - a + 2;
        (0..n).map(move |i| {
            if i == 0 {
                self.node_lonlat(self.edge_from[e])
            } else if i == n - 1 {
                self.node_lonlat(self.edge_to[e])
            } else {
                (
                    self.shape_lon_e7[a + i - 1] as f64 * 1e-7,
                    self.shape_lat_e7[a + i - 1] as f64 * 1e-7,
                )
            }
        })
    }

    pub fn edge_polyline(&self, e: u32) -> Vec<(f64, f64)> {
        let e = e as usize;
        let a = self.edge_shape_first[e] as usize;
        let b = self.edge_shape_first[e + 1] as usize;
        let mut pts = Vec::with_capacity(b - a + 2);
        pts.push(self.node_lonlat(self.edge_from[e]));
        for i in a..b {
            pts.push((
                self.shape_lon_e7[i] as f64 * 1e-7,
                self.shape_lat_e7[i] as f64 * 1e-7,
            ));
        }
        pts.push(self.node_lonlat(self.edge_to[e]));
        pts
    }

    /// A graph from plain lists, for tests and tools: `coords` are `(lon, lat)` degrees,
    /// `edges` are `(from, to, time_fw_ms, time_bw_ms, length_m)` with [`NO_TIME`] for a closed
    /// direction. Edges get no shape points and a dummy OSM way; the bbox is computed.
    pub fn from_edges(coords: &[(f64, f64)], edges: &[(u32, u32, u32, u32, f32)]) -> Self {
        let mut g = RoadGraph {
            node_lat_e7: coords.iter().map(|c| (c.1 * 1e7).round() as i32).collect(),
            node_lon_e7: coords.iter().map(|c| (c.0 * 1e7).round() as i32).collect(),
            edge_from: edges.iter().map(|e| e.0).collect(),
            edge_to: edges.iter().map(|e| e.1).collect(),
            edge_time_fw_ms: edges.iter().map(|e| e.2).collect(),
            edge_time_bw_ms: edges.iter().map(|e| e.3).collect(),
            edge_length_m: edges.iter().map(|e| e.4).collect(),
            edge_class: vec![0; edges.len()],
            edge_way: vec![0; edges.len()],
            way_osm_id: vec![1],
            edge_shape_first: vec![0; edges.len() + 1],
            ..Default::default()
        };
        let (mut w, mut s, mut e, mut n) = (180.0f64, 90.0f64, -180.0f64, -90.0f64);
        for &(lon, lat) in coords {
            (w, s, e, n) = (w.min(lon), s.min(lat), e.max(lon), n.max(lat));
        }
        g.meta.bbox = [w, s, e, n];
        g.meta.class_names = vec!["residential".into()];
        g.rebuild_adjacency();
        g
    }

    /// The OSM way id an edge was cut from.
    pub fn edge_osm_way(&self, e: u32) -> i64 {
        self.way_osm_id[self.edge_way[e as usize] as usize]
    }

    /// Builds the forward and reverse CSR arrays from the edge arrays (counting sort, O(E),
    /// the two directions in parallel).
    pub fn rebuild_adjacency(&mut self) {
        let (fwd, rev) = rayon::join(|| self.csr(false), || self.csr(true));
        self.fwd = fwd;
        self.rev = rev;
    }

    /// Arcs as `(tail, head, time, edge | backward bit)`; `reverse` swaps tail and head.
    fn csr(&self, reverse: bool) -> Csr {
        let n = self.node_count();
        let m = self.edge_count();
        let each_arc = |f: &mut dyn FnMut(u32, u32, u32, u32)| {
            for e in 0..m {
                let (u, v) = (self.edge_from[e], self.edge_to[e]);
                let (fw, bw) = (self.edge_time_fw_ms[e], self.edge_time_bw_ms[e]);
                if fw != NO_TIME {
                    if reverse {
                        f(v, u, fw, e as u32)
                    } else {
                        f(u, v, fw, e as u32)
                    }
                }
                if bw != NO_TIME {
                    let tag = e as u32 | ARC_BACKWARD;
                    if reverse {
                        f(u, v, bw, tag)
                    } else {
                        f(v, u, bw, tag)
                    }
                }
            }
        };
        let mut first = vec![0u32; n + 1];
        each_arc(&mut |t, _, _, _| first[t as usize + 1] += 1);
        for i in 0..n {
            first[i + 1] += first[i];
        }
        let total = first[n] as usize;
        let mut fill = first.clone();
        let mut arcs = vec![
            Arc {
                head: 0,
                time_ms: 0
            };
            total
        ];
        let mut arc_edge = vec![0u32; total];
        each_arc(&mut |t, h, w, e| {
            let slot = fill[t as usize] as usize;
            fill[t as usize] += 1;
            arcs[slot] = Arc {
                head: h,
                time_ms: w,
            };
            arc_edge[slot] = e;
        });
        Csr {
            first,
            arcs,
            arc_edge,
        }
    }

    /// Checks the structural invariants every graph must satisfy. Returns the first violation.
    /// Checks every value a search or a snap trusts, in parallel: coordinates in range and
    /// inside the stored bounding box, lengths finite and plausible, times below two days,
    /// road classes known. Run on every load (a forged file with a valid checksum must not
    /// reach a search); cheaper than [`RoadGraph::check_invariants`], which also compares the
    /// adjacency arrays.
    pub fn check_values(&self) -> Result<(), String> {
        use rayon::prelude::*;
        const MAX_EDGE_M: f32 = 1_000_000.0;
        const MAX_EDGE_MS: u32 = 48 * 3_600_000;
        let b = self.meta.bbox;
        // The box with a margin of ~1 km (and its rounding), in 1e-7 degrees.
        let margin = 100_000i64;
        let lo_lat = ((b[1] * 1e7) as i64 - margin).max(-900_000_000);
        let hi_lat = ((b[3] * 1e7) as i64 + margin).min(900_000_000);
        let lo_lon = ((b[0] * 1e7) as i64 - margin).max(-1_800_000_000);
        let hi_lon = ((b[2] * 1e7) as i64 + margin).min(1_800_000_000);
        let in_box = |lat: i32, lon: i32| {
            (lo_lat..=hi_lat).contains(&(lat as i64)) && (lo_lon..=hi_lon).contains(&(lon as i64))
        };
        let bad_node = (0..self.node_count())
            .into_par_iter()
            .find_any(|&i| !in_box(self.node_lat_e7[i], self.node_lon_e7[i]));
        if let Some(i) = bad_node {
            return Err(format!(
                "node {i} lies outside the graph's bounding box or the world"
            ));
        }
        // Shape points may bulge beyond the nodes' box (a winding road at its edge): half a
        // degree of margin, still far from the world's other side.
        let wide = 5_000_000i64;
        let in_wide_box = |lat: i32, lon: i32| {
            ((lo_lat - wide)..=(hi_lat + wide)).contains(&(lat as i64))
                && ((lo_lon - wide)..=(hi_lon + wide)).contains(&(lon as i64))
        };
        let bad_shape = (0..self.shape_lat_e7.len())
            .into_par_iter()
            .find_any(|&i| !in_wide_box(self.shape_lat_e7[i], self.shape_lon_e7[i]));
        if let Some(i) = bad_shape {
            return Err(format!(
                "shape point {i} lies outside the graph's bounding box"
            ));
        }
        let classes = self.meta.class_names.len();
        let bad_edge = (0..self.edge_count()).into_par_iter().find_map_any(|e| {
            let len = self.edge_length_m[e];
            if !(len.is_finite() && (0.0..=MAX_EDGE_M).contains(&len)) {
                return Some(format!("edge {e} has length {len} m"));
            }
            for t in [self.edge_time_fw_ms[e], self.edge_time_bw_ms[e]] {
                if t != NO_TIME && t > MAX_EDGE_MS {
                    return Some(format!("edge {e} takes {t} ms (over two days)"));
                }
            }
            if !self.peak_time_fw_ms.is_empty() {
                let free = [self.edge_time_fw_ms[e], self.edge_time_bw_ms[e]];
                let peak = [self.peak_time_fw_ms[e], self.peak_time_bw_ms[e]];
                for (f, p) in free.into_iter().zip(peak) {
                    if (f == NO_TIME) != (p == NO_TIME) || p == 0 {
                        return Some(format!(
                            "edge {e} is open at another time of day than it is closed"
                        ));
                    }
                    if p != NO_TIME && p > MAX_EDGE_MS {
                        return Some(format!("edge {e} takes {p} ms at peak (over two days)"));
                    }
                }
            }
            let c = self.edge_class[e];
            if c != FERRY_CLASS && c as usize >= classes {
                return Some(format!("edge {e} has an unknown road class {c}"));
            }
            None
        });
        match bad_edge {
            Some(m) => Err(m),
            None => Ok(()),
        }
    }

    pub fn check_invariants(&self) -> Result<(), String> {
        let n = self.node_count() as u32;
        let m = self.edge_count();
        if self.node_lon_e7.len() != n as usize {
            return Err("node coordinate arrays differ in length".into());
        }
        for (name, len) in [
            ("edge_to", self.edge_to.len()),
            ("edge_length_m", self.edge_length_m.len()),
            ("edge_time_fw_ms", self.edge_time_fw_ms.len()),
            ("edge_time_bw_ms", self.edge_time_bw_ms.len()),
            ("edge_class", self.edge_class.len()),
            ("edge_way", self.edge_way.len()),
        ] {
            if len != m {
                return Err(format!("{name} has {len} entries for {m} edges"));
            }
        }
        for (name, len) in [
            ("peak_time_fw_ms", self.peak_time_fw_ms.len()),
            ("peak_time_bw_ms", self.peak_time_bw_ms.len()),
        ] {
            if len != m && len != 0 {
                return Err(format!("{name} has {len} entries for {m} edges"));
            }
        }
        if self.edge_shape_first.len() != m + 1 {
            return Err("edge_shape_first must have one entry more than there are edges".into());
        }
        if self.edge_shape_first.windows(2).any(|w| w[0] > w[1])
            || self.edge_shape_first.last().copied().unwrap_or(0) as usize
                != self.shape_lat_e7.len()
            || self.shape_lat_e7.len() != self.shape_lon_e7.len()
        {
            return Err("edge_shape_first is not a valid offset array".into());
        }
        self.check_edges()?;
        self.check_nodes()?;
        self.check_csr()?;
        Ok(())
    }

    /// Every edge: endpoints in range, a travel time, open one way at least, a way, a length.
    fn check_edges(&self) -> Result<(), String> {
        let n = self.node_count() as u32;
        let m = self.edge_count();
        for e in 0..m {
            let (u, v) = (self.edge_from[e], self.edge_to[e]);
            if u >= n || v >= n {
                return Err(format!("edge {e} has an endpoint outside 0..{n}"));
            }
            if self.edge_time_fw_ms[e] == 0 || self.edge_time_bw_ms[e] == 0 {
                return Err(format!("edge {e} has a zero travel time"));
            }
            if self.edge_time_fw_ms[e] == NO_TIME && self.edge_time_bw_ms[e] == NO_TIME {
                return Err(format!("edge {e} is closed in both directions"));
            }
            if self.edge_way[e] as usize >= self.way_osm_id.len() {
                return Err(format!("edge {e} refers to no OSM way"));
            }
            if !(self.edge_length_m[e].is_finite() && self.edge_length_m[e] >= 0.0) {
                return Err(format!("edge {e} has length {}", self.edge_length_m[e]));
            }
        }
        Ok(())
    }

    /// Every node's coordinates in range.
    fn check_nodes(&self) -> Result<(), String> {
        let n = self.node_count() as u32;
        for i in 0..n as usize {
            let (lat, lon) = (self.node_lat_e7[i], self.node_lon_e7[i]);
            if !(-900_000_000..=900_000_000).contains(&lat)
                || !(-1_800_000_000..=1_800_000_000).contains(&lon)
            {
                return Err(format!("node {i} has coordinates out of range"));
            }
        }
        Ok(())
    }

    /// Both CSRs consistent, and the reverse the transpose of the forward.
    fn check_csr(&self) -> Result<(), String> {
        let n = self.node_count() as u32;
        for (name, csr) in [("forward", &self.fwd), ("reverse", &self.rev)] {
            if csr.first.len() != n as usize + 1
                || csr.first.windows(2).any(|w| w[0] > w[1])
                || csr.first.last().copied().unwrap_or(0) as usize != csr.arcs.len()
                || csr.arc_edge.len() != csr.arcs.len()
            {
                return Err(format!("{name} CSR offsets are inconsistent"));
            }
            if csr
                .arcs
                .iter()
                .any(|a| a.head >= n || a.time_ms == 0 || a.time_ms == NO_TIME)
            {
                return Err(format!("{name} CSR has an arc with a bad head or time"));
            }
        }
        // The reverse graph must be the transpose of the forward graph.
        let mut f: Vec<(u32, u32, u32, u32)> = Vec::with_capacity(self.fwd.arcs.len());
        for v in 0..n {
            for (i, a) in self.fwd.range_of(v).zip(self.fwd.arcs_of(v)) {
                f.push((v, a.head, a.time_ms, self.fwd.arc_edge[i]));
            }
        }
        let mut r: Vec<(u32, u32, u32, u32)> = Vec::with_capacity(self.rev.arcs.len());
        for v in 0..n {
            for (i, a) in self.rev.range_of(v).zip(self.rev.arcs_of(v)) {
                r.push((a.head, v, a.time_ms, self.rev.arc_edge[i]));
            }
        }
        f.sort_unstable();
        r.sort_unstable();
        if f != r {
            return Err("the reverse CSR is not the transpose of the forward CSR".into());
        }
        Ok(())
    }
}
