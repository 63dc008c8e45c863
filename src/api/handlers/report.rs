//! `/api/v1/report`: the policy report of a region (or all) as HTML or PDF.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::api::cache::{Cached, respond};
use crate::api::openapi::RouteId;
use crate::api::query::{ReportQuery, parse};
use crate::api::state::{coalesced, peer_of};
use crate::api::{ApiError, AppState};
use crate::app::{Lang, Progress, ReportRequest, report_html, report_pdf};

pub async fn report(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q: ReportQuery = parse(&req, RouteId::Report)?;
    let need = q.need()?;
    state.data.check_need(&need)?;
    let grouping = q.grouping.clone().unwrap_or_else(|| "jeugdregio".into());
    state.data.check_grouping(&grouping)?;
    let region = match q.region.as_deref().map(str::trim) {
        None | Some("") => {
            return Err(ApiError::bad(
                "region",
                "is required: a region code of the grouping (e.g. JZ93), or all",
            ));
        }
        Some(r) if r.eq_ignore_ascii_case("all") => None,
        Some(r) => Some(r.to_string()),
    };
    let pdf = match q.format.as_deref() {
        None | Some("html") => false,
        Some("pdf") => true,
        Some(other) => {
            return Err(ApiError::bad(
                "format",
                format!("{other:?}: use html or pdf"),
            ));
        }
    };
    let lang = match q.lang.as_deref() {
        None => Lang::Nl,
        Some(l) => {
            Lang::parse(l).ok_or_else(|| ApiError::bad("lang", format!("{l:?}: use nl or en")))?
        }
    };
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
        return respond(&req, &hit);
    }
    let c = coalesced(&state, peer_of(&req), key.clone(), move |s| {
        let r = s.data.report(&request, &Progress::hidden())?;
        Ok(if pdf {
            Cached::new("application/pdf", web::Bytes::from(report_pdf(&r)?))
        } else {
            Cached::new(
                "text/html; charset=utf-8",
                web::Bytes::from(report_html(&r)),
            )
        })
    })
    .await?;
    state.store_body(key, c.clone());
    respond(&req, &c).map(|mut resp| {
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
