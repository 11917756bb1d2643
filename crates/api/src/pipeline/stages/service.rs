//! Stage use cases: list, read, create and change stages (admins), the rules
//! that span stages, and the lookups opportunities use to enter one.

use super::dto::{CreateStage, Stage, StagePatch};
use super::ENTITY;
use crate::app::error::taken;
use crate::app::precondition::IfMatch;
use crate::app::{Actor, AppError, AppResult, FieldError};
use crate::audit::{self, snapshot};
use salesops_domain::opportunity::{missing_gate_fields, ForecastCategory, GateFacts, GateField, StageKind};
use salesops_persistence::pipeline::{self, StageRow};
use salesops_persistence::DbConnection;
use validator::Validate;

/// The stage key is the table's primary key, the only unique column. Both databases
/// name it in a violation: PostgreSQL as `pipeline_stages_pkey`, SQLite as `pipeline_stages.key`.
const KEY_TAKEN: &[(&str, &str)] = &[("key", "another stage has this key")];

impl Stage {
    /// Refuse with 422 listing every gate of this stage that `facts` does not meet.
    pub fn check_gates(&self, facts: &GateFacts) -> AppResult<()> {
        let missing = missing_gate_fields(&self.required_fields, facts, self.kind);
        if missing.is_empty() {
            return Ok(());
        }
        Err(AppError::Validation(
            missing
                .into_iter()
                .map(|f| {
                    let message = if f == GateField::Amount && self.kind == StageKind::Won {
                        format!("stage `{}` requires an amount above 0", self.key)
                    } else {
                        format!("stage `{}` requires {f} to be set", self.key)
                    };
                    FieldError::new(f.as_str(), "required", message)
                })
                .collect(),
        ))
    }
}

/// Every stage in pipeline order (position, then key); inactive ones only when asked.
pub fn list(conn: &mut DbConnection, include_inactive: bool) -> AppResult<Vec<Stage>> {
    pipeline::list_stages(conn, include_inactive)?.into_iter().map(Stage::try_from).collect()
}

/// The stage `key`, active or not; 404 if there is none.
pub fn get(conn: &mut DbConnection, key: &str) -> AppResult<Stage> {
    find(conn, key)?.ok_or(AppError::NotFound)
}

/// A stage by key, active or not.
pub fn find(conn: &mut DbConnection, key: &str) -> AppResult<Option<Stage>> {
    pipeline::find_stage(conn, key)?.map(Stage::try_from).transpose()
}

/// A stage by key, taking its row lock first (see [`pipeline::lock_stage`]): for writes that
/// put an opportunity into it, inside their transaction.
pub fn find_for_entry(conn: &mut DbConnection, key: &str) -> AppResult<Option<Stage>> {
    pipeline::lock_stage(conn, key)?;
    find(conn, key)
}

/// The active open stage `key`, locked for entry; an unknown, inactive or closing stage is a 422 on `field`.
pub fn active_open(conn: &mut DbConnection, key: &str, field: &str) -> AppResult<Stage> {
    match find_for_entry(conn, key)? {
        Some(stage) if stage.active && stage.kind == StageKind::Open => Ok(stage),
        Some(stage) if stage.active => Err(AppError::invalid_field(
            field,
            "closing_stage",
            format!("stage `{key}` closes the opportunity; use the win or lose command"),
        )),
        Some(_) => Err(AppError::invalid_field(field, "inactive", format!("stage `{key}` is not active"))),
        None => Err(AppError::invalid_field(field, "unknown", format!("no stage `{key}`"))),
    }
}

/// The first active open stage in pipeline order, where new opportunities start; locked for entry.
pub fn first_open(conn: &mut DbConnection) -> AppResult<Stage> {
    let row = pipeline::active_stages_of_kind(conn, StageKind::Open)?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::Internal("no active open pipeline stage".into()))?;
    active_open(conn, &row.key, "stage")
}

/// The one active stage of a closing `kind` (`won` or `lost`).
pub fn closing(conn: &mut DbConnection, kind: StageKind) -> AppResult<Stage> {
    let row = pipeline::active_stages_of_kind(conn, kind)?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::Internal(format!("no active {kind} pipeline stage")))?;
    Stage::try_from(row)
}

/// Add a stage, audited as `create`. Its key must be new (422 `taken`); the rules that
/// span stages apply (see [`check_configuration`]).
pub fn create(conn: &mut DbConnection, actor: &Actor, input: CreateStage) -> AppResult<Stage> {
    input.validate()?;
    pipeline::lock_stages(conn)?;
    // Checked before the configuration rules, so a taken key is reported as such
    // rather than as the conflict its kind might also cause.
    if pipeline::find_stage(conn, &input.key)?.is_some() {
        let (field, message) = KEY_TAKEN[0];
        return Err(AppError::invalid_field(field, "taken", message));
    }
    let mut row = StageRow::new(
        &input.key,
        &input.name,
        input.position,
        input.kind,
        input.probability_bps,
        input.forecast_category,
    );
    input.write_to(&mut row);
    check_configuration(conn, None, &row)?;
    pipeline::insert_stage(conn, &row).map_err(taken(KEY_TAKEN))?;
    let stage = Stage::try_from(row)?;
    audit::record(conn, actor, "create", ENTITY, &stage.key, &serde_json::Value::Null, &snapshot(&stage))?;
    Ok(stage)
}

/// Apply a merge patch to stage `key`, validated as a create body is, audited as `update`.
/// The rules that span stages apply (see [`check_configuration`]).
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    key: &str,
    if_match: IfMatch,
    patch: StagePatch,
) -> AppResult<Stage> {
    pipeline::lock_stages(conn)?;
    let row = pipeline::find_stage(conn, key)?.ok_or(AppError::NotFound)?;
    if_match.check(row.version)?;
    let input = patch.apply(CreateStage::from_row(&row)?)?;
    input.validate()?;
    let mut after = row.clone();
    input.write_to(&mut after);
    check_configuration(conn, Some(&row), &after)?;
    let reranked = after.position != row.position;
    let stage = audit::save_versioned::<_, Stage>(conn, actor, ENTITY, "update", &row, after, taken(KEY_TAKEN))?;
    if reranked {
        // How far each opportunity got is judged by the stages' order now.
        pipeline::recompute_funnel_columns(conn)?;
    }
    Ok(stage)
}

/// Check the rules that span stages, for `after` replacing `before` (`None`: a new stage):
/// an open stage does not forecast `closed`; exactly one `won` and one `lost` stage stay
/// active; at least one open stage stays active; no open opportunity is left in an
/// inactive stage. Runs under [`pipeline::lock_stages`].
fn check_configuration(conn: &mut DbConnection, before: Option<&StageRow>, after: &StageRow) -> AppResult<()> {
    let kind: StageKind = after.kind;
    let forecast: ForecastCategory = after.forecast_category;
    if kind == StageKind::Open && forecast == ForecastCategory::Closed {
        return Err(AppError::invalid_field(
            "forecast_category",
            "invalid_value",
            "an open stage cannot forecast as closed",
        ));
    }
    let was_active = before.is_some_and(|b| b.active);
    let others: Vec<StageRow> =
        pipeline::active_stages_of_kind(conn, kind)?.into_iter().filter(|s| s.key != after.key).collect();
    if after.active && !was_active && kind != StageKind::Open && !others.is_empty() {
        return Err(AppError::Conflict(format!(
            "stage `{}` is already the active {kind} stage; exactly one may be active",
            others[0].key
        )));
    }
    if was_active && !after.active {
        if kind != StageKind::Open {
            return Err(AppError::Conflict(format!(
                "the active {kind} stage cannot be deactivated; exactly one must be active"
            )));
        }
        if others.is_empty() {
            return Err(AppError::Conflict("the last active open stage cannot be deactivated".into()));
        }
        let open = pipeline::open_opportunities_in_stage(conn, &after.key)?;
        if open > 0 {
            return Err(AppError::Conflict(format!(
                "{open} open opportunit{} sit in stage `{}`; move them first",
                if open == 1 { "y" } else { "ies" },
                after.key
            )));
        }
    }
    Ok(())
}
