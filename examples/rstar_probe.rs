//! Developer probe: the raw cost of rstar queries on a graph's segments.
use rstar::primitives::{GeomWithData, Line};
use rstar::{AABB, RTree};

type Segment = GeomWithData<Line<[f32; 2]>, (u32, u32)>;
use std::time::Instant;
fn main() {
    let path = std::env::args().nth(1).expect("graph");
    let g = nabij::graph::file::read_graph(std::path::Path::new(&path)).expect("graph");
    let [w, s, e, n] = g.meta.bbox;
    let (lon0, lat0) = ((w + e) / 2.0, (s + n) / 2.0);
    let kx = 111_319.49 * lat0.to_radians().cos();
    let p = |lon: f64, lat: f64| {
        [
            ((lon - lon0) * kx) as f32,
            ((lat - lat0) * 111_319.49) as f32,
        ]
    };
    let mut segs = Vec::new();
    for e in 0..g.edge_count() as u32 {
        let pts = g.edge_polyline(e);
        for (k, w) in pts.windows(2).enumerate() {
            segs.push(GeomWithData::new(
                Line::new(p(w[0].0, w[0].1), p(w[1].0, w[1].1)),
                (e, k as u32),
            ));
        }
    }
    let tree: RTree<Segment> = RTree::bulk_load(segs);
    let mut rng = nabij::rng::SplitMix64::new(7);
    let qs: Vec<[f32; 2]> = (0..200_000)
        .map(|_| {
            let v = rng.below(g.node_count() as u64) as u32;
            let (lon, lat) = g.node_lonlat(v);
            p(
                lon + rng.range(-0.002, 0.002),
                lat + rng.range(-0.0015, 0.0015),
            )
        })
        .collect();
    let t = Instant::now();
    let mut c = 0usize;
    for q in &qs {
        c += tree.locate_within_distance(*q, 40.0 * 40.0).count();
    }
    println!(
        "locate_within_distance 40 m: {:.2} us/query ({} hits/query)",
        t.elapsed().as_secs_f64() * 1e6 / qs.len() as f64,
        c as f64 / qs.len() as f64
    );
    let t = Instant::now();
    let mut c = 0usize;
    for q in &qs {
        c += tree
            .locate_in_envelope_intersecting(AABB::from_corners(
                [q[0] - 40.0, q[1] - 40.0],
                [q[0] + 40.0, q[1] + 40.0],
            ))
            .count();
    }
    println!(
        "locate_in_envelope_intersecting 80 m box: {:.2} us/query ({} hits/query)",
        t.elapsed().as_secs_f64() * 1e6 / qs.len() as f64,
        c as f64 / qs.len() as f64
    );
    let t = Instant::now();
    for q in &qs {
        std::hint::black_box(tree.nearest_neighbor(*q));
    }
    println!(
        "nearest_neighbor: {:.2} us/query",
        t.elapsed().as_secs_f64() * 1e6 / qs.len() as f64
    );
}
