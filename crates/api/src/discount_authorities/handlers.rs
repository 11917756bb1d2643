//! The HTTP edge of `/discount-authorities`: extract, authorise, run the use case, answer.

use super::dto::{RoleDiscountAuthority, RoleDiscountAuthorityList, SetDiscountAuthority};
use super::service;
use crate::app::permission::Administer;
use crate::app::AppError;
use crate::auth::{Authorized, Caller};
use crate::db;
use crate::error::ApiError;
use crate::extract::ValidJson;
use crate::state::AppState;
use actix_web::{get, put, web, HttpResponse};
use salesops_domain::org::Role;

/// List the discount authority of every role.
///
/// Every role appears once, in the order admin, manager, rep, finance, with the
/// largest line discount (basis points; `null` is unlimited) its users may give
/// without approval, and whether that is the role's default. Every signed-in role
/// may read it, so that reps know when a quote will need approval.
#[utoipa::path(
    tag = "discount-authorities",
    operation_id = "list_discount_authorities",
    responses((status = 200, description = "Every role and its discount authority", body = RoleDiscountAuthorityList)),
    security(("bearer" = []))
)]
#[get("/discount-authorities")]
pub async fn list_discount_authorities(state: web::Data<AppState>, _caller: Caller) -> Result<HttpResponse, ApiError> {
    let list = db::read(&state, service::list).await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Set the discount authority of a role (admins).
///
/// `max_discount_bps` is required: 0–10000 basis points, or `null` for no limit.
/// Discounts are checked against it from the next request on. The change is audited
/// under the role. An unknown role is 404.
#[utoipa::path(
    tag = "discount-authorities",
    operation_id = "set_discount_authority",
    params(("role" = Role, Path, description = "The role: `admin`, `manager`, `rep` or `finance`")),
    request_body = SetDiscountAuthority,
    responses(
        (status = 200, description = "The role and its new discount authority", body = RoleDiscountAuthority),
        (status = 403, description = "Only admins configure discount authorities"),
        (status = 404, description = "No such role"),
        (status = 422, description = "`max_discount_bps` is missing or outside 0–10000"),
    ),
    security(("bearer" = []))
)]
#[put("/discount-authorities/{role}")]
pub async fn set_discount_authority(
    state: web::Data<AppState>,
    caller: Authorized<Administer>,
    role: web::Path<String>,
    body: ValidJson<SetDiscountAuthority>,
) -> Result<HttpResponse, ApiError> {
    let role: Role = role.into_inner().parse().map_err(|_| AppError::NotFound)?;
    let authority = body.0.max_discount_bps;
    let result = db::write(&state, move |conn| service::set(conn, &caller, role, authority)).await?;
    Ok(HttpResponse::Ok().json(result))
}
