//! Measured speeds per OSM way (e.g. from NDW, the Dutch traffic data portal) that replace
//! the profile's speed of a way in one period: a CSV with columns `osm_way_id`, `speed_kmh`
//! and optionally `period` (`free` or `peak`, default `peak`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::osm::{FERRY_CLASS, RawNetwork};
use super::profile::Period;

/// Errors reading a speed file: each names the file and the line at fault.
#[derive(Debug, thiserror::Error)]
pub enum SpeedsError {
    #[error("cannot read speed file {path}: {message}")]
    Read { path: PathBuf, message: String },
    #[error("speed file {path}, line {line}: {message}")]
    Invalid {
        path: PathBuf,
        line: u64,
        message: String,
    },
}

/// Measured speeds (km/h) by OSM way id and period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SpeedOverrides {
    pub speeds_kmh: BTreeMap<(i64, Period), f64>,
    /// The file name, for the build summary.
    pub source: String,
}

/// What applying the overrides did, for the build summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OverrideStats {
    /// Rows whose way is a drivable road of the extract (and so changed its speed).
    pub applied: u64,
    /// Rows whose way is not in the extract, not drivable, or a ferry.
    pub unmatched: u64,
}

impl SpeedOverrides {
    /// Reads the CSV. Every row must name a way id and a speed between 1 and 200 km/h;
    /// a way given twice for one period is an error.
    pub fn from_csv_file(path: &Path) -> Result<Self, SpeedsError> {
        let read_err = |message: String| SpeedsError::Read {
            path: path.to_path_buf(),
            message,
        };
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_path(path)
            .map_err(|e| read_err(e.to_string()))?;
        let headers = reader
            .headers()
            .map_err(|e| read_err(e.to_string()))?
            .clone();
        let column = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
        let (Some(id_col), Some(speed_col)) = (column("osm_way_id"), column("speed_kmh")) else {
            return Err(read_err(format!(
                "needs the columns osm_way_id and speed_kmh (and optionally period); found {}",
                headers.iter().collect::<Vec<_>>().join(", ")
            )));
        };
        let period_col = column("period");
        let mut speeds_kmh = BTreeMap::new();
        for record in reader.records() {
            let record = record.map_err(|e| read_err(e.to_string()))?;
            let line = record.position().map_or(0, |p| p.line());
            let invalid = |message: String| SpeedsError::Invalid {
                path: path.to_path_buf(),
                line,
                message,
            };
            let field = |i: usize| record.get(i).unwrap_or("");
            let id: i64 = field(id_col)
                .parse()
                .map_err(|_| invalid(format!("osm_way_id {:?} is not a way id", field(id_col))))?;
            let speed: f64 = field(speed_col)
                .replace(',', ".")
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite() && (1.0..=200.0).contains(v))
                .ok_or_else(|| {
                    invalid(format!(
                        "speed_kmh {:?} must be a number from 1 to 200",
                        field(speed_col)
                    ))
                })?;
            let period = match period_col.map(field) {
                None | Some("") => Period::Peak,
                Some(p) => Period::parse(p)
                    .ok_or_else(|| invalid(format!("period {p:?}: use free or peak")))?,
            };
            if speeds_kmh.insert((id, period), speed).is_some() {
                return Err(invalid(format!("way {id} is given twice for {period}")));
            }
        }
        Ok(SpeedOverrides {
            speeds_kmh,
            source: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        })
    }

    /// Applies the speeds to the drivable ways read: a free speed replaces the way's speed
    /// (its peak factor stays, so its peak speed follows); a peak speed sets the way's peak
    /// factor to `peak / free`. Ferries keep their timetable.
    pub fn apply(&self, net: &mut RawNetwork) -> OverrideStats {
        let mut applied = 0u64;
        for way in &mut net.ways {
            if way.class == FERRY_CLASS {
                continue;
            }
            if let Some(&free) = self.speeds_kmh.get(&(way.osm_id, Period::Free)) {
                way.speed_kmh = free as f32;
                applied += 1;
            }
            if let Some(&peak) = self.speeds_kmh.get(&(way.osm_id, Period::Peak)) {
                way.peak_factor = (peak / way.speed_kmh as f64) as f32;
                applied += 1;
            }
        }
        OverrideStats {
            applied,
            unmatched: self.speeds_kmh.len() as u64 - applied,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::RawWay;
    use crate::ingest::profile::Direction;

    fn write(text: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().expect("temp file");
        std::io::Write::write_all(&mut f, text.as_bytes()).expect("write");
        f
    }

    fn way(osm_id: i64, class: u8) -> RawWay {
        RawWay {
            osm_id,
            class,
            speed_kmh: 50.0,
            peak_factor: 0.8,
            direction: Direction::Both,
            ferry_duration_s: None,
            refs_start: 0,
            refs_end: 0,
        }
    }

    #[test]
    fn peak_and_free_speeds_replace_the_profiles() {
        let f =
            write("osm_way_id,speed_kmh,period\n1,25,peak\n2,\"60,5\",free\n3,30,\n9,30,peak\n");
        let o = SpeedOverrides::from_csv_file(f.path()).expect("valid file");
        let mut net = RawNetwork {
            ways: vec![way(1, 0), way(2, 0), way(3, FERRY_CLASS)],
            ..Default::default()
        };
        let stats = o.apply(&mut net);
        assert_eq!(net.ways[0].speed_kmh, 50.0);
        assert_eq!(net.ways[0].peak_factor, 0.5, "25 of 50 km/h at peak");
        assert_eq!(net.ways[1].speed_kmh, 60.5, "decimal comma read");
        assert_eq!(net.ways[1].peak_factor, 0.8, "the profile's factor stays");
        assert_eq!(net.ways[2].peak_factor, 0.8, "ferries keep their timetable");
        assert_eq!(
            stats,
            OverrideStats {
                applied: 2,
                unmatched: 2
            }
        );
    }

    #[test]
    fn bad_rows_name_their_line() {
        for (text, needle) in [
            ("way,speed\n1,2\n", "needs the columns"),
            ("osm_way_id,speed_kmh\nx,20\n", "line 2"),
            ("osm_way_id,speed_kmh\n1,0\n", "from 1 to 200"),
            (
                "osm_way_id,speed_kmh,period\n1,20,night\n",
                "use free or peak",
            ),
            ("osm_way_id,speed_kmh\n1,20\n1,30\n", "twice"),
        ] {
            let f = write(text);
            let e = SpeedOverrides::from_csv_file(f.path())
                .expect_err(text)
                .to_string();
            assert!(e.contains(needle), "{text:?}: {e}");
        }
    }
}
