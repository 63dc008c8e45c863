//! Writing a command's answer: to a file (atomically, never over one of the command's
//! inputs) or to standard output.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::CliError;
use crate::graph::file::AtomicFile;

/// Whether two paths name the same file (both resolved; a missing file matches nothing).
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Fails if `out` is one of `inputs`.
pub fn refuse_input(out: &Path, inputs: &[PathBuf]) -> Result<(), CliError> {
    if let Some(input) = inputs.iter().find(|i| same_file(out, i)) {
        return Err(CliError::Usage(format!(
            "--out {} is an input of this command ({}); choose another file",
            out.display(),
            input.display()
        )));
    }
    Ok(())
}

/// Creates the output file before the work (so an unwritable or forbidden path fails at once).
pub fn open(out: Option<&Path>, inputs: &[PathBuf]) -> Result<Option<AtomicFile>, CliError> {
    out.map(|p| {
        refuse_input(p, inputs)?;
        AtomicFile::create(p).map_err(|source| CliError::Output {
            path: p.to_path_buf(),
            source,
        })
    })
    .transpose()
}

/// Writes `text` to the opened file and renames it into place, or to standard output.
pub fn finish(file: Option<AtomicFile>, out: Option<&Path>, text: &str) -> Result<(), CliError> {
    finish_bytes(file, out, text.as_bytes())
}

/// Writes bytes to the opened file and renames it into place, or to standard output.
pub fn finish_bytes(
    file: Option<AtomicFile>,
    out: Option<&Path>,
    bytes: &[u8],
) -> Result<(), CliError> {
    match (file, out) {
        (Some(mut f), Some(p)) => {
            let err = |source| CliError::Output {
                path: p.to_path_buf(),
                source,
            };
            f.file().write_all(bytes).map_err(err)?;
            f.commit().map_err(err)
        }
        _ => {
            let mut o = std::io::stdout().lock();
            // A closed pipe (e.g. `| head`) is not an error worth a panic.
            let _ = o.write_all(bytes).and_then(|_| o.flush());
            Ok(())
        }
    }
}

/// Opens, writes and finishes in one step (for answers computed before the output is named).
pub fn write(out: Option<&Path>, inputs: &[PathBuf], text: &str) -> Result<(), CliError> {
    let f = open(out, inputs)?;
    finish(f, out, text)
}
