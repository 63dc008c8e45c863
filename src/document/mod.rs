//! The policy report: a self-contained document per region that a policy writer can hand
//! on, in Dutch (English on request), as HTML (with an inline SVG map) or PDF (made
//! in-process with `pdf-writer`, vector map included; no browser needed).
//!
//! This module only lays out a [`Report`] that the application core has filled in
//! (`app::report`): sentences, tables, figures with their meaning, the map's shapes.

pub mod html;
pub mod pdf;
pub mod svg;

use serde::Serialize;

use crate::analysis::coverage::CoverageStatus;

/// The report's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Nl,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s.to_ascii_lowercase().as_str() {
            "nl" | "nl-nl" | "dutch" | "nederlands" => Some(Lang::Nl),
            "en" | "en-gb" | "en-us" | "english" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Nl => "nl",
            Lang::En => "en",
        }
    }

    /// The Dutch or the English text.
    pub fn pick<'a>(self, nl: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Nl => nl,
            Lang::En => en,
        }
    }

    /// A number as people write it in this language (decimal comma in Dutch).
    pub fn num(self, x: f64, decimals: usize) -> String {
        let s = format!(
            "{:.*}",
            decimals,
            crate::units::round_dp(x, decimals as i32)
        );
        let (int, frac) = match s.split_once('.') {
            Some((i, f)) => (i.to_string(), Some(f.to_string())),
            None => (s.clone(), None),
        };
        let (sign, digits) = match int.strip_prefix('-') {
            Some(d) => ("-", d.to_string()),
            None => ("", int),
        };
        let sep = self.pick(".", ",");
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push_str(sep);
            }
            grouped.push(c);
        }
        match frac {
            Some(f) => format!("{sign}{grouped}{}{f}", self.pick(",", ".")),
            None => format!("{sign}{grouped}"),
        }
    }

    /// A share as a percentage.
    pub fn pct(self, x: f64) -> String {
        format!("{}%", self.num(100.0 * x, 1))
    }

    /// A list in words: "a, b en c".
    pub fn list(self, items: &[String]) -> String {
        match items {
            [] => String::new(),
            [one] => one.clone(),
            [init @ .., last] => format!("{} {} {last}", init.join(", "), self.pick("en", "and")),
        }
    }
}

/// The name of a tier for people.
pub fn tier_name(lang: Lang, s: CoverageStatus) -> &'static str {
    match s {
        CoverageStatus::OwnMunicipality => lang.pick("eigen gemeente", "own municipality"),
        CoverageStatus::WithinLimit => lang.pick("binnen de limiet", "within the limit"),
        CoverageStatus::WithinRegion => lang.pick("in de regio, verder", "in the region, farther"),
        CoverageStatus::OutsideRegion => lang.pick("buiten de regio", "outside the region"),
        CoverageStatus::Unreachable => lang.pick("niet bereikbaar", "unreachable"),
    }
}

/// The colour of a tier (the map page uses the same).
pub fn tier_colour(s: CoverageStatus) -> &'static str {
    match s {
        CoverageStatus::OwnMunicipality => "#1a9850",
        CoverageStatus::WithinLimit => "#91cf60",
        CoverageStatus::WithinRegion => "#fee08b",
        CoverageStatus::OutsideRegion => "#fc8d59",
        CoverageStatus::Unreachable => "#d73027",
    }
}

/// A shape on the map: a municipality.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    /// Rings of lon/lat; the first of each polygon is its exterior.
    pub polygons: Vec<Vec<Vec<[f64; 2]>>>,
    pub fill: &'static str,
    /// In the region (drawn strong) or a neighbour (drawn faint).
    pub focus: bool,
}

/// A facility on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct MapPoint {
    pub lon: f64,
    pub lat: f64,
    pub colour: &'static str,
}

/// What the map shows: the region's municipalities coloured by tier, their neighbours faint,
/// the suitable facilities as dots.
#[derive(Debug, Clone, PartialEq)]
pub struct MapData {
    pub shapes: Vec<Shape>,
    pub points: Vec<MapPoint>,
    /// `[min lon, min lat, max lon, max lat]` of the view.
    pub bbox: [f64; 4],
    pub legend: Vec<(&'static str, String)>,
}

/// A figure with its meaning.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub label: String,
    pub value: String,
    pub meaning: String,
}

/// One region's part of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionReport {
    pub code: String,
    pub name: String,
    /// The summary in plain sentences.
    pub summary: Vec<String>,
    pub map: MapData,
    pub table_head: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// The tier of each row (for the row's colour mark).
    pub row_status: Vec<CoverageStatus>,
    pub figures: Vec<Figure>,
    /// The rules the region breaks, in words.
    pub flags: Vec<String>,
    /// The gap municipalities by name.
    pub gaps: Vec<String>,
    /// Siting advice in sentences (empty when none was asked or none is needed).
    pub advice: Vec<String>,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub lang: Lang,
    pub title: String,
    /// The question: kind, minutes, date.
    pub question: String,
    pub generated: String,
    /// A warning shown at the top when the roads are synthetic.
    pub synthetic_notice: Option<String>,
    pub regions: Vec<RegionReport>,
    pub method: Vec<String>,
    pub sources: Vec<String>,
}
