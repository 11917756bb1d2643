//! Creating, reading, patching and deleting accounts, and the account duplicate check.

use super::service::{blockers, check_parent_account, insert_account, load_visible, map_unique, refuse_duplicates};
use super::ENTITY;
use crate::accounts::dto::{Account, AccountDuplicateCheck, AccountPatch, CreateAccount};
use crate::app::permission::{AssignRecords, EditPipeline};
use crate::app::AppError;
use crate::audit::{self};
use crate::auth::Authorized;
use crate::auth::Caller;
use crate::contacts::dto::Contact;
use crate::db;
use crate::duplicates::DuplicateOverride;
use crate::duplicates::{self, DuplicateCheckResult};
use crate::error::ApiError;
use crate::etag::with_etag;
use crate::etag::IfMatch;
use crate::extract::ValidJson;
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use salesops_domain::contact_info::{normalize_company, normalize_email, normalize_phone, DuplicateEntity};
use salesops_persistence::accounts::{self};
use salesops_persistence::duplicates::Probe;
use salesops_persistence::{clock, contacts, opportunities};
use validator::Validate;

/// Create an account.
///
/// The owner defaults to the caller; managers and admins may name another
/// active user within their data scope, or send the account straight into
/// its pool with `to_pool`. The pool defaults to the default pool. A USCC
/// another live account has is refused with 409 `duplicate` (never
/// overridable); so is a name another live account has (normalised: case,
/// spaces and bracket width ignored) unless `allow_duplicate=true`.
#[utoipa::path(
    tag = "accounts",
    operation_id = "create_account",
    params(DuplicateOverride),
    request_body = CreateAccount,
    responses(
        (status = 201, description = "Created", body = Account,
         headers(("Location" = String, description = "The new account's URL"), ("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "The role may not create accounts, or may not name another owner"),
        (status = 409, description = "`duplicate`: a live account has the USCC or the name"),
    ),
    security(("bearer" = []))
)]
#[post("/accounts")]
pub async fn create_account(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    query: web::Query<DuplicateOverride>,
    body: ValidJson<CreateAccount>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let allow_duplicate = query.allow_duplicate;
    let account = db::write(&state, move |conn| insert_account(conn, &caller, &input, allow_duplicate)).await?;
    let mut created = HttpResponse::Created();
    created.insert_header((header::LOCATION, format!("/api/v1/accounts/{}", account.id)));
    Ok(with_etag(created, &account))
}

/// Get an account.
#[utoipa::path(
    tag = "accounts",
    operation_id = "get_account",
    params(("id" = String, Path, description = "Account id")),
    responses((status = 200, description = "The account", body = Account, headers(("ETag" = String, description = "W/\"<version>\"")))),
    security(("bearer" = []))
)]
#[get("/accounts/{id}")]
pub async fn get_account(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let account = db::read(&state, move |conn| {
        let (row, _) = load_visible(conn, &caller, &id, false)?;
        Account::try_from(row)
    })
    .await?;
    Ok(with_etag(HttpResponse::Ok(), &account))
}

/// Patch an account (JSON Merge Patch).
///
/// Send `If-Match: W/"<version>"` to refuse the change (412) if someone else
/// changed the account first. The owner and pool cannot be patched; use the
/// commands. A parent that is the account itself or one of its subsidiaries
/// is refused (422 `cycle` on `parent_account_id`). A new USCC or name is
/// checked for duplicates as on create.
#[utoipa::path(
    tag = "accounts",
    operation_id = "update_account",
    params(
        ("id" = String, Path, description = "Account id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" of the account the change is based on"),
        DuplicateOverride,
    ),
    request_body(content = AccountPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed account", body = Account, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "The role may not edit accounts"),
        (status = 409, description = "`duplicate`, or a concurrent change"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[patch("/accounts/{id}")]
pub async fn update_account(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    id: web::Path<String>,
    if_match: IfMatch,
    query: web::Query<DuplicateOverride>,
    body: ValidJson<AccountPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let allow_duplicate = query.allow_duplicate;
    let patch = body.0;
    let account = db::write(&state, move |conn| {
        if patch.moves_parent() {
            accounts::lock_hierarchy(conn)?;
        }
        let (row, visibility) = load_visible(conn, &caller, &id, true)?;
        if_match.check(row.version)?;
        let input = patch.apply(CreateAccount::from_row(&row)?)?.tidied();
        input.validate()?;
        let mut after = row.clone();
        input.write_to(&mut after);
        if after.parent_account_id != row.parent_account_id {
            if let Some(parent) = after.parent_account_id.as_deref() {
                check_parent_account(conn, &visibility, &row.id, parent)?;
            }
        }
        if after.name_normalized != row.name_normalized || after.uscc != row.uscc {
            refuse_duplicates(conn, &after, allow_duplicate)?;
        }
        audit::save_versioned::<_, Account>(conn, &caller, ENTITY, "update", &row, after, map_unique)
    })
    .await?;
    Ok(with_etag(HttpResponse::Ok(), &account))
}

/// Delete an account (soft: it disappears from lists and reads, and stays in the audit log).
///
/// Refused with 409 `conflict` while the account has open opportunities or
/// live subsidiaries; the detail names them. Its contacts are deleted with it.
/// An account in a pool is deleted only by managers and admins.
#[utoipa::path(
    tag = "accounts",
    operation_id = "delete_account",
    params(
        ("id" = String, Path, description = "Account id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the deletion is based on"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "The role may not delete this account"),
        (status = 409, description = "`conflict`: the account has open opportunities or live subsidiaries"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[delete("/accounts/{id}")]
pub async fn delete_account(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    id: web::Path<String>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    db::write(&state, move |conn| {
        let (row, visibility) = load_visible(conn, &caller, &id, true)?;
        if row.owner_id.is_none() {
            caller.require::<AssignRecords>("delete pool accounts")?;
        }
        if_match.check(row.version)?;
        let open = opportunities::open_for_account(conn, &row.id)?;
        if !open.is_empty() {
            let owners = open.into_iter().map(|o| (o.id, Some(o.owner_id)));
            return Err(AppError::Conflict(format!(
                "the account has {}; close or move them first",
                blockers(owners, &visibility, "open opportunity", "open opportunities")
            )));
        }
        let children = accounts::live_children(conn, &row.id)?;
        if !children.is_empty() {
            return Err(AppError::Conflict(format!(
                "the account has {}; delete or re-parent them first",
                blockers(children, &visibility, "live subsidiary", "live subsidiaries")
            )));
        }
        let now = clock::now();
        for contact in contacts::live_for_account(conn, &row.id)? {
            contacts::lock(conn, &contact.id)?;
            let mut gone = contact.clone();
            gone.deleted_at = Some(now);
            audit::save_versioned::<_, Contact>(
                conn,
                &caller,
                crate::contacts::ENTITY,
                "delete",
                &contact,
                gone,
                AppError::from,
            )?;
        }
        let mut after = row.clone();
        after.deleted_at = Some(now);
        audit::save_versioned::<_, Account>(conn, &caller, ENTITY, "delete", &row, after, map_unique).map(|_| ())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Look for open leads, accounts and contacts matching a company name, USCC,
/// email or phone, without creating anything.
///
/// Accounts match on name and USCC, leads on company (reported as `name`),
/// email and phone, contacts on email and phone. Matches outside the
/// caller's data scope are reported with `visible: false` and without names.
#[utoipa::path(
    tag = "accounts",
    operation_id = "check_account_duplicates",
    request_body = AccountDuplicateCheck,
    responses((status = 200, description = "Matching open leads, accounts and contacts", body = DuplicateCheckResult)),
    security(("bearer" = []))
)]
#[post("/accounts/duplicates")]
pub async fn check_account_duplicates(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<AccountDuplicateCheck>,
) -> Result<HttpResponse, ApiError> {
    let check = body.0;
    let probe = Probe {
        email: check.email.as_deref().and_then(normalize_email),
        phone: check.phone.as_deref().and_then(normalize_phone),
        company: check.name.as_deref().and_then(normalize_company),
        uscc: check.uscc.map(|u| u.trim().to_uppercase()).filter(|u| !u.is_empty()),
    };
    if probe.is_empty() {
        return Err(
            AppError::invalid_field("(body)", "required", "give at least one of name, uscc, email, phone").into()
        );
    }
    let all = [DuplicateEntity::Lead, DuplicateEntity::Account, DuplicateEntity::Contact];
    let result = db::read(&state, move |conn| duplicates::check(conn, &caller, &probe, &all, "name")).await?;
    Ok(HttpResponse::Ok().json(result))
}
