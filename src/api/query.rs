//! Typed query parameters, one struct per endpoint. Every key is first checked against the
//! parameters the route table (`openapi::ROUTES`) documents for the route, then the query is
//! decoded into the endpoint's struct, which refuses any other key: a parameter documented
//! but not handled (or the reverse) fails the tests that call every route with every
//! documented parameter.

use actix_web::HttpRequest;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::ApiError;
use super::openapi::{self, RouteId};
use crate::app::{Direction, FacilityStatus, NeedOverrides, NeedProfile, Place, parse_lonlat};

/// Longest query string accepted.
pub const MAX_QUERY_BYTES: usize = 2048;

/// Checks the keys against the route table, then decodes into `T`.
pub fn parse<T: DeserializeOwned>(req: &HttpRequest, route: RouteId) -> Result<T, ApiError> {
    let qs = req.query_string();
    if qs.len() > MAX_QUERY_BYTES {
        return Err(ApiError::QueryTooLong {
            limit: MAX_QUERY_BYTES,
        });
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(qs)
        .map_err(|e| ApiError::bad("query", format!("cannot be decoded: {e}")))?;
    let allowed = openapi::query_params(route);
    let mut seen = std::collections::BTreeSet::new();
    for (k, _) in &pairs {
        if !allowed.contains(&k.as_str()) {
            return Err(ApiError::bad(
                k,
                if allowed.is_empty() {
                    "unknown parameter; this endpoint takes none".to_string()
                } else {
                    format!(
                        "unknown parameter; this endpoint takes {}",
                        allowed.join(", ")
                    )
                },
            ));
        }
        if !seen.insert(k) {
            return Err(ApiError::bad(k, "given more than once"));
        }
    }
    serde_urlencoded::from_str(qs).map_err(|e| ApiError::bad("query", e.to_string()))
}

/// A number parameter.
fn number(name: &str, v: &Option<String>) -> Result<Option<f64>, ApiError> {
    v.as_deref()
        .map(|v| {
            v.trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| ApiError::bad(name, format!("{v:?} is not a number")))
        })
        .transpose()
}

/// `to` (the default everywhere) or `from`.
fn direction(v: &Option<String>) -> Result<Direction, ApiError> {
    match v.as_deref() {
        None | Some("to") => Ok(Direction::To),
        Some("from") => Ok(Direction::From),
        Some(other) => Err(ApiError::bad(
            "direction",
            format!("{other:?}: use to or from"),
        )),
    }
}

/// Structs with the need-profile parameters and the endpoint's own ones.
macro_rules! need_query {
    ($(#[$doc:meta])* $name:ident { $($(#[$fattr:meta])* $extra:ident),* }) => {
        $(#[$doc])*
        #[derive(Debug, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            pub need: Option<String>,
            pub as_of: Option<String>,
            pub minutes: Option<String>,
            #[serde(rename = "type")]
            pub types: Option<String>,
            pub age: Option<String>,
            pub min_free_places: Option<String>,
            pub status: Option<String>,
            pub direction: Option<String>,
            pub period: Option<String>,
            pub fragile_margin: Option<String>,
            $($(#[$fattr])* pub $extra: Option<String>,)*
        }

        impl $name {
            /// The need profile, every field checked (the error names the parameter).
            pub fn need(&self) -> Result<NeedProfile, ApiError> {
                need_profile(
                    &self.need,
                    &self.as_of,
                    &self.minutes,
                    &self.types,
                    &self.age,
                    &self.min_free_places,
                    &self.status,
                    &self.direction,
                    &self.period,
                    &self.fragile_margin,
                )
            }

            /// The need profile when any of its parameters is given, else `None`.
            #[allow(dead_code)]
            pub fn need_if_given(&self) -> Result<Option<NeedProfile>, ApiError> {
                let given = [
                    &self.need, &self.as_of, &self.minutes, &self.types, &self.age,
                    &self.min_free_places, &self.status, &self.direction,
                    &self.period, &self.fragile_margin,
                ]
                .iter()
                .any(|p| p.is_some());
                if given { self.need().map(Some) } else { Ok(None) }
            }
        }
    };
}

need_query!(
    /// `GET /api/v1/coverage`
    CoverageQuery { format, lang, csv_dialect }
);
need_query!(
    /// `GET /api/v1/coverage/{code}`
    MunicipalityQuery {}
);
need_query!(
    /// `GET /api/v1/regions`
    RegionsQuery { grouping, format, lang, csv_dialect }
);
need_query!(
    /// `POST /api/v1/scenarios`
    ScenariosQuery {}
);
need_query!(
    /// `POST /api/v1/scenarios/preview`
    PreviewQuery { grouping }
);
need_query!(
    /// `GET /api/v1/report`
    ReportQuery { region, grouping, format, lang }
);
need_query!(
    /// `GET /api/v1/advice`
    AdviceQuery { add, region, objective, unit_type, places }
);

/// `GET /api/v1/scenarios/{id}/report`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioReportQuery {
    pub region: Option<String>,
    pub grouping: Option<String>,
    pub format: Option<String>,
    pub lang: Option<String>,
}

need_query!(
    /// `GET /api/v1/scenarios/{id}/coverage`: a saved scenario, for its own need or the one
    /// given
    ScenarioCoverageQuery { format }
);
need_query!(
    /// `GET /api/v1/scenarios/{id}/regions`
    ScenarioRegionsQuery { grouping }
);

/// `GET /api/v1/scenarios/{id}/diff`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiffQuery {
    pub format: Option<String>,
    /// Another saved scenario to compare with instead of today.
    pub against: Option<String>,
}

impl AdviceQuery {
    pub fn add(&self) -> Result<usize, ApiError> {
        match self.add.as_deref() {
            None => Ok(1),
            Some(v) => v
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|k| (1..=crate::app::advice::MAX_ADD).contains(k))
                .ok_or_else(|| {
                    ApiError::bad(
                        "add",
                        format!(
                            "{v:?}: a whole number from 1 to {}",
                            crate::app::advice::MAX_ADD
                        ),
                    )
                }),
        }
    }

    pub fn objective(&self) -> Result<crate::app::Objective, ApiError> {
        match self.objective.as_deref() {
            None => Ok(crate::app::Objective::Fairness),
            Some(v) => crate::app::Objective::parse(v).ok_or_else(|| {
                ApiError::bad(
                    "objective",
                    format!("{v:?}: use {}", crate::app::Objective::NAMES.join(", ")),
                )
            }),
        }
    }

    pub fn places(&self) -> Result<Option<f64>, ApiError> {
        let p = number("places", &self.places)?;
        if let Some(p) = p
            && !(p > 0.0 && p <= 1000.0)
        {
            return Err(ApiError::bad("places", "must be above 0 and at most 1000"));
        }
        Ok(p)
    }
}

#[allow(clippy::too_many_arguments)]
fn need_profile(
    profile: &Option<String>,
    as_of: &Option<String>,
    minutes: &Option<String>,
    types: &Option<String>,
    age: &Option<String>,
    min_free_places: &Option<String>,
    status: &Option<String>,
    dir: &Option<String>,
    period: &Option<String>,
    fragile_margin: &Option<String>,
) -> Result<NeedProfile, ApiError> {
    let include_planned = match status.as_deref() {
        None | Some("active") => None,
        Some("active,planned") | Some("planned,active") | Some("planned") => Some(true),
        Some(other) => {
            return Err(ApiError::bad(
                "status",
                format!("{other:?}: use active or active,planned"),
            ));
        }
    };
    let o = NeedOverrides {
        profile: profile.clone(),
        types: types
            .as_ref()
            .map(|t| t.split(',').map(str::to_string).collect()),
        age: number("age", age)?,
        min_free_places: number("min_free_places", min_free_places)?,
        include_planned,
        limit_minutes: number("minutes", minutes)?,
        direction: Some(direction(dir)?),
        as_of: as_of.clone(),
        period: period
            .as_deref()
            .map(|p| {
                crate::app::PeriodChoice::parse(p).ok_or_else(|| {
                    ApiError::bad("period", format!("{p:?}: use free, peak or both"))
                })
            })
            .transpose()?,
        fragile_margin: number("fragile_margin", fragile_margin)?,
        ..Default::default()
    };
    NeedProfile::from_overrides(o).map_err(|e| match e {
        crate::app::NeedError::Invalid { field, message } => ApiError::bad(field, message),
        other => ApiError::bad("query", other.to_string()),
    })
}

/// `GET /api/v1/coverage?format=`
pub fn format(v: &Option<String>) -> Result<&'static str, ApiError> {
    match v.as_deref() {
        None | Some("geojson") => Ok("geojson"),
        Some("csv") => Ok("csv"),
        Some("json") => Ok("json"),
        Some("xlsx") => Ok("xlsx"),
        Some("gpkg") => Ok("gpkg"),
        Some(other) => Err(ApiError::bad(
            "format",
            format!("{other:?}: use geojson, csv, json, xlsx or gpkg"),
        )),
    }
}

need_query!(
    /// `GET /ogc/collections/{collectionId}/items` (and one item): the paging, filtering and
    /// CRS parameters of OGC API – Features, and the need parameters of `/api/v1/coverage`.
    OgcItemsQuery {
        limit,
        offset,
        bbox,
        #[serde(rename = "bbox-crs")]
        bbox_crs,
        crs,
        f,
        lang
    }
);

/// The other OGC resources: only the format.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OgcQuery {
    pub f: Option<String>,
}

/// How a data output is laid out: `lang` (nl, en) and `csv_dialect` (standard, nl).
pub fn layout(
    lang: &Option<String>,
    csv_dialect: &Option<String>,
) -> Result<crate::app::report::Layout, ApiError> {
    let lang = match lang.as_deref() {
        None => Default::default(),
        Some(l) => crate::app::LabelLang::parse(l)
            .ok_or_else(|| ApiError::bad("lang", format!("{l:?}: use nl or en")))?,
    };
    let csv = match csv_dialect.as_deref() {
        None => Default::default(),
        Some(d) => crate::app::report::CsvDialect::parse(d)
            .ok_or_else(|| ApiError::bad("csv_dialect", format!("{d:?}: use standard or nl")))?,
    };
    Ok(crate::app::report::Layout { lang, csv })
}

/// `GET /api/v1/facilities`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FacilitiesQuery {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub status: Option<String>,
}

impl FacilitiesQuery {
    pub fn status(&self) -> Result<Option<FacilityStatus>, ApiError> {
        match self.status.as_deref() {
            None => Ok(None),
            Some("active") => Ok(Some(FacilityStatus::Active)),
            Some("planned") => Ok(Some(FacilityStatus::Planned)),
            Some("closed") => Ok(Some(FacilityStatus::Closed)),
            Some(other) => Err(ApiError::bad(
                "status",
                format!("{other:?}: use active, planned or closed"),
            )),
        }
    }

    pub fn kind(&self) -> Option<String> {
        self.kind.as_ref().map(|t| t.trim().to_ascii_lowercase())
    }
}

/// Endpoints without parameters (`/health`, `/api/v1/meta`, `/metrics`, the OpenAPI document,
/// one facility).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoQuery {}

/// `GET /api/v1/travel-time`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TravelTimeQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub period: Option<String>,
}

/// The `period` of a routing endpoint: free (default) or peak.
pub fn period(v: &Option<String>) -> Result<crate::app::Period, ApiError> {
    match v.as_deref() {
        None => Ok(crate::app::Period::Free),
        Some(p) => crate::app::Period::parse(p)
            .ok_or_else(|| ApiError::bad("period", format!("{p:?}: use free or peak"))),
    }
}

/// A required `LON,LAT` parameter.
pub fn lonlat(name: &str, v: &Option<String>) -> Result<(f64, f64), ApiError> {
    let v = v
        .as_deref()
        .ok_or_else(|| ApiError::bad(name, "is required (LON,LAT in WGS84)"))?;
    parse_lonlat(v).map_err(|e| ApiError::bad(name, e))
}

/// `GET /api/v1/isochrone`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IsochroneQuery {
    pub at: Option<String>,
    pub minutes: Option<String>,
    pub direction: Option<String>,
    pub period: Option<String>,
}

impl IsochroneQuery {
    /// The place, the minutes (checked in the one place that checks them) and the direction.
    pub fn parts(&self) -> Result<(Place, f64, Direction), ApiError> {
        let at = self
            .at
            .as_deref()
            .ok_or_else(|| ApiError::bad("at", "is required (a facility id or LON,LAT)"))?;
        let place = Place::parse(at).map_err(|e| ApiError::bad("at", e))?;
        let minutes = number("minutes", &self.minutes)?.ok_or_else(|| {
            ApiError::bad(
                "minutes",
                format!(
                    "is required ({} to {})",
                    crate::units::MINUTES_MIN,
                    crate::units::MINUTES_MAX
                ),
            )
        })?;
        crate::units::check_minutes(minutes).map_err(|m| ApiError::bad("minutes", m))?;
        Ok((place, minutes, direction(&self.direction)?))
    }
}
