//! The policy report: a self-contained document per region that a policy writer can hand
//! on, in Dutch (English on request), as HTML (with an inline SVG map) or PDF (made
//! in-process with krilla as tagged PDF/UA-1, vector map included; no browser needed).
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
        CoverageStatus::WithinRegion => lang.pick(
            "verder weg in de eigen regio",
            "elsewhere in its own region",
        ),
        CoverageStatus::OutsideRegion => lang.pick("buiten de regio", "outside the region"),
        CoverageStatus::Unreachable => lang.pick("niet bereikbaar", "unreachable"),
    }
}

/// The colour of a tier: the one palette of the report, the GeoPackage's style and the map
/// page (served in `/api/v1/meta`). A blue-orange scheme chosen by `scripts/palette.py`:
/// every pair at least 12 apart (CIEDE2000) under normal vision and simulated protanopia,
/// deuteranopia and tritanopia, each at least 3:1 against the map's background; the tiers that
/// miss the norm are also hatched on the map page, so pass/fail never rests on colour alone.
pub fn tier_colour(s: CoverageStatus) -> &'static str {
    match s {
        CoverageStatus::OwnMunicipality => "#1f4fbf",
        CoverageStatus::WithinLimit => "#128a99",
        CoverageStatus::WithinRegion => "#a0466e",
        CoverageStatus::OutsideRegion => "#dd5a1c",
        CoverageStatus::Unreachable => "#5a2412",
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
    /// The region's outline (the union of its municipalities), drawn as a heavy line.
    pub outline: Vec<Vec<Vec<[f64; 2]>>>,
    pub points: Vec<MapPoint>,
    /// `[min lon, min lat, max lon, max lat]` of the view.
    pub bbox: [f64; 4],
    pub legend: Vec<(&'static str, String)>,
    /// The region's municipalities by name, at their representative points.
    pub labels: Vec<MapLabel>,
    /// What the map shows, in words (its text alternative after the verdict): each
    /// municipality's tier and the facilities drawn.
    pub description: String,
    /// Which travel times the tiers are of, for the caption ("buiten de spits").
    pub hours: Option<&'static str>,
}

/// A name on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct MapLabel {
    pub lon: f64,
    pub lat: f64,
    pub text: String,
    /// A word under the name (a fragile municipality's "kwetsbaar").
    pub note: Option<&'static str>,
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
    /// In the report of a scenario: the region today and with the scenario.
    pub comparison: Option<Comparison>,
}

/// A region before and after a scenario: a table of figures (today, with the scenario) and
/// the changes in words (municipalities changing tier, flags cleared and raised).
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub changes: Vec<String>,
}

/// What a scenario report says of its scenario: its name, what it is, its changes.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioPart {
    pub heading: String,
    pub paragraphs: Vec<String>,
    pub changes: Vec<String>,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub lang: Lang,
    pub title: String,
    /// The question: kind, minutes, date.
    pub question: String,
    pub generated: String,
    /// For a report of several regions: the national picture, and one line per region
    /// (its verdict) as the contents.
    pub national: Vec<String>,
    pub contents: Vec<String>,
    /// A warning shown at the top when the roads are synthetic.
    pub synthetic_notice: Option<String>,
    /// The scenario, in the report of one.
    pub scenario: Option<ScenarioPart>,
    pub regions: Vec<RegionReport>,
    pub method: Vec<String>,
    pub sources: Vec<String>,
}

/// How a list is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    /// The gap municipalities.
    Gaps,
    /// Rules broken (shown as warnings).
    Flags,
    /// The sources.
    Sources,
}

/// One part of the report in reading order. HTML and PDF both walk [`blocks`], so their
/// order, headings and sentences are written once.
#[derive(Debug, Clone, PartialEq)]
pub enum Block<'a> {
    Title(&'a str),
    /// The question, and when the report was made.
    Meta(&'a str, String),
    /// The synthetic-roads warning.
    Warning(&'a str),
    /// A region begins (`first`: it is the first one).
    Region {
        region: &'a RegionReport,
        first: bool,
    },
    /// A heading within a region.
    Heading(&'static str),
    /// A chapter (the national picture, the scenario, method, sources).
    Chapter(&'a str),
    Paragraph(&'a str),
    /// A paragraph of the method, in smaller type.
    Note(&'a str),
    /// The region's map.
    Map(&'a RegionReport),
    /// A sentence saying there is nothing to list.
    Nothing(&'static str),
    List(&'a [String], ListKind),
    Table(&'a RegionReport),
    /// A region before and after a scenario.
    Compare(&'a Comparison),
    Figures(&'a [Figure]),
    RegionEnd,
}

/// The caption under a region's map, the same in HTML and PDF; `hours` says which travel
/// times the tiers are of ("buiten de spits"), if the report says.
pub fn map_caption(lang: Lang, hours: Option<&str>) -> String {
    let base = lang.pick(
        "Kaart: gemeenten van de regio naar niveau, met hun naam; dikke lijn: grens van de regio; buurgemeenten grijs; stippen: passende voorzieningen in de regio of binnen de norm van een van haar gemeenten.",
        "Map: the region's municipalities by tier, with their names; heavy line: the region's border; neighbours grey; dots: suitable facilities in the region or within the limit of one of its municipalities.",
    );
    match hours {
        Some(h) => format!("{} {} {h}.", base, lang.pick("Reistijden", "Travel times")),
        None => base.to_string(),
    }
}

/// The report as a list of blocks, in reading order.
pub fn blocks(r: &Report) -> Vec<Block<'_>> {
    let l = r.lang;
    let mut b = vec![
        Block::Title(&r.title),
        Block::Meta(
            &r.question,
            format!("{} {}", l.pick("Gemaakt op", "Made on"), r.generated),
        ),
    ];
    if let Some(n) = &r.synthetic_notice {
        b.push(Block::Warning(n));
    }
    if let Some(sc) = &r.scenario {
        b.push(Block::Chapter(&sc.heading));
        b.extend(sc.paragraphs.iter().map(|p| Block::Paragraph(p)));
        b.push(Block::List(&sc.changes, ListKind::Sources));
    }
    if !r.national.is_empty() {
        b.push(Block::Chapter(
            l.pick("Landelijk beeld", "National picture"),
        ));
        b.extend(r.national.iter().map(|p| Block::Paragraph(p)));
        b.push(Block::Heading(
            l.pick("Inhoud: de regio's", "Contents: the regions"),
        ));
        b.push(Block::List(&r.contents, ListKind::Sources));
    }
    for (i, region) in r.regions.iter().enumerate() {
        b.push(Block::Region {
            region,
            first: i == 0,
        });
        b.push(Block::Heading(l.pick("Samenvatting", "Summary")));
        b.extend(region.summary.iter().map(|p| Block::Paragraph(p)));
        if let Some(c) = &region.comparison {
            b.push(Block::Heading(l.pick(
                "Vandaag en met het scenario",
                "Today and with the scenario",
            )));
            b.push(Block::Compare(c));
            b.push(Block::List(&c.changes, ListKind::Gaps));
        }
        b.push(Block::Map(region));
        b.push(Block::Heading(l.pick("Gaten", "Gaps")));
        b.push(if region.gaps.is_empty() {
            Block::Nothing(l.pick(
                "Geen: elke gemeente bereikt binnen de limiet een passende voorziening.",
                "None: every municipality reaches a suitable facility within the limit.",
            ))
        } else {
            Block::List(&region.gaps, ListKind::Gaps)
        });
        b.push(Block::Heading(l.pick("Gemeenten", "Municipalities")));
        b.push(Block::Table(region));
        b.push(Block::Heading(l.pick(
            "Eerlijke spreiding: de cijfers",
            "Fair spread: the figures",
        )));
        b.push(Block::Figures(&region.figures));
        b.push(Block::Heading(l.pick("Signalen", "Flags")));
        b.push(if region.flags.is_empty() {
            Block::Nothing(l.pick(
                "Geen: de regio voldoet aan elke verwachting.",
                "None: the region meets every expectation.",
            ))
        } else {
            Block::List(&region.flags, ListKind::Flags)
        });
        if !region.advice.is_empty() {
            b.push(Block::Heading(l.pick("Advies", "Advice")));
            // Under its heading the advice does not say "Advice:" again.
            let prefix = l.pick("Advies: ", "Advice: ");
            b.extend(
                region
                    .advice
                    .iter()
                    .map(|p| Block::Paragraph(p.strip_prefix(prefix).unwrap_or(p))),
            );
        }
        b.push(Block::RegionEnd);
    }
    b.push(Block::Chapter(l.pick("Methode", "Method")));
    b.extend(r.method.iter().map(|p| Block::Note(p)));
    b.push(Block::Chapter(l.pick("Bronnen", "Sources")));
    b.push(Block::List(&r.sources, ListKind::Sources));
    b
}
