//! Small shared helpers: a seeded PRNG, great-circle distance, Hilbert order.

/// SplitMix64: a tiny, well-known PRNG. Used instead of the `rand` crate so that generated
/// data (the demo region, synthetic networks, test graphs) stays byte-identical across
/// dependency upgrades.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0), by Lemire's multiply-shift (bias below 2^-32 for small n).
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n.max(1) as u128) >> 64) as u64
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `[lo, hi)`.
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// Mean Earth radius (IUGG), metres; the value geo's Haversine uses.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Great-circle distance between two lon/lat points in degrees.
///
/// # Units
/// Degrees in, metres out.
#[inline]
pub fn haversine_m(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dlat = p2 - p1;
    let dlon = (lon2 - lon1).to_radians();
    let a = (dlat * 0.5).sin().powi(2) + p1.cos() * p2.cos() * (dlon * 0.5).sin().powi(2);
    2.0 * EARTH_RADIUS_M * a.sqrt().asin()
}

/// Position of `(x, y)` on a Hilbert curve over a 2^16 × 2^16 grid.
pub fn hilbert_index(mut x: u32, mut y: u32) -> u64 {
    let n: u32 = 1 << 16;
    let mut d: u64 = 0;
    let mut s = n / 2;
    while s > 0 {
        let rx = u32::from(x & s > 0);
        let ry = u32::from(y & s > 0);
        d += s as u64 * s as u64 * ((3 * rx) ^ ry) as u64;
        if ry == 0 {
            if rx == 1 {
                x = n - 1 - x;
                y = n - 1 - y;
            }
            std::mem::swap(&mut x, &mut y);
        }
        s /= 2;
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn haversine_agrees_with_geo() {
        use geo::{Distance, Haversine, Point};
        let pairs = [
            (4.8952, 52.3702, 5.1214, 52.0907),
            (14.5146, 35.8989, 14.2410, 36.0443),
            (-8.61, 41.15, -8.60, 41.16),
        ];
        for (a, b, c, d) in pairs {
            let ours = haversine_m(a, b, c, d);
            let theirs = Haversine.distance(Point::new(a, b), Point::new(c, d));
            assert!(
                (ours - theirs).abs() < 1e-6 * theirs.max(1.0),
                "{ours} vs {theirs}"
            );
        }
    }

    #[test]
    fn hilbert_visits_every_cell_of_a_small_grid_once() {
        // On the top-level 2x2 quadrants the indices must be distinct and adjacent cells in
        // curve order must be neighbours; checked here on a coarse 16x16 sampling.
        let step = 1 << 12;
        let mut cells: Vec<(u64, u32, u32)> = Vec::new();
        for x in 0..16u32 {
            for y in 0..16u32 {
                cells.push((hilbert_index(x * step, y * step), x, y));
            }
        }
        cells.sort();
        cells.dedup_by_key(|c| c.0);
        assert_eq!(cells.len(), 256);
        for w in cells.windows(2) {
            let dx = (w[0].1 as i64 - w[1].1 as i64).abs();
            let dy = (w[0].2 as i64 - w[1].2 as i64).abs();
            assert_eq!(dx + dy, 1, "{:?} -> {:?}", w[0], w[1]);
        }
    }

    #[test]
    fn splitmix_is_stable() {
        let mut r = SplitMix64::new(1);
        // Reference values of SplitMix64 seeded with 1.
        assert_eq!(r.next_u64(), 0x910A_2DEC_8902_5CC1);
        assert_eq!(r.next_u64(), 0xBEEB_8DA1_658E_EC67);
    }
}

/// Seconds since the Unix epoch as an RFC 3339 UTC timestamp (`2026-11-22T09:30:00Z`).
pub fn rfc3339_utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod time_tests {
    #[test]
    fn rfc3339() {
        assert_eq!(super::rfc3339_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::rfc3339_utc(1_795_339_800), "2026-11-22T09:30:00Z");
        assert_eq!(super::rfc3339_utc(951_782_400), "2000-02-29T00:00:00Z");
    }
}

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
