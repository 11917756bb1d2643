//! The HTTP edge of `/quotes`: each handler extracts, authorises, runs one use
//! case from [`super::service`] on the business day, and answers.

use super::dto::{CreateQuote, Quote, QuotePatch};
use super::service;
use crate::app::permission::EditPipeline;
use crate::auth::{Authorized, Caller};
use crate::db;
use crate::error::ApiError;
use crate::etag::{self, with_etag, IfMatch};
use crate::extract::ValidJson;
use crate::pagination::{self, Page};
use crate::state::AppState;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use salesops_domain::ids::{OpportunityId, QuoteId};
use salesops_domain::quote::QuoteStatus;
use salesops_persistence::quotes::QuoteFilter;
use serde::Deserialize;
use utoipa::IntoParams;

/// Query parameters of `GET /quotes`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QuoteListQuery {
    /// Only the quotes of this opportunity.
    #[param(value_type = Option<String>)]
    pub opportunity_id: Option<OpportunityId>,
    /// Comma-separated statuses as read today, e.g. `approved,sent`; `expired` finds
    /// approved and sent quotes past `valid_until`.
    #[param(example = "pending_approval")]
    pub status: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Also return `total`, the number of matching quotes.
    #[serde(default)]
    pub count: bool,
}

/// List the quotes in the caller's data scope, oldest first.
///
/// A quote is in scope when its opportunity is. Statuses are read on today's business
/// day, so `status=sent` leaves out sent quotes that have expired.
#[utoipa::path(
    tag = "quotes",
    operation_id = "list_quotes",
    params(QuoteListQuery),
    responses(
        (status = 200, description = "One page of quotes", body = Page<Quote>),
        (status = 400, description = "An unknown status"),
    ),
    security(("bearer" = []))
)]
#[get("/quotes")]
pub async fn list_quotes(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<QuoteListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    let after_id = pagination::after_id(q.cursor.as_deref())?;
    let filter = QuoteFilter {
        opportunity_id: q.opportunity_id.map(String::from),
        statuses: pagination::enum_list::<QuoteStatus>("status", q.status.as_deref())?,
        today: state.business_today(),
    };
    let with_count = q.count;
    let page =
        db::read(&state, move |conn| service::list(conn, &caller, &filter, after_id.as_deref(), limit, with_count))
            .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Get a quote with its lines and totals.
///
/// Readable by whoever may see its opportunity, and by the approver its pending
/// approval waits on; 404 otherwise.
#[utoipa::path(
    tag = "quotes",
    operation_id = "get_quote",
    params(("id" = String, Path, description = "Quote id")),
    responses((status = 200, description = "The quote", body = Quote, headers(("ETag" = String, description = "W/\"<version>\"")))),
    security(("bearer" = []))
)]
#[get("/quotes/{id}")]
pub async fn get_quote(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<QuoteId>,
) -> Result<HttpResponse, ApiError> {
    let (id, today) = (id.into_inner(), state.business_today());
    let quote = db::read(&state, move |conn| service::get(conn, &caller, &id, today)).await?;
    Ok(with_etag(HttpResponse::Ok(), &quote))
}

/// Create a draft quote of an opportunity.
///
/// The opportunity must be open or won and in the caller's scope (422 on
/// `opportunity_id`). Each line names an active product; its unit price defaults to the
/// list price, which must then be in the quote's currency (the opportunity's unless
/// given): one quote has one currency. `quantity` is a decimal string with at most 3
/// decimals. Lines are priced as the `Quote` schema says. The number comes from the
/// quote numbering rule.
#[utoipa::path(
    tag = "quotes",
    operation_id = "create_quote",
    request_body = CreateQuote,
    responses(
        (status = 201, description = "Created", body = Quote,
         headers(("Location" = String, description = "The new quote's URL"), ("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "The role may not change pipeline records"),
        (status = 422, description = "An unknown or closed opportunity, a past `valid_until`, or a line's problem, named `lines[i].field`"),
    ),
    security(("bearer" = []))
)]
#[post("/quotes")]
pub async fn create_quote(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    body: ValidJson<CreateQuote>,
) -> Result<HttpResponse, ApiError> {
    let (input, today) = (body.0, state.business_today());
    let quote = db::write(&state, move |conn| service::create(conn, &caller, input, today)).await?;
    Ok(etag::created(format!("/api/v1/quotes/{}", quote.id), &quote))
}

/// Change a draft quote (JSON Merge Patch).
///
/// `lines` replaces every line; a new `currency` reprices them. A quote that is not a
/// draft is 409 `invalid_transition`: `revise` it first.
#[utoipa::path(
    tag = "quotes",
    operation_id = "update_quote",
    params(
        ("id" = String, Path, description = "Quote id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the change is based on"),
    ),
    request_body(content = QuotePatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed quote", body = Quote, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "The role may not change pipeline records"),
        (status = 409, description = "`invalid_transition`: the quote is not a draft"),
        (status = 412, description = "`If-Match` is stale"),
        (status = 422, description = "A cleared required field, a past `valid_until`, or a line's problem"),
    ),
    security(("bearer" = []))
)]
#[patch("/quotes/{id}")]
pub async fn update_quote(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    id: web::Path<QuoteId>,
    if_match: IfMatch,
    body: ValidJson<QuotePatch>,
) -> Result<HttpResponse, ApiError> {
    let (id, patch, today) = (id.into_inner(), body.0, state.business_today());
    let quote = db::write(&state, move |conn| service::update(conn, &caller, &id, if_match, patch, today)).await?;
    Ok(with_etag(HttpResponse::Ok(), &quote))
}

/// Delete a draft quote.
///
/// Only drafts are deleted (409 otherwise); the audit trail keeps it.
#[utoipa::path(
    tag = "quotes",
    operation_id = "delete_quote",
    params(
        ("id" = String, Path, description = "Quote id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the change is based on"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "The role may not change pipeline records"),
        (status = 409, description = "`invalid_transition`: the quote is not a draft"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[delete("/quotes/{id}")]
pub async fn delete_quote(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    id: web::Path<QuoteId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let (id, today) = (id.into_inner(), state.business_today());
    db::write(&state, move |conn| service::delete(conn, &caller, &id, if_match, today)).await?;
    Ok(HttpResponse::NoContent().finish())
}
