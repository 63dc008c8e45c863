//! `/api/v1/report` and `/api/v1/scenarios/{id}/report`: the policy report of a region (or
//! all), of today or of a saved scenario, as HTML or PDF.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::api::cache::{Cached, respond};
use crate::api::handlers::scenarios::store_in;
use crate::api::openapi::RouteId;
use crate::api::query::{ReportQuery, ScenarioReportQuery, parse};
use crate::api::state::{coalesced, peer_of};
use crate::api::{ApiError, AppState};
use crate::app::{Lang, Progress, ReportRequest, ScenarioSource, report_html, report_pdf};

pub async fn report(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q: ReportQuery = parse(&req, RouteId::Report)?;
    let need = q.need()?;
    state.data.check_need(&need)?;
    let (grouping, region, pdf, lang) =
        report_options(&state, &q.grouping, &q.region, &q.format, &q.lang)?;
    let request = ReportRequest {
        need,
        grouping,
        region,
        lang,
        advice: true,
    };
    let key = format!(
        "report|{}|{}|{:?}|{}|{pdf}",
        serde_json::to_string(&request.need).unwrap_or_default(),
        request.grouping,
        request.region,
        lang.code()
    );
    if let Some(hit) = state.cached_body(&key) {
        return answer(&req, &hit, pdf);
    }
    let c = coalesced(&state, peer_of(&req), key.clone(), move |s| {
        laid_out(&s.data.report(&request, &Progress::hidden())?, pdf)
    })
    .await?;
    state.store_body(key, c.clone());
    answer(&req, &c, pdf)
}

/// `GET /api/v1/scenarios/{id}/report`: the report of a saved scenario, with its saved need.
pub async fn scenario_report(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q: ScenarioReportQuery = parse(&req, RouteId::ScenarioReport)?;
    let id = path.into_inner();
    let record = state.data.saved_record(store_in(&state)?, &id)?;
    let (grouping, region, pdf, lang) =
        report_options(&state, &q.grouping, &q.region, &q.format, &q.lang)?;
    let key = format!(
        "scenario-report|{id}|{}|{grouping}|{region:?}|{}|{pdf}",
        state.data.fingerprint(),
        lang.code()
    );
    if let Some(hit) = state.cached_body(&key) {
        return answer(&req, &hit, pdf);
    }
    let request = ReportRequest {
        need: record.need.clone(),
        grouping,
        region,
        lang,
        advice: true,
    };
    let c = coalesced(&state, peer_of(&req), key.clone(), move |s| {
        let source = ScenarioSource {
            scenario: &record.scenario,
            saved_id: Some(&record.id),
        };
        laid_out(
            &s.data
                .scenario_report(&request, &source, &Progress::hidden())?,
            pdf,
        )
    })
    .await?;
    state.store_body(key, c.clone());
    answer(&req, &c, pdf)
}

/// The report's grouping, region (`None`: all), format (PDF or not) and language, each
/// checked; the error names the parameter.
fn report_options(
    state: &AppState,
    grouping: &Option<String>,
    region: &Option<String>,
    format: &Option<String>,
    lang: &Option<String>,
) -> Result<(String, Option<String>, bool, Lang), ApiError> {
    let grouping = grouping.clone().unwrap_or_else(|| "jeugdregio".into());
    state.data.check_grouping(&grouping)?;
    let region = match region.as_deref().map(str::trim) {
        None | Some("") => {
            return Err(ApiError::bad(
                "region",
                "is required: a region code of the grouping (e.g. JZ93), or all",
            ));
        }
        Some(r) if r.eq_ignore_ascii_case("all") => None,
        Some(r) => Some(r.to_string()),
    };
    let pdf = match format.as_deref() {
        None | Some("html") => false,
        Some("pdf") => true,
        Some(other) => {
            return Err(ApiError::bad(
                "format",
                format!("{other:?}: use html or pdf"),
            ));
        }
    };
    let lang = match lang.as_deref() {
        None => Lang::Nl,
        Some(l) => {
            Lang::parse(l).ok_or_else(|| ApiError::bad("lang", format!("{l:?}: use nl or en")))?
        }
    };
    Ok((grouping, region, pdf, lang))
}

/// The report as PDF or HTML bytes.
fn laid_out(r: &crate::app::Report, pdf: bool) -> Result<Cached, ApiError> {
    Ok(if pdf {
        Cached::new("application/pdf", web::Bytes::from(report_pdf(r)?))
    } else {
        Cached::new("text/html; charset=utf-8", web::Bytes::from(report_html(r)))
    })
}

/// The response, with the HTML report's Content-Security-Policy.
fn answer(req: &HttpRequest, c: &Cached, pdf: bool) -> Result<HttpResponse, ApiError> {
    respond(req, c).map(|mut resp| {
        if !pdf {
            let h = resp.headers_mut();
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                header::HeaderValue::from_static(REPORT_CSP),
            );
            h.insert(
                header::REFERRER_POLICY,
                header::HeaderValue::from_static("no-referrer"),
            );
        }
        resp
    })
}

/// The HTML report's Content-Security-Policy: a document, not an application. No scripts
/// and nothing fetched from anywhere; its one stylesheet is inline, its map inline SVG.
pub const REPORT_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
