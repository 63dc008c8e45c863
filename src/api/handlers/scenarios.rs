//! `/api/v1/scenarios` (list, create), `/api/v1/scenarios/{id}` (read, delete) with its
//! coverage, regions and diff, and `/api/v1/advice`.
//!
//! Reads are public like the rest of the API; writes need `Authorization: Bearer <token>`
//! with the server's write token, and are off (403, saying so) when none is configured.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use crate::api::cache::{CSV, Cached, GEOJSON, JSON, respond};
use crate::api::openapi::RouteId;
use crate::api::query::{AdviceQuery, FormatQuery, GroupingQuery, NoQuery, ScenariosQuery, parse};
use crate::api::state::{blocking, coalesced, peer_of};
use crate::api::{ApiError, AppState};
use crate::app::{AdviceRequest, SavedAnswer, Scenario, Store, report};

fn store_in(state: &AppState) -> Result<&Store, ApiError> {
    state.scenarios.as_ref().ok_or_else(|| {
        ApiError::NotLoaded("this server keeps no scenarios (start it with --database)".into())
    })
}

/// Equal in time independent of where the strings differ.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A write must carry the configured bearer token.
fn authorize(req: &HttpRequest, state: &AppState) -> Result<(), ApiError> {
    let Some(token) = state.write_token.as_deref() else {
        return Err(ApiError::Forbidden(
            "writes are off on this server: start it with --write-token (or NABIJ_WRITE_TOKEN) to allow them".into(),
        ));
    };
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or(ApiError::Unauthorized)?;
    let Some(bearer) = given
        .strip_prefix("Bearer ")
        .or_else(|| given.strip_prefix("bearer "))
    else {
        return Err(ApiError::Unauthorized);
    };
    if same_secret(bearer.trim().as_bytes(), token.as_bytes()) {
        Ok(())
    } else {
        Err(ApiError::Forbidden("the write token is wrong".into()))
    }
}

fn links(id: &str) -> serde_json::Value {
    let base = format!("/api/v1/scenarios/{id}");
    json!({
        "self": base,
        "coverage": format!("{base}/coverage"),
        "regions": format!("{base}/regions"),
        "diff": format!("{base}/diff"),
    })
}

/// The JSON of a saved scenario: its record, links and the diff summary.
fn saved_json(a: &SavedAnswer) -> serde_json::Value {
    let mut v = serde_json::to_value(a).unwrap_or_default();
    v["links"] = links(&a.id);
    v
}

pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    // The route's query parameters are those of POST; a list takes none.
    if !req.query_string().is_empty() {
        return Err(ApiError::bad(
            "query",
            "the list takes no parameters (the need parameters belong to POST)",
        ));
    }
    let store = store_in(&state)?;
    let list = store.list().map_err(crate::app::AppError::from)?;
    let items: Vec<serde_json::Value> = list
        .into_iter()
        .map(|l| {
            let mut v = serde_json::to_value(&l).unwrap_or_default();
            v["links"] = links(&l.id);
            v
        })
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(json!({"scenarios": items, "baseline": state.data.fingerprint()})))
}

/// Reads a body up to `limit` bytes (the token is checked before the body is read).
async fn read_body(mut payload: web::Payload, limit: usize) -> Result<web::BytesMut, ApiError> {
    use futures_util::StreamExt;
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::bad("body", e.to_string()))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::BodyTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

pub async fn create(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state)?;
    store_in(&state)?;
    let q: ScenariosQuery = parse(&req, RouteId::Scenarios)?;
    let need = q.need()?;
    state.data.check_need(&need)?;
    let body = read_body(payload, crate::app::scenario::MAX_SCENARIO_BYTES).await?;
    let text = std::str::from_utf8(&body).map_err(|_| ApiError::bad("body", "is not UTF-8"))?;
    let scenario: Scenario = serde_json::from_str(text).map_err(|e| {
        ApiError::bad(
            "body",
            format!(
                "not a scenario (line {}, column {}): {e}",
                e.line(),
                e.column()
            ),
        )
    })?;
    scenario.validate().map_err(crate::app::AppError::from)?;
    let saved = blocking(&state, move |s| {
        let baseline = s.coverage(&need)?;
        let store = store_in(s)?;
        Ok(s.data
            .save_scenario(store, &scenario, &need, Some(&baseline))?)
    })
    .await?;
    let location = format!("/api/v1/scenarios/{}", saved.id);
    let mut v = saved_json(&saved);
    // The 201 carries the summary, not every municipality (that is at the links).
    if let Some(d) = v.get_mut("diff").and_then(|d| d.as_object_mut()) {
        d.remove("municipalities");
        d.remove("regions");
    }
    v["changed_municipalities"] = json!(
        saved
            .answer
            .diff
            .changed()
            .map(|m| json!({"code": m.code, "name": m.name, "status_before": m.status_before, "status_after": m.status_after}))
            .collect::<Vec<_>>()
    );
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .insert_header(("Cache-Control", "no-store"))
        .json(v))
}

/// The saved scenario answered against the loaded data, cached per id and format (a
/// scenario never changes; a deleted one is checked for before the cache is asked).
async fn answered(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    id: String,
    what: String,
    render: impl FnOnce(&AppState, &SavedAnswer) -> Result<Cached, ApiError> + Send + 'static,
) -> Result<Cached, ApiError> {
    let store = store_in(state)?;
    state.data.saved_record(store, &id)?;
    let key = format!("scenario|{id}|{}|{what}", state.data.fingerprint());
    if let Some(hit) = state.cached_body(&key) {
        return Ok(hit);
    }
    let cached = coalesced(state, peer_of(req), key.clone(), move |s| {
        let record = s.data.saved_record(store_in(s)?, &id)?;
        let baseline = s.coverage(&record.need)?;
        let a = s.data.saved_scenario(record, Some(&baseline))?;
        render(s, &a)
    })
    .await?;
    state.store_body(key, cached.clone());
    Ok(cached)
}

pub async fn one(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    parse::<NoQuery>(&req, RouteId::ScenarioOne)?;
    let c = answered(&state, &req, path.into_inner(), "json".into(), |_, a| {
        Cached::json(&saved_json(a), JSON)
    })
    .await?;
    respond(&req, &c)
}

pub async fn delete(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state)?;
    let store = store_in(&state)?;
    let id = path.into_inner();
    state.data.saved_record(store, &id)?;
    let s = state.clone();
    let deleted = blocking(&state, move |_| {
        let store = store_in(&s)?;
        Ok(store.delete(&id).map_err(crate::app::AppError::from)?)
    })
    .await?;
    if deleted {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::NotFound {
            what: "scenario",
            id: String::new(),
            parameter: Some("id"),
        })
    }
}

pub async fn coverage(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q: FormatQuery = parse(&req, RouteId::ScenarioCoverage)?;
    let format = crate::api::query::format(&q.format)?;
    let c = answered(
        &state,
        &req,
        path.into_inner(),
        format.into(),
        move |s, a| {
            let r = &a.answer;
            match format {
                "csv" => Ok(Cached::new(
                    CSV,
                    web::Bytes::from(report::to_csv(&r.coverage)),
                )),
                "json" => {
                    let mut v = report::to_json(&r.coverage);
                    v["scenario"] = json!(r.scenario);
                    v["diff"] = json!(r.diff);
                    Cached::json(&v, JSON)
                }
                _ => Cached::json(
                    &report::scenario_geojson(
                        &r.coverage,
                        &r.diff,
                        &s.data.prepared.municipalities,
                        &r.scenario.name,
                    ),
                    GEOJSON,
                ),
            }
        },
    )
    .await?;
    respond(&req, &c)
}

pub async fn regions(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q: GroupingQuery = parse(&req, RouteId::ScenarioRegions)?;
    let grouping = q.grouping.unwrap_or_else(|| "jeugdregio".into());
    state.data.check_grouping(&grouping)?;
    let key = format!("regions:{grouping}");
    let c = answered(&state, &req, path.into_inner(), key, move |s, a| {
        let mut v = serde_json::to_value(s.data.regions(&a.answer.coverage, &grouping)?)
            .unwrap_or_default();
        v["scenario"] = json!({"id": a.id, "name": a.answer.scenario.name});
        v["changes"] = json!(
            a.answer
                .diff
                .regions
                .iter()
                .filter(|r| r.grouping == grouping)
                .collect::<Vec<_>>()
        );
        Cached::json(&v, JSON)
    })
    .await?;
    respond(&req, &c)
}

pub async fn diff(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q: FormatQuery = parse(&req, RouteId::ScenarioDiff)?;
    let csv = match q.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(ApiError::bad(
                "format",
                format!("{other:?}: use json or csv"),
            ));
        }
    };
    let c = answered(
        &state,
        &req,
        path.into_inner(),
        if csv { "diff-csv" } else { "diff-json" }.into(),
        move |_, a| {
            if csv {
                Ok(Cached::new(
                    CSV,
                    web::Bytes::from(report::scenario_csv(&a.answer.diff)),
                ))
            } else {
                Cached::json(
                    &json!({"id": a.id, "scenario": a.answer.scenario, "need": a.answer.need, "baseline_changed": a.baseline_changed, "diff": a.answer.diff, "synthetic_roads": a.answer.synthetic_roads}),
                    JSON,
                )
            }
        },
    )
    .await?;
    respond(&req, &c)
}

pub async fn advice(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q: AdviceQuery = parse(&req, RouteId::Advice)?;
    let need = q.need()?;
    state.data.check_need(&need)?;
    let request = AdviceRequest {
        need,
        add: q.add()?,
        region: q.region.clone(),
        objective: q.objective()?,
        candidates: None,
        kind: q.unit_type.clone(),
        places: q.places()?,
    };
    let key = format!(
        "advice|{}|{}|{:?}|{}|{:?}|{:?}",
        serde_json::to_string(&request.need).unwrap_or_default(),
        request.add,
        request.region,
        request.objective.as_str(),
        request.kind,
        request.places
    );
    if let Some(hit) = state.cached_body(&key) {
        return respond(&req, &hit);
    }
    let c = coalesced(&state, peer_of(&req), key.clone(), move |s| {
        let a = s.data.advise(&request, &crate::app::Progress::hidden())?;
        Cached::json(&a, JSON)
    })
    .await?;
    state.store_body(key, c.clone());
    respond(&req, &c)
}
