//! The coverage answer as an Excel workbook (rust_xlsxwriter): a sheet of municipalities, a
//! sheet of regions (every grouping, filterable) and a sheet that says what the figures
//! answer. Headers in Dutch (or English), numbers as numbers with their formats, shares as
//! percentages, the header row frozen and filterable: what a policy officer double-clicks.

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::need::PeriodChoice;
use super::result::{CoverageResult, LabelLang, MunicipalityResult, RegionResult};

/// How a column's cells are written.
#[derive(Clone, Copy)]
enum Kind {
    Text,
    Whole,
    /// A number with this many decimals.
    Decimals(u8),
    /// A share 0..1 shown as a percentage with one decimal.
    Share,
}

/// A column: its header in Dutch and English, its kind and its value for a row.
struct Column<T> {
    nl: &'static str,
    en: &'static str,
    kind: Kind,
    value: fn(&T, LabelLang) -> Cell,
}

/// One cell's value.
enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn num(x: f64) -> Cell {
    Cell::Number(x)
}

/// Yes or no in the sheet's language.
fn yes_no(b: bool, l: LabelLang) -> Cell {
    text(match (b, l) {
        (true, LabelLang::Nl) => "ja",
        (false, LabelLang::Nl) => "nee",
        (true, LabelLang::En) => "yes",
        (false, LabelLang::En) => "no",
    })
}

fn opt(x: Option<f64>) -> Cell {
    x.map_or(Cell::Empty, Cell::Number)
}

/// The columns of the peak period (by English header), left out of an answer of one period.
const PEAK_COLUMNS: [&str; 3] = [
    "Tier at peak",
    "Same tier at every hour",
    "Young people whose tier depends on the hour",
];

/// The municipality sheet's columns, in reading order: who, the tier, travel, supply, keys.
fn municipality_columns() -> Vec<Column<MunicipalityResult>> {
    [
        identity_columns(),
        tier_columns(),
        travel_columns(),
        supply_columns(),
        key_columns(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The municipality: code and name.
fn identity_columns() -> Vec<Column<MunicipalityResult>> {
    use Kind::*;
    vec![
        Column {
            nl: "Code",
            en: "Code",
            kind: Text,
            value: |m, _| text(&m.code),
        },
        Column {
            nl: "Gemeente",
            en: "Municipality",
            kind: Text,
            value: |m, _| text(&m.name),
        },
    ]
}

/// Its tier, at rush hour too, and how close it is to the norm.
fn tier_columns() -> Vec<Column<MunicipalityResult>> {
    use Kind::*;
    vec![
        Column {
            nl: "Niveau",
            en: "Tier",
            kind: Text,
            value: |m, l| text(m.status.label(l)),
        },
        Column {
            nl: "Niveau (1 = eigen gemeente … 5 = niet bereikbaar)",
            en: "Tier (1 = own municipality … 5 = unreachable)",
            kind: Whole,
            value: |m, _| num(f64::from(m.status.rank())),
        },
        Column {
            nl: "Niveau in de spits",
            en: "Tier at peak",
            kind: Text,
            value: |m, l| text(m.status_peak.map(|s| s.label(l)).unwrap_or_default()),
        },
        Column {
            nl: "Zelfde niveau in en buiten de spits",
            en: "Same tier at every hour",
            kind: Text,
            value: |m, l| m.robust.map_or(Cell::Empty, |b| yes_no(b, l)),
        },
        Column {
            nl: "Marge tot de norm (min, mediane jongere)",
            en: "Margin to the limit (min, median young person)",
            kind: Decimals(1),
            value: |m, _| opt(m.margin_minutes),
        },
        Column {
            nl: "Marge als factor op de reistijd",
            en: "Margin as a factor on travel time",
            kind: Decimals(2),
            value: |m, _| opt(m.margin_factor),
        },
        Column {
            nl: "Kwetsbaar",
            en: "Fragile",
            kind: Text,
            value: |m, l| {
                text(match (m.fragile, l) {
                    (true, LabelLang::Nl) => "kwetsbaar",
                    (true, LabelLang::En) => "fragile",
                    (false, _) => "",
                })
            },
        },
    ]
}

/// Travel: the share within the norm, the times, the nearest and the counted facilities.
fn travel_columns() -> Vec<Column<MunicipalityResult>> {
    use Kind::*;
    vec![
        Column {
            nl: "Jongeren binnen de norm",
            en: "Young people within the limit",
            kind: Share,
            value: |m, _| num(m.share_within_limit),
        },
        Column {
            nl: "Reistijd mediaan (min)",
            en: "Median travel time (min)",
            kind: Decimals(1),
            value: |m, _| opt(m.minutes_median),
        },
        Column {
            nl: "Reistijd 90e percentiel (min)",
            en: "Travel time, 90th percentile (min)",
            kind: Decimals(1),
            value: |m, _| opt(m.minutes_p90),
        },
        Column {
            nl: "Langste reistijd (min)",
            en: "Longest travel time (min)",
            kind: Decimals(1),
            value: |m, _| opt(m.minutes_worst),
        },
        Column {
            nl: "Dichtstbijzijnde voorziening",
            en: "Nearest facility",
            kind: Text,
            value: |m, _| text(m.nearest_facility_name.clone().unwrap_or_default()),
        },
        Column {
            nl: "Reistijd daarheen (min)",
            en: "Travel time to it (min)",
            kind: Decimals(1),
            value: |m, _| opt(m.nearest_minutes),
        },
        Column {
            nl: "Voorzieningen binnen de norm",
            en: "Facilities within the limit",
            kind: Whole,
            value: |m, _| num(m.facilities_within_limit as f64),
        },
        Column {
            nl: "Voorzieningen in de gemeente",
            en: "Facilities in the municipality",
            kind: Whole,
            value: |m, _| num(m.facilities_in_municipality as f64),
        },
        Column {
            nl: "Planningsregio",
            en: "Planning region",
            kind: Text,
            value: |m, _| text(m.planning_region.clone().unwrap_or_default()),
        },
    ]
}

/// Young people, demand and places.
fn supply_columns() -> Vec<Column<MunicipalityResult>> {
    use Kind::*;
    vec![
        Column {
            nl: "Jongeren (aantal)",
            en: "Young people (number)",
            kind: Whole,
            value: |m, _| opt(m.young_people),
        },
        Column {
            nl: "Vraag (plaatsen)",
            en: "Demand (places)",
            kind: Decimals(1),
            value: |m, _| num(m.demand),
        },
        Column {
            nl: "Toegang (2SFCA, plaatsen per 10.000 jongeren)",
            en: "Access (2SFCA, places per 10,000 young people)",
            kind: Decimals(2),
            value: |m, _| num(m.access_2sfca),
        },
        Column {
            nl: "Geplaatst binnen de norm (jongeren)",
            en: "Placed within the limit (young people)",
            kind: Decimals(1),
            value: |m, _| num(m.placed_within_limit),
        },
        Column {
            nl: "Zonder plek (jongeren)",
            en: "Without a place (young people)",
            kind: Decimals(1),
            value: |m, _| num(m.unplaced),
        },
    ]
}

/// The tier as a code, for formulas and joins.
fn key_columns() -> Vec<Column<MunicipalityResult>> {
    use Kind::*;
    vec![Column {
        nl: "Niveau (code)",
        en: "Tier (code)",
        kind: Text,
        value: |m, _| text(m.status.as_str()),
    }]
}

fn region_columns() -> Vec<Column<RegionResult>> {
    use Kind::*;
    vec![
        Column {
            nl: "Indeling",
            en: "Grouping",
            kind: Text,
            value: |r, _| text(&r.grouping),
        },
        Column {
            nl: "Code",
            en: "Code",
            kind: Text,
            value: |r, _| text(&r.code),
        },
        Column {
            nl: "Regio",
            en: "Region",
            kind: Text,
            value: |r, _| text(&r.name),
        },
        Column {
            nl: "Gemeenten",
            en: "Municipalities",
            kind: Whole,
            value: |r, _| num(r.figures.municipalities as f64),
        },
        Column {
            nl: "Jongeren (aantal)",
            en: "Young people (number)",
            kind: Whole,
            value: |r, _| opt(r.figures.young_people),
        },
        Column {
            nl: "Passende voorzieningen",
            en: "Suitable facilities",
            kind: Whole,
            value: |r, _| num(r.figures.facilities as f64),
        },
        Column {
            nl: "Plaatsen",
            en: "Places",
            kind: Decimals(1),
            value: |r, _| num(r.figures.places),
        },
        Column {
            nl: "Plaatsen per 10.000 jongeren",
            en: "Places per 10,000 young people",
            kind: Decimals(2),
            value: |r, _| opt(r.figures.places_per_10k),
        },
        Column {
            nl: "Jongeren binnen de norm",
            en: "Young people within the limit",
            kind: Share,
            value: |r, _| num(r.figures.share_within_limit),
        },
        Column {
            nl: "Vraag (plaatsen)",
            en: "Demand (places)",
            kind: Decimals(1),
            value: |r, _| num(r.figures.demand),
        },
        Column {
            nl: "Overschot (+) of tekort (−) aan plaatsen",
            en: "Surplus (+) or shortage (−) of places",
            kind: Decimals(1),
            value: |r, _| num(r.figures.balance),
        },
        Column {
            nl: "Vraag plaatsbaar binnen de norm",
            en: "Demand placeable within the limit",
            kind: Share,
            value: |r, _| num(r.figures.share_demand_within_limit),
        },
        Column {
            nl: "Langste reistijd (min)",
            en: "Longest travel time (min)",
            kind: Decimals(1),
            value: |r, _| opt(r.worst_minutes),
        },
        Column {
            nl: "Gemeenten die de norm niet halen",
            en: "Municipalities not meeting the limit",
            kind: Text,
            value: |r, _| text(r.gap_municipalities.join(", ")),
        },
        Column {
            nl: "Kwetsbare gemeenten (weinig marge tot de norm)",
            en: "Fragile municipalities (little margin to the limit)",
            kind: Text,
            value: |r, _| text(r.fragile_municipalities.join(", ")),
        },
        Column {
            nl: "Jongeren van wie het niveau van het tijdstip afhangt",
            en: "Young people whose tier depends on the hour",
            kind: Share,
            value: |r, _| opt(r.share_tier_depends_on_hour),
        },
        Column {
            nl: "Oneerlijke spreiding",
            en: "Unfair spread",
            kind: Text,
            value: |r, l| yes_no(r.unfair, l),
        },
        Column {
            nl: "Waarom (regels)",
            en: "Why (rules)",
            kind: Text,
            value: |r, _| text(r.unfair_reasons.join("; ")),
        },
    ]
}

/// The number format of a column kind.
fn format_of(kind: Kind) -> Format {
    match kind {
        Kind::Text => Format::new(),
        Kind::Whole => Format::new().set_num_format("#,##0"),
        Kind::Decimals(1) => Format::new().set_num_format("#,##0.0"),
        Kind::Decimals(_) => Format::new().set_num_format("#,##0.00"),
        Kind::Share => Format::new().set_num_format("0.0%"),
    }
}

/// Writes one sheet: a bold header row, frozen and filterable, then a row per item.
fn sheet<T>(
    ws: &mut Worksheet,
    columns: &[Column<T>],
    rows: &[&T],
    lang: LabelLang,
) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold().set_text_wrap();
    let formats: Vec<Format> = columns.iter().map(|c| format_of(c.kind)).collect();
    for (i, c) in columns.iter().enumerate() {
        let header = match lang {
            LabelLang::Nl => c.nl,
            LabelLang::En => c.en,
        };
        ws.write_string_with_format(0, i as u16, header, &bold)?;
    }
    for (r, item) in rows.iter().enumerate() {
        let row = r as u32 + 1;
        for (i, c) in columns.iter().enumerate() {
            match (c.value)(item, lang) {
                Cell::Text(t) => {
                    ws.write_string(row, i as u16, t)?;
                }
                Cell::Number(x) if x.is_finite() => {
                    ws.write_number_with_format(row, i as u16, x, &formats[i])?;
                }
                Cell::Number(_) | Cell::Empty => {}
            }
        }
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(
        0,
        0,
        rows.len() as u32,
        columns.len().saturating_sub(1) as u16,
    )?;
    ws.autofit();
    Ok(())
}

/// The workbook, as bytes.
pub fn to_xlsx(result: &CoverageResult, lang: LabelLang) -> Result<Vec<u8>, XlsxError> {
    let (sheet_m, sheet_r, sheet_a) = match lang {
        LabelLang::Nl => ("Gemeenten", "Regio's", "Toelichting"),
        LabelLang::En => ("Municipalities", "Regions", "About"),
    };
    let mut wb = Workbook::new();
    let ms: Vec<&MunicipalityResult> = result.municipalities.iter().collect();
    // The peak's columns only when the answer has both periods: an empty "tier at peak"
    // could be read as "no tier".
    let both = ms.iter().any(|m| m.status_peak.is_some());
    let columns: Vec<Column<MunicipalityResult>> = municipality_columns()
        .into_iter()
        .filter(|c| both || !PEAK_COLUMNS.contains(&c.en))
        .collect();
    sheet(wb.add_worksheet().set_name(sheet_m)?, &columns, &ms, lang)?;
    let rs: Vec<&RegionResult> = result.regions.iter().collect();
    let region_columns: Vec<Column<RegionResult>> = region_columns()
        .into_iter()
        .filter(|c| both || !PEAK_COLUMNS.contains(&c.en))
        .collect();
    sheet(
        wb.add_worksheet().set_name(sheet_r)?,
        &region_columns,
        &rs,
        lang,
    )?;
    let about = wb.add_worksheet().set_name(sheet_a)?;
    let need = &result.need;
    let lines: Vec<(&str, String)> = match lang {
        LabelLang::Nl => vec![
            (
                "Vraag",
                format!(
                    "Kunnen jongeren een passende voorziening ({}) bereiken binnen {} minuten met de auto?",
                    need.types.join(", "),
                    need.limit_minutes
                ),
            ),
            ("Profiel", need.profile.clone()),
            ("Norm (minuten)", need.limit_minutes.to_string()),
            (
                "Reistijden",
                match need.period {
                    PeriodChoice::Free => "buiten de spits (vrije doorstroming)".into(),
                    PeriodChoice::Peak => {
                        "in de ochtend- en avondspits (aanname, zie docs/PROFILE.md)".into()
                    }
                    PeriodChoice::Both => {
                        "buiten én in de spits (spits: aanname, zie docs/PROFILE.md)".into()
                    }
                },
            ),
            (
                "Kwetsbaar",
                format!(
                    "het niveau verandert al als de reistijden minder dan {:.0} % langer of korter worden",
                    need.fragile_margin * 100.0
                ),
            ),
            (
                "Wegen",
                if result.synthetic_roads {
                    "SYNTHETISCH (voorbeeldnetwerk, geen echte wegen)".into()
                } else {
                    "OpenStreetMap".into()
                },
            ),
            (
                "Bron",
                "nabij; © OpenStreetMap-bijdragers (ODbL); Bron: CBS, Kadaster (CC-BY 4.0)".into(),
            ),
        ],
        LabelLang::En => vec![
            (
                "Question",
                format!(
                    "Can young people reach a suitable facility ({}) within {} minutes by car?",
                    need.types.join(", "),
                    need.limit_minutes
                ),
            ),
            ("Profile", need.profile.clone()),
            ("Limit (minutes)", need.limit_minutes.to_string()),
            (
                "Travel times",
                match need.period {
                    PeriodChoice::Free => "off-peak (free flow)".into(),
                    PeriodChoice::Peak => {
                        "weekday rush hour (an assumption, see docs/PROFILE.md)".into()
                    }
                    PeriodChoice::Both => {
                        "off-peak and rush hour (rush hour: an assumption, see docs/PROFILE.md)"
                            .into()
                    }
                },
            ),
            (
                "Fragile",
                format!(
                    "the tier changes when travel times change by less than {:.0} %",
                    need.fragile_margin * 100.0
                ),
            ),
            (
                "Roads",
                if result.synthetic_roads {
                    "SYNTHETIC (example network, not real roads)".into()
                } else {
                    "OpenStreetMap".into()
                },
            ),
            (
                "Source",
                "nabij; © OpenStreetMap contributors (ODbL); CBS, Kadaster (CC-BY 4.0)".into(),
            ),
        ],
    };
    let bold = Format::new().set_bold();
    for (i, (k, v)) in lines.iter().enumerate() {
        about.write_string_with_format(i as u32, 0, *k, &bold)?;
        about.write_string(i as u32, 1, v)?;
    }
    about.autofit();
    wb.save_to_buffer()
}
