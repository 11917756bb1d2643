//! `/account-pools`: reading pools (everyone signed in) and configuring them (admins).

use super::ENTITY;
use crate::account_pools::dto::{AccountPool, AccountPoolPatch, CreateAccountPool};
use crate::app::permission::Administer;
use crate::app::Actor;
use crate::app::AppError;
use crate::audit::{self, snapshot};
use crate::auth::Authorized;
use crate::auth::Caller;
use crate::db;
use crate::error::ApiError;
use crate::etag::with_etag;
use crate::etag::IfMatch;
use crate::extract::ValidJson;
use crate::org::departments::require_department;
use crate::pagination::{self, Page};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use salesops_persistence::account_pools::{self, PoolRow};
use salesops_persistence::{clock, DbConnection, StoreError};
use serde::Deserialize;
use utoipa::IntoParams;
use validator::Validate;

fn name_taken() -> AppError {
    AppError::invalid_field("name", "taken", "another pool has this name (deleted pools keep theirs)")
}

fn map_unique(e: StoreError) -> AppError {
    if e.is_unique_violation_on("name") {
        name_taken()
    } else {
        e.into()
    }
}

/// Load a live pool or answer 404.
pub fn load(conn: &mut DbConnection, id: &str) -> Result<PoolRow, AppError> {
    account_pools::find(conn, id)?.ok_or(AppError::NotFound)
}

/// Check what a pool write needs from other rows: a free name and an existing department.
fn check_references(conn: &mut DbConnection, input: &CreateAccountPool, id: Option<&str>) -> Result<(), AppError> {
    if account_pools::name_taken(conn, &input.name, id)? {
        return Err(name_taken());
    }
    if let Some(department) = &input.department_id {
        require_department(conn, "department_id", department)?;
    }
    Ok(())
}

/// When `pool` became the default, the previous default stops being it.
fn demote_other_defaults(conn: &mut DbConnection, caller: &Actor, pool: &PoolRow) -> Result<(), AppError> {
    if !pool.is_default {
        return Ok(());
    }
    for other in account_pools::other_defaults(conn, &pool.id)? {
        let mut after = other.clone();
        after.is_default = false;
        audit::save_versioned::<_, AccountPool>(conn, caller, ENTITY, "update", &other, after, map_unique)?;
    }
    Ok(())
}

/// Paging of the pool list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PoolListQuery {
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Include `total`.
    #[serde(default)]
    pub count: bool,
}

/// List customer pools.
///
/// Every signed-in user may read the pools, in id order (oldest first).
#[utoipa::path(
    tag = "account-pools",
    operation_id = "list_account_pools",
    params(PoolListQuery),
    responses((status = 200, description = "One page of pools", body = Page<AccountPool>)),
    security(("bearer" = []))
)]
#[get("/account-pools")]
pub async fn list_account_pools(
    state: web::Data<AppState>,
    _caller: Caller,
    query: web::Query<PoolListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    let after = pagination::after_id(q.cursor.as_deref())?;
    let page = db::read(&state, move |conn| {
        let rows = account_pools::list(conn, after.as_deref(), limit + 1)?;
        let mut page = pagination::page_by_id(rows, limit, |r| r.id.clone(), |r| Ok(AccountPool::from(r)))?;
        if q.count {
            page.total = Some(account_pools::count(conn)?);
        }
        Ok(page)
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Get a customer pool.
#[utoipa::path(
    tag = "account-pools",
    operation_id = "get_account_pool",
    params(("id" = String, Path, description = "Pool id")),
    responses(
        (status = 200, description = "The pool", body = AccountPool, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 404, description = "No such pool"),
    ),
    security(("bearer" = []))
)]
#[get("/account-pools/{id}")]
pub async fn get_account_pool(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let pool = db::read(&state, move |conn| Ok(AccountPool::from(load(conn, &id)?))).await?;
    Ok(with_etag(HttpResponse::Ok(), &pool))
}

/// Create a customer pool (admins).
///
/// The name must be unique. With `is_default: true` the new pool becomes the
/// default and the previous default stops being it.
#[utoipa::path(
    tag = "account-pools",
    operation_id = "create_account_pool",
    request_body = CreateAccountPool,
    responses(
        (status = 201, description = "Created", body = AccountPool,
         headers(("Location" = String, description = "The new pool's URL"), ("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Only admins configure pools"),
        (status = 422, description = "`validation`: a rule out of range, the name taken, an unknown department"),
    ),
    security(("bearer" = []))
)]
#[post("/account-pools")]
pub async fn create_account_pool(
    state: web::Data<AppState>,
    caller: Authorized<Administer>,
    body: ValidJson<CreateAccountPool>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let pool = db::write(&state, move |conn| {
        account_pools::lock_all(conn)?;
        check_references(conn, &input, None)?;
        let mut row = PoolRow::new(&input.name, Some(caller.id()));
        input.write_to(&mut row);
        account_pools::insert(conn, &row).map_err(map_unique)?;
        demote_other_defaults(conn, &caller, &row)?;
        let pool = AccountPool::from(row);
        audit::record(conn, &caller, "create", ENTITY, &pool.id, &serde_json::Value::Null, &snapshot(&pool))?;
        Ok(pool)
    })
    .await?;
    let mut created = HttpResponse::Created();
    created.insert_header((header::LOCATION, format!("/api/v1/account-pools/{}", pool.id)));
    Ok(with_etag(created, &pool))
}

/// Patch a customer pool (admins; JSON Merge Patch).
///
/// `null` switches a rule off. `is_default: true` makes this the default pool and
/// the previous default stops being it; the default pool cannot be un-defaulted
/// directly (make another pool the default instead). Send `If-Match: W/"<version>"`
/// to refuse the change (412) if someone changed the pool first.
#[utoipa::path(
    tag = "account-pools",
    operation_id = "update_account_pool",
    params(
        ("id" = String, Path, description = "Pool id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" of the pool the change is based on"),
    ),
    request_body(content = AccountPoolPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed pool", body = AccountPool, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Only admins configure pools"),
        (status = 409, description = "`conflict`: the pool changed while the request ran"),
        (status = 412, description = "`If-Match` is stale"),
        (status = 422, description = "`validation`: a rule out of range, the name taken, an unknown department"),
    ),
    security(("bearer" = []))
)]
#[patch("/account-pools/{id}")]
pub async fn update_account_pool(
    state: web::Data<AppState>,
    caller: Authorized<Administer>,
    id: web::Path<String>,
    if_match: IfMatch,
    body: ValidJson<AccountPoolPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let patch = body.0;
    let pool = db::write(&state, move |conn| {
        account_pools::lock_all(conn)?;
        account_pools::lock(conn, &id)?;
        let row = load(conn, &id)?;
        if_match.check(row.version)?;
        let input = patch.apply(CreateAccountPool::from_row(&row))?;
        input.validate()?;
        if row.is_default && !input.is_default {
            return Err(AppError::invalid_field(
                "is_default",
                "invalid_value",
                "there must be a default pool; make another pool the default instead",
            ));
        }
        check_references(conn, &input, Some(&row.id))?;
        let mut after = row.clone();
        input.write_to(&mut after);
        demote_other_defaults(conn, &caller, &after)?;
        audit::save_versioned::<_, AccountPool>(conn, &caller, ENTITY, "update", &row, after, map_unique)
    })
    .await?;
    Ok(with_etag(HttpResponse::Ok(), &pool))
}

/// Delete a customer pool (admins; soft).
///
/// The default pool, and a pool that is still the home of any account (owned or
/// not), cannot be deleted: 409 `invalid_transition`. Move or release the accounts first.
#[utoipa::path(
    tag = "account-pools",
    operation_id = "delete_account_pool",
    params(
        ("id" = String, Path, description = "Pool id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the deletion is based on"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Only admins configure pools"),
        (status = 409, description = "`invalid_transition`: the default pool, or a pool holding accounts"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[delete("/account-pools/{id}")]
pub async fn delete_account_pool(
    state: web::Data<AppState>,
    caller: Authorized<Administer>,
    id: web::Path<String>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    db::write(&state, move |conn| {
        account_pools::lock_all(conn)?;
        account_pools::lock(conn, &id)?;
        let row = load(conn, &id)?;
        if_match.check(row.version)?;
        if row.is_default {
            return Err(AppError::InvalidTransition {
                detail: "the default pool cannot be deleted; make another pool the default first".into(),
                errors: Vec::new(),
            });
        }
        let held = account_pools::account_count(conn, &row.id)?;
        if held > 0 {
            return Err(AppError::InvalidTransition {
                detail: format!("the pool is the home of {held} account(s); move them to another pool first"),
                errors: Vec::new(),
            });
        }
        let mut after = row.clone();
        after.deleted_at = Some(clock::now());
        audit::save_versioned::<_, AccountPool>(conn, &caller, ENTITY, "delete", &row, after, map_unique).map(|_| ())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
