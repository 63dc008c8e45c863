//! Bounded reading of input files: every file a command reads (CSV, GeoJSON, TOML, JSON) is
//! read through [`open`], which fails as soon as more than the input limit has arrived,
//! whatever the file is (a regular file, a pipe, a FIFO or a device such as `/dev/zero`).
//! The limit is [`DEFAULT_MAX_INPUT_MB`] unless the command line sets another
//! (`--max-input-mb`, or env `NABIJ_MAX_INPUT_MB`), once, at start.

use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// The default input limit, in MB (10^6 bytes).
pub const DEFAULT_MAX_INPUT_MB: u64 = 32;

static MAX_INPUT_BYTES: AtomicU64 = AtomicU64::new(DEFAULT_MAX_INPUT_MB * 1_000_000);

/// Sets the input limit for the rest of the process (the CLI does, from its configuration).
pub fn set_max_input_mb(mb: u64) {
    MAX_INPUT_BYTES.store(mb.saturating_mul(1_000_000), Ordering::Relaxed);
}

/// The input limit in bytes.
pub fn max_input_bytes() -> u64 {
    MAX_INPUT_BYTES.load(Ordering::Relaxed)
}

/// A reader that fails once more than `limit` bytes have come through.
pub struct Limited<R> {
    inner: R,
    left: u64,
    limit: u64,
    raise: &'static str,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            // One byte more than the limit tells a file of exactly the limit from a longer one.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(too_large(self.limit, self.raise)),
            };
        }
        let n = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let got = self.inner.read(&mut buf[..n])?;
        self.left -= got as u64;
        Ok(got)
    }
}

fn too_large(limit: u64, raise: &str) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!(
            "larger than the input limit of {} MB ({raise})",
            limit.div_ceil(1_000_000)
        ),
    )
}

/// How to raise the general input limit, for the error message.
const RAISE: &str = "raise it with --max-input-mb";

/// Opens `path` for reading, bounded by the input limit.
pub fn open(path: &Path) -> std::io::Result<Limited<std::fs::File>> {
    open_with(path, max_input_bytes(), RAISE)
}

/// Opens `path` for reading, bounded by `limit` bytes; `raise` says how to raise it.
pub fn open_with(
    path: &Path,
    limit: u64,
    raise: &'static str,
) -> std::io::Result<Limited<std::fs::File>> {
    let file = std::fs::File::open(path)?;
    Ok(Limited {
        inner: file,
        left: limit,
        limit,
        raise,
    })
}

/// The whole file as text, bounded by the input limit.
pub fn read_to_string(path: &Path) -> std::io::Result<String> {
    read_to_string_with(path, max_input_bytes(), RAISE)
}

/// The whole file as text, bounded by `limit` bytes.
pub fn read_to_string_with(
    path: &Path,
    limit: u64,
    raise: &'static str,
) -> std::io::Result<String> {
    let mut text = String::new();
    open_with(path, limit, raise)?.read_to_string(&mut text)?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_at_the_limit_is_read_and_one_byte_more_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("f.csv");
        std::fs::write(&p, "abcd").expect("write");
        assert_eq!(
            read_to_string_with(&p, 4, "x").expect("at the limit"),
            "abcd"
        );
        let e = read_to_string_with(&p, 3, "raise it with --x").expect_err("over");
        assert!(
            e.to_string().contains("input limit") && e.to_string().contains("--x"),
            "{e}"
        );
    }

    #[test]
    fn an_endless_device_stops_at_the_limit() {
        let e = read_to_string_with(Path::new("/dev/zero"), 1_000_000, "x").expect_err("endless");
        assert!(e.to_string().contains("input limit of 1 MB"), "{e}");
    }
}
