//! The report of a what-if scenario: the same report, made with the scenario's facilities,
//! opening with the scenario and its changes in words, and with each region today and with
//! the scenario (tiers, flags, places, demand).

use super::super::dataset::Dataset;
use super::super::error::AppError;
use super::words::flag_text;
use super::{ReportRequest, type_label};
use crate::analysis::coverage::{CoverageStatus, RegionResult};
use crate::analysis::scenario::{Change, Scenario};
use crate::analysis::{CoverageResult, Facility};
use crate::document::{Comparison, Lang, Report, ScenarioPart, tier_name};
use crate::progress::Progress;

/// The scenario a report is made of: as saved (its id, for the heading) or given.
pub struct ScenarioSource<'a> {
    pub scenario: &'a Scenario,
    pub saved_id: Option<&'a str>,
}

impl Dataset {
    /// The report of a scenario: coverage with its facilities (demand held at today's rate,
    /// as in every scenario), laid out as the report of today, plus the scenario's part and
    /// each region today and with the scenario.
    pub fn scenario_report(
        &self,
        req: &ReportRequest,
        source: &ScenarioSource,
        progress: &Progress,
    ) -> Result<Report, AppError> {
        self.check_grouping(&req.grouping)?;
        let today = self.coverage(&req.need)?;
        let answer = self.scenario(source.scenario, &req.need, Some(&today))?;
        let view = self.with_facilities(answer.facilities.clone(), &today);
        let mut report = view.report_of(req, &answer.coverage, progress)?;
        let l = req.lang;
        report.title = format!(
            "{}, {} \u{201c}{}\u{201d}",
            report.title,
            l.pick("scenario", "scenario"),
            source.scenario.name
        );
        report.scenario = Some(ScenarioPart {
            heading: format!("Scenario: {}", source.scenario.name),
            paragraphs: scenario_paragraphs(l, source),
            changes: source
                .scenario
                .changes
                .iter()
                .map(|c| change_text(l, c, &self.prepared.facilities, &view))
                .collect(),
        });
        let limit = req.need.limit_minutes;
        for region in &mut report.regions {
            let before = region_of(&today, &req.grouping, &region.code);
            let after = region_of(&answer.coverage, &req.grouping, &region.code);
            if let (Some(b), Some(a)) = (before, after) {
                region.comparison = Some(comparison(l, limit, (&today, b), (&answer.coverage, a)));
            }
        }
        Ok(report)
    }

    /// The same network and municipalities with another set of facilities (a scenario's),
    /// demand held at `today`'s rate.
    pub(crate) fn with_facilities(
        &self,
        facilities: Vec<Facility>,
        today: &CoverageResult,
    ) -> Dataset {
        Dataset {
            network: self.network.clone(),
            prepared: self
                .prepared
                .with_facilities(&self.network.engine, facilities)
                .holding_rate(today),
            routing_only: self.routing_only,
            fingerprint: std::sync::OnceLock::new(),
        }
    }
}

fn region_of<'a>(r: &'a CoverageResult, grouping: &str, code: &str) -> Option<&'a RegionResult> {
    r.regions
        .iter()
        .find(|x| x.grouping == grouping && x.code == code)
}

/// What the scenario is, and how to read what follows.
fn scenario_paragraphs(l: Lang, source: &ScenarioSource) -> Vec<String> {
    let mut p = Vec::new();
    if let Some(d) = source
        .scenario
        .description
        .as_deref()
        .filter(|d| !d.trim().is_empty())
    {
        p.push(d.trim().to_string());
    }
    let saved = source
        .saved_id
        .map(|id| match l {
            Lang::Nl => format!(" (opgeslagen als {id})"),
            Lang::En => format!(" (saved as {id})"),
        })
        .unwrap_or_default();
    p.push(match l {
        Lang::Nl => format!(
            "Dit rapport toont de regio zoals die zou zijn met de wijzigingen van dit scenario{saved}. De verwachte vraag blijft die van vandaag: een scenario verandert het aanbod, niet het aantal jongeren dat een plek nodig heeft. Per regio staan de cijfers van vandaag en met het scenario naast elkaar."
        ),
        Lang::En => format!(
            "This report shows the region as it would be with the changes of this scenario{saved}. The expected demand stays today's: a scenario changes supply, not the number of young people who need a place. For each region, today's figures and those with the scenario stand side by side."
        ),
    });
    p
}

/// A facility by id: its name, or its id when it has none.
fn facility_name(facilities: &[Facility], id: &str) -> String {
    facilities
        .iter()
        .find(|f| f.id == id)
        .map(|f| f.name.clone())
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| id.to_string())
}

/// The municipality a facility of the scenario lies in, by name.
fn where_in(view: &Dataset, id: &str) -> Option<String> {
    let p = &view.prepared;
    let f = p.facilities.iter().position(|f| f.id == id)?;
    let m = p.facility_municipality[f]?;
    Some(p.municipalities[m].name.clone())
}

/// One change in words: what happens to which unit, and where.
fn change_text(l: Lang, c: &Change, today: &[Facility], view: &Dataset) -> String {
    let place = |id: &str| {
        where_in(view, id)
            .map(|m| format!(" {} {m}", l.pick("in", "in")))
            .unwrap_or_default()
    };
    let places = |n: f64| {
        format!(
            "{} {}",
            l.num(n, 0),
            if n == 1.0 {
                l.pick("plaats", "place")
            } else {
                l.pick("plaatsen", "places")
            }
        )
    };
    match c {
        Change::Add {
            id,
            name,
            kind,
            places: n,
            ..
        } => {
            let name = name.clone().unwrap_or_else(|| id.clone());
            let size = n.map(|n| format!(", {}", places(n))).unwrap_or_default();
            format!(
                "{} {name} ({}{size}){}",
                l.pick("Nieuw:", "New:"),
                type_label(l, kind),
                place(id)
            )
        }
        Change::Close { id } => format!(
            "{} {}{}",
            l.pick("Gesloten:", "Closed:"),
            facility_name(today, id),
            where_in_today(l, view, today, id)
        ),
        Change::SetPlaces { id, places: n } => {
            let was = today.iter().find(|f| &f.id == id).and_then(|f| f.places);
            format!(
                "{}: {}{}",
                facility_name(today, id),
                places(*n),
                was.map(|w| format!(" ({} {})", l.pick("was", "was"), l.num(w, 0)))
                    .unwrap_or_default()
            )
        }
        Change::SetType { id, kind } => {
            let was = today
                .iter()
                .find(|f| &f.id == id)
                .map(|f| type_label(l, &f.kind));
            format!(
                "{}: {} {}{}",
                facility_name(today, id),
                l.pick("wordt", "becomes"),
                type_label(l, kind),
                was.map(|w| format!(" ({} {w})", l.pick("was", "was")))
                    .unwrap_or_default()
            )
        }
        Change::Move { id, .. } => format!(
            "{} {}{}",
            facility_name(today, id),
            l.pick("verhuist", "moves"),
            where_in(view, id)
                .map(|m| format!(" {} {m}", l.pick("naar", "to")))
                .unwrap_or_default()
        ),
    }
}

/// Where a closed unit was (it is no longer in the scenario's facilities).
fn where_in_today(l: Lang, view: &Dataset, today: &[Facility], id: &str) -> String {
    let Some(f) = today.iter().find(|f| f.id == id) else {
        return String::new();
    };
    let p = &view.prepared;
    let m = p.municipalities.iter().position(|m| {
        use geo::Contains;
        m.geometry.contains(&geo::Point::new(f.lon, f.lat))
    });
    m.map(|m| format!(" {} {}", l.pick("in", "in"), p.municipalities[m].name))
        .unwrap_or_default()
}

/// The region today and with the scenario: a table of figures, and the changes in words.
fn comparison(
    l: Lang,
    limit: f64,
    (today, b): (&CoverageResult, &RegionResult),
    (after, a): (&CoverageResult, &RegionResult),
) -> Comparison {
    let meets = |r: &CoverageResult, reg: &RegionResult| {
        let members: Vec<_> = r
            .municipalities
            .iter()
            .filter(|m| m.regions.get(&reg.grouping) == Some(&reg.code))
            .collect();
        let ok = members
            .iter()
            .filter(|m| {
                matches!(
                    m.status,
                    CoverageStatus::OwnMunicipality | CoverageStatus::WithinLimit
                )
            })
            .count();
        format!("{} {} {}", ok, l.pick("van", "of"), members.len())
    };
    let lim = l.num(limit, 0);
    let row = |label: String, x: String, y: String| vec![label, x, y];
    let rows = vec![
        row(
            match l {
                Lang::Nl => format!("Gemeenten die de norm van {lim} minuten halen"),
                Lang::En => format!("Municipalities meeting the {lim}-minute norm"),
            },
            meets(today, b),
            meets(after, a),
        ),
        row(
            match l {
                Lang::Nl => format!("Jongeren binnen {lim} minuten (aandeel)"),
                Lang::En => format!("Young people within {lim} minutes (share)"),
            },
            l.pct(b.figures.share_within_limit),
            l.pct(a.figures.share_within_limit),
        ),
        row(
            l.pick(
                "Passende voorzieningen in de regio",
                "Suitable facilities in the region",
            )
            .into(),
            b.figures.facilities.to_string(),
            a.figures.facilities.to_string(),
        ),
        row(
            l.pick("Plaatsen in de regio", "Places in the region")
                .into(),
            l.num(b.figures.places, 0),
            l.num(a.figures.places, 0),
        ),
        row(
            l.pick("Verwachte vraag (plaatsen)", "Expected demand (places)")
                .into(),
            l.num(b.figures.demand, 1),
            l.num(a.figures.demand, 1),
        ),
        row(
            l.pick(
                "Plaatsen min vraag (plaatsen)",
                "Places minus demand (places)",
            )
            .into(),
            l.num(b.figures.balance, 1),
            l.num(a.figures.balance, 1),
        ),
        row(
            l.pick("Signalen", "Flags").into(),
            b.flags.len().to_string(),
            a.flags.len().to_string(),
        ),
    ];
    Comparison {
        head: vec![
            l.pick("Cijfer", "Figure").into(),
            l.pick("Vandaag", "Today").into(),
            l.pick("Met het scenario", "With the scenario").into(),
        ],
        rows,
        changes: changes_in_words(l, limit, (today, b), (after, a)),
    }
}

/// Municipalities that change tier, flags cleared and raised; or one sentence that nothing
/// changes.
fn changes_in_words(
    l: Lang,
    limit: f64,
    (today, b): (&CoverageResult, &RegionResult),
    (after, a): (&CoverageResult, &RegionResult),
) -> Vec<String> {
    let mut out = Vec::new();
    for (m0, m1) in today.municipalities.iter().zip(&after.municipalities) {
        if m0.regions.get(&b.grouping) == Some(&b.code) && m0.status != m1.status {
            out.push(format!(
                "{}: {} \u{2192} {}",
                m0.name,
                tier_name(l, m0.status),
                tier_name(l, m1.status)
            ));
        }
    }
    let national = |r: &CoverageResult| r.national.share_within_limit;
    for f in b
        .flags
        .iter()
        .filter(|f| !a.flags.iter().any(|g| g.rule == f.rule))
    {
        out.push(format!(
            "{} {}",
            l.pick("Signaal opgeheven:", "Flag cleared:"),
            flag_text(l, f, limit, national(today))
        ));
    }
    for f in a
        .flags
        .iter()
        .filter(|f| !b.flags.iter().any(|g| g.rule == f.rule))
    {
        out.push(format!(
            "{} {}",
            l.pick("Nieuw signaal:", "New flag:"),
            flag_text(l, f, limit, national(after))
        ));
    }
    if out.is_empty() {
        out.push(
            l.pick(
                "Geen gemeente van deze regio verandert van niveau, en de signalen blijven gelijk.",
                "No municipality of this region changes tier, and the flags stay the same.",
            )
            .into(),
        );
    }
    out
}
