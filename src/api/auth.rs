//! The bearer token of writes, and the brake on guessing it.
//!
//! - Exactly one `Authorization` header; its scheme compared without regard to case (RFC
//!   7235), the token exactly as configured (no trimming: `token ` is another token).
//! - Failed attempts are counted per client address: after [`MAX_FAILURES`] within
//!   [`WINDOW`], that address gets 429 with `Retry-After` until the window has passed, even
//!   with the right token (so guessing cannot go on in the background). Counted in `/metrics`.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::HttpRequest;
use actix_web::http::header;

use super::ApiError;

/// Failed attempts an address may make within [`WINDOW`].
pub const MAX_FAILURES: u32 = 10;
/// The window over which failures are counted.
pub const WINDOW: Duration = Duration::from_secs(60);
/// Addresses remembered at most: past it, expired windows are forgotten, and if that is not
/// enough, all (a flood of addresses must not grow the map without bound).
const MAX_ADDRESSES: usize = 10_000;

/// Failed attempts per client address.
#[derive(Default)]
pub struct Attempts {
    by_address: Mutex<HashMap<IpAddr, (Instant, u32)>>,
    /// Every failed attempt, and every attempt refused because of earlier failures.
    pub failures: std::sync::atomic::AtomicU64,
    pub throttled: std::sync::atomic::AtomicU64,
}

impl Attempts {
    /// 429 if this address has failed too often lately.
    fn check(&self, ip: Option<IpAddr>, now: Instant) -> Result<(), ApiError> {
        let Some(ip) = ip else { return Ok(()) };
        let map = self
            .by_address
            .lock()
            .map_err(|_| ApiError::Internal("attempts lock".into()))?;
        if let Some(&(start, n)) = map.get(&ip)
            && n >= MAX_FAILURES
            && now.duration_since(start) < WINDOW
        {
            self.throttled
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let left = WINDOW.saturating_sub(now.duration_since(start));
            return Err(ApiError::TooManyAttempts {
                retry_s: left.as_secs().max(1),
            });
        }
        Ok(())
    }

    /// The counters in Prometheus text format, for `/metrics`.
    pub fn render(&self) -> String {
        use std::sync::atomic::Ordering::Relaxed;
        format!(
            "# HELP nabij_auth_failures_total Write attempts with a missing or wrong token.\n# TYPE nabij_auth_failures_total counter\nnabij_auth_failures_total {}\n# HELP nabij_auth_throttled_total Write attempts refused (429) after too many failures from their address.\n# TYPE nabij_auth_throttled_total counter\nnabij_auth_throttled_total {}\n",
            self.failures.load(Relaxed),
            self.throttled.load(Relaxed)
        )
    }

    fn failed(&self, ip: Option<IpAddr>, now: Instant) {
        self.failures
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let Some(ip) = ip else { return };
        let Ok(mut map) = self.by_address.lock() else {
            return;
        };
        if map.len() >= MAX_ADDRESSES {
            map.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
            if map.len() >= MAX_ADDRESSES {
                map.clear();
            }
        }
        let e = map.entry(ip).or_insert((now, 0));
        if now.duration_since(e.0) >= WINDOW {
            *e = (now, 0);
        }
        e.1 += 1;
    }
}

/// Equal in time independent of where the strings differ.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The token of `Authorization: Bearer <token>`: one header, the scheme in any case, one or
/// more spaces, the token as it is.
fn bearer(req: &HttpRequest) -> Result<&str, ApiError> {
    let mut all = req.headers().get_all(header::AUTHORIZATION);
    let Some(value) = all.next() else {
        return Err(ApiError::Unauthorized);
    };
    if all.next().is_some() {
        return Err(ApiError::bad(
            "Authorization",
            "give exactly one Authorization header",
        ));
    }
    let value = value.to_str().map_err(|_| ApiError::Unauthorized)?;
    let (scheme, rest) = value.split_once(' ').ok_or(ApiError::Unauthorized)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(ApiError::Unauthorized);
    }
    Ok(rest.trim_start_matches(' '))
}

/// A write must carry the configured bearer token; failures are counted per address.
pub fn authorize(
    req: &HttpRequest,
    token: Option<&str>,
    attempts: &Attempts,
) -> Result<(), ApiError> {
    let Some(token) = token else {
        return Err(ApiError::Forbidden(
            "writes are off on this server: start it with --write-token (or NABIJ_WRITE_TOKEN) to allow them".into(),
        ));
    };
    let ip = req.peer_addr().map(|a| a.ip());
    let now = Instant::now();
    attempts.check(ip, now)?;
    let given = match bearer(req) {
        Ok(t) => t,
        Err(e) => {
            attempts.failed(ip, now);
            return Err(e);
        }
    };
    if same_secret(given.as_bytes(), token.as_bytes()) {
        Ok(())
    } else {
        attempts.failed(ip, now);
        Err(ApiError::Forbidden("the write token is wrong".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(headers: &[&str]) -> HttpRequest {
        let mut r = actix_web::test::TestRequest::default()
            .peer_addr("10.0.0.1:4000".parse().expect("addr"));
        for h in headers {
            r = r.append_header((header::AUTHORIZATION, *h));
        }
        r.to_http_request()
    }

    const T: &str = "the-right-token-0123";

    #[test]
    fn the_scheme_is_any_case_and_the_token_exact() {
        let a = Attempts::default();
        for ok in [
            "Bearer the-right-token-0123",
            "BEARER the-right-token-0123",
            "bearer  the-right-token-0123",
        ] {
            assert_eq!(authorize(&req(&[ok]), Some(T), &a), Ok(()), "{ok}");
        }
        for bad in [
            "Bearer the-right-token-0123 ",
            "Bearer the-right-token-012",
            "Basic the-right-token-0123",
            "Bearer",
        ] {
            assert!(authorize(&req(&[bad]), Some(T), &a).is_err(), "{bad}");
        }
        let two = authorize(
            &req(&["Bearer the-right-token-0123", "Bearer x"]),
            Some(T),
            &a,
        );
        assert!(matches!(two, Err(ApiError::BadParameter { .. })), "{two:?}");
    }

    #[test]
    fn guessing_is_braked_per_address() {
        let a = Attempts::default();
        for _ in 0..MAX_FAILURES {
            assert!(matches!(
                authorize(&req(&["Bearer wrong"]), Some(T), &a),
                Err(ApiError::Forbidden(_))
            ));
        }
        // Now even the right token waits.
        let e = authorize(&req(&["Bearer the-right-token-0123"]), Some(T), &a);
        assert!(
            matches!(e, Err(ApiError::TooManyAttempts { retry_s }) if (1..=60).contains(&retry_s)),
            "{e:?}"
        );
        // Another address is not held back.
        let other = actix_web::test::TestRequest::default()
            .peer_addr("10.0.0.2:4000".parse().expect("addr"))
            .append_header((header::AUTHORIZATION, "Bearer the-right-token-0123"))
            .to_http_request();
        assert_eq!(authorize(&other, Some(T), &a), Ok(()));
        assert_eq!(
            a.failures.load(std::sync::atomic::Ordering::Relaxed),
            MAX_FAILURES as u64
        );
        assert_eq!(a.throttled.load(std::sync::atomic::Ordering::Relaxed), 1);
    }
}
