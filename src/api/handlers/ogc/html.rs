//! The HTML views of the OGC resources (one plain page: title, links, a table) and how a
//! request chooses between JSON and HTML; links and the server's address as the client used it.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde_json::{Value, json};

use crate::api::ApiError;
use crate::api::cache::{Cached, JSON, respond};

/// JSON unless `f=html`, or no `f` and a browser's `Accept` (HTML before any JSON).
pub(crate) fn html_wanted(req: &HttpRequest, f: Option<&str>) -> Result<bool, ApiError> {
    match f {
        Some("json") => Ok(false),
        Some("html") => Ok(true),
        Some(other) => Err(ApiError::bad("f", format!("{other:?}: use json or html"))),
        None => {
            let accept = req
                .headers()
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            let html = accept.find("text/html");
            let json = accept.find("json");
            Ok(matches!((html, json), (Some(h), j) if j.is_none_or(|j| h < j)))
        }
    }
}

/// The server's own address as the client used it.
pub(super) fn base(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}", info.scheme(), info.host())
}

pub(super) fn link(href: String, rel: &str, kind: &str, title: &str) -> Value {
    json!({"href": href, "rel": rel, "type": kind, "title": title})
}

pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A plain HTML view of a JSON resource: its title, its links, and a table of rows.
pub(super) fn html_page(
    title: &str,
    links: &[Value],
    rows: &[Vec<String>],
    header: &[String],
) -> HttpResponse {
    let mut s = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{t}</title></head><body><main><h1>{t}</h1><ul>",
        t = escape(title)
    );
    for l in links {
        let href = l["href"].as_str().unwrap_or("");
        let label = l["title"].as_str().unwrap_or(href);
        s.push_str(&format!(
            "<li><a href=\"{}\">{}</a> ({})</li>",
            escape(href),
            escape(label),
            escape(l["rel"].as_str().unwrap_or(""))
        ));
    }
    s.push_str("</ul>");
    if !header.is_empty() {
        s.push_str("<table><thead><tr>");
        for h in header {
            s.push_str(&format!("<th scope=\"col\">{}</th>", escape(h)));
        }
        s.push_str("</tr></thead><tbody>");
        for r in rows {
            s.push_str("<tr>");
            for c in r {
                s.push_str(&format!("<td>{}</td>", escape(c)));
            }
            s.push_str("</tr>");
        }
        s.push_str("</tbody></table>");
    }
    s.push_str("</main></body></html>");
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
        ))
        .body(s)
}

pub(super) fn json_or_html(
    req: &HttpRequest,
    html: bool,
    title: &str,
    body: &Value,
    rows: &[Vec<String>],
    header: &[String],
) -> Result<HttpResponse, ApiError> {
    if html {
        let links = body["links"].as_array().cloned().unwrap_or_default();
        return Ok(html_page(title, &links, rows, header));
    }
    respond(req, &Cached::json(body, JSON)?)
}

/// The feature table of the HTML views: the id and every property.
pub(super) fn feature_rows(features: &[Value]) -> (Vec<String>, Vec<Vec<String>>) {
    let header: Vec<String> = features
        .first()
        .and_then(|f| f["properties"].as_object())
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    let rows = features
        .iter()
        .map(|f| {
            header
                .iter()
                .map(|k| match &f["properties"][k] {
                    Value::String(s) => s.clone(),
                    Value::Null => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect();
    (header, rows)
}
