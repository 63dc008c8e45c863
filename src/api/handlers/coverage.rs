//! `/api/v1/coverage`, `/api/v1/coverage/{code}`, `/api/v1/regions`.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::api::cache::{CSV, Cached, GEOJSON, JSON, respond};
use crate::api::openapi::RouteId;
use crate::api::query::{self, CoverageQuery, MunicipalityQuery, RegionsQuery, parse};
use crate::api::state::{blocking_for, coalesced, peer_of};
use crate::api::{ApiError, AppState};
use crate::app::report;

pub async fn coverage(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q: CoverageQuery = parse(&req, RouteId::Coverage)?;
    let need = q.need()?;
    let format = query::format(&q.format)?;
    let layout = query::layout(&q.lang, &q.csv_dialect)?;
    state.data.check_need(&need)?;
    let key = format!(
        "coverage|{}|{format}|{layout:?}",
        serde_json::to_string(&need).unwrap_or_default()
    );
    if let Some(hit) = state.cached_body(&key) {
        return respond(&req, &hit);
    }
    let cached = coalesced(&state, peer_of(&req), key.clone(), move |s| {
        let r = s.coverage(&need)?;
        match format {
            "csv" => Ok(Cached::new(
                csv_type(layout),
                web::Bytes::from(report::to_csv_as(&r, layout)),
            )),
            "json" => Cached::json(&report::to_json(&r), JSON),
            "gpkg" => {
                let bytes = s.data.geopackage(&r, layout.lang)?;
                Ok(Cached::new(
                    "application/geopackage+sqlite3",
                    web::Bytes::from(bytes),
                ))
            }
            "xlsx" => {
                let bytes = crate::app::to_xlsx(&r, layout.lang)?;
                Ok(Cached::new(
                    crate::api::openapi::XLSX,
                    web::Bytes::from(bytes),
                ))
            }
            _ => Cached::json(
                &report::to_geojson_in(&r, &s.data.prepared.municipalities, layout.lang),
                GEOJSON,
            ),
        }
    })
    .await?;
    state.store_body(key, cached.clone());
    let mut resp = respond(&req, &cached)?;
    // A file to save: its name says what it holds (a double-click opens it in Excel or QGIS).
    let extension = match format {
        "xlsx" => Some("xlsx"),
        "gpkg" => Some("gpkg"),
        "csv" => Some("csv"),
        _ => None,
    };
    if let Some(ext) = extension
        && let Ok(v) = actix_web::http::header::HeaderValue::from_str(&format!(
            "attachment; filename=\"nabij_coverage.{ext}\""
        ))
    {
        resp.headers_mut()
            .insert(actix_web::http::header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}

pub async fn municipality(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q: MunicipalityQuery = parse(&req, RouteId::CoverageOne)?;
    let need = q.need()?;
    state.data.check_need(&need)?;
    let code = path.into_inner();
    state.data.municipality_index(&code)?;
    let body = blocking_for(peer_of(&req), &state, move |s| {
        let r = s.coverage(&need)?;
        Cached::json(&s.data.municipality(&r, &code)?, JSON)
    })
    .await?;
    respond(&req, &body)
}

pub async fn regions(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q: RegionsQuery = parse(&req, RouteId::Regions)?;
    let need = q.need()?;
    state.data.check_need(&need)?;
    let grouping = q.grouping.clone().unwrap_or_else(|| "jeugdregio".into());
    state.data.check_grouping(&grouping)?;
    let layout = query::layout(&q.lang, &q.csv_dialect)?;
    let format = match q.format.as_deref() {
        None | Some("json") => "json",
        Some("geojson") => "geojson",
        Some("csv") => "csv",
        Some(other) => {
            return Err(ApiError::bad(
                "format",
                format!("{other:?}: use json, geojson or csv"),
            ));
        }
    };
    let key = format!(
        "regions|{}|{grouping}|{format}|{layout:?}",
        serde_json::to_string(&need).unwrap_or_default()
    );
    if let Some(hit) = state.cached_body(&key) {
        return respond(&req, &hit);
    }
    let body = coalesced(&state, peer_of(&req), key.clone(), move |s| {
        let r = s.coverage(&need)?;
        match format {
            "geojson" => Cached::json(
                &report::regions_to_geojson(&r, &grouping, &s.data.prepared.municipalities),
                GEOJSON,
            ),
            "csv" => Ok(Cached::new(
                csv_type(layout),
                web::Bytes::from(report::regions_to_csv(&r, &grouping, layout)),
            )),
            _ => Cached::json(&s.data.regions(&r, &grouping)?, JSON),
        }
    })
    .await?;
    state.store_body(key, body.clone());
    respond(&req, &body)
}

/// The content type of a CSV in its dialect (Dutch Excel's files say `header=present`).
fn csv_type(layout: report::Layout) -> &'static str {
    match layout.csv {
        report::CsvDialect::Standard => CSV,
        report::CsvDialect::Nl => "text/csv; charset=utf-8; header=present",
    }
}
