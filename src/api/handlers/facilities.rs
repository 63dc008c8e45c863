//! `/api/v1/facilities` and `/api/v1/facilities/{id}`.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use crate::api::cache::{Cached, GEOJSON, respond};
use crate::api::openapi::RouteId;
use crate::api::query::{FacilitiesQuery, NoQuery, parse};
use crate::api::{ApiError, AppState};
use crate::app::{FacilityView, report};

fn feature(v: &FacilityView<'_>) -> serde_json::Value {
    report::facility_feature(v.facility, v.municipality, v.unplaced.as_deref())
}

pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let q: FacilitiesQuery = parse(&req, RouteId::Facilities)?;
    let status = q.status()?;
    let kind = q.kind();
    let views = state.data.facilities(kind.as_deref(), status)?;
    let features: Vec<_> = views.iter().map(feature).collect();
    let fc = json!({"type": "FeatureCollection", "features": features});
    respond(&req, &Cached::json(&fc, GEOJSON)?)
}

pub async fn one(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    parse::<NoQuery>(&req, RouteId::FacilityOne)?;
    let view = state.data.facility(&path.into_inner())?;
    respond(&req, &Cached::json(&feature(&view), GEOJSON)?)
}
