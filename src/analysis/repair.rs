//! Repair of boundary rings as real files have them: rings that touch themselves at a vertex
//! (the same point visited twice, as in the CBS municipality file of 2024) and degenerate
//! rings of fewer than three distinct points. geo's predicates are undefined for such rings
//! (`relate` warns and may answer wrongly), so they are repaired on input:
//!
//! - polygons that are valid and have an area are kept exactly as they are; the rest:
//! - consecutive duplicate points are merged;
//! - where a ring crosses itself between vertices (the small bow-ties of generalised
//!   boundaries), the crossing point is inserted into both segments;
//! - a ring that visits a point twice is split there into simple loops;
//! - a loop that lies inside another loop of the same exterior becomes a hole of it (the
//!   "inverted hole" way of drawing a hole as part of the exterior), the others become
//!   polygons of their own; holes are split the same way;
//! - loops of fewer than three distinct points (zero area) are dropped.
//! - polygons of zero area are dropped (geo cannot give them a winding order).
//!
//! [`repair`] reports whether anything changed.

use geo::coordinate_position::{CoordPos, CoordinatePosition};
use geo::line_intersection::{LineIntersection, line_intersection};
use geo::{Area, Coord, Line, LineString, MultiPolygon, Polygon, Validation};

/// A multipolygon with its self-touching rings split and its degenerate rings dropped;
/// `true` if anything changed.
pub fn repair(mp: &MultiPolygon<f64>) -> (MultiPolygon<f64>, bool) {
    let mut changed = false;
    let mut out = Vec::new();
    for p in &mp.0 {
        if p.is_valid() {
            if p.unsigned_area() > 0.0 {
                out.push(p.clone());
            } else {
                changed = true;
            }
            continue;
        }
        let (exteriors, c1) = simple_loops(p.exterior());
        changed |= c1;
        // Loops inside another loop of the same exterior are holes of it.
        let mut shells: Vec<(LineString<f64>, Vec<LineString<f64>>)> = Vec::new();
        let mut holes: Vec<LineString<f64>> = Vec::new();
        for (i, l) in exteriors.iter().enumerate() {
            let inside_other = exteriors
                .iter()
                .enumerate()
                .any(|(j, other)| i != j && inside(l, other) && !(inside(other, l) && j > i));
            if inside_other {
                holes.push(l.clone());
            } else {
                shells.push((l.clone(), Vec::new()));
            }
        }
        for interior in p.interiors() {
            let (loops, c2) = simple_loops(interior);
            changed |= c2;
            holes.extend(loops);
        }
        for h in holes {
            if let Some(shell) = shells.iter_mut().find(|(s, _)| inside(&h, s)) {
                shell.1.push(h);
            } else {
                // A hole outside every shell has no meaning; dropping it keeps the area.
                changed = true;
            }
        }
        out.extend(
            shells
                .into_iter()
                .map(|(e, i)| Polygon::new(e, i))
                .filter(|p| p.unsigned_area() > 0.0),
        );
    }
    (MultiPolygon(out), changed)
}

/// Whether ring `a` lies inside ring `b`: a vertex of `a` that is not on `b`'s boundary is
/// inside `b` (rings from one split share at most single vertices).
fn inside(a: &LineString<f64>, b: &LineString<f64>) -> bool {
    let shell = Polygon::new(b.clone(), Vec::new());
    a.0.iter()
        .map(|c| shell.coordinate_position(c))
        .find(|pos| *pos != CoordPos::OnBoundary)
        == Some(CoordPos::Inside)
}

/// A ring as simple closed loops: consecutive duplicates merged, split where a point is
/// visited twice, loops of fewer than three distinct points dropped. `true` if the ring was
/// not already one simple loop.
fn simple_loops(ring: &LineString<f64>) -> (Vec<LineString<f64>>, bool) {
    let mut pts: Vec<Coord<f64>> = Vec::with_capacity(ring.0.len());
    for c in &ring.0 {
        if pts.last() != Some(c) {
            pts.push(*c);
        }
    }
    // Open the ring (the closing point repeats the first).
    if pts.len() > 1 && pts.first() == pts.last() {
        pts.pop();
    }
    let crossed = insert_crossings(&mut pts);
    let mut loops = Vec::new();
    let mut stack: Vec<Coord<f64>> = Vec::with_capacity(pts.len());
    let mut split = false;
    for c in pts {
        if let Some(k) = stack.iter().position(|s| *s == c) {
            // stack[k..] closes at c: a loop of its own.
            let mut l: Vec<Coord<f64>> = stack.split_off(k);
            l.push(c);
            loops.push(l);
            stack.push(c);
            split = true;
        } else {
            stack.push(c);
        }
    }
    if let Some(first) = stack.first().copied() {
        stack.push(first);
        loops.push(stack);
    }
    let before = loops.len();
    let kept: Vec<LineString<f64>> = loops
        .into_iter()
        .filter(|l| l.len() >= 4) // three distinct points and the closing one
        .map(LineString)
        .collect();
    let changed = crossed || split || kept.len() != before || kept.len() != 1;
    (kept, changed)
}

/// Inserts every point where the open ring `pts` crosses itself between vertices into both
/// segments that cross there (the same coordinates in both, so that the split finds it).
/// Quadratic in the ring's length; only run on polygons that are not valid.
fn insert_crossings(pts: &mut Vec<Coord<f64>>) -> bool {
    let n = pts.len();
    if n < 4 {
        return false;
    }
    let seg = |i: usize| Line::new(pts[i], pts[(i + 1) % n]);
    // (segment, distance along it, point)
    let mut cuts: Vec<(usize, f64, Coord<f64>)> = Vec::new();
    for i in 0..n {
        for j in i + 2..n {
            if i == 0 && j == n - 1 {
                continue; // adjacent through the closing point
            }
            if let Some(LineIntersection::SinglePoint {
                intersection,
                is_proper: true,
            }) = line_intersection(seg(i), seg(j))
            {
                for k in [i, j] {
                    let d = (intersection.x - pts[k].x).hypot(intersection.y - pts[k].y);
                    cuts.push((k, d, intersection));
                }
            }
        }
    }
    if cuts.is_empty() {
        return false;
    }
    cuts.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut out = Vec::with_capacity(n + cuts.len());
    let mut c = 0;
    for (i, p) in pts.iter().enumerate() {
        out.push(*p);
        while c < cuts.len() && cuts[c].0 == i {
            out.push(cuts[c].2);
            c += 1;
        }
    }
    *pts = out;
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(pts: &[(f64, f64)]) -> LineString<f64> {
        LineString(pts.iter().map(|&(x, y)| Coord { x, y }).collect())
    }

    #[test]
    fn a_figure_eight_becomes_two_polygons_of_the_same_area() {
        // Two squares touching at (1,1), drawn as one ring.
        let eight = ring(&[
            (0.0, 0.0),
            (1.0, 0.0),
            (1.0, 1.0),
            (2.0, 1.0),
            (2.0, 2.0),
            (1.0, 2.0),
            (1.0, 1.0),
            (0.0, 1.0),
            (0.0, 0.0),
        ]);
        let mp = MultiPolygon(vec![Polygon::new(eight, vec![])]);
        assert!(!mp.is_valid());
        let (fixed, changed) = repair(&mp);
        assert!(changed);
        assert_eq!(fixed.0.len(), 2);
        assert!(fixed.is_valid(), "{:?}", fixed.check_validation());
        assert!((fixed.unsigned_area() - 2.0).abs() < 1e-12);
    }

    #[test]
    fn an_inverted_hole_becomes_a_hole_and_slivers_go() {
        // A 4x4 square whose exterior runs into a 1x1 hole touching it at (2,0)... drawn as
        // one ring through (2,0) twice; plus a zero-area sliver polygon.
        let with_hole = ring(&[
            (0.0, 0.0),
            (2.0, 0.0),
            (2.5, 1.0),
            (1.5, 1.0),
            (2.0, 0.0),
            (4.0, 0.0),
            (4.0, 4.0),
            (0.0, 4.0),
            (0.0, 0.0),
        ]);
        let sliver = ring(&[(9.0, 9.0), (9.5, 9.0), (9.0, 9.0), (9.0, 9.0)]);
        let mp = MultiPolygon(vec![
            Polygon::new(with_hole, vec![]),
            Polygon::new(sliver, vec![]),
        ]);
        let (fixed, changed) = repair(&mp);
        assert!(changed);
        assert_eq!(fixed.0.len(), 1, "{fixed:?}");
        assert_eq!(fixed.0[0].interiors().len(), 1);
        assert!((fixed.unsigned_area() - (16.0 - 0.5)).abs() < 1e-12);
    }

    #[test]
    fn a_bow_tie_is_cut_at_its_crossing() {
        // A ring crossing itself at (1,1) without a vertex there.
        let bow = ring(&[(0.0, 0.0), (2.0, 2.0), (2.0, 0.0), (0.0, 2.0), (0.0, 0.0)]);
        let mp = MultiPolygon(vec![Polygon::new(bow, vec![])]);
        assert!(!mp.is_valid());
        let (fixed, changed) = repair(&mp);
        assert!(changed);
        assert_eq!(fixed.0.len(), 2);
        assert!(fixed.is_valid(), "{:?}", fixed.check_validation());
        assert!((fixed.unsigned_area() - 2.0).abs() < 1e-12);
    }

    #[test]
    fn a_simple_polygon_is_left_alone() {
        let square = ring(&[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)]);
        let mp = MultiPolygon(vec![Polygon::new(square, vec![])]);
        let (fixed, changed) = repair(&mp);
        assert!(!changed);
        assert_eq!(fixed, mp);
    }
}
