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
            " (the national supply spread over the young people, so that only the spread shows)",
        ),
        "baseline_national_balance" => l.pick(
            " (het landelijke aanbod van de uitgangssituatie verdeeld over de jongeren, vastgehouden in dit scenario zodat meer of minder aanbod de vraag niet verandert)",
            " (the baseline's national supply spread over the young people, held in this scenario so that changing supply does not change demand)",
        ),
        "demand_file" => l.pick(" (uit het vraagbestand)", " (from the demand file)"),
        _ => l.pick(" (opgegeven)", " (as given)"),
    }
}

/// The region's fairness figures, each with what it means.
pub(super) fn figures(
    l: Lang,
    r: &RegionResult,
    result: &CoverageResult,
    limit: f64,
) -> Vec<Figure> {
    let lim = l.num(limit, 0);
    let nat = &result.national;
    let mut v = vec![
        Figure {
            label: l.pick("Aandeel binnen de limiet", "Share within the limit").into(),
            value: format!(
                "{} ({} {})",
                l.pct(r.figures.share_within_limit),
                l.pick("landelijk", "nationally"),
                l.pct(nat.share_within_limit)
            ),
            meaning: format!(
                "{} {lim} {}",
                l.pick(
                    "Het deel van de jongeren dat over de weg binnen",
                    "The share of young people who reach a suitable facility by road within"
                ),
                l.pick(
                    "minuten een passende voorziening bereikt (zo thuis nabij mogelijk).",
                    "minutes (as close to home as possible)."
                )
            ),
        },
        Figure {
            label: l.pick("Plaatsen per 10.000 jongeren", "Places per 10,000 young people").into(),
            value: format!(
                "{} ({} {})",
                r.figures
                    .places_per_10k
                    .map(|p| l.num(p, 2))
                    .unwrap_or_else(|| "–".into()),
                l.pick("landelijk", "nationally"),
                nat.places_per_10k.map(|p| l.num(p, 2)).unwrap_or_else(|| "–".into())
            ),
            meaning: l
                .pick(
                    "Het aanbod naar verhouding: plaatsen in passende voorzieningen in de regio per 10.000 jongeren.",
                    "Supply in proportion: places in suitable facilities in the region per 10,000 young people.",
                )
                .into(),
        },
        Figure {
            label: l.pick("Plaatsen min vraag", "Places minus demand").into(),
            value: l.num(r.figures.balance, 1),
            meaning: l
                .pick(
                    "Aanbod tegenover de verwachte vraag (jongeren × plaatsingen per 10.000); negatief is een tekort.",
                    "Supply against the expected demand (young people × placements per 10,000); negative is a shortage.",
                )
                .into(),
        },
        Figure {
            label: l
                .pick(
                    "Jongeren met een passende voorziening in de eigen regio",
                    "Young people with a suitable facility in their own region",
                )
                .into(),
            value: l.pct(r.figures.share_served_in_region),
            meaning: l
                .pick(
                    "Het deel van de jongeren van wie de gemeente een passende voorziening van de eigen regio heeft: in de gemeente zelf, binnen de norm of verder weg in de regio (of er een plaats vrij is, zegt de regel Plaatsen min vraag).",
                    "The share of young people whose municipality has a suitable facility of its own region: in the municipality itself, within the norm, or farther away in the region (whether a place is free is what Places minus demand says).",
                )
                .into(),
        },
        Figure {
            label: l.pick("Gini-coëfficiënt van de reistijd", "Gini coefficient of travel time").into(),
            value: l.num(r.figures.gini_minutes, 3),
            meaning: l
                .pick(
                    "0 = alle jongeren reizen even lang; hoe hoger, hoe ongelijker de reistijden binnen de regio.",
                    "0 = every young person travels as long; the higher, the more unequal the travel times within the region.",
                )
                .into(),
        },
    ];
    if let Some(t) = r.figures.theil_access {
        // The index's upper end: all access in the region's smallest municipality (by young
        // people) gives ln(young people of the region / of that municipality).
        let weights: Vec<f64> = result
            .municipalities
            .iter()
            .filter(|m| m.regions.get(&r.grouping) == Some(&r.code) && m.weight > 0.0)
            .map(|m| m.weight)
            .collect();
        let smallest = weights.iter().copied().fold(f64::INFINITY, f64::min);
        let max = (weights.iter().sum::<f64>() / smallest).ln();
        v.push(Figure {
            label: l.pick("Theil-index van de toegang", "Theil index of access").into(),
            value: l.num(t, 3),
            meaning: format!(
                "{} {}{}",
                l.pick(
                    "Ongelijkheid van de toegang tot plaatsen (E2SFCA, rekening houdend met capaciteit) tussen de gemeenten, gewogen naar jongeren: 0 = iedereen even veel toegang; hoe hoger, hoe meer de toegang bij een paar gemeenten ligt.",
                    "Inequality of access to places (E2SFCA, capacity-aware) between the municipalities, weighted by young people: 0 = everyone has the same access; the higher, the more access lies with a few municipalities.",
                ),
                if max.is_finite() {
                    format!(
                        "{} {}",
                        l.pick("In deze regio kan hij hoogstens", "In this region it can be at most"),
                        l.num(max, 3)
                    )
                } else {
                    String::new()
                },
                if max.is_finite() {
                    l.pick(
                        " zijn (alle toegang in de kleinste gemeente).",
                        " (all access in the smallest municipality).",
                    )
                } else {
                    ""
                }
            ),
        });
    }
    v
}
