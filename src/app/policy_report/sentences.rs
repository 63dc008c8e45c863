//! The summary's sentences as plain functions of counts and figures, so that every form
//! (none, one, several; an empty region) is written once per language and tested as text.
//! The order is the council's: the verdict against the norm, what it means for young people,
//! the tiers, supply against demand, the spread.

use crate::document::Lang;

/// "1 gemeente" / "2 gemeenten", "1 municipality" / "2 municipalities".
pub(super) fn count(l: Lang, n: usize, one: (&str, &str), many: (&str, &str)) -> String {
    let (nl, en) = if n == 1 { one } else { many };
    format!("{n} {}", l.pick(nl, en))
}

fn municipalities(l: Lang, n: usize) -> String {
    count(
        l,
        n,
        ("gemeente", "municipality"),
        ("gemeenten", "municipalities"),
    )
}

/// The verdict against the proximity rule: how many municipalities do not meet the norm
/// (own municipality, or half or more of their young people within the limit), with their
/// names, and whether the region has a suitable facility of its own.
pub(super) fn verdict(
    l: Lang,
    region: &str,
    n: usize,
    failing: &[String],
    lim: &str,
    has_own_facility: bool,
) -> String {
    if n == 0 {
        return match l {
            Lang::Nl => format!("{region} heeft in deze gegevens geen gemeenten."),
            Lang::En => format!("{region} has no municipalities in these data."),
        };
    }
    let k = failing.len();
    let names = l.list(failing);
    let head = match (l, k, n) {
        (Lang::Nl, 0, 1) => {
            format!("In {region} haalt de enige gemeente de norm van {lim} minuten")
        }
        (Lang::Nl, 0, _) => {
            format!("In {region} halen alle {n} gemeenten de norm van {lim} minuten")
        }
        (Lang::Nl, 1, 1) => {
            format!("In {region} haalt de enige gemeente, {names}, de norm van {lim} minuten niet")
        }
        (Lang::Nl, k, n) if k == n => {
            format!("In {region} haalt geen van de {n} gemeenten de norm van {lim} minuten")
        }
        (Lang::Nl, 1, _) => format!(
            "In {region} haalt 1 van de {n} gemeenten de norm van {lim} minuten niet ({names})"
        ),
        (Lang::Nl, _, _) => format!(
            "In {region} halen {k} van de {n} gemeenten de norm van {lim} minuten niet ({names})"
        ),
        (Lang::En, 0, 1) => {
            format!("In {region}, its only municipality meets the {lim}-minute norm")
        }
        (Lang::En, 0, _) => {
            format!("In {region}, all {n} municipalities meet the {lim}-minute norm")
        }
        (Lang::En, 1, 1) => format!(
            "In {region}, its only municipality, {names}, does not meet the {lim}-minute norm"
        ),
        (Lang::En, k, n) if k == n => {
            format!("In {region}, none of the {n} municipalities meets the {lim}-minute norm")
        }
        (Lang::En, 1, _) => format!(
            "In {region}, 1 of the {n} municipalities does not meet the {lim}-minute norm ({names})"
        ),
        (Lang::En, _, _) => format!(
            "In {region}, {k} of the {n} municipalities do not meet the {lim}-minute norm ({names})"
        ),
    };
    let tail = if has_own_facility {
        ".".to_string()
    } else {
        l.pick(
            "; de regio heeft geen eigen passende voorziening.",
            "; the region has no suitable facility of its own.",
        )
        .to_string()
    };
    head + &tail
}

/// What it means for young people: how many live within the limit, against the country,
/// and how many live in the municipalities that do not meet the norm.
pub(super) struct People {
    /// Young people of the region, if known.
    pub young_people: Option<f64>,
    pub share_within_limit: f64,
    pub national_share_within_limit: f64,
    /// Young people of the municipalities that do not meet the norm, if known.
    pub in_failing: Option<f64>,
    pub failing: usize,
}

pub(super) fn people(l: Lang, p: &People, lim: &str) -> String {
    let share = l.pct(p.share_within_limit);
    let national = l.pct(p.national_share_within_limit);
    let first = match (l, p.young_people) {
        (Lang::Nl, Some(y)) => format!(
            "Van de naar schatting {} jongeren in de regio woont {share} binnen {lim} minuten van een passende voorziening (landelijk {national}).",
            l.num(y, 0)
        ),
        (Lang::Nl, None) => format!(
            "{share} van de jongeren woont binnen {lim} minuten van een passende voorziening (landelijk {national}; het aantal jongeren is onbekend)."
        ),
        (Lang::En, Some(y)) => format!(
            "Of an estimated {} young people in the region, {share} live within {lim} minutes of a suitable facility ({national} nationally).",
            l.num(y, 0)
        ),
        (Lang::En, None) => format!(
            "{share} of young people live within {lim} minutes of a suitable facility ({national} nationally; the number of young people is unknown)."
        ),
    };
    match (p.failing, p.in_failing) {
        (0, _) | (_, None) => first,
        (k, Some(y)) => {
            let y = l.num(y, 0);
            let second = match (l, k) {
                (Lang::Nl, 1) => {
                    format!(
                        "In de gemeente die de norm niet haalt wonen naar schatting {y} jongeren."
                    )
                }
                (Lang::Nl, _) => format!(
                    "In de {k} gemeenten die de norm niet halen wonen naar schatting {y} jongeren."
                ),
                (Lang::En, 1) => format!(
                    "An estimated {y} young people live in the municipality that does not meet the norm."
                ),
                (Lang::En, _) => format!(
                    "An estimated {y} young people live in the {k} municipalities that do not meet the norm."
                ),
            };
            format!("{first} {second}")
        }
    }
}

/// How many municipalities are in each tier of the proximity rule, leaving out empty tiers:
/// `[own municipality, within the limit, in the region, outside the region, unreachable]`.
pub(super) fn tiers(l: Lang, counts: [usize; 5], lim: &str) -> String {
    let phrases: [(&str, &str); 5] = [
        (
            "met een passende voorziening in de eigen gemeente",
            "with a suitable facility of its own",
        ),
        (
            "binnen {lim} minuten van een passende voorziening",
            "within {lim} minutes of a suitable facility",
        ),
        (
            "met een passende voorziening alleen verder weg in de eigen regio",
            "with a suitable facility only farther away in their own region",
        ),
        (
            "met een passende voorziening alleen buiten de regio",
            "with a suitable facility only outside the region",
        ),
        (
            "waar geen passende voorziening over de weg bereikbaar is",
            "from which no suitable facility can be reached by road",
        ),
    ];
    let parts: Vec<String> = counts
        .iter()
        .zip(phrases)
        .filter(|(n, _)| **n > 0)
        .map(|(&n, (nl, en))| {
            let phrase = l.pick(nl, en).replace("{lim}", lim);
            // "its own" for one municipality, "their own" for several.
            let phrase = if n == 1 {
                phrase.replace("their own", "its own")
            } else {
                phrase.replace("of its own", "of their own")
            };
            format!("{} {phrase}", municipalities(l, n))
        })
        .collect();
    if parts.is_empty() {
        return String::new();
    }
    format!(
        "{}: {}.",
        l.pick("Per gemeente", "By municipality"),
        l.list(&parts)
    )
}

/// Supply against demand: suitable facilities and places in the region, per 10,000 young
/// people against the country, and the shortage or surplus against the expected demand.
pub(super) struct Supply {
    pub facilities: usize,
    pub places: f64,
    pub per_10k: Option<f64>,
    pub national_per_10k: Option<f64>,
    pub demand: f64,
    pub balance: f64,
}

pub(super) fn supply(l: Lang, s: &Supply) -> String {
    let places = if (s.places - 1.0).abs() < 1e-9 {
        l.pick("1 plaats", "1 place").to_string()
    } else {
        format!("{} {}", l.num(s.places, 0), l.pick("plaatsen", "places"))
    };
    let has = match (l, s.facilities) {
        (Lang::Nl, 0) => "De regio heeft geen passende voorziening".to_string(),
        (Lang::Nl, 1) => format!("De regio heeft 1 passende voorziening met {places}"),
        (Lang::Nl, k) => format!("De regio heeft {k} passende voorzieningen met samen {places}"),
        (Lang::En, 0) => "The region has no suitable facility".to_string(),
        (Lang::En, 1) => format!("The region has 1 suitable facility with {places}"),
        (Lang::En, k) => format!("The region has {k} suitable facilities with {places} in all"),
    };
    let per_10k = match (s.facilities, s.per_10k) {
        (0, _) | (_, None) => String::new(),
        (_, Some(p)) => {
            let national = s
                .national_per_10k
                .map(|n| l.num(n, 2))
                .unwrap_or_else(|| "–".into());
            match l {
                Lang::Nl => format!(
                    " ({} per 10.000 jongeren; landelijk {national})",
                    l.num(p, 2)
                ),
                Lang::En => {
                    format!(
                        " ({} per 10,000 young people; {national} nationally)",
                        l.num(p, 2)
                    )
                }
            }
        }
    };
    let demand = l.num(s.demand, 1);
    let gap = l.num(s.balance.abs(), 1);
    let against = match l {
        Lang::Nl if s.balance.abs() < 0.05 => {
            format!("Dat dekt de verwachte vraag van {demand} plaatsen.")
        }
        Lang::Nl if s.balance < 0.0 => {
            format!(
                "Tegenover een verwachte vraag van {demand} plaatsen is dat een tekort van {gap}."
            )
        }
        Lang::Nl => format!(
            "Tegenover een verwachte vraag van {demand} plaatsen is dat een overschot van {gap}."
        ),
        Lang::En if s.balance.abs() < 0.05 => {
            format!("That covers the expected demand of {demand} places.")
        }
        Lang::En if s.balance < 0.0 => {
            format!("Against an expected demand of {demand} places that is a shortage of {gap}.")
        }
        Lang::En => {
            format!("Against an expected demand of {demand} places that is a surplus of {gap}.")
        }
    };
    format!("{has}{per_10k}. {against}")
}

/// The verdict on the spread, with the flags that name their rule.
pub(super) fn fairness(l: Lang, flags: &[String]) -> String {
    if flags.is_empty() {
        l.pick(
            "De spreiding voldoet aan elke verwachting.",
            "The spread meets every expectation.",
        )
        .to_string()
    } else {
        format!(
            "{}: {}.",
            l.pick(
                "De spreiding voldoet niet aan de verwachtingen",
                "The distribution does not meet expectations"
            ),
            flags.join("; ")
        )
    }
}

/// A municipality close to the norm: its name, and minutes to spare (+) or short (−) at the
/// median young person.
pub(super) struct Close<'a> {
    pub name: &'a str,
    pub minutes: f64,
}

/// How the region's verdicts hold: the fragile municipalities by name, those that narrowly
/// meet the norm apart from those that narrowly miss it, with their minutes; and (with both
/// periods) the municipalities that lose or gain the norm at rush hour, with the share of the
/// region's young people in them.
pub(super) fn margins(l: Lang, fragile: &[Close], margin: f64, at_peak: Option<&Peak>) -> String {
    let share = l.num(100.0 * margin, 0);
    let minutes = |x: f64| {
        let one = (x.abs() - 1.0).abs() < 0.05;
        format!(
            "{} {}",
            l.num(x.abs(), 1),
            if one {
                l.pick("minuut", "minute")
            } else {
                l.pick("minuten", "minutes")
            }
        )
    };
    let named = |list: Vec<&Close>, spare: bool| -> Vec<String> {
        list.iter()
            .map(|c| {
                let words = match spare {
                    true => l.pick("speling", "to spare"),
                    false => l.pick("te lang", "too long"),
                };
                format!("{} ({} {words})", c.name, minutes(c.minutes))
            })
            .collect()
    };
    let met = named(fragile.iter().filter(|c| c.minutes >= 0.0).collect(), true);
    let missed = named(fragile.iter().filter(|c| c.minutes < 0.0).collect(), false);
    let verb = |n: usize, one: &'static str, many: &'static str| if n == 1 { one } else { many };
    let mut parts = Vec::new();
    if !met.is_empty() {
        parts.push(match l {
            Lang::Nl => format!(
                "{} {} de norm net",
                l.list(&met),
                verb(met.len(), "haalt", "halen")
            ),
            Lang::En => format!(
                "{} narrowly {} the norm",
                l.list(&met),
                verb(met.len(), "meets", "meet")
            ),
        });
    }
    if !missed.is_empty() {
        parts.push(match l {
            Lang::Nl => format!(
                "{} {} de norm net niet",
                l.list(&missed),
                verb(missed.len(), "haalt", "halen")
            ),
            Lang::En => format!(
                "{} narrowly {} {}",
                l.list(&missed),
                verb(missed.len(), "misses", "miss"),
                if met.is_empty() { "the norm" } else { "it" }
            ),
        });
    }
    let mut out = if parts.is_empty() {
        match l {
            Lang::Nl => format!(
                "Geen gemeente zit dicht bij de norm: elk niveau blijft gelijk als de reistijden {share}% langer of korter worden."
            ),
            Lang::En => format!(
                "No municipality is close to the norm: every tier stays the same if travel times change by {share}%."
            ),
        }
    } else {
        match l {
            Lang::Nl => format!(
                "Kwetsbaar, omdat reistijden die minder dan {share}% veranderen het niveau al veranderen: {}.",
                parts.join("; ")
            ),
            Lang::En => format!(
                "Borderline, because travel times changing by less than {share}% would change the tier: {}.",
                parts.join("; ")
            ),
        }
    };
    if let Some(p) = at_peak {
        out.push(' ');
        let assumed = l.pick(
            "In de spits (gerekend met veronderstelde snelheden per soort weg, geen metingen)",
            "At rush hour (computed with assumed speeds per road class, not measurements)",
        );
        let mut said = Vec::new();
        if !p.lose.is_empty() {
            said.push(match l {
                // After "In de spits (…)" the verb comes first (inversion).
                Lang::Nl => format!(
                    "{} {} de norm niet meer",
                    verb(p.lose.len(), "haalt", "halen"),
                    l.list(p.lose)
                ),
                Lang::En => format!(
                    "{} no longer {} the norm",
                    l.list(p.lose),
                    verb(p.lose.len(), "meets", "meet")
                ),
            });
        }
        if !p.gain.is_empty() {
            said.push(match l {
                Lang::Nl => format!(
                    "{} {} de norm dan wel",
                    verb(p.gain.len(), "haalt", "halen"),
                    l.list(p.gain)
                ),
                Lang::En => format!(
                    "{} then {} it",
                    l.list(p.gain),
                    verb(p.gain.len(), "meets", "meet")
                ),
            });
        }
        out.push_str(&if said.is_empty() {
            match l {
                Lang::Nl => format!("{assumed} blijft het niveau van elke gemeente gelijk."),
                Lang::En => format!("{assumed} every municipality keeps its tier."),
            }
        } else {
            match l {
                Lang::Nl => format!(
                    "{assumed} {}; daar woont {} van de jongeren van de regio.",
                    said.join(", en "),
                    l.pct(p.young)
                ),
                Lang::En => format!(
                    "{assumed} {}; {} of the region's young people live there.",
                    said.join(", and "),
                    l.pct(p.young)
                ),
            }
        });
    }
    out
}

/// What changes at rush hour: the municipalities that lose and gain the norm, and the share
/// of the region's young people in municipalities whose tier changes.
pub(super) struct Peak<'a> {
    pub lose: &'a [String],
    pub gain: &'a [String],
    pub young: f64,
}

/// The national picture over the regions of a grouping, for a report of several regions:
/// the municipalities that do not meet the norm, the regions with a flag, the regions
/// without a suitable facility of their own (by name).
pub(super) struct National<'a> {
    pub municipalities: usize,
    pub failing: usize,
    pub regions: usize,
    pub flagged: usize,
    pub without_facility: &'a [String],
}

pub(super) fn national(l: Lang, n: &National, lim: &str) -> String {
    let (m, k) = (n.municipalities, n.failing);
    let first = match (l, k) {
        (Lang::Nl, 0) => format!("Landelijk halen alle {m} gemeenten de norm van {lim} minuten."),
        (Lang::Nl, 1) => {
            format!("Landelijk haalt 1 van de {m} gemeenten de norm van {lim} minuten niet.")
        }
        (Lang::Nl, _) => {
            format!("Landelijk halen {k} van de {m} gemeenten de norm van {lim} minuten niet.")
        }
        (Lang::En, 0) => format!("Nationally, all {m} municipalities meet the {lim}-minute norm."),
        (Lang::En, 1) => {
            format!("Nationally, 1 of the {m} municipalities does not meet the {lim}-minute norm.")
        }
        (Lang::En, _) => {
            format!("Nationally, {k} of the {m} municipalities do not meet the {lim}-minute norm.")
        }
    };
    let r = n.regions;
    let second = match (l, n.flagged) {
        (Lang::Nl, 0) => format!("Geen van de {r} regio's heeft een signaal."),
        (Lang::Nl, 1) => format!("1 van de {r} regio's heeft een signaal."),
        (Lang::Nl, f) => format!("{f} van de {r} regio's hebben een signaal."),
        (Lang::En, 0) => format!("None of the {r} regions has a flag."),
        (Lang::En, 1) => format!("1 of the {r} regions has a flag."),
        (Lang::En, f) => format!("{f} of the {r} regions have a flag."),
    };
    let names = l.list(n.without_facility);
    let third = match (l, n.without_facility.len()) {
        (_, 0) => String::new(),
        (Lang::Nl, 1) => format!(" Zonder eigen passende voorziening: {names}."),
        (Lang::Nl, w) => format!(" {w} regio's hebben geen eigen passende voorziening: {names}."),
        (Lang::En, 1) => format!(" Without a suitable facility of its own: {names}."),
        (Lang::En, w) => format!(" {w} regions have no suitable facility of their own: {names}."),
    };
    format!("{first} {second}{third}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<String> {
        ["Zeewaard", "Eemsterland", "Leegwater"][..n]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    #[test]
    fn the_verdict_for_none_one_and_several_municipalities_failing() {
        let v = |l, n, k, own| verdict(l, "Nabij-Oost", n, &names(k), "45", own);
        assert_eq!(
            v(Lang::Nl, 4, 0, true),
            "In Nabij-Oost halen alle 4 gemeenten de norm van 45 minuten."
        );
        assert_eq!(
            v(Lang::Nl, 4, 1, true),
            "In Nabij-Oost haalt 1 van de 4 gemeenten de norm van 45 minuten niet (Zeewaard)."
        );
        assert_eq!(
            v(Lang::Nl, 4, 3, false),
            "In Nabij-Oost halen 3 van de 4 gemeenten de norm van 45 minuten niet (Zeewaard, Eemsterland en Leegwater); de regio heeft geen eigen passende voorziening."
        );
        assert_eq!(
            v(Lang::Nl, 2, 2, false),
            "In Nabij-Oost haalt geen van de 2 gemeenten de norm van 45 minuten; de regio heeft geen eigen passende voorziening."
        );
        assert_eq!(
            v(Lang::Nl, 1, 1, false),
            "In Nabij-Oost haalt de enige gemeente, Zeewaard, de norm van 45 minuten niet; de regio heeft geen eigen passende voorziening."
        );
        assert_eq!(
            v(Lang::Nl, 0, 0, false),
            "Nabij-Oost heeft in deze gegevens geen gemeenten."
        );
        assert_eq!(
            v(Lang::En, 4, 0, true),
            "In Nabij-Oost, all 4 municipalities meet the 45-minute norm."
        );
        assert_eq!(
            v(Lang::En, 4, 1, true),
            "In Nabij-Oost, 1 of the 4 municipalities does not meet the 45-minute norm (Zeewaard)."
        );
        assert_eq!(
            v(Lang::En, 4, 2, false),
            "In Nabij-Oost, 2 of the 4 municipalities do not meet the 45-minute norm (Zeewaard and Eemsterland); the region has no suitable facility of its own."
        );
        assert_eq!(
            v(Lang::En, 1, 0, true),
            "In Nabij-Oost, its only municipality meets the 45-minute norm."
        );
        assert_eq!(
            v(Lang::En, 0, 0, true),
            "Nabij-Oost has no municipalities in these data."
        );
    }

    #[test]
    fn young_people_with_and_without_a_count() {
        let p = |young, failing, in_failing| People {
            young_people: young,
            share_within_limit: 0.31,
            national_share_within_limit: 0.816,
            in_failing,
            failing,
        };
        assert_eq!(
            people(Lang::Nl, &p(Some(52_000.0), 3, Some(40_000.0)), "45"),
            "Van de naar schatting 52.000 jongeren in de regio woont 31,0% binnen 45 minuten van een passende voorziening (landelijk 81,6%). In de 3 gemeenten die de norm niet halen wonen naar schatting 40.000 jongeren."
        );
        assert_eq!(
            people(Lang::En, &p(Some(52_000.0), 1, Some(9_975.0)), "45"),
            "Of an estimated 52,000 young people in the region, 31.0% live within 45 minutes of a suitable facility (81.6% nationally). An estimated 9,975 young people live in the municipality that does not meet the norm."
        );
        assert_eq!(
            people(Lang::En, &p(None, 2, None), "30"),
            "31.0% of young people live within 30 minutes of a suitable facility (81.6% nationally; the number of young people is unknown)."
        );
        assert_eq!(
            people(Lang::Nl, &p(Some(1.0), 0, Some(0.0)), "45"),
            "Van de naar schatting 1 jongeren in de regio woont 31,0% binnen 45 minuten van een passende voorziening (landelijk 81,6%)."
        );
    }

    #[test]
    fn tiers_agree_in_number_and_leave_out_empty_ones() {
        assert_eq!(
            tiers(Lang::Nl, [1, 2, 0, 0, 1], "45"),
            "Per gemeente: 1 gemeente met een passende voorziening in de eigen gemeente, 2 gemeenten binnen 45 minuten van een passende voorziening en 1 gemeente waar geen passende voorziening over de weg bereikbaar is."
        );
        assert_eq!(
            tiers(Lang::En, [2, 1, 1, 0, 0], "45"),
            "By municipality: 2 municipalities with a suitable facility of their own, 1 municipality within 45 minutes of a suitable facility and 1 municipality with a suitable facility only farther away in its own region."
        );
        assert_eq!(
            tiers(Lang::En, [0, 0, 2, 0, 0], "45"),
            "By municipality: 2 municipalities with a suitable facility only farther away in their own region."
        );
        assert_eq!(tiers(Lang::Nl, [0; 5], "45"), "");
    }

    #[test]
    fn supply_for_no_one_and_several_facilities() {
        let s = |facilities, places, balance| Supply {
            facilities,
            places,
            per_10k: Some(1.15),
            national_per_10k: Some(1.74),
            demand: 13.4,
            balance,
        };
        assert_eq!(
            supply(Lang::Nl, &s(0, 0.0, -13.4)),
            "De regio heeft geen passende voorziening. Tegenover een verwachte vraag van 13,4 plaatsen is dat een tekort van 13,4."
        );
        assert_eq!(
            supply(Lang::Nl, &s(1, 6.0, -7.4)),
            "De regio heeft 1 passende voorziening met 6 plaatsen (1,15 per 10.000 jongeren; landelijk 1,74). Tegenover een verwachte vraag van 13,4 plaatsen is dat een tekort van 7,4."
        );
        assert_eq!(
            supply(Lang::En, &s(1, 1.0, -12.4)),
            "The region has 1 suitable facility with 1 place (1.15 per 10,000 young people; 1.74 nationally). Against an expected demand of 13.4 places that is a shortage of 12.4."
        );
        assert_eq!(
            supply(Lang::En, &s(2, 20.0, 6.6)),
            "The region has 2 suitable facilities with 20 places in all (1.15 per 10,000 young people; 1.74 nationally). Against an expected demand of 13.4 places that is a surplus of 6.6."
        );
        assert_eq!(
            supply(Lang::En, &s(2, 13.4, 0.0)),
            "The region has 2 suitable facilities with 13 places in all (1.15 per 10,000 young people; 1.74 nationally). That covers the expected demand of 13.4 places."
        );
    }

    #[test]
    fn counts_agree_in_number() {
        assert_eq!(municipalities(Lang::Nl, 0), "0 gemeenten");
        assert_eq!(municipalities(Lang::Nl, 1), "1 gemeente");
        assert_eq!(municipalities(Lang::En, 1), "1 municipality");
        assert_eq!(municipalities(Lang::En, 2), "2 municipalities");
    }

    #[test]
    fn margins_name_the_fragile_and_what_changes_at_rush_hour() {
        let close = [
            Close {
                name: "Cromvoort",
                minutes: 0.6,
            },
            Close {
                name: "Dijkhoorn",
                minutes: -1.0,
            },
            Close {
                name: "Moerkerken",
                minutes: -2.3,
            },
        ];
        assert_eq!(
            margins(Lang::Nl, &close, 0.1, None),
            "Kwetsbaar, omdat reistijden die minder dan 10% veranderen het niveau al veranderen: Cromvoort (0,6 minuten speling) haalt de norm net; Dijkhoorn (1,0 minuut te lang) en Moerkerken (2,3 minuten te lang) halen de norm net niet."
        );
        let lose = ["Holtmaar".to_string()];
        let peak = Peak {
            lose: &lose,
            gain: &[],
            young: 0.234,
        };
        assert_eq!(
            margins(Lang::En, &[], 0.1, Some(&peak)),
            "No municipality is close to the norm: every tier stays the same if travel times change by 10%. At rush hour (computed with assumed speeds per road class, not measurements) Holtmaar no longer meets the norm; 23.4% of the region's young people live there."
        );
        assert!(
            margins(Lang::Nl, &[], 0.1, Some(&peak)).ends_with(
                "In de spits (gerekend met veronderstelde snelheden per soort weg, geen metingen) haalt Holtmaar de norm niet meer; daar woont 23,4% van de jongeren van de regio."
            )
        );
    }

    #[test]
    fn the_national_picture_in_both_languages() {
        let without = ["Noord".to_string(), "Zuid-West".to_string()];
        let n = |failing, flagged, w: usize| National {
            municipalities: 342,
            failing,
            regions: 5,
            flagged,
            without_facility: &without[..w],
        };
        assert_eq!(
            national(Lang::Nl, &n(12, 2, 2), "45"),
            "Landelijk halen 12 van de 342 gemeenten de norm van 45 minuten niet. 2 van de 5 regio's hebben een signaal. 2 regio's hebben geen eigen passende voorziening: Noord en Zuid-West."
        );
        assert_eq!(
            national(Lang::Nl, &n(1, 1, 1), "45"),
            "Landelijk haalt 1 van de 342 gemeenten de norm van 45 minuten niet. 1 van de 5 regio's heeft een signaal. Zonder eigen passende voorziening: Noord."
        );
        assert_eq!(
            national(Lang::En, &n(0, 0, 0), "45"),
            "Nationally, all 342 municipalities meet the 45-minute norm. None of the 5 regions has a flag."
        );
        assert_eq!(
            national(Lang::En, &n(2, 1, 2), "30"),
            "Nationally, 2 of the 342 municipalities do not meet the 30-minute norm. 1 of the 5 regions has a flag. 2 regions have no suitable facility of their own: Noord and Zuid-West."
        );
    }
}
