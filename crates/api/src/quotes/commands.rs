//! The HTTP edge of the quote commands: `submit`, `approve`, `decline`, `send`,
//! `accept`, `reject`, `revise`. Each runs [`service::run`] in one write
//! transaction; the state machine and the approval rules live there.

use super::dto::{Quote, RejectQuote};
use super::service::{self, Command};
use crate::app::permission::EditPipeline;
use crate::app::Actor;
use crate::approvals::dto::{ApproveDocument, DeclineDocument};
use crate::auth::{Authorized, Caller};
use crate::db;
use crate::error::ApiError;
use crate::etag::{with_etag, IfMatch};
use crate::extract::{OptionalJson, ValidJson};
use crate::state::AppState;
use actix_web::{post, web, HttpResponse};
use salesops_domain::ids::QuoteId;

/// Run `command` on quote `id` as `actor` and answer with the quote and its ETag.
async fn run(
    state: web::Data<AppState>,
    actor: Actor,
    id: QuoteId,
    if_match: IfMatch,
    command: Command,
) -> Result<HttpResponse, ApiError> {
    let today = state.business_today();
    let quote = db::write(&state, move |conn| service::run(conn, &actor, &id, if_match, command, today)).await?;
    Ok(with_etag(HttpResponse::Ok(), &quote))
}

/// Submit a draft quote for its price.
///
/// When the submitter's discount authority (see `/discount-authorities`) covers the
/// largest line discount, the quote is `approved` at once. Otherwise it becomes
/// `pending_approval` with an approval request whose steps climb the submitter's
/// reporting line to the first manager whose authority covers it; 422 on `lines` when
/// nobody up the line may approve it. A quote past `valid_until` is 422.
#[utoipa::path(
    tag = "quotes",
    operation_id = "submit_quote",
    params(
        ("id" = String, Path, description = "Quote id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the command is based on"),
    ),
    responses(
        (status = 200, description = "The submitted quote: `approved` or `pending_approval`", body = Quote, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "The role may not change pipeline records"),
        (status = 409, description = "`invalid_transition`: the quote is not a draft"),
        (status = 412, description = "`If-Match` is stale"),
        (status = 422, description = "`no_approver`: nobody up the reporting line may approve the discount; or past `valid_until`"),
    ),
    security(("bearer" = []))
)]
#[post("/quotes/{id}/submit")]
pub async fn submit_quote(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    id: web::Path<QuoteId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    run(state, (**caller).clone(), id.into_inner(), if_match, Command::Submit).await
}

/// Approve the current step of a pending quote's approval.
///
/// Only the step's approver, or an admin on their behalf, decides (403 otherwise). After
/// the last step the quote is `approved`; before it, the next manager decides.
#[utoipa::path(
    tag = "quotes",
    operation_id = "approve_quote",
    params(
        ("id" = String, Path, description = "Quote id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the command is based on"),
    ),
    request_body(content = Option<ApproveDocument>, description = "Optional; `{}`, nothing, or a comment"),
    responses(
        (status = 200, description = "The quote, `approved` or still `pending_approval`", body = Quote, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "The caller is not the current step's approver"),
        (status = 409, description = "`invalid_transition`: the quote is not pending approval"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[post("/quotes/{id}/approve")]
pub async fn approve_quote(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<QuoteId>,
    if_match: IfMatch,
    body: OptionalJson<ApproveDocument>,
) -> Result<HttpResponse, ApiError> {
    run(state, (*caller).clone(), id.into_inner(), if_match, Command::Approve(body.0.comment)).await
}

/// Decline a pending quote's approval, with a comment.
///
/// Only the current step's approver, or an admin, decides (403 otherwise). The quote
/// goes back to `draft`; its approval request stays, `declined`.
#[utoipa::path(
    tag = "quotes",
    operation_id = "decline_quote",
    params(
        ("id" = String, Path, description = "Quote id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the command is based on"),
    ),
    request_body = DeclineDocument,
    responses(
        (status = 200, description = "The quote, back in `draft`", body = Quote, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "The caller is not the current step's approver"),
        (status = 409, description = "`invalid_transition`: the quote is not pending approval"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[post("/quotes/{id}/decline")]
pub async fn decline_quote(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<QuoteId>,
    if_match: IfMatch,
    body: ValidJson<DeclineDocument>,
) -> Result<HttpResponse, ApiError> {
    run(state, (*caller).clone(), id.into_inner(), if_match, Command::Decline(body.0.comment)).await
}

/// Send an approved quote to the customer.
///
/// An expired quote (past `valid_until`) cannot be sent: revise it.
#[utoipa::path(
    tag = "quotes",
    operation_id = "send_quote",
    params(
        ("id" = String, Path, description = "Quote id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the command is based on"),
    ),
    responses(
        (status = 200, description = "The sent quote", body = Quote, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "The role may not change pipeline records"),
        (status = 409, description = "`invalid_transition`: not approved, or expired"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[post("/quotes/{id}/send")]
pub async fn send_quote(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    id: web::Path<QuoteId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    run(state, (**caller).clone(), id.into_inner(), if_match, Command::Send).await
}

/// Record that the customer accepted a sent quote.
///
/// An expired quote cannot be accepted. An accepted quote is final; an order is made from it.
#[utoipa::path(
    tag = "quotes",
    operation_id = "accept_quote",
    params(
        ("id" = String, Path, description = "Quote id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the command is based on"),
    ),
    responses(
        (status = 200, description = "The accepted quote", body = Quote, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "The role may not change pipeline records"),
        (status = 409, description = "`invalid_transition`: not sent, or expired"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[post("/quotes/{id}/accept")]
pub async fn accept_quote(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    id: web::Path<QuoteId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    run(state, (**caller).clone(), id.into_inner(), if_match, Command::Accept).await
}

/// Record that the customer rejected a sent quote, with the reason.
///
/// A rejected quote may be revised into a new draft.
#[utoipa::path(
    tag = "quotes",
    operation_id = "reject_quote",
    params(
        ("id" = String, Path, description = "Quote id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the command is based on"),
    ),
    request_body = RejectQuote,
    responses(
        (status = 200, description = "The rejected quote", body = Quote, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "The role may not change pipeline records"),
        (status = 409, description = "`invalid_transition`: not sent"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[post("/quotes/{id}/reject")]
pub async fn reject_quote(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    id: web::Path<QuoteId>,
    if_match: IfMatch,
    body: ValidJson<RejectQuote>,
) -> Result<HttpResponse, ApiError> {
    run(state, (**caller).clone(), id.into_inner(), if_match, Command::Reject(body.0.reason)).await
}

/// Take an approved, sent or rejected quote (expired ones too) back to draft.
///
/// Its approval is dropped: once changed, it must be submitted again.
#[utoipa::path(
    tag = "quotes",
    operation_id = "revise_quote",
    params(
        ("id" = String, Path, description = "Quote id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the command is based on"),
    ),
    responses(
        (status = 200, description = "The quote, back in `draft`", body = Quote, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "The role may not change pipeline records"),
        (status = 409, description = "`invalid_transition`: a draft, pending or accepted quote"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[post("/quotes/{id}/revise")]
pub async fn revise_quote(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    id: web::Path<QuoteId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    run(state, (**caller).clone(), id.into_inner(), if_match, Command::Revise).await
}
