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
/// One computation shared by identical requests.
pub struct InFlight {
    /// The answer, once there is one.
    answer: tokio::sync::watch::Sender<Option<Result<Cached, ApiError>>>,
    /// Requests waiting for it (changed only under the in-flight table's lock): when the last
    /// one leaves, the computation is cancelled.
    waiters: std::sync::atomic::AtomicUsize,
    token: crate::cancel::Token,
}

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
    /// Failed token attempts per client address (the brake on guessing).
    pub attempts: crate::api::auth::Attempts,
    /// How long a request body may take to arrive (plus its length at the minimum rate).
    pub body_time: Duration,
    /// The map page's basemap, if the server has one.
    pub basemap: Option<crate::app::config::Basemap>,
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
            attempts: Default::default(),
            body_time: Duration::from_secs(10),
            basemap: None,
        }
    }

    /// With a basemap for the map page.
    pub fn with_basemap(mut self, basemap: Option<crate::app::config::Basemap>) -> Self {
        self.basemap = basemap;
        self
    }

    /// With another body time than 10 s.
    pub fn with_body_time(mut self, body_time: Duration) -> Self {
        self.body_time = body_time;
        self
    }

    /// With a scenario database and, to allow writes, a token.
    pub fn with_scenarios(mut self, store: crate::app::Store, token: Option<String>) -> Self {
        self.scenarios = Some(store);
        self.write_token = token;
        self
    }
}

/// A cached body by key, computing it once however many identical requests arrive while it
/// is being computed (they all wait for the one computation). The computation belongs to no
/// single request: it runs on its own task and is cancelled when every request waiting for it
/// has gone (each watched through `peer`, its client's socket), or at the time limit.
pub async fn coalesced(
    state: &web::Data<AppState>,
    peer: Option<Arc<PeerSocket>>,
    key: String,
    f: impl FnOnce(&AppState) -> Result<Cached, ApiError> + Send + 'static,
) -> Result<Cached, ApiError> {
    use futures_util::future::{Either, select};
    use std::sync::atomic::Ordering;
    let flight = {
        let mut table = state
            .in_flight
            .lock()
            .map_err(|_| ApiError::Internal("in-flight table poisoned".into()))?;
        match table.get(&key) {
            Some(flight) => {
                flight.waiters.fetch_add(1, Ordering::SeqCst);
                flight.clone()
            }
            None => {
                let flight = Arc::new(InFlight {
                    answer: tokio::sync::watch::channel(None).0,
                    waiters: std::sync::atomic::AtomicUsize::new(1),
                    token: crate::cancel::Token::new(),
                });
                table.insert(key.clone(), flight.clone());
                let (st, shared, k) = (state.clone(), flight.clone(), key.clone());
                actix_web::rt::spawn(async move {
                    let token = shared.token.clone();
                    let gone = move || until_cancelled(token.clone());
                    let out = blocking_until(&st, shared.token.clone(), gone, f).await;
                    forget_flight(&st, &k, &shared);
                    shared.answer.send_replace(Some(out));
                });
                flight
            }
        }
    };
    let _leave = Leave {
        state: state.clone(),
        key,
        flight: flight.clone(),
    };
    let mut answer = flight.answer.subscribe();
    let answer = async move {
        loop {
            if let Some(r) = answer.borrow_and_update().clone() {
                return r;
            }
            if answer.changed().await.is_err() {
                return Err(ApiError::Internal(
                    "the shared computation ended without an answer".into(),
                ));
            }
        }
    };
    match select(Box::pin(answer), Box::pin(client_gone(peer))).await {
        Either::Left((r, _)) => r,
        Either::Right(_) => Err(ApiError::ClientGone),
    }
}

/// Removes `flight` from the in-flight table if it is still the one under `key`.
fn forget_flight(state: &AppState, key: &str, flight: &Arc<InFlight>) {
    if let Ok(mut table) = state.in_flight.lock()
        && table.get(key).is_some_and(|f| Arc::ptr_eq(f, flight))
    {
        table.remove(key);
    }
}

/// A request's interest in a shared computation; the last one to go cancels it.
struct Leave {
    state: web::Data<AppState>,
    key: String,
    flight: Arc<InFlight>,
}

impl Drop for Leave {
    fn drop(&mut self) {
        use std::sync::atomic::Ordering;
        // Under the table's lock, so that no request joins a flight that is being given up.
        if let Ok(mut table) = self.state.in_flight.lock()
            && self.flight.waiters.fetch_sub(1, Ordering::SeqCst) == 1
        {
            // Nobody waits any more (after an answer this changes nothing).
            self.flight.token.cancel();
            if table
                .get(&self.key)
                .is_some_and(|f| Arc::ptr_eq(f, &self.flight))
            {
                table.remove(&self.key);
            }
        }
    }
}

/// Resolves when `token` is cancelled (checked every 50 ms, like a client's socket).
async fn until_cancelled(token: crate::cancel::Token) {
    loop {
        if token.is_cancelled() {
            return;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
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

/// The client's socket, duplicated when a computation starts, so that the computation can
/// notice the client has left: actix-web 4 itself only notices when it writes the answer
/// (actix/actix-web#3462), and until then would compute for nobody.
pub struct PeerSocket(std::os::fd::OwnedFd);

impl PeerSocket {
    /// Whether the client closed the connection (or it broke): a non-blocking peek reads
    /// end-of-stream. Data waiting (a pipelined request) means it is still there.
    pub fn closed(&self) -> bool {
        use std::os::fd::AsRawFd;
        let mut byte = 0u8;
        // SAFETY: a one-byte peek into a local buffer on a socket this value owns (a
        // duplicate, so it stays valid however actix handles its own).
        let n = unsafe {
            libc::recv(
                self.0.as_raw_fd(),
                (&mut byte as *mut u8).cast(),
                1,
                libc::MSG_PEEK | libc::MSG_DONTWAIT,
            )
        };
        match n {
            0 => true,
            n if n > 0 => false,
            _ => !matches!(
                std::io::Error::last_os_error().kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::Interrupted
            ),
        }
    }
}

/// The raw descriptor of a connection's socket, kept with the connection (no duplicate: an
/// idle or slow connection costs one descriptor, not two).
#[derive(Clone, Copy)]
pub struct RawPeer(std::os::fd::RawFd);

/// `HttpServer::on_connect`: notes each TCP connection's socket (see [`peer_of`]).
pub fn on_connect(conn: &dyn std::any::Any, ext: &mut actix_web::dev::Extensions) {
    use std::os::fd::AsRawFd;
    if let Some(tcp) = conn.downcast_ref::<actix_web::rt::net::TcpStream>() {
        ext.insert(RawPeer(tcp.as_raw_fd()));
    }
}

/// The request's client socket, duplicated now for a computation to watch (see
/// [`PeerSocket`]); dropped with the computation's last waiter.
pub fn peer_of(req: &actix_web::HttpRequest) -> Option<Arc<PeerSocket>> {
    let raw = req.conn_data::<RawPeer>()?;
    // SAFETY: the connection's socket is open while one of its requests is being handled
    // (actix closes it only after the dispatcher, which runs this handler, has finished),
    // so the descriptor is valid here; it is duplicated at once and only the duplicate is
    // kept.
    let fd = unsafe { std::os::fd::BorrowedFd::borrow_raw(raw.0) };
    fd.try_clone_to_owned()
        .ok()
        .map(|fd| Arc::new(PeerSocket(fd)))
}

/// Resolves when the client has left (never, without a socket to watch).
async fn client_gone(peer: Option<Arc<PeerSocket>>) {
    match peer {
        None => std::future::pending::<()>().await,
        Some(p) => loop {
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
            if p.closed() {
                return;
            }
        },
    }
}

/// Runs blocking work off the async executor, under the state's timeout, when admitted: at
/// most `running` at once, `waiting` more queued, the rest refused with a 503 at once.
pub async fn blocking<T: Send + 'static>(
    state: &web::Data<AppState>,
    f: impl FnOnce(&AppState) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    blocking_for(None, state, f).await
}

/// As [`blocking`], for one client: when it leaves, its place in the queue is given up and
/// its computation cancelled.
pub async fn blocking_for<T: Send + 'static>(
    peer: Option<Arc<PeerSocket>>,
    state: &web::Data<AppState>,
    f: impl FnOnce(&AppState) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let gone = move || client_gone(peer.clone());
    blocking_until(state, crate::cancel::Token::new(), gone, f).await
}

/// As [`blocking`], cancelled through `token` and given up when `gone()` resolves (its place in
/// the queue, or the computation, which `token` then stops).
async fn blocking_until<T: Send + 'static, G: std::future::Future<Output = ()>>(
    state: &web::Data<AppState>,
    token: crate::cancel::Token,
    gone: impl Fn() -> G,
    f: impl FnOnce(&AppState) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    use futures_util::future::{Either, select};
    use std::sync::atomic::Ordering;
    let permit = match state.permits.try_acquire() {
        Ok(p) => p,
        Err(_) => {
            if state.waiting.fetch_add(1, Ordering::SeqCst) >= state.max_waiting {
                state.waiting.fetch_sub(1, Ordering::SeqCst);
                return Err(ApiError::Busy);
            }
            let wait = Box::pin(actix_web::rt::time::timeout(
                state.compute_timeout,
                state.permits.acquire(),
            ));
            let p = select(wait, Box::pin(gone())).await;
            state.waiting.fetch_sub(1, Ordering::SeqCst);
            match p {
                Either::Left((Ok(Ok(p)), _)) => p,
                Either::Left(_) => return Err(ApiError::Busy),
                Either::Right(_) => return Err(ApiError::ClientGone),
            }
        }
    };
    let _permit = permit;
    if let Ok(mut m) = state.metrics.lock() {
        m.computations += 1;
    }
    let s = state.clone();
    let timeout = state.compute_timeout;
    // Cancelled when this future ends without the answer: its client left (actix drops the
    // handler) or the time limit passed. The searches see it and stop.
    let _cancel_on_drop = CancelOnDrop(token.clone());
    let job_token = token.clone();
    let job = web::block(move || {
        let out = crate::cancel::run_with(Some(&job_token), || f(&s));
        if job_token.is_cancelled() {
            // Whatever the searches left is not an answer: never cached, never sent.
            if let Ok(mut m) = s.metrics.lock() {
                m.cancelled += 1;
            }
            return Err(ApiError::Internal("the computation was cancelled".into()));
        }
        // The last computation of a burst hands freed memory back to the system (glibc keeps
        // it otherwise, and RSS would stay at the burst's peak).
        if s.permits.available_permits() + 1 >= s.max_running {
            release_memory();
        }
        out
    });
    let job = Box::pin(actix_web::rt::time::timeout(timeout, job));
    match select(job, Box::pin(gone())).await {
        Either::Left((Err(_), _)) => Err(ApiError::Timeout {
            seconds: timeout.as_secs(),
        }),
        Either::Left((Ok(Err(e)), _)) => {
            Err(ApiError::Internal(format!("blocking task failed: {e}")))
        }
        Either::Left((Ok(Ok(r)), _)) => r,
        // The guard cancels the computation as this returns.
        Either::Right(_) => Err(ApiError::ClientGone),
    }
}

/// Cancels a computation when the future waiting for it is dropped or returns.
struct CancelOnDrop(crate::cancel::Token);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
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
