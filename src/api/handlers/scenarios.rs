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
use crate::api::query::{
    AdviceQuery, DiffQuery, NoQuery, PreviewQuery, ScenarioCoverageQuery, ScenarioRegionsQuery,
    ScenariosQuery, parse,
};
use crate::api::state::{blocking, coalesced, peer_of};
use crate::api::{ApiError, AppState};
use crate::app::{AdviceRequest, SavedAnswer, Scenario, Store, report};

pub(crate) fn store_in(state: &AppState) -> Result<&Store, ApiError> {
    state.scenarios.as_ref().ok_or_else(|| {
        ApiError::NotLoaded("this server keeps no scenarios (start it with --database)".into())
    })
}

/// A write must carry the configured bearer token (see [`crate::api::auth`]).
fn authorize(req: &HttpRequest, state: &AppState) -> Result<(), ApiError> {
    crate::api::auth::authorize(req, state.write_token.as_deref(), &state.attempts)
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
    let key = idempotency_key(&req)?;
    let scenario = read_scenario(&req, payload, &state).await?;
    let (saved, replayed) = blocking(&state, move |s| {
        let baseline = s.coverage(&need)?;
        let store = store_in(s)?;
        Ok(s.data
            .save_scenario_once(store, &scenario, &need, Some(&baseline), key.as_deref())?)
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
    let mut resp = HttpResponse::Created();
    resp.insert_header((header::LOCATION, location))
        .insert_header(("Cache-Control", "no-store"));
    if replayed {
        // The first answer to this Idempotency-Key, not a new scenario.
        resp.insert_header(("Idempotent-Replayed", "true"));
    }
    Ok(resp.json(v))
}

/// The request body, read with the scenario's size and time limits, as a checked scenario.
async fn read_scenario(
    req: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
) -> Result<Scenario, ApiError> {
    let body = crate::api::body::read(
        req,
        payload,
        crate::app::scenario::MAX_SCENARIO_BYTES,
        state.body_time,
    )
    .await?;
    scenario_body(&body)
}

/// A request body as a scenario, checked; the error names the line and column.
fn scenario_body(body: &[u8]) -> Result<Scenario, ApiError> {
    let text = std::str::from_utf8(body).map_err(|_| ApiError::bad("body", "is not UTF-8"))?;
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
    Ok(scenario)
}

/// `POST /api/v1/scenarios/preview`: a scenario computed and not saved, so that a planner
/// sees the effect of a change before saving it. No token: it reads, like coverage.
pub async fn preview(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q: PreviewQuery = parse(&req, RouteId::ScenarioPreview)?;
    let need = q.need()?;
    state.data.check_need(&need)?;
    let grouping = q.grouping.clone().unwrap_or_else(|| "jeugdregio".into());
    state.data.check_grouping(&grouping)?;
    let scenario = read_scenario(&req, payload, &state).await?;
    let v = blocking(&state, move |s| {
        let baseline = s.coverage(&need)?;
        let a = s.data.scenario(&scenario, &need, Some(&baseline))?;
        let mut regions =
            serde_json::to_value(s.data.regions(&a.coverage, &grouping)?).unwrap_or_default();
        regions["changes"] = json!(
            a.diff
                .regions
                .iter()
                .filter(|r| r.grouping == grouping)
                .collect::<Vec<_>>()
        );
        let mut diff = serde_json::to_value(&a.diff).unwrap_or_default();
        if let Some(d) = diff.as_object_mut() {
            d.remove("municipalities");
            d.remove("regions");
        }
        Ok(json!({
            "scenario": a.scenario,
            "coverage": report::scenario_geojson(
                &a.coverage,
                &a.diff,
                &s.data.prepared.municipalities,
                &a.scenario.name,
            ),
            "regions": regions,
            "diff": diff,
            "synthetic_roads": a.synthetic_roads,
        }))
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(v))
}

/// The `Idempotency-Key` of a write, if given: at most 200 visible ASCII characters.
fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let mut all = req.headers().get_all("idempotency-key");
    let Some(v) = all.next() else { return Ok(None) };
    let bad = || {
        ApiError::bad(
            "Idempotency-Key",
            "give one key of 1 to 200 visible ASCII characters (e.g. a UUID)",
        )
    };
    if all.next().is_some() {
        return Err(bad());
    }
    let key = v.to_str().map_err(|_| bad())?;
    if key.is_empty() || key.len() > 200 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(bad());
    }
    Ok(Some(key.to_string()))
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
    answered_for(state, req, id, what, None, render).await
}

/// [`answered`], for the need given (the map page's controls) instead of the saved one.
async fn answered_for(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    id: String,
    what: String,
    need: Option<crate::app::NeedProfile>,
    render: impl FnOnce(&AppState, &SavedAnswer) -> Result<Cached, ApiError> + Send + 'static,
) -> Result<Cached, ApiError> {
    let store = store_in(state)?;
    state.data.saved_record(store, &id)?;
    if let Some(n) = &need {
        state.data.check_need(n)?;
    }
    let asked = need
        .as_ref()
        .map(|n| serde_json::to_string(n).unwrap_or_default())
        .unwrap_or_default();
    let key = format!("scenario|{id}|{}|{what}|{asked}", state.data.fingerprint());
    if let Some(hit) = state.cached_body(&key) {
        return Ok(hit);
    }
    let cached = coalesced(state, peer_of(req), key.clone(), move |s| {
        let mut record = s.data.saved_record(store_in(s)?, &id)?;
        if let Some(n) = need {
            record.need = n;
        }
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
    let q: ScenarioCoverageQuery = parse(&req, RouteId::ScenarioCoverage)?;
    let format = crate::api::query::format(&q.format)?;
    let need = q.need_if_given()?;
    let c = answered_for(
        &state,
        &req,
        path.into_inner(),
        format.into(),
        need,
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
    let q: ScenarioRegionsQuery = parse(&req, RouteId::ScenarioRegions)?;
    let need = q.need_if_given()?;
    let grouping = q.grouping.unwrap_or_else(|| "jeugdregio".into());
    state.data.check_grouping(&grouping)?;
    let key = format!("regions:{grouping}");
    let c = answered_for(&state, &req, path.into_inner(), key, need, move |s, a| {
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
    let q: DiffQuery = parse(&req, RouteId::ScenarioDiff)?;
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
    if let Some(other) = q
        .against
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        return compared(&state, &req, path.into_inner(), other.to_string(), csv).await;
    }
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

/// Two saved scenarios compared with each other.
async fn compared(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    id: String,
    against: String,
    csv: bool,
) -> Result<HttpResponse, ApiError> {
    let store = store_in(state)?;
    state.data.saved_record(store, &id)?;
    state
        .data
        .saved_record(store, &against)
        .map_err(|e| match e {
            crate::app::AppError::NotFound { what, id, .. } => crate::app::AppError::NotFound {
                what,
                id,
                parameter: "against",
            },
            other => other,
        })?;
    let key = format!(
        "scenario|{id}|{}|against|{against}|{csv}",
        state.data.fingerprint()
    );
    if let Some(hit) = state.cached_body(&key) {
        return respond(req, &hit);
    }
    let c = coalesced(state, peer_of(req), key.clone(), move |s| {
        let store = store_in(s)?;
        let a = s.data.saved_record(store, &id)?;
        let b = s.data.saved_record(store, &against)?;
        let cmp = s.data.compare_scenarios(&a, &b)?;
        if csv {
            Ok(Cached::new(
                CSV,
                web::Bytes::from(report::scenario_csv(&cmp.diff)),
            ))
        } else {
            Cached::json(&cmp, JSON)
        }
    })
    .await?;
    state.store_body(key, c.clone());
    respond(req, &c)
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
