//! Strongly connected components by Kosaraju's algorithm with explicit stacks.
//!
//! Hand-written because petgraph's `tarjan_scc` recurses once per node on the DFS path and
//! a country-sized road graph (millions of nodes, long DFS paths) overflows the thread stack;
//! petgraph's implementation is the oracle in this module's tests.

use super::Csr;

/// Labels every node with a component index. Components are numbered in the order
/// Kosaraju discovers them, which is deterministic for a given graph.
/// Returns `(component_of_node, size_of_component)`.
pub fn strongly_connected_components(fwd: &Csr, rev: &Csr) -> (Vec<u32>, Vec<u32>) {
    let n = fwd.first.len().saturating_sub(1);
    // 1. Finish order of an iterative DFS on the forward graph.
    let mut visited = vec![false; n];
    let mut order: Vec<u32> = Vec::with_capacity(n);
    let mut stack: Vec<(u32, u32)> = Vec::new();
    for root in 0..n as u32 {
        if visited[root as usize] {
            continue;
        }
        visited[root as usize] = true;
        stack.push((root, fwd.first[root as usize]));
        while let Some(top) = stack.last_mut() {
            let (v, next) = *top;
            if next < fwd.first[v as usize + 1] {
                top.1 += 1;
                let w = fwd.arcs[next as usize].head;
                if !visited[w as usize] {
                    visited[w as usize] = true;
                    stack.push((w, fwd.first[w as usize]));
                }
            } else {
                order.push(v);
                stack.pop();
            }
        }
    }
    // 2. In reverse finish order, collect components on the reverse graph.
    let mut comp = vec![u32::MAX; n];
    let mut sizes: Vec<u32> = Vec::new();
    let mut todo: Vec<u32> = Vec::new();
    for &root in order.iter().rev() {
        if comp[root as usize] != u32::MAX {
            continue;
        }
        let c = sizes.len() as u32;
        let mut size = 0u32;
        comp[root as usize] = c;
        todo.push(root);
        while let Some(v) = todo.pop() {
            size += 1;
            for a in rev.arcs_of(v) {
                if comp[a.head as usize] == u32::MAX {
                    comp[a.head as usize] = c;
                    todo.push(a.head);
                }
            }
        }
        sizes.push(size);
    }
    (comp, sizes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{Arc, Csr};
    use crate::rng::SplitMix64;

    fn csr(n: usize, edges: &[(u32, u32)]) -> Csr {
        let mut first = vec![0u32; n + 1];
        for &(t, _) in edges {
            first[t as usize + 1] += 1;
        }
        for i in 0..n {
            first[i + 1] += first[i];
        }
        let mut fill = first.clone();
        let mut arcs = vec![
            Arc {
                head: 0,
                time_ms: 1
            };
            edges.len()
        ];
        for &(t, h) in edges {
            arcs[fill[t as usize] as usize] = Arc {
                head: h,
                time_ms: 1,
            };
            fill[t as usize] += 1;
        }
        Csr {
            first,
            arc_edge: vec![0; arcs.len()],
            arcs,
        }
    }

    #[test]
    fn matches_petgraph_tarjan_on_random_graphs() {
        for seed in 0..200u64 {
            let mut rng = SplitMix64::new(seed);
            let n = 1 + rng.below(40) as usize;
            let m = rng.below(3 * n as u64) as usize;
            let edges: Vec<(u32, u32)> = (0..m)
                .map(|_| (rng.below(n as u64) as u32, rng.below(n as u64) as u32))
                .collect();
            let rev_edges: Vec<(u32, u32)> = edges.iter().map(|&(a, b)| (b, a)).collect();
            let (comp, sizes) = strongly_connected_components(&csr(n, &edges), &csr(n, &rev_edges));

            let mut g = petgraph::Graph::<(), ()>::new();
            let ids: Vec<_> = (0..n).map(|_| g.add_node(())).collect();
            for &(a, b) in &edges {
                g.add_edge(ids[a as usize], ids[b as usize], ());
            }
            let oracle = petgraph::algo::tarjan_scc(&g);
            assert_eq!(sizes.len(), oracle.len(), "seed {seed}: component count");
            for c in &oracle {
                let label = comp[c[0].index()];
                assert!(
                    c.iter().all(|v| comp[v.index()] == label),
                    "seed {seed}: component {c:?} split"
                );
                assert_eq!(sizes[label as usize] as usize, c.len(), "seed {seed}: size");
            }
        }
    }

    #[test]
    fn a_long_path_does_not_overflow_the_stack() {
        let n = 2_000_000u32;
        let edges: Vec<(u32, u32)> = (0..n - 1).flat_map(|i| [(i, i + 1), (i + 1, i)]).collect();
        let rev_edges: Vec<(u32, u32)> = edges.iter().map(|&(a, b)| (b, a)).collect();
        let (_, sizes) =
            strongly_connected_components(&csr(n as usize, &edges), &csr(n as usize, &rev_edges));
        assert_eq!(sizes, vec![n]);
    }
}
