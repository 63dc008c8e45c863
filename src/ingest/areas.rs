//! Areas and points from an OSM extract: administrative boundary relations assembled into
//! multipolygons (municipalities straight from the extract), and features with a given tag
//! (nodes, and closed ways by the mean of their nodes) for facilities of any public service.
//!
//! Three streaming passes: relations (and tagged nodes/ways), member ways, their nodes.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use geo::{Contains, Coord, LineString, MultiPolygon, Point, Polygon};
use osmpbf::{Element, ElementReader, RelMemberType};

use super::osm::IngestError;

/// An administrative area from a boundary relation.
#[derive(Debug, Clone)]
pub struct AdminArea {
    pub relation_id: i64,
    /// `ref:gemeentecode` (with a `GM` prefix added when it is a bare number), else `ref`,
    /// else the name.
    pub code: String,
    pub name: String,
    pub geometry: MultiPolygon<f64>,
}

/// A feature with the requested tag.
#[derive(Debug, Clone, PartialEq)]
pub struct TaggedPoint {
    /// `n123` for a node, `w456` for a closed way.
    pub osm_id: String,
    pub name: Option<String>,
    pub lon: f64,
    pub lat: f64,
}

/// What was read, with what could not be assembled.
#[derive(Debug, Clone, Default)]
pub struct AreasReport {
    pub relations: usize,
    pub assembled: usize,
    /// Relations dropped because their rings did not close (e.g. clipped by the extract).
    pub unclosed: Vec<(i64, String)>,
    /// Relations whose inner rings (holes) could not be assembled and were left out.
    pub unclosed_inner: Vec<(i64, String)>,
}

fn damaged(path: &Path, e: osmpbf::Error) -> IngestError {
    IngestError::Damaged {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}

fn reader(path: &Path) -> Result<ElementReader<std::io::BufReader<std::fs::File>>, IngestError> {
    ElementReader::from_path(path).map_err(|e| match e.kind() {
        osmpbf::ErrorKind::Io(_) => IngestError::Open {
            path: path.to_path_buf(),
            source: std::io::Error::other(e.to_string()),
        },
        _ => damaged(path, e),
    })
}

struct RelInfo {
    id: i64,
    code: String,
    name: String,
    members: Vec<(i64, bool)>, // way id, is_inner
}

/// Reads the boundary relations of `admin_level` and, if `tag` is given, the features with it.
pub fn read_areas_and_points(
    path: &Path,
    admin_level: Option<u8>,
    tag: Option<(&str, &str)>,
) -> Result<(Vec<AdminArea>, Vec<TaggedPoint>, AreasReport), IngestError> {
    let level = admin_level.map(|l| l.to_string());
    // Pass 1: relations, tagged nodes and tagged ways.
    let (rels, mut points, tagged_ways) = first_pass(path, level.as_deref(), tag)?;
    // Pass 2: member ways.
    let way_refs = member_ways(path, &rels)?;
    // Pass 3: nodes of those ways and of the tagged ways.
    let needed: HashSet<i64> = way_refs
        .values()
        .flatten()
        .chain(tagged_ways.iter().flat_map(|w| w.2.iter()))
        .copied()
        .collect();
    let coords = node_coords(path, &needed)?;
    points.extend(tagged_way_points(tagged_ways, &coords));
    points.sort_by(|a, b| a.osm_id.cmp(&b.osm_id));
    let mut report = AreasReport {
        relations: rels.len(),
        ..Default::default()
    };
    let mut areas: Vec<AdminArea> = rels
        .into_iter()
        .filter_map(|rel| assemble_area(rel, &way_refs, &coords, &mut report))
        .collect();
    report.assembled = areas.len();
    areas.sort_by(|a, b| a.code.cmp(&b.code).then(a.relation_id.cmp(&b.relation_id)));
    Ok((areas, points, report))
}

/// A closed way with the requested tag: id, name, node refs.
type TaggedWay = (i64, Option<String>, Vec<i64>);

/// What the first pass finds: boundary relations, tagged nodes, tagged closed ways.
type FirstPass = (Vec<RelInfo>, Vec<TaggedPoint>, Vec<TaggedWay>);

/// Pass 1: the boundary relations of the level, the tagged nodes and the closed tagged ways.
fn first_pass(
    path: &Path,
    level: Option<&str>,
    tag: Option<(&str, &str)>,
) -> Result<FirstPass, IngestError> {
    let mut rels: Vec<RelInfo> = Vec::new();
    let mut points: Vec<TaggedPoint> = Vec::new();
    let mut tagged_ways: Vec<TaggedWay> = Vec::new();
    reader(path)?
        .for_each(|el| match el {
            Element::Relation(r) => {
                let Some(level) = level else { return };
                let tags: HashMap<&str, &str> = r.tags().collect();
                if tags.get("boundary") != Some(&"administrative")
                    || tags.get("admin_level") != Some(&level)
                {
                    return;
                }
                let name = tags
                    .get("name")
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| format!("r{}", r.id()));
                let code = if let Some(c) = tags.get("ref:gemeentecode") {
                    if c.chars().all(|ch| ch.is_ascii_digit()) {
                        format!("GM{c:0>4}")
                    } else {
                        c.to_string()
                    }
                } else if let Some(c) = tags.get("ref") {
                    c.to_string()
                } else {
                    name.clone()
                };
                let members = r
                    .members()
                    .filter(|m| m.member_type == RelMemberType::Way)
                    .map(|m| (m.member_id, m.role().is_ok_and(|role| role == "inner")))
                    .collect();
                rels.push(RelInfo {
                    id: r.id(),
                    code,
                    name,
                    members,
                });
            }
            Element::DenseNode(n) => {
                tagged_node(&mut points, tag, n.id(), n.lon(), n.lat(), n.tags());
            }
            Element::Node(n) => {
                tagged_node(&mut points, tag, n.id(), n.lon(), n.lat(), n.tags());
            }
            Element::Way(w) => {
                if let Some((k, v)) = tag
                    && w.tags().any(|(a, b)| a == k && b == v)
                {
                    let refs: Vec<i64> = w.refs().collect();
                    if refs.len() >= 4 && refs.first() == refs.last() {
                        let name = w
                            .tags()
                            .find(|(a, _)| *a == "name")
                            .map(|(_, b)| b.to_string());
                        tagged_ways.push((w.id(), name, refs));
                    }
                }
            }
        })
        .map_err(|e| damaged(path, e))?;
    Ok((rels, points, tagged_ways))
}

/// Pass 2: the node refs of the relations' member ways.
fn member_ways(path: &Path, rels: &[RelInfo]) -> Result<HashMap<i64, Vec<i64>>, IngestError> {
    let wanted: HashSet<i64> = rels
        .iter()
        .flat_map(|r| r.members.iter().map(|m| m.0))
        .collect();
    let mut way_refs: HashMap<i64, Vec<i64>> = HashMap::new();
    if !wanted.is_empty() {
        reader(path)?
            .for_each(|el| {
                if let Element::Way(w) = el
                    && wanted.contains(&w.id())
                {
                    way_refs.insert(w.id(), w.refs().collect());
                }
            })
            .map_err(|e| damaged(path, e))?;
    }
    Ok(way_refs)
}

/// Pass 3: the coordinates of the `needed` nodes.
fn node_coords(
    path: &Path,
    needed: &HashSet<i64>,
) -> Result<HashMap<i64, (f64, f64)>, IngestError> {
    let mut coords: HashMap<i64, (f64, f64)> = HashMap::new();
    if !needed.is_empty() {
        reader(path)?
            .for_each(|el| match el {
                Element::DenseNode(n) if needed.contains(&n.id()) => {
                    coords.insert(n.id(), (n.lon(), n.lat()));
                }
                Element::Node(n) if needed.contains(&n.id()) => {
                    coords.insert(n.id(), (n.lon(), n.lat()));
                }
                _ => {}
            })
            .map_err(|e| damaged(path, e))?;
    }
    Ok(coords)
}

/// A tagged closed way as a point: the mean of its nodes.
fn tagged_way_points(
    tagged_ways: Vec<TaggedWay>,
    coords: &HashMap<i64, (f64, f64)>,
) -> Vec<TaggedPoint> {
    let mut points = Vec::new();
    for (id, name, refs) in tagged_ways {
        let pts: Vec<(f64, f64)> = refs[..refs.len() - 1]
            .iter()
            .filter_map(|r| coords.get(r).copied())
            .collect();
        if pts.is_empty() {
            continue;
        }
        let n = pts.len() as f64;
        points.push(TaggedPoint {
            osm_id: format!("w{id}"),
            name,
            lon: pts.iter().map(|p| p.0).sum::<f64>() / n,
            lat: pts.iter().map(|p| p.1).sum::<f64>() / n,
        });
    }
    points.sort_by(|a, b| a.osm_id.cmp(&b.osm_id));

    points
}

/// A relation's polygons from its member ways: outer rings joined, holes put in the outer
/// ring that holds them; `None` (and reported) when the outer rings do not close.
fn assemble_area(
    rel: RelInfo,
    way_refs: &HashMap<i64, Vec<i64>>,
    coords: &HashMap<i64, (f64, f64)>,
    report: &mut AreasReport,
) -> Option<AdminArea> {
    let mut outer = Vec::new();
    let mut inner = Vec::new();
    let mut missing = false;
    for (way, is_inner) in &rel.members {
        match way_refs.get(way) {
            Some(r) if r.iter().all(|n| coords.contains_key(n)) => {
                if *is_inner {
                    inner.push(r.clone())
                } else {
                    outer.push(r.clone())
                }
            }
            _ => missing = true,
        }
    }
    let outer_rings = if missing { None } else { assemble(outer) };
    let inner_rings = match assemble(inner) {
        Some(r) => r,
        None => {
            // Holes that do not close are left out, and said so: the area is then
            // larger than the boundary meant.
            report.unclosed_inner.push((rel.id, rel.name.clone()));
            Vec::new()
        }
    };
    let Some(outer_rings) = outer_rings.filter(|r| !r.is_empty()) else {
        report.unclosed.push((rel.id, rel.name.clone()));
        return None;
    };
    let to_ls = |ring: &Vec<i64>| {
        LineString(
            ring.iter()
                .map(|n| {
                    let (x, y) = coords[n];
                    Coord { x, y }
                })
                .collect(),
        )
    };
    let mut polys: Vec<(LineString<f64>, Vec<LineString<f64>>)> =
        outer_rings.iter().map(|r| (to_ls(r), Vec::new())).collect();
    for ring in &inner_rings {
        let ls = to_ls(ring);
        let Some(p) = ls.0.first().copied() else {
            continue;
        };
        if let Some(target) = polys
            .iter_mut()
            .find(|(ext, _)| Polygon::new(ext.clone(), vec![]).contains(&Point::from(p)))
        {
            target.1.push(ls);
        }
    }
    let geometry = MultiPolygon(polys.into_iter().map(|(e, i)| Polygon::new(e, i)).collect());
    Some(AdminArea {
        relation_id: rel.id,
        code: rel.code,
        name: rel.name,
        geometry,
    })
}

/// Keeps a node that carries the requested tag.
fn tagged_node<'a>(
    points: &mut Vec<TaggedPoint>,
    tag: Option<(&str, &str)>,
    id: i64,
    lon: f64,
    lat: f64,
    tags: impl Iterator<Item = (&'a str, &'a str)>,
) {
    let Some((k, v)) = tag else { return };
    let tags: Vec<(&str, &str)> = tags.collect();
    if tags.iter().any(|(a, b)| *a == k && *b == v) {
        let name = tags
            .iter()
            .find(|(a, _)| *a == "name")
            .map(|(_, b)| b.to_string());
        points.push(TaggedPoint {
            osm_id: format!("n{id}"),
            name,
            lon,
            lat,
        });
    }
}

/// Joins ways (node id lists) end to end into closed rings. `None` if a ring cannot close.
fn assemble(ways: Vec<Vec<i64>>) -> Option<Vec<Vec<i64>>> {
    let mut pool: Vec<Vec<i64>> = ways.into_iter().filter(|w| w.len() >= 2).collect();
    let mut rings = Vec::new();
    // A linear scan per join: pools are small (tens of ways per area).
    while let Some(mut ring) = pool.pop() {
        while ring.first() != ring.last() {
            let end = *ring.last()?;
            let pos = pool
                .iter()
                .position(|w| w.first() == Some(&end) || w.last() == Some(&end))?;
            let mut next = pool.swap_remove(pos);
            if next.first() != Some(&end) {
                next.reverse();
            }
            ring.extend_from_slice(&next[1..]);
        }
        if ring.len() >= 4 {
            rings.push(ring);
        }
    }
    Some(rings)
}

#[cfg(test)]
mod tests {
    use super::assemble;

    #[test]
    fn rings_are_joined_in_any_way_order_and_direction() {
        let ways = vec![
            vec![1, 2, 3],
            vec![5, 4, 3],
            vec![5, 6, 1],
            vec![10, 11, 12, 10],
        ];
        let rings = assemble(ways).expect("closes");
        assert_eq!(rings.len(), 2);
        let big = rings
            .iter()
            .find(|r| r.len() == 7)
            .expect("the 6-node ring");
        assert_eq!(big.first(), big.last());
    }

    #[test]
    fn an_open_ring_is_refused() {
        assert!(assemble(vec![vec![1, 2, 3], vec![3, 4]]).is_none());
    }
}
