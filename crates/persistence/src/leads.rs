//! Leads: storage, and scoped lists with keyset pagination. Duplicate lookups live in [`crate::duplicates`].

use crate::connection::MultiBackend;
use crate::schema::leads;
use crate::scope::Visibility;
use crate::sql_functions::lower;
use crate::{clock, like_contains, DbConnection, StoreResult};
use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::expression::BoxableExpression;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use salesops_domain::lead::{LeadSource, LeadStatus};

/// A lead as stored. The `*_normalized` columns hold the forms duplicates are matched on.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = leads, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct LeadRow {
    /// UUIDv7.
    pub id: String,
    /// The person's name.
    pub name: String,
    /// Their company.
    pub company: Option<String>,
    /// `company`, normalised for duplicate matching.
    pub company_normalized: Option<String>,
    /// Their job title.
    pub title: Option<String>,
    /// Their email, as entered.
    pub email: Option<String>,
    /// `email`, normalised.
    pub email_normalized: Option<String>,
    /// Their phone, as entered.
    pub phone: Option<String>,
    /// `phone`, normalised.
    pub phone_normalized: Option<String>,
    /// How it reached us.
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub source: LeadSource,
    /// Industry, free text.
    pub industry: Option<String>,
    /// Region, free text.
    pub region: Option<String>,
    /// Where it is in its life.
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub status: LeadStatus,
    /// The owner; `None` while the lead sits in the pool.
    pub owner_id: Option<String>,
    /// 0–100.
    pub score: i32,
    /// When to follow up next, UTC.
    pub next_follow_up_at: Option<NaiveDateTime>,
    /// Last recorded activity, UTC.
    pub last_activity_at: Option<NaiveDateTime>,
    /// Why it was disqualified.
    pub disqualify_reason: Option<String>,
    /// Account created or linked on conversion.
    pub converted_account_id: Option<String>,
    /// Contact created or linked on conversion.
    pub converted_contact_id: Option<String>,
    /// Opportunity created on conversion.
    pub converted_opportunity_id: Option<String>,
    /// When it was converted.
    pub converted_at: Option<NaiveDateTime>,
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

impl LeadRow {
    /// A new lead in status `new` at version 1, created now, with only a name,
    /// a source and an owner (`None`: in the pool).
    pub fn new(name: &str, source: LeadSource, owner_id: Option<&str>, created_by: Option<&str>) -> LeadRow {
        let now = clock::now();
        LeadRow {
            id: salesops_domain::new_id(),
            name: name.to_owned(),
            company: None,
            company_normalized: None,
            title: None,
            email: None,
            email_normalized: None,
            phone: None,
            phone_normalized: None,
            source,
            industry: None,
            region: None,
            status: LeadStatus::New,
            owner_id: owner_id.map(str::to_owned),
            score: 0,
            next_follow_up_at: None,
            last_activity_at: None,
            disqualify_reason: None,
            converted_account_id: None,
            converted_contact_id: None,
            converted_opportunity_id: None,
            converted_at: None,
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

/// The columns a list may be sorted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeadSortField {
    /// `created_at`.
    CreatedAt,
    /// `updated_at`.
    UpdatedAt,
    /// `name`.
    Name,
    /// `score`.
    Score,
}

/// One key of a sort order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortKey {
    /// The column.
    pub field: LeadSortField,
    /// Descending when true.
    pub descending: bool,
}

/// A sort key's value in the last row of a page, as carried by a cursor.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum CursorValue {
    /// A whole number (`score`).
    Int(i64),
    /// A timestamp (`created_at`, `updated_at`).
    Time(NaiveDateTime),
    /// Text (`name`).
    Text(String),
}

/// Where the previous page ended: the sort keys' values and the id of its last row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyset {
    /// One value per sort key, in sort order.
    pub values: Vec<CursorValue>,
    /// The id of the last row, the final tie-breaker.
    pub id: String,
}

/// The error when a cursor's values do not fit the sort order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the cursor does not match the sort order")]
pub struct CursorMismatch;

impl LeadSortField {
    /// This field's value in `row`, for building the next cursor.
    pub fn value_of(self, row: &LeadRow) -> CursorValue {
        match self {
            LeadSortField::CreatedAt => CursorValue::Time(row.created_at),
            LeadSortField::UpdatedAt => CursorValue::Time(row.updated_at),
            LeadSortField::Name => CursorValue::Text(row.name.clone()),
            LeadSortField::Score => CursorValue::Int(i64::from(row.score)),
        }
    }
}

/// Filters for listing leads; every one is applied in SQL.
#[derive(Debug, Clone, Default)]
pub struct LeadFilter {
    /// Any of these statuses.
    pub statuses: Vec<LeadStatus>,
    /// Only this owner.
    pub owner_id: Option<String>,
    /// Only leads in the pool (true) or only owned ones (false).
    pub in_pool: Option<bool>,
    /// Any of these sources.
    pub sources: Vec<LeadSource>,
    /// Exact industry.
    pub industry: Option<String>,
    /// Exact region.
    pub region: Option<String>,
    /// Created at or after.
    pub created_from: Option<NaiveDateTime>,
    /// Created before.
    pub created_to: Option<NaiveDateTime>,
    /// Case-insensitive substring of name, company, email or phone.
    pub q: Option<String>,
}

type Predicate = Box<dyn BoxableExpression<leads::table, MultiBackend, SqlType = Bool>>;

/// Every lead, deleted ones included, that `visibility` lets the caller see.
fn scoped<'a>(visibility: &Visibility) -> leads::BoxedQuery<'a, MultiBackend> {
    let query = leads::table.into_boxed();
    match visibility {
        Visibility::All => query,
        Visibility::Owners(owners) => {
            query.filter(leads::owner_id.is_null().or(leads::owner_id.eq_any(owners.clone())))
        }
    }
}

fn filtered<'a>(filter: &LeadFilter, visibility: &Visibility) -> leads::BoxedQuery<'a, MultiBackend> {
    let mut query = scoped(visibility).filter(leads::deleted_at.is_null());
    if !filter.statuses.is_empty() {
        query = query.filter(leads::status.eq_any(filter.statuses.iter().map(|s| s.as_str()).collect::<Vec<_>>()));
    }
    if let Some(owner) = &filter.owner_id {
        query = query.filter(leads::owner_id.eq(owner.clone()));
    }
    match filter.in_pool {
        Some(true) => query = query.filter(leads::owner_id.is_null()),
        Some(false) => query = query.filter(leads::owner_id.is_not_null()),
        None => {}
    }
    if !filter.sources.is_empty() {
        query = query.filter(leads::source.eq_any(filter.sources.iter().map(|s| s.as_str()).collect::<Vec<_>>()));
    }
    if let Some(industry) = &filter.industry {
        query = query.filter(leads::industry.eq(industry.clone()));
    }
    if let Some(region) = &filter.region {
        query = query.filter(leads::region.eq(region.clone()));
    }
    if let Some(from) = filter.created_from {
        query = query.filter(leads::created_at.ge(from));
    }
    if let Some(to) = filter.created_to {
        query = query.filter(leads::created_at.lt(to));
    }
    if let Some(q) = &filter.q {
        let pattern = like_contains(&q.to_lowercase());
        query = query.filter(
            lower(leads::name.nullable())
                .like(pattern.clone())
                .escape('\\')
                .or(lower(leads::company).like(pattern.clone()).escape('\\'))
                .or(leads::email_normalized.like(pattern.clone()).escape('\\'))
                .or(leads::phone.like(pattern.clone()).escape('\\'))
                .or(leads::phone_normalized.like(pattern).escape('\\')),
        );
    }
    query
}

/// A sort key's predicates against a cursor value.
struct KeyPredicates {
    /// The row comes strictly after the value.
    after: Predicate,
    /// The row's key equals the value.
    equal: Predicate,
    /// The row comes at or after the value: implied by the keyset's expansion, it is
    /// stated for the first key so that the database seeks into that key's index
    /// rather than scanning it from the start to the cursor.
    at_or_after: Predicate,
}

/// The predicates for one sort key.
fn key_predicates(key: SortKey, value: &CursorValue) -> Result<KeyPredicates, CursorMismatch> {
    macro_rules! predicates {
        ($col:expr, $v:expr) => {{
            let (after, at_or_after): (Predicate, Predicate) = if key.descending {
                (Box::new($col.lt($v.clone())), Box::new($col.le($v.clone())))
            } else {
                (Box::new($col.gt($v.clone())), Box::new($col.ge($v.clone())))
            };
            Ok(KeyPredicates { after, equal: Box::new($col.eq($v.clone())), at_or_after })
        }};
    }
    match (key.field, value) {
        (LeadSortField::CreatedAt, CursorValue::Time(t)) => predicates!(leads::created_at, t),
        (LeadSortField::UpdatedAt, CursorValue::Time(t)) => predicates!(leads::updated_at, t),
        (LeadSortField::Name, CursorValue::Text(s)) => predicates!(leads::name, s),
        (LeadSortField::Score, CursorValue::Int(n)) => {
            let n = i32::try_from(*n).map_err(|_| CursorMismatch)?;
            predicates!(leads::score, n)
        }
        _ => Err(CursorMismatch),
    }
}

/// Rows strictly after `keyset` in the order `(keys…, id)`: the lexicographic
/// "k1 > v1 OR (k1 = v1 AND k2 > v2) OR …" expansion, so it works the same on both
/// databases, AND "k1 >= v1", which lets either seek into the index on `(k1, id)`.
fn after_keyset(sort: &[SortKey], keyset: &Keyset, id_descending: bool) -> Result<Predicate, CursorMismatch> {
    if keyset.values.len() != sort.len() {
        return Err(CursorMismatch);
    }
    let id = keyset.id.clone();
    let id_after: Predicate = if id_descending { Box::new(leads::id.lt(id)) } else { Box::new(leads::id.gt(id)) };
    let mut result = id_after;
    let mut leading_bound = None;
    for (key, value) in sort.iter().zip(&keyset.values).rev() {
        let KeyPredicates { after, equal, at_or_after } = key_predicates(*key, value)?;
        result = Box::new(after.or(equal.and(result)));
        leading_bound = Some(at_or_after);
    }
    Ok(match leading_bound {
        Some(bound) => Box::new(bound.and(result)),
        None => result,
    })
}

/// One page of visible, live leads in `sort` order (then id), after `keyset`.
pub fn list(
    conn: &mut DbConnection,
    filter: &LeadFilter,
    visibility: &Visibility,
    sort: &[SortKey],
    keyset: Option<&Keyset>,
    limit: i64,
) -> Result<StoreResult<Vec<LeadRow>>, CursorMismatch> {
    Ok(list_query(filter, visibility, sort, keyset, limit)?.load(conn).map_err(Into::into))
}

/// A page of [`LeadRow`]s, as [`list_query`] builds it.
pub type PageQuery<'a> =
    leads::BoxedQuery<'a, MultiBackend, diesel::dsl::SqlTypeOf<diesel::dsl::AsSelect<LeadRow, MultiBackend>>>;

/// The query [`list`] runs, for checking its plan (see [`crate::plan`]).
pub fn list_query<'a>(
    filter: &LeadFilter,
    visibility: &Visibility,
    sort: &[SortKey],
    keyset: Option<&Keyset>,
    limit: i64,
) -> Result<PageQuery<'a>, CursorMismatch> {
    // The id tie-breaker follows the direction of the last key, so an index on (key, id) serves it.
    let id_descending = sort.last().is_some_and(|k| k.descending);
    let mut query = filtered(filter, visibility).select(LeadRow::as_select());
    if let Some(keyset) = keyset {
        query = query.filter(after_keyset(sort, keyset, id_descending)?);
    }
    for key in sort {
        query = match (key.field, key.descending) {
            (LeadSortField::CreatedAt, false) => query.then_order_by(leads::created_at.asc()),
            (LeadSortField::CreatedAt, true) => query.then_order_by(leads::created_at.desc()),
            (LeadSortField::UpdatedAt, false) => query.then_order_by(leads::updated_at.asc()),
            (LeadSortField::UpdatedAt, true) => query.then_order_by(leads::updated_at.desc()),
            (LeadSortField::Name, false) => query.then_order_by(leads::name.asc()),
            (LeadSortField::Name, true) => query.then_order_by(leads::name.desc()),
            (LeadSortField::Score, false) => query.then_order_by(leads::score.asc()),
            (LeadSortField::Score, true) => query.then_order_by(leads::score.desc()),
        };
    }
    query = if id_descending { query.then_order_by(leads::id.desc()) } else { query.then_order_by(leads::id.asc()) };
    Ok(query.limit(limit))
}

/// How many visible, live leads match `filter`.
pub fn count(conn: &mut DbConnection, filter: &LeadFilter, visibility: &Visibility) -> StoreResult<i64> {
    Ok(filtered(filter, visibility).select(count_star()).first(conn)?)
}

crate::visible::scoped_lookups!(leads, LeadRow, "lead");

/// Insert a new lead.
pub fn insert(conn: &mut DbConnection, row: &LeadRow) -> StoreResult<()> {
    diesel::insert_into(leads::table).values(row.clone()).execute(conn)?;
    Ok(())
}

crate::versioned::row_writes!(leads, LeadRow, "lead");
