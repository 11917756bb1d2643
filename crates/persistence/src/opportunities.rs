//! Opportunities: storage and lookups.

use crate::connection::MultiBackend;
use crate::schema::opportunities;
use crate::scope::Visibility;
use crate::{clock, like_contains, DbConnection, StoreResult};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use salesops_domain::opportunity::{ForecastCategory, OpportunityStatus};

/// An opportunity as stored. Money is `amount` minor units of `currency`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = opportunities, treat_none_as_null = true, treat_none_as_default_value = false)]
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
    /// How it counts in the forecast.
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub forecast_category: ForecastCategory,
    /// Whether it is still being worked, and how it ended.
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub status: OpportunityStatus,
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
            forecast_category,
            status: OpportunityStatus::Open,
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
    diesel::insert_into(opportunities::table).values(row.clone()).execute(conn)?;
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

crate::visible::scoped_lookups!(opportunities, OpportunityRow, "opportunity");

crate::versioned::row_writes!(opportunities, OpportunityRow, "opportunity");

/// Filters of the opportunity list; every one is applied in SQL. Empty lists do not filter.
#[derive(Debug, Clone, Default)]
pub struct OpportunityFilter {
    /// Stage keys, any of.
    pub stages: Vec<String>,
    /// Statuses, any of.
    pub statuses: Vec<OpportunityStatus>,
    /// The owner.
    pub owner_id: Option<String>,
    /// The account.
    pub account_id: Option<String>,
    /// Forecast categories, any of.
    pub forecast_categories: Vec<ForecastCategory>,
    /// Expected to close on or after this date.
    pub expected_close_from: Option<NaiveDate>,
    /// Expected to close on or before this date.
    pub expected_close_to: Option<NaiveDate>,
    /// Case-insensitive search in the name.
    pub q: Option<String>,
}

fn filtered<'a>(filter: &OpportunityFilter, visibility: &Visibility) -> opportunities::BoxedQuery<'a, MultiBackend> {
    let mut query = scoped(visibility).filter(opportunities::deleted_at.is_null());
    if !filter.stages.is_empty() {
        query = query.filter(opportunities::stage.eq_any(filter.stages.clone()));
    }
    if !filter.statuses.is_empty() {
        query =
            query.filter(opportunities::status.eq_any(filter.statuses.iter().map(|s| s.as_str()).collect::<Vec<_>>()));
    }
    if let Some(owner) = &filter.owner_id {
        query = query.filter(opportunities::owner_id.eq(owner.clone()));
    }
    if let Some(account) = &filter.account_id {
        query = query.filter(opportunities::account_id.eq(account.clone()));
    }
    if !filter.forecast_categories.is_empty() {
        query = query.filter(
            opportunities::forecast_category
                .eq_any(filter.forecast_categories.iter().map(|c| c.as_str()).collect::<Vec<_>>()),
        );
    }
    if let Some(from) = filter.expected_close_from {
        query = query.filter(opportunities::expected_close_date.ge(from));
    }
    if let Some(to) = filter.expected_close_to {
        query = query.filter(opportunities::expected_close_date.le(to));
    }
    if let Some(q) = &filter.q {
        let pattern = like_contains(&q.to_lowercase());
        query = query.filter(crate::sql_functions::lower(opportunities::name.nullable()).like(pattern).escape('\\'));
    }
    query
}

crate::visible::id_ordered_list!(opportunities, OpportunityRow, OpportunityFilter, "opportunities");

/// The live, open opportunities of an account, whoever owns them, oldest first.
pub fn open_for_account(conn: &mut DbConnection, account_id: &str) -> StoreResult<Vec<OpportunityRow>> {
    Ok(opportunities::table
        .filter(opportunities::account_id.eq(account_id.to_owned()))
        .filter(opportunities::status.eq(OpportunityStatus::Open.as_str()))
        .filter(opportunities::deleted_at.is_null())
        .order(opportunities::id)
        .select(OpportunityRow::as_select())
        .load(conn)?)
}
