//! Request bodies with a deadline: a body must arrive whole within the server's body time
//! (`body_timeout_s`, 10 s by default) plus the time its length needs at [`MIN_RATE`], else
//! the request ends with 408 and its connection is closed. Without it, a client that sends
//! `Content-Length: 1000000` and one byte holds a connection (and a worker's attention)
//! forever, without any token.

use std::time::Duration;

use actix_web::web;
use futures_util::StreamExt;

use super::ApiError;

/// The slowest body rate the service waits for, in bytes per second (past the body time).
pub const MIN_RATE: u64 = 64 * 1024;

/// How long a body of `length` bytes may take: the body time, plus its length at [`MIN_RATE`].
pub fn allowance(body_time: Duration, length: usize) -> Duration {
    body_time + Duration::from_secs_f64(length as f64 / MIN_RATE as f64)
}

/// Reads a body of at most `limit` bytes, whole within its [`allowance`] (the announced
/// length, else the limit).
pub async fn read(
    req: &actix_web::HttpRequest,
    mut payload: web::Payload,
    limit: usize,
    body_time: Duration,
) -> Result<web::BytesMut, ApiError> {
    let announced = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<usize>().ok());
    if let Some(n) = announced
        && n > limit
    {
        return Err(ApiError::BodyTooLarge { limit });
    }
    let deadline = allowance(body_time, announced.unwrap_or(limit).min(limit));
    let read_all = async {
        let mut body = web::BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|e| ApiError::bad("body", e.to_string()))?;
            if body.len() + chunk.len() > limit {
                return Err(ApiError::BodyTooLarge { limit });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    };
    match actix_web::rt::time::timeout(deadline, read_all).await {
        Ok(result) => result,
        Err(_) => Err(ApiError::BodyTimeout {
            seconds: deadline.as_secs(),
            min_rate: MIN_RATE,
        }),
    }
}
