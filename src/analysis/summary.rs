//! A summary a policy writer can read: per region the places, the demand, the balance, the
//! shares per tier, the inequality figures and the flags with their reasons, and one
//! paragraph that states the finding in plain words. Plain text or Markdown.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::result::{CoverageResult, CoverageStatus, MunicipalityResult, RegionResult};
use crate::units::round_dp;

/// How the summary is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Text,
    Markdown,
}

struct Doc {
    style: Style,
    out: String,
}

/// Text as it may appear in the chosen style: in Markdown, `&`, `<` and `>` become entities,
/// so that a name from the data (OpenStreetMap, anyone's file) is shown, never rendered as
/// HTML by a Markdown viewer.
fn escaped(style: Style, text: &str) -> std::borrow::Cow<'_, str> {
    match style {
        Style::Markdown if text.contains(['&', '<', '>']) => text
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .into(),
        _ => text.into(),
    }
}

impl Doc {
    fn heading(&mut self, level: usize, text: &str) {
        let text = &escaped(self.style, text);
        match self.style {
            Style::Markdown => {
                let _ = writeln!(self.out, "\n{} {text}\n", "#".repeat(level));
            }
            Style::Text => {
                let _ = writeln!(self.out, "\n{text}");
                if level <= 2 {
                    let _ = writeln!(self.out, "{}", "=".repeat(text.chars().count()));
                }
            }
        }
    }
    fn para(&mut self, text: &str) {
        let text = escaped(self.style, text);
        let _ = writeln!(self.out, "{text}\n");
    }
    fn bullet(&mut self, text: &str) {
        let text = escaped(self.style, text);
        let _ = writeln!(self.out, "- {text}");
    }
}

fn pct(x: f64) -> String {
    format!("{}%", round_dp(x * 100.0, 0))
}

fn num(x: f64) -> String {
    format!("{}", round_dp(x, 1))
}

/// Shares of the young people per status among `members`.
fn tiers(ms: &[&MunicipalityResult]) -> BTreeMap<CoverageStatus, f64> {
    let total: f64 = ms.iter().map(|m| m.weight).sum();
    let mut t = BTreeMap::new();
    for m in ms {
        *t.entry(m.status).or_insert(0.0) += if total > 0.0 { m.weight / total } else { 0.0 };
    }
    t
}

fn tier_line(t: &BTreeMap<CoverageStatus, f64>) -> String {
    CoverageStatus::ALL
        .iter()
        .map(|s| {
            format!(
                "{} {}",
                s.as_str().replace('_', " "),
                pct(t.get(s).copied().unwrap_or(0.0))
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The paragraph that states a region's finding.
fn finding(r: &RegionResult, names: &BTreeMap<&str, &str>, limit: f64) -> String {
    let f = &r.figures;
    let who = match f.young_people {
        Some(y) => format!("{} young people", round_dp(y, 0)),
        None => "population unknown".to_string(),
    };
    let mut s = format!(
        "{} {} ({} municipalities, {who}) ",
        r.code,
        if r.name != r.code { &r.name } else { "" },
        f.municipalities
    );
    if f.facilities == 0 {
        s.push_str("has no suitable facility of its own. ");
    } else {
        let _ = write!(
            s,
            "has {} suitable {} with {} places. ",
            f.facilities,
            if f.facilities == 1 {
                "facility"
            } else {
                "facilities"
            },
            num(f.places)
        );
    }
    let _ = write!(
        s,
        "{} of its young people live within {} minutes of one, and {} are served inside the region. ",
        pct(f.share_within_limit),
        limit,
        pct(f.share_served_in_region)
    );
    let _ = write!(
        s,
        "The expected demand is {} places against {} offered ({} {}). ",
        num(f.demand),
        num(f.places),
        if f.balance >= -1e-6 {
            "a surplus of"
        } else {
            "a shortage of"
        },
        num(f.balance.abs())
    );
    if r.gap_municipalities.is_empty() {
        s.push_str("Every municipality meets the rule.");
    } else {
        let gaps: Vec<&str> = r
            .gap_municipalities
            .iter()
            .map(|c| names.get(c.as_str()).copied().unwrap_or(c.as_str()))
            .collect();
        let _ = write!(
            s,
            "Beyond {} minutes for most of their young people: {}.",
            limit,
            gaps.join(", ")
        );
    }
    s
}

/// The summary of a coverage answer, for every grouping or only `grouping`.
pub fn summary(result: &CoverageResult, grouping: Option<&str>, style: Style) -> String {
    let mut d = Doc {
        style,
        out: String::new(),
    };
    question(&mut d, result);
    national(&mut d, result, grouping);
    regions(&mut d, result, grouping);
    d.out
}

/// The question: the need, the facilities that count and were left out, the demand rate and
/// the population model.
fn question(d: &mut Doc, result: &CoverageResult) {
    let need = &result.need;
    let limit = need.limit_minutes;
    d.heading(
        1,
        &format!(
            "Summary: {} within {} minutes{}{}",
            need.profile,
            limit,
            need.as_of
                .as_deref()
                .map(|a| format!(", as of {a}"))
                .unwrap_or_default(),
            if result.synthetic_roads {
                " (SYNTHETIC roads)"
            } else {
                ""
            }
        ),
    );
    let known = result.national.young_people.is_some();
    d.para(&format!(
        "Facility types that count: {}. Planning regions (the third tier, \"in the region\"): {}. {}",
        need.types.join(", "),
        result.planning_grouping,
        if known {
            format!(
                "Demand: {} young people per 10,000 need a place{}. Where young people live: {}.",
                num(result.placements_per_10k),
                demand_words(result.demand_source),
                population_words(&result.population_model)
            )
        } else {
            "Population unknown (the municipality file has no population): every municipality counts as one, so the shares below are shares of municipalities, and no demand, balance or per-10,000 figure is given.".to_string()
        }
    ));
    if !result.excluded.is_empty() {
        let ex: Vec<String> = result
            .excluded
            .iter()
            .map(|(e, n)| format!("{n} {}", e.describe()))
            .collect();
        d.para(&format!(
            "{} suitable facilities; left out: {}.",
            result.suitable_facilities.len(),
            ex.join(", ")
        ));
    }
    if !result.above_preferred_size.is_empty() {
        d.para(&format!(
            "Above the preferred group of 4: {}.",
            result.above_preferred_size.join(", ")
        ));
    }
}

/// The national figures, the facilities not placed, the tiers and the inequality split.
fn national(d: &mut Doc, result: &CoverageResult, grouping: Option<&str>) {
    let known = result.national.young_people.is_some();
    let all: Vec<&MunicipalityResult> = result.municipalities.iter().collect();
    let n = &result.national;
    d.heading(2, "National");
    if known {
        d.para(&format!(
            "{} within the limit, {} served in their own region; places {}, demand {}, {} of the demand placeable within the limit, {} not placeable.",
            pct(n.share_within_limit),
            pct(n.share_served_in_region),
            num(n.places),
            num(n.demand),
            pct(n.share_demand_within_limit),
            num(n.unplaced)
        ));
    } else {
        d.para(&format!(
            "{} of the municipalities within the limit, {} served in their own region.",
            pct(n.share_within_limit),
            pct(n.share_served_in_region)
        ));
    }
    if !result.unsnapped_facilities.is_empty() {
        let why: Vec<String> = result
            .unsnapped_facilities
            .iter()
            .map(|(id, reason)| format!("{id} ({reason})"))
            .collect();
        d.para(&format!(
            "{} of the {} suitable facilities are not placed on the road network, so their places count as stated supply (in the demand rate) but not as places anyone reaches: {}.",
            result.unsnapped_facilities.len(),
            result.suitable_facilities.len(),
            why.join("; ")
        ));
    }
    d.para(&format!(
        "{} by tier: {}.",
        if known {
            "Young people"
        } else {
            "Municipalities"
        },
        tier_line(&tiers(&all))
    ));
    for split in &result.inequality {
        if grouping.is_none_or(|g| g == split.grouping) {
            d.bullet(&format!(
                "Inequality of access by {} (Theil T of the E2SFCA index; 0 = equal): {} in all, {} within regions, {} between them.",
                split.grouping,
                round_dp(split.theil_total, 3),
                round_dp(split.theil_within, 3),
                round_dp(split.theil_between, 3)
            ));
        }
    }
}

/// Each region's finding, tiers, supply against demand, inequality and flags.
fn regions(d: &mut Doc, result: &CoverageResult, grouping: Option<&str>) {
    let known = result.national.young_people.is_some();
    let limit = result.need.limit_minutes;
    let names: BTreeMap<&str, &str> = result
        .municipalities
        .iter()
        .map(|m| (m.code.as_str(), m.name.as_str()))
        .collect();
    let mut current = "";
    for r in &result.regions {
        if grouping.is_some_and(|g| g != r.grouping) {
            continue;
        }
        if r.grouping != current {
            current = &r.grouping;
            d.heading(2, &format!("Regions by {current}"));
        }
        d.heading(
            3,
            &format!("{} {}", r.code, if r.name != r.code { &r.name } else { "" }),
        );
        d.para(&finding(r, &names, limit));
        let members: Vec<&MunicipalityResult> = result
            .municipalities
            .iter()
            .filter(|m| m.regions.get(&r.grouping) == Some(&r.code))
            .collect();
        d.bullet(&format!(
            "{} by tier: {}.",
            if known {
                "Young people"
            } else {
                "Municipalities"
            },
            tier_line(&tiers(&members))
        ));
        if known {
            d.bullet(&format!(
                "Places {}, demand {}, balance {}; {} of the demand placeable within the limit.",
                num(r.figures.places),
                num(r.figures.demand),
                num(r.figures.balance),
                pct(r.figures.share_demand_within_limit)
            ));
        }
        let fragile: Vec<&str> = members
            .iter()
            .filter(|m| m.fragile)
            .map(|m| m.name.as_str())
            .collect();
        d.bullet(&match fragile.len() {
            0 => format!(
                "No fragile municipality: every tier holds if travel times change by less than {}.",
                pct(result.need.fragile_margin)
            ),
            _ => format!(
                "Fragile (a change of travel times by less than {} changes the tier): {}.",
                pct(result.need.fragile_margin),
                fragile.join(", ")
            ),
        });
        if let Some(share) = r.share_tier_depends_on_hour {
            let changing: Vec<&str> = members
                .iter()
                .filter(|m| m.robust == Some(false))
                .map(|m| m.name.as_str())
                .collect();
            d.bullet(&format!(
                "At rush hour (assumed speeds): {} of the young people live where the tier changes{}.",
                pct(share),
                if changing.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", changing.join(", "))
                }
            ));
        }
        d.bullet(&format!(
            "Inequality: Gini of median minutes {}, Theil of access {}.",
            round_dp(r.figures.gini_minutes, 3),
            r.figures
                .theil_access
                .map(|t| round_dp(t, 3).to_string())
                .unwrap_or_else(|| "undefined (no access at all)".into())
        ));
        for f in &r.flags {
            d.bullet(&format!(
                "FLAG {} ({}): {}.",
                f.rule,
                if f.relative { "relative" } else { "absolute" },
                f.message
            ));
        }
        let _ = writeln!(d.out);
    }
}

/// Where the demand rate comes from, in words.
fn demand_words(source: &str) -> &'static str {
    match source {
        "national_balance" => {
            " (the national supply spread over the young people, so that only the spread shows)"
        }
        "baseline_national_balance" => {
            " (the baseline's national supply spread over the young people, held for this scenario so that changing supply does not change demand)"
        }
        "demand_file" => " (from the demand file; the rate is the one it implies)",
        "placement_rate" => " (as given)",
        _ => "",
    }
}

/// The population model, in words.
fn population_words(model: &str) -> String {
    match model.strip_prefix("file:") {
        Some(file) => format!("as {file} says"),
        None => "spread by the length of residential streets (no population file given)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_shows_markup_in_names_as_text() {
        let mut d = Doc {
            style: Style::Markdown,
            out: String::new(),
        };
        d.heading(2, "jeugdregio JZ1 <img src=x onerror=alert(1)> & co");
        d.para("<b>Oost</b>");
        d.bullet("<script>x</script>");
        assert!(!d.out.contains('<') && !d.out.contains('>'), "{}", d.out);
        assert!(
            d.out
                .contains("&lt;img src=x onerror=alert(1)&gt; &amp; co"),
            "{}",
            d.out
        );
        // Plain text stays as it is.
        assert_eq!(escaped(Style::Text, "<b>"), "<b>");
    }
}
