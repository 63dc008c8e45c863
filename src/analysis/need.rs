//! The need profile: which facilities count as suitable for a question.

use serde::{Deserialize, Serialize};

use super::inputs::{Facility, Status};
use crate::routing::Direction;

/// What a young person needs. Defaults: any type, active facilities, groups of at most 6,
/// at least one carer per four young people, 45 minutes, travel towards the facility.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NeedProfile {
    /// Facility types that count (`kleinschalig_verblijf`, `jeugdzorgplus`, `kvjj`, …); empty = any.
    pub types: Vec<String>,
    /// An age that must lie within a facility's age range (where the facility states one).
    pub age: Option<f64>,
    /// At least this many free places; a facility that does not state its free places does
    /// not count when this is above 0.
    pub min_free_places: f64,
    /// Largest group size (where stated).
    pub max_group_size: f64,
    /// Smallest staff ratio, carers per young person (where stated); 0.25 = 1 carer per 4.
    pub min_staff_ratio: f64,
    /// Count planned facilities too (for plans); closed ones never count.
    pub include_planned: bool,
    /// The travel limit in minutes.
    pub limit_minutes: f64,
    /// `to`: travel from home to the facility (default); `from`: from the facility.
    pub direction: Direction,
}

impl Default for NeedProfile {
    fn default() -> Self {
        NeedProfile {
            types: Vec::new(),
            age: None,
            min_free_places: 0.0,
            max_group_size: 6.0,
            min_staff_ratio: 0.25,
            include_planned: false,
            limit_minutes: 45.0,
            direction: Direction::To,
        }
    }
}

/// Errors in a need profile.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NeedError {
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("need profile {path}: {message}")]
    File { path: String, message: String },
}

impl NeedProfile {
    pub fn from_toml_file(path: &std::path::Path) -> Result<Self, NeedError> {
        let file_err = |message: String| NeedError::File {
            path: path.display().to_string(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| file_err(e.to_string()))?;
        let need: NeedProfile =
            toml::from_str(&text).map_err(|e| file_err(e.message().to_string()))?;
        need.validate()?;
        Ok(need)
    }

    /// Checks every field; the error names the field.
    pub fn validate(&self) -> Result<(), NeedError> {
        let bad = |field: &'static str, message: String| Err(NeedError::Invalid { field, message });
        if let Err(m) = crate::units::check_minutes(self.limit_minutes) {
            return bad("minutes", m);
        }
        if let Some(age) = self.age
            && !(age.is_finite() && (0.0..=30.0).contains(&age))
        {
            return bad("age", format!("{age} must be between 0 and 30"));
        }
        if !(self.min_free_places.is_finite() && (0.0..=1000.0).contains(&self.min_free_places)) {
            return bad(
                "min_free_places",
                format!("{} must be between 0 and 1000", self.min_free_places),
            );
        }
        if !(self.max_group_size.is_finite() && self.max_group_size >= 1.0) {
            return bad(
                "max_group_size",
                format!("{} must be at least 1", self.max_group_size),
            );
        }
        if !(self.min_staff_ratio.is_finite() && (0.0..=10.0).contains(&self.min_staff_ratio)) {
            return bad(
                "min_staff_ratio",
                format!("{} must be between 0 and 10", self.min_staff_ratio),
            );
        }
        for t in &self.types {
            if t.trim().is_empty() {
                return bad("type", "an empty type name".into());
            }
        }
        Ok(())
    }

    pub fn limit_ms(&self) -> u32 {
        crate::units::minutes_to_ms(self.limit_minutes)
    }

    /// Whether a facility is suitable. Attributes a facility does not state do not exclude it,
    /// except free places when some are required.
    pub fn suits(&self, f: &Facility) -> bool {
        let type_ok =
            self.types.is_empty() || self.types.iter().any(|t| t.eq_ignore_ascii_case(&f.kind));
        let status_ok = match f.status {
            Status::Active => true,
            Status::Planned => self.include_planned,
            Status::Closed => false,
        };
        let age_ok = self.age.is_none_or(|a| {
            f.min_age.is_none_or(|lo| a >= lo) && f.max_age.is_none_or(|hi| a <= hi)
        });
        let free_ok =
            self.min_free_places <= 0.0 || f.free_places.is_some_and(|p| p >= self.min_free_places);
        let group_ok = f.group_size.is_none_or(|g| g <= self.max_group_size);
        let staff_ok = f
            .staff_ratio
            .is_none_or(|r| r + 1e-9 >= self.min_staff_ratio);
        type_ok && status_ok && age_ok && free_ok && group_ok && staff_ok
    }
}
