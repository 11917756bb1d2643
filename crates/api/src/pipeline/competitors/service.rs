//! Competitor use cases: list, read, add, change and deactivate competitors
//! (managers and admins change them).

use super::dto::{Competitor, CompetitorPatch, CreateCompetitor};
use super::ENTITY;
use crate::app::error::taken;
use crate::app::precondition::IfMatch;
use crate::app::{Actor, AppError, AppResult};
use crate::audit::{self, snapshot};
use crate::pagination::{self, Page};
use salesops_domain::ids::CompetitorId;
use salesops_persistence::pipeline::{self, CompetitorFilter, CompetitorRow};
use salesops_persistence::DbConnection;
use validator::Validate;

/// The name is the one unique column a write can collide on.
const NAME_TAKEN: &[(&str, &str)] = &[("name", "another competitor has this name")];

/// One page of competitors matching `filter`, oldest first, at most `limit` long.
pub fn list(conn: &mut DbConnection, filter: &CompetitorFilter, limit: i64) -> AppResult<Page<Competitor>> {
    let rows = pipeline::list_competitors(conn, filter, limit + 1)?;
    pagination::page_by_id(rows, limit, |r| r.id.clone(), |r| Ok(Competitor::from(r)))
}

/// The competitor `id`, active or not; 404 if there is none.
pub fn get(conn: &mut DbConnection, id: &CompetitorId) -> AppResult<Competitor> {
    pipeline::find_competitor(conn, id)?.map(Competitor::from).ok_or(AppError::NotFound)
}

/// Add a competitor, active, created by `actor`, audited as `create`. Its name must be new (422 `taken`).
pub fn create(conn: &mut DbConnection, actor: &Actor, input: CreateCompetitor) -> AppResult<Competitor> {
    input.validate()?;
    let mut row = CompetitorRow::new(&input.name, Some(actor.id()));
    input.write_to(&mut row);
    pipeline::insert_competitor(conn, &row).map_err(taken(NAME_TAKEN))?;
    let competitor = Competitor::from(row);
    audit::record(conn, actor, "create", ENTITY, &competitor.id, &serde_json::Value::Null, &snapshot(&competitor))?;
    Ok(competitor)
}

/// Apply a merge patch to competitor `id`, validated as a create body is, audited as `update`.
/// `active` deactivates or reactivates it.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &CompetitorId,
    if_match: IfMatch,
    patch: CompetitorPatch,
) -> AppResult<Competitor> {
    let row = load_locked(conn, id)?;
    if_match.check(row.version)?;
    let (input, active) = patch.apply(CreateCompetitor::from_row(&row), row.active)?;
    input.validate()?;
    let mut after = row.clone();
    input.write_to(&mut after);
    after.active = active;
    audit::save_versioned::<_, Competitor>(conn, actor, ENTITY, "update", &row, after, taken(NAME_TAKEN))
}

/// Deactivate competitor `id`, audited as `deactivate`: it is never removed, so opportunities
/// keep their references. Deactivating an inactive competitor changes nothing.
pub fn deactivate(conn: &mut DbConnection, actor: &Actor, id: &CompetitorId, if_match: IfMatch) -> AppResult<()> {
    let row = load_locked(conn, id)?;
    if_match.check(row.version)?;
    audit::deactivate_versioned::<_, Competitor>(conn, actor, ENTITY, &row, taken(NAME_TAKEN))
}

/// The competitor `id` under its row lock; 404 if there is none.
fn load_locked(conn: &mut DbConnection, id: &str) -> AppResult<CompetitorRow> {
    pipeline::lock_competitor(conn, id)?;
    pipeline::find_competitor(conn, id)?.ok_or(AppError::NotFound)
}
