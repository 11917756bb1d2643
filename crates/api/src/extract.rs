//! Request-body extraction with one error envelope: media type (415), size (413),
//! syntax (400), shape and field validation (422, with the field's path).

use crate::app::FieldError;
use crate::error::ApiError;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use validator::Validate;

/// A JSON body, deserialized strictly (unknown fields are refused) and validated.
#[derive(Debug)]
pub struct ValidJson<T>(pub T);

/// The largest accepted request body, in bytes; stored in app data.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

fn is_json_media_type(req: &HttpRequest) -> bool {
    let Some(value) = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// How long a request may take to send its body; stored in app data.
#[derive(Debug, Clone, Copy)]
pub struct BodyTimeout(pub std::time::Duration);

/// Read the whole body within the configured time: a body that stalls is 408,
/// one over the size limit 413, a broken one 400.
fn read_body(
    req: &HttpRequest,
    payload: &mut Payload,
) -> impl std::future::Future<Output = Result<web::Bytes, ApiError>> {
    let limit = body_limit(req);
    let timeout = req.app_data::<BodyTimeout>().map(|t| t.0).unwrap_or(std::time::Duration::from_secs(30));
    let body = web::Bytes::from_request(req, payload);
    async move {
        match actix_web::rt::time::timeout(timeout, body).await {
            Ok(read) => read.map_err(|e| read_error(e, limit)),
            Err(_) => Err(ApiError::RequestTimeout(timeout.as_secs())),
        }
    }
}

/// The configured body size limit (256 KiB unless set).
fn body_limit(req: &HttpRequest) -> usize {
    req.app_data::<BodyLimit>().map(|l| l.0).unwrap_or(256 * 1024)
}

/// A body that could not be read: too large (413) or otherwise broken (400).
fn read_error(e: actix_web::Error, limit: usize) -> ApiError {
    if e.as_response_error().status_code() == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge(limit)
    } else {
        ApiError::BadRequest(format!("could not read the body: {e}"))
    }
}

fn not_json() -> ApiError {
    ApiError::UnsupportedMediaType("send the body as application/json".to_owned())
}

impl<T: DeserializeOwned + Validate + 'static> FromRequest for ValidJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = is_json_media_type(req);
        let body = read_body(req, payload);
        Box::pin(async move {
            if !json {
                return Err(not_json());
            }
            let bytes = body.await?;
            let value: T = parse_json(&bytes)?;
            value.validate()?;
            Ok(ValidJson(value))
        })
    }
}

/// A JSON body that may be omitted: an empty body reads as `T::default()`.
/// A body that is sent is held to the same rules as [`ValidJson`]:
/// JSON media type (415), size (413), syntax (400), unknown fields and validation (422).
#[derive(Debug)]
pub struct OptionalJson<T>(pub T);

impl<T: DeserializeOwned + Validate + Default + 'static> FromRequest for OptionalJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = is_json_media_type(req);
        let body = read_body(req, payload);
        Box::pin(async move {
            let bytes = body.await?;
            if bytes.iter().all(u8::is_ascii_whitespace) {
                return Ok(OptionalJson(T::default()));
            }
            if !json {
                return Err(not_json());
            }
            let value: T = parse_json(&bytes)?;
            value.validate()?;
            Ok(OptionalJson(value))
        })
    }
}

/// Deserialize `bytes`, reporting syntax errors as 400 and shape errors as 422 on the offending field.
/// Strings holding NUL or another control character are a 422 `invalid_character` (see [`crate::text_guard`]).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // Syntax errors surface below, with serde's own message; a body that parses is checked first.
    if let Ok(raw) = serde_json::from_slice::<serde_json::Value>(bytes) {
        crate::text_guard::check_body(&raw)?;
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let result: Result<T, _> = serde_path_to_error::deserialize(&mut de);
    let value = result.map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if !inner.is_data() {
            return ApiError::BadRequest(format!("malformed JSON: {inner}"));
        }
        ApiError::from(field_error(&path, &inner.to_string()))
    })?;
    de.end().map_err(|e| ApiError::BadRequest(format!("malformed JSON: {e}")))?;
    Ok(value)
}

/// Turn serde's message into a field error with a stable code.
fn field_error(path: &str, message: &str) -> FieldError {
    let message = message.split(" at line ").next().unwrap_or(message).to_owned();
    let quoted = message.split('`').nth(1).unwrap_or("").to_owned();
    let join = |name: &str| {
        if path == "." || path.is_empty() {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        }
    };
    let whole = if path == "." || path.is_empty() { "(body)".to_owned() } else { path.to_owned() };
    if message.starts_with("missing field") {
        FieldError::new(join(&quoted), "required", "is required")
    } else if message.starts_with("unknown field") {
        // The path already ends with the unknown field's name.
        let field = if path == "." || path.is_empty() { quoted } else { path.to_owned() };
        FieldError::new(field, "unknown_field", message)
    } else if message.starts_with("unknown variant") {
        FieldError::new(whole, "invalid_value", message)
    } else if message.starts_with("invalid type") {
        FieldError::new(whole, "invalid_type", message)
    } else {
        FieldError::new(whole, "invalid", message)
    }
}

/// A string with surrounding white space removed.
pub fn trimmed<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    use serde::Deserialize;
    String::deserialize(deserializer).map(|s| s.trim().to_owned())
}

/// An optional string, trimmed, with an empty one read as absent.
pub fn trimmed_opt<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    use serde::Deserialize;
    Option::<String>::deserialize(deserializer).map(crate::validation::tidy)
}

/// `Option<Option<T>>` for JSON Merge Patch: absent is `None`, `null` is `Some(None)`.
pub fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    use serde::Deserialize;
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A field that must be sent but may be `null`, as `Option<T>`: `null` is `None`.
///
/// serde reads a plain `Option` field that is left out as `None`; with this as its
/// `deserialize_with` (and no `default`), leaving it out is 422 `required` instead, so
/// a client that forgets the field is not taken to mean `null`. Declare the field
/// `#[schema(required = true)]` so the schema says the same.
pub fn required_nullable<'de, T, D>(deserializer: D) -> Result<Option<T>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    use serde::Deserialize;
    Option::<T>::deserialize(deserializer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        score: Option<u8>,
    }

    fn validation_fields(e: ApiError) -> Vec<(String, String)> {
        match e {
            ApiError::App(crate::app::AppError::Validation(errors)) => {
                errors.into_iter().map(|f| (f.field, f.code)).collect()
            }
            other => panic!("expected validation, got {other:?}"),
        }
    }

    #[test]
    fn syntax_errors_are_bad_requests() {
        assert!(matches!(parse_json::<Body>(b"{\"name\":"), Err(ApiError::BadRequest(_))));
        assert!(matches!(parse_json::<Body>(b"{\"name\":\"a\"} trailing"), Err(ApiError::BadRequest(_))));
    }

    #[test]
    fn shape_errors_name_the_field() {
        let e = parse_json::<Body>(br#"{"name":"a","score":"high"}"#).unwrap_err();
        assert_eq!(validation_fields(e), vec![("score".into(), "invalid_type".into())]);
        let e = parse_json::<Body>(br#"{"score":1}"#).unwrap_err();
        assert_eq!(validation_fields(e), vec![("name".into(), "required".into())]);
        let e = parse_json::<Body>(br#"{"name":"a","nmae":"b"}"#).unwrap_err();
        assert_eq!(validation_fields(e), vec![("nmae".into(), "unknown_field".into())]);
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Limit {
        #[serde(deserialize_with = "required_nullable")]
        max: Option<i32>,
    }

    #[test]
    fn a_required_nullable_field_takes_null_but_not_absence() {
        assert_eq!(parse_json::<Limit>(br#"{"max":null}"#).unwrap().max, None);
        assert_eq!(parse_json::<Limit>(br#"{"max":7}"#).unwrap().max, Some(7));
        let e = parse_json::<Limit>(b"{}").unwrap_err();
        assert_eq!(validation_fields(e), vec![("max".into(), "required".into())]);
    }
}
