//! What the handlers share: the dataset (the application core), the answer caches, the
//! metrics, and the timeout under which blocking work runs.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::web;

use super::ApiError;
use super::cache::{Cached, Lru};
use super::metrics::Metrics;
use crate::app::{CoverageResult, Dataset, NeedProfile};

pub struct AppState {
    pub data: Dataset,
    pub results: Mutex<Lru<Arc<CoverageResult>>>,
    pub bodies: Mutex<Lru<Cached>>,
    pub metrics: Mutex<Metrics>,
    pub compute_timeout: Duration,
}

impl AppState {
    pub fn new(data: Dataset, compute_timeout: Duration) -> Self {
        AppState {
            data,
            results: Mutex::new(Lru::new(64)),
            bodies: Mutex::new(Lru::new(256)),
            metrics: Mutex::new(Metrics::default()),
            compute_timeout,
        }
    }

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

/// Runs blocking work off the async executor, under the state's timeout.
pub async fn blocking<T: Send + 'static>(
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
