//! Lead commands: `start`, `qualify`, `disqualify`, `reopen`, `claim`, `release`, `assign`.
//!
//! Each takes the lead's row lock, checks the transition in the domain, then
//! writes the lead and its audit event in one transaction. A refused
//! transition is 409 `invalid_transition` and changes nothing.

use crate::app::permission::{AssignRecords, EditPipeline};
use crate::app::AppError;
use crate::app::FieldError;
use crate::audit;
use crate::auth::Caller;
use crate::db;
use crate::error::ApiError;
use crate::etag::with_etag;
use crate::etag::IfMatch;
use crate::extract::ValidJson;
use crate::leads::dto::{AssignLead, DisqualifyLead, Lead};
use crate::leads::handlers::{load_visible, map_unique};
use crate::leads::ENTITY;
use crate::org::users::check_assignable;
use crate::state::AppState;
use actix_web::{post, web, HttpResponse};
use salesops_domain::lead::{self, LeadCommand, LeadStatus, QualificationFacts, TransitionError};
use salesops_persistence::leads;

impl From<TransitionError> for AppError {
    fn from(e: TransitionError) -> Self {
        if e == TransitionError::NotOwner {
            return AppError::Forbidden(e.to_string());
        }
        let errors = match &e {
            TransitionError::MissingFields { fields, .. } => {
                fields.iter().map(|f| FieldError::new(*f, "required", format!("{f} must be set first"))).collect()
            }
            _ => Vec::new(),
        };
        AppError::InvalidTransition { detail: e.to_string(), errors }
    }
}

/// What a command carries beyond the lead id.
enum Input {
    None,
    Reason(String),
    Owner(String),
}

async fn run(
    state: web::Data<AppState>,
    caller: Caller,
    id: String,
    if_match: IfMatch,
    command: LeadCommand,
    input: Input,
) -> Result<HttpResponse, ApiError> {
    caller.require::<EditPipeline>("change leads")?;
    if command == LeadCommand::Assign {
        caller.require::<AssignRecords>("assign leads")?;
    }
    let lead = db::write(&state, move |conn| {
        let (row, visibility) = match load_visible(conn, &caller, &id, true) {
            // A pool lead someone else just claimed is out of the loser's scope; say why rather than 404.
            Err(AppError::NotFound) if command == LeadCommand::Claim && leads::exists_live(conn, &id)? => {
                return Err(TransitionError::Ownership("the lead already has an owner").into());
            }
            other => other?,
        };
        if_match.check(row.version)?;
        let status: LeadStatus = row.status;
        let mut after = row.clone();
        match command {
            LeadCommand::Claim => {
                lead::check_claim(status, row.owner_id.as_deref())?;
                after.owner_id = Some(caller.id().to_owned());
            }
            LeadCommand::Release => {
                lead::check_release(status, row.owner_id.as_deref(), caller.id())?;
                after.owner_id = None;
            }
            LeadCommand::Assign => {
                let Input::Owner(owner) = input else { return Err(AppError::Internal("assign without owner".into())) };
                lead::check_assign(status, row.owner_id.as_deref(), &owner)?;
                check_assignable(conn, &visibility, &owner)?;
                after.owner_id = Some(owner);
            }
            LeadCommand::Convert => {
                return Err(AppError::Internal("convert runs through its own handler".into()));
            }
            LeadCommand::Start | LeadCommand::Qualify | LeadCommand::Disqualify | LeadCommand::Reopen => {
                lead::check_worker(row.owner_id.as_deref(), caller.id(), caller.role.can_assign())?;
                let facts = QualificationFacts {
                    company: row.company.as_deref(),
                    email: row.email.as_deref(),
                    phone: row.phone.as_deref(),
                };
                after.status = lead::next_status(status, command, facts)?;
                after.disqualify_reason = match input {
                    Input::Reason(reason) => Some(reason),
                    _ if command == LeadCommand::Reopen => None,
                    _ => row.disqualify_reason.clone(),
                };
            }
        }
        audit::save_versioned::<_, Lead>(conn, &caller, ENTITY, command.as_str(), &row, after, map_unique)
    })
    .await?;
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
            caller: Caller,
            id: web::Path<String>,
            if_match: IfMatch,
        ) -> Result<HttpResponse, ApiError> {
            run(state, caller, id.into_inner(), if_match, $command, Input::None).await
        }
    };
}

lead_command!(
    /// Start working a lead: `new → working`.
    start_lead, "/leads/{id}/start", "start_lead", LeadCommand::Start
);
lead_command!(
    /// Qualify a lead: `new | working → qualified`. Needs a company, and an email or a phone.
    qualify_lead, "/leads/{id}/qualify", "qualify_lead", LeadCommand::Qualify
);
lead_command!(
    /// Reopen a disqualified lead: `disqualified → working`.
    reopen_lead, "/leads/{id}/reopen", "reopen_lead", LeadCommand::Reopen
);
lead_command!(
    /// Claim a lead from the pool; the caller becomes its owner. Of two simultaneous claims, exactly one wins.
    claim_lead, "/leads/{id}/claim", "claim_lead", LeadCommand::Claim
);
lead_command!(
    /// Release an owned lead back to the pool. Only its owner may.
    release_lead, "/leads/{id}/release", "release_lead", LeadCommand::Release
);

/// Disqualify an open lead, with a reason.
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
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: ValidJson<DisqualifyLead>,
) -> Result<HttpResponse, ApiError> {
    let reason = body.0.reason.trim().to_owned();
    run(state, caller, id.into_inner(), if_match, LeadCommand::Disqualify, Input::Reason(reason)).await
}

/// Assign a lead to a user (managers and admins), from the pool or from another owner.
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
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: ValidJson<AssignLead>,
) -> Result<HttpResponse, ApiError> {
    let owner = body.0.owner_id;
    run(state, caller, id.into_inner(), if_match, LeadCommand::Assign, Input::Owner(owner)).await
}
