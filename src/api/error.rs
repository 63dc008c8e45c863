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

/// Every problem type: its name, status, title and what it means (served at
/// `/api/v1/problems`, where each problem's `type` points).
pub const PROBLEM_TYPES: &[(&str, u16, &str, &str)] = &[
    (
        "invalid-parameter",
        400,
        "Invalid parameter",
        "A query parameter or the body is missing, malformed or out of range; `parameter` names it and `detail` says what it accepts.",
    ),
    (
        "unroutable-point",
        400,
        "Point cannot be routed",
        "A point lies too far from any drivable road of the graph (`detail` gives the distance); check the coordinates (LON,LAT) or the area of the graph.",
    ),
    (
        "unauthorized",
        401,
        "Unauthorized",
        "A write without `Authorization: Bearer <token>`.",
    ),
    (
        "forbidden",
        403,
        "Forbidden",
        "A write with a wrong token, on a server whose writes are off, or on a read-only scenario database.",
    ),
    (
        "not-found",
        404,
        "Not found",
        "The municipality, facility, scenario, collection, feature or route does not exist; `parameter` names the path part.",
    ),
    (
        "not-loaded",
        404,
        "Not loaded",
        "The server holds no data for this question (e.g. only a road graph, no municipalities).",
    ),
    (
        "method-not-allowed",
        405,
        "Method not allowed",
        "The path exists with other methods; the `Allow` header lists them.",
    ),
    (
        "body-timeout",
        408,
        "Request body too slow",
        "The request body did not arrive within the body time (10 s by default) plus its length at 64 KiB/s; send it at once.",
    ),
    (
        "body-too-large",
        413,
        "Body too large",
        "The request body is larger than the route accepts (1 MB for the matrix and scenarios).",
    ),
    (
        "too-many-pairs",
        413,
        "Too many pairs",
        "A matrix of more than 250,000 pairs; split the request.",
    ),
    (
        "query-too-long",
        414,
        "Query too long",
        "The query string is longer than 2 KB.",
    ),
    (
        "unprocessable",
        422,
        "Cannot be applied",
        "A well-formed body that cannot be applied, e.g. a scenario change naming an unknown facility (`parameter`: `changes[i]`), or an Idempotency-Key reused for another request.",
    ),
    (
        "too-many-attempts",
        429,
        "Too many attempts",
        "Too many failed write attempts from this address; wait the seconds `Retry-After` gives.",
    ),
    (
        "client-gone",
        499,
        "Client closed request",
        "The client left before the answer was ready (logged only).",
    ),
    (
        "internal",
        500,
        "Internal server error",
        "The server could not answer; the detail is in its log.",
    ),
    (
        "busy",
        503,
        "Busy",
        "Too many computations run and wait; try again after `Retry-After` seconds.",
    ),
    (
        "timeout",
        503,
        "Computation timed out",
        "The computation took longer than the server's limit.",
    ),
    (
        "store-unavailable",
        503,
        "Scenario database unavailable",
        "The scenario database cannot be used; `detail` says why.",
    ),
    (
        "http",
        0,
        "(the HTTP status phrase)",
        "A refusal by the HTTP layer around the API (e.g. a CORS refusal or an unreadable body); `status` and `title` are HTTP's own.",
    ),
];

/// The problem document for a status and detail (also used by the panic guard).
pub fn problem(
    status: StatusCode,
    kind: &str,
    title: &str,
    detail: &str,
    parameter: Option<&str>,
) -> HttpResponse {
    let mut body = json!({
        // A reference to this server's own page of problem types, which says what each
        // means and what to do (RFC 9457 resolves it against the request's URI).
        "type": format!("/api/v1/problems#{kind}"),
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
    fn every_problem_type_is_documented_with_its_status() {
        let all = [
            ApiError::bad("x", "y"),
            ApiError::NotFound {
                what: "x",
                id: "y".into(),
                parameter: None,
            },
            ApiError::Unroutable {
                parameter: "x".into(),
                detail: "y".into(),
            },
            ApiError::QueryTooLong { limit: 1 },
            ApiError::BodyTooLarge { limit: 1 },
            ApiError::TooManyPairs { detail: "x".into() },
            ApiError::Busy,
            ApiError::Timeout { seconds: 1 },
            ApiError::NotLoaded("x".into()),
            ApiError::Unauthorized,
            ApiError::Forbidden("x".into()),
            ApiError::Unprocessable {
                parameter: "x".into(),
                detail: "y".into(),
            },
            ApiError::BodyTimeout {
                seconds: 1,
                min_rate: 1,
            },
            ApiError::TooManyAttempts { retry_s: 1 },
            ApiError::StoreUnavailable("x".into()),
            ApiError::ClientGone,
            ApiError::Internal("x".into()),
        ];
        for e in all {
            let documented = PROBLEM_TYPES
                .iter()
                .find(|(k, _, _, _)| *k == e.kind())
                .unwrap_or_else(|| panic!("{} is not in PROBLEM_TYPES", e.kind()));
            assert_eq!(documented.1, e.status_code().as_u16(), "{}", e.kind());
            assert_eq!(documented.2, e.title(), "{}", e.kind());
        }
    }

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
