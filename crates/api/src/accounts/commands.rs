//! Account ownership: `transfer`, and the owner history every ownership change appends to.

use crate::accounts::dto::{Account, OwnerChange, TransferAccount};
use crate::accounts::service::{load_visible, map_unique};
use crate::accounts::ENTITY;
use crate::app::permission::AssignRecords;
use crate::app::Actor;
use crate::app::AppError;
use crate::audit;
use crate::auth::Authorized;
use crate::auth::Caller;
use crate::db;
use crate::error::ApiError;
use crate::etag::with_etag;
use crate::etag::IfMatch;
use crate::extract::ValidJson;
use crate::org::users::check_assignable;
use crate::pagination::{self, Page};
use crate::state::AppState;
use actix_web::{get, post, web, HttpResponse};
use salesops_domain::account::{check_transfer, OwnerChangeReason};
use salesops_persistence::account_owner_changes::{self, OwnerChangeRow};
use salesops_persistence::scope::Visibility;
use salesops_persistence::{clock, opportunities, DbConnection};
use serde::Deserialize;
use utoipa::IntoParams;

/// Hand every open opportunity of `account_id` not already owned by `new_owner` to
/// them, each under its row lock, with a version bump and an audit event
/// (through [`opportunities::service::save`], with the opportunity's full snapshots).
///
/// Refused (409 `invalid_transition`, with a count and no ids) when any of them
/// is owned by someone outside the caller's scope: a manager moves only what they
/// may see, and a partial move would split the account's pipeline silently.
fn move_open_opportunities(
    conn: &mut DbConnection,
    caller: &Actor,
    visibility: &Visibility,
    account_id: &str,
    new_owner: &str,
) -> Result<(), AppError> {
    let open = opportunities::open_for_account(conn, account_id)?;
    let hidden = open.iter().filter(|o| !visibility.allows(Some(&o.owner_id))).count();
    if hidden > 0 {
        return Err(AppError::InvalidTransition {
            detail: format!(
                "{hidden} open opportunit{} of this account belong{} to owners outside your scope; \
                 transfer without include_open_opportunities or ask someone who can see them",
                if hidden == 1 { "y" } else { "ies" },
                if hidden == 1 { "s" } else { "" },
            ),
            errors: Vec::new(),
        });
    }
    for opportunity in open {
        if opportunity.owner_id == new_owner {
            continue;
        }
        opportunities::lock(conn, &opportunity.id)?;
        let mut after = opportunity.clone();
        after.owner_id = new_owner.to_owned();
        crate::opportunities::service::save(conn, caller, "transfer", &opportunity, after, None)?;
    }
    Ok(())
}

/// Transfer an account to another owner.
///
/// Managers and admins only. The new owner must be an active user within the
/// caller's data scope (else 422 on `owner_id`). An account in a pool is
/// assigned or claimed, not transferred, and transferring to the current
/// owner changes nothing: both are 409 `invalid_transition`. The change is
/// kept in the owner history with the note. With `include_open_opportunities`
/// every open opportunity of the account moves to the new owner too, unless
/// one of them belongs to someone outside the caller's scope (409).
#[utoipa::path(
    tag = "accounts",
    operation_id = "transfer_account",
    params(
        ("id" = String, Path, description = "Account id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the transfer is based on"),
    ),
    request_body = TransferAccount,
    responses(
        (status = 200, description = "The account after the transfer", body = Account, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Only managers and admins transfer accounts"),
        (status = 409, description = "`invalid_transition`: the account is in a pool, already belongs to this owner, or (with `include_open_opportunities`) has open opportunities outside your scope"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[post("/accounts/{id}/transfer")]
pub async fn transfer_account(
    state: web::Data<AppState>,
    caller: Authorized<AssignRecords>,
    id: web::Path<String>,
    if_match: IfMatch,
    body: ValidJson<TransferAccount>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let input = body.0;
    let account = db::write(&state, move |conn| {
        let (row, visibility) = load_visible(conn, &caller, &id, true)?;
        if_match.check(row.version)?;
        check_transfer(row.owner_id.as_deref(), &input.owner_id)?;
        check_assignable(conn, &visibility, &input.owner_id)?;
        let mut after = row.clone();
        after.owner_id = Some(input.owner_id.clone());
        after.owned_since = Some(clock::now());
        let account: Account = audit::save_versioned(conn, &caller, ENTITY, "transfer", &row, after, map_unique)?;
        let mut history = OwnerChangeRow::new(
            &row.id,
            row.owner_id.as_deref(),
            Some(&input.owner_id),
            OwnerChangeReason::Transfer,
            Some(caller.id()),
        );
        history.detail = input.note;
        account_owner_changes::insert(conn, &history)?;
        if input.include_open_opportunities {
            move_open_opportunities(conn, &caller, &visibility, &row.id, &input.owner_id)?;
        }
        Ok(account)
    })
    .await?;
    Ok(with_etag(HttpResponse::Ok(), &account))
}

/// Query parameters of `GET /accounts/{id}/owner-history`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OwnerHistoryQuery {
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// List an account's owner history: every create, transfer, release, claim, assign and recall, oldest first (id order), paged.
#[utoipa::path(
    tag = "accounts",
    operation_id = "list_account_owner_history",
    params(("id" = String, Path, description = "Account id"), OwnerHistoryQuery),
    responses(
        (status = 200, description = "One page of the history, oldest first", body = Page<OwnerChange>),
        (status = 400, description = "A bad `limit` or `cursor`"),
        (status = 404, description = "No such account in the caller's scope"),
    ),
    security(("bearer" = []))
)]
#[get("/accounts/{id}/owner-history")]
pub async fn list_account_owner_history(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    query: web::Query<OwnerHistoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    let after = pagination::after_id(q.cursor.as_deref())?;
    let page = db::read(&state, move |conn| {
        let (row, _) = load_visible(conn, &caller, &id, false)?;
        let rows = account_owner_changes::page_for_account(conn, &row.id, after.as_deref(), limit + 1)?;
        pagination::page_by_id(rows, limit, |r| r.id.clone(), OwnerChange::try_from)
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}
