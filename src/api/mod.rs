//! The HTTP service (actix-web) over the application core (`app`). The whole service is
//! [`configure`]: routes, middleware (panic guard, metrics, CORS, gzip) and state, so that
//! tests build exactly the served app in memory. Handlers (`handlers`) are thin: parse the
//! endpoint's typed query (`query`; every 400 names its parameter), ask the dataset, format.
//! Every `GET` route answers `HEAD` too (GDAL's `/vsicurl/` sends it first), and other
//! methods on a known path get `405` with `Allow`.

pub mod auth;
pub mod body;
pub mod cache;
pub mod error;
pub mod handlers;
pub mod metrics;
pub mod openapi;
pub mod query;
pub mod state;

use std::panic::AssertUnwindSafe;
use std::time::Instant;

use actix_web::dev::Service;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, guard, web};
use futures_util::FutureExt;

pub use error::ApiError;
pub use query::MAX_QUERY_BYTES;
pub use state::AppState;

use handlers::{coverage, facilities, meta, ogc, report, routing, scenarios, web as page};
use openapi::{Methods, RouteId};

async fn not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    // A known path with another method: 405 with the methods it has.
    let path = req.path().to_string();
    let known = openapi::ROUTES.iter().find(|r| path_matches(r.path, &path));
    if let Some(r) = known
        && !r.methods.allows(req.method().as_str())
    {
        let allow = r.methods.allow();
        let mut resp = error::problem(
            actix_web::http::StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            "Method not allowed",
            &format!("{} is not allowed here; use {allow}", req.method()),
            None,
        );
        resp.headers_mut()
            .insert(header::ALLOW, header::HeaderValue::from_static(allow));
        return Ok(resp);
    }
    Err(ApiError::NotFound {
        what: "route",
        id: path,
        parameter: None,
    })
}

/// Whether a concrete path matches a route pattern with `{name}` segments.
fn path_matches(pattern: &str, path: &str) -> bool {
    let (p, q): (Vec<&str>, Vec<&str>) = (pattern.split('/').collect(), path.split('/').collect());
    p.len() == q.len()
        && p.iter()
            .zip(&q)
            .all(|(a, b)| (is_parameter(a) && !b.is_empty()) || a == b)
}

/// A segment of a route template that stands for any value, as `{id}`.
fn is_parameter(segment: &str) -> bool {
    segment.starts_with('{') && segment.ends_with('}')
}

type Data = web::Data<AppState>;

/// Any error response that is not a problem yet (made by a middleware or actix itself) is
/// turned into one, with its status and headers kept.
fn as_problem<B>(
    res: actix_web::dev::ServiceResponse<B>,
) -> actix_web::Result<actix_web::middleware::ErrorHandlerResponse<B>> {
    use actix_web::middleware::ErrorHandlerResponse;
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if is_problem {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let (req, old) = res.into_parts();
    let mut problem = error::problem(
        status,
        "http",
        status.canonical_reason().unwrap_or("Error"),
        &format!("the request was refused: {status}"),
        None,
    );
    for (k, v) in old.headers() {
        if k != header::CONTENT_TYPE && k != header::CONTENT_LENGTH {
            problem.headers_mut().insert(k.clone(), v.clone());
        }
    }
    Ok(ErrorHandlerResponse::Response(
        actix_web::dev::ServiceResponse::new(req, problem)
            .map_into_boxed_body()
            .map_into_right_body(),
    ))
}

/// The last-line guard: a panic in a handler becomes a 500 problem without detail, never a
/// dropped connection. (Work on the blocking pool is guarded by `web::block` itself.)
pub async fn guard<F>(f: F) -> Result<HttpResponse, ApiError>
where
    F: std::future::Future<Output = Result<HttpResponse, ApiError>>,
{
    match AssertUnwindSafe(f).catch_unwind().await {
        Ok(r) => r,
        Err(_) => Err(ApiError::Internal("a handler panicked".into())),
    }
}

/// `GET` and `HEAD` (actix sends no body for `HEAD`, with the `GET` headers).
fn get_or_head() -> actix_web::Route {
    web::route().guard(guard::Any(guard::Get()).or(guard::Head()))
}

/// The actix routes of a route-table entry, one per method.
fn handlers_of(r: &openapi::Route) -> Vec<actix_web::Route> {
    let route = get_or_head();
    let get = match r.id {
        RouteId::Health => route.to(|q: HttpRequest, s: Data| guard(meta::health(q, s))),
        RouteId::Meta => route.to(|q: HttpRequest, s: Data| guard(meta::meta(q, s))),
        RouteId::Coverage => route.to(|q: HttpRequest, s: Data| guard(coverage::coverage(q, s))),
        RouteId::CoverageOne => route.to(|q: HttpRequest, p: web::Path<String>, s: Data| {
            guard(coverage::municipality(q, p, s))
        }),
        RouteId::Regions => route.to(|q: HttpRequest, s: Data| guard(coverage::regions(q, s))),
        RouteId::Facilities => route.to(|q: HttpRequest, s: Data| guard(facilities::list(q, s))),
        RouteId::FacilityOne => route
            .to(|q: HttpRequest, p: web::Path<String>, s: Data| guard(facilities::one(q, p, s))),
        RouteId::TravelTime => {
            route.to(|q: HttpRequest, s: Data| guard(routing::travel_time(q, s)))
        }
        RouteId::Isochrone => route.to(|q: HttpRequest, s: Data| guard(routing::isochrone(q, s))),
        RouteId::Metrics => route.to(|q: HttpRequest, s: Data| guard(meta::metrics(q, s))),
        RouteId::OpenApi => route.to(|q: HttpRequest| guard(meta::openapi_doc(q))),
        RouteId::Matrix => web::post()
            .to(|q: HttpRequest, b: web::Payload, s: Data| guard(routing::matrix(q, b, s))),
        RouteId::Scenarios => route.to(|q: HttpRequest, s: Data| guard(scenarios::list(q, s))),
        RouteId::ScenarioPreview => web::post()
            .to(|q: HttpRequest, b: web::Payload, s: Data| guard(scenarios::preview(q, b, s))),
        RouteId::ScenarioOne => {
            route.to(|q: HttpRequest, p: web::Path<String>, s: Data| guard(scenarios::one(q, p, s)))
        }
        RouteId::ScenarioCoverage => route.to(|q: HttpRequest, p: web::Path<String>, s: Data| {
            guard(scenarios::coverage(q, p, s))
        }),
        RouteId::ScenarioRegions => route
            .to(|q: HttpRequest, p: web::Path<String>, s: Data| guard(scenarios::regions(q, p, s))),
        RouteId::ScenarioDiff => route
            .to(|q: HttpRequest, p: web::Path<String>, s: Data| guard(scenarios::diff(q, p, s))),
        RouteId::Advice => route.to(|q: HttpRequest, s: Data| guard(scenarios::advice(q, s))),
        RouteId::Report => route.to(|q: HttpRequest, s: Data| guard(report::report(q, s))),
        RouteId::ScenarioReport => route.to(|q: HttpRequest, p: web::Path<String>, s: Data| {
            guard(report::scenario_report(q, p, s))
        }),
        RouteId::Page => route.to(|q: HttpRequest, s: Data| guard(page::page(q, s))),
        RouteId::Asset => {
            route.to(|q: HttpRequest, p: web::Path<String>, s: Data| guard(page::asset(q, p, s)))
        }
        RouteId::OgcLanding => route.to(|q: HttpRequest, s: Data| guard(ogc::landing(q, s))),
        RouteId::Problems => route.to(|q: HttpRequest| guard(meta::problems(q))),
        RouteId::OgcConformance => route.to(|q: HttpRequest| guard(ogc::conformance(q))),
        RouteId::OgcCollections => {
            route.to(|q: HttpRequest, s: Data| guard(ogc::collections(q, s)))
        }
        RouteId::OgcCollection => route
            .to(|q: HttpRequest, p: web::Path<String>, s: Data| guard(ogc::collection(q, p, s))),
        RouteId::OgcItems => {
            route.to(|q: HttpRequest, p: web::Path<String>, s: Data| guard(ogc::items(q, p, s)))
        }
        RouteId::OgcItem => route.to(|q: HttpRequest, p: web::Path<(String, String)>, s: Data| {
            guard(ogc::item(q, p, s))
        }),
        RouteId::OgcSchema => {
            route.to(|q: HttpRequest, p: web::Path<String>, s: Data| guard(ogc::schema(q, p, s)))
        }
    };
    let mut out = vec![get];
    match r.methods {
        Methods::GetPost => out.push(
            web::post()
                .to(|q: HttpRequest, b: web::Payload, s: Data| guard(scenarios::create(q, b, s))),
        ),
        Methods::GetDelete => out.push(
            web::delete().to(|q: HttpRequest, p: web::Path<String>, s: Data| {
                guard(scenarios::delete(q, p, s))
            }),
        ),
        Methods::Get | Methods::Post => {}
    }
    out
}

/// The whole service: state, middleware and routes. `HttpServer` and the tests both use it.
pub fn configure(state: web::Data<AppState>) -> impl Fn(&mut web::ServiceConfig) + Clone {
    move |cfg: &mut web::ServiceConfig| {
        let mut scope = web::scope("");
        for r in openapi::ROUTES {
            for route in handlers_of(r) {
                scope = scope.route(r.path, route);
            }
        }
        let scope = scope
            .default_service(web::to(not_found))
            .wrap(actix_web::middleware::Compress::default())
            // Browsers must take every answer for the type it says (no sniffing).
            .wrap(
                actix_web::middleware::DefaultHeaders::new()
                    .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff")),
            )
            .wrap(
                actix_cors::Cors::default()
                    .allow_any_origin()
                    .allowed_methods(["GET", "HEAD", "POST", "DELETE", "OPTIONS"])
                    .allowed_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
                    .expose_headers([header::ETAG, header::LOCATION])
                    .max_age(3600),
            )
            // Errors made by the HTTP layer itself (CORS refusals, extractor failures) become
            // problems too, keeping their headers.
            .wrap(actix_web::middleware::ErrorHandlers::new().default_handler(as_problem))
            // Metrics: outermost, so it sees every response. (The request must not be cloned
            // before the inner call: actix's router needs to own it to record the match.)
            .wrap_fn(|req, srv| {
                let start = Instant::now();
                let state = req.app_data::<web::Data<AppState>>().cloned();
                // In flight until answered; a request dropped at shutdown never counts down,
                // so `serve` can say how many were dropped.
                if let Some(s) = &state
                    && let Ok(mut m) = s.metrics.lock()
                {
                    m.in_flight += 1;
                }
                let fut = srv.call(req);
                async move {
                    let res = fut.await;
                    if let Some(s) = &state
                        && let Ok(mut m) = s.metrics.lock()
                    {
                        m.in_flight = m.in_flight.saturating_sub(1);
                    }
                    let res = res?;
                    if let Some(state) = state {
                        let route = res
                            .request()
                            .match_pattern()
                            .unwrap_or_else(|| "unmatched".into());
                        if let Ok(mut m) = state.metrics.lock() {
                            m.record(&route, res.status().as_u16(), start.elapsed().as_secs_f64());
                        }
                    }
                    Ok::<_, actix_web::Error>(res)
                }
            });
        // Bodies are read by `body::read` (limit and deadline per route); other extractors
        // take at most 16 KB.
        cfg.app_data(state.clone())
            .app_data(web::PayloadConfig::new(16 * 1024))
            .service(scope);
    }
}
