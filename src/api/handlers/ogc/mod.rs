//! OGC API – Features (Part 1 Core with GeoJSON, HTML and OpenAPI 3.0; Part 2 CRS) under
//! `/ogc`, so that QGIS ("Add WFS / OGC API – Features layer") and GDAL (`OAPIF:`) add nabij
//! as a web layer. The collections are the answers the rest of the API gives: `coverage`
//! (municipalities with their tier and figures, for the need parameters of the request),
//! `facilities`, and `regions_<grouping>` (region polygons with the regional figures).
//! EPSG:4258 (ETRS89) is served with WGS84's coordinates: in the Netherlands the two differ by
//! under a metre, below the precision of the boundaries.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use crate::api::cache::{Cached, respond};
use crate::api::openapi::RouteId;
use crate::api::query::{OgcItemsQuery, OgcQuery, parse};
use crate::api::state::{blocking_for, peer_of};
use crate::api::{ApiError, AppState};
use crate::app::report;

mod crs;
pub(crate) mod html;

use crs::{CRS84, Crs, ETRS89, RD_NEW, bbox_wgs84, content_crs, convert, intersects};
use html::{base, feature_rows, html_page, html_wanted, json_or_html, link};

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
            "Municipalities with their tier (status, status_label, status_rank), how close it is to the norm (margin_factor, margin_minutes, fragile) and figures, for the need parameters of the request (default: small-scale facilities within 45 minutes, free-flow times; period=both adds status_peak and robust).".to_string(),
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
        let links = Paging {
            base: &b,
            collection: &collection,
            query: &query_string,
            limit,
            offset,
        }
        .links(html, page.len(), matched);
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

/// Where a page of items sits in its collection: what its links are made of.
struct Paging<'a> {
    base: &'a str,
    collection: &'a str,
    /// The request's query string, repeated in the links.
    query: &'a str,
    limit: usize,
    offset: usize,
}

impl Paging<'_> {
    /// The page's links: itself, itself in the other format, its collection, and the next
    /// and previous pages where there are any (OGC API Features, /req/core/fc-links).
    fn links(&self, html: bool, returned: usize, matched: usize) -> Vec<Value> {
        let (b, collection, query_string) = (self.base, self.collection, self.query);
        let (limit, offset) = (self.limit, self.offset);
        let with_f = |f: &str| {
            let mut pairs: Vec<(String, String)> =
                serde_urlencoded::from_str(query_string).unwrap_or_default();
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
                serde_urlencoded::from_str(query_string).unwrap_or_default();
            pairs.retain(|(k, _)| k != "offset" && k != "limit");
            pairs.push(("limit".into(), limit.to_string()));
            pairs.push(("offset".into(), o.to_string()));
            format!(
                "{b}/ogc/collections/{collection}/items?{}",
                serde_urlencoded::to_string(&pairs).unwrap_or_default()
            )
        };
        if offset + returned < matched {
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
        links
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
