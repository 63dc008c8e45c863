//! A cache prefetch hint for the hand-written hot paths (search, snapping).

/// Asks the CPU to start loading the cache line at `p` (no effect on other architectures).
/// Never dereferences `p`, so any address is allowed.
#[inline(always)]
pub fn prefetch_read<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: PREFETCHT0 is a hint: it does not read memory into registers, cannot fault,
    // and has no effect on program state whatever the address.
    unsafe {
        std::arch::x86_64::_mm_prefetch(p as *const i8, std::arch::x86_64::_MM_HINT_T0);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}
