//! Opportunity use cases: create, update and delete, and the checks and writes the stage commands share.

use super::ENTITY;
use crate::app::permission::{AssignRecords, EditPipeline};
use crate::app::Actor;
use crate::app::AppError;
use crate::app::FieldError;
use crate::audit::{self, snapshot};
use crate::opportunities::dto::{CompetitorRef, CreateOpportunity, Opportunity, OpportunityPatch};
use crate::org::users::check_assignable;
use crate::pipeline::stages::service as stages;
use crate::validation::refuse_cleared;
use salesops_domain::opportunity::{
    check_forecast_override, gate_fields_cleared, is_probability, GateFacts, OpportunityAction, OpportunityStatus,
};
use salesops_persistence::opportunities::{self, OpportunityRow};
use salesops_persistence::pipeline::{self, CompetitorRow, StageChangeRow};
use salesops_persistence::scope::Visibility;
use salesops_persistence::{accounts, clock, contacts, DbConnection, StoreError};
use validator::Validate;

/// Load a live opportunity the caller can see, taking its row lock first when `for_update`.
pub fn load_visible(
    conn: &mut DbConnection,
    caller: &Actor,
    id: &str,
    for_update: bool,
) -> Result<(OpportunityRow, Visibility), AppError> {
    if for_update {
        opportunities::lock(conn, id)?;
    }
    let visibility = caller.visibility(conn)?;
    let row = opportunities::find_visible(conn, id, &visibility)?.ok_or(AppError::NotFound)?;
    Ok((row, visibility))
}

/// The competitors listed on one opportunity.
pub fn competitors_of(conn: &mut DbConnection, id: &str) -> Result<Vec<CompetitorRef>, AppError> {
    Ok(pipeline::competitors_of(conn, &[id.to_owned()])?
        .into_iter()
        .map(|(_, id, name)| CompetitorRef { id, name })
        .collect())
}

/// The API view of stored opportunities, their competitors loaded in one query.
pub fn views(conn: &mut DbConnection, rows: Vec<OpportunityRow>) -> Result<Vec<Opportunity>, AppError> {
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

/// Report a taken `external_id` as a field error; other storage errors as usual.
pub fn map_unique(e: StoreError) -> AppError {
    if e.is_unique_violation_on("external_id") {
        AppError::Validation(vec![FieldError::new("external_id", "taken", "another opportunity has this external_id")])
    } else {
        e.into()
    }
}

/// Check that the account is visible to the caller; 422 on `account_id` otherwise.
pub fn check_account(
    conn: &mut DbConnection,
    visibility: &Visibility,
    account_id: Option<&str>,
) -> Result<(), AppError> {
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
) -> Result<(), AppError> {
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
pub fn check_competitors(conn: &mut DbConnection, field: &str, ids: &[String]) -> Result<Vec<String>, AppError> {
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

/// Append a stage-history row: `after`'s stage, status, amount and probability, by the caller, now.
pub fn append_stage_change(
    conn: &mut DbConnection,
    caller: &Actor,
    action: OpportunityAction,
    before: Option<&OpportunityRow>,
    after: &OpportunityRow,
) -> Result<(), AppError> {
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
        actor_id: Some(caller.id().to_owned()),
        occurred_at: clock::now(),
    };
    Ok(pipeline::insert_stage_change(conn, &row)?)
}

/// Write `after` over `before` (read under the row lock), bumping its version, replacing the
/// listed competitors when `competitor_ids` is given, and auditing `action` with snapshots of
/// the API view (competitors included). 409 `conflict` if the row moved on.
pub fn save(
    conn: &mut DbConnection,
    caller: &Actor,
    action: &str,
    before: &OpportunityRow,
    mut after: OpportunityRow,
    competitor_ids: Option<&[String]>,
) -> Result<Opportunity, AppError> {
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
    audit::record(conn, caller, action, ENTITY, &new.id, &snapshot(&old), &snapshot(&new))?;
    Ok(new)
}

/// Create an opportunity inside the caller's open transaction, with all its checks, its
/// first stage-history row (`create`) and its audit event.
///
/// This is the one way opportunities are created: `POST /opportunities` calls it, and so
/// can lead conversion (set `input.source_lead_id`). `base_currency` is the currency of an
/// amount given without one, and of an opportunity with no amount
/// (`state.settings.base_currency`). The caller must be allowed to edit the pipeline (403);
/// naming another owner needs a manager or admin (403) and an active user in scope (422);
/// the account (row-locked first) and contact must be visible and match (422); the stage must be an active
/// open stage (422, default the first) whose gates the new opportunity meets (422 per
/// missing field); competitors must exist and be active (422).
pub fn create_in(
    conn: &mut DbConnection,
    caller: &Actor,
    base_currency: &str,
    input: CreateOpportunity,
) -> Result<Opportunity, AppError> {
    caller.require::<EditPipeline>("create opportunities")?;
    input.validate()?;
    let name = input.name.trim();
    if name.is_empty() {
        return Err(AppError::invalid_field("name", "length", "must not be blank"));
    }
    let visibility = caller.visibility(conn)?;
    let owner = match input.owner_id.as_deref() {
        Some(owner) if owner != caller.id() => {
            caller.require::<AssignRecords>("create opportunities for someone else")?;
            check_assignable(conn, &visibility, owner)?;
            owner.to_owned()
        }
        _ => caller.id().to_owned(),
    };
    if let Some(account_id) = input.account_id.as_deref() {
        // Held to the end of the transaction: a concurrent delete or release to a pool
        // cannot slip in between the check and the insert.
        accounts::lock(conn, account_id)?;
    }
    check_account(conn, &visibility, input.account_id.as_deref())?;
    check_contact_of(conn, &visibility, input.contact_id.as_deref(), input.account_id.as_deref())?;
    let amount = input.amount.as_ref().map(|a| a.resolve("amount", base_currency)).transpose()?;
    let stage = match input.stage.as_deref() {
        Some(key) => stages::active_open(conn, key, "stage")?,
        None => stages::first_open(conn)?,
    };
    let competitor_ids = check_competitors(conn, "competitor_ids", &input.competitor_ids)?;
    let mut row = OpportunityRow::new(
        name,
        &owner,
        amount.as_ref().map_or(base_currency, |m| m.currency.as_str()),
        &stage.key,
        stage.probability_bps,
        stage.forecast_category,
        Some(caller.id()),
    );
    row.account_id = input.account_id;
    row.contact_id = input.contact_id;
    row.amount = amount.map(|m| m.amount);
    row.expected_close_date = input.expected_close_date;
    row.next_step = input.next_step;
    row.external_id = input.external_id;
    row.notes = input.notes;
    row.source_lead_id = input.source_lead_id;
    stage.check_gates(&gate_facts(&row, competitor_ids.len()))?;
    opportunities::insert(conn, &row).map_err(map_unique)?;
    pipeline::set_competitors(conn, &row.id, &competitor_ids)?;
    append_stage_change(conn, caller, OpportunityAction::Create, None, &row)?;
    let listed = competitors_of(conn, &row.id)?;
    let opp = Opportunity::from_parts(row, listed)?;
    audit::record(conn, caller, "create", ENTITY, &opp.id, &serde_json::Value::Null, &snapshot(&opp))?;
    Ok(opp)
}

/// Apply a merge patch to a stored opportunity, with every check; returns the new row and,
/// when the patch names them, the new competitor ids.
pub fn apply_patch(
    conn: &mut DbConnection,
    visibility: &Visibility,
    row: &OpportunityRow,
    competitors_before: usize,
    patch: OpportunityPatch,
) -> Result<(OpportunityRow, Option<Vec<String>>), AppError> {
    refuse_cleared(&[
        ("name", matches!(patch.name, Some(None))),
        ("probability_bps", matches!(patch.probability_bps, Some(None))),
        ("forecast_category", matches!(patch.forecast_category, Some(None))),
    ])?;
    let tidy = crate::validation::tidy;
    let mut after = row.clone();
    let mut errors = Vec::new();
    if let Some(Some(name)) = patch.name {
        let name = name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 200 {
            errors.push(FieldError::new("name", "length", "must be 1 to 200 characters"));
        }
        after.name = name;
    }
    let text = |field: &str, value: Option<String>, max: usize, errors: &mut Vec<FieldError>| {
        let value = tidy(value);
        if value.as_ref().is_some_and(|v| v.chars().count() > max) {
            errors.push(FieldError::new(field, "length", format!("must be at most {max} characters")));
        }
        value
    };
    if let Some(v) = patch.next_step {
        after.next_step = text("next_step", v, 500, &mut errors);
    }
    if let Some(v) = patch.notes {
        after.notes = text("notes", v, 10_000, &mut errors);
    }
    if let Some(v) = patch.external_id {
        after.external_id = text("external_id", v, 128, &mut errors);
    }
    if let Some(v) = patch.account_id {
        after.account_id = tidy(v);
    }
    if let Some(v) = patch.contact_id {
        after.contact_id = tidy(v);
    }
    if let Some(v) = patch.expected_close_date {
        after.expected_close_date = v;
    }
    if let Some(Some(bps)) = patch.probability_bps {
        if !is_probability(bps) {
            errors.push(FieldError::new("probability_bps", "range", "must be between 0 and 10000 basis points"));
        }
        after.probability_bps = bps;
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    match patch.amount {
        Some(Some(input)) => {
            let money = input.resolve("amount", &row.currency)?;
            after.amount = Some(money.amount);
            after.currency = money.currency;
        }
        Some(None) => after.amount = None,
        None => {}
    }
    let status: OpportunityStatus = row.status;
    if let Some(Some(category)) = patch.forecast_category {
        check_forecast_override(status, category)
            .map_err(|e| AppError::invalid_field("forecast_category", "invalid_value", e.to_string()))?;
        after.forecast_category = category;
    }
    if after.account_id != row.account_id || after.contact_id != row.contact_id {
        if after.account_id != row.account_id {
            check_account(conn, visibility, after.account_id.as_deref())?;
        }
        check_contact_of(conn, visibility, after.contact_id.as_deref(), after.account_id.as_deref())?;
    }
    let competitor_ids = match patch.competitor_ids {
        Some(ids) => Some(check_competitors(conn, "competitor_ids", &ids.unwrap_or_default())?),
        None => None,
    };
    if let Some(stage) = stages::find(conn, &row.stage)? {
        let after_count = competitor_ids.as_ref().map_or(competitors_before, Vec::len);
        let cleared = gate_fields_cleared(
            &stage.required_fields,
            &gate_facts(row, competitors_before),
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
    Ok((after, competitor_ids))
}
