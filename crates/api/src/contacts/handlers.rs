//! Creating, reading, listing, patching and deleting contacts, and keeping one primary contact per account.
//!
//! A contact is visible exactly when its account is. Writes that may change
//! who is primary take the account's row lock first, then the contact's, so
//! two of them on one account run one after the other.

use super::service::{demote_primary, insert_contact, load_visible, map_unique};
use super::ENTITY;
use crate::app::permission::EditPipeline;
use crate::audit::{self};
use crate::auth::Authorized;
use crate::auth::Caller;
use crate::contacts::dto::{Contact, ContactPatch, CreateContact};
use crate::db;
use crate::error::ApiError;
use crate::etag::with_etag;
use crate::etag::IfMatch;
use crate::extract::ValidJson;
use crate::pagination::{self, Page};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use salesops_persistence::clock;
use salesops_persistence::contacts::{self, ContactFilter};
use serde::Deserialize;
use utoipa::IntoParams;
use validator::Validate;

/// Create a contact at an account.
///
/// The account must be a live account visible to the caller (else 422 on
/// `account_id`). The first contact of an account, or any while the account
/// has no primary contact, becomes primary unless `is_primary` is `false`;
/// `is_primary: true` takes the place of the current primary contact.
#[utoipa::path(
    tag = "contacts",
    operation_id = "create_contact",
    request_body = CreateContact,
    responses(
        (status = 201, description = "Created", body = Contact,
         headers(("Location" = String, description = "The new contact's URL"), ("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "The role may not create contacts"),
    ),
    security(("bearer" = []))
)]
#[post("/contacts")]
pub async fn create_contact(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    body: ValidJson<CreateContact>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let contact = db::write(&state, move |conn| insert_contact(conn, &caller, &input)).await?;
    let mut created = HttpResponse::Created();
    created.insert_header((header::LOCATION, format!("/api/v1/contacts/{}", contact.id)));
    Ok(with_etag(created, &contact))
}

/// Get a contact.
#[utoipa::path(
    tag = "contacts",
    operation_id = "get_contact",
    params(("id" = String, Path, description = "Contact id")),
    responses((status = 200, description = "The contact", body = Contact, headers(("ETag" = String, description = "W/\"<version>\"")))),
    security(("bearer" = []))
)]
#[get("/contacts/{id}")]
pub async fn get_contact(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let contact = db::read(&state, move |conn| Ok(Contact::from(load_visible(conn, &caller, &id, false)?))).await?;
    Ok(with_etag(HttpResponse::Ok(), &contact))
}

/// Query parameters of `GET /contacts`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactListQuery {
    /// Only the contacts of this account.
    pub account_id: Option<String>,
    /// `true`: only primary contacts; `false`: only the others.
    pub is_primary: Option<bool>,
    /// Case-insensitive text search over name, title, email and phone (works for Chinese).
    #[param(example = "王")]
    pub q: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Also return `total`, the number of matching contacts.
    #[serde(default)]
    pub count: bool,
}

/// List the contacts of the accounts the caller can see, in creation order.
#[utoipa::path(
    tag = "contacts",
    operation_id = "list_contacts",
    params(ContactListQuery),
    responses((status = 200, description = "One page of contacts", body = Page<Contact>)),
    security(("bearer" = []))
)]
#[get("/contacts")]
pub async fn list_contacts(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ContactListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    let after = pagination::after_id(q.cursor.as_deref())?;
    let filter = ContactFilter { account_id: q.account_id, is_primary: q.is_primary, q: crate::validation::tidy(q.q) };
    let with_count = q.count;
    let page = db::read(&state, move |conn| {
        let visibility = caller.visibility(conn)?;
        let rows = contacts::list(conn, &filter, &visibility, after.as_deref(), limit + 1)?;
        let mut page = pagination::page_by_id(rows, limit, |r| r.id.clone(), |r| Ok(Contact::from(r)))?;
        if with_count {
            page.total = Some(contacts::count(conn, &filter, &visibility)?);
        }
        Ok(page)
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Patch a contact (JSON Merge Patch).
///
/// Send `If-Match: W/"<version>"` to refuse the change (412) if someone else
/// changed the contact first. `is_primary: true` takes the place of the
/// account's current primary contact, in the same transaction. The account
/// cannot be changed.
#[utoipa::path(
    tag = "contacts",
    operation_id = "update_contact",
    params(
        ("id" = String, Path, description = "Contact id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" of the contact the change is based on"),
    ),
    request_body(content = ContactPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed contact", body = Contact, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "The role may not edit contacts"),
        (status = 409, description = "A concurrent change"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[patch("/contacts/{id}")]
pub async fn update_contact(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    id: web::Path<String>,
    if_match: IfMatch,
    body: ValidJson<ContactPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let patch = body.0;
    let contact = db::write(&state, move |conn| {
        let row = load_visible(conn, &caller, &id, true)?;
        if_match.check(row.version)?;
        let input = patch.apply(CreateContact::from_row(&row))?.tidied();
        input.validate()?;
        let mut after = row.clone();
        input.write_to(&mut after);
        after.is_primary = input.is_primary.unwrap_or(row.is_primary);
        if after.is_primary && !row.is_primary {
            demote_primary(conn, &caller, &row.account_id, &row.id)?;
        }
        audit::save_versioned::<_, Contact>(conn, &caller, ENTITY, "update", &row, after, map_unique)
    })
    .await?;
    Ok(with_etag(HttpResponse::Ok(), &contact))
}

/// Delete a contact (soft: it disappears from lists and reads, and stays in the audit log).
///
/// Deleting the primary contact leaves the account without one; the next
/// contact created there becomes primary.
#[utoipa::path(
    tag = "contacts",
    operation_id = "delete_contact",
    params(
        ("id" = String, Path, description = "Contact id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the deletion is based on"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "The role may not delete contacts"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[delete("/contacts/{id}")]
pub async fn delete_contact(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    id: web::Path<String>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    db::write(&state, move |conn| {
        let row = load_visible(conn, &caller, &id, true)?;
        if_match.check(row.version)?;
        let mut after = row.clone();
        after.deleted_at = Some(clock::now());
        audit::save_versioned::<_, Contact>(conn, &caller, ENTITY, "delete", &row, after, map_unique).map(|_| ())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
