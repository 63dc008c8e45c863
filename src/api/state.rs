//! What the handlers share: the dataset (the application core), the answer caches, the
//! metrics, and the timeout under which blocking work runs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::web;

use super::ApiError;
use super::cache::{Cached, Lru};
use super::metrics::Metrics;
use crate::app::{CoverageResult, Dataset, NeedProfile};

/// One computation that identical requests wait for together.
type InFlight = tokio::sync::OnceCell<Result<Cached, ApiError>>;

pub struct AppState {
    pub data: Dataset,
    pub results: Mutex<Lru<Arc<CoverageResult>>>,
    pub bodies: Mutex<Lru<Cached>>,
    pub metrics: Mutex<Metrics>,
    pub compute_timeout: Duration,
    /// Computations running at once (the rest wait in a bounded queue, then get a 503).
    permits: tokio::sync::Semaphore,
    /// Computations waiting for a permit.
    waiting: std::sync::atomic::AtomicUsize,
    pub max_waiting: usize,
    max_running: usize,
    /// Identical requests in flight share one computation.
    in_flight: Mutex<HashMap<String, Arc<InFlight>>>,
    /// Saved scenarios (`None`: the endpoints say there is no database).
    pub scenarios: Option<crate::app::Store>,
    /// The bearer token writes must carry (`None`: writes are off).
    pub write_token: Option<String>,
}

/// How much the service computes at once: by default one computation per core, and up to
/// four per core waiting; more get `503` with `Retry-After` at once.
#[derive(Debug, Clone, Copy)]
pub struct Admission {
    pub running: usize,
    pub waiting: usize,
}

impl Default for Admission {
    fn default() -> Self {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        Admission {
            running: cores,
            waiting: 4 * cores,
        }
    }
}

impl AppState {
    pub fn new(data: Dataset, compute_timeout: Duration) -> Self {
        Self::with_admission(data, compute_timeout, Admission::default())
    }

    pub fn with_admission(data: Dataset, compute_timeout: Duration, a: Admission) -> Self {
        AppState {
            data,
            results: Mutex::new(Lru::new(64)),
            bodies: Mutex::new(Lru::new(256)),
            metrics: Mutex::new(Metrics::default()),
            compute_timeout,
            permits: tokio::sync::Semaphore::new(a.running.max(1)),
            waiting: std::sync::atomic::AtomicUsize::new(0),
            max_waiting: a.waiting,
            max_running: a.running.max(1),
            in_flight: Mutex::new(HashMap::new()),
            scenarios: None,
            write_token: None,
        }
    }

    /// With a scenario database and, to allow writes, a token.
    pub fn with_scenarios(mut self, store: crate::app::Store, token: Option<String>) -> Self {
        self.scenarios = Some(store);
        self.write_token = token;
        self
    }
}

/// A cached body by key, computing it once however many identical requests arrive while it
/// is being computed (they all wait for the one computation).
pub async fn coalesced(
    state: &web::Data<AppState>,
    key: String,
    f: impl FnOnce(&AppState) -> Result<Cached, ApiError> + Send + 'static,
) -> Result<Cached, ApiError> {
    {
        let cell = state
            .in_flight
            .lock()
            .map_err(|_| ApiError::Internal("in-flight table poisoned".into()))?
            .entry(key.clone())
            .or_default()
            .clone();
        let out = cell
            .get_or_init(|| async { blocking(state, f).await })
            .await
            .clone();
        if let Ok(mut m) = state.in_flight.lock() {
            m.remove(&key);
        }
        out
    }
}

impl AppState {
    /// The coverage answer for a need profile, from the cache or computed.
    pub fn coverage(&self, need: &NeedProfile) -> Result<Arc<CoverageResult>, ApiError> {
        let key = serde_json::to_string(need)
            .map_err(|e| ApiError::Internal(format!("need profile as a key: {e}")))?;
        if let Some(hit) = self.results.lock().ok().and_then(|mut c| c.get(&key)) {
            return Ok(hit);
        }
        let result = Arc::new(self.data.coverage(need)?);
        if let Ok(mut c) = self.results.lock() {
            c.put(key, result.clone());
        }
        Ok(result)
    }

    /// A formatted body from the cache, counting the hit or miss.
    pub fn cached_body(&self, key: &str) -> Option<Cached> {
        let hit = self.bodies.lock().ok().and_then(|mut c| c.get(key));
        if let Ok(mut m) = self.metrics.lock() {
            if hit.is_some() {
                m.cache_hits += 1;
            } else {
                m.cache_misses += 1;
            }
        }
        hit
    }

    pub fn store_body(&self, key: String, body: Cached) {
        if let Ok(mut c) = self.bodies.lock() {
            c.put(key, body);
        }
    }
}

/// Runs blocking work off the async executor, under the state's timeout, when admitted: at
/// most `running` at once, `waiting` more queued, the rest refused with a 503 at once.
pub async fn blocking<T: Send + 'static>(
    state: &web::Data<AppState>,
    f: impl FnOnce(&AppState) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    use std::sync::atomic::Ordering;
    let permit = match state.permits.try_acquire() {
        Ok(p) => p,
        Err(_) => {
            if state.waiting.fetch_add(1, Ordering::SeqCst) >= state.max_waiting {
                state.waiting.fetch_sub(1, Ordering::SeqCst);
                return Err(ApiError::Busy);
            }
            let p =
                actix_web::rt::time::timeout(state.compute_timeout, state.permits.acquire()).await;
            state.waiting.fetch_sub(1, Ordering::SeqCst);
            match p {
                Ok(Ok(p)) => p,
                _ => return Err(ApiError::Busy),
            }
        }
    };
    let _permit = permit;
    if let Ok(mut m) = state.metrics.lock() {
        m.computations += 1;
    }
    let s = state.clone();
    let timeout = state.compute_timeout;
    let job = web::block(move || {
        let out = f(&s);
        // The last computation of a burst hands freed memory back to the system (glibc keeps
        // it otherwise, and RSS would stay at the burst's peak).
        if s.permits.available_permits() + 1 >= s.max_running {
            release_memory();
        }
        out
    });
    match actix_web::rt::time::timeout(timeout, job).await {
        Err(_) => Err(ApiError::Timeout {
            seconds: timeout.as_secs(),
        }),
        Ok(Err(e)) => Err(ApiError::Internal(format!("blocking task failed: {e}"))),
        Ok(Ok(r)) => r,
    }
}

/// Returns freed heap memory to the system (glibc's `malloc_trim`; nothing elsewhere).
fn release_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free heap pages; it is safe to call at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}
