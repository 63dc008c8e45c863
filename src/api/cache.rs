//! Cached response bodies (with their gzip made once), a small LRU, and responses with
//! ETags and content negotiation.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use super::ApiError;

pub const GEOJSON: &str = "application/geo+json";
pub const JSON: &str = "application/json";
pub const CSV: &str = "text/csv; charset=utf-8";

/// A formatted, cached response body, with its gzip form made once on first demand (so
/// cached answers are not compressed again for every client that accepts gzip).
#[derive(Debug, Clone)]
pub struct Cached {
    pub content_type: &'static str,
    pub body: web::Bytes,
    pub etag: String,
    gzip: Arc<OnceLock<Result<web::Bytes, String>>>,
}

impl Cached {
    pub fn new(content_type: &'static str, body: web::Bytes) -> Self {
        Cached {
            content_type,
            etag: etag_of(&body),
            body,
            gzip: Arc::new(OnceLock::new()),
        }
    }

    /// A JSON value as a cached body.
    pub fn json(v: &impl serde::Serialize, content_type: &'static str) -> Result<Self, ApiError> {
        let body = serde_json::to_vec(v)
            .map_err(|e| ApiError::Internal(format!("cannot serialise an answer: {e}")))?;
        Ok(Cached::new(content_type, web::Bytes::from(body)))
    }

    /// The gzip form; a compression failure is an error, never an empty body.
    fn gzipped(&self) -> Result<web::Bytes, ApiError> {
        self.gzip
            .get_or_init(|| {
                use std::io::Write;
                let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                z.write_all(&self.body)
                    .and_then(|_| z.finish())
                    .map(web::Bytes::from)
                    .map_err(|e| e.to_string())
            })
            .clone()
            .map_err(|e| ApiError::Internal(format!("gzip failed: {e}")))
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

pub fn etag_of(body: &[u8]) -> String {
    format!("\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(body))
}

/// Whether the client accepts gzip (`Accept-Encoding` with q-values: `gzip;q=0` refuses it).
fn accepts_gzip(req: &HttpRequest) -> bool {
    let Some(v) = req
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mut gzip_q: Option<f32> = None;
    let mut star_q: Option<f32> = None;
    for item in v.split(',') {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        match coding.as_str() {
            "gzip" | "x-gzip" => gzip_q = Some(q),
            "*" => star_q = Some(q),
            _ => {}
        }
    }
    gzip_q.or(star_q).is_some_and(|q| q > 0.0)
}

/// A response with an ETag, or 304 when the client has it already.
pub fn respond(req: &HttpRequest, c: &Cached) -> Result<HttpResponse, ApiError> {
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == c.etag || t.trim() == "*"));
    if matches {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, c.etag.clone()))
            .finish());
    }
    let mut resp = HttpResponse::Ok();
    resp.content_type(c.content_type)
        .insert_header((header::ETAG, c.etag.clone()))
        .insert_header((header::CACHE_CONTROL, "public, max-age=60"))
        .insert_header((header::VARY, "Accept-Encoding"));
    if c.body.len() > 1024 && accepts_gzip(req) {
        // Already compressed: the Compress middleware passes responses with an encoding through.
        let z = c.gzipped()?;
        Ok(resp
            .insert_header((header::CONTENT_ENCODING, "gzip"))
            .body(z))
    } else {
        // Identity, stated, so that the Compress middleware does not compress it after all.
        Ok(resp
            .insert_header((header::CONTENT_ENCODING, "identity"))
            .body(c.body.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_is_refused_with_q_zero() {
        for (header, want) in [
            ("gzip", true),
            ("gzip, deflate, br", true),
            ("gzip;q=0, identity", false),
            ("gzip; q=0.0", false),
            ("*;q=0.5", true),
            ("identity", false),
            ("br;q=1, *;q=0", false),
        ] {
            let req = actix_web::test::TestRequest::default()
                .insert_header((header::ACCEPT_ENCODING, header))
                .to_http_request();
            assert_eq!(accepts_gzip(&req), want, "{header}");
        }
    }
}
