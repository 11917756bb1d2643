//! Creating, reading, patching and deleting leads, and the duplicate check.

use super::ENTITY;
use crate::app::permission::{AssignRecords, EditPipeline};
use crate::app::Actor;
use crate::app::AppError;
use crate::app::FieldError;
use crate::audit::{self, snapshot};
use crate::auth::Authorized;
use crate::auth::Caller;
use crate::db;
use crate::duplicates::{self, DuplicateCheckResult, DuplicateOverride};
use crate::error::ApiError;
use crate::etag::with_etag;
use crate::etag::IfMatch;
use crate::extract::ValidJson;
use crate::leads::dto::{CreateLead, DuplicateCheck, Lead, LeadPatch};
use crate::org::users::check_assignable;
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use salesops_domain::contact_info::{normalize_company, normalize_email, normalize_phone, DuplicateEntity};
use salesops_domain::lead::{self, NewOwnerError};
use salesops_persistence::duplicates::Probe;
use salesops_persistence::leads::{self, LeadRow};
use salesops_persistence::scope::Visibility;
use salesops_persistence::{clock, DbConnection, StoreError};
use validator::Validate;

/// Load a live lead the caller can see, taking its row lock first when `for_update`.
pub fn load_visible(
    conn: &mut DbConnection,
    caller: &Actor,
    id: &str,
    for_update: bool,
) -> Result<(LeadRow, Visibility), AppError> {
    if for_update {
        leads::lock(conn, id)?;
    }
    let visibility = caller.visibility(conn)?;
    let row = leads::find_visible(conn, id, &visibility)?.ok_or(AppError::NotFound)?;
    Ok((row, visibility))
}

/// Report a taken `external_id` as a field error; other storage errors as usual.
pub fn map_unique(e: StoreError) -> AppError {
    if e.is_unique_violation_on("external_id") {
        AppError::Validation(vec![FieldError::new("external_id", "taken", "another lead has this external_id")])
    } else {
        e.into()
    }
}

/// Refuse with 409 `duplicate` when an open lead or a contact shares the email or phone.
fn refuse_duplicates(conn: &mut DbConnection, input: &CreateLead, exclude_id: Option<&str>) -> Result<(), AppError> {
    let probe = Probe {
        email: input.email.as_deref().and_then(normalize_email),
        phone: input.phone.as_deref().and_then(normalize_phone),
        ..Probe::default()
    };
    let hits = duplicates::find(conn, &probe, &[DuplicateEntity::Lead, DuplicateEntity::Contact], exclude_id)?;
    duplicates::refuse_any(&hits, "share this email or phone", true)
}

/// Create a lead.
///
/// A lead whose normalised email or phone matches an open lead or a contact
/// is refused with 409 `duplicate` and the matching ids, unless `allow_duplicate=true`.
#[utoipa::path(
    tag = "leads",
    operation_id = "create_lead",
    params(DuplicateOverride),
    request_body = CreateLead,
    responses(
        (status = 201, description = "Created", body = Lead,
         headers(("Location" = String, description = "The new lead's URL"), ("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "The role may not create leads, or may not name another owner"),
        (status = 409, description = "`duplicate`: an open lead or a contact shares the email or phone"),
    ),
    security(("bearer" = []))
)]
#[post("/leads")]
pub async fn create_lead(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    query: web::Query<DuplicateOverride>,
    body: ValidJson<CreateLead>,
) -> Result<HttpResponse, ApiError> {
    // Trimmed while deserializing and validated by the extractor.
    let input = body.0;
    let owner = lead::initial_owner(input.owner_id.as_deref(), input.to_pool, caller.id(), caller.role.can_assign())
        .map_err(|e| match e {
            NewOwnerError::PoolWithOwner => AppError::invalid_field("owner_id", "conflict", e.to_string()),
            NewOwnerError::NotAllowed => AppError::Forbidden(e.to_string()),
        })?;
    let allow_duplicate = query.allow_duplicate;
    let lead = db::write(&state, move |conn| {
        if let Some(owner) = owner.as_deref().filter(|o| *o != caller.id()) {
            let visibility = caller.visibility(conn)?;
            check_assignable(conn, &visibility, owner)?;
        }
        if !allow_duplicate {
            refuse_duplicates(conn, &input, None)?;
        }
        let mut row = LeadRow::new(&input.name, input.source, owner.as_deref(), Some(caller.id()));
        input.write_to(&mut row);
        leads::insert(conn, &row).map_err(map_unique)?;
        let lead = Lead::try_from(row)?;
        audit::record(conn, &caller, "create", ENTITY, &lead.id, &serde_json::Value::Null, &snapshot(&lead))?;
        Ok(lead)
    })
    .await?;
    let mut created = HttpResponse::Created();
    created.insert_header((header::LOCATION, format!("/api/v1/leads/{}", lead.id)));
    Ok(with_etag(created, &lead))
}

/// Get a lead.
#[utoipa::path(
    tag = "leads",
    operation_id = "get_lead",
    params(("id" = String, Path, description = "Lead id")),
    responses((status = 200, description = "The lead", body = Lead, headers(("ETag" = String, description = "W/\"<version>\"")))),
    security(("bearer" = []))
)]
#[get("/leads/{id}")]
pub async fn get_lead(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let lead = db::read(&state, move |conn| {
        let (row, _) = load_visible(conn, &caller, &id, false)?;
        Lead::try_from(row)
    })
    .await?;
    Ok(with_etag(HttpResponse::Ok(), &lead))
}

/// Patch a lead (JSON Merge Patch).
///
/// Send `If-Match: W/"<version>"` to refuse the change (412) if someone else
/// changed the lead first. Status and owner cannot be patched; use the commands.
/// Changing the email or phone to one an open lead or a contact has is refused as a duplicate
/// unless `allow_duplicate=true`.
#[utoipa::path(
    tag = "leads",
    operation_id = "update_lead",
    params(
        ("id" = String, Path, description = "Lead id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" of the lead the change is based on"),
        DuplicateOverride,
    ),
    request_body(content = LeadPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed lead", body = Lead, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "The role may not edit leads"),
        (status = 409, description = "`duplicate`, or a concurrent change"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[patch("/leads/{id}")]
pub async fn update_lead(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    id: web::Path<String>,
    if_match: IfMatch,
    query: web::Query<DuplicateOverride>,
    body: ValidJson<LeadPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let allow_duplicate = query.allow_duplicate;
    let patch = body.0;
    let lead = db::write(&state, move |conn| {
        let (row, _) = load_visible(conn, &caller, &id, true)?;
        if_match.check(row.version)?;
        let before_contact = (row.email_normalized.clone(), row.phone_normalized.clone());
        let input = patch.apply(CreateLead::from_row(&row)?)?.tidied();
        input.validate()?;
        let mut after = row.clone();
        input.write_to(&mut after);
        let contact_changed = (after.email_normalized.clone(), after.phone_normalized.clone()) != before_contact;
        if contact_changed && !allow_duplicate {
            refuse_duplicates(conn, &input, Some(&row.id))?;
        }
        audit::save_versioned::<_, Lead>(conn, &caller, ENTITY, "update", &row, after, map_unique)
    })
    .await?;
    Ok(with_etag(HttpResponse::Ok(), &lead))
}

/// Delete a lead (soft: it disappears from lists and reads, and stays in the audit log).
#[utoipa::path(
    tag = "leads",
    operation_id = "delete_lead",
    params(
        ("id" = String, Path, description = "Lead id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the deletion is based on"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "The role may not delete this lead"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[delete("/leads/{id}")]
pub async fn delete_lead(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    id: web::Path<String>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    db::write(&state, move |conn| {
        let (row, _) = load_visible(conn, &caller, &id, true)?;
        if row.owner_id.is_none() {
            caller.require::<AssignRecords>("delete pool leads")?;
        }
        if_match.check(row.version)?;
        let mut after = row.clone();
        after.deleted_at = Some(clock::now());
        audit::save_versioned::<_, Lead>(conn, &caller, ENTITY, "delete", &row, after, map_unique).map(|_| ())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Look for open leads, accounts and contacts matching an email, phone or company, without creating anything.
///
/// Leads match on email, phone and company; accounts on their name (reported
/// as `company`); contacts on email and phone. Matches outside the caller's
/// data scope are reported with `visible: false` and without names.
#[utoipa::path(
    tag = "leads",
    operation_id = "check_lead_duplicates",
    request_body = DuplicateCheck,
    responses((status = 200, description = "Matching open leads, accounts and contacts", body = DuplicateCheckResult)),
    security(("bearer" = []))
)]
#[post("/leads/duplicates")]
pub async fn check_lead_duplicates(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<DuplicateCheck>,
) -> Result<HttpResponse, ApiError> {
    let check = body.0;
    let probe = Probe {
        email: check.email.as_deref().and_then(normalize_email),
        phone: check.phone.as_deref().and_then(normalize_phone),
        company: check.company.as_deref().and_then(normalize_company),
        uscc: None,
    };
    if probe.is_empty() {
        return Err(AppError::invalid_field("(body)", "required", "give at least one of email, phone, company").into());
    }
    let all = [DuplicateEntity::Lead, DuplicateEntity::Account, DuplicateEntity::Contact];
    let result = db::read(&state, move |conn| duplicates::check(conn, &caller, &probe, &all, "company")).await?;
    Ok(HttpResponse::Ok().json(result))
}
