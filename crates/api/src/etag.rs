//! Weak ETags carrying the record version, and `If-Match` preconditions.

pub use crate::app::precondition::IfMatch;
use crate::error::ApiError;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};
use actix_web::{HttpResponse, HttpResponseBuilder};
use futures_util::future::{ready, Ready};
use serde::Serialize;

/// The ETag of a record at `version`: `W/"<version>"`.
pub fn etag(version: i64) -> String {
    format!("W/\"{version}\"")
}

/// A record answered with its version as the ETag.
pub trait Versioned {
    /// The record's version.
    fn version(&self) -> i64;
}

/// `impl Versioned` for DTOs that carry a `version` field; each resource
/// invokes it for its own records, next to their definition.
macro_rules! versioned {
    ($($dto:ty),+ $(,)?) => {
        $(impl $crate::etag::Versioned for $dto {
            fn version(&self) -> i64 {
                self.version
            }
        })+
    };
}
pub(crate) use versioned;

/// Answer 201 Created with `record`, its ETag, and `Location: location`.
pub fn created<T: Serialize + Versioned>(location: String, record: &T) -> HttpResponse {
    let mut builder = HttpResponse::Created();
    builder.insert_header((header::LOCATION, location));
    with_etag(builder, record)
}

/// Answer with `record` as JSON and its ETag.
pub fn with_etag<T: Serialize + Versioned>(mut builder: HttpResponseBuilder, record: &T) -> HttpResponse {
    builder.insert_header((header::ETAG, etag(record.version()))).json(record)
}

fn parse(value: &str) -> Option<Option<i64>> {
    let v = value.trim();
    if v == "*" {
        return Some(None);
    }
    let v = v.strip_prefix("W/").unwrap_or(v);
    v.strip_prefix('"')?.strip_suffix('"')?.parse().ok().map(Some)
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(raw) = req.headers().get(header::IF_MATCH) else {
            return ready(Ok(IfMatch(None)));
        };
        let parsed = raw.to_str().ok().and_then(parse);
        ready(
            parsed
                .map(IfMatch)
                .ok_or_else(|| ApiError::BadRequest("If-Match must be an ETag such as W/\"3\"".to_owned())),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_accepts_weak_strong_and_star() {
        assert_eq!(parse("W/\"3\""), Some(Some(3)));
        assert_eq!(parse("\"7\""), Some(Some(7)));
        assert_eq!(parse("*"), Some(None));
        assert_eq!(parse("3"), None);
        assert!(IfMatch(Some(2)).check(3).is_err());
        assert!(IfMatch(Some(3)).check(3).is_ok());
        assert!(IfMatch(None).check(3).is_ok());
    }
}
