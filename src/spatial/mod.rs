//! Snapping points onto the road graph.
//!
//! Every segment of every snappable edge polyline is held in metric coordinates: an
//! equirectangular projection around the graph's centre, stored as `f32` metres (under 1 cm
//! of rounding within 150 km of the centre), in a uniform grid of cells (a hand-written
//! `SegmentGrid`); an R-tree (rstar) over the same segments is built only on demand, as the
//! reference the grid is tested against. Candidates are found
//! in that projected space; the distance that decides and is reported is then computed in
//! `f64` in a local tangent plane at the query point (error well under 0.1 % within the 1 km
//! snap range), from the segment's ends as the index stores them. Because the global
//! projection stretches east–west distances by at most a known factor `K` over the graph's
//! latitude range, every segment within true distance `d` has its envelope in the square of
//! half-side `K·d` around the point. The grid scans the point's own cell, then rings of cells,
//! until the scanned cells cover that square for the best distance found (plus a margin),
//! ranking entries by an `f32` distance so that only those within `PREFILTER_MARGIN_M` of the
//! best are evaluated exactly. The R-tree answers with box queries over a growing square in
//! [`SnapIndex::snap_with_rtree`], and tests require identical snaps from both. For the rare
//! point with no road within the limit, the grid searches on up to 100 km to say how far the
//! nearest road is (a point far outside the graph costs one clamped cell). The position along the edge comes from length shares precomputed per
//! polyline point, so a snap reads nothing from the graph.
//!
//! # Units
//! Coordinates in degrees (WGS84 lon/lat); distances in metres; times in milliseconds.

mod geometry;
mod grid;
mod index;
mod projection;

pub use geometry::local_point_segment;
pub use index::{SnapIndex, SnapTreeParams};

use crate::graph::{FERRY_CLASS, NO_TIME, RoadGraph};

/// Errors from snapping.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SnapError {
    #[error("coordinate {lon},{lat} is not a valid WGS84 longitude,latitude")]
    InvalidCoordinate { lon: f64, lat: f64 },
    #[error(
        "point {lon},{lat} is {distance_m:.0} m from the nearest drivable road (the limit is {max_m:.0} m)"
    )]
    TooFar {
        lon: f64,
        lat: f64,
        distance_m: f64,
        max_m: f64,
    },
    #[error("point {lon},{lat} has no drivable road within {max_m:.0} m")]
    NoRoadNear { lon: f64, lat: f64, max_m: f64 },
}

/// How points are snapped.
#[derive(Debug, Clone, PartialEq)]
pub struct SnapOptions {
    /// A point farther than this from every snappable road is unsnappable.
    pub max_distance_m: f64,
    /// Speed of the straight-line access leg from the point to the road.
    pub access_speed_kmh: f64,
    /// Road classes a point may not snap onto (motorways, their ramps and ferries by default:
    /// no home or facility has its front door there).
    pub excluded_classes: Vec<u8>,
}

impl SnapOptions {
    /// Defaults: 1,000 m, 15 km/h access, no snapping onto motorways, their links or ferries
    /// (by the class names stored in the graph).
    pub fn for_graph(g: &RoadGraph) -> Self {
        let mut excluded = vec![FERRY_CLASS];
        for (i, name) in g.meta.class_names.iter().enumerate() {
            if name == "motorway" || name == "motorway_link" {
                excluded.push(i as u8);
            }
        }
        SnapOptions {
            max_distance_m: 1000.0,
            access_speed_kmh: 15.0,
            excluded_classes: excluded,
        }
    }
}

/// Where a point meets the road graph.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snap {
    /// The edge snapped onto.
    pub edge: u32,
    /// Position along the edge from its `from` node, as a share of its length (0..=1).
    pub fraction: f64,
    /// The snapped position on the road.
    pub lon: f64,
    pub lat: f64,
    /// Straight-line distance from the point to the road.
    pub distance_m: f64,
    /// Time of the access leg at the access speed.
    pub access_ms: u32,
}

/// Where a search may start or end at a snapped point: the nodes at the ends of its edge,
/// each with the time from the point to that node (`leave`) and from that node to the point
/// (`arrive`), respecting the edge's directions. The access leg is not included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EdgeEnds {
    pub from_node: u32,
    pub to_node: u32,
    /// Point → `from_node` (against the edge direction), if allowed.
    pub leave_to_from_ms: Option<u32>,
    /// Point → `to_node` (along the edge), if allowed.
    pub leave_to_to_ms: Option<u32>,
    /// `from_node` → point (along the edge), if allowed.
    pub arrive_from_from_ms: Option<u32>,
    /// `to_node` → point (against the edge), if allowed.
    pub arrive_from_to_ms: Option<u32>,
}

impl Snap {
    /// The partial-edge costs from and to the snapped position.
    pub fn ends(&self, g: &RoadGraph) -> EdgeEnds {
        let e = self.edge as usize;
        let (fw, bw) = (g.edge_time_fw_ms[e], g.edge_time_bw_ms[e]);
        let part = |time: u32, share: f64| -> Option<u32> {
            (time != NO_TIME).then(|| (time as f64 * share).round() as u32)
        };
        let t = self.fraction;
        EdgeEnds {
            from_node: g.edge_from[e],
            to_node: g.edge_to[e],
            leave_to_from_ms: part(bw, t),
            leave_to_to_ms: part(fw, 1.0 - t),
            arrive_from_from_ms: part(fw, t),
            arrive_from_to_ms: part(bw, 1.0 - t),
        }
    }

    /// Time along the shared edge from this snap to `other`, if both lie on the same edge and
    /// the edge's direction allows driving from one to the other directly.
    pub fn same_edge_ms(&self, other: &Snap, g: &RoadGraph) -> Option<u32> {
        if self.edge != other.edge {
            return None;
        }
        let e = self.edge as usize;
        let (fw, bw) = (g.edge_time_fw_ms[e], g.edge_time_bw_ms[e]);
        let d = other.fraction - self.fraction;
        if d >= 0.0 && fw != NO_TIME {
            Some((fw as f64 * d).round() as u32)
        } else if d <= 0.0 && bw != NO_TIME {
            Some((bw as f64 * -d).round() as u32)
        } else {
            None
        }
    }

    /// Metres along the shared edge to `other` (see [`Snap::same_edge_ms`]).
    pub fn same_edge_m(&self, other: &Snap, g: &RoadGraph) -> f64 {
        (other.fraction - self.fraction).abs() * g.edge_length_m[self.edge as usize] as f64
    }
}
