//! Units. Inside nabij times are integer milliseconds (`_ms`) and distances metres (`_m`);
//! minutes and seconds appear only where output is written, and rounding happens there and
//! nowhere else (sums, shares and statistics are computed from unrounded values).

/// Milliseconds per minute.
pub const MS_PER_MINUTE: f64 = 60_000.0;

/// The travel limits nabij accepts, in minutes, for coverage, isochrones and every command:
/// one range, checked in one place ([`check_minutes`]).
pub const MINUTES_MIN: f64 = 1.0;
pub const MINUTES_MAX: f64 = 240.0;

/// Minutes (a user's travel limit) to milliseconds.
pub fn minutes_to_ms(minutes: f64) -> u32 {
    (minutes * MS_PER_MINUTE).round() as u32
}

/// Milliseconds to minutes, unrounded.
pub fn ms_to_minutes(ms: u32) -> f64 {
    ms as f64 / MS_PER_MINUTE
}

/// Milliseconds to seconds, unrounded.
pub fn ms_to_seconds(ms: u32) -> f64 {
    ms as f64 / 1000.0
}

/// Rounds a value for output to `decimals` places. Never returns `-0.0` (a negative value
/// that rounds to zero is written as `0`).
pub fn round_dp(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f + 0.0
}

/// Minutes for output: one decimal.
pub fn minutes_out(ms: u32) -> f64 {
    round_dp(ms_to_minutes(ms), 1)
}

/// Checks a travel limit in minutes; the message says the range.
pub fn check_minutes(minutes: f64) -> Result<f64, String> {
    if minutes.is_finite() && (MINUTES_MIN..=MINUTES_MAX).contains(&minutes) {
        Ok(minutes)
    } else {
        Err(format!(
            "{minutes} must be between {MINUTES_MIN} and {MINUTES_MAX} minutes"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_never_gives_negative_zero() {
        let r = round_dp(-0.04, 1);
        assert_eq!(r, 0.0);
        assert!(r.is_sign_positive(), "{r:?}");
        assert_eq!(format!("{}", round_dp(-0.0, 3)), "0");
        assert_eq!(round_dp(2.345_6, 2), 2.35);
        assert_eq!(minutes_out(90_000), 1.5);
    }

    #[test]
    fn the_minutes_range_is_checked_in_one_place() {
        assert!(check_minutes(45.0).is_ok());
        assert!(check_minutes(MINUTES_MAX).is_ok());
        for bad in [0.0, 0.5, MINUTES_MAX + 0.1, f64::NAN, f64::INFINITY, -3.0] {
            assert!(check_minutes(bad).is_err(), "{bad}");
        }
        assert_eq!(minutes_to_ms(45.0), 2_700_000);
    }
}
