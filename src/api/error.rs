//! The API's errors, mapped to HTTP in exactly one place: RFC 9457 `application/problem+json`.
//! 4xx responses say what to fix and name the parameter; 5xx responses carry no internal
//! detail (it is logged instead).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;

/// Errors a request can end with.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// A query parameter is missing, malformed or out of range.
    #[error("{parameter}: {detail}")]
    BadParameter { parameter: String, detail: String },
    /// A named thing (municipality, facility, route) does not exist; `parameter` is the path
    /// parameter that named it, if any. The id is echoed shortened to 100 characters.
    #[error("{what} {:?} not found", shorten(id))]
    NotFound {
        what: &'static str,
        id: String,
        parameter: Option<&'static str>,
    },
    /// A point could not be placed on the road network.
    #[error("{parameter}: {detail}")]
    Unroutable { parameter: String, detail: String },
    /// The query string is larger than the service accepts.
    #[error("the query string is longer than {limit} bytes")]
    QueryTooLong { limit: usize },
    /// A request body larger than the service accepts.
    #[error("the request body is larger than {limit} bytes")]
    BodyTooLarge { limit: usize },
    /// A matrix of more pairs than the service computes in one request.
    #[error("{detail}")]
    TooManyPairs { detail: String },
    /// Too many computations are running and waiting: try again shortly.
    #[error("the service is busy; try again in a few seconds")]
    Busy,
    /// The computation took too long.
    #[error("the computation took longer than {seconds} s")]
    Timeout { seconds: u64 },
    /// The server holds no data for this question.
    #[error("{0}")]
    NotLoaded(String),
    /// A write without a bearer token.
    #[error("this write needs Authorization: Bearer <the server's write token>")]
    Unauthorized,
    /// A write with a wrong token, or writes are off.
    #[error("{0}")]
    Forbidden(String),
    /// A well-formed body that cannot be applied (e.g. a scenario change naming an unknown
    /// facility).
    #[error("{detail}")]
    Unprocessable { parameter: String, detail: String },
    /// The request body did not arrive in time (or too slowly).
    #[error(
        "the request body did not arrive within {seconds} s (at least {min_rate} bytes per second); send it at once"
    )]
    BodyTimeout { seconds: u64, min_rate: u64 },
    /// Too many wrong tokens from this address: wait before trying again.
    #[error("too many failed write attempts from this address; try again in {retry_s} s")]
    TooManyAttempts { retry_s: u64 },
    /// The scenario database cannot be used (its problem, without its path).
    #[error("{0}")]
    StoreUnavailable(String),
    /// The client left before its answer was ready (nobody reads this response; status 499
    /// as nginx logs it).
    #[error("the client closed the connection")]
    ClientGone,
    /// Anything else: logged, never shown.
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    pub fn bad(parameter: &str, detail: impl Into<String>) -> Self {
        ApiError::BadParameter {
            parameter: parameter.to_string(),
            detail: detail.into(),
        }
    }

    fn title(&self) -> &'static str {
        match self {
            ApiError::BadParameter { .. } => "Invalid parameter",
            ApiError::NotFound { .. } => "Not found",
            ApiError::Unroutable { .. } => "Point cannot be routed",
            ApiError::QueryTooLong { .. } => "Query too long",
            ApiError::BodyTooLarge { .. } => "Body too large",
            ApiError::TooManyPairs { .. } => "Too many pairs",
            ApiError::NotLoaded(_) => "Not loaded",
            ApiError::Timeout { .. } => "Computation timed out",
            ApiError::Busy => "Busy",
            ApiError::Unauthorized => "Unauthorized",
            ApiError::Forbidden(_) => "Forbidden",
            ApiError::Unprocessable { .. } => "Cannot be applied",
            ApiError::ClientGone => "Client closed request",
            ApiError::BodyTimeout { .. } => "Request body too slow",
            ApiError::TooManyAttempts { .. } => "Too many attempts",
            ApiError::StoreUnavailable(_) => "Scenario database unavailable",
            ApiError::Internal(_) => "Internal server error",
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            ApiError::BadParameter { .. } => "invalid-parameter",
            ApiError::NotFound { .. } => "not-found",
            ApiError::Unroutable { .. } => "unroutable-point",
            ApiError::QueryTooLong { .. } => "query-too-long",
            ApiError::BodyTooLarge { .. } => "body-too-large",
            ApiError::TooManyPairs { .. } => "too-many-pairs",
            ApiError::NotLoaded(_) => "not-loaded",
            ApiError::Timeout { .. } => "timeout",
            ApiError::Busy => "busy",
            ApiError::Unauthorized => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::Unprocessable { .. } => "unprocessable",
            ApiError::ClientGone => "client-gone",
            ApiError::BodyTimeout { .. } => "body-timeout",
            ApiError::TooManyAttempts { .. } => "too-many-attempts",
            ApiError::StoreUnavailable(_) => "store-unavailable",
            ApiError::Internal(_) => "internal",
        }
    }
}

/// The problem document for a status and detail (also used by the panic guard).
pub fn problem(
    status: StatusCode,
    kind: &str,
    title: &str,
    detail: &str,
    parameter: Option<&str>,
) -> HttpResponse {
    let mut body = json!({
        "type": format!("https://nabij.example/problems/{kind}"),
        "title": title,
        "status": status.as_u16(),
        "detail": detail,
    });
    if let Some(p) = parameter {
        body["parameter"] = json!(p);
    }
    HttpResponse::build(status)
        .content_type("application/problem+json")
        .body(body.to_string())
}

/// At most 100 characters of an echoed id (a client's 60 KB id is not sent back whole).
pub fn shorten(id: &str) -> String {
    const MAX: usize = 100;
    match id.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}…", &id[..at]),
        None => id.to_string(),
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadParameter { .. } | ApiError::Unroutable { .. } => StatusCode::BAD_REQUEST,
            ApiError::NotFound { .. } | ApiError::NotLoaded(_) => StatusCode::NOT_FOUND,
            ApiError::QueryTooLong { .. } => StatusCode::URI_TOO_LONG,
            ApiError::BodyTooLarge { .. } | ApiError::TooManyPairs { .. } => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            ApiError::Timeout { .. } | ApiError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::ClientGone => {
                StatusCode::from_u16(499).unwrap_or(StatusCode::SERVICE_UNAVAILABLE)
            }
            ApiError::BodyTimeout { .. } => StatusCode::REQUEST_TIMEOUT,
            ApiError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::StoreUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let parameter = match self {
            ApiError::BadParameter { parameter, .. }
            | ApiError::Unroutable { parameter, .. }
            | ApiError::Unprocessable { parameter, .. } => Some(parameter.as_str()),
            ApiError::NotFound { parameter, .. } => *parameter,
            ApiError::TooManyPairs { .. } => Some("origins"),
            _ => None,
        };
        let detail = match self {
            ApiError::Internal(inner) => {
                tracing::error!("internal error: {inner}");
                "The server could not answer this request.".to_string()
            }
            other => other.to_string(),
        };
        let mut resp = problem(
            self.status_code(),
            self.kind(),
            self.title(),
            &detail,
            parameter,
        );
        if let ApiError::Unauthorized = self {
            resp.headers_mut().insert(
                actix_web::http::header::WWW_AUTHENTICATE,
                actix_web::http::header::HeaderValue::from_static("Bearer realm=\"nabij\""),
            );
        }
        if let ApiError::TooManyAttempts { retry_s } = self
            && let Ok(v) = actix_web::http::header::HeaderValue::from_str(&retry_s.to_string())
        {
            resp.headers_mut()
                .insert(actix_web::http::header::RETRY_AFTER, v);
        }
        if let ApiError::BodyTimeout { .. } = self {
            // The rest of the body may still be on its way: this connection is done.
            resp.head_mut()
                .set_connection_type(actix_web::http::ConnectionType::Close);
        }
        if let ApiError::Timeout { .. } | ApiError::Busy = self {
            // Busy: the client may try again shortly.
            resp.headers_mut().insert(
                actix_web::http::header::RETRY_AFTER,
                actix_web::http::header::HeaderValue::from_static("5"),
            );
        }
        resp
    }
}

impl From<crate::app::AppError> for ApiError {
    fn from(e: crate::app::AppError) -> Self {
        use crate::app::AppError as A;
        match e {
            A::BadParameter { parameter, message } => ApiError::bad(parameter, message),
            A::NotFound {
                what,
                id,
                parameter,
            } => ApiError::NotFound {
                what,
                id,
                parameter: Some(parameter),
            },
            A::Need(crate::app::NeedError::Invalid { field, message }) => {
                ApiError::bad(field, message)
            }
            A::Routing(crate::app::RoutingError::Snap { which, error }) => ApiError::Unroutable {
                parameter: which,
                detail: error.to_string(),
            },
            A::Routing(other) => ApiError::Unroutable {
                parameter: "to".into(),
                detail: other.to_string(),
            },
            A::NothingSuitable(m) => ApiError::bad("need", m),
            A::Store(crate::app::StoreError::ReadOnly { .. }) => ApiError::Forbidden(
                "the scenario database of this server is read-only: saved scenarios can be read, not saved or deleted".into(),
            ),
            A::Store(crate::app::StoreError::KeyReused) => ApiError::Unprocessable {
                parameter: "Idempotency-Key".into(),
                detail: crate::app::StoreError::KeyReused.to_string(),
            },
            A::Store(crate::app::StoreError::Refused { message, .. }) => {
                ApiError::StoreUnavailable(format!("the scenario database {message}"))
            }
            A::RoutingOnly => ApiError::NotLoaded(A::RoutingOnly.to_string()),
            A::Scenario(e) => {
                let parameter = match &e {
                    crate::app::ScenarioError::Change { index, .. } => {
                        format!("changes[{index}]")
                    }
                    _ => "body".to_string(),
                };
                ApiError::Unprocessable {
                    parameter,
                    detail: e.to_string(),
                }
            }
            other => ApiError::Internal(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timeout_says_when_to_try_again() {
        let resp = ApiError::Timeout { seconds: 60 }.error_response();
        assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            resp.headers()
                .get(actix_web::http::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok()),
            Some("5")
        );
    }
}
