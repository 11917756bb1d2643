//! The API's one error type and its RFC 9457 `application/problem+json` rendering.
//!
//! Every failure, from a handler, an extractor or the default route, becomes
//! an [`ApiError`]; [`ApiError::code`] is the single table from error to
//! code, status and title.

use crate::app::{AppError, FieldError};
use crate::request_id;
use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use salesops_persistence::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// The problem document every error response carries.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "/problems/validation", "title": "Request validation failed", "status": 422,
    "code": "validation", "detail": "1 field is invalid",
    "errors": [{"field": "email", "code": "email", "message": "not a valid email address"}],
    "request_id": "0190f0c2-7d1e-7c3a-9d63-2f4f1b0f3a11"
}))]
pub struct Problem {
    /// A relative URI naming the problem type; the server serves a short page there.
    #[serde(rename = "type")]
    pub type_uri: String,
    /// A short, stable summary of the problem type.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// The machine-readable code: `validation`, `not_found`, `invalid_transition`, …
    pub code: String,
    /// What went wrong in this occurrence.
    pub detail: String,
    /// Field-level details, for `validation` and refused transitions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// For `duplicate`: the ids of the matching records.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub duplicate_ids: Vec<String>,
    /// The request's `X-Request-Id`, to quote when reporting a problem.
    pub request_id: String,
}

/// Everything that can go wrong in a request: what the edge itself refuses
/// (the request's shape, credentials, throttling), or what a use case answered.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Malformed JSON, a bad query parameter, a bad cursor, an unknown sort field.
    #[error("{0}")]
    BadRequest(String),
    /// No token, or an expired or invalid one, or wrong credentials.
    #[error("{0}")]
    Unauthenticated(String),
    /// The body exceeds the limit.
    #[error("the request body exceeds {0} bytes")]
    PayloadTooLarge(usize),
    /// The body did not arrive within this many seconds.
    #[error("the request body did not arrive within {0} seconds")]
    RequestTimeout(u64),
    /// The body is not JSON.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// Too many attempts; retry after this many seconds.
    #[error("too many attempts; retry in {0} seconds")]
    RateLimited(u64),
    /// A use case refused or failed.
    #[error(transparent)]
    App(#[from] AppError),
}

/// Seconds a client should wait after a 503.
const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 2;

/// One kind of problem: the code clients branch on, its HTTP status, a title,
/// and the explanation served at its `type` URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProblemType {
    /// The machine-readable code, also the last segment of the `type` URI.
    pub code: &'static str,
    /// The HTTP status.
    pub status: StatusCode,
    /// A short, stable summary.
    pub title: &'static str,
    /// What it means and what to do, for the `/problems/{code}` page.
    pub explanation: &'static str,
}

macro_rules! problem_types {
    ($($name:ident = $code:literal, $status:ident, $title:literal, $explanation:literal;)+) => {
        $(
            #[doc = concat!("`", $code, "`: ", $title, ".")]
            pub const $name: ProblemType =
                ProblemType { code: $code, status: StatusCode::$status, title: $title, explanation: $explanation };
        )+
        /// Every problem type: the one table of codes, statuses and titles.
        pub const PROBLEM_TYPES: &[ProblemType] = &[$($name),+];
    };
}

problem_types! {
    BAD_REQUEST = "bad_request", BAD_REQUEST, "Bad request",
        "The request is malformed: broken JSON, a bad query parameter or cursor, or an unknown sort field.";
    UNAUTHENTICATED = "unauthenticated", UNAUTHORIZED, "Authentication required",
        "Send a valid access token as `Authorization: Bearer <token>`; log in or refresh to get one.";
    FORBIDDEN = "forbidden", FORBIDDEN, "Not allowed", "Your role may not perform this operation.";
    NOT_FOUND = "not_found", NOT_FOUND, "Not found",
        "The record does not exist, was deleted, or is outside your data scope.";
    INVALID_TRANSITION = "invalid_transition", CONFLICT, "The transition is not allowed",
        "The record's state does not allow this command; `errors` lists missing fields when that is the reason.";
    DUPLICATE = "duplicate", CONFLICT, "A matching record exists",
        "A matching record exists; `duplicate_ids` lists it. Where the operation takes `allow_duplicate=true` (leads, accounts), retrying with it creates the record anyway.";
    CONFLICT = "conflict", CONFLICT, "Conflict",
        "A unique value is taken, or the record changed while the request ran.";
    PRECONDITION_FAILED = "precondition_failed", PRECONDITION_FAILED, "The resource has changed",
        "`If-Match` names an old version. Fetch the record again and re-apply your change.";
    PAYLOAD_TOO_LARGE = "payload_too_large", PAYLOAD_TOO_LARGE, "Payload too large",
        "The request body exceeds the configured limit.";
    REQUEST_TIMEOUT = "request_timeout", REQUEST_TIMEOUT, "Request timeout",
        "The request body did not arrive within the server's body timeout; send it again.";
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type", UNSUPPORTED_MEDIA_TYPE, "Unsupported media type",
        "Send the body as `application/json`.";
    VALIDATION = "validation", UNPROCESSABLE_ENTITY, "Request validation failed",
        "One or more fields are invalid; `errors` lists each with a code and message.";
    RATE_LIMITED = "rate_limited", TOO_MANY_REQUESTS, "Too many requests",
        "Too many attempts. Wait `Retry-After` seconds.";
    INTERNAL = "internal", INTERNAL_SERVER_ERROR, "Internal error",
        "Something failed on the server. Quote the `request_id` when reporting it.";
    UNAVAILABLE = "unavailable", SERVICE_UNAVAILABLE, "Service unavailable",
        "The database is unreachable or busy. Retry after `Retry-After` seconds.";
    STORAGE_FULL = "storage_full", INSUFFICIENT_STORAGE, "Storage full",
        "The server's storage is full, so nothing was saved. Readiness fails until a write succeeds again.";
}

impl ApiError {
    /// The problem type of this error.
    pub fn problem_type(&self) -> ProblemType {
        match self {
            ApiError::BadRequest(_) => BAD_REQUEST,
            ApiError::Unauthenticated(_) => UNAUTHENTICATED,
            ApiError::PayloadTooLarge(_) => PAYLOAD_TOO_LARGE,
            ApiError::RequestTimeout(_) => REQUEST_TIMEOUT,
            ApiError::UnsupportedMediaType(_) => UNSUPPORTED_MEDIA_TYPE,
            ApiError::RateLimited(_) => RATE_LIMITED,
            ApiError::App(e) => match e {
                AppError::Forbidden(_) => FORBIDDEN,
                AppError::NotFound => NOT_FOUND,
                AppError::InvalidTransition { .. } => INVALID_TRANSITION,
                AppError::Duplicate { .. } => DUPLICATE,
                AppError::Conflict(_) => CONFLICT,
                AppError::PreconditionFailed(_) => PRECONDITION_FAILED,
                AppError::Validation(_) => VALIDATION,
                AppError::Internal(_) => INTERNAL,
                AppError::Unavailable(_) => UNAVAILABLE,
                AppError::StorageFull(_) => STORAGE_FULL,
            },
        }
    }

    /// The problem document for this error, stamped with the current request id.
    pub fn to_problem(&self) -> Problem {
        let ProblemType { code, status, title, .. } = self.problem_type();
        let (errors, duplicate_ids) = match self {
            ApiError::App(AppError::Validation(errors) | AppError::InvalidTransition { errors, .. }) => {
                (errors.clone(), Vec::new())
            }
            ApiError::App(AppError::Duplicate { ids, .. }) => (Vec::new(), ids.clone()),
            _ => (Vec::new(), Vec::new()),
        };
        Problem {
            type_uri: format!("/problems/{code}"),
            title: title.to_owned(),
            status: status.as_u16(),
            code: code.to_owned(),
            detail: self.to_string(),
            errors,
            duplicate_ids,
            request_id: request_id::current().unwrap_or_default(),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.problem_type().status
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::App(AppError::Internal(detail)) => {
                log::error!("request_id={} internal error: {detail}", request_id::current().unwrap_or_default());
            }
            ApiError::App(AppError::StorageFull(detail)) => {
                log::error!("request_id={} storage full: {detail}", request_id::current().unwrap_or_default());
            }
            ApiError::App(AppError::Unavailable(detail)) => {
                log::warn!("request_id={} database unavailable: {detail}", request_id::current().unwrap_or_default());
            }
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        match self {
            ApiError::RateLimited(secs) => {
                response.insert_header((header::RETRY_AFTER, secs.to_string()));
            }
            ApiError::App(AppError::Unavailable(_)) => {
                response.insert_header((header::RETRY_AFTER, UNAVAILABLE_RETRY_AFTER_SECS.to_string()));
            }
            ApiError::Unauthenticated(_) => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            _ => {}
        }
        response.body(serde_json::to_string(&self.to_problem()).unwrap_or_default())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        AppError::from(e).into()
    }
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        AppError::from(e).into()
    }
}

impl From<validator::ValidationErrors> for ApiError {
    fn from(e: validator::ValidationErrors) -> Self {
        AppError::from(e).into()
    }
}

/// The answer for paths no route matches.
pub async fn not_found() -> Result<actix_web::HttpResponse, ApiError> {
    Err(AppError::NotFound.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_maps_to_its_documented_status() {
        let app = |e: AppError| ApiError::from(e).problem_type();
        assert_eq!(app(AppError::NotFound).status, StatusCode::NOT_FOUND);
        assert_eq!(app(AppError::PreconditionFailed(3)).code, "precondition_failed");
        assert_eq!(app(AppError::Validation(vec![])).status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app(AppError::Unavailable("x".into())).status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(ApiError::RateLimited(3).problem_type().status, StatusCode::TOO_MANY_REQUESTS);
    }

    #[test]
    fn internal_details_stay_out_of_the_problem() {
        let p = ApiError::from(AppError::Internal("relation \"leads\" does not exist".into())).to_problem();
        assert!(!p.detail.contains("relation"));
        let p = ApiError::from(AppError::from(StoreError::UniqueViolation("users_email_key".into()))).to_problem();
        assert!(!p.detail.contains("users_email_key"));
    }
}
