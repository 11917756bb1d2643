//! List envelopes, limits and opaque cursors.

use crate::app::AppResult;
use crate::error::ApiError;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::Serialize;
use utoipa::ToSchema;

/// The default page size.
pub const DEFAULT_LIMIT: i64 = 50;
/// The largest page size.
pub const MAX_LIMIT: i64 = 200;

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    /// The records on this page.
    pub data: Vec<T>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    // Always sent, `null` or not, so required: clients then need not treat it as possibly missing.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
    /// How many records match in all; only with `count=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
}

/// The page size asked for, checked against the bounds.
pub fn limit(requested: Option<i64>) -> Result<i64, ApiError> {
    match requested {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(n) => Err(ApiError::BadRequest(format!("limit must be between 1 and {MAX_LIMIT}, not {n}"))),
    }
}

/// Encode a cursor: base64url of its JSON. Opaque to clients.
pub fn encode_cursor<C: Serialize>(cursor: &C) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(cursor).unwrap_or_default())
}

/// Decode a cursor made by [`encode_cursor`]; anything else is a 400.
pub fn decode_cursor<C: DeserializeOwned>(cursor: &str) -> Result<C, ApiError> {
    let bad = || ApiError::BadRequest("the cursor is not valid; start again without one".to_owned());
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let raw: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    if !crate::text_guard::body_errors(&raw).is_empty() {
        return Err(bad());
    }
    serde_json::from_value(raw).map_err(|_| bad())
}

/// The cursor of lists ordered by id alone.
#[derive(Debug, Serialize, serde::Deserialize)]
pub struct IdCursor {
    /// The last id on the previous page.
    pub after: String,
}

/// Build a page from up to `limit + 1` rows: the extra row only says there is
/// more, and the cursor points after the last row kept.
pub fn page<R, T>(
    mut rows: Vec<R>,
    limit: i64,
    cursor_after: impl Fn(&R) -> String,
    map: impl FnMut(R) -> AppResult<T>,
) -> AppResult<Page<T>> {
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = rows.last().filter(|_| more).map(cursor_after);
    let data = rows.into_iter().map(map).collect::<Result<Vec<_>, _>>()?;
    Ok(Page { data, next_cursor, total: None })
}

/// [`page`] for lists ordered by id alone.
pub fn page_by_id<R, T>(
    rows: Vec<R>,
    limit: i64,
    id: impl Fn(&R) -> String,
    map: impl FnMut(R) -> AppResult<T>,
) -> AppResult<Page<T>> {
    page(rows, limit, |r| encode_cursor(&IdCursor { after: id(r) }), map)
}

/// The `after` id of an optional id cursor.
pub fn after_id(cursor: Option<&str>) -> Result<Option<String>, ApiError> {
    cursor.map(|c| decode_cursor::<IdCursor>(c).map(|c| c.after)).transpose()
}

/// The non-blank, trimmed words of a comma-separated filter.
fn words(raw: Option<&str>) -> impl Iterator<Item = &str> {
    raw.map(|r| r.split(',').map(str::trim).filter(|s| !s.is_empty())).into_iter().flatten()
}

/// Split a comma-separated filter such as `status=new,working`, checking each
/// word with `check`; a bad word is a 400 naming `param`. Blank words are skipped.
pub fn comma_list(
    param: &str,
    raw: Option<&str>,
    check: impl Fn(&str) -> Result<(), String>,
) -> Result<Vec<String>, ApiError> {
    words(raw)
        .map(|w| check(w).map(|_| w.to_owned()).map_err(|e| ApiError::BadRequest(format!("{param}: {e}"))))
        .collect()
}

/// [`comma_list`] whose words must be values of the enum `T`, parsed into it.
pub fn enum_list<T: std::str::FromStr>(param: &str, raw: Option<&str>) -> Result<Vec<T>, ApiError>
where
    T::Err: std::fmt::Display,
{
    words(raw).map(|w| w.parse::<T>().map_err(|e| ApiError::BadRequest(format!("{param}: {e}")))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_bounded() {
        assert_eq!(limit(None).ok(), Some(50));
        assert_eq!(limit(Some(200)).ok(), Some(200));
        assert!(limit(Some(0)).is_err());
        assert!(limit(Some(201)).is_err());
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let c = encode_cursor(&IdCursor { after: "abc".into() });
        assert_eq!(decode_cursor::<IdCursor>(&c).map(|c| c.after).ok(), Some("abc".into()));
        assert!(decode_cursor::<IdCursor>("%%%").is_err());
        assert!(decode_cursor::<IdCursor>(&URL_SAFE_NO_PAD.encode(b"[1]")).is_err());
    }
}
