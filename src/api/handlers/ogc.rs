//! OGC API – Features (Part 1 Core with GeoJSON, HTML and OpenAPI 3.0; Part 2 CRS) under
//! `/ogc`, so that QGIS ("Add WFS / OGC API – Features layer") and GDAL (`OAPIF:`) add nabij
//! as a web layer. The collections are the answers the rest of the API gives: `coverage`
//! (municipalities with their tier and figures, for the need parameters of the request),
//! `facilities`, and `regions_<grouping>` (region polygons with the regional figures).
//! EPSG:4258 (ETRS89) is served with WGS84's coordinates: in the Netherlands the two differ by
//! under a metre, below the precision of the boundaries.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use crate::api::cache::{Cached, JSON, respond};
use crate::api::openapi::RouteId;
use crate::api::query::{OgcItemsQuery, OgcQuery, parse};
use crate::api::state::{blocking_for, peer_of};
use crate::api::{ApiError, AppState};
use crate::app::report;

const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
const ETRS89: &str = "http://www.opengis.net/def/crs/EPSG/0/4258";
const RD_NEW: &str = "http://www.opengis.net/def/crs/EPSG/0/28992";
const GEOJSON: &str = "application/geo+json";

/// The conformance classes implemented.
const CONFORMANCE: [&str; 5] = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
];

/// Features per page by default, and at most.
const DEFAULT_LIMIT: usize = 1000;
const MAX_LIMIT: usize = 10_000;

/// A CRS of the answer or of a bbox.
#[derive(Clone, Copy, PartialEq)]
enum Crs {
    Crs84,
    Etrs89,
    Rd,
}

impl Crs {
    fn parse(parameter: &str, v: Option<&str>) -> Result<Self, ApiError> {
        match v.map(str::trim) {
            None | Some(CRS84) | Some("CRS84") => Ok(Crs::Crs84),
            Some(ETRS89) | Some("EPSG:4258") => Ok(Crs::Etrs89),
            Some(RD_NEW) | Some("EPSG:28992") => Ok(Crs::Rd),
            Some(other) => Err(ApiError::bad(
                parameter,
                format!("{other:?} is not offered; use {CRS84}, {ETRS89} or {RD_NEW}"),
            )),
        }
    }

    fn uri(self) -> &'static str {
        match self {
            Crs::Crs84 => CRS84,
            Crs::Etrs89 => ETRS89,
            Crs::Rd => RD_NEW,
        }
    }

    /// A WGS84 lon/lat position in this CRS (EPSG:4258 in its own axis order, lat first).
    fn of_wgs84(self, rd: &crate::app::RdConverter, lon: f64, lat: f64) -> (f64, f64) {
        match self {
            Crs::Crs84 => (lon, lat),
            Crs::Etrs89 => (lat, lon),
            Crs::Rd => rd.to_rd(lon, lat).map_or((f64::NAN, f64::NAN), |(x, y)| {
                ((x * 100.0).round() / 100.0, (y * 100.0).round() / 100.0)
            }),
        }
    }

    /// A position in this CRS as WGS84 lon/lat.
    fn to_wgs84(self, rd: &crate::app::RdConverter, a: f64, b: f64) -> Option<(f64, f64)> {
        match self {
            Crs::Crs84 => Some((a, b)),
            Crs::Etrs89 => Some((b, a)),
            Crs::Rd => rd.to_wgs84(a, b).ok(),
        }
    }
}

/// JSON unless `f=html`, or no `f` and a browser's `Accept` (HTML before any JSON).
fn html_wanted(req: &HttpRequest, f: Option<&str>) -> Result<bool, ApiError> {
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
fn base(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}", info.scheme(), info.host())
}

fn link(href: String, rel: &str, kind: &str, title: &str) -> Value {
    json!({"href": href, "rel": rel, "type": kind, "title": title})
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A plain HTML view of a JSON resource: its title, its links, and a table of rows.
fn html_page(
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

fn json_or_html(
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

/// `/api/v1/problems`: every problem type, with an anchor per type in HTML.
pub async fn problems(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let q: OgcQuery = parse(&req, RouteId::Problems)?;
    let html = html_wanted(&req, q.f.as_deref())?;
    if html {
        let mut s = String::from(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>nabij: problem types</title></head><body><main><h1>Problem types of the nabij API</h1><dl>",
        );
        for (kind, status, title, meaning) in crate::api::error::PROBLEM_TYPES {
            s.push_str(&format!(
                "<dt id=\"{kind}\">{kind} ({status} {})</dt><dd>{}</dd>",
                escape(title),
                escape(meaning)
            ));
        }
        s.push_str("</dl></main></body></html>");
        return Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header((
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
            ))
            .body(s));
    }
    let types: Vec<Value> = crate::api::error::PROBLEM_TYPES
        .iter()
        .map(|(kind, status, title, meaning)| {
            json!({"type": format!("/api/v1/problems#{kind}"), "status": status, "title": title, "meaning": meaning})
        })
        .collect();
    respond(&req, &Cached::json(&json!({"problem_types": types}), JSON)?)
}

pub async fn landing(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q: OgcQuery = parse(&req, RouteId::OgcLanding)?;
    let html = html_wanted(&req, q.f.as_deref())?;
    let b = base(&req);
    let body = json!({
        "title": "nabij",
        "description": format!(
            "Reachability of small-scale youth-care facilities per municipality{}.",
            if state.data.synthetic_roads() { " (on SYNTHETIC roads)" } else { "" }
        ),
        "links": [
            link(format!("{b}/ogc?f=json"), "self", "application/json", "This document"),
            link(format!("{b}/ogc?f=html"), "alternate", "text/html", "This document in HTML"),
            link(format!("{b}/api/v1/openapi.json"), "service-desc", "application/vnd.oai.openapi+json;version=3.0", "The API definition"),
            link(format!("{b}/ogc/conformance"), "conformance", "application/json", "Conformance classes"),
            link(format!("{b}/ogc/collections"), "data", "application/json", "The collections"),
        ],
    });
    json_or_html(&req, html, "nabij – OGC API – Features", &body, &[], &[])
}

pub async fn conformance(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let q: OgcQuery = parse(&req, RouteId::OgcConformance)?;
    let html = html_wanted(&req, q.f.as_deref())?;
    let b = base(&req);
    let body = json!({
        "conformsTo": CONFORMANCE,
        "links": [
            link(format!("{b}/ogc/conformance?f=json"), "self", "application/json", "Conformance classes"),
            link(format!("{b}/ogc/conformance?f=html"), "alternate", "text/html", "In HTML"),
        ],
    });
    let rows: Vec<Vec<String>> = CONFORMANCE.iter().map(|c| vec![c.to_string()]).collect();
    json_or_html(
        &req,
        html,
        "Conformance",
        &body,
        &rows,
        &["conformance class".into()],
    )
}

/// The collection ids: coverage, facilities and one regions collection per grouping.
fn collection_ids(state: &AppState) -> Vec<String> {
    let mut ids = vec!["coverage".to_string(), "facilities".to_string()];
    ids.extend(
        state
            .data
            .groupings()
            .iter()
            .map(|g| format!("regions_{g}")),
    );
    ids
}

/// The extent of a collection's features: the municipalities', or the facilities'.
fn extent(state: &AppState, id: &str) -> [f64; 4] {
    use geo::BoundingRect;
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    let mut add = |r: geo::Rect<f64>| {
        b = [
            b[0].min(r.min().x),
            b[1].min(r.min().y),
            b[2].max(r.max().x),
            b[3].max(r.max().y),
        ];
    };
    if id == "facilities" {
        for f in state.data.prepared.facilities.iter() {
            add(geo::Rect::new((f.lon, f.lat), (f.lon, f.lat)));
        }
    } else {
        for m in state.data.prepared.municipalities.iter() {
            if let Some(r) = m.geometry.bounding_rect() {
                add(r);
            }
        }
    }
    if b[0].is_finite() {
        b
    } else {
        state.data.network.graph().meta.bbox
    }
}

fn collection_json(state: &AppState, b: &str, id: &str) -> Value {
    let bbox = extent(state, id);
    let (title, description) = match id {
        "coverage" => (
            "Coverage per municipality".to_string(),
            "Municipalities with their tier (status, status_label, status_rank) and figures, for the need parameters of the request (default: small-scale facilities within 45 minutes).".to_string(),
        ),
        "facilities" => (
            "Facilities".to_string(),
            "The facilities, with whether they count for the question (counts).".to_string(),
        ),
        other => {
            let grouping = other.trim_start_matches("regions_");
            (
                format!("Regions ({grouping})"),
                format!("The regions of {grouping}: each the union of its municipalities, with the regional figures and the flags of the rules they break."),
            )
        }
    };
    json!({
        "id": id,
        "title": title,
        "description": description,
        "itemType": "feature",
        "extent": {"spatial": {"bbox": [bbox], "crs": CRS84}},
        "crs": [CRS84, ETRS89, RD_NEW],
        "storageCrs": CRS84,
        "links": [
            link(format!("{b}/ogc/collections/{id}?f=json"), "self", "application/json", &title),
            link(format!("{b}/ogc/collections/{id}?f=html"), "alternate", "text/html", "In HTML"),
            link(format!("{b}/ogc/collections/{id}/items"), "items", GEOJSON, "The features"),
            link(format!("{b}/ogc/collections/{id}/items?f=html"), "items", "text/html", "The features in HTML"),
            link(format!("{b}/ogc/collections/{id}/schema"), "describedby", "application/schema+json", "The fields of the features"),
        ],
    })
}

fn known(state: &AppState, id: &str) -> Result<(), ApiError> {
    if collection_ids(state).iter().any(|c| c == id) {
        Ok(())
    } else {
        Err(ApiError::NotFound {
            what: "collection",
            id: id.to_string(),
            parameter: Some("collectionId"),
        })
    }
}

pub async fn collections(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q: OgcQuery = parse(&req, RouteId::OgcCollections)?;
    let html = html_wanted(&req, q.f.as_deref())?;
    let b = base(&req);
    let cols: Vec<Value> = collection_ids(&state)
        .iter()
        .map(|id| collection_json(&state, &b, id))
        .collect();
    let mut links = vec![
        link(
            format!("{b}/ogc/collections?f=json"),
            "self",
            "application/json",
            "The collections",
        ),
        link(
            format!("{b}/ogc/collections?f=html"),
            "alternate",
            "text/html",
            "In HTML",
        ),
    ];
    for c in &cols {
        let id = c["id"].as_str().unwrap_or("");
        links.push(link(
            format!("{b}/ogc/collections/{id}"),
            "item",
            "application/json",
            c["title"].as_str().unwrap_or(id),
        ));
    }
    let body = json!({"links": links, "collections": cols, "crs": [CRS84, ETRS89, RD_NEW]});
    let rows: Vec<Vec<String>> = cols
        .iter()
        .map(|c| {
            vec![
                c["id"].as_str().unwrap_or("").into(),
                c["description"].as_str().unwrap_or("").into(),
            ]
        })
        .collect();
    json_or_html(
        &req,
        html,
        "Collections",
        &body,
        &rows,
        &["id".into(), "description".into()],
    )
}

pub async fn collection(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q: OgcQuery = parse(&req, RouteId::OgcCollection)?;
    let html = html_wanted(&req, q.f.as_deref())?;
    let id = path.into_inner();
    known(&state, &id)?;
    let body = collection_json(&state, &base(&req), &id);
    let title = body["title"].as_str().unwrap_or("").to_string();
    json_or_html(&req, html, &title, &body, &[], &[])
}

/// Every feature of a collection for a need, in WGS84.
fn all_features(
    s: &AppState,
    id: &str,
    need: &crate::app::NeedProfile,
    lang: crate::app::LabelLang,
) -> Result<Vec<Value>, ApiError> {
    let r = s.coverage(need)?;
    let fc = match id {
        "coverage" => report::to_geojson_in(&r, &s.data.prepared.municipalities, lang),
        "facilities" => json!({"features": s.data.facility_features(&r)}),
        other => report::regions_to_geojson(
            &r,
            other.trim_start_matches("regions_"),
            &s.data.prepared.municipalities,
        ),
    };
    let mut features = fc["features"].as_array().cloned().unwrap_or_default();
    // Every feature has an id (the facilities' is their own).
    for f in &mut features {
        if f.get("id").is_none_or(Value::is_null) {
            f["id"] = f["properties"]["id"].clone();
        }
    }
    Ok(features)
}

/// Converts every position of a GeoJSON geometry in place.
fn convert(v: &mut Value, f: &dyn Fn(f64, f64) -> (f64, f64)) {
    if let Some(items) = v.as_array_mut() {
        if items.len() >= 2 && items.iter().all(Value::is_number) {
            let (a, b) = (
                items[0].as_f64().unwrap_or(f64::NAN),
                items[1].as_f64().unwrap_or(f64::NAN),
            );
            let (x, y) = f(a, b);
            items[0] = json!(x);
            items[1] = json!(y);
        } else {
            for i in items {
                convert(i, f);
            }
        }
    }
}

/// The bbox parameter as a WGS84 rectangle.
fn bbox_wgs84(
    bbox: &str,
    crs: Crs,
    rd: &crate::app::RdConverter,
) -> Result<geo::Rect<f64>, ApiError> {
    let bad = || {
        ApiError::bad(
            "bbox",
            "give minx,miny,maxx,maxy (four numbers, or six with heights; in bbox-crs)",
        )
    };
    let n: Vec<f64> = bbox
        .split(',')
        .map(|x| x.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| bad())?;
    // Four numbers, or six with heights (which a 2D answer ignores).
    let n = match n.len() {
        4 => n,
        6 => vec![n[0], n[1], n[3], n[4]],
        _ => return Err(bad()),
    };
    if n.iter().any(|x| !x.is_finite()) || n[0] > n[2] || n[1] > n[3] {
        return Err(bad());
    }
    let corners = [(n[0], n[1]), (n[0], n[3]), (n[2], n[1]), (n[2], n[3])];
    let pts: Vec<(f64, f64)> = corners
        .iter()
        .map(|&(a, b)| crs.to_wgs84(rd, a, b).ok_or_else(bad))
        .collect::<Result<_, _>>()?;
    let (mut lo, mut hi) = (
        (f64::INFINITY, f64::INFINITY),
        (f64::NEG_INFINITY, f64::NEG_INFINITY),
    );
    for (x, y) in pts {
        lo = (lo.0.min(x), lo.1.min(y));
        hi = (hi.0.max(x), hi.1.max(y));
    }
    Ok(geo::Rect::new(lo, hi))
}

fn intersects(f: &Value, rect: &geo::Rect<f64>) -> bool {
    use geo::Intersects;
    serde_json::from_value::<geojson::Geometry>(f["geometry"].clone())
        .ok()
        .and_then(|g| geo::Geometry::<f64>::try_from(g.value).ok())
        .is_some_and(|g| g.intersects(rect))
}

fn number(
    parameter: &str,
    v: Option<&str>,
    default: usize,
    max: usize,
    min: usize,
) -> Result<usize, ApiError> {
    match v {
        None => Ok(default),
        Some(s) => s
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| (min..=max).contains(n))
            .ok_or_else(|| {
                ApiError::bad(
                    parameter,
                    format!("{s:?}: a whole number from {min} to {max}"),
                )
            }),
    }
}

/// The feature table of the HTML views: the id and every property.
fn feature_rows(features: &[Value]) -> (Vec<String>, Vec<Vec<String>>) {
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

pub async fn items(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q: OgcItemsQuery = parse(&req, RouteId::OgcItems)?;
    let id = path.into_inner();
    known(&state, &id)?;
    let html = html_wanted(&req, q.f.as_deref())?;
    let need = q.need()?;
    state.data.check_need(&need)?;
    let lang = crate::api::query::layout(&q.lang, &None)?.lang;
    let crs = Crs::parse("crs", q.crs.as_deref())?;
    let bbox_crs = Crs::parse("bbox-crs", q.bbox_crs.as_deref())?;
    // A limit above the maximum is served as the maximum (/req/core/fc-limit-response-1).
    let limit = number("limit", q.limit.as_deref(), DEFAULT_LIMIT, usize::MAX, 1)?.min(MAX_LIMIT);
    let offset = number("offset", q.offset.as_deref(), 0, usize::MAX, 0)?;
    let rd = crate::app::RdConverter::new();
    let rect = q
        .bbox
        .as_deref()
        .map(|b| bbox_wgs84(b, bbox_crs, &rd))
        .transpose()?;
    let b = base(&req);
    let query_string = req.query_string().to_string();
    let collection = id.clone();
    let body = blocking_for(peer_of(&req), &state, move |s| {
        let mut features = all_features(s, &collection, &need, lang)?;
        if let Some(rect) = &rect {
            features.retain(|f| intersects(f, rect));
        }
        let matched = features.len();
        let mut page: Vec<Value> = features.into_iter().skip(offset).take(limit).collect();
        if crs != Crs::Crs84 {
            let rd = crate::app::RdConverter::new();
            for f in &mut page {
                convert(&mut f["geometry"]["coordinates"], &|a, b| {
                    crs.of_wgs84(&rd, a, b)
                });
            }
        }
        let with_f = |f: &str| {
            let mut pairs: Vec<(String, String)> =
                serde_urlencoded::from_str(&query_string).unwrap_or_default();
            pairs.retain(|(k, _)| k != "f");
            pairs.push(("f".into(), f.into()));
            format!(
                "{b}/ogc/collections/{collection}/items?{}",
                serde_urlencoded::to_string(&pairs).unwrap_or_default()
            )
        };
        let (this, other) = if html {
            ("html", "json")
        } else {
            ("json", "html")
        };
        let kind = |f: &str| if f == "html" { "text/html" } else { GEOJSON };
        let mut links = vec![
            link(with_f(this), "self", kind(this), "This page"),
            link(
                with_f(other),
                "alternate",
                kind(other),
                "This page in another format",
            ),
            link(
                format!("{b}/ogc/collections/{collection}"),
                "collection",
                "application/json",
                "The collection",
            ),
        ];
        let with_offset = |o: usize| {
            let mut pairs: Vec<(String, String)> =
                serde_urlencoded::from_str(&query_string).unwrap_or_default();
            pairs.retain(|(k, _)| k != "offset" && k != "limit");
            pairs.push(("limit".into(), limit.to_string()));
            pairs.push(("offset".into(), o.to_string()));
            format!(
                "{b}/ogc/collections/{collection}/items?{}",
                serde_urlencoded::to_string(&pairs).unwrap_or_default()
            )
        };
        if offset + page.len() < matched {
            links.push(link(
                with_offset(offset + limit),
                "next",
                GEOJSON,
                "Next page",
            ));
        }
        if offset > 0 {
            links.push(link(
                with_offset(offset.saturating_sub(limit)),
                "prev",
                GEOJSON,
                "Previous page",
            ));
        }
        Ok(json!({
            "type": "FeatureCollection",
            "numberMatched": matched,
            "numberReturned": page.len(),
            "timeStamp": crate::app::clock::rfc3339_utc(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or(0),
            ),
            "links": links,
            "features": page,
        }))
    })
    .await?;
    if html {
        let features = body["features"].as_array().cloned().unwrap_or_default();
        let (header, rows) = feature_rows(&features);
        let links = body["links"].as_array().cloned().unwrap_or_default();
        return Ok(html_page(
            &format!("{id}: features"),
            &links,
            &rows,
            &header,
        ));
    }
    let mut resp = respond(&req, &Cached::json(&body, GEOJSON)?)?;
    content_crs(&mut resp, crs);
    Ok(resp)
}

fn content_crs(resp: &mut HttpResponse, crs: Crs) {
    if let Ok(v) = header::HeaderValue::from_str(&format!("<{}>", crs.uri())) {
        resp.headers_mut()
            .insert(header::HeaderName::from_static("content-crs"), v);
    }
}

pub async fn item(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q: OgcItemsQuery = parse(&req, RouteId::OgcItem)?;
    let (id, feature_id) = path.into_inner();
    known(&state, &id)?;
    let html = html_wanted(&req, q.f.as_deref())?;
    let crs = Crs::parse("crs", q.crs.as_deref())?;
    let need = q.need()?;
    state.data.check_need(&need)?;
    let lang = crate::api::query::layout(&q.lang, &None)?.lang;
    let b = base(&req);
    let collection = id.clone();
    let wanted = feature_id.clone();
    let feature = blocking_for(peer_of(&req), &state, move |s| {
        let features = all_features(s, &collection, &need, lang)?;
        Ok(features
            .into_iter()
            .find(|f| f["id"].as_str() == Some(wanted.as_str())))
    })
    .await?;
    let Some(mut feature) = feature else {
        return Err(ApiError::NotFound {
            what: "feature",
            id: feature_id,
            parameter: Some("featureId"),
        });
    };
    if crs != Crs::Crs84 {
        let rd = crate::app::RdConverter::new();
        convert(&mut feature["geometry"]["coordinates"], &|a, b| {
            crs.of_wgs84(&rd, a, b)
        });
    }
    feature["links"] = json!([
        link(
            format!("{b}/ogc/collections/{id}/items/{feature_id}?f=json"),
            "self",
            GEOJSON,
            "This feature"
        ),
        link(
            format!("{b}/ogc/collections/{id}/items/{feature_id}?f=html"),
            "alternate",
            "text/html",
            "In HTML"
        ),
        link(
            format!("{b}/ogc/collections/{id}"),
            "collection",
            "application/json",
            "The collection"
        ),
    ]);
    if html {
        let (header, rows) = feature_rows(std::slice::from_ref(&feature));
        let links = feature["links"].as_array().cloned().unwrap_or_default();
        return Ok(html_page(
            &format!("{id}: {feature_id}"),
            &links,
            &rows,
            &header,
        ));
    }
    let mut resp = respond(&req, &Cached::json(&feature, GEOJSON)?)?;
    content_crs(&mut resp, crs);
    Ok(resp)
}

pub async fn schema(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let _: OgcQuery = parse(&req, RouteId::OgcSchema)?;
    let id = path.into_inner();
    known(&state, &id)?;
    let b = base(&req);
    let collection = id.clone();
    let body = blocking_for(peer_of(&req), &state, move |s| {
        let features = all_features(
            s,
            &collection,
            &crate::app::NeedProfile::default(),
            crate::app::LabelLang::Nl,
        )?;
        let mut props = serde_json::Map::new();
        if let Some(first) = features.first().and_then(|f| f["properties"].as_object()) {
            for k in first.keys() {
                let values: Vec<&Value> = features.iter().map(|f| &f["properties"][k]).collect();
                let kind = if values.iter().all(|v| v.is_null()) {
                    "string"
                } else if values.iter().all(|v| v.is_boolean() || v.is_null()) {
                    "boolean"
                } else if values
                    .iter()
                    .all(|v| v.is_i64() || v.is_u64() || v.is_null())
                {
                    "integer"
                } else if values.iter().all(|v| v.is_number() || v.is_null()) {
                    "number"
                } else {
                    "string"
                };
                let mut p = json!({"title": k, "type": kind});
                if k == "status" && collection == "coverage" {
                    let tiers: Vec<&str> = crate::app::CoverageStatus::ALL
                        .iter()
                        .map(|s| s.as_str())
                        .collect();
                    p["enum"] = json!(tiers);
                }
                if k == "code" || (collection == "facilities" && k == "id") {
                    p["x-ogc-role"] = json!("id");
                }
                props.insert(k.clone(), p);
            }
        }
        let geometry = if collection == "facilities" {
            "geometry-point"
        } else {
            "geometry-multipolygon"
        };
        props.insert(
            "geometry".into(),
            json!({"format": geometry, "x-ogc-role": "primary-geometry"}),
        );
        Ok(json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": format!("{b}/ogc/collections/{collection}/schema"),
            "type": "object",
            "title": collection,
            "properties": props,
        }))
    })
    .await?;
    respond(&req, &Cached::json(&body, "application/schema+json")?)
}
