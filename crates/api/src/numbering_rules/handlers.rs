//! The HTTP edge of `/numbering-rules`: extract, authorise, run the use case, answer.

use super::dto::{NumberingRule, NumberingRuleList, SetNumberingRule};
use super::service;
use crate::app::permission::Administer;
use crate::app::AppError;
use crate::auth::{Authorized, Caller};
use crate::db;
use crate::error::ApiError;
use crate::extract::ValidJson;
use crate::state::AppState;
use actix_web::{get, put, web, HttpResponse};
use salesops_domain::numbering::DocumentType;

/// List the numbering rule of every document type.
///
/// Every document type appears once, in the order quote, order, with its prefix,
/// its counter width, the first number it would give today (the business day in
/// `SALESOPS_BUSINESS_TIME_ZONE`), and whether the rule is the type's default.
/// Every signed-in role may read it.
#[utoipa::path(
    tag = "numbering-rules",
    operation_id = "list_numbering_rules",
    responses((status = 200, description = "Every document type and its numbering rule", body = NumberingRuleList)),
    security(("bearer" = []))
)]
#[get("/numbering-rules")]
pub async fn list_numbering_rules(state: web::Data<AppState>, _caller: Caller) -> Result<HttpResponse, ApiError> {
    let today = state.business_today();
    let list = db::read(&state, move |conn| service::list(conn, today)).await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Set the numbering rule of a document type (admins).
///
/// `prefix` is 1–16 ASCII uppercase letters and digits, `counter_width` 1–9. The
/// next number taken uses the new rule; numbers already given keep theirs, and the
/// day's counter runs on. The change is audited under the document type. An
/// unknown document type is 404.
#[utoipa::path(
    tag = "numbering-rules",
    operation_id = "set_numbering_rule",
    params(("document_type" = DocumentType, Path, description = "The document type: `quote` or `order`")),
    request_body = SetNumberingRule,
    responses(
        (status = 200, description = "The document type and its new numbering rule", body = NumberingRule),
        (status = 403, description = "Only admins configure numbering rules"),
        (status = 404, description = "No such document type"),
        (status = 422, description = "`prefix` or `counter_width` is missing or invalid"),
    ),
    security(("bearer" = []))
)]
#[put("/numbering-rules/{document_type}")]
pub async fn set_numbering_rule(
    state: web::Data<AppState>,
    caller: Authorized<Administer>,
    document_type: web::Path<String>,
    body: ValidJson<SetNumberingRule>,
) -> Result<HttpResponse, ApiError> {
    let document_type: DocumentType = document_type.into_inner().parse().map_err(|_| AppError::NotFound)?;
    let today = state.business_today();
    let rule = body.0;
    let result = db::write(&state, move |conn| service::set(conn, &caller, document_type, rule, today)).await?;
    Ok(HttpResponse::Ok().json(result))
}
