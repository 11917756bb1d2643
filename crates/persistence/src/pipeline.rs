//! The pipeline's configuration and history: stages, loss reasons, competitors,
//! the competitors listed on each opportunity, and every stage change.

use crate::schema::{
    competitors, loss_reasons, opportunities, opportunity_competitors, opportunity_stage_changes, pipeline_stages,
};
use crate::words::OptionalWord;
use crate::{clock, like_contains, DbConnection, StoreResult};
use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;
use salesops_domain::opportunity::{ForecastCategory, OpportunityAction, OpportunityStatus, StageKind};
use salesops_domain::reports::WON_RANK;

/// A pipeline stage as stored. `required_fields` is a JSON array of gate field names.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = pipeline_stages, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct StageRow {
    /// Lower snake_case key; the primary key.
    pub key: String,
    /// Display name.
    pub name: String,
    /// Order in the pipeline, ascending.
    pub position: i32,
    /// What entering it means: open, won or lost.
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub kind: StageKind,
    /// Default probability in basis points.
    pub probability_bps: i32,
    /// Default forecast category.
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub forecast_category: ForecastCategory,
    /// JSON array of the fields that must be set to enter the stage.
    pub required_fields: String,
    /// Inactive stages take no new opportunities.
    pub active: bool,
    /// Bumped on every change.
    pub version: i64,
    /// Creation time, UTC.
    pub created_at: NaiveDateTime,
    /// Last change, UTC.
    pub updated_at: NaiveDateTime,
}

impl StageRow {
    /// A new active stage at version 1, created now, with no gates.
    pub fn new(
        key: &str,
        name: &str,
        position: i32,
        kind: StageKind,
        probability_bps: i32,
        forecast_category: ForecastCategory,
    ) -> StageRow {
        let now = clock::now();
        StageRow {
            key: key.to_owned(),
            name: name.to_owned(),
            position,
            kind,
            probability_bps,
            forecast_category,
            required_fields: "[]".to_owned(),
            active: true,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }
}

/// Every stage in pipeline order (position, then key); inactive ones only when asked.
pub fn list_stages(conn: &mut DbConnection, include_inactive: bool) -> StoreResult<Vec<StageRow>> {
    let mut query = pipeline_stages::table.select(StageRow::as_select()).into_boxed();
    if !include_inactive {
        query = query.filter(pipeline_stages::active.eq(true));
    }
    Ok(query.order((pipeline_stages::position.asc(), pipeline_stages::key.asc())).load(conn)?)
}

/// A stage by key, active or not.
pub fn find_stage(conn: &mut DbConnection, key: &str) -> StoreResult<Option<StageRow>> {
    Ok(pipeline_stages::table.find(key).select(StageRow::as_select()).first(conn).optional()?)
}

/// The active stages of one kind, in pipeline order.
pub fn active_stages_of_kind(conn: &mut DbConnection, kind: StageKind) -> StoreResult<Vec<StageRow>> {
    Ok(pipeline_stages::table
        .filter(pipeline_stages::kind.eq(kind.as_str()))
        .filter(pipeline_stages::active.eq(true))
        .order((pipeline_stages::position.asc(), pipeline_stages::key.asc()))
        .select(StageRow::as_select())
        .load(conn)?)
}

/// Insert a new stage.
pub fn insert_stage(conn: &mut DbConnection, row: &StageRow) -> StoreResult<()> {
    diesel::insert_into(pipeline_stages::table).values(row.clone()).execute(conn)?;
    Ok(())
}

/// Lock the whole stage configuration for the rest of the transaction (every row),
/// so the one-active-won-and-lost rule cannot be broken by two admins at once.
pub fn lock_stages(conn: &mut DbConnection) -> StoreResult<()> {
    diesel::update(pipeline_stages::table).set(pipeline_stages::version.eq(pipeline_stages::version)).execute(conn)?;
    Ok(())
}

/// Take the row lock on one stage for the rest of the transaction. Writers that put an
/// opportunity into a stage take it, so a concurrent deactivation (which locks every
/// stage first, see [`lock_stages`]) either waits for them and counts their opportunity,
/// or commits first and is seen as inactive.
pub fn lock_stage(conn: &mut DbConnection, key: &str) -> StoreResult<()> {
    diesel::update(pipeline_stages::table.find(key))
        .set(pipeline_stages::version.eq(pipeline_stages::version))
        .execute(conn)?;
    Ok(())
}

/// Write a changed stage if its version is still `expected_version`; false when it moved on.
pub fn update_stage(conn: &mut DbConnection, row: &StageRow, expected_version: i64) -> StoreResult<bool> {
    let n = diesel::update(pipeline_stages::table.find(&row.key).filter(pipeline_stages::version.eq(expected_version)))
        .set(row.clone())
        .execute(conn)?;
    Ok(n == 1)
}

crate::versioned::versioned_row!(StageRow, update_stage, key);

/// How many live, open opportunities sit in a stage.
pub fn open_opportunities_in_stage(conn: &mut DbConnection, key: &str) -> StoreResult<i64> {
    Ok(opportunities::table
        .filter(opportunities::stage.eq(key))
        .filter(opportunities::status.eq(OpportunityStatus::Open.as_str()))
        .filter(opportunities::deleted_at.is_null())
        .select(count_star())
        .first(conn)?)
}

/// A loss reason as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = loss_reasons, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct LossReasonRow {
    /// Lower snake_case code; the primary key.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Order in pick lists, ascending.
    pub position: i32,
    /// Inactive reasons cannot be chosen for new losses.
    pub active: bool,
    /// Bumped on every change.
    pub version: i64,
    /// Creation time, UTC.
    pub created_at: NaiveDateTime,
    /// Last change, UTC.
    pub updated_at: NaiveDateTime,
}

impl LossReasonRow {
    /// A new active loss reason at version 1, created now.
    pub fn new(code: &str, name: &str, position: i32) -> LossReasonRow {
        let now = clock::now();
        LossReasonRow {
            code: code.to_owned(),
            name: name.to_owned(),
            position,
            active: true,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }
}

/// Every loss reason by position, then code; inactive ones only when asked.
pub fn list_loss_reasons(conn: &mut DbConnection, include_inactive: bool) -> StoreResult<Vec<LossReasonRow>> {
    let mut query = loss_reasons::table.select(LossReasonRow::as_select()).into_boxed();
    if !include_inactive {
        query = query.filter(loss_reasons::active.eq(true));
    }
    Ok(query.order((loss_reasons::position.asc(), loss_reasons::code.asc())).load(conn)?)
}

/// A loss reason by code, active or not.
pub fn find_loss_reason(conn: &mut DbConnection, code: &str) -> StoreResult<Option<LossReasonRow>> {
    Ok(loss_reasons::table.find(code).select(LossReasonRow::as_select()).first(conn).optional()?)
}

/// Insert a new loss reason.
pub fn insert_loss_reason(conn: &mut DbConnection, row: &LossReasonRow) -> StoreResult<()> {
    diesel::insert_into(loss_reasons::table).values(row).execute(conn)?;
    Ok(())
}

/// Take the row lock on a loss reason for the rest of the transaction.
pub fn lock_loss_reason(conn: &mut DbConnection, code: &str) -> StoreResult<()> {
    diesel::update(loss_reasons::table.find(code))
        .set(loss_reasons::version.eq(loss_reasons::version))
        .execute(conn)?;
    Ok(())
}

/// Write a changed loss reason if its version is still `expected_version`; false when it moved on.
pub fn update_loss_reason(conn: &mut DbConnection, row: &LossReasonRow, expected_version: i64) -> StoreResult<bool> {
    let n = diesel::update(loss_reasons::table.find(&row.code).filter(loss_reasons::version.eq(expected_version)))
        .set(row)
        .execute(conn)?;
    Ok(n == 1)
}

crate::versioned::versioned_row!(LossReasonRow, update_loss_reason, code);
crate::versioned::deactivatable!(LossReasonRow);

/// A competitor as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = competitors, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct CompetitorRow {
    /// UUIDv7.
    pub id: String,
    /// Unique name.
    pub name: String,
    /// Their website.
    pub website: Option<String>,
    /// Free notes.
    pub notes: Option<String>,
    /// Inactive competitors cannot be added to opportunities.
    pub active: bool,
    /// Bumped on every change.
    pub version: i64,
    /// Creation time, UTC.
    pub created_at: NaiveDateTime,
    /// Last change, UTC.
    pub updated_at: NaiveDateTime,
    /// Who created it.
    pub created_by: Option<String>,
}

impl CompetitorRow {
    /// A new active competitor at version 1, created now.
    pub fn new(name: &str, created_by: Option<&str>) -> CompetitorRow {
        let now = clock::now();
        CompetitorRow {
            id: salesops_domain::new_id(),
            name: name.to_owned(),
            website: None,
            notes: None,
            active: true,
            version: 1,
            created_at: now,
            updated_at: now,
            created_by: created_by.map(str::to_owned),
        }
    }
}

/// Filters of the competitor list.
#[derive(Debug, Clone, Default)]
pub struct CompetitorFilter {
    /// Include inactive competitors.
    pub include_inactive: bool,
    /// Case-insensitive name search.
    pub q: Option<String>,
    /// Keyset: only ids after this one.
    pub after_id: Option<String>,
}

/// Up to `limit` competitors in id order.
pub fn list_competitors(
    conn: &mut DbConnection,
    filter: &CompetitorFilter,
    limit: i64,
) -> StoreResult<Vec<CompetitorRow>> {
    let mut query =
        competitors::table.select(CompetitorRow::as_select()).order(competitors::id).limit(limit).into_boxed();
    if !filter.include_inactive {
        query = query.filter(competitors::active.eq(true));
    }
    if let Some(q) = &filter.q {
        let pattern = like_contains(&q.to_lowercase());
        query = query.filter(crate::sql_functions::lower(competitors::name.nullable()).like(pattern).escape('\\'));
    }
    if let Some(after) = &filter.after_id {
        query = query.filter(competitors::id.gt(after.clone()));
    }
    Ok(query.load(conn)?)
}

/// A competitor by id, active or not.
pub fn find_competitor(conn: &mut DbConnection, id: &str) -> StoreResult<Option<CompetitorRow>> {
    Ok(competitors::table.find(id).select(CompetitorRow::as_select()).first(conn).optional()?)
}

/// The competitors among `ids` that exist, active or not.
pub fn find_competitors(conn: &mut DbConnection, ids: &[String]) -> StoreResult<Vec<CompetitorRow>> {
    Ok(competitors::table.filter(competitors::id.eq_any(ids.to_vec())).select(CompetitorRow::as_select()).load(conn)?)
}

/// Insert a new competitor.
pub fn insert_competitor(conn: &mut DbConnection, row: &CompetitorRow) -> StoreResult<()> {
    diesel::insert_into(competitors::table).values(row).execute(conn)?;
    Ok(())
}

/// Take the row lock on a competitor for the rest of the transaction.
pub fn lock_competitor(conn: &mut DbConnection, id: &str) -> StoreResult<()> {
    diesel::update(competitors::table.find(id)).set(competitors::version.eq(competitors::version)).execute(conn)?;
    Ok(())
}

/// Write a changed competitor if its version is still `expected_version`; false when it moved on.
pub fn update_competitor(conn: &mut DbConnection, row: &CompetitorRow, expected_version: i64) -> StoreResult<bool> {
    let n = diesel::update(competitors::table.find(&row.id).filter(competitors::version.eq(expected_version)))
        .set(row)
        .execute(conn)?;
    Ok(n == 1)
}

crate::versioned::versioned_row!(CompetitorRow, update_competitor);
crate::versioned::deactivatable!(CompetitorRow);

/// A competitor listed on an opportunity: `(opportunity_id, competitor_id, competitor name)`.
pub type ListedCompetitor = (String, String, String);

/// The competitors listed on each of `opportunity_ids`, by opportunity, then in the order the competitors were added to the dictionary.
pub fn competitors_of(conn: &mut DbConnection, opportunity_ids: &[String]) -> StoreResult<Vec<ListedCompetitor>> {
    if opportunity_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(opportunity_competitors::table
        .inner_join(competitors::table)
        .filter(opportunity_competitors::opportunity_id.eq_any(opportunity_ids.to_vec()))
        .order((opportunity_competitors::opportunity_id.asc(), competitors::id.asc()))
        .select((opportunity_competitors::opportunity_id, competitors::id, competitors::name))
        .load(conn)?)
}

/// Make `competitor_ids` exactly the competitors listed on an opportunity.
pub fn set_competitors(conn: &mut DbConnection, opportunity_id: &str, competitor_ids: &[String]) -> StoreResult<()> {
    diesel::delete(opportunity_competitors::table.filter(opportunity_competitors::opportunity_id.eq(opportunity_id)))
        .execute(conn)?;
    let mut seen: Vec<&String> = Vec::new();
    for id in competitor_ids {
        if seen.contains(&id) {
            continue;
        }
        seen.push(id);
        diesel::insert_into(opportunity_competitors::table)
            .values((
                opportunity_competitors::opportunity_id.eq(opportunity_id),
                opportunity_competitors::competitor_id.eq(id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// One stage or status change of an opportunity, with the amount and probability at that moment.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = opportunity_stage_changes, treat_none_as_default_value = false)]
pub struct StageChangeRow {
    /// UUIDv7; orders the history.
    pub id: String,
    /// The opportunity.
    pub opportunity_id: String,
    /// What made the change.
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub action: OpportunityAction,
    /// The stage before; `None` on create.
    pub from_stage: Option<String>,
    /// The stage after.
    pub to_stage: String,
    /// The status before; `None` on create.
    #[diesel(deserialize_as = OptionalWord<OpportunityStatus>, serialize_as = OptionalWord<OpportunityStatus>)]
    pub from_status: Option<OpportunityStatus>,
    /// The status after.
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub to_status: OpportunityStatus,
    /// The amount after, in minor units.
    pub amount: Option<i64>,
    /// The currency of `amount`.
    pub currency: String,
    /// The probability after, in basis points.
    pub probability_bps: i32,
    /// Who made the change.
    pub actor_id: Option<String>,
    /// When.
    pub occurred_at: NaiveDateTime,
}

/// Append a stage change, and bring the opportunity's stored funnel columns up to date.
pub fn insert_stage_change(conn: &mut DbConnection, row: &StageChangeRow) -> StoreResult<()> {
    diesel::insert_into(opportunity_stage_changes::table).values(row.clone()).execute(conn)?;
    refresh_funnel_columns(conn, &row.opportunity_id)
}

/// Bring one opportunity's stored funnel columns up to date with its history and current stage.
pub fn refresh_funnel_columns(conn: &mut DbConnection, opportunity_id: &str) -> StoreResult<()> {
    diesel::sql_query(format!("{} WHERE id = $1", set_funnel_columns()))
        .bind::<diesel::sql_types::Text, _>(opportunity_id)
        .execute(conn)?;
    Ok(())
}

/// `UPDATE opportunities SET furthest_rank = …, lost_stage = …`, which the funnel reads
/// how far each opportunity got from:
/// - `furthest_rank`: the highest rank among the stages an opportunity has been in (its
///   history's `to_stage` and its current stage), where an open stage ranks by its position
///   and a won stage by [`WON_RANK`]; lost stages have none;
/// - `lost_stage`: the lost stage it entered last, if any (its current stage when that is one).
///
/// The migration that added the columns backfilled them with the same statement.
fn set_funnel_columns() -> String {
    format!(
        "UPDATE opportunities SET furthest_rank = (\
         SELECT MAX(CASE WHEN ps.kind = 'won' THEN {WON_RANK} WHEN ps.kind = 'open' THEN ps.position END) \
         FROM pipeline_stages ps WHERE ps.key = opportunities.stage OR ps.key IN \
         (SELECT sc.to_stage FROM opportunity_stage_changes sc WHERE sc.opportunity_id = opportunities.id)), \
         lost_stage = COALESCE(\
         (SELECT ps.key FROM pipeline_stages ps WHERE ps.key = opportunities.stage AND ps.kind = 'lost'), \
         (SELECT sc.to_stage FROM opportunity_stage_changes sc JOIN pipeline_stages ps ON ps.key = sc.to_stage \
         WHERE sc.opportunity_id = opportunities.id AND ps.kind = 'lost' ORDER BY sc.id DESC LIMIT 1))"
    )
}

/// Recompute every opportunity's funnel columns, after a stage's position changed;
/// returns how many opportunities were updated.
pub fn recompute_funnel_columns(conn: &mut DbConnection) -> StoreResult<usize> {
    Ok(diesel::sql_query(set_funnel_columns()).execute(conn)?)
}

/// Up to `limit` stage changes of an opportunity, oldest first, after `after_id` if given.
pub fn stage_changes(
    conn: &mut DbConnection,
    opportunity_id: &str,
    after_id: Option<&str>,
    limit: i64,
) -> StoreResult<Vec<StageChangeRow>> {
    let mut query = opportunity_stage_changes::table
        .filter(opportunity_stage_changes::opportunity_id.eq(opportunity_id))
        .select(StageChangeRow::as_select())
        .order(opportunity_stage_changes::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(after) = after_id {
        query = query.filter(opportunity_stage_changes::id.gt(after.to_owned()));
    }
    Ok(query.load(conn)?)
}

/// The latest stage change of an opportunity whose action is one of `actions`.
pub fn last_stage_change(
    conn: &mut DbConnection,
    opportunity_id: &str,
    actions: &[OpportunityAction],
) -> StoreResult<Option<StageChangeRow>> {
    Ok(opportunity_stage_changes::table
        .filter(opportunity_stage_changes::opportunity_id.eq(opportunity_id))
        .filter(opportunity_stage_changes::action.eq_any(actions.iter().map(|a| a.as_str()).collect::<Vec<_>>()))
        .order(opportunity_stage_changes::id.desc())
        .select(StageChangeRow::as_select())
        .first(conn)
        .optional()?)
}
