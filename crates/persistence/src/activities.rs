//! Activities (跟进记录): storage, scoped lists, and the `last_activity_at`
//! touch on the records an activity links to.

use crate::connection::MultiBackend;
use crate::schema::{accounts, activities, contacts, leads, opportunities};
use crate::scope::Visibility;
use crate::{clock, DbConnection, StoreResult};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use salesops_domain::activity::ActivityKind;

/// An activity as stored. `latitude`/`longitude` are degrees (not money, so floats).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = activities, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct ActivityRow {
    /// UUIDv7.
    pub id: String,
    /// What kind of follow-up it was.
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub kind: ActivityKind,
    /// One line about it.
    pub subject: String,
    /// Longer notes.
    pub body: Option<String>,
    /// When it happened, UTC.
    pub occurred_at: NaiveDateTime,
    /// When to follow up next, UTC.
    pub next_follow_up_at: Option<NaiveDateTime>,
    /// Who did it.
    pub owner_id: String,
    /// The linked lead.
    pub lead_id: Option<String>,
    /// The linked account.
    pub account_id: Option<String>,
    /// The linked contact.
    pub contact_id: Option<String>,
    /// The linked opportunity.
    pub opportunity_id: Option<String>,
    /// Degrees north.
    pub latitude: Option<f64>,
    /// Degrees east.
    pub longitude: Option<f64>,
    /// A name for the place.
    pub location_name: Option<String>,
    /// Bumped on every change.
    pub version: i64,
    /// Creation time, UTC.
    pub created_at: NaiveDateTime,
    /// Last change, UTC.
    pub updated_at: NaiveDateTime,
    /// Who logged it.
    pub created_by: Option<String>,
    /// Set when soft-deleted.
    pub deleted_at: Option<NaiveDateTime>,
}

impl ActivityRow {
    /// A new activity at version 1, created now, linked to nothing yet.
    pub fn new(
        kind: ActivityKind,
        subject: &str,
        occurred_at: NaiveDateTime,
        owner_id: &str,
        created_by: Option<&str>,
    ) -> ActivityRow {
        let now = clock::now();
        ActivityRow {
            id: salesops_domain::new_id(),
            kind,
            subject: subject.to_owned(),
            body: None,
            occurred_at,
            next_follow_up_at: None,
            owner_id: owner_id.to_owned(),
            lead_id: None,
            account_id: None,
            contact_id: None,
            opportunity_id: None,
            latitude: None,
            longitude: None,
            location_name: None,
            version: 1,
            created_at: now,
            updated_at: now,
            created_by: created_by.map(str::to_owned),
            deleted_at: None,
        }
    }
}

/// Insert a new activity.
pub fn insert(conn: &mut DbConnection, row: &ActivityRow) -> StoreResult<()> {
    diesel::insert_into(activities::table).values(row.clone()).execute(conn)?;
    Ok(())
}

/// Every activity, deleted ones included, that `visibility` lets the caller see:
/// those owned by someone in scope, and those linked to a live account, lead or
/// opportunity the caller can see (the same rules as `accounts::scoped`,
/// `leads::find_visible` and `opportunities::scoped`). A contact is seen through
/// its account, which an activity on a contact always links too.
pub fn scoped<'a>(visibility: &Visibility) -> activities::BoxedQuery<'a, MultiBackend> {
    let query = activities::table.into_boxed();
    match visibility {
        Visibility::All => query,
        Visibility::Owners(owners) => {
            // Unboxed subqueries: a boxed subquery cannot be used on the MultiBackend.
            let visible_accounts = accounts::table
                .filter(accounts::deleted_at.is_null())
                .filter(accounts::owner_id.is_null().or(accounts::owner_id.eq_any(owners.clone())))
                .select(accounts::id.nullable());
            let visible_leads = leads::table
                .filter(leads::deleted_at.is_null())
                .filter(leads::owner_id.is_null().or(leads::owner_id.eq_any(owners.clone())))
                .select(leads::id.nullable());
            let visible_opportunities = opportunities::table
                .filter(opportunities::deleted_at.is_null())
                .filter(opportunities::owner_id.eq_any(owners.clone()))
                .select(opportunities::id.nullable());
            query.filter(
                activities::owner_id
                    .eq_any(owners.clone())
                    .nullable()
                    .or(activities::account_id.eq_any(visible_accounts))
                    .or(activities::lead_id.eq_any(visible_leads))
                    .or(activities::opportunity_id.eq_any(visible_opportunities)),
            )
        }
    }
}

/// Filters for listing activities; every one is applied in SQL.
#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    /// Linked to this lead.
    pub lead_id: Option<String>,
    /// Linked to this account.
    pub account_id: Option<String>,
    /// Linked to this contact.
    pub contact_id: Option<String>,
    /// Linked to this opportunity.
    pub opportunity_id: Option<String>,
    /// Any of these kinds.
    pub kinds: Vec<ActivityKind>,
    /// Done by this user.
    pub owner_id: Option<String>,
    /// Happened at or after.
    pub occurred_from: Option<NaiveDateTime>,
    /// Happened before.
    pub occurred_to: Option<NaiveDateTime>,
}

fn filtered<'a>(filter: &ActivityFilter, visibility: &Visibility) -> activities::BoxedQuery<'a, MultiBackend> {
    let mut query = scoped(visibility).filter(activities::deleted_at.is_null());
    if let Some(id) = &filter.lead_id {
        query = query.filter(activities::lead_id.eq(id.clone()));
    }
    if let Some(id) = &filter.account_id {
        query = query.filter(activities::account_id.eq(id.clone()));
    }
    if let Some(id) = &filter.contact_id {
        query = query.filter(activities::contact_id.eq(id.clone()));
    }
    if let Some(id) = &filter.opportunity_id {
        query = query.filter(activities::opportunity_id.eq(id.clone()));
    }
    if !filter.kinds.is_empty() {
        query = query.filter(activities::kind.eq_any(filter.kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>()));
    }
    if let Some(owner) = &filter.owner_id {
        query = query.filter(activities::owner_id.eq(owner.clone()));
    }
    if let Some(from) = filter.occurred_from {
        query = query.filter(activities::occurred_at.ge(from));
    }
    if let Some(to) = filter.occurred_to {
        query = query.filter(activities::occurred_at.lt(to));
    }
    query
}

crate::visible::id_ordered_list!(activities, ActivityRow, ActivityFilter, "activities");

crate::visible::scoped_lookups!(activities, ActivityRow, "activity");

crate::versioned::row_writes!(activities, ActivityRow, "activity");

/// A kind of record whose `last_activity_at` an activity moves. Leads are
/// written through their own versioned update, since an activity may also
/// change their status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Touched {
    /// `accounts`.
    Account,
    /// `contacts`.
    Contact,
    /// `opportunities`.
    Opportunity,
}

/// Move a record's `last_activity_at` forward to `at`, bumping its version and
/// `updated_at`, unless it already is at or after `at`. Returns the previous
/// value when the row changed, `None` when nothing was written (already later,
/// or no such live row). One conditional UPDATE, so it is safe against
/// concurrent writers; callers hold the row lock for the read of the old value.
pub fn touch_last_activity(
    conn: &mut DbConnection,
    touched: Touched,
    id: &str,
    at: NaiveDateTime,
) -> StoreResult<Option<Option<NaiveDateTime>>> {
    let now = clock::now();
    macro_rules! touch {
        ($table:ident) => {{
            let before: Option<Option<NaiveDateTime>> = $table::table
                .find(id)
                .filter($table::deleted_at.is_null())
                .select($table::last_activity_at)
                .first(conn)
                .optional()?;
            let Some(before) = before else { return Ok(None) };
            let n = diesel::update(
                $table::table.find(id).filter($table::last_activity_at.is_null().or($table::last_activity_at.lt(at))),
            )
            .set((
                $table::last_activity_at.eq(Some(at)),
                $table::version.eq($table::version + 1),
                $table::updated_at.eq(now),
            ))
            .execute(conn)?;
            Ok((n == 1).then_some(before))
        }};
    }
    match touched {
        Touched::Account => touch!(accounts),
        Touched::Contact => touch!(contacts),
        Touched::Opportunity => touch!(opportunities),
    }
}
