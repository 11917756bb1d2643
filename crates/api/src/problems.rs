//! Short human-readable pages at each problem `type` URI, from the one table in [`crate::error`].

use crate::error::PROBLEM_TYPES;
use actix_web::{get, web, HttpResponse};

/// A problem type's page.
#[get("/problems/{code}")]
pub async fn problem_page(code: web::Path<String>) -> HttpResponse {
    match PROBLEM_TYPES.iter().find(|p| p.code == code.as_str()) {
        Some(p) => HttpResponse::Ok().content_type("text/html; charset=utf-8").body(format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>{code}</title></head>\
             <body><h1>{title} ({code}, {status})</h1><p>{explanation}</p></body></html>",
            code = p.code,
            title = p.title,
            status = p.status.as_u16(),
            explanation = p.explanation,
        )),
        None => HttpResponse::NotFound().content_type("text/html; charset=utf-8").body("<h1>unknown problem type</h1>"),
    }
}
