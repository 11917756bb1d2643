//! Opportunity commands: `move`, `win`, `lose`, `abandon`, `reopen`.
//!
//! Each takes the opportunity's row lock (a win takes its account's first), checks the transition in the domain
//! and the target stage's gates, then in one transaction writes the
//! opportunity, appends a stage-history row and an audit event, and bumps the
//! version. A refused transition is 409 `invalid_transition`; missing gate
//! fields are 422 `validation`, one error per field; neither changes anything.

use crate::accounts::dto::Account;
use crate::accounts::ENTITY as ACCOUNT_ENTITY;
use crate::app::permission::{AssignRecords, EditPipeline};
use crate::app::Actor;
use crate::app::AppError;
use crate::audit;
use crate::auth::Caller;
use crate::db;
use crate::error::ApiError;
use crate::etag::with_etag;
use crate::etag::IfMatch;
use crate::extract::{OptionalJson, ValidJson};
use crate::opportunities::dto::{
    AbandonOpportunity, LoseOpportunity, MoveOpportunity, Opportunity, ReopenOpportunity, WinOpportunity,
};
use crate::opportunities::service::{
    append_stage_change, competitor_problem, competitors_of, gate_facts, load_visible, save,
};
use crate::pipeline::stages::dto::Stage;
use crate::pipeline::stages::service as stages;
use crate::state::AppState;
use actix_web::{post, web, HttpResponse};
use chrono::NaiveDateTime;
use salesops_domain::opportunity::{
    check_move, check_reopen, close, lifecycle_after_win, ClosedState, OpportunityAction, OpportunityStatus,
    PipelineError, StageKind,
};
use salesops_persistence::accounts;
use salesops_persistence::opportunities::OpportunityRow;
use salesops_persistence::scope::Visibility;
use salesops_persistence::{clock, pipeline, DbConnection};

impl From<PipelineError> for AppError {
    fn from(e: PipelineError) -> Self {
        AppError::InvalidTransition { detail: e.to_string(), errors: Vec::new() }
    }
}

/// A command and what it carries.
enum Command {
    Move(String),
    Win,
    Lose(LoseOpportunity),
    Abandon(Option<String>),
    Reopen(Option<String>),
}

impl Command {
    fn action(&self) -> OpportunityAction {
        match self {
            Command::Move(_) => OpportunityAction::Move,
            Command::Win => OpportunityAction::Win,
            Command::Lose(_) => OpportunityAction::Lose,
            Command::Abandon(_) => OpportunityAction::Abandon,
            Command::Reopen(_) => OpportunityAction::Reopen,
        }
    }
}

/// Put `after` into `stage` now, with the stage's probability and forecast category.
fn enter(after: &mut OpportunityRow, stage: &Stage) {
    after.stage = stage.key.clone();
    after.probability_bps = stage.probability_bps;
    after.forecast_category = stage.forecast_category;
    after.stage_entered_at = clock::now();
}

/// Record on `after` how it closed, at `at`.
fn record_close(after: &mut OpportunityRow, closed: ClosedState, at: NaiveDateTime) {
    after.status = closed.status;
    after.probability_bps = closed.probability_bps;
    after.forecast_category = closed.forecast_category;
    after.closed_at = Some(at);
}

/// The stage a closed opportunity goes back to when none is named: the one it was
/// in before it closed, which must still be an active open stage.
fn stage_before_close(conn: &mut DbConnection, row: &OpportunityRow) -> Result<Stage, AppError> {
    let closing = [OpportunityAction::Win, OpportunityAction::Lose, OpportunityAction::Abandon];
    let previous = pipeline::last_stage_change(conn, &row.id, &closing)?
        .and_then(|change| change.from_stage)
        .unwrap_or_else(|| row.stage.clone());
    stages::active_open(conn, &previous, "stage").map_err(|_| {
        AppError::invalid_field(
            "stage",
            "required",
            format!("the stage it closed from, `{previous}`, is no longer an active open stage; name one"),
        )
    })
}

/// Apply `command` to the locked, visible `row`; returns the new row and, when they change, the competitor ids.
fn apply(
    conn: &mut DbConnection,
    row: &OpportunityRow,
    command: Command,
) -> Result<(OpportunityRow, Option<Vec<String>>), AppError> {
    let status: OpportunityStatus = row.status;
    let mut competitor_ids: Vec<String> = competitors_of(conn, &row.id)?.into_iter().map(|c| c.id).collect();
    let mut competitors_changed = false;
    let mut after = row.clone();
    let target = match command {
        Command::Move(key) => {
            if !status.is_open() {
                return Err(PipelineError::Closed(status).into());
            }
            let stage = match stages::find_for_entry(conn, &key)? {
                Some(stage) if stage.active => stage,
                Some(_) => {
                    return Err(AppError::invalid_field("stage", "inactive", format!("stage `{key}` is not active")))
                }
                None => return Err(AppError::invalid_field("stage", "unknown", format!("no stage `{key}`"))),
            };
            check_move(status, &row.stage, &stage.key, stage.kind)?;
            enter(&mut after, &stage);
            stage
        }
        Command::Win => {
            let closed = close(status, OpportunityAction::Win)?;
            let stage = stages::closing(conn, StageKind::Won)?;
            enter(&mut after, &stage);
            let entered = after.stage_entered_at;
            record_close(&mut after, closed, entered);
            stage
        }
        Command::Lose(body) => {
            let closed = close(status, OpportunityAction::Lose)?;
            match pipeline::find_loss_reason(conn, &body.loss_reason)? {
                Some(reason) if reason.active => {}
                _ => {
                    return Err(AppError::invalid_field(
                        "loss_reason",
                        "unknown",
                        "not an active code from /loss-reasons",
                    ))
                }
            }
            if let Some(winner) = body.won_by_competitor_id.as_deref() {
                if let Some(error) =
                    competitor_problem("won_by_competitor_id", pipeline::find_competitor(conn, winner)?.as_ref())
                {
                    return Err(error.into());
                }
                if !competitor_ids.iter().any(|c| c == winner) {
                    competitor_ids.push(winner.to_owned());
                    competitors_changed = true;
                }
            }
            let stage = stages::closing(conn, StageKind::Lost)?;
            enter(&mut after, &stage);
            let entered = after.stage_entered_at;
            record_close(&mut after, closed, entered);
            after.loss_reason = Some(body.loss_reason);
            after.loss_note = body.loss_note;
            after.won_by_competitor_id = body.won_by_competitor_id;
            stage
        }
        Command::Abandon(reason) => {
            let closed = close(status, OpportunityAction::Abandon)?;
            record_close(&mut after, closed, clock::now());
            after.loss_note = reason;
            // It keeps its stage; no gates apply to giving up.
            return Ok((after, None));
        }
        Command::Reopen(key) => {
            if status.is_open() {
                return Err(PipelineError::AlreadyOpen.into());
            }
            let stage = match key {
                Some(key) => stages::active_open(conn, &key, "stage")?,
                None => stage_before_close(conn, row)?,
            };
            check_reopen(status, &stage.key, stage.kind)?;
            enter(&mut after, &stage);
            after.status = OpportunityStatus::Open;
            after.closed_at = None;
            after.loss_reason = None;
            after.loss_note = None;
            after.won_by_competitor_id = None;
            stage
        }
    };
    target.check_gates(&gate_facts(&after, competitor_ids.len()))?;
    Ok((after, competitors_changed.then_some(competitor_ids)))
}

/// The account fields a win changes, as audited.
/// Record a win on the opportunity's account, whose row lock the win took first:
/// `first_won_at` if unset, `last_won_at`, and a prospect becomes active
/// ([`lifecycle_after_win`]). Audited as `opportunity_won`; nothing to do if the account is gone.
fn record_win_on_account(
    conn: &mut DbConnection,
    caller: &Actor,
    account_id: &str,
    at: NaiveDateTime,
) -> Result<(), AppError> {
    let Some(before) = accounts::find_visible(conn, account_id, &Visibility::All)? else {
        return Ok(());
    };
    let mut after = before.clone();
    after.first_won_at = Some(before.first_won_at.unwrap_or(at));
    after.last_won_at = Some(at);
    after.lifecycle = lifecycle_after_win(before.lifecycle);
    audit::save_versioned::<_, Account>(
        conn,
        caller,
        ACCOUNT_ENTITY,
        "opportunity_won",
        &before,
        after,
        AppError::from,
    )?;
    Ok(())
}

/// Read the opportunity a win changes under the row locks it needs, taken in the order
/// transfers and activity logging take them — its account first, then the opportunity —
/// so that concurrent writers cannot deadlock. The opportunity is read unlocked to learn
/// its account, then re-read under both locks; 409 `conflict` if its account changed
/// in between.
fn load_for_win(conn: &mut DbConnection, caller: &Actor, id: &str) -> Result<OpportunityRow, AppError> {
    let (peek, _) = load_visible(conn, caller, id, false)?;
    if let Some(account_id) = peek.account_id.as_deref() {
        accounts::lock(conn, account_id)?;
    }
    let (row, _) = load_visible(conn, caller, id, true)?;
    if row.account_id != peek.account_id {
        return Err(AppError::Conflict("the opportunity's account changed while the request ran; retry".into()));
    }
    Ok(row)
}

async fn run(
    state: web::Data<AppState>,
    caller: Caller,
    id: String,
    if_match: IfMatch,
    command: Command,
) -> Result<HttpResponse, ApiError> {
    caller.require::<EditPipeline>("change opportunities")?;
    if matches!(command, Command::Reopen(_)) {
        caller.require::<AssignRecords>("reopen opportunities")?;
    }
    let opp: Opportunity = db::write(&state, move |conn| {
        let action = command.action();
        let row = if action == OpportunityAction::Win {
            load_for_win(conn, &caller, &id)?
        } else {
            load_visible(conn, &caller, &id, true)?.0
        };
        if_match.check(row.version)?;
        let (after, competitor_ids) = apply(conn, &row, command)?;
        let opp = save(conn, &caller, action.as_str(), &row, after.clone(), competitor_ids.as_deref())?;
        append_stage_change(conn, &caller, action, Some(&row), &after)?;
        if action == OpportunityAction::Win {
            if let (Some(account_id), Some(at)) = (after.account_id.as_deref(), after.closed_at) {
                record_win_on_account(conn, &caller, account_id, at)?;
            }
        }
        Ok(opp)
    })
    .await?;
    Ok(with_etag(HttpResponse::Ok(), &opp))
}

/// Move an open opportunity to another active open stage, forward or back.
///
/// The probability and forecast category become the stage's. The stage's
/// gates apply: 422 names every missing field. Closing stages are entered
/// with `win` and `lose` only (409).
#[utoipa::path(
    tag = "opportunities",
    operation_id = "move_opportunity",
    params(
        ("id" = String, Path, description = "Opportunity id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the command is based on"),
    ),
    request_body = MoveOpportunity,
    responses(
        (status = 200, description = "The moved opportunity", body = Opportunity, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "The role may not change opportunities"),
        (status = 409, description = "`invalid_transition`: closed, already in that stage, or a closing stage"),
        (status = 412, description = "`If-Match` is stale"),
        (status = 422, description = "Unknown or inactive stage, or the stage's gates are not met (one error per missing field)"),
    ),
    security(("bearer" = []))
)]
#[post("/opportunities/{id}/move")]
pub async fn move_opportunity(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: ValidJson<MoveOpportunity>,
) -> Result<HttpResponse, ApiError> {
    let stage = body.0.stage.trim().to_owned();
    run(state, caller, id.into_inner(), if_match, Command::Move(stage)).await
}

/// Win an open opportunity.
///
/// It enters the active `won` stage, whose gates apply (by default an account
/// and an amount above 0): status `won`, probability 10000, forecast `closed`.
/// The account records its first and last win, and a prospect becomes active.
#[utoipa::path(
    tag = "opportunities",
    operation_id = "win_opportunity",
    params(
        ("id" = String, Path, description = "Opportunity id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the command is based on"),
    ),
    request_body(content = Option<WinOpportunity>, description = "Optional; `{}` or nothing"),
    responses(
        (status = 200, description = "The won opportunity", body = Opportunity, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "The role may not change opportunities"),
        (status = 409, description = "`invalid_transition`: already closed; `conflict`: its account changed meanwhile"),
        (status = 412, description = "`If-Match` is stale"),
        (status = 422, description = "The won stage's gates are not met (one error per missing field)"),
    ),
    security(("bearer" = []))
)]
#[post("/opportunities/{id}/win")]
pub async fn win_opportunity(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    _body: OptionalJson<WinOpportunity>,
) -> Result<HttpResponse, ApiError> {
    run(state, caller, id.into_inner(), if_match, Command::Win).await
}

/// Lose an open opportunity, with a reason from `/loss-reasons`.
///
/// It enters the active `lost` stage: status `lost`, probability 0, forecast
/// `omitted`. A winning competitor is recorded and added to the competitors.
#[utoipa::path(
    tag = "opportunities",
    operation_id = "lose_opportunity",
    params(
        ("id" = String, Path, description = "Opportunity id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the command is based on"),
    ),
    request_body = LoseOpportunity,
    responses(
        (status = 200, description = "The lost opportunity", body = Opportunity, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "The role may not change opportunities"),
        (status = 409, description = "`invalid_transition`: already closed"),
        (status = 412, description = "`If-Match` is stale"),
        (status = 422, description = "Unknown or inactive loss reason, unknown or inactive competitor, or the lost stage's gates"),
    ),
    security(("bearer" = []))
)]
#[post("/opportunities/{id}/lose")]
pub async fn lose_opportunity(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: ValidJson<LoseOpportunity>,
) -> Result<HttpResponse, ApiError> {
    run(state, caller, id.into_inner(), if_match, Command::Lose(body.0)).await
}

/// Abandon an open opportunity: status `abandoned`, probability 0, forecast
/// `omitted`. It keeps its stage; the reason is kept in `loss_note`.
#[utoipa::path(
    tag = "opportunities",
    operation_id = "abandon_opportunity",
    params(
        ("id" = String, Path, description = "Opportunity id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the command is based on"),
    ),
    request_body(content = Option<AbandonOpportunity>, description = "Optional"),
    responses(
        (status = 200, description = "The abandoned opportunity", body = Opportunity, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "The role may not change opportunities"),
        (status = 409, description = "`invalid_transition`: already closed"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[post("/opportunities/{id}/abandon")]
pub async fn abandon_opportunity(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: OptionalJson<AbandonOpportunity>,
) -> Result<HttpResponse, ApiError> {
    run(state, caller, id.into_inner(), if_match, Command::Abandon(body.0.reason)).await
}

/// Reopen a closed opportunity (managers and admins).
///
/// It goes back to the named active open stage, or to the stage it was in
/// before it closed; that stage's probability, forecast category and gates
/// apply. `closed_at` and the loss fields are cleared.
#[utoipa::path(
    tag = "opportunities",
    operation_id = "reopen_opportunity",
    params(
        ("id" = String, Path, description = "Opportunity id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the command is based on"),
    ),
    request_body(content = Option<ReopenOpportunity>, description = "Optional"),
    responses(
        (status = 200, description = "The reopened opportunity", body = Opportunity, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Only managers and admins reopen"),
        (status = 409, description = "`invalid_transition`: the opportunity is open"),
        (status = 412, description = "`If-Match` is stale"),
        (status = 422, description = "Unknown, inactive or closing stage, or its gates are not met"),
    ),
    security(("bearer" = []))
)]
#[post("/opportunities/{id}/reopen")]
pub async fn reopen_opportunity(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: OptionalJson<ReopenOpportunity>,
) -> Result<HttpResponse, ApiError> {
    run(state, caller, id.into_inner(), if_match, Command::Reopen(body.0.stage)).await
}
