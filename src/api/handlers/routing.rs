//! `/api/v1/travel-time` and `/api/v1/isochrone`.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use crate::api::cache::{Cached, GEOJSON, JSON, respond};
use crate::api::openapi::RouteId;
use crate::api::query::{IsochroneQuery, TravelTimeQuery, lonlat, parse};
use crate::api::state::blocking;
use crate::api::{ApiError, AppState};
use crate::units::{ms_to_seconds, round_dp};

pub async fn travel_time(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q: TravelTimeQuery = parse(&req, RouteId::TravelTime)?;
    let (from, to) = (lonlat("from", &q.from)?, lonlat("to", &q.to)?);
    let body = blocking(&state, move |s| {
        let route = s.data.network.travel_time(from, to)?;
        let seconds = ms_to_seconds(route.time_ms);
        Cached::json(
            &json!({
                "seconds": round_dp(seconds, 1),
                "minutes": round_dp(seconds / 60.0, 1),
                "meters": round_dp(route.length_m, 0),
                "from_snap_m": round_dp(route.from.distance_m, 1),
                "to_snap_m": round_dp(route.to.distance_m, 1),
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
    let body = blocking(&state, move |s| {
        let iso = s.data.network.isochrone(&[snap], minutes, direction, 200.0)?;
        let props = json!({"at": at, "minutes": minutes, "direction": direction, "cell_m": iso.cell_m, "synthetic_roads": s.data.synthetic_roads()});
        let feature = json!({"type": "Feature", "properties": props, "geometry": geojson::Geometry::from(&iso.polygon)});
        Cached::json(
            &json!({"type": "FeatureCollection", "features": [feature]}),
            GEOJSON,
        )
    })
    .await?;
    respond(&req, &body)
}
