//! Quotes and their lines: storage and lookups. A quote's readers are those who
//! may see its opportunity: its scope follows the opportunity's owner.

use crate::connection::MultiBackend;
use crate::schema::{opportunities, quote_lines, quotes};
use crate::scope::Visibility;
use crate::{clock, DbConnection, StoreResult};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use salesops_domain::quote::QuoteStatus;

/// A quote as stored. Money is minor units of `currency`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = quotes, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct QuoteRow {
    /// UUIDv7.
    pub id: String,
    /// From the quote numbering rule, e.g. `QT-20261206-0001`; unique.
    pub number: String,
    /// The opportunity it prices.
    pub opportunity_id: String,
    /// ISO 4217 code of every amount of the quote.
    pub currency: String,
    /// Where it is (never `expired`, which is read off `valid_until`).
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub status: QuoteStatus,
    /// The last day the offer holds.
    pub valid_until: NaiveDate,
    /// Σ line gross.
    pub subtotal: i64,
    /// Σ line discount.
    pub discount: i64,
    /// Σ line tax.
    pub tax: i64,
    /// Σ line total.
    pub total: i64,
    /// The largest line discount, which decides whether approval is needed.
    pub max_discount_bps: i32,
    /// The approval request of its last submission, while it stands.
    pub approval_request_id: Option<String>,
    /// Why the customer said no.
    pub rejection_reason: Option<String>,
    /// Free notes.
    pub notes: Option<String>,
    /// When it was last submitted.
    pub submitted_at: Option<NaiveDateTime>,
    /// When it was sent.
    pub sent_at: Option<NaiveDateTime>,
    /// When the customer accepted it.
    pub accepted_at: Option<NaiveDateTime>,
    /// When the customer rejected it.
    pub rejected_at: Option<NaiveDateTime>,
    /// Bumped on every change.
    pub version: i64,
    /// Creation time, UTC.
    pub created_at: NaiveDateTime,
    /// Last change, UTC.
    pub updated_at: NaiveDateTime,
    /// Who created it.
    pub created_by: Option<String>,
    /// Set when a draft was deleted.
    pub deleted_at: Option<NaiveDateTime>,
}

impl QuoteRow {
    /// A new draft of `opportunity_id` at version 1, created now, without totals yet.
    pub fn new(
        number: String,
        opportunity_id: &str,
        currency: &str,
        valid_until: NaiveDate,
        created_by: Option<&str>,
    ) -> QuoteRow {
        let now = clock::now();
        QuoteRow {
            id: salesops_domain::new_id(),
            number,
            opportunity_id: opportunity_id.to_owned(),
            currency: currency.to_owned(),
            status: QuoteStatus::Draft,
            valid_until,
            subtotal: 0,
            discount: 0,
            tax: 0,
            total: 0,
            max_discount_bps: 0,
            approval_request_id: None,
            rejection_reason: None,
            notes: None,
            submitted_at: None,
            sent_at: None,
            accepted_at: None,
            rejected_at: None,
            version: 1,
            created_at: now,
            updated_at: now,
            created_by: created_by.map(str::to_owned),
            deleted_at: None,
        }
    }
}

crate::lines::line_row! {
    /// A priced line of a quote, in minor units of the quote's currency.
    QuoteLineRow, quote_lines, quote_id
}

/// Insert a new quote.
pub fn insert(conn: &mut DbConnection, row: &QuoteRow) -> StoreResult<()> {
    diesel::insert_into(quotes::table).values(row.clone()).execute(conn)?;
    Ok(())
}

crate::lines::line_store!(quote_lines, QuoteLineRow, quote_id, "quote");

/// The quote `id`, live or deleted, whoever may see it.
pub fn find(conn: &mut DbConnection, id: &str) -> StoreResult<Option<QuoteRow>> {
    Ok(quotes::table.find(id).select(QuoteRow::as_select()).first(conn).optional()?)
}

/// Every quote, deleted ones included, whose opportunity `visibility` lets the caller see.
pub fn scoped<'a>(visibility: &Visibility) -> quotes::BoxedQuery<'a, MultiBackend> {
    let query = quotes::table.into_boxed();
    match visibility {
        Visibility::All => query,
        Visibility::Owners(owners) => query.filter(quotes::opportunity_id.eq_any(
            opportunities::table.filter(opportunities::owner_id.eq_any(owners.clone())).select(opportunities::id),
        )),
    }
}

crate::visible::scoped_lookups!(quotes, QuoteRow, "quote");

crate::versioned::row_writes!(quotes, QuoteRow, "quote");

/// Filters of the quote list; every one is applied in SQL.
#[derive(Debug, Clone)]
pub struct QuoteFilter {
    /// Only quotes of this opportunity.
    pub opportunity_id: Option<String>,
    /// Statuses as read on `today`, any of (`expired` included); empty does not filter.
    pub statuses: Vec<QuoteStatus>,
    /// The business day the statuses are read on.
    pub today: NaiveDate,
}

fn filtered<'a>(filter: &QuoteFilter, visibility: &Visibility) -> quotes::BoxedQuery<'a, MultiBackend> {
    let mut query = scoped(visibility).filter(quotes::deleted_at.is_null());
    if let Some(opportunity) = &filter.opportunity_id {
        query = query.filter(quotes::opportunity_id.eq(opportunity.clone()));
    }
    if !filter.statuses.is_empty() {
        // Approved and sent quotes read as expired after their last valid day.
        let expiring = [QuoteStatus::Approved, QuoteStatus::Sent];
        let words = |keep: &dyn Fn(&QuoteStatus) -> bool| {
            filter.statuses.iter().filter(|s| keep(s)).map(|s| s.as_str()).collect::<Vec<_>>()
        };
        let settled = words(&|s| !expiring.contains(s) && *s != QuoteStatus::Expired);
        let current = words(&|s| expiring.contains(s));
        let expired: Vec<&str> = if filter.statuses.contains(&QuoteStatus::Expired) {
            expiring.iter().map(|s| s.as_str()).collect()
        } else {
            Vec::new()
        };
        query = query.filter(
            quotes::status
                .eq_any(settled)
                .or(quotes::status.eq_any(current).and(quotes::valid_until.ge(filter.today)))
                .or(quotes::status.eq_any(expired).and(quotes::valid_until.lt(filter.today))),
        );
    }
    query
}

crate::visible::id_ordered_list!(quotes, QuoteRow, QuoteFilter, "quotes");
