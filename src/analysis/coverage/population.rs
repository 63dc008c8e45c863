//! Where the origins come from when a population file is given, and the facilities matched
//! to the roads and municipalities: the matching half of [`Prepared`].

use super::*;

/// Facilities matched to the roads (or the reason they cannot be) and to the municipality
/// they lie in.
pub(super) fn place_facilities(
    engine: &Engine,
    index: &MunicipalityIndex,
    municipalities: &[Municipality],
    facilities: &[Facility],
) -> (Vec<Result<Snap, SnapError>>, Vec<Option<usize>>) {
    let points: Vec<(f64, f64)> = facilities.iter().map(|f| (f.lon, f.lat)).collect();
    let municipality = facilities
        .iter()
        .map(|f| index.locate(municipalities, f.lon, f.lat))
        .collect();
    (engine.index.snap_many(&points), municipality)
}

/// User points as origins, in the municipality each lies in; points outside every
/// municipality or off the roads are dropped and counted.
pub(super) fn point_origins(
    engine: &Engine,
    index: &MunicipalityIndex,
    municipalities: &[Municipality],
    points: &[WeightedPoint],
) -> (Vec<Vec<Origin>>, usize) {
    let mut origins: Vec<Vec<Origin>> = vec![Vec::new(); municipalities.len()];
    let mut dropped = 0;
    let pts: Vec<(f64, f64)> = points.iter().map(|p| (p.lon, p.lat)).collect();
    for (p, snap) in points.iter().zip(engine.index.snap_many(&pts)) {
        match (index.locate(municipalities, p.lon, p.lat), snap) {
            (Some(m), Ok(snap)) => origins[m].push(Origin::Point {
                snap,
                weight: p.weight,
            }),
            _ => dropped += 1,
        }
    }
    (origins, dropped)
}

/// Areas' young people spread over the inhabited-road origins inside each area, in
/// proportion to their street length; an area without such a road puts its young people at
/// a point inside it (dropped and counted if that is outside every municipality or off the
/// roads). Road origins in no area carry nobody and are left out.
pub(super) fn area_origins(
    engine: &Engine,
    index: &MunicipalityIndex,
    municipalities: &[Municipality],
    road: Vec<Vec<Origin>>,
    areas: &[WeightedArea],
) -> (Vec<Vec<Origin>>, usize) {
    let hits = origins_in_areas(engine, &road, areas);
    let mut street = vec![0.0f64; areas.len()];
    for &(_, _, a, w) in &hits {
        street[a] += w;
    }
    let mut weight: Vec<Vec<f64>> = road.iter().map(|l| vec![0.0; l.len()]).collect();
    for &(m, k, a, w) in &hits {
        weight[m][k] += areas[a].weight * w / street[a];
    }
    let mut origins = reweighted(road, weight);
    let roadless: Vec<WeightedPoint> = areas
        .iter()
        .zip(&street)
        .filter(|(a, s)| **s <= 0.0 && a.weight > 0.0)
        .filter_map(|(a, _)| {
            let p = a.geometry.interior_point()?;
            Some(WeightedPoint {
                lon: p.x(),
                lat: p.y(),
                weight: a.weight,
            })
        })
        .collect();
    let (extra, dropped) = point_origins(engine, index, municipalities, &roadless);
    for (list, more) in origins.iter_mut().zip(extra) {
        list.extend(more);
    }
    (origins, dropped)
}

/// `(municipality, origin, area, street weight)` for every road origin inside an area.
fn origins_in_areas(
    engine: &Engine,
    road: &[Vec<Origin>],
    areas: &[WeightedArea],
) -> Vec<(usize, usize, usize, f64)> {
    use geo::{BoundingRect, Intersects};
    use rstar::primitives::{GeomWithData, Rectangle};
    let tree = rstar::RTree::bulk_load(
        areas
            .iter()
            .enumerate()
            .filter_map(|(i, a)| {
                let r = a.geometry.bounding_rect()?;
                Some(GeomWithData::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    i,
                ))
            })
            .collect(),
    );
    let g = &engine.graph;
    road.par_iter()
        .enumerate()
        .flat_map_iter(|(m, list)| {
            let tree = &tree;
            list.iter().enumerate().flat_map(move |(k, o)| {
                let (node, w) = match o {
                    Origin::Node { node, weight } => (*node, *weight),
                    Origin::Point { .. } => (u32::MAX, 0.0),
                };
                let (lon, lat) = if node == u32::MAX {
                    (f64::NAN, f64::NAN)
                } else {
                    g.node_lonlat(node)
                };
                let p = geo::Point::new(lon, lat);
                tree.locate_all_at_point([lon, lat])
                    .filter(move |a| areas[a.data].geometry.intersects(&p))
                    .map(move |a| (m, k, a.data, w))
            })
        })
        .collect()
}

/// The road origins with their new weights, those that carry nobody left out.
fn reweighted(road: Vec<Vec<Origin>>, weight: Vec<Vec<f64>>) -> Vec<Vec<Origin>> {
    road.into_iter()
        .zip(weight)
        .map(|(list, ws)| {
            list.into_iter()
                .zip(ws)
                .filter(|(_, w)| *w > 0.0)
                .map(|(o, w)| match o {
                    Origin::Node { node, .. } => Origin::Node { node, weight: w },
                    Origin::Point { snap, .. } => Origin::Point { snap, weight: w },
                })
                .collect()
        })
        .collect()
}
