//! The report's words: flags and the demand source in the report's language, and the
//! fairness figures with their meaning.

use crate::analysis::CoverageResult;
use crate::analysis::coverage::RegionResult;
use crate::analysis::fairness::Flag;
use crate::document::{Figure, Lang};

/// A flag in the report's language, with its threshold, at the precision of the summary
/// (the analysis words its flags in English for the API).
pub(super) fn flag_text(lang: Lang, f: &Flag, limit: f64, national_share: f64) -> String {
    let pct = |x: f64| lang.pct(x);
    let min = lang.num(limit, 0);
    let (actual, expected) = (f.actual, f.expected);
    match (lang, f.rule) {
        (Lang::Nl, "min_facilities") if actual == 0.0 => {
            "geen passende voorziening in de regio".into()
        }
        (Lang::En, "min_facilities") if actual == 0.0 => {
            "no suitable facility in the region".into()
        }
        (_, "min_facilities") => format!(
            "{}, {} {}",
            super::sentences::count(
                lang,
                actual as usize,
                (
                    "passende voorziening in de regio",
                    "suitable facility in the region"
                ),
                (
                    "passende voorzieningen in de regio",
                    "suitable facilities in the region"
                ),
            ),
            lang.pick("verwacht minstens", "expected at least"),
            lang.num(expected, 0)
        ),
        (Lang::Nl, "min_share_within_limit") => format!(
            "{} van de jongeren binnen {min} minuten, minder dan de verwachte {}",
            pct(actual),
            pct(expected)
        ),
        (Lang::En, "min_share_within_limit") => format!(
            "{} of young people within {min} minutes, less than the expected {}",
            pct(actual),
            pct(expected)
        ),
        (Lang::Nl, "min_balance") => format!(
            "{} plaatsen tekort tegenover de verwachte vraag",
            lang.num(-actual, 1)
        ),
        (Lang::En, "min_balance") => format!(
            "a shortage of {} places against the expected demand",
            lang.num(-actual, 1)
        ),
        (Lang::Nl, "share_gap_to_national") => format!(
            "{} van de jongeren binnen {min} minuten, tegen {} landelijk (verder achter dan toegestaan: minstens {})",
            pct(actual),
            pct(national_share),
            pct(expected)
        ),
        (Lang::En, "share_gap_to_national") => format!(
            "{} of young people within {min} minutes, against {} nationally (further behind than allowed: at least {})",
            pct(actual),
            pct(national_share),
            pct(expected)
        ),
        (Lang::Nl, "places_factor_of_national") => format!(
            "{} plaatsen per 10.000 jongeren, minder dan de helft van het landelijke niveau (verwacht minstens {})",
            lang.num(actual, 2),
            lang.num(expected, 2)
        ),
        (Lang::En, "places_factor_of_national") => format!(
            "{} places per 10,000 young people, less than half the national level (expected at least {})",
            lang.num(actual, 2),
            lang.num(expected, 2)
        ),
        _ => f.message.clone(),
    }
}

/// Where the demand rate comes from, in words.
pub(super) fn demand_words(l: Lang, source: &str) -> &'static str {
    match source {
        "national_balance" => l.pick(
            " (het landelijke aanbod verdeeld over de jongeren, zodat alleen de spreiding telt)",
            " (the national supply spread over the young people, so that only the distribution matters)",
        ),
        "baseline_national_balance" => l.pick(
            " (het landelijke aanbod van de uitgangssituatie verdeeld over de jongeren, vastgehouden in dit scenario zodat meer of minder aanbod de vraag niet verandert)",
            " (the baseline's national supply spread over the young people, held in this scenario so that changing supply does not change demand)",
        ),
        "demand_file" => l.pick(" (uit het vraagbestand)", " (from the demand file)"),
        _ => l.pick(" (opgegeven)", " (as given)"),
    }
}

/// One figure of the report: its field, label, meaning and unit in both languages. The
/// report's explanation of every figure comes from here, and a test holds it to this table.
/// `{lim}` in a meaning is the limit in minutes; `{max}` the Theil index's upper end.
pub(super) struct FigureDef {
    /// The field of `Figures` (`RegionResult::figures`) it shows.
    pub field: &'static str,
    pub label: (&'static str, &'static str),
    pub meaning: (&'static str, &'static str),
    pub unit: (&'static str, &'static str),
}

pub(super) const FIGURES: &[FigureDef] = &[
    FigureDef {
        field: "share_within_limit",
        label: ("Aandeel binnen de norm", "Share within the norm"),
        meaning: (
            "Het deel van de jongeren dat over de weg binnen {lim} minuten een passende voorziening bereikt (zo thuis nabij mogelijk).",
            "The share of young people who reach a suitable facility by road within {lim} minutes (as close to home as possible).",
        ),
        unit: ("% van de jongeren", "% of young people"),
    },
    FigureDef {
        field: "places_per_10k",
        label: (
            "Plaatsen per 10.000 jongeren",
            "Places per 10,000 young people",
        ),
        meaning: (
            "Het aanbod naar verhouding: plaatsen in passende voorzieningen in de regio per 10.000 jongeren.",
            "Supply in proportion: places in suitable facilities in the region per 10,000 young people.",
        ),
        unit: (
            "plaatsen per 10.000 jongeren",
            "places per 10,000 young people",
        ),
    },
    FigureDef {
        field: "balance",
        label: ("Plaatsen min vraag", "Places minus demand"),
        meaning: (
            "Aanbod tegenover de verwachte vraag (jongeren × plaatsingen per 10.000); negatief is een tekort.",
            "Supply against the expected demand (young people × placements per 10,000); negative is a shortage.",
        ),
        unit: ("plaatsen", "places"),
    },
    FigureDef {
        field: "share_served_in_region",
        label: (
            "Jongeren met een passende voorziening in de eigen regio",
            "Young people with a suitable facility in their own region",
        ),
        meaning: (
            "Het deel van de jongeren van wie de gemeente een passende voorziening van de eigen regio heeft: in de gemeente zelf, binnen de norm of verder weg in de regio (of er een plaats vrij is, zegt Plaatsen min vraag).",
            "The share of young people whose municipality has a suitable facility in its own region: in the municipality itself, within the norm, or farther away in the region (whether a place is free is shown by Places minus demand).",
        ),
        unit: ("% van de jongeren", "% of young people"),
    },
    FigureDef {
        field: "gini_minutes",
        label: (
            "Gini-coëfficiënt van de reistijd",
            "Gini coefficient of travel time",
        ),
        meaning: (
            "Van 0 tot 1: 0 = alle jongeren reizen even lang; hoe hoger, hoe ongelijker de reistijden binnen de regio.",
            "From 0 to 1: 0 = every young person travels the same time; the higher, the more unequal the travel times within the region.",
        ),
        unit: ("index van 0 tot 1", "index from 0 to 1"),
    },
    FigureDef {
        field: "theil_access",
        label: ("Theil-index van de toegang", "Theil index of access"),
        meaning: (
            "Ongelijkheid van de toegang tot plaatsen (E2SFCA, rekening houdend met capaciteit) tussen de gemeenten, gewogen naar jongeren: 0 = iedereen even veel toegang; hoe hoger, hoe meer de toegang bij een paar gemeenten ligt. In deze regio kan hij hoogstens {max} zijn (alle toegang in de kleinste gemeente).",
            "Inequality of access to places (E2SFCA, capacity-aware) between the municipalities, weighted by young people: 0 = everyone has the same access; the higher, the more access lies with a few municipalities. In this region it can be at most {max} (all access in the smallest municipality).",
        ),
        unit: ("index, 0 = gelijk", "index, 0 = equal"),
    },
];

/// The definition of a figure by field.
fn def(field: &str) -> &'static FigureDef {
    FIGURES
        .iter()
        .find(|d| d.field == field)
        .unwrap_or(&FIGURES[0])
}

/// A figure from its definition: its value with the unit, and its meaning.
fn figure(l: Lang, field: &str, value: String, lim: &str, max: &str) -> Figure {
    let d = def(field);
    let unit = l.pick(d.unit.0, d.unit.1);
    Figure {
        label: l.pick(d.label.0, d.label.1).into(),
        // A percentage carries its unit already.
        value: if unit.starts_with('%') {
            value
        } else {
            format!("{value} ({unit})")
        },
        meaning: l
            .pick(d.meaning.0, d.meaning.1)
            .replace("{lim}", lim)
            .replace("{max}", max),
    }
}

/// The region's fairness figures, each with its unit and what it means ([`FIGURES`]).
pub(super) fn figures(
    l: Lang,
    r: &RegionResult,
    result: &CoverageResult,
    limit: f64,
) -> Vec<Figure> {
    let lim = l.num(limit, 0);
    let nat = &result.national;
    let f = &r.figures;
    let per_10k = |p: Option<f64>| p.map(|p| l.num(p, 2)).unwrap_or_else(|| "–".into());
    let with_national = |v: String, n: String| match l {
        Lang::Nl => format!("{v}, landelijk {n}"),
        Lang::En => format!("{v}, {n} nationally"),
    };
    let mut v = vec![
        figure(
            l,
            "share_within_limit",
            with_national(l.pct(f.share_within_limit), l.pct(nat.share_within_limit)),
            &lim,
            "",
        ),
        figure(
            l,
            "places_per_10k",
            with_national(per_10k(f.places_per_10k), per_10k(nat.places_per_10k)),
            &lim,
            "",
        ),
        figure(l, "balance", l.num(f.balance, 1), &lim, ""),
        figure(
            l,
            "share_served_in_region",
            l.pct(f.share_served_in_region),
            &lim,
            "",
        ),
        figure(l, "gini_minutes", l.num(f.gini_minutes, 3), &lim, ""),
    ];
    if let Some(t) = f.theil_access {
        v.push(figure(
            l,
            "theil_access",
            l.num(t, 3),
            &lim,
            &l.num(theil_max(r, result), 3),
        ));
    }
    v
}

/// The Theil index's upper end in a region: all access in its smallest municipality (by
/// young people) gives ln(young people of the region / of that municipality).
fn theil_max(r: &RegionResult, result: &CoverageResult) -> f64 {
    let weights: Vec<f64> = result
        .municipalities
        .iter()
        .filter(|m| m.regions.get(&r.grouping) == Some(&r.code) && m.weight > 0.0)
        .map(|m| m.weight)
        .collect();
    let smallest = weights.iter().copied().fold(f64::INFINITY, f64::min);
    (weights.iter().sum::<f64>() / smallest).ln()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{Config, Dataset, ReportRequest};
    use crate::progress::Progress;

    #[test]
    fn every_figure_of_the_report_is_explained_as_its_table_says() {
        let data = Dataset::load(&Config::demo(), &Progress::hidden()).expect("demo");
        for lang in [Lang::Nl, Lang::En] {
            let req = ReportRequest {
                need: crate::analysis::NeedProfile::default(),
                grouping: "jeugdregio".into(),
                region: None,
                lang,
                advice: false,
            };
            let report = data.report(&req, &Progress::hidden()).expect("report");
            for region in &report.regions {
                let shown: Vec<&str> = region.figures.iter().map(|f| f.label.as_str()).collect();
                for f in &region.figures {
                    let d = FIGURES
                        .iter()
                        .find(|d| lang.pick(d.label.0, d.label.1) == f.label)
                        .unwrap_or_else(|| panic!("{}: not in the table", f.label));
                    let (before, after) = lang
                        .pick(d.meaning.0, d.meaning.1)
                        .split_once('{')
                        .map(|(b, a)| (b, a.split_once('}').map(|x| x.1).unwrap_or("")))
                        .unwrap_or((lang.pick(d.meaning.0, d.meaning.1), ""));
                    assert!(
                        f.meaning.starts_with(before) && f.meaning.ends_with(after),
                        "{}: {:?}",
                        f.label,
                        f.meaning
                    );
                    let unit = lang.pick(d.unit.0, d.unit.1);
                    assert!(
                        unit.starts_with('%') && f.value.contains('%')
                            || f.value.ends_with(&format!("({unit})")),
                        "{}: {:?} without its unit {unit:?}",
                        f.label,
                        f.value
                    );
                }
                // Every figure of the table but the Theil index (absent without access) shows.
                assert!(shown.len() >= FIGURES.len() - 1, "{shown:?}");
            }
        }
    }
}
