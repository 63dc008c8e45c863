//! The map page (`/`) and its assets (`/assets/{file}`), embedded in the binary so that the
//! service works offline: the page, its script and style (`web/`), and Leaflet (BSD-2,
//! `web/vendor/leaflet`, from the npm registry).

use std::sync::OnceLock;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::api::cache::{Cached, respond};
use crate::api::openapi::RouteId;
use crate::api::query::{NoQuery, parse};
use crate::api::{ApiError, AppState};

/// `(name, content type, bytes)` of every embedded file.
const FILES: &[(&str, &str, &[u8])] = &[
    (
        "index.html",
        "text/html; charset=utf-8",
        include_bytes!("../../../web/index.html"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../../web/app.js"),
    ),
    (
        "style.css",
        "text/css; charset=utf-8",
        include_bytes!("../../../web/style.css"),
    ),
    (
        "leaflet.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../../web/vendor/leaflet/leaflet.js"),
    ),
    (
        "leaflet.css",
        "text/css; charset=utf-8",
        include_bytes!("../../../web/vendor/leaflet/leaflet.css"),
    ),
    (
        "leaflet-LICENSE.txt",
        "text/plain; charset=utf-8",
        include_bytes!("../../../web/vendor/leaflet/LICENSE"),
    ),
];

/// The embedded files as cached bodies (ETag and gzip made once).
fn cached(name: &str) -> Option<&'static Cached> {
    static ALL: OnceLock<Vec<(&'static str, Cached)>> = OnceLock::new();
    ALL.get_or_init(|| {
        FILES
            .iter()
            .map(|(n, t, b)| (*n, Cached::new(t, web::Bytes::from_static(b))))
            .collect()
    })
    .iter()
    .find(|(n, _)| *n == name)
    .map(|(_, c)| c)
}

/// The page's Content-Security-Policy: scripts, styles and data from this server only (no
/// inline styles or scripts: Leaflet sets its styles through the DOM, which CSP allows);
/// images from this server, `data:` URLs (Leaflet's icons) and the configured basemap's
/// origin only, so that a name that somehow became markup could not fetch anything.
pub fn csp(basemap_origin: Option<&str>) -> String {
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:{}; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
        basemap_origin.map(|o| format!(" {o}")).unwrap_or_default()
    )
}

fn with_headers(mut resp: HttpResponse, state: &AppState) -> HttpResponse {
    let policy = csp(state.basemap.as_ref().map(|b| b.origin.as_str()));
    let h = resp.headers_mut();
    if let Ok(v) = header::HeaderValue::from_str(&policy) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(
        header::REFERRER_POLICY,
        header::HeaderValue::from_static("no-referrer"),
    );
    resp
}

pub async fn page(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    parse::<NoQuery>(&req, RouteId::Page)?;
    let c = cached("index.html").ok_or_else(|| ApiError::Internal("page missing".into()))?;
    respond(&req, c).map(|r| with_headers(r, &state))
}

pub async fn asset(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    parse::<NoQuery>(&req, RouteId::Asset)?;
    let name = path.into_inner();
    let c = cached(&name).ok_or_else(|| ApiError::NotFound {
        what: "asset",
        id: name.clone(),
        parameter: Some("file"),
    })?;
    respond(&req, c).map(|r| with_headers(r, &state))
}
