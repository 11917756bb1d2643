//! A command body that may be left out.

use crate::error::ApiError;
use crate::extract::{parse_json, BodyLimit};
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use validator::Validate;

/// A JSON body that may be omitted: an empty body reads as `T::default()`.
/// A body that is sent is held to the same rules as [`crate::extract::ValidJson`]:
/// JSON media type (415), size (413), syntax (400), unknown fields and validation (422).
#[derive(Debug)]
pub struct OptionalJson<T>(pub T);

impl<T: DeserializeOwned + Validate + Default + 'static> FromRequest for OptionalJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase());
        let limit = req.app_data::<BodyLimit>().map(|l| l.0).unwrap_or(256 * 1024);
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let bytes = body.await.map_err(|e| {
                if e.as_response_error().status_code() == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::PayloadTooLarge(limit)
                } else {
                    ApiError::BadRequest(format!("could not read the body: {e}"))
                }
            })?;
            if bytes.iter().all(u8::is_ascii_whitespace) {
                return Ok(OptionalJson(T::default()));
            }
            let json = content_type
                .is_some_and(|c| c == "application/json" || (c.starts_with("application/") && c.ends_with("+json")));
            if !json {
                return Err(ApiError::UnsupportedMediaType("send the body as application/json".to_owned()));
            }
            let value: T = parse_json(&bytes)?;
            value.validate()?;
            Ok(OptionalJson(value))
        })
    }
}
