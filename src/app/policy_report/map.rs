//! The report's map of a region: its municipalities by tier, the neighbours faint, the
//! suitable facilities as dark dots.

use geo::{BoundingRect, MultiPolygon, Simplify};

use super::super::advice::Baseline;
use super::super::dataset::Dataset;
use crate::analysis::coverage::CoverageStatus;
use crate::document::{Lang, MapData, MapLabel, MapPoint, Shape, tier_colour, tier_name};

/// The facilities' dots: one dark colour with a white rim, apart from every tier's colour
/// (every dot on the report's map is a suitable facility).
const FACILITY_COLOUR: &str = "#111827";

impl Dataset {
    /// The region's municipalities by tier with the region's outline, neighbours faint, and
    /// as dots the suitable facilities in the region or within the limit of one of its
    /// municipalities' origins.
    pub(super) fn region_map(&self, l: Lang, baseline: &Baseline, members: &[usize]) -> MapData {
        let result = baseline.result;
        let ms = &self.prepared.municipalities;
        let view = view_of(ms, members);
        let epsilon = ((view[2] - view[0]).max(view[3] - view[1]) / 800.0).max(1e-6);
        let mut shapes = Vec::new();
        let mut member_shapes: Vec<MultiPolygon> = Vec::new();
        for (i, m) in ms.iter().enumerate() {
            let Some(r) = m.geometry.bounding_rect() else {
                continue;
            };
            let focus = members.contains(&i);
            let overlaps = r.min().x <= view[2]
                && r.max().x >= view[0]
                && r.min().y <= view[3]
                && r.max().y >= view[1];
            if !focus && !overlaps {
                continue;
            }
            let simple = m.geometry.simplify(epsilon);
            let polygons = rings(&simple);
            if focus {
                member_shapes.push(simple);
            }
            shapes.push(Shape {
                polygons,
                fill: tier_colour(result.municipalities[i].status),
                focus,
            });
        }
        let outline = rings(&geo::unary_union(&member_shapes));
        let shown = self.facilities_for_map(baseline, members);
        let description = map_description(l, result, members, &shown, &self.prepared.facilities);
        let points = shown
            .into_iter()
            .map(|f| &self.prepared.facilities[f])
            .map(|f| MapPoint {
                lon: f.lon,
                lat: f.lat,
                colour: FACILITY_COLOUR,
            })
            .collect();
        let mut legend: Vec<(&'static str, String)> = CoverageStatus::ALL
            .iter()
            .map(|s| (tier_colour(*s), tier_name(l, *s).to_string()))
            .collect();
        // Fragile municipalities say so under their name on the map: narrowly met or missed.
        let (met, missed) = (
            l.pick("net gehaald", "narrowly met"),
            l.pick("net niet gehaald", "narrowly missed"),
        );
        if members.iter().any(|&i| result.municipalities[i].fragile) {
            let share = l.num(100.0 * result.need.fragile_margin, 0);
            legend.push((
                "#ffffff",
                match l {
                    Lang::Nl => format!(
                        "\u{201c}{met}\u{201d} of \u{201c}{missed}\u{201d} onder de naam: kwetsbaar, het niveau verandert als reistijden minder dan {share}% veranderen"
                    ),
                    Lang::En => format!(
                        "\u{201c}{met}\u{201d} or \u{201c}{missed}\u{201d} under the name: borderline, the tier changes if travel times change by less than {share}%"
                    ),
                },
            ));
        }
        let labels = members
            .iter()
            .filter(|&&i| self.prepared.representative[i].0.is_finite())
            .map(|&i| MapLabel {
                lon: self.prepared.representative[i].0,
                lat: self.prepared.representative[i].1,
                text: ms[i].name.clone(),
                note: result.municipalities[i].fragile.then(|| {
                    if result.municipalities[i].margin_minutes.unwrap_or(0.0) >= 0.0 {
                        met
                    } else {
                        missed
                    }
                }),
            })
            .collect();
        let hours = match result.need.period {
            crate::analysis::need::PeriodChoice::Free => None,
            crate::analysis::need::PeriodChoice::Peak => {
                Some(l.pick("in de spits", "at rush hour"))
            }
            crate::analysis::need::PeriodChoice::Both => {
                Some(l.pick("buiten de spits", "off-peak"))
            }
        };
        MapData {
            shapes,
            outline,
            points,
            bbox: view,
            legend,
            labels,
            description,
            hours,
        }
    }
}

impl Dataset {
    /// The suitable facilities a region's map shows: those in its municipalities, and those
    /// that an origin of one of them reaches within the limit (one search from each, bounded
    /// at the limit, as advice searches from a candidate site).
    fn facilities_for_map(&self, baseline: &Baseline, members: &[usize]) -> Vec<usize> {
        let result = baseline.result;
        let prepared = &self.prepared;
        let suitable: Vec<usize> = result
            .suitable_facilities
            .iter()
            .filter_map(|id| prepared.facilities.iter().position(|f| &f.id == id))
            .collect();
        let (inside, outside): (Vec<usize>, Vec<usize>) = suitable.into_iter().partition(|&f| {
            prepared.facility_municipality[f].is_some_and(|m| members.contains(&m))
        });
        let placed: Vec<(usize, crate::spatial::Snap)> = outside
            .into_iter()
            .filter_map(|f| prepared.facility_snaps[f].as_ref().ok().map(|s| (f, *s)))
            .collect();
        let ones = vec![1.0; prepared.municipalities.len()];
        let engine = self.engine(result.need.period.strictest());
        let demand = prepared.origin_demand(engine, &baseline.now, members, &ones);
        let snaps: Vec<crate::spatial::Snap> = placed.iter().map(|(_, s)| *s).collect();
        let reaches = prepared.site_reaches(
            engine,
            &demand,
            &snaps,
            result.need.limit_ms(),
            result.need.direction,
            &|| {},
        );
        let near = placed
            .iter()
            .zip(&reaches)
            .filter(|(_, reach)| !reach.is_empty())
            .map(|((f, _), _)| *f);
        inside.into_iter().chain(near).collect()
    }
}

/// The map in words: each municipality of the region with its tier, and the facilities drawn.
fn map_description(
    l: Lang,
    result: &crate::analysis::CoverageResult,
    members: &[usize],
    shown: &[usize],
    facilities: &[crate::analysis::Facility],
) -> String {
    let tiers: Vec<String> = members
        .iter()
        .map(|&i| {
            let m = &result.municipalities[i];
            let fragile = if m.fragile {
                l.pick(", kwetsbaar", ", fragile")
            } else {
                ""
            };
            format!("{} {}{fragile}", m.name, tier_name(l, m.status))
        })
        .collect();
    let names: Vec<String> = shown.iter().map(|&f| facilities[f].name.clone()).collect();
    let drawn = match (l, names.len()) {
        (Lang::Nl, 0) => "geen passende voorziening in of bij de regio".to_string(),
        (Lang::En, 0) => "no suitable facility in or near the region".to_string(),
        (Lang::Nl, 1) => format!("passende voorziening: {}", names[0]),
        (Lang::En, 1) => format!("suitable facility: {}", names[0]),
        (Lang::Nl, _) => format!("passende voorzieningen: {}", l.list(&names)),
        (Lang::En, _) => format!("suitable facilities: {}", l.list(&names)),
    };
    format!(
        "{} {}; {}.",
        l.pick("Op de kaart:", "On the map:"),
        tiers.join("; "),
        drawn
    )
}

/// The rings of each polygon, as lon/lat pairs (the exterior first).
fn rings(shape: &MultiPolygon) -> Vec<Vec<Vec<[f64; 2]>>> {
    shape
        .0
        .iter()
        .map(|p| {
            std::iter::once(p.exterior())
                .chain(p.interiors())
                .map(|ring| ring.0.iter().map(|c| [c.x, c.y]).collect())
                .collect()
        })
        .collect()
}

/// The map's view: the members' bounding box with 8 % of room on every side (a unit square
/// when they have no geometry).
fn view_of(ms: &[crate::analysis::inputs::Municipality], members: &[usize]) -> [f64; 4] {
    let mut bbox = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for &i in members {
        if let Some(r) = ms[i].geometry.bounding_rect() {
            bbox = [
                bbox[0].min(r.min().x),
                bbox[1].min(r.min().y),
                bbox[2].max(r.max().x),
                bbox[3].max(r.max().y),
            ];
        }
    }
    if !bbox[0].is_finite() {
        bbox = [0.0, 0.0, 1.0, 1.0];
    }
    let pad_x = (bbox[2] - bbox[0]) * 0.08;
    let pad_y = (bbox[3] - bbox[1]) * 0.08;
    let view = [
        bbox[0] - pad_x,
        bbox[1] - pad_y,
        bbox[2] + pad_x,
        bbox[3] + pad_y,
    ];
    widened(view, MIN_ASPECT)
}

/// The least width:height of the map's view: a tall region is shown with its neighbours on
/// both sides, so that the map fills the page's width and shows the facilities just across
/// the border.
const MIN_ASPECT: f64 = 1.3;

/// The view widened (in ground distance: a degree of longitude is cos(latitude) of one of
/// latitude) until its width is at least `aspect` times its height.
fn widened(view: [f64; 4], aspect: f64) -> [f64; 4] {
    let shrink = ((view[1] + view[3]) / 2.0).to_radians().cos().max(0.1);
    let width = (view[2] - view[0]) * shrink;
    let height = view[3] - view[1];
    if width >= aspect * height {
        return view;
    }
    let extra = (aspect * height / shrink - (view[2] - view[0])) / 2.0;
    [view[0] - extra, view[1], view[2] + extra, view[3]]
}
