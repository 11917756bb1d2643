//! Opportunity use cases: get, create, update and delete; the stage commands
//! (`move`, `win`, `lose`, `abandon`, `reopen`); and the checks and writes other
//! resources share ([`create_in`] for lead conversion, [`save`] for account transfers).
//!
//! A command takes the opportunity's row lock (a win takes its account's first), checks
//! the transition in the domain and the target stage's gates, then in one transaction
//! writes the opportunity, appends a stage-history row and an audit event, and bumps
//! the version. A refused transition is 409 `invalid_transition`; missing gate fields
//! are 422 `validation`, one error per field; neither changes anything.

use super::ENTITY;
use crate::app::error::taken;
use crate::app::permission::AssignRecords;
use crate::app::precondition::IfMatch;
use crate::app::scoped::load_visible;
use crate::app::{Actor, AppError, AppResult, FieldError};
use crate::audit::{self, snapshot};
use crate::opportunities::dto::{
    AbandonOpportunity, CompetitorRef, CreateOpportunity, LoseOpportunity, MoveOpportunity, Opportunity,
    OpportunityPatch, ReopenOpportunity,
};
use crate::org::users::check_assignable;
use crate::pipeline::stages::dto::Stage;
use crate::pipeline::stages::service as stages;
use crate::validation::tidy;
use chrono::NaiveDateTime;
use salesops_domain::ids::OpportunityId;
use salesops_domain::opportunity::{
    check_forecast_override, check_move, check_reopen, close, gate_fields_cleared, ClosedState, GateFacts,
    OpportunityAction, OpportunityStatus, PipelineError, StageKind,
};
use salesops_persistence::opportunities::{self, OpportunityRow};
use salesops_persistence::pipeline::{self, CompetitorRow, StageChangeRow};
use salesops_persistence::scope::Visibility;
use salesops_persistence::{accounts, clock, contacts, DbConnection, StoreError};
use validator::Validate;

impl From<PipelineError> for AppError {
    fn from(e: PipelineError) -> Self {
        AppError::InvalidTransition { detail: e.to_string(), errors: Vec::new() }
    }
}

/// A taken `external_id` is a 422 `taken` on that field; other storage errors as usual.
pub fn map_unique(e: StoreError) -> AppError {
    taken(&[("external_id", "another opportunity has this external_id")])(e)
}

/// The competitors listed on one opportunity.
pub fn competitors_of(conn: &mut DbConnection, id: &str) -> AppResult<Vec<CompetitorRef>> {
    Ok(pipeline::competitors_of(conn, &[id.to_owned()])?
        .into_iter()
        .map(|(_, id, name)| CompetitorRef { id, name })
        .collect())
}

/// The API view of stored opportunities, their competitors loaded in one query.
pub fn views(conn: &mut DbConnection, rows: Vec<OpportunityRow>) -> AppResult<Vec<Opportunity>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut listed = pipeline::competitors_of(conn, &ids)?;
    rows.into_iter()
        .map(|row| {
            let mine = listed
                .iter()
                .filter(|(opp, _, _)| *opp == row.id)
                .map(|(_, id, name)| CompetitorRef { id: id.clone(), name: name.clone() })
                .collect();
            listed.retain(|(opp, _, _)| *opp != row.id);
            Opportunity::from_parts(row, mine)
        })
        .collect()
}

/// What a row has set, as far as stage gates are concerned.
pub fn gate_facts(row: &OpportunityRow, competitors: usize) -> GateFacts {
    GateFacts {
        amount: row.amount,
        expected_close_date: row.expected_close_date.is_some(),
        account_id: row.account_id.is_some(),
        contact_id: row.contact_id.is_some(),
        next_step: row.next_step.is_some(),
        loss_reason: row.loss_reason.is_some(),
        competitors,
    }
}

/// Check that the account is visible to the actor; 422 on `account_id` otherwise.
pub fn check_account(conn: &mut DbConnection, visibility: &Visibility, account_id: Option<&str>) -> AppResult<()> {
    if let Some(account) = account_id {
        if accounts::find_visible(conn, account, visibility)?.is_none() {
            return Err(FieldError::unknown("account_id", "account").into());
        }
    }
    Ok(())
}

/// Check that the contact is visible and belongs to `account_id`; 422 on `contact_id` otherwise.
pub fn check_contact_of(
    conn: &mut DbConnection,
    visibility: &Visibility,
    contact_id: Option<&str>,
    account_id: Option<&str>,
) -> AppResult<()> {
    let Some(contact) = contact_id else { return Ok(()) };
    let Some(row) = contacts::find_visible(conn, contact, visibility)? else {
        return Err(FieldError::unknown("contact_id", "contact").into());
    };
    if Some(row.account_id.as_str()) != account_id {
        return Err(
            FieldError::mismatch("contact_id", "the contact does not belong to the opportunity's account").into()
        );
    }
    Ok(())
}

/// What is wrong with naming this competitor (looked up by its id) in `field`, if anything:
/// `unknown` when there is none, `inactive` when it was deactivated.
pub fn competitor_problem(field: &str, found: Option<&CompetitorRow>) -> Option<FieldError> {
    match found {
        Some(c) if c.active => None,
        Some(_) => Some(FieldError::new(field, "inactive", "this competitor is inactive")),
        None => Some(FieldError::new(field, "unknown", "no competitor with this id")),
    }
}

/// Check that every id names an active competitor; 422 on `field[i]` otherwise. Returns them without repeats.
pub fn check_competitors(conn: &mut DbConnection, field: &str, ids: &[String]) -> AppResult<Vec<String>> {
    let found = pipeline::find_competitors(conn, ids)?;
    let mut errors = Vec::new();
    let mut unique: Vec<String> = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        match competitor_problem(&format!("{field}[{i}]"), found.iter().find(|c| c.id == *id)) {
            Some(error) => errors.push(error),
            None if !unique.contains(id) => unique.push(id.clone()),
            None => {}
        }
    }
    if errors.is_empty() {
        Ok(unique)
    } else {
        Err(AppError::Validation(errors))
    }
}

/// Refuse a forecast category override of `closed` while the opportunity is open
/// (422 `invalid_value`); the stage's own category needs no check.
fn check_forecast(status: OpportunityStatus, input: &CreateOpportunity) -> AppResult<()> {
    match input.forecast_category {
        Some(category) => check_forecast_override(status, category)
            .map_err(|e| AppError::invalid_field("forecast_category", "invalid_value", e.to_string())),
        None => Ok(()),
    }
}

/// Append a stage-history row: `after`'s stage, status, amount and probability, by the actor, now.
pub fn append_stage_change(
    conn: &mut DbConnection,
    actor: &Actor,
    action: OpportunityAction,
    before: Option<&OpportunityRow>,
    after: &OpportunityRow,
) -> AppResult<()> {
    let row = StageChangeRow {
        id: salesops_domain::new_id(),
        opportunity_id: after.id.clone(),
        action,
        from_stage: before.map(|b| b.stage.clone()),
        to_stage: after.stage.clone(),
        from_status: before.map(|b| b.status),
        to_status: after.status,
        amount: after.amount,
        currency: after.currency.clone(),
        probability_bps: after.probability_bps,
        actor_id: Some(actor.id().to_owned()),
        occurred_at: clock::now(),
    };
    Ok(pipeline::insert_stage_change(conn, &row)?)
}

/// Write `after` over `before` (read under the row lock), bumping its version, replacing the
/// listed competitors when `competitor_ids` is given, and auditing `action` with snapshots of
/// the API view (competitors included). 409 `conflict` if the row moved on.
pub fn save(
    conn: &mut DbConnection,
    actor: &Actor,
    action: &str,
    before: &OpportunityRow,
    mut after: OpportunityRow,
    competitor_ids: Option<&[String]>,
) -> AppResult<Opportunity> {
    let competitors_before = competitors_of(conn, &before.id)?;
    audit::write_versioned(conn, ENTITY, before, &mut after, map_unique)?;
    let competitors_after = match competitor_ids {
        Some(ids) => {
            pipeline::set_competitors(conn, &after.id, ids)?;
            competitors_of(conn, &after.id)?
        }
        None => competitors_before.clone(),
    };
    let old = Opportunity::from_parts(before.clone(), competitors_before)?;
    let new = Opportunity::from_parts(after, competitors_after)?;
    audit::record(conn, actor, action, ENTITY, &new.id, &snapshot(&old), &snapshot(&new))?;
    Ok(new)
}

/// The opportunity `id` in the actor's data scope, with its weighted amount and competitors.
pub fn get(conn: &mut DbConnection, actor: &Actor, id: &OpportunityId) -> AppResult<Opportunity> {
    let (row, _) = load_visible::<OpportunityRow>(conn, actor, id, false)?;
    let listed = competitors_of(conn, &row.id)?;
    Opportunity::from_parts(row, listed)
}

/// Create an opportunity inside the actor's open transaction, with all its checks, its
/// first stage-history row (`create`) and its audit event.
///
/// This is the one way opportunities are created: `POST /opportunities` calls it, and so
/// does lead conversion (which sets `input.source_lead_id`). Both endpoints demand
/// `EditPipeline`, so it is not checked here. `base_currency` is the currency of an amount
/// given without one, and of an opportunity with no amount (`state.settings.base_currency`).
/// The input is validated by its declared rules (422); naming another owner needs a manager
/// or admin (403) and an active user in scope (422); the account (row-locked first) and
/// contact must be visible and match (422); the stage must be an active open stage (422,
/// default the first) whose gates the new opportunity meets (422 per missing field);
/// competitors must exist and be active (422).
pub fn create_in(
    conn: &mut DbConnection,
    actor: &Actor,
    base_currency: &str,
    input: CreateOpportunity,
) -> AppResult<Opportunity> {
    let input = input.tidied();
    input.validate()?;
    let visibility = actor.visibility();
    let owner = match input.owner_id.as_deref() {
        Some(owner) if owner != actor.id() => {
            actor.require::<AssignRecords>("create opportunities for someone else")?;
            check_assignable(conn, visibility, owner)?;
            owner.to_owned()
        }
        _ => actor.id().to_owned(),
    };
    if let Some(account_id) = input.account_id.as_deref() {
        // Held to the end of the transaction: a concurrent delete or release to a pool
        // cannot slip in between the check and the insert.
        accounts::lock(conn, account_id)?;
    }
    check_account(conn, visibility, input.account_id.as_deref())?;
    check_contact_of(conn, visibility, input.contact_id.as_deref(), input.account_id.as_deref())?;
    let amount = input.amount.as_ref().map(|a| a.resolve("amount", base_currency)).transpose()?;
    let stage = match input.stage.as_deref() {
        Some(key) => stages::active_open(conn, key, "stage")?,
        None => stages::first_open(conn)?,
    };
    check_forecast(OpportunityStatus::Open, &input)?;
    let competitor_ids = check_competitors(conn, "competitor_ids", &input.competitor_ids)?;
    let mut row = OpportunityRow::new(
        &input.name,
        &owner,
        base_currency,
        &stage.key,
        stage.probability_bps,
        stage.forecast_category,
        Some(actor.id()),
    );
    input.write_to(&mut row, amount);
    row.source_lead_id = input.source_lead_id;
    stage.check_gates(&gate_facts(&row, competitor_ids.len()))?;
    opportunities::insert(conn, &row).map_err(map_unique)?;
    pipeline::set_competitors(conn, &row.id, &competitor_ids)?;
    append_stage_change(conn, actor, OpportunityAction::Create, None, &row)?;
    let listed = competitors_of(conn, &row.id)?;
    let opp = Opportunity::from_parts(row, listed)?;
    audit::record(conn, actor, "create", ENTITY, &opp.id, &serde_json::Value::Null, &snapshot(&opp))?;
    Ok(opp)
}

/// Apply a merge patch to opportunity `id`, audited as `update`.
///
/// The patched fields are validated by the create body's declared rules. An amount keeps
/// the opportunity's currency unless one is given; a forecast override may not be `closed`
/// while open (422); a new account or contact must be visible and match (422); competitors
/// named by the patch must exist and be active (422); and the patch may not clear a field
/// the current stage requires (422 `required`).
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &OpportunityId,
    if_match: IfMatch,
    patch: OpportunityPatch,
) -> AppResult<Opportunity> {
    // A new account is locked before the opportunity, the order create, win and transfer take them in,
    // so a concurrent delete or release of that account cannot miss this open opportunity.
    // Trimmed as the patched fields are, so the lock is on the account that gets checked and linked.
    if let Some(account_id) = patch.account_id.clone().and_then(tidy) {
        accounts::lock(conn, &account_id)?;
    }
    let (row, visibility) = load_visible::<OpportunityRow>(conn, actor, id, true)?;
    if_match.check(row.version)?;
    let listed = competitors_of(conn, &row.id)?;
    // Only competitors the patch names are checked: those already listed may since have been deactivated.
    let names_competitors = patch.names_competitors();
    let input = patch.apply(CreateOpportunity::from_row(&row, &listed))?.tidied();
    input.validate()?;
    let amount = input.amount.as_ref().map(|a| a.resolve("amount", &row.currency)).transpose()?;
    check_forecast(row.status, &input)?;
    if input.account_id != row.account_id || input.contact_id != row.contact_id {
        if input.account_id != row.account_id {
            check_account(conn, visibility, input.account_id.as_deref())?;
        }
        check_contact_of(conn, visibility, input.contact_id.as_deref(), input.account_id.as_deref())?;
    }
    let competitor_ids =
        if names_competitors { Some(check_competitors(conn, "competitor_ids", &input.competitor_ids)?) } else { None };
    let mut after = row.clone();
    input.write_to(&mut after, amount);
    if let Some(stage) = stages::find(conn, &row.stage)? {
        let after_count = competitor_ids.as_ref().map_or(listed.len(), Vec::len);
        let cleared = gate_fields_cleared(
            &stage.required_fields,
            &gate_facts(&row, listed.len()),
            &gate_facts(&after, after_count),
            stage.kind,
        );
        if !cleared.is_empty() {
            return Err(AppError::Validation(
                cleared
                    .into_iter()
                    .map(|f| FieldError::new(f.as_str(), "required", format!("stage `{}` requires {f}", stage.key)))
                    .collect(),
            ));
        }
    }
    save(conn, actor, "update", &row, after, competitor_ids.as_deref())
}

/// Soft-delete opportunity `id`: it leaves lists and reads and stays in the audit log (`delete`).
pub fn delete(conn: &mut DbConnection, actor: &Actor, id: &OpportunityId, if_match: IfMatch) -> AppResult<()> {
    let (row, _) = load_visible::<OpportunityRow>(conn, actor, id, true)?;
    if_match.check(row.version)?;
    let mut after = row.clone();
    after.deleted_at = Some(clock::now());
    save(conn, actor, "delete", &row, after, None).map(|_| ())
}

/// A stage command and what it carries.
#[derive(Debug)]
pub enum Command {
    /// Move an open opportunity to another active open stage.
    Move(MoveOpportunity),
    /// Win an open opportunity: it enters the active `won` stage.
    Win,
    /// Lose an open opportunity, with a reason: it enters the active `lost` stage.
    Lose(LoseOpportunity),
    /// Abandon an open opportunity; it keeps its stage.
    Abandon(AbandonOpportunity),
    /// Reopen a closed opportunity, in the named stage or the one it closed from.
    Reopen(ReopenOpportunity),
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

/// Run `command` on opportunity `id`: checked, written with its stage-history row and
/// audit event (named after the command), and for a win recorded on the account.
/// Reopening is for managers and admins; its endpoint demands that.
pub fn run(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &OpportunityId,
    if_match: IfMatch,
    command: Command,
) -> AppResult<Opportunity> {
    let action = command.action();
    let row = if action == OpportunityAction::Win {
        load_for_win(conn, actor, id)?
    } else {
        load_visible::<OpportunityRow>(conn, actor, id, true)?.0
    };
    if_match.check(row.version)?;
    let (after, competitor_ids) = apply(conn, &row, command)?;
    let opp = save(conn, actor, action.as_str(), &row, after.clone(), competitor_ids.as_deref())?;
    append_stage_change(conn, actor, action, Some(&row), &after)?;
    if action == OpportunityAction::Win {
        if let (Some(account_id), Some(at)) = (after.account_id.as_deref(), after.closed_at) {
            crate::accounts::service::record_win(conn, actor, account_id, at)?;
        }
    }
    Ok(opp)
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
fn stage_before_close(conn: &mut DbConnection, row: &OpportunityRow) -> AppResult<Stage> {
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
) -> AppResult<(OpportunityRow, Option<Vec<String>>)> {
    let status: OpportunityStatus = row.status;
    let mut competitor_ids: Vec<String> = competitors_of(conn, &row.id)?.into_iter().map(|c| c.id).collect();
    let mut competitors_changed = false;
    let mut after = row.clone();
    let target = match command {
        Command::Move(body) => {
            let key = body.stage.trim();
            if !status.is_open() {
                return Err(PipelineError::Closed(status).into());
            }
            let stage = match stages::find_for_entry(conn, key)? {
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
        Command::Abandon(body) => {
            let closed = close(status, OpportunityAction::Abandon)?;
            record_close(&mut after, closed, clock::now());
            after.loss_note = body.reason;
            // It keeps its stage; no gates apply to giving up.
            return Ok((after, None));
        }
        Command::Reopen(body) => {
            if status.is_open() {
                return Err(PipelineError::AlreadyOpen.into());
            }
            let stage = match body.stage {
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

/// Read the opportunity a win changes under the row locks it needs, taken in the order
/// transfers and activity logging take them — its account first, then the opportunity —
/// so that concurrent writers cannot deadlock. The opportunity is read unlocked to learn
/// its account, then re-read under both locks; 409 `conflict` if its account changed
/// in between.
fn load_for_win(conn: &mut DbConnection, actor: &Actor, id: &str) -> AppResult<OpportunityRow> {
    let (peek, _) = load_visible::<OpportunityRow>(conn, actor, id, false)?;
    if let Some(account_id) = peek.account_id.as_deref() {
        accounts::lock(conn, account_id)?;
    }
    let (row, _) = load_visible::<OpportunityRow>(conn, actor, id, true)?;
    if row.account_id != peek.account_id {
        return Err(AppError::Conflict("the opportunity's account changed while the request ran; retry".into()));
    }
    Ok(row)
}
