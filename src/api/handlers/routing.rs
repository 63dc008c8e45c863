//! `/api/v1/travel-time` and `/api/v1/isochrone`.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use crate::api::cache::{Cached, GEOJSON, JSON, respond};
use crate::api::openapi::RouteId;
use crate::api::query::{IsochroneQuery, TravelTimeQuery, lonlat, parse, period};
use crate::api::state::{blocking_for, peer_of};
use crate::api::{ApiError, AppState};
use crate::units::{ms_to_seconds, round_dp};

pub async fn travel_time(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q: TravelTimeQuery = parse(&req, RouteId::TravelTime)?;
    let (from, to) = (lonlat("from", &q.from)?, lonlat("to", &q.to)?);
    let period = period(&q.period)?;
    let body = blocking_for(peer_of(&req), &state, move |s| {
        let route = s.data.network.travel_time(from, to, period)?;
        let seconds = ms_to_seconds(route.time_ms);
        Cached::json(
            &json!({
                "seconds": round_dp(seconds, 1),
                "minutes": round_dp(seconds / 60.0, 1),
                "meters": round_dp(route.length_m, 0),
                "from_snap_m": round_dp(route.from.distance_m, 1),
                "to_snap_m": round_dp(route.to.distance_m, 1),
                "period": period,
                "synthetic_roads": s.data.synthetic_roads(),
            }),
            JSON,
        )
    })
    .await?;
    respond(&req, &body)
}

pub async fn isochrone(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q: IsochroneQuery = parse(&req, RouteId::Isochrone)?;
    let (place, minutes, direction) = q.parts()?;
    let snap = state.data.snap_place(&place, "at")?;
    let at = q.at.clone().unwrap_or_default();
    let period = period(&q.period)?;
    let body = blocking_for(peer_of(&req), &state, move |s| {
        let iso = s
            .data
            .network
            .isochrone(&[snap], minutes, direction, 200.0, period)?;
        let props = json!({"at": at, "minutes": minutes, "direction": direction, "period": period, "cell_m": iso.cell_m, "synthetic_roads": s.data.synthetic_roads()});
        let feature = json!({"type": "Feature", "properties": props, "geometry": geojson::Geometry::from(&iso.polygon)});
        Cached::json(
            &json!({"type": "FeatureCollection", "features": [feature]}),
            GEOJSON,
        )
    })
    .await?;
    respond(&req, &body)
}

/// Longest matrix request body, and most pairs.
pub const MATRIX_BODY_BYTES: usize = 1 << 20;
pub const MATRIX_MAX_PAIRS: usize = 250_000;

/// `POST /api/v1/matrix`
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatrixBody {
    pub origins: Vec<[f64; 2]>,
    pub destinations: Vec<[f64; 2]>,
    #[serde(default)]
    pub max_minutes: Option<f64>,
    /// Free-flow (default) or peak times.
    #[serde(default)]
    pub period: crate::app::Period,
}

fn points(name: &str, v: &[[f64; 2]]) -> Result<Vec<(f64, f64)>, ApiError> {
    if v.is_empty() {
        return Err(ApiError::bad(name, "is empty; give [[lon, lat], ...]"));
    }
    v.iter()
        .enumerate()
        .map(|(i, p)| {
            crate::app::parse_lonlat(&format!("{},{}", p[0], p[1]))
                .map_err(|e| ApiError::bad(&format!("{name}[{i}]"), e))
        })
        .collect()
}

pub async fn matrix(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let bytes = crate::api::body::read(&req, payload, MATRIX_BODY_BYTES, state.body_time).await?;
    let body: MatrixBody = serde_json::from_slice(&bytes).map_err(|e| {
        ApiError::bad(
            "body",
            format!(
                "not a matrix request (line {}, column {}): {e}",
                e.line(),
                e.column()
            ),
        )
    })?;
    let origins = points("origins", &body.origins)?;
    let destinations = points("destinations", &body.destinations)?;
    if origins.len() * destinations.len() > MATRIX_MAX_PAIRS {
        return Err(ApiError::TooManyPairs {
            detail: format!(
                "{} × {} pairs is more than {MATRIX_MAX_PAIRS}; split the request",
                origins.len(),
                destinations.len()
            ),
        });
    }
    let (max_minutes, period) = (body.max_minutes, body.period);
    let json = blocking_for(peer_of(&req), &state, move |s| {
        let cells = s
            .data
            .network
            .matrix(&origins, &destinations, max_minutes, period)?;
        let grid = |f: &dyn Fn(&Result<crate::app::Reached, String>) -> serde_json::Value| {
            cells
                .iter()
                .map(|row| row.iter().map(f).collect::<Vec<_>>())
                .collect::<Vec<_>>()
        };
        let seconds = grid(&|c| match c {
            Ok(r) => json!(round_dp(ms_to_seconds(r.time_ms), 1)),
            Err(_) => serde_json::Value::Null,
        });
        let meters = grid(&|c| match c {
            Ok(r) => json!(round_dp(r.length_m, 0)),
            Err(_) => serde_json::Value::Null,
        });
        let reasons = grid(&|c| match c {
            Ok(_) => serde_json::Value::Null,
            Err(e) => json!(e),
        });
        Cached::json(
            &json!({"seconds": seconds, "meters": meters, "reasons": reasons, "synthetic_roads": s.data.synthetic_roads()}),
            JSON,
        )
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type(JSON)
        .insert_header(("Cache-Control", "no-store"))
        .body(json.body))
}
