//! The report's words: flags and the demand source in the report's language, and the
//! fairness figures with their meaning.

use crate::analysis::CoverageResult;
use crate::analysis::coverage::RegionResult;
use crate::analysis::fairness::Flag;
use crate::document::{Figure, Lang};

/// A flag in the report's language (the analysis words its flags in English).
pub(super) fn flag_text(lang: Lang, f: &Flag, limit: f64, national_share: f64) -> String {
    if lang == Lang::En {
        return f.message.clone();
    }
    let pct = |x: f64| lang.pct(x);
    let min = lang.num(limit, 0);
    match f.rule {
        "min_facilities" if f.actual == 0.0 => "geen passende voorziening in de regio".into(),
        "min_facilities" => format!(
            "{} passende voorziening(en) in de regio, verwacht minstens {}",
            lang.num(f.actual, 0),
            lang.num(f.expected, 0)
        ),
        "min_share_within_limit" => format!(
            "{} van de jongeren binnen {min} minuten, minder dan de verwachte {}",
            pct(f.actual),
            pct(f.expected)
        ),
        "min_balance" => format!(
            "{} plaatsen tekort tegenover de verwachte vraag",
            lang.num(-f.actual, 1)
        ),
        "share_gap_to_national" => format!(
            "{} van de jongeren binnen {min} minuten, tegen {} landelijk (verder achter dan toegestaan: minstens {})",
            pct(f.actual),
            pct(national_share),
            pct(f.expected)
        ),
        "places_factor_of_national" => format!(
            "{} plaatsen per 10.000 jongeren, minder dan de helft van het landelijke niveau (verwacht minstens {})",
            lang.num(f.actual, 2),
            lang.num(f.expected, 2)
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
            label: l.pick("Gediend in de eigen regio", "Served in the own region").into(),
            value: l.pct(r.figures.share_served_in_region),
            meaning: l
                .pick(
                    "Het deel van de verwachte vraag dat een plaats vindt in een voorziening van de eigen regio.",
                    "The share of the expected demand that finds a place in a facility of the own region.",
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
        v.push(Figure {
            label: l.pick("Theil-index van de toegang", "Theil index of access").into(),
            value: l.num(t, 3),
            meaning: l
                .pick(
                    "Ongelijkheid van de toegang tot plaatsen (E2SFCA, rekening houdend met capaciteit) tussen de gemeenten; 0 = gelijk.",
                    "Inequality of access to places (E2SFCA, capacity-aware) between the municipalities; 0 = equal.",
                )
                .into(),
        });
    }
    v
}
