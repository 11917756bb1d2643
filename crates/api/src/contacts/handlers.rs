//! `/contacts/{id}` and `POST /contacts`: the HTTP edge of the contact use
//! cases in [`super::service`].

use super::service;
use crate::app::permission::EditPipeline;
use crate::auth::{Authorized, Caller};
use crate::contacts::dto::{Contact, ContactPatch, CreateContact};
use crate::db;
use crate::error::ApiError;
use crate::etag::{self, with_etag, IfMatch};
use crate::extract::ValidJson;
use crate::state::AppState;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use salesops_domain::ids::ContactId;

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
    let contact = db::write(&state, move |conn| service::create(conn, &caller, input)).await?;
    Ok(etag::created(format!("/api/v1/contacts/{}", contact.id), &contact))
}

/// Get a contact.
///
/// Answers 404 unless the contact is live and its account is visible to the
/// caller. The ETag carries the version to send back in `If-Match`.
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
    id: web::Path<ContactId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let contact = db::read(&state, move |conn| service::get(conn, &caller, &id)).await?;
    Ok(with_etag(HttpResponse::Ok(), &contact))
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
    id: web::Path<ContactId>,
    if_match: IfMatch,
    body: ValidJson<ContactPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let patch = body.0;
    let contact = db::write(&state, move |conn| service::update(conn, &caller, &id, if_match, patch)).await?;
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
    id: web::Path<ContactId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    db::write(&state, move |conn| service::delete(conn, &caller, &id, if_match)).await?;
    Ok(HttpResponse::NoContent().finish())
}
