//! Refresh-token families, revoked access tokens and login throttles.

use crate::schema::{login_throttles, refresh_tokens, revoked_access_tokens};
use crate::{DbConnection, StoreResult};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// One refresh token; the token itself is never stored, only its SHA-256.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshTokenRow {
    /// UUIDv7.
    pub id: String,
    /// Every token rotated from one login shares a family.
    pub family_id: String,
    /// Whose token it is.
    pub user_id: String,
    /// Hex SHA-256 of the token.
    pub token_hash: String,
    /// When it stops working.
    pub expires_at: NaiveDateTime,
    /// When it was issued.
    pub created_at: NaiveDateTime,
    /// When it was exchanged for a new pair; a second use is theft.
    pub used_at: Option<NaiveDateTime>,
    /// When its family was revoked.
    pub revoked_at: Option<NaiveDateTime>,
    /// The access token issued with it, revoked with its family.
    pub access_jti: Option<String>,
    /// When that access token expires (its denial can be purged after).
    pub access_expires_at: Option<NaiveDateTime>,
}

/// Store a newly issued refresh token.
pub fn insert_refresh(conn: &mut DbConnection, row: &RefreshTokenRow) -> StoreResult<()> {
    diesel::insert_into(refresh_tokens::table).values(row).execute(conn)?;
    Ok(())
}

/// The refresh token with this hash.
pub fn find_refresh(conn: &mut DbConnection, token_hash: &str) -> StoreResult<Option<RefreshTokenRow>> {
    Ok(refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(token_hash))
        .select(RefreshTokenRow::as_select())
        .first(conn)
        .optional()?)
}

/// Mark a token used, only if it is still unused and unrevoked. False means
/// someone else used it first: the caller treats that as reuse.
pub fn mark_refresh_used(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> StoreResult<bool> {
    let n = diesel::update(
        refresh_tokens::table
            .find(id)
            .filter(refresh_tokens::used_at.is_null())
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::used_at.eq(now))
    .execute(conn)?;
    Ok(n == 1)
}

/// Revoke every token of a family, and every access token issued with one
/// of them that has not expired yet: a stolen refresh token must not leave the
/// thief a working access token.
pub fn revoke_family(conn: &mut DbConnection, family_id: &str, now: NaiveDateTime) -> StoreResult<()> {
    let issued: Vec<(Option<String>, Option<NaiveDateTime>)> = refresh_tokens::table
        .filter(refresh_tokens::family_id.eq(family_id))
        .filter(refresh_tokens::access_expires_at.gt(now))
        .select((refresh_tokens::access_jti, refresh_tokens::access_expires_at))
        .load(conn)?;
    for (jti, expires_at) in issued {
        if let (Some(jti), Some(expires_at)) = (jti, expires_at) {
            revoke_access(conn, &jti, expires_at)?;
        }
    }
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now))
    .execute(conn)?;
    Ok(())
}

/// Revoke every refresh token of a user (on deactivation).
pub fn revoke_all_for_user(conn: &mut DbConnection, user_id: &str, now: NaiveDateTime) -> StoreResult<()> {
    diesel::update(
        refresh_tokens::table.filter(refresh_tokens::user_id.eq(user_id)).filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now))
    .execute(conn)?;
    Ok(())
}

/// Deny an access token until it would have expired anyway.
pub fn revoke_access(conn: &mut DbConnection, jti: &str, expires_at: NaiveDateTime) -> StoreResult<()> {
    let exists = revoked_access_tokens::table.find(jti).count().get_result::<i64>(conn)? > 0;
    if !exists {
        diesel::insert_into(revoked_access_tokens::table)
            .values((revoked_access_tokens::jti.eq(jti), revoked_access_tokens::expires_at.eq(expires_at)))
            .execute(conn)?;
    }
    Ok(())
}

/// Whether an access token was revoked by logout.
pub fn is_access_revoked(conn: &mut DbConnection, jti: &str) -> StoreResult<bool> {
    Ok(revoked_access_tokens::table.find(jti).count().get_result::<i64>(conn)? > 0)
}

/// Drop denials and refresh tokens that have expired anyway.
pub fn purge_expired(conn: &mut DbConnection, now: NaiveDateTime) -> StoreResult<usize> {
    let a =
        diesel::delete(revoked_access_tokens::table.filter(revoked_access_tokens::expires_at.lt(now))).execute(conn)?;
    let r = diesel::delete(refresh_tokens::table.filter(refresh_tokens::expires_at.lt(now))).execute(conn)?;
    Ok(a + r)
}

/// Failed-login book-keeping for one email.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = login_throttles, treat_none_as_null = true)]
pub struct LoginThrottleRow {
    /// Lower-cased email the attempts were made for.
    pub email: String,
    /// Failures in the current window.
    pub failures: i32,
    /// When the current window began.
    pub window_started_at: NaiveDateTime,
    /// Logins are refused until then.
    pub locked_until: Option<NaiveDateTime>,
}

/// The throttle state for an email.
pub fn find_throttle(conn: &mut DbConnection, email: &str) -> StoreResult<Option<LoginThrottleRow>> {
    Ok(login_throttles::table.find(email).select(LoginThrottleRow::as_select()).first(conn).optional()?)
}

/// Store the throttle state for an email.
pub fn save_throttle(conn: &mut DbConnection, row: &LoginThrottleRow) -> StoreResult<()> {
    let n = diesel::update(login_throttles::table.find(&row.email)).set(row).execute(conn)?;
    if n == 0 {
        diesel::insert_into(login_throttles::table).values(row).execute(conn)?;
    }
    Ok(())
}

/// Forget failures after a successful login.
pub fn clear_throttle(conn: &mut DbConnection, email: &str) -> StoreResult<()> {
    diesel::delete(login_throttles::table.find(email)).execute(conn)?;
    Ok(())
}
