//! "No allocation per query": once a workspace has run a search, running it again (same
//! graph, other seeds of the same count) allocates nothing. Counted with a global allocator
//! that tallies this thread's allocations (this file is its own test binary).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

mod common;

use nabij::rng::SplitMix64;
use nabij::routing::{Direction, Seed, Workspace};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator; only counts calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(|c| c.get())
}

#[test]
fn a_warm_workspace_searches_without_allocating() {
    let (g, _) = common::random_graph(3, 2_000);
    let n = g.node_count();
    let mut rng = SplitMix64::new(3);
    let seeds = |rng: &mut SplitMix64| -> Vec<Seed> {
        (0..50)
            .map(|i| Seed {
                node: rng.below(n as u64) as u32,
                offset_ms: rng.below(10_000) as u32,
                source: i,
            })
            .collect()
    };
    let mut ws = Workspace::default();
    for dir in [Direction::To, Direction::From] {
        // Warm up: the first searches size the heap, the settled list and the seed buffer
        // (a bucket may still grow once in a while, as capacities settle).
        for _ in 0..10 {
            let s = seeds(&mut rng);
            ws.run(&g, &s, u32::MAX, dir);
        }
        let s = seeds(&mut rng);
        let before = allocations();
        ws.run(&g, &s, u32::MAX, dir);
        let during = allocations() - before;
        assert_eq!(during, 0, "{dir:?}: a warm search allocated {during} times");
        assert!(
            ws.settled().len() > n / 2,
            "{dir:?}: the search reached little"
        );
    }
}
