//! The policy report of one region or all regions of a grouping, filled in from a coverage
//! answer (and siting advice for regions with gaps), laid out by `document` as HTML or PDF.

mod map;
pub mod scenario;
mod sentences;
mod words;

use super::advice::{AdviceRequest, Baseline};
use super::dataset::Dataset;
use super::error::AppError;
use crate::analysis::coverage::{CoverageStatus, MunicipalityResult, RegionResult};
use crate::analysis::need::PeriodChoice;
use crate::analysis::{CoverageResult, NeedProfile};
use crate::document::{Lang, RegionReport, Report, tier_name};
use crate::progress::Progress;
use words::{demand_words, figures, flag_text};

/// What the report is asked for.
#[derive(Debug, Clone)]
pub struct ReportRequest {
    pub need: NeedProfile,
    pub grouping: String,
    /// A region code of the grouping; `None`: every region.
    pub region: Option<String>,
    pub lang: Lang,
    /// Siting advice (one unit) for regions with gaps.
    pub advice: bool,
}

fn minutes(lang: Lang, m: Option<f64>) -> String {
    m.map(|m| lang.num(m, 0)).unwrap_or_else(|| "–".into())
}

impl Dataset {
    /// The report, laid out later as HTML or PDF.
    pub fn report(&self, req: &ReportRequest, progress: &Progress) -> Result<Report, AppError> {
        self.check_grouping(&req.grouping)?;
        let result = self.coverage(&req.need)?;
        self.report_of(req, &result, progress)
    }

    /// The report of a coverage answer of this dataset's facilities.
    fn report_of(
        &self,
        req: &ReportRequest,
        result: &CoverageResult,
        progress: &Progress,
    ) -> Result<Report, AppError> {
        let mut regions: Vec<&RegionResult> = result
            .regions
            .iter()
            .filter(|r| r.grouping == req.grouping)
            .collect();
        regions.sort_by(|a, b| a.name.cmp(&b.name).then(a.code.cmp(&b.code)));
        if let Some(code) = &req.region {
            regions.retain(|r| r.code.eq_ignore_ascii_case(code));
            if regions.is_empty() {
                let known: Vec<&str> = result
                    .regions
                    .iter()
                    .filter(|r| r.grouping == req.grouping)
                    .map(|r| r.code.as_str())
                    .collect();
                return Err(AppError::bad(
                    "region",
                    format!(
                        "no region {code:?} in grouping {}; it has {}",
                        req.grouping,
                        known.join(", ")
                    ),
                ));
            }
        }
        let bar = progress.bar(regions.len() as u64, "writing the report per region");
        let mut sections = Vec::new();
        // The origins' times today, searched once for the advice of every region.
        let advice_baseline = std::sync::OnceLock::new();
        for r in regions {
            sections.push(self.region_section(req, result, r, &advice_baseline)?);
            bar.inc(1);
        }
        bar.finish_and_clear();
        Ok(self.wrap_report(req, result, sections))
    }

    /// One region's part: sentences, table, figures, flags, gaps, map, advice.
    fn region_section<'a>(
        &self,
        req: &ReportRequest,
        result: &'a CoverageResult,
        r: &RegionResult,
        advice_baseline: &std::sync::OnceLock<Baseline<'a>>,
    ) -> Result<RegionReport, AppError> {
        let l = req.lang;
        let limit = req.need.limit_minutes;
        let members: Vec<usize> = result
            .municipalities
            .iter()
            .enumerate()
            .filter(|(_, m)| m.regions.get(&req.grouping) == Some(&r.code))
            .map(|(i, _)| i)
            .collect();
        let ms: Vec<&MunicipalityResult> =
            members.iter().map(|&i| &result.municipalities[i]).collect();
        let flags: Vec<String> = r
            .flags
            .iter()
            .map(|f| flag_text(l, f, limit, result.national.share_within_limit))
            .collect();
        let (table_head, rows, row_status) = municipality_table(l, &ms);
        // The origins' times today: for the advice, and for the facilities the map shows.
        let baseline = advice_baseline.get_or_init(|| self.advice_baseline(result));
        let advice = if req.advice && !r.gap_municipalities.is_empty() {
            self.region_advice(req, baseline, r)
        } else {
            Vec::new()
        };
        Ok(RegionReport {
            code: r.code.clone(),
            name: r.name.clone(),
            // The finding first, the advice last (its first site, in one sentence).
            summary: region_summary(l, limit, result, r, &ms, &flags)
                .into_iter()
                .chain(advice.first().cloned())
                .collect(),
            map: self.region_map(l, baseline, &members),
            table_head,
            rows,
            row_status,
            figures: figures(l, r, result, limit),
            gaps: gap_lines(l, r, &ms),
            flags,
            advice,
            comparison: None,
        })
    }

    /// Advice for one more unit among the region's municipalities, in sentences.
    fn region_advice(
        &self,
        req: &ReportRequest,
        baseline: &Baseline,
        r: &RegionResult,
    ) -> Vec<String> {
        let l = req.lang;
        let ask = AdviceRequest {
            need: req.need.clone(),
            add: 1,
            region: Some(r.code.clone()),
            objective: crate::analysis::advice::Objective::Coverage,
            candidates: None,
            kind: None,
            places: None,
        };
        // Advice for the peak (period peak or both) says so.
        let hour = match req.need.period.strictest() {
            crate::graph::Period::Free => "",
            crate::graph::Period::Peak => l.pick(" in de spits", " at rush hour"),
        };
        match self.advise_with(&ask, Some(baseline), false, &Progress::hidden()) {
            Ok(a) => a
                .sites
                .iter()
                .map(|s| match l {
                    Lang::Nl => format!(
                        "Advies: een extra voorziening in {} zou naar schatting {} jongeren van de regio binnen {} minuten{hour} brengen (maximale dekking, met {} van de regio als kandidaat-locaties; {}).",
                        s.site.name,
                        l.num(s.newly_within_limit, 0),
                        l.num(req.need.limit_minutes, 0),
                        sentences::count(l, a.candidates, ("gemeente", ""), ("gemeenten", "")),
                        if a.exact { "de beste locatie" } else { "gulzig gekozen" }
                    ),
                    Lang::En => format!(
                        "Advice: an additional facility in {} would bring an estimated {} young people of the region within {} minutes{hour} (maximum coverage, with {} of the region as candidate sites; {}).",
                        s.site.name,
                        l.num(s.newly_within_limit, 0),
                        l.num(req.need.limit_minutes, 0),
                        sentences::count(l, a.candidates, ("", "municipality"), ("", "municipalities")),
                        if a.exact { "the best site" } else { "chosen greedily" }
                    ),
                })
                .collect(),
            Err(e) => vec![format!(
                "{}: {e}",
                l.pick("Geen advies mogelijk", "No advice possible")
            )],
        }
    }

    /// The title, the question, the method and the sources around the regions.
    fn wrap_report(
        &self,
        req: &ReportRequest,
        result: &CoverageResult,
        regions: Vec<RegionReport>,
    ) -> Report {
        let l = req.lang;
        let need = &req.need;
        let lim = l.num(need.limit_minutes, 0);
        let title = match (&req.region, regions.first()) {
            (Some(_), Some(r)) => format!(
                "{}: {}",
                l.pick(
                    "Bereikbaarheid kleinschalige jeugdzorg",
                    "Reach of small-scale youth care"
                ),
                r.name
            ),
            _ => format!(
                "{} ({})",
                l.pick(
                    "Bereikbaarheid kleinschalige jeugdzorg per regio",
                    "Reach of small-scale youth care per region"
                ),
                grouping_label(l, &req.grouping)
            ),
        };
        let types: Vec<String> = need.types.iter().map(|t| type_label(l, t)).collect();
        let question = format!(
            "{}: {}; {} {lim} {} {}; {} {}{}.",
            l.pick("Uitgangspunten", "Assumptions"),
            l.list(&types),
            l.pick(
                "reistijd met de auto hoogstens",
                "travel time by car at most"
            ),
            l.pick("minuten", "minutes"),
            match need.period {
                PeriodChoice::Free => l.pick(
                    "buiten de spits (vrije doorstroming)",
                    "off-peak (free flow)",
                ),
                PeriodChoice::Peak => l.pick(
                    "in de spits (veronderstelde snelheden per soort weg: een aanname, geen metingen)",
                    "at rush hour (assumed speeds per road class, not measurements)",
                ),
                PeriodChoice::Both => l.pick(
                    "buiten de spits; wat in de spits verandert staat erbij (veronderstelde snelheden per soort weg: een aanname, geen metingen)",
                    "off-peak; what changes at rush hour is given too (assumed speeds per road class, not measurements)",
                ),
            },
            l.pick("regio-indeling", "regions:"),
            grouping_label(l, &req.grouping),
            need.as_of
                .as_deref()
                .map(|d| format!("; {} {d}", l.pick("peildatum", "as of")))
                .unwrap_or_default(),
        );
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let synthetic_notice = result.synthetic_roads.then(|| {
            l.pick(
                "Let op: de reistijden in dit rapport zijn berekend op een SYNTHETISCH wegennet, niet op echte wegen. Gebruik ze niet voor beslissingen.",
                "Note: the travel times in this report are computed on a SYNTHETIC road network, not on real roads. Do not use them for decisions.",
            )
            .to_string()
        });
        let method = self.method_lines(l, result, &lim);
        let sources = self.source_lines(l, result);
        let (national, contents) = overview(l, req, result, &regions, &lim);
        Report {
            national,
            contents,
            lang: l,
            title,
            question,
            generated: super::clock::date_in_words(now, l),
            synthetic_notice,
            scenario: None,
            regions,
            method,
            sources,
        }
    }

    /// The method section: travel times, tiers, supply against demand.
    fn method_lines(&self, l: Lang, result: &CoverageResult, lim: &str) -> Vec<String> {
        vec![
            match l {
                Lang::Nl => format!(
                    "Reistijden met de auto over het wegennet (snelheden per wegtype, met vertraging bij verkeerslichten, stopborden en kruisingen), van waar de jongeren van een gemeente wonen ({}) naar de dichtstbijzijnde passende voorziening, met één zoektocht vanuit alle voorzieningen tegelijk (Dijkstra). Profiel {}. Elk cijfer in dit rapport (niveaus, aandelen, vraag en aanbod, advies) rust op dezelfde herkomstpunten; alleen de kolom met de dichtstbijzijnde voorziening meet vanaf één punt in elke gemeente.",
                    origins_words(l, &result.population_model),
                    self.network.graph().meta.profile_name
                ),
                Lang::En => format!(
                    "Travel times by car over the road network (speeds per road type, with delays at traffic signals, stop signs and junctions), from where a municipality's young people live ({}) to the nearest suitable facility, with one search from all facilities at once (Dijkstra). Profile {}. Every figure in this report (tiers, shares, supply and demand, advice) rests on the same origins; only the nearest-facility column measures from one point in each municipality.",
                    origins_words(l, &result.population_model),
                    self.network.graph().meta.profile_name
                ),
            },
            match l {
                Lang::Nl => format!(
                    "Niveaus (zo thuis nabij mogelijk): eigen gemeente als er een passende voorziening in de gemeente ligt; binnen de limiet als de helft of meer van de jongeren er binnen {lim} minuten een bereikt; in de regio als de eigen planningsregio ({}) wel een passende voorziening heeft; anders buiten de regio, of niet bereikbaar over de weg.",
                    result.planning_grouping
                ),
                Lang::En => format!(
                    "Tiers (as close to home as possible): own municipality when a suitable facility lies in the municipality; within the limit when half or more of its young people reach one within {lim} minutes; in the region when its own planning region ({}) has a suitable facility; otherwise outside the region, or unreachable by road.",
                    result.planning_grouping
                ),
            },
            match l {
                Lang::Nl => format!(
                    "Vraag tegen aanbod: de verwachte vraag is het aantal jongeren maal {} plaatsingen per 10.000{}; de toegang tot plaatsen met capaciteit is berekend met de enhanced two-step floating catchment area-methode (E2SFCA), over dezelfde herkomstpunten als de reistijden. Signalen vergelijken elke regio met vaste verwachtingen en met het landelijke beeld.",
                    l.num(result.placements_per_10k, 2),
                    demand_words(l, result.demand_source)
                ),
                Lang::En => format!(
                    "Supply against demand: the expected demand is the number of young people times {} placements per 10,000{}; access to places with capacity is computed with the enhanced two-step floating catchment area method (E2SFCA), over the same origins as the travel times. Flags compare each region with fixed expectations and with the national picture.",
                    l.num(result.placements_per_10k, 2),
                    demand_words(l, result.demand_source)
                ),
            },
        ]
    }

    /// The sources section: roads, municipalities, facilities (or the demo), the tool.
    fn source_lines(&self, l: Lang, result: &CoverageResult) -> Vec<String> {
        let src = self.sources();
        let mut sources = Vec::new();
        if src.demo {
            sources.push(
            l.pick(
                "Nabijland: een fictieve demoregio, gemaakt door nabij (synthetische wegen, verzonnen gemeenten en voorzieningen); geen echte gegevens.",
                "Nabijland: a fictional demo region made by nabij (synthetic roads, invented municipalities and facilities); no real data.",
            )
            .to_string(),
        );
        } else {
            sources.push(format!(
                "{} {}{} (© OpenStreetMap-{}, ODbL).",
                l.pick("Wegen:", "Roads:"),
                src.graph,
                src.graph_built
                    .as_deref()
                    .map(|d| format!(", {} {d}", l.pick("gebouwd", "built")))
                    .unwrap_or_default(),
                l.pick("bijdragers", "contributors")
            ));
            if let Some(m) = &src.municipalities {
                sources.push(format!(
                    "{} {m} ({}).",
                    l.pick("Gemeenten:", "Municipalities:"),
                    l.pick("CBS en Kadaster, CC-BY 4.0", "CBS and Kadaster, CC-BY 4.0")
                ));
            }
            if let Some(f) = &src.facilities {
                sources.push(format!("{} {f}.", l.pick("Voorzieningen:", "Facilities:")));
            }
        }
        if result.synthetic_roads && !src.demo {
            sources.push(
                l.pick(
                    "De wegen zijn SYNTHETISCH (door nabij gegenereerd), geen OpenStreetMap-wegen.",
                    "The roads are SYNTHETIC (generated by nabij), not OpenStreetMap roads.",
                )
                .to_string(),
            );
        }
        sources.push(format!(
            "{} nabij {}.",
            l.pick("Gemaakt met", "Made with"),
            env!("CARGO_PKG_VERSION")
        ));
        sources
    }
}
/// For a report of several regions: the national picture, and one verdict per region as the
/// contents (none for one region).
fn overview(
    l: Lang,
    req: &ReportRequest,
    result: &CoverageResult,
    regions: &[RegionReport],
    lim: &str,
) -> (Vec<String>, Vec<String>) {
    if regions.len() < 2 {
        return (Vec::new(), Vec::new());
    }
    (
        vec![national_picture(l, req, result, lim)],
        regions
            .iter()
            .map(|r| r.summary.first().cloned().unwrap_or_else(|| r.name.clone()))
            .collect(),
    )
}

/// The national picture over the regions of the report's grouping.
fn national_picture(l: Lang, req: &ReportRequest, result: &CoverageResult, lim: &str) -> String {
    let in_grouping: Vec<&MunicipalityResult> = result
        .municipalities
        .iter()
        .filter(|m| m.regions.contains_key(&req.grouping))
        .collect();
    let regions: Vec<&RegionResult> = result
        .regions
        .iter()
        .filter(|r| r.grouping == req.grouping)
        .collect();
    let without: Vec<String> = regions
        .iter()
        .filter(|r| r.figures.facilities == 0)
        .map(|r| r.name.clone())
        .collect();
    sentences::national(
        l,
        &sentences::National {
            municipalities: in_grouping.len(),
            failing: in_grouping
                .iter()
                .filter(|m| {
                    !matches!(
                        m.status,
                        CoverageStatus::OwnMunicipality | CoverageStatus::WithinLimit
                    )
                })
                .count(),
            regions: regions.len(),
            flagged: regions.iter().filter(|r| !r.flags.is_empty()).count(),
            without_facility: &without,
        },
        lim,
    )
}

/// A facility type for people: "kleinschalig verblijf", "KVJJ", ... (the code where nabij
/// has no label for it).
fn type_label(l: Lang, code: &str) -> String {
    match code {
        "kleinschalig_verblijf" => "kleinschalig verblijf".into(),
        "kleinschalig_jeugdzorgplus" => "kleinschalig JeugdzorgPlus".into(),
        "kvjj" => l
            .pick(
                "KVJJ (kleinschalig justitieel)",
                "KVJJ (small-scale justice)",
            )
            .into(),
        "jeugdzorgplus" => l
            .pick("JeugdzorgPlus-instelling", "JeugdzorgPlus institution")
            .into(),
        "jji" => l
            .pick(
                "justitiële jeugdinrichting (JJI)",
                "youth custodial institution (JJI)",
            )
            .into(),
        other => other.replace('_', " "),
    }
}

/// Where young people are taken to live, for the method section.
fn origins_words(l: Lang, population_model: &str) -> String {
    match population_model.strip_prefix("file:") {
        None => l
            .pick(
                "de knopen van woonstraten in de gemeente, gewogen naar weglengte",
                "the nodes of residential streets in the municipality, weighted by road length",
            )
            .into(),
        Some(file) => format!(
            "{} {}",
            l.pick(
                "de jongeren uit het bevolkingsbestand",
                "the young people of the population file"
            ),
            file.trim()
        ),
    }
}

/// A grouping for people.
fn grouping_label(l: Lang, code: &str) -> String {
    match code {
        "jeugdregio" => l
            .pick("jeugdregio's", "youth-care regions (jeugdregio)")
            .into(),
        "zorggebied" => l.pick("zorggebieden", "care areas (zorggebied)").into(),
        "provincie" => l.pick("provincies", "provinces").into(),
        "national" => l.pick("landelijk", "national").into(),
        other => other.replace('_', " "),
    }
}

/// The region's summary, the finding first: the verdict against the norm, what it means for
/// young people, the tiers, supply against demand, the spread (`sentences`).
fn region_summary(
    l: Lang,
    limit: f64,
    result: &CoverageResult,
    r: &RegionResult,
    ms: &[&MunicipalityResult],
    flags: &[String],
) -> Vec<String> {
    let lim = l.num(limit, 0);
    let meets = |m: &&&MunicipalityResult| {
        matches!(
            m.status,
            CoverageStatus::OwnMunicipality | CoverageStatus::WithinLimit
        )
    };
    let failing: Vec<&&MunicipalityResult> = ms.iter().filter(|m| !meets(m)).collect();
    let names: Vec<String> = failing.iter().map(|m| m.name.clone()).collect();
    let in_failing = failing.iter().map(|m| m.young_people).sum::<Option<f64>>();
    let count = |s: CoverageStatus| ms.iter().filter(|m| m.status == s).count();
    let f = &r.figures;
    let people = sentences::People {
        young_people: f.young_people,
        share_within_limit: f.share_within_limit,
        national_share_within_limit: result.national.share_within_limit,
        in_failing,
        failing: failing.len(),
    };
    let supply = sentences::Supply {
        facilities: f.facilities,
        places: f.places,
        per_10k: f.places_per_10k,
        national_per_10k: result.national.places_per_10k,
        demand: f.demand,
        balance: f.balance,
    };
    // A municipality whose tier changes at rush hour is named there, not among the fragile
    // (as on the map page).
    let close: Vec<sentences::Close> = ms
        .iter()
        .filter(|m| m.fragile && m.robust != Some(false))
        .filter_map(|m| {
            Some(sentences::Close {
                name: &m.name,
                minutes: m.margin_minutes?,
            })
        })
        .collect();
    let changes_by = |lose: bool| -> Vec<String> {
        ms.iter()
            .filter(|m| m.robust == Some(false))
            .filter(|m| m.status_peak.is_some_and(|p| p.is_gap()) == lose)
            .map(|m| m.name.clone())
            .collect()
    };
    let (lose, gain) = (changes_by(true), changes_by(false));
    let peak = r.share_tier_depends_on_hour.map(|young| sentences::Peak {
        lose: &lose,
        gain: &gain,
        young,
    });
    let at_peak = peak.as_ref();
    let mut out = vec![
        sentences::verdict(l, &r.name, ms.len(), &names, &lim, f.facilities > 0),
        sentences::people(l, &people, &lim),
        sentences::tiers(l, CoverageStatus::ALL.map(count), &lim),
        sentences::margins(l, &close, result.need.fragile_margin, at_peak),
        sentences::supply(l, &supply),
        sentences::fairness(l, flags),
    ];
    out.retain(|s| !s.is_empty());
    out
}

/// The table of the region's municipalities, best tier first: header, rows and the tier of
/// each row.
fn municipality_table(
    l: Lang,
    ms: &[&MunicipalityResult],
) -> (Vec<String>, Vec<Vec<String>>, Vec<CoverageStatus>) {
    let mut order: Vec<&MunicipalityResult> = ms.to_vec();
    order.sort_by(|a, b| a.status.cmp(&b.status).then(a.name.cmp(&b.name)));
    let table_head = vec![
        l.pick("Gemeente", "Municipality").to_string(),
        l.pick("Niveau", "Tier").to_string(),
        l.pick("Mediane reistijd (min)", "Median travel time (min)")
            .to_string(),
        l.pick(
            "Marge tot de norm (min; + speling, − te lang)",
            "Margin to the norm (min; + to spare, − too long)",
        )
        .to_string(),
        l.pick("Dichtstbijzijnde voorziening", "Nearest facility")
            .to_string(),
        l.pick("Jongeren", "Young people").to_string(),
        l.pick("Verwachte vraag (plaatsen)", "Expected demand (places)")
            .to_string(),
        l.pick(
            "Plaatsbaar binnen de norm (plaatsen)",
            "Placeable within the norm (places)",
        )
        .to_string(),
    ];
    let rows: Vec<Vec<String>> = order
        .iter()
        .map(|m| {
            vec![
                format!("{} ({})", m.name, m.code),
                match m.status_peak {
                    Some(p) if p != m.status => format!(
                        "{}; {}: {}",
                        tier_name(l, m.status),
                        l.pick("in de spits", "at rush hour"),
                        tier_name(l, p)
                    ),
                    _ => tier_name(l, m.status).to_string(),
                },
                minutes(l, m.minutes_median),
                match m.margin_minutes {
                    Some(x) => format!(
                        "{}{}{}",
                        if x >= 0.0 { "+" } else { "−" },
                        l.num(x.abs(), 1),
                        if m.fragile {
                            l.pick(" kwetsbaar", " borderline")
                        } else {
                            ""
                        }
                    ),
                    None => "–".into(),
                },
                match (&m.nearest_facility_name, m.nearest_minutes) {
                    (Some(name), Some(t)) => format!("{name}, {} min", l.num(t, 0)),
                    _ => "–".into(),
                },
                m.young_people
                    .map(|y| l.num(y, 0))
                    .unwrap_or_else(|| l.pick("onbekend", "unknown").into()),
                l.num(m.demand, 1),
                l.num(m.placed_within_limit, 1),
            ]
        })
        .collect();
    let row_status = order.iter().map(|m| m.status).collect();
    (table_head, rows, row_status)
}

/// One line per gap municipality: its tier, its median travel time (what the tier rests on)
/// and its nearest facility (from one point in the municipality, which can be nearer than
/// the median young person is: the line says so).
fn gap_lines(l: Lang, r: &RegionResult, ms: &[&MunicipalityResult]) -> Vec<String> {
    r.gap_municipalities
        .iter()
        .filter_map(|c| ms.iter().find(|m| &m.code == c))
        .map(|m| {
            format!(
                "{} ({}): {}{}{}",
                m.name,
                m.code,
                tier_name(l, m.status),
                match m.minutes_median {
                    Some(t) => format!(
                        "; {} {} min",
                        l.pick("mediane reistijd", "median travel time"),
                        l.num(t, 0)
                    ),
                    None => String::new(),
                },
                match (&m.nearest_facility_name, m.nearest_minutes) {
                    (Some(name), Some(t)) => format!(
                        "; {} {name}, {} min {}",
                        l.pick("dichtstbijzijnde", "nearest"),
                        l.num(t, 0),
                        l.pick("vanaf het midden", "from its centre")
                    ),
                    _ => String::new(),
                }
            )
        })
        .collect()
}
