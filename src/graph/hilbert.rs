//! The Hilbert curve that orders graph nodes so that nodes close on the map are close in memory.

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
}
