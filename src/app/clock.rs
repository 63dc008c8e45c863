//! Timestamps for outputs (no date crate needed for one format).

/// The civil date (year, month 1-12, day) of a day count since the Unix epoch.
fn civil(days: i64) -> (i64, i64, i64) {
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
    (y, m, d)
}

/// Seconds since the Unix epoch as an RFC 3339 UTC timestamp (`2026-11-22T09:30:00Z`).
pub fn rfc3339_utc(secs: u64) -> String {
    let rem = secs % 86_400;
    let (y, m, d) = civil((secs / 86_400) as i64);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Seconds since the Unix epoch as a date people write: "6 december 2026" in Dutch,
/// "6 December 2026" in English (UTC).
pub fn date_in_words(secs: u64, lang: crate::document::Lang) -> String {
    const NL: [&str; 12] = [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let (y, m, d) = civil((secs / 86_400) as i64);
    let month = (m - 1).clamp(0, 11) as usize;
    format!("{d} {} {y}", lang.pick(NL[month], EN[month]))
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfc3339() {
        assert_eq!(super::rfc3339_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::rfc3339_utc(1_795_339_800), "2026-11-22T09:30:00Z");
        assert_eq!(super::rfc3339_utc(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn dates_in_words() {
        use crate::document::Lang;
        assert_eq!(
            super::date_in_words(1_795_339_800, Lang::Nl),
            "22 november 2026"
        );
        assert_eq!(
            super::date_in_words(1_796_515_200, Lang::En),
            "6 December 2026"
        );
        assert_eq!(
            super::date_in_words(951_782_400, Lang::Nl),
            "29 februari 2000"
        );
    }
}
