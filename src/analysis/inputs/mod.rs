//! Reading the inputs, with clear errors: one module per concept (municipalities,
//! facilities, groupings and demand, points and population), over shared CSV handling here.

use std::path::{Path, PathBuf};

mod facilities;
mod groupings;
mod municipalities;
mod points;
mod population;

pub use facilities::{Facility, MAX_FACILITIES, Status, parse_status, read_facilities};
pub use groupings::{apply_demand, apply_groupings, read_grouping};
pub use municipalities::{Municipality, MunicipalityFields, read_municipalities, report_repairs};
pub use points::{MAX_POINTS, read_points, read_points_at_most};
pub use population::{Population, WeightedArea, read_population};

/// Errors in an input file. Every message names the file and, where it can, the feature or line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InputError {
    #[error("cannot read {path}: {message}")]
    Read { path: PathBuf, message: String },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

pub(super) fn invalid(path: &Path, message: impl Into<String>) -> InputError {
    InputError::Invalid {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// A CSV file read through the input limit (see [`crate::limits`]).
type CsvFile = crate::limits::Limited<std::fs::File>;

/// A CSV reader over a file, bounded by the input limit.
pub(super) fn csv_reader(path: &Path) -> Result<csv::Reader<CsvFile>, InputError> {
    let file = crate::limits::open(path).map_err(|e| InputError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    Ok(csv::Reader::from_reader(file))
}

/// Opens a CSV file and reads its header, trimmed and lower-cased.
pub(super) fn open_csv(path: &Path) -> Result<(csv::Reader<CsvFile>, Vec<String>), InputError> {
    let mut rdr = csv_reader(path)?;
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| invalid(path, e.to_string()))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    check_separator(path, &headers)?;
    Ok((rdr, headers))
}

/// A header read as one column that holds `;` or a tab was written with another separator:
/// say so instead of complaining about missing columns.
pub(super) fn check_separator(path: &Path, headers: &[String]) -> Result<(), InputError> {
    if let [only] = headers {
        for (sep, name) in [(';', "semicolons"), ('\t', "tabs"), ('|', "vertical bars")] {
            if only.contains(sep) {
                return Err(invalid(
                    path,
                    format!(
                        "the columns are separated by {name}, not commas; save it as CSV with commas (the header reads {only:?})"
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The index of column `name` in `headers`, or an error that says which columns are expected.
pub(super) fn column(
    path: &Path,
    headers: &[String],
    name: &str,
    expected: &str,
) -> Result<usize, InputError> {
    headers.iter().position(|h| h == name).ok_or_else(|| {
        invalid(
            path,
            format!("missing column {name:?} (expected {expected})"),
        )
    })
}
