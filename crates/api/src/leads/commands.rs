//! Lead commands over HTTP: `start`, `qualify`, `disqualify`, `reopen`,
//! `claim`, `release`, `assign` and `convert`. The rules live in [`service`].

use crate::app::permission::{AssignRecords, EditPipeline};
use crate::app::AppError;
use crate::auth::Authorized;
use crate::db;
use crate::error::ApiError;
use crate::etag::{etag, with_etag, IfMatch};
use crate::extract::{OptionalJson, ValidJson};
use crate::leads::dto::{AssignLead, ConvertLead, DisqualifyLead, Lead, LeadConversion};
use crate::leads::service::{self, Command};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{post, web, HttpResponse};
use salesops_domain::ids::LeadId;
use validator::Validate;

/// Run `command` on the lead in the path, answering with the lead and its ETag.
async fn run(
    state: web::Data<AppState>,
    actor: crate::app::Actor,
    id: LeadId,
    if_match: IfMatch,
    command: Command,
) -> Result<HttpResponse, ApiError> {
    let lead = db::write(&state, move |conn| service::run(conn, &actor, &id, if_match, command)).await?;
    Ok(with_etag(HttpResponse::Ok(), &lead))
}

macro_rules! lead_command {
    ($(#[$doc:meta])* $fn_name:ident, $path:literal, $op:literal, $command:expr) => {
        $(#[$doc])*
        #[utoipa::path(
            tag = "leads",
            operation_id = $op,
            params(
                ("id" = String, Path, description = "Lead id"),
                ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the command is based on"),
            ),
            responses(
                (status = 200, description = "The lead after the command", body = Lead, headers(("ETag" = String, description = "W/\"<version>\""))),
                (status = 403, description = "The role may not do this"),
                (status = 409, description = "`invalid_transition`: the lead's status or ownership does not allow it"),
                (status = 412, description = "`If-Match` is stale"),
            ),
            security(("bearer" = []))
        )]
        #[post($path)]
        pub async fn $fn_name(
            state: web::Data<AppState>,
            caller: Authorized<EditPipeline>,
            id: web::Path<LeadId>,
            if_match: IfMatch,
        ) -> Result<HttpResponse, ApiError> {
            run(state, caller.actor.clone(), id.into_inner(), if_match, $command).await
        }
    };
}

lead_command!(
    /// Start working a lead: `new → working`.
    ///
    /// Only the lead's owner, or a manager or admin whose scope covers the owner,
    /// may start it; logging an activity on a `new` lead starts it too.
    start_lead, "/leads/{id}/start", "start_lead", Command::Start
);
lead_command!(
    /// Qualify a lead: `new | working → qualified`.
    ///
    /// The lead needs a company, and an email or a phone; a missing one is refused
    /// with 409 `invalid_transition` naming each field in `errors`. A qualified
    /// lead can be converted.
    qualify_lead, "/leads/{id}/qualify", "qualify_lead", Command::Qualify
);
lead_command!(
    /// Reopen a disqualified lead: `disqualified → working`.
    ///
    /// The disqualification reason is cleared. Only the owner, or a manager or
    /// admin over them, may reopen.
    reopen_lead, "/leads/{id}/reopen", "reopen_lead", Command::Reopen
);
lead_command!(
    /// Claim a lead from the pool; the caller becomes its owner.
    ///
    /// Of two simultaneous claims, exactly one wins; for the other the lead now
    /// belongs to someone outside their scope, so it is 404, as is any lead
    /// owned outside the caller's scope. A lead already owned within the
    /// caller's scope is 409 `invalid_transition`.
    claim_lead, "/leads/{id}/claim", "claim_lead", Command::Claim
);
lead_command!(
    /// Release an owned lead back to the pool.
    ///
    /// Only its owner may; the lead keeps its status and history, and anyone
    /// who may work pool leads can claim it.
    release_lead, "/leads/{id}/release", "release_lead", Command::Release
);

/// Disqualify an open lead, with a reason.
///
/// `new` and `working` leads may be disqualified by their owner, or by a
/// manager or admin over them; the reason is kept until the lead is reopened.
#[utoipa::path(
    tag = "leads",
    operation_id = "disqualify_lead",
    params(
        ("id" = String, Path, description = "Lead id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the command is based on"),
    ),
    request_body = DisqualifyLead,
    responses(
        (status = 200, description = "The disqualified lead", body = Lead, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "The role may not do this"),
        (status = 409, description = "`invalid_transition`: the lead is not open"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[post("/leads/{id}/disqualify")]
pub async fn disqualify_lead(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    id: web::Path<LeadId>,
    if_match: IfMatch,
    body: ValidJson<DisqualifyLead>,
) -> Result<HttpResponse, ApiError> {
    let reason = body.0.reason.trim().to_owned();
    run(state, caller.actor.clone(), id.into_inner(), if_match, Command::Disqualify(reason)).await
}

/// Assign a lead to a user (managers and admins), from the pool or from another owner.
///
/// The new owner must be an active user within the caller's data scope
/// (422 `unknown_user` otherwise). A converted lead cannot be reassigned.
#[utoipa::path(
    tag = "leads",
    operation_id = "assign_lead",
    params(
        ("id" = String, Path, description = "Lead id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the command is based on"),
    ),
    request_body = AssignLead,
    responses(
        (status = 200, description = "The assigned lead", body = Lead, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Only managers and admins assign"),
        (status = 409, description = "`invalid_transition`: converted, or already owned by that user"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[post("/leads/{id}/assign")]
pub async fn assign_lead(
    state: web::Data<AppState>,
    caller: Authorized<AssignRecords>,
    id: web::Path<LeadId>,
    if_match: IfMatch,
    body: ValidJson<AssignLead>,
) -> Result<HttpResponse, ApiError> {
    run(state, caller.actor.clone(), id.into_inner(), if_match, Command::Assign(body.0.owner_id)).await
}

/// Convert a qualified lead into an account, a contact and optionally an opportunity.
///
/// One transaction: if any step fails, nothing is created and the lead is
/// unchanged. The account is the given one, else the given contact's, else a
/// new one from the lead (owned by the lead's owner, in the default pool's
/// rules). The contact is the given one, which must work at that account, else
/// a new one from the lead. The opportunity, when asked for, starts in the
/// first active open stage, owned by the lead's owner, with the lead as its
/// source. Only the lead's owner, or a manager or admin over them, converts;
/// a pool lead must be claimed first.
#[utoipa::path(
    tag = "leads",
    operation_id = "convert_lead",
    params(
        ("id" = String, Path, description = "Lead id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the command is based on"),
    ),
    request_body(content = Option<ConvertLead>, description = "Optional; `{}` or nothing converts into a new account and contact, without an opportunity"),
    responses(
        (status = 200, description = "The converted lead and the records it became", body = LeadConversion,
         headers(("ETag" = String, description = "W/\"<version>\" of the lead"))),
        (status = 403, description = "Finance; or not the owner nor a manager over them"),
        (status = 409, description = "`invalid_transition`: the lead is not qualified (converting twice included), or sits in the pool"),
        (status = 412, description = "`If-Match` is stale"),
        (status = 422, description = "`validation`: an unknown or invisible account or contact, a contact not at the account, or an invalid opportunity (fields under `opportunity.`)"),
    ),
    security(("bearer" = []))
)]
#[post("/leads/{id}/convert")]
pub async fn convert_lead(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    id: web::Path<LeadId>,
    if_match: IfMatch,
    body: OptionalJson<ConvertLead>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let base_currency = state.settings.base_currency.clone();
    if let Some(opportunity) = &input.opportunity {
        opportunity.validate().map_err(|e| AppError::from(e).nested("opportunity"))?;
        if let Some(amount) = &opportunity.amount {
            amount.resolve("opportunity.amount", &base_currency)?;
        }
    }
    let id = id.into_inner();
    let result =
        db::write(&state, move |conn| service::convert(conn, &caller, &base_currency, &id, if_match, input)).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(result.lead.version))).json(result))
}
