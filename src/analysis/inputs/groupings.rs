//! Groupings (`code,<grouping>` CSV files) and the demand file (`code,demand`), matched to
//! the municipalities.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{InputError, Municipality, check_separator, column, csv_reader, invalid, open_csv};

/// Reads a CSV mapping municipality code → group (`code,<grouping name>`); the header names
/// the grouping. Returns (grouping name, code → group).
pub fn read_grouping(path: &Path) -> Result<(String, BTreeMap<String, String>), InputError> {
    let mut rdr = csv_reader(path)?;
    let headers = rdr
        .headers()
        .map_err(|e| invalid(path, e.to_string()))?
        .clone();
    let lower: Vec<String> = headers
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    check_separator(path, &lower)?;
    if headers.len() < 2 {
        return Err(invalid(
            path,
            "expected two columns: municipality code, group (the header names the grouping)",
        ));
    }
    let name = headers.get(1).unwrap_or("group").trim().to_string();
    let mut map = BTreeMap::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| invalid(path, format!("line {}: {e}", i + 2)))?;
        let (Some(code), Some(group)) = (rec.get(0), rec.get(1)) else {
            return Err(invalid(
                path,
                format!("line {}: expected two columns", i + 2),
            ));
        };
        let code = code.trim().to_string();
        if let Some(old) = map.insert(code.clone(), group.trim().to_string()) {
            tracing::warn!(
                "{}: line {}: municipality {code} appears again (was {old:?}); the later row counts",
                path.display(),
                i + 2
            );
        }
    }
    Ok((name, map))
}

/// Groupings from CSV files (`code,<grouping>`) added to the municipalities' regions.
pub fn apply_groupings(
    municipalities: &mut [Municipality],
    files: &[PathBuf],
) -> Result<(), InputError> {
    for path in files {
        let (name, map) = read_grouping(path)?;
        // A grouping the municipalities file already has (jeugdregio, provincie) is never
        // replaced: the custom one gets a name of its own.
        let name = if municipalities.iter().any(|m| m.regions.contains_key(&name)) {
            let own = format!("{name}_custom");
            tracing::warn!(
                "{}: the municipalities already have a {name} grouping; this one is called {own}",
                path.display()
            );
            own
        } else {
            name
        };
        check_codes(path, &format!("{name} group"), municipalities, &map)?;
        for m in municipalities.iter_mut() {
            if let Some(group) = map.get(&m.code) {
                m.regions
                    .insert(name.clone(), (group.clone(), group.clone()));
            }
        }
    }
    Ok(())
}

/// Checks that a file keyed by municipality code matches the municipalities: none matching is
/// an error; municipalities it leaves out and codes that match none are reported with their
/// count and the first codes.
fn check_codes<V>(
    path: &Path,
    what: &str,
    municipalities: &[Municipality],
    map: &BTreeMap<String, V>,
) -> Result<(), InputError> {
    let matched = municipalities
        .iter()
        .filter(|m| map.contains_key(&m.code))
        .count();
    if matched == 0 {
        return Err(invalid(
            path,
            format!(
                "none of its {} codes (e.g. {:?}) is a municipality code of the municipalities file (e.g. {:?}); the first column must hold municipality codes",
                map.len(),
                map.keys().next().map(String::as_str).unwrap_or(""),
                municipalities
                    .first()
                    .map(|m| m.code.as_str())
                    .unwrap_or("")
            ),
        ));
    }
    let left_out: Vec<&str> = municipalities
        .iter()
        .filter(|m| !map.contains_key(&m.code))
        .map(|m| m.code.as_str())
        .collect();
    if !left_out.is_empty() {
        tracing::warn!(
            "{}: {} municipalities are in no {what}: {}{}",
            path.display(),
            left_out.len(),
            left_out
                .iter()
                .take(10)
                .copied()
                .collect::<Vec<_>>()
                .join(" "),
            if left_out.len() > 10 { " …" } else { "" }
        );
    }
    let unknown = map.len() - matched;
    if unknown > 0 {
        tracing::warn!(
            "{}: {unknown} codes match no municipality and are ignored",
            path.display()
        );
    }
    Ok(())
}

/// Reads a demand file: CSV `<municipality code>,demand` (young people needing a place, e.g.
/// current placements or a waiting list) and sets it on the municipalities it names; the
/// others keep the demand of the placement rate.
pub fn apply_demand(municipalities: &mut [Municipality], path: &Path) -> Result<(), InputError> {
    let (mut rdr, headers) = open_csv(path)?;
    let cd = column(
        path,
        &headers,
        "demand",
        "a municipality code column, then demand",
    )?;
    let mut map = BTreeMap::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| invalid(path, format!("line {line}: {e}")))?;
        let code = rec.get(0).unwrap_or("").trim().to_string();
        let raw = rec.get(cd).unwrap_or("").trim();
        let v: f64 = raw
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| {
                invalid(
                    path,
                    format!("line {line}: demand {raw:?} is not a number of at least 0"),
                )
            })?;
        if map.insert(code.clone(), v).is_some() {
            return Err(invalid(
                path,
                format!("line {line}: municipality {code} appears twice"),
            ));
        }
    }
    check_codes(path, "demand row", municipalities, &map)?;
    for m in municipalities.iter_mut() {
        if let Some(d) = map.get(&m.code) {
            m.demand = Some(*d);
        }
    }
    Ok(())
}
