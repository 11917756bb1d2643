//! Opportunities: storage and lookups.

use crate::connection::MultiBackend;
use crate::schema::opportunities;
use crate::scope::Visibility;
use crate::{clock, DbConnection, StoreResult};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use salesops_domain::opportunity::{ForecastCategory, OpportunityStatus};

/// An opportunity as stored. Money is `amount` minor units of `currency`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = opportunities, treat_none_as_null = true)]
pub struct OpportunityRow {
    /// UUIDv7.
    pub id: String,
    /// A short name for the deal.
    pub name: String,
    /// The customer.
    pub account_id: Option<String>,
    /// The main contact.
    pub contact_id: Option<String>,
    /// The owner.
    pub owner_id: String,
    /// Minor units of `currency`; `None` until estimated.
    pub amount: Option<i64>,
    /// ISO 4217 code.
    pub currency: String,
    /// When it is expected to close.
    pub expected_close_date: Option<NaiveDate>,
    /// Key of the current pipeline stage.
    pub stage: String,
    /// Win probability in basis points.
    pub probability_bps: i32,
    /// Forecast category word.
    pub forecast_category: String,
    /// Status word.
    pub status: String,
    /// Loss reason code, when lost.
    pub loss_reason: Option<String>,
    /// Free text about the loss.
    pub loss_note: Option<String>,
    /// The competitor who won, when lost to one.
    pub won_by_competitor_id: Option<String>,
    /// The next step.
    pub next_step: Option<String>,
    /// The lead it was converted from.
    pub source_lead_id: Option<String>,
    /// When it entered its current stage.
    pub stage_entered_at: NaiveDateTime,
    /// When it was won, lost or abandoned.
    pub closed_at: Option<NaiveDateTime>,
    /// Last recorded activity, UTC.
    pub last_activity_at: Option<NaiveDateTime>,
    /// The id in the integrator's system; unique.
    pub external_id: Option<String>,
    /// Free notes.
    pub notes: Option<String>,
    /// Bumped on every change.
    pub version: i64,
    /// Creation time, UTC.
    pub created_at: NaiveDateTime,
    /// Last change, UTC.
    pub updated_at: NaiveDateTime,
    /// Who created it.
    pub created_by: Option<String>,
    /// Set when soft-deleted.
    pub deleted_at: Option<NaiveDateTime>,
}

impl OpportunityRow {
    /// A new open opportunity at version 1, created now, in `stage` with that
    /// stage's probability and forecast category.
    pub fn new(
        name: &str,
        owner_id: &str,
        currency: &str,
        stage: &str,
        probability_bps: i32,
        forecast_category: ForecastCategory,
        created_by: Option<&str>,
    ) -> OpportunityRow {
        let now = clock::now();
        OpportunityRow {
            id: salesops_domain::new_id(),
            name: name.to_owned(),
            account_id: None,
            contact_id: None,
            owner_id: owner_id.to_owned(),
            amount: None,
            currency: currency.to_owned(),
            expected_close_date: None,
            stage: stage.to_owned(),
            probability_bps,
            forecast_category: forecast_category.as_str().to_owned(),
            status: OpportunityStatus::Open.as_str().to_owned(),
            loss_reason: None,
            loss_note: None,
            won_by_competitor_id: None,
            next_step: None,
            source_lead_id: None,
            stage_entered_at: now,
            closed_at: None,
            last_activity_at: None,
            external_id: None,
            notes: None,
            version: 1,
            created_at: now,
            updated_at: now,
            created_by: created_by.map(str::to_owned),
            deleted_at: None,
        }
    }
}

/// Insert a new opportunity.
pub fn insert(conn: &mut DbConnection, row: &OpportunityRow) -> StoreResult<()> {
    diesel::insert_into(opportunities::table).values(row).execute(conn)?;
    Ok(())
}

/// Every opportunity, deleted ones included, that `visibility` lets the caller see.
pub fn scoped<'a>(visibility: &Visibility) -> opportunities::BoxedQuery<'a, MultiBackend> {
    let query = opportunities::table.into_boxed();
    match visibility {
        Visibility::All => query,
        Visibility::Owners(owners) => query.filter(opportunities::owner_id.eq_any(owners.clone())),
    }
}

/// A live opportunity the caller may see.
pub fn find_visible(conn: &mut DbConnection, id: &str, visibility: &Visibility) -> StoreResult<Option<OpportunityRow>> {
    Ok(scoped(visibility)
        .filter(opportunities::id.eq(id.to_owned()))
        .filter(opportunities::deleted_at.is_null())
        .select(OpportunityRow::as_select())
        .first(conn)
        .optional()?)
}

/// Take the row lock on an opportunity for the rest of the transaction.
pub fn lock(conn: &mut DbConnection, id: &str) -> StoreResult<()> {
    diesel::update(opportunities::table.find(id))
        .set(opportunities::version.eq(opportunities::version))
        .execute(conn)?;
    Ok(())
}

/// Write a changed opportunity if its version is still `expected_version`; false when it moved on.
pub fn update(conn: &mut DbConnection, row: &OpportunityRow, expected_version: i64) -> StoreResult<bool> {
    let n = diesel::update(opportunities::table.find(&row.id).filter(opportunities::version.eq(expected_version)))
        .set(row)
        .execute(conn)?;
    Ok(n == 1)
}
