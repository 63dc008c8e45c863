//! The HTTP service (actix-web). The whole service is [`configure`]: routes, middleware
//! (panic guard, metrics, CORS, gzip) and state, so that tests build exactly the served app in
//! memory. Handlers are thin: parse and validate the query (every 400 names its parameter),
//! then run the computation on the blocking pool with a pooled [`Workspace`], under a timeout.

pub mod error;
pub mod openapi;

use std::collections::{BTreeMap, HashMap};
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::dev::Service;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::FutureExt;
use serde_json::json;

pub use error::ApiError;

use crate::analysis::coverage::CoverageResult;
use crate::analysis::{NeedProfile, Prepared, report};
use crate::routing::{Direction, Engine, Workspace};

/// Longest query string accepted.
pub const MAX_QUERY_BYTES: usize = 2048;

/// A formatted, cached response body, with its gzip form made once on first demand (so
/// cached answers are not compressed again for every client that accepts gzip).
#[derive(Debug, Clone)]
pub struct Cached {
    pub content_type: &'static str,
    pub body: web::Bytes,
    pub etag: String,
    gzip: Arc<std::sync::OnceLock<web::Bytes>>,
}

impl Cached {
    pub fn new(content_type: &'static str, body: web::Bytes) -> Self {
        Cached {
            content_type,
            etag: etag_of(&body),
            body,
            gzip: Arc::new(std::sync::OnceLock::new()),
        }
    }

    fn gzipped(&self) -> web::Bytes {
        self.gzip
            .get_or_init(|| {
                use std::io::Write;
                let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                let _ = z.write_all(&self.body);
                web::Bytes::from(z.finish().unwrap_or_default())
            })
            .clone()
    }
}

/// A small bounded least-recently-used cache.
pub struct Lru<V: Clone> {
    map: HashMap<String, (V, u64)>,
    tick: u64,
    capacity: usize,
}

impl<V: Clone> Lru<V> {
    pub fn new(capacity: usize) -> Self {
        Lru {
            map: HashMap::new(),
            tick: 0,
            capacity: capacity.max(1),
        }
    }
    pub fn get(&mut self, key: &str) -> Option<V> {
        self.tick += 1;
        let t = self.tick;
        self.map.get_mut(key).map(|e| {
            e.1 = t;
            e.0.clone()
        })
    }
    pub fn put(&mut self, key: String, value: V) {
        self.tick += 1;
        if self.map.len() >= self.capacity
            && !self.map.contains_key(&key)
            && let Some(oldest) = self.map.iter().min_by_key(|e| e.1.1).map(|e| e.0.clone())
        {
            self.map.remove(&oldest);
        }
        self.map.insert(key, (value, self.tick));
    }
    pub fn len(&self) -> usize {
        self.map.len()
    }
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// Request counters and latency histograms for `/metrics`.
#[derive(Default)]
pub struct Metrics {
    requests: BTreeMap<(String, u16), u64>,
    latency: BTreeMap<String, ([u64; LATENCY_BUCKETS.len()], u64, f64)>,
    pub cache_hits: u64,
    pub cache_misses: u64,
}

const LATENCY_BUCKETS: [f64; 11] = [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

impl Metrics {
    fn record(&mut self, route: &str, status: u16, seconds: f64) {
        *self
            .requests
            .entry((route.to_string(), status))
            .or_default() += 1;
        let e =
            self.latency
                .entry(route.to_string())
                .or_insert(([0; LATENCY_BUCKETS.len()], 0, 0.0));
        for (i, b) in LATENCY_BUCKETS.iter().enumerate() {
            if seconds <= *b {
                e.0[i] += 1;
            }
        }
        e.1 += 1;
        e.2 += seconds;
    }

    /// Prometheus text exposition format.
    pub fn render(&self) -> String {
        let mut s = String::new();
        s.push_str("# HELP nabij_requests_total HTTP requests by route and status.\n# TYPE nabij_requests_total counter\n");
        for ((route, status), n) in &self.requests {
            s.push_str(&format!(
                "nabij_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}\n"
            ));
        }
        s.push_str("# HELP nabij_request_seconds Request latency by route.\n# TYPE nabij_request_seconds histogram\n");
        for (route, (buckets, count, sum)) in &self.latency {
            for (i, b) in LATENCY_BUCKETS.iter().enumerate() {
                s.push_str(&format!(
                    "nabij_request_seconds_bucket{{route=\"{route}\",le=\"{b}\"}} {}\n",
                    buckets[i]
                ));
            }
            s.push_str(&format!(
                "nabij_request_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {count}\n"
            ));
            s.push_str(&format!(
                "nabij_request_seconds_sum{{route=\"{route}\"}} {sum}\n"
            ));
            s.push_str(&format!(
                "nabij_request_seconds_count{{route=\"{route}\"}} {count}\n"
            ));
        }
        s.push_str("# HELP nabij_cache_hits_total Answers served from the cache.\n# TYPE nabij_cache_hits_total counter\n");
        s.push_str(&format!("nabij_cache_hits_total {}\n", self.cache_hits));
        s.push_str("# HELP nabij_cache_misses_total Answers computed.\n# TYPE nabij_cache_misses_total counter\n");
        s.push_str(&format!("nabij_cache_misses_total {}\n", self.cache_misses));
        s
    }
}

/// What the service knows about where its data came from.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Sources {
    pub graph: String,
    pub municipalities: String,
    pub facilities: String,
    /// Modification time of the graph file (its build date), RFC 3339, if known.
    pub graph_built: Option<String>,
}

/// Everything the handlers share.
pub struct AppState {
    pub engine: Engine,
    pub prepared: Prepared,
    pub sources: Sources,
    pub results: Mutex<Lru<Arc<CoverageResult>>>,
    pub bodies: Mutex<Lru<Cached>>,
    pub metrics: Mutex<Metrics>,
    workspaces: Mutex<Vec<Workspace>>,
    pub compute_timeout: Duration,
}

impl AppState {
    pub fn new(engine: Engine, prepared: Prepared, sources: Sources) -> Self {
        AppState {
            engine,
            prepared,
            sources,
            results: Mutex::new(Lru::new(64)),
            bodies: Mutex::new(Lru::new(256)),
            metrics: Mutex::new(Metrics::default()),
            workspaces: Mutex::new(Vec::new()),
            compute_timeout: Duration::from_secs(60),
        }
    }

    /// Runs `f` with a workspace from the pool (created on first use, returned afterwards).
    pub fn with_workspace<T>(&self, f: impl FnOnce(&mut Workspace) -> T) -> T {
        let mut ws = self
            .workspaces
            .lock()
            .ok()
            .and_then(|mut p| p.pop())
            .unwrap_or_else(|| Workspace::new(self.engine.graph.node_count()));
        let out = f(&mut ws);
        if let Ok(mut p) = self.workspaces.lock() {
            p.push(ws);
        }
        out
    }

    /// The coverage answer for a need profile, from the cache or computed.
    pub fn coverage(&self, need: &NeedProfile) -> Arc<CoverageResult> {
        let key = serde_json::to_string(need).unwrap_or_default();
        if let Some(hit) = self.results.lock().ok().and_then(|mut c| c.get(&key)) {
            return hit;
        }
        let result =
            Arc::new(self.with_workspace(|ws| self.prepared.coverage(&self.engine, ws, need)));
        if let Ok(mut c) = self.results.lock() {
            c.put(key, result.clone());
        }
        result
    }
}

/// Runs blocking work off the async executor, under the state's timeout.
async fn blocking<T: Send + 'static>(
    state: &web::Data<AppState>,
    f: impl FnOnce(&AppState) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let s = state.clone();
    let timeout = state.compute_timeout;
    let job = web::block(move || f(&s));
    match actix_web::rt::time::timeout(timeout, job).await {
        Err(_) => Err(ApiError::Timeout {
            seconds: timeout.as_secs(),
        }),
        Ok(Err(e)) => Err(ApiError::Internal(format!("blocking task failed: {e}"))),
        Ok(Ok(r)) => r,
    }
}

// ---------- query parsing ----------

/// Query parameters, checked against the names a route accepts.
pub struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    fn parse(req: &HttpRequest, allowed: &[&str]) -> Result<Self, ApiError> {
        let qs = req.query_string();
        if qs.len() > MAX_QUERY_BYTES {
            return Err(ApiError::QueryTooLong {
                limit: MAX_QUERY_BYTES,
            });
        }
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(qs)
            .map_err(|e| ApiError::bad("query", format!("cannot be decoded: {e}")))?;
        for (k, _) in &pairs {
            if !allowed.contains(&k.as_str()) {
                return Err(ApiError::bad(
                    k,
                    format!(
                        "unknown parameter; this endpoint takes {}",
                        allowed.join(", ")
                    ),
                ));
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for (k, _) in &pairs {
            if !seen.insert(k) {
                return Err(ApiError::bad(k, "given more than once"));
            }
        }
        Ok(Query { pairs })
    }

    fn get(&self, k: &str) -> Option<&str> {
        self.pairs.iter().find(|p| p.0 == k).map(|p| p.1.as_str())
    }

    fn number(&self, k: &str, lo: f64, hi: f64) -> Result<Option<f64>, ApiError> {
        match self.get(k) {
            None => Ok(None),
            Some(v) => {
                let x: f64 = v
                    .trim()
                    .parse()
                    .map_err(|_| ApiError::bad(k, format!("{v:?} is not a number")))?;
                if !(x.is_finite() && x >= lo && x <= hi) {
                    return Err(ApiError::bad(
                        k,
                        format!("{x} is out of range ({lo} to {hi})"),
                    ));
                }
                Ok(Some(x))
            }
        }
    }

    fn lonlat(&self, k: &str) -> Result<(f64, f64), ApiError> {
        let v = self
            .get(k)
            .ok_or_else(|| ApiError::bad(k, "is required (LON,LAT in WGS84)"))?;
        crate::spatial::parse_lonlat(v).map_err(|e| ApiError::bad(k, e))
    }
}

const NEED_PARAMS: [&str; 7] = [
    "minutes",
    "type",
    "age",
    "min_free_places",
    "status",
    "direction",
    "format",
];

fn need_from(q: &Query, state: &AppState) -> Result<NeedProfile, ApiError> {
    let mut need = NeedProfile::default();
    if let Some(m) = q.number("minutes", 1.0, 240.0)? {
        need.limit_minutes = m;
    }
    if let Some(t) = q.get("type") {
        let known: std::collections::BTreeSet<&str> = state
            .prepared
            .facilities
            .iter()
            .map(|f| f.kind.as_str())
            .collect();
        let types: Vec<String> = t
            .split(',')
            .map(|s| s.trim().to_ascii_lowercase())
            .filter(|s| !s.is_empty())
            .collect();
        for ty in &types {
            if !known.contains(ty.as_str()) {
                return Err(ApiError::bad(
                    "type",
                    format!(
                        "unknown facility type {ty:?}; known: {}",
                        known.iter().copied().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
        }
        need.types = types;
    }
    need.age = q.number("age", 0.0, 30.0)?;
    if let Some(p) = q.number("min_free_places", 0.0, 1000.0)? {
        need.min_free_places = p;
    }
    match q.get("status") {
        None | Some("active") => {}
        Some("active,planned") | Some("planned,active") | Some("planned") => {
            need.include_planned = true
        }
        Some(other) => {
            return Err(ApiError::bad(
                "status",
                format!("{other:?}: use active or active,planned"),
            ));
        }
    }
    match q.get("direction") {
        None | Some("to") => need.direction = Direction::To,
        Some("from") => need.direction = Direction::From,
        Some(other) => {
            return Err(ApiError::bad(
                "direction",
                format!("{other:?}: use to or from"),
            ));
        }
    }
    need.validate()
        .map_err(|e| ApiError::bad("minutes", e.to_string()))?;
    Ok(need)
}

// ---------- responses ----------

fn etag_of(body: &[u8]) -> String {
    format!("\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(body))
}

/// A response with an ETag, or 304 when the client has it already.
fn respond(req: &HttpRequest, c: &Cached) -> HttpResponse {
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == c.etag || t.trim() == "*"));
    if matches {
        return HttpResponse::NotModified()
            .insert_header((header::ETAG, c.etag.clone()))
            .finish();
    }
    let gzip = c.body.len() > 1024
        && req
            .headers()
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(',')
                    .any(|e| e.trim().split(';').next() == Some("gzip"))
            });
    let mut resp = HttpResponse::Ok();
    resp.content_type(c.content_type)
        .insert_header((header::ETAG, c.etag.clone()))
        .insert_header((header::CACHE_CONTROL, "public, max-age=60"))
        .insert_header((header::VARY, "Accept-Encoding"));
    if gzip {
        // Already compressed: the Compress middleware passes responses with an encoding through.
        resp.insert_header((header::CONTENT_ENCODING, "gzip"))
            .body(c.gzipped())
    } else {
        resp.body(c.body.clone())
    }
}

fn json_body(v: &serde_json::Value, content_type: &'static str) -> Cached {
    Cached::new(content_type, web::Bytes::from(v.to_string()))
}

const GEOJSON: &str = "application/geo+json";
const JSON: &str = "application/json";

// ---------- handlers ----------

async fn health(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "status": "ok",
        "graph_loaded": state.engine.graph.node_count() > 0,
        "municipalities": state.prepared.municipalities.len(),
    }))
}

async fn meta(state: web::Data<AppState>) -> HttpResponse {
    let g = &state.engine.graph;
    HttpResponse::Ok().json(json!({
        "service": "nabij",
        "version": env!("CARGO_PKG_VERSION"),
        "synthetic_roads": g.meta.synthetic_roads,
        "sources": state.sources,
        "graph": {
            "source_file": g.meta.source_file,
            "source_xxh3": g.meta.source_xxh3,
            "profile": g.meta.profile_name,
            "profile_hash": g.meta.profile_hash,
            "nodes": g.node_count(),
            "edges": g.edge_count(),
            "road_km": g.meta.stats.road_km,
            "bbox": g.meta.bbox,
        },
        "municipalities": state.prepared.municipalities.len(),
        "facilities": state.prepared.facilities.len(),
        "origins": state.prepared.origin_kind,
        "attribution": "© OpenStreetMap contributors (ODbL); Bron: CBS, Kadaster (CC-BY 4.0)",
    }))
}

async fn coverage(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let q = Query::parse(&req, &NEED_PARAMS)?;
    let need = need_from(&q, &state)?;
    let format = q.get("format").unwrap_or("geojson").to_string();
    if !["geojson", "csv", "json"].contains(&format.as_str()) {
        return Err(ApiError::bad(
            "format",
            format!("{format:?}: use geojson, csv or json"),
        ));
    }
    let key = format!(
        "coverage|{}|{format}",
        serde_json::to_string(&need).unwrap_or_default()
    );
    if let Some(hit) = state.bodies.lock().ok().and_then(|mut c| c.get(&key)) {
        if let Ok(mut m) = state.metrics.lock() {
            m.cache_hits += 1;
        }
        return Ok(respond(&req, &hit));
    }
    if let Ok(mut m) = state.metrics.lock() {
        m.cache_misses += 1;
    }
    let cached = blocking(&state, move |s| {
        let r = s.coverage(&need);
        Ok(match format.as_str() {
            "csv" => Cached::new(
                "text/csv; charset=utf-8",
                web::Bytes::from(report::to_csv(&r)),
            ),
            "json" => json_body(&report::to_json(&r), JSON),
            _ => json_body(&report::to_geojson(&r, &s.prepared.municipalities), GEOJSON),
        })
    })
    .await?;
    if let Ok(mut c) = state.bodies.lock() {
        c.put(key, cached.clone());
    }
    Ok(respond(&req, &cached))
}

async fn coverage_one(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q = Query::parse(&req, &NEED_PARAMS[..6])?;
    let need = need_from(&q, &state)?;
    let code = path.into_inner();
    let Some(m) = state
        .prepared
        .municipalities
        .iter()
        .position(|x| x.code.eq_ignore_ascii_case(&code))
    else {
        return Err(ApiError::NotFound {
            what: "municipality",
            id: code,
            parameter: Some("code"),
        });
    };
    let body = blocking(&state, move |s| {
        let r = s.coverage(&need);
        let muni = &r.municipalities[m];
        // The nearest suitable facilities of the representative point, by travel time.
        let mut nearest: Vec<serde_json::Value> = Vec::new();
        if let Ok(rep) = &s.prepared.representative_snaps[m] {
            // Home → facility (`to`) is a forward search from the home; `from` the reverse.
            let search_dir = match need.direction {
                Direction::To => Direction::From,
                Direction::From => Direction::To,
            };
            let budget = need.limit_ms().saturating_mul(4);
            let mut times: Vec<(u32, usize)> = s.with_workspace(|ws| {
                ws.run(&s.engine.graph, &s.engine.seeds(rep, 0, search_dir), budget, search_dir);
                r.suitable_facilities
                    .iter()
                    .filter_map(|id| s.prepared.facilities.iter().position(|f| &f.id == id))
                    .filter_map(|f| {
                        let fs = s.prepared.facility_snaps[f].as_ref().ok()?;
                        s.engine.time_at(ws, fs, search_dir).map(|t| (t.0, f))
                    })
                    .collect()
            });
            times.sort();
            for (t, f) in times.into_iter().take(10) {
                let fac = &s.prepared.facilities[f];
                nearest.push(json!({"id": fac.id, "name": fac.name, "type": fac.kind, "minutes": (t as f64 / 6_000.0).round() / 10.0, "within_limit": t <= need.limit_ms()}));
            }
        }
        Ok(json_body(&json!({"municipality": muni, "nearest_facilities": nearest, "need": need, "synthetic_roads": r.synthetic_roads}), JSON))
    })
    .await?;
    Ok(respond(&req, &body))
}

async fn regions(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let mut allowed: Vec<&str> = NEED_PARAMS[..6].to_vec();
    allowed.push("grouping");
    let q = Query::parse(&req, &allowed)?;
    let need = need_from(&q, &state)?;
    let grouping = q.get("grouping").unwrap_or("jeugdregio").to_string();
    let known: std::collections::BTreeSet<String> = state
        .prepared
        .municipalities
        .iter()
        .flat_map(|m| m.regions.keys().cloned())
        .collect();
    if !known.contains(&grouping) {
        return Err(ApiError::bad(
            "grouping",
            format!(
                "unknown grouping {grouping:?}; known: {}",
                known.into_iter().collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    let body = blocking(&state, move |s| {
        let r = s.coverage(&need);
        let regions: Vec<_> = r.regions.iter().filter(|x| x.grouping == grouping).collect();
        Ok(json_body(&json!({"grouping": grouping, "need": need, "national": r.national, "regions": regions, "synthetic_roads": r.synthetic_roads}), JSON))
    })
    .await?;
    Ok(respond(&req, &body))
}

fn facility_feature(
    f: &crate::analysis::Facility,
    municipality: Option<&str>,
) -> serde_json::Value {
    let mut props = serde_json::to_value(f).unwrap_or(json!({}));
    if let Some(o) = props.as_object_mut() {
        o.remove("lon");
        o.remove("lat");
        o.insert("municipality".into(), json!(municipality));
    }
    json!({"type": "Feature", "id": f.id, "properties": props, "geometry": {"type": "Point", "coordinates": [f.lon, f.lat]}})
}

async fn facilities(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q = Query::parse(&req, &["type", "status"])?;
    let status = match q.get("status") {
        None => None,
        Some(s) => Some(match s {
            "active" => crate::analysis::inputs::Status::Active,
            "planned" => crate::analysis::inputs::Status::Planned,
            "closed" => crate::analysis::inputs::Status::Closed,
            other => {
                return Err(ApiError::bad(
                    "status",
                    format!("{other:?}: use active, planned or closed"),
                ));
            }
        }),
    };
    let ty = q.get("type").map(|t| t.to_ascii_lowercase());
    let p = &state.prepared;
    let features: Vec<_> = p
        .facilities
        .iter()
        .enumerate()
        .filter(|(_, f)| {
            status.is_none_or(|s| f.status == s) && ty.as_ref().is_none_or(|t| &f.kind == t)
        })
        .map(|(i, f)| {
            facility_feature(
                f,
                p.facility_municipality[i].map(|m| p.municipalities[m].code.as_str()),
            )
        })
        .collect();
    Ok(respond(
        &req,
        &json_body(
            &json!({"type": "FeatureCollection", "features": features}),
            GEOJSON,
        ),
    ))
}

async fn facility_one(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    Query::parse(&req, &[])?;
    let id = path.into_inner();
    let p = &state.prepared;
    let Some(i) = p.facilities.iter().position(|f| f.id == id) else {
        return Err(ApiError::NotFound {
            what: "facility",
            id,
            parameter: Some("id"),
        });
    };
    let feature = facility_feature(
        &p.facilities[i],
        p.facility_municipality[i].map(|m| p.municipalities[m].code.as_str()),
    );
    Ok(respond(&req, &json_body(&feature, GEOJSON)))
}

async fn travel_time(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q = Query::parse(&req, &["from", "to"])?;
    let (from, to) = (q.lonlat("from")?, q.lonlat("to")?);
    let body = blocking(&state, move |s| {
        let route = s
            .with_workspace(|ws| s.engine.route(ws, from, to))
            .map_err(|e| match e {
                crate::routing::RoutingError::Snap { which, error } => ApiError::Unroutable {
                    parameter: which,
                    detail: error.to_string(),
                },
                other => ApiError::Unroutable {
                    parameter: "to".into(),
                    detail: other.to_string(),
                },
            })?;
        Ok(json_body(
            &json!({
                "seconds": (route.time_ms as f64 / 100.0).round() / 10.0,
                "minutes": (route.time_ms as f64 / 6_000.0).round() / 10.0,
                "meters": route.length_m.round(),
                "from_snap_m": (route.from.distance_m * 10.0).round() / 10.0,
                "to_snap_m": (route.to.distance_m * 10.0).round() / 10.0,
                "synthetic_roads": s.engine.graph.meta.synthetic_roads,
            }),
            JSON,
        ))
    })
    .await?;
    Ok(respond(&req, &body))
}

async fn isochrone(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let q = Query::parse(&req, &["facility", "minutes", "direction"])?;
    let minutes = q
        .number("minutes", 1.0, 120.0)?
        .ok_or_else(|| ApiError::bad("minutes", "is required (1 to 120)"))?;
    let direction = match q.get("direction") {
        None | Some("from") => Direction::From,
        Some("to") => Direction::To,
        Some(o) => return Err(ApiError::bad("direction", format!("{o:?}: use from or to"))),
    };
    let spec = q
        .get("facility")
        .ok_or_else(|| ApiError::bad("facility", "is required (a facility id or LON,LAT)"))?
        .to_string();
    let p = &state.prepared;
    let snap = if let Some(i) = p.facilities.iter().position(|f| f.id == spec) {
        p.facility_snaps[i]
            .clone()
            .map_err(|e| ApiError::Unroutable {
                parameter: "facility".into(),
                detail: e.to_string(),
            })?
    } else if spec.contains(',') {
        let (lon, lat) =
            crate::spatial::parse_lonlat(&spec).map_err(|e| ApiError::bad("facility", e))?;
        state
            .engine
            .snap(lon, lat)
            .map_err(|e| ApiError::Unroutable {
                parameter: "facility".into(),
                detail: e.to_string(),
            })?
    } else {
        return Err(ApiError::bad(
            "facility",
            format!("{spec:?} is neither a facility id nor LON,LAT"),
        ));
    };
    let body = blocking(&state, move |s| {
        let iso = s.with_workspace(|ws| s.engine.isochrone(ws, &[snap], (minutes * 60_000.0) as u32, direction, 200.0));
        let props = json!({"facility": spec, "minutes": minutes, "direction": direction, "cell_m": iso.cell_m, "synthetic_roads": s.engine.graph.meta.synthetic_roads});
        let feature = json!({"type": "Feature", "properties": props, "geometry": geojson::Geometry::from(&iso.polygon)});
        Ok(json_body(&json!({"type": "FeatureCollection", "features": [feature]}), GEOJSON))
    })
    .await?;
    Ok(respond(&req, &body))
}

async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let text = state.metrics.lock().map(|m| m.render()).unwrap_or_default();
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(text)
}

async fn openapi_doc() -> HttpResponse {
    HttpResponse::Ok()
        .content_type(JSON)
        .body(openapi::document().to_string())
}

async fn not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound {
        what: "route",
        id: req.path().to_string(),
        parameter: None,
    })
}

type Data = web::Data<AppState>;

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

/// The whole service: state, middleware and routes. `HttpServer` and the tests both use it.
pub fn configure(state: web::Data<AppState>) -> impl Fn(&mut web::ServiceConfig) + Clone {
    move |cfg: &mut web::ServiceConfig| {
        let mut scope = web::scope("");
        for r in openapi::ROUTES {
            scope = match r.id {
                openapi::RouteId::Health => scope.route(
                    r.path,
                    web::get().to(|s: Data| guard(async move { Ok(health(s).await) })),
                ),
                openapi::RouteId::Meta => scope.route(
                    r.path,
                    web::get().to(|s: Data| guard(async move { Ok(meta(s).await) })),
                ),
                openapi::RouteId::Coverage => scope.route(
                    r.path,
                    web::get().to(|q: HttpRequest, s: Data| guard(coverage(q, s))),
                ),
                openapi::RouteId::CoverageOne => scope.route(
                    r.path,
                    web::get().to(|q: HttpRequest, p: web::Path<String>, s: Data| {
                        guard(coverage_one(q, p, s))
                    }),
                ),
                openapi::RouteId::Regions => scope.route(
                    r.path,
                    web::get().to(|q: HttpRequest, s: Data| guard(regions(q, s))),
                ),
                openapi::RouteId::Facilities => scope.route(
                    r.path,
                    web::get().to(|q: HttpRequest, s: Data| guard(facilities(q, s))),
                ),
                openapi::RouteId::FacilityOne => scope.route(
                    r.path,
                    web::get().to(|q: HttpRequest, p: web::Path<String>, s: Data| {
                        guard(facility_one(q, p, s))
                    }),
                ),
                openapi::RouteId::TravelTime => scope.route(
                    r.path,
                    web::get().to(|q: HttpRequest, s: Data| guard(travel_time(q, s))),
                ),
                openapi::RouteId::Isochrone => scope.route(
                    r.path,
                    web::get().to(|q: HttpRequest, s: Data| guard(isochrone(q, s))),
                ),
                openapi::RouteId::Metrics => scope.route(
                    r.path,
                    web::get().to(|s: Data| guard(async move { Ok(metrics(s).await) })),
                ),
                openapi::RouteId::OpenApi => scope.route(
                    r.path,
                    web::get().to(|| guard(async { Ok(openapi_doc().await) })),
                ),
            };
        }
        let scope = scope
            .default_service(web::to(not_found))
            .wrap(actix_web::middleware::Compress::default())
            .wrap(
                actix_cors::Cors::default()
                    .allow_any_origin()
                    .allowed_methods(["GET", "HEAD", "OPTIONS"])
                    .expose_headers([header::ETAG])
                    .max_age(3600),
            )
            // Metrics: outermost, so it sees every response. (The request must not be cloned
            // before the inner call: actix's router needs to own it to record the match.)
            .wrap_fn(|req, srv| {
                let start = Instant::now();
                let state = req.app_data::<web::Data<AppState>>().cloned();
                let fut = srv.call(req);
                async move {
                    let res = fut.await?;
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
        cfg.app_data(state.clone())
            .app_data(web::PayloadConfig::new(16 * 1024))
            .service(scope);
    }
}
