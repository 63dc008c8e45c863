//! The bundled demo region *Nabijland*, embedded in the binary (800 KB) so that `--demo`
//! works from any folder, after `cargo install` too. On first use its files are written to
//! a cache folder named by their hash (`~/.cache/nabij/demo-<hash>`), atomically, and read
//! from there like any other input.

use std::path::{Path, PathBuf};

/// Where the demo's files live in the repository (what `nabij demo --out` rewrites).
pub const DEMO_DIR: &str = "data/demo";

macro_rules! demo_file {
    ($name:literal) => {
        (
            $name,
            include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/data/demo/", $name)) as &[u8],
        )
    };
}

/// The demo's files: name and bytes.
pub const FILES: [(&str, &[u8]); 4] = [
    demo_file!("nabijland.osm.pbf"),
    demo_file!("municipalities.geojson"),
    demo_file!("facilities.csv"),
    demo_file!("zorggebieden.csv"),
];

/// The folder that holds the demo's files: the cache copy of the embedded files (written on
/// first use), or, if no cache folder can be written, `data/demo` in the current folder.
pub fn dir() -> PathBuf {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let bases = [
        env("XDG_CACHE_HOME").map(PathBuf::from),
        env("HOME").map(|h| PathBuf::from(h).join(".cache")),
        Some(std::env::temp_dir()),
    ];
    for base in bases.into_iter().flatten() {
        match extract(&base.join("nabij")) {
            Ok(d) => return d,
            Err(e) => tracing::debug!("demo not written under {}: {e}", base.display()),
        }
    }
    PathBuf::from(DEMO_DIR)
}

/// A short hash of every file's name and bytes: a changed demo gets a folder of its own.
fn fingerprint() -> String {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for (name, bytes) in FILES {
        h.update(name.as_bytes());
        h.update(&(bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    }
    format!("{:016x}", h.digest())
}

/// Whether `dir` holds exactly the embedded files.
fn holds_demo(dir: &Path) -> bool {
    FILES
        .iter()
        .all(|(name, bytes)| std::fs::read(dir.join(name)).is_ok_and(|b| b == *bytes))
}

/// Writes the files into `<cache>/demo-<hash>` unless they are there already: into a fresh
/// folder first, renamed into place, so that a reader never sees half of them.
fn extract(cache: &Path) -> std::io::Result<PathBuf> {
    let dir = cache.join(format!("demo-{}", fingerprint()));
    if holds_demo(&dir) {
        return Ok(dir);
    }
    std::fs::create_dir_all(cache)?;
    let staging = cache.join(format!(
        ".demo-{}-{}.part",
        fingerprint(),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir(&staging)?;
    for (name, bytes) in FILES {
        std::fs::write(staging.join(name), bytes)?;
    }
    if dir.exists() {
        // A damaged copy (or one another process has just finished): replace it unless it
        // is whole now.
        if holds_demo(&dir) {
            let _ = std::fs::remove_dir_all(&staging);
            return Ok(dir);
        }
        std::fs::remove_dir_all(&dir)?;
    }
    match std::fs::rename(&staging, &dir) {
        Ok(()) => Ok(dir),
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            if holds_demo(&dir) { Ok(dir) } else { Err(e) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_is_written_once_and_read_back_whole() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let d = extract(tmp.path()).expect("extract");
        assert!(holds_demo(&d));
        // A damaged copy is replaced.
        std::fs::write(d.join("facilities.csv"), "id\n").expect("damage");
        assert!(!holds_demo(&d));
        let again = extract(tmp.path()).expect("extract again");
        assert_eq!(again, d);
        assert!(holds_demo(&again));
        // No staging folder is left behind.
        let left: Vec<_> = std::fs::read_dir(tmp.path())
            .expect("list")
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .collect();
        assert_eq!(left.len(), 1, "{left:?}");
    }
}
