//! Short human-readable pages at each problem `type` URI.

use actix_web::{get, web, HttpResponse};

const PAGES: &[(&str, u16, &str)] = &[
    (
        "bad_request",
        400,
        "The request is malformed: broken JSON, a bad query parameter or cursor, or an unknown sort field.",
    ),
    (
        "unauthenticated",
        401,
        "Send a valid access token as `Authorization: Bearer <token>`; log in or refresh to get one.",
    ),
    ("forbidden", 403, "Your role may not perform this operation."),
    ("not_found", 404, "The record does not exist, was deleted, or is outside your data scope."),
    (
        "invalid_transition",
        409,
        "The record's state does not allow this command; `errors` lists missing fields when that is the reason.",
    ),
    (
        "duplicate",
        409,
        "A matching record exists; `duplicate_ids` lists it. Retry with `allow_duplicate=true` to create anyway.",
    ),
    ("conflict", 409, "A unique value is taken, or the record changed while the request ran."),
    ("precondition_failed", 412, "`If-Match` names an old version. Fetch the record again and re-apply your change."),
    ("payload_too_large", 413, "The request body exceeds the configured limit."),
    ("unsupported_media_type", 415, "Send the body as `application/json`."),
    ("validation", 422, "One or more fields are invalid; `errors` lists each with a code and message."),
    ("rate_limited", 429, "Too many attempts. Wait `Retry-After` seconds."),
    ("internal", 500, "Something failed on the server. Quote the `request_id` when reporting it."),
    ("unavailable", 503, "The database is unreachable or busy. Retry after `Retry-After` seconds."),
];

/// A problem type's page.
#[get("/problems/{code}")]
pub async fn problem_page(code: web::Path<String>) -> HttpResponse {
    match PAGES.iter().find(|(c, _, _)| *c == code.as_str()) {
        Some((c, status, text)) => HttpResponse::Ok().content_type("text/html; charset=utf-8").body(format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>{c}</title></head>\
             <body><h1>{c} ({status})</h1><p>{text}</p></body></html>"
        )),
        None => HttpResponse::NotFound().content_type("text/html; charset=utf-8").body("<h1>unknown problem type</h1>"),
    }
}
