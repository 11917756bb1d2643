//! Refresh-token families, revoked access tokens and login throttles.

use crate::schema::{login_throttles, refresh_tokens, revoked_access_tokens};
use crate::{DbConnection, StoreResult};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// One refresh token; the token itself is never stored, only its SHA-256.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = refresh_tokens, treat_none_as_default_value = false)]
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
    use diesel::sql_types::{Text, Timestamp};
    // One statement, and a denial already recorded (a concurrent revocation) is no conflict.
    diesel::sql_query(
        "INSERT INTO revoked_access_tokens (jti, expires_at) \
         SELECT access_jti, access_expires_at FROM refresh_tokens \
         WHERE family_id = $1 AND access_jti IS NOT NULL AND access_expires_at > $2 \
         ON CONFLICT (jti) DO NOTHING",
    )
    .bind::<Text, _>(family_id)
    .bind::<Timestamp, _>(now)
    .execute(conn)?;
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
    use diesel::sql_types::{Text, Timestamp};
    // A token revoked twice at once (logout racing a reuse detection) is no conflict.
    diesel::sql_query(
        "INSERT INTO revoked_access_tokens (jti, expires_at) VALUES ($1, $2) ON CONFLICT (jti) DO NOTHING",
    )
    .bind::<Text, _>(jti)
    .bind::<Timestamp, _>(expires_at)
    .execute(conn)?;
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

/// The answer to asking for one more login attempt under a throttle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// Counted; go ahead and check the password.
    Granted,
    /// Refused: the key is locked until then.
    LockedUntil(NaiveDateTime),
}

/// The limits of one throttle key.
#[derive(Debug, Clone, Copy)]
pub struct ThrottleLimits {
    /// Attempts allowed in a window; the last one locks the key.
    pub max_attempts: i32,
    /// Attempts made before this began a new window.
    pub window_start: NaiveDateTime,
    /// Until when a key that reaches the limit stays locked.
    pub lock_until: NaiveDateTime,
}

/// Count one login attempt under `key`, if the key is not locked: a single
/// conditional UPDATE, so parallel attempts cannot both slip under the limit
/// (PostgreSQL re-checks the condition on the locked row; SQLite serialises
/// writes). The attempt that reaches the limit locks the key.
pub fn reserve_attempt(
    conn: &mut DbConnection,
    key: &str,
    now: NaiveDateTime,
    limits: ThrottleLimits,
) -> StoreResult<Attempt> {
    use diesel::sql_types::{Integer, Text, Timestamp};
    diesel::sql_query(
        "INSERT INTO login_throttles (throttle_key, attempts, window_started_at, locked_until) \
         VALUES ($1, 0, $2, NULL) ON CONFLICT (throttle_key) DO NOTHING",
    )
    .bind::<Text, _>(key)
    .bind::<Timestamp, _>(now)
    .execute(conn)?;
    // A window that has passed, or a lock that has run out, starts over. Once
    // one request has restarted it, the condition no longer holds for others.
    diesel::update(
        login_throttles::table.find(key).filter(
            login_throttles::window_started_at.lt(limits.window_start).or(login_throttles::locked_until.le(now)),
        ),
    )
    .set((
        login_throttles::attempts.eq(0),
        login_throttles::window_started_at.eq(now),
        login_throttles::locked_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    let granted = diesel::sql_query(
        "UPDATE login_throttles SET attempts = attempts + 1, \
         locked_until = CASE WHEN attempts + 1 >= $1 THEN $2 ELSE NULL END \
         WHERE throttle_key = $3 AND attempts < $1 AND locked_until IS NULL",
    )
    .bind::<Integer, _>(limits.max_attempts)
    .bind::<Timestamp, _>(limits.lock_until)
    .bind::<Text, _>(key)
    .execute(conn)?;
    if granted == 1 {
        return Ok(Attempt::Granted);
    }
    let locked_until: Option<Option<NaiveDateTime>> =
        login_throttles::table.find(key).select(login_throttles::locked_until).first(conn).optional()?;
    Ok(Attempt::LockedUntil(locked_until.flatten().unwrap_or(limits.lock_until)))
}

/// Give back an attempt that turned out to be a success, so that a client
/// address is throttled on its failures only.
pub fn refund_attempt(conn: &mut DbConnection, key: &str) -> StoreResult<()> {
    diesel::update(login_throttles::table.find(key).filter(login_throttles::attempts.gt(0)))
        .set(login_throttles::attempts.eq(login_throttles::attempts - 1))
        .execute(conn)?;
    Ok(())
}

/// Forget the attempts under `key` (after a successful login).
pub fn clear_throttle(conn: &mut DbConnection, key: &str) -> StoreResult<()> {
    diesel::delete(login_throttles::table.find(key)).execute(conn)?;
    Ok(())
}
