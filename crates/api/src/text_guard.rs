//! One rule for every string that enters at the edge: no NUL, and no other C0
//! control character but tab, CR and LF.
//!
//! PostgreSQL refuses NUL in text and SQLite stores it, so without this rule
//! the two databases would disagree (a 500 on one, stored data on the other).
//! In a JSON body a bad string is a 422 field error with code
//! `invalid_character`; in the path it is a 404 (no id contains one); in the
//! query string, or inside a cursor, a 400.

use crate::app::{AppError, FieldError};
use crate::error::ApiError;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::Error;
use serde_json::Value;

/// Whether `c` may appear in text: anything but the C0 controls (U+0000 to U+001F), tab, CR and LF excepted.
pub fn allowed(c: char) -> bool {
    c >= ' ' || matches!(c, '\t' | '\r' | '\n')
}

/// Whether `s` holds only allowed characters.
pub fn is_clean(s: &str) -> bool {
    s.chars().all(allowed)
}

/// The field error for every string (and object key) of a JSON body that
/// holds a refused character, named by its path (`lines[2].name`).
pub fn body_errors(value: &Value) -> Vec<FieldError> {
    let mut errors = Vec::new();
    walk(value, String::new(), &mut errors);
    errors
}

fn walk(value: &Value, path: String, errors: &mut Vec<FieldError>) {
    let here = |p: &str| if p.is_empty() { "(body)".to_owned() } else { p.to_owned() };
    match value {
        Value::String(s) if !is_clean(s) => errors.push(refused(&here(&path))),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, format!("{}[{i}]", here(&path)), errors);
            }
        }
        Value::Object(fields) => {
            for (key, item) in fields {
                let child = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                if is_clean(key) {
                    walk(item, child, errors);
                } else {
                    errors.push(refused(&here(&path)));
                }
            }
        }
        _ => {}
    }
}

fn refused(field: &str) -> FieldError {
    FieldError::new(
        field,
        "invalid_character",
        "must not contain NUL or other control characters (tab, CR and LF are allowed)",
    )
}

/// Refuse a body whose strings hold a refused character: 422 with one field error each.
pub fn check_body(value: &Value) -> Result<(), ApiError> {
    let errors = body_errors(value);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors).into())
    }
}

/// Middleware: a path whose decoded text holds a refused character is 404;
/// a query string whose decoded text does is 400. Both before any handler runs.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::EitherBody<impl MessageBody>>, Error> {
    let refusal = if !is_clean(&percent_decoded(req.path())) {
        Some(ApiError::from(AppError::NotFound))
    } else if !is_clean(&percent_decoded(&req.query_string().replace('+', " "))) {
        Some(ApiError::BadRequest("a query parameter holds NUL or another control character".into()))
    } else {
        None
    };
    match refusal {
        Some(e) => {
            let (req, _) = req.into_parts();
            let response = actix_web::ResponseError::error_response(&e);
            Ok(ServiceResponse::new(req, response).map_into_right_body())
        }
        None => next.call(req).await.map(ServiceResponse::map_into_left_body),
    }
}

/// `%XX` sequences decoded to characters (invalid UTF-8 replaced), for the check only.
fn percent_decoded(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(hi), Some(lo)) => {
                out.push(u8::try_from(hi * 16 + lo).unwrap_or(b'?'));
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nul_and_c0_controls_are_refused_tab_cr_lf_are_not() {
        assert!(is_clean("王芳\tline\r\nnext"));
        assert!(!is_clean("a\u{0}b"));
        assert!(!is_clean("bell\u{7}"));
        assert!(!is_clean("esc\u{1b}"));
        assert!(is_clean("del\u{7f} is not C0"));
    }

    #[test]
    fn body_errors_name_each_bad_string_by_its_path() {
        let body = json!({"name": "ok", "notes": "x\u{0}", "lines": [{"sku": "a"}, {"sku": "\u{1}"}], "n": 3});
        let fields: Vec<String> = body_errors(&body).into_iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["lines[1].sku", "notes"]);
        assert!(body_errors(&json!({"a\u{0}": 1}))[0].code == "invalid_character");
        assert!(body_errors(&json!("\u{0}"))[0].field == "(body)");
    }

    #[test]
    fn percent_decoding_finds_encoded_controls() {
        assert_eq!(percent_decoded("/leads/%00"), "/leads/\u{0}");
        assert_eq!(percent_decoded("q=%E4%B8%8A%E6%B5%B7"), "q=上海");
        assert_eq!(percent_decoded("bad=%zz%4"), "bad=%zz%4");
    }
}
