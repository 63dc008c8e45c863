//! Where young people live and which municipality a point lies in: the origins of the
//! travel-time statistics (road-network nodes or user points) and the municipality locator.

use geo::coordinate_position::{CoordPos, CoordinatePosition};
use geo::{BoundingRect, Point};
use rayon::prelude::*;
use rstar::RTree;
use rstar::primitives::{GeomWithData, Rectangle};

use super::inputs::Municipality;
use crate::graph::RoadGraph;
use crate::spatial::Snap;

/// Road classes along which young people are taken to live (origins of the default kind).
pub const INHABITED_CLASSES: [&str; 3] = ["residential", "living_street", "unclassified"];

/// Where the young people of a municipality live, for the travel-time statistics.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    /// A graph node, weighted by half the length of the inhabited roads that meet there.
    Node { node: u32, weight: f64 },
    /// A user-supplied point (e.g. a neighbourhood centroid with its youth count).
    Point { snap: Snap, weight: f64 },
}

impl Origin {
    /// The origin's weight.
    pub fn weight(&self) -> f64 {
        match self {
            Origin::Node { weight, .. } | Origin::Point { weight, .. } => *weight,
        }
    }
}

/// A municipality's origins when they are all graph nodes: 12 bytes each instead of an
/// [`Origin`] (which has room for a snapped point).
pub(super) struct NodeOrigins {
    pub(super) nodes: Vec<u32>,
    pub(super) weights: Vec<f64>,
}

impl NodeOrigins {
    pub(super) fn of(origins: &[Origin]) -> Option<Self> {
        let mut nodes = Vec::with_capacity(origins.len());
        let mut weights = Vec::with_capacity(origins.len());
        for o in origins {
            match o {
                Origin::Node { node, weight } => {
                    nodes.push(*node);
                    weights.push(*weight);
                }
                Origin::Point { .. } => return None,
            }
        }
        Some(NodeOrigins { nodes, weights })
    }
}

/// The road-node origins by node: which municipality a node is an origin of (each node is
/// one of at most one) and its weight. The per-facility catchments read a bounded search's
/// settled nodes through it.
pub(super) struct OriginsByNode {
    municipality: Vec<u32>,
    weight: Vec<f64>,
}

impl OriginsByNode {
    const NONE: u32 = u32::MAX;

    pub(super) fn of(node_count: usize, origins: &[Vec<Origin>]) -> Self {
        let mut by = OriginsByNode {
            municipality: vec![Self::NONE; node_count],
            weight: vec![0.0; node_count],
        };
        for (m, list) in origins.iter().enumerate() {
            for o in list {
                if let Origin::Node { node, weight } = o
                    && let Some(slot) = by.municipality.get_mut(*node as usize)
                {
                    *slot = m as u32;
                    by.weight[*node as usize] = *weight;
                }
            }
        }
        by
    }

    /// The municipality and weight of the origin at node `v`, if it is one.
    #[inline]
    pub(super) fn at(&self, v: u32) -> Option<(usize, f64)> {
        let m = *self.municipality.get(v as usize)?;
        (m != Self::NONE).then(|| (m as usize, self.weight[v as usize]))
    }
}

/// A user-supplied weighted origin point.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightedPoint {
    pub lon: f64,
    pub lat: f64,
    pub weight: f64,
}

/// The municipalities' bounding boxes in an R-tree, for locating points.
pub struct MunicipalityIndex {
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
}

impl MunicipalityIndex {
    pub(super) fn new(ms: &[Municipality]) -> Self {
        let items = ms
            .iter()
            .enumerate()
            .filter_map(|(i, m)| {
                m.geometry.bounding_rect().map(|r| {
                    GeomWithData::new(
                        Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                        i,
                    )
                })
            })
            .collect();
        MunicipalityIndex {
            tree: RTree::bulk_load(items),
        }
    }

    /// The municipality containing the point (the lowest index if polygons overlap).
    pub(super) fn locate(&self, ms: &[Municipality], lon: f64, lat: f64) -> Option<usize> {
        let p = Point::new(lon, lat);
        self.tree
            .locate_all_at_point([lon, lat])
            .map(|g| g.data)
            // A ray-crossing test, defined for the self-touching rings real boundary files
            // have (geo's `Contains` goes through `relate`, which warns that its result is
            // undefined for them).
            .filter(|&i| ms[i].geometry.coordinate_position(&p.0) == CoordPos::Inside)
            .min()
    }
}

/// The default origins, computed from the graph alone (so that they can be computed while the
/// snap index is built): every node on an inhabited road, weighted by half the length of
/// those roads that meet there, in the municipality that contains it.
pub struct RoadOrigins {
    pub(super) index: MunicipalityIndex,
    pub(super) origins: Vec<Vec<Origin>>,
}

impl RoadOrigins {
    pub fn compute(g: &RoadGraph, municipalities: &[Municipality]) -> Self {
        let index = MunicipalityIndex::new(municipalities);
        let inhabited: Vec<u8> = g
            .meta
            .class_names
            .iter()
            .enumerate()
            .filter(|(_, n)| INHABITED_CLASSES.contains(&n.as_str()))
            .map(|(i, _)| i as u8)
            .collect();
        let mut weight = vec![0.0f64; g.node_count()];
        for e in 0..g.edge_count() {
            if inhabited.contains(&g.edge_class[e]) {
                let half = g.edge_length_m[e] as f64 / 2.0;
                weight[g.edge_from[e] as usize] += half;
                weight[g.edge_to[e] as usize] += half;
            }
        }
        let located: Vec<(usize, u32, f64)> = (0..g.node_count() as u32)
            .into_par_iter()
            .filter(|&v| weight[v as usize] > 0.0)
            .filter_map(|v| {
                let (lon, lat) = g.node_lonlat(v);
                index
                    .locate(municipalities, lon, lat)
                    .map(|m| (m, v, weight[v as usize]))
            })
            .collect();
        let mut origins: Vec<Vec<Origin>> = vec![Vec::new(); municipalities.len()];
        for (m, node, weight) in located {
            origins[m].push(Origin::Node { node, weight });
        }
        RoadOrigins { index, origins }
    }
}
