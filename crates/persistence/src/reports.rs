//! Reports: aggregate queries over opportunities, leads and accounts.
//!
//! Every sum, count and grouping is done by the database, with the caller's
//! scope inside the WHERE clause; the API layer only arranges the few rows
//! that come back. The SQL is hand-written (unions, CASE sums) and runs on
//! both backends: `$n` placeholders are numbered in the order they first
//! appear, which is what SQLite requires of them.
//!
//! **Weighted amounts** are `amount × probability_bps / 10000` per
//! opportunity, rounded half away from zero to the minor unit (the same rule
//! as `salesops_domain::money::apply_bps`), then summed. An opportunity with
//! no amount counts as 0.

use crate::raw_sql::{Sql, SqlValue};
use crate::schema::pipeline_stages;
use crate::scope::Visibility;
use crate::words::Word;
use crate::{departments, users, DbConnection, StoreResult};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamp};
use salesops_domain::account::{AccountLifecycle, AccountTier};
use salesops_domain::lead::LeadSource;
use salesops_domain::opportunity::{ForecastCategory, StageKind};
use salesops_domain::reports::Period;

/// Per-opportunity weighted amount, rounded half away from zero (integer division truncates toward zero on both backends).
const WEIGHTED: &str = "CASE WHEN o.amount * o.probability_bps >= 0 \
     THEN (o.amount * o.probability_bps + 5000) / 10000 \
     ELSE (o.amount * o.probability_bps - 5000) / 10000 END";

/// When an account last saw life: its last activity, or its creation if that is later or there was none.
const QUIET_SINCE: &str =
    "CASE WHEN a.last_activity_at IS NOT NULL AND a.last_activity_at > a.created_at THEN a.last_activity_at ELSE a.created_at END";

/// The owners whose records a report may count: `None` is everyone.
///
/// The caller's visibility, narrowed by the `owner_id` and department filters;
/// a filter can only narrow, never widen, what the caller sees.
pub fn report_owners(
    visibility: &Visibility,
    owner_id: Option<&str>,
    department_owners: Option<&[String]>,
) -> Option<Vec<String>> {
    let mut owners: Option<Vec<String>> = match visibility {
        Visibility::All => None,
        Visibility::Owners(ids) => Some(ids.clone()),
    };
    let mut narrow = |allowed: &[String]| {
        owners = Some(match owners.take() {
            None => allowed.to_vec(),
            Some(current) => current.into_iter().filter(|id| allowed.contains(id)).collect(),
        });
    };
    if let Some(owner) = owner_id {
        narrow(&[owner.to_owned()]);
    }
    if let Some(dept) = department_owners {
        narrow(dept);
    }
    owners
}

/// The users in department `id` and every live department below it; `None` when there is no such live department.
pub fn department_tree_members(conn: &mut DbConnection, id: &str) -> StoreResult<Option<Vec<String>>> {
    if departments::find(conn, id)?.is_none() {
        return Ok(None);
    }
    Ok(Some(users::ids_in_department_tree(conn, id)?))
}

/// What every opportunity report filters on.
#[derive(Debug, Clone)]
pub struct OpportunityFilter {
    /// Owners counted; `None` is everyone.
    pub owners: Option<Vec<String>>,
    /// Only opportunities in this currency are summed.
    pub currency: String,
    /// The reporting period.
    pub period: Period,
}

/// Live opportunities `o` of the filter's owners and currency.
fn opportunities<'s>(sql: &'s mut Sql, f: &OpportunityFilter) -> &'s mut Sql {
    sql.push("o.deleted_at IS NULL AND o.currency = ")
        .param(SqlValue::text(f.currency.clone()))
        .and_in("o.owner_id", f.owners.as_deref())
}

/// ` AND <column>` falls within the period (a timestamp column).
pub(crate) fn during<'s>(sql: &'s mut Sql, column: &str, period: &Period) -> &'s mut Sql {
    sql.push(&format!(" AND {column} >= "))
        .param(SqlValue::Timestamp(Some(period.starts_at())))
        .push(&format!(" AND {column} < "))
        .param(SqlValue::Timestamp(Some(period.ends_before())))
}

/// Opportunities created in the period: the funnel's cohort.
fn cohort<'s>(sql: &'s mut Sql, f: &OpportunityFilter) -> &'s mut Sql {
    during(opportunities(sql, f), "o.created_at", &f.period)
}

/// An active pipeline stage.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct Stage {
    /// Its key.
    pub key: String,
    /// Its display name.
    pub name: String,
    /// Its order.
    pub position: i32,
    /// open, won or lost.
    #[diesel(deserialize_as = String)]
    pub kind: StageKind,
    /// Its default probability.
    pub probability_bps: i32,
    /// The forecast category of opportunities in it.
    #[diesel(deserialize_as = String)]
    pub forecast_category: ForecastCategory,
}

/// The active pipeline stages, in order.
pub fn active_stages(conn: &mut DbConnection) -> StoreResult<Vec<Stage>> {
    Ok(pipeline_stages::table
        .filter(pipeline_stages::active.eq(true))
        .order((pipeline_stages::position.asc(), pipeline_stages::key.asc()))
        .select((
            pipeline_stages::key,
            pipeline_stages::name,
            pipeline_stages::position,
            pipeline_stages::kind,
            pipeline_stages::probability_bps,
            pipeline_stages::forecast_category,
        ))
        .load(conn)?)
}

/// Count, amount and weighted amount of one group of opportunities.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct Totals {
    /// The group: a stage key, a forecast category or a status.
    #[diesel(sql_type = Text)]
    pub group_key: String,
    /// How many opportunities.
    #[diesel(sql_type = BigInt)]
    pub count: i64,
    /// Their amounts summed, in minor units.
    #[diesel(sql_type = BigInt)]
    pub amount: i64,
    /// Their weighted amounts summed (see the module docs for the rounding).
    #[diesel(sql_type = BigInt)]
    pub weighted: i64,
}

impl Totals {
    /// These totals and `other`'s together, under this group's key.
    fn plus(&self, other: &Totals) -> Totals {
        Totals {
            group_key: self.group_key.clone(),
            count: self.count + other.count,
            amount: self.amount + other.amount,
            weighted: self.weighted + other.weighted,
        }
    }
}

const COUNT_AMOUNT: &str = "COUNT(*) AS count, CAST(COALESCE(SUM(o.amount), 0) AS BIGINT) AS amount";

/// The `count`, `amount` and `weighted` columns of [`Totals`] over a group of opportunities `o`.
fn totals_columns() -> String {
    format!("{COUNT_AMOUNT}, CAST(COALESCE(SUM({WEIGHTED}), 0) AS BIGINT) AS weighted")
}

fn totals_by(conn: &mut DbConnection, group: &str, tail: impl FnOnce(&mut Sql)) -> StoreResult<Vec<Totals>> {
    let mut sql = Sql::default();
    sql.push(&format!("SELECT {group} AS group_key, {} ", totals_columns()));
    sql.push("FROM opportunities o WHERE ");
    tail(&mut sql);
    sql.push(&format!(" GROUP BY {group}"));
    sql.load(conn)
}

/// The funnel's cohort (live opportunities created in the period) grouped by current stage
/// and by how far each got (its stored `furthest_rank`).
#[derive(QueryableByName)]
struct FunnelGroup {
    #[diesel(sql_type = Text)]
    stage: String,
    #[diesel(sql_type = Nullable<Integer>)]
    furthest_rank: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    lost_stage: Option<String>,
    #[diesel(sql_type = BigInt)]
    count: i64,
    #[diesel(sql_type = BigInt)]
    amount: i64,
    #[diesel(sql_type = BigInt)]
    weighted: i64,
}

/// The funnel: the cohort's totals by current stage, and how far the cohort got.
///
/// One pass over the cohort, grouped by (stage, furthest rank, lost stage), gives the
/// totals, how many opportunities have each highest rank (an open stage's position, or
/// [`WON_RANK`](salesops_domain::reports::WON_RANK) for a won stage), and how many entered
/// each lost stage (each opportunity once, at the lost stage it entered last).
pub fn funnel(
    conn: &mut DbConnection,
    f: &OpportunityFilter,
) -> StoreResult<(Vec<Totals>, salesops_domain::reports::Reach)> {
    let mut sql = Sql::default();
    sql.push(&format!(
        "SELECT o.stage AS stage, o.furthest_rank AS furthest_rank, o.lost_stage AS lost_stage, {} \
         FROM opportunities o WHERE ",
        totals_columns()
    ));
    cohort(&mut sql, f).push(" GROUP BY o.stage, o.furthest_rank, o.lost_stage");
    let groups: Vec<FunnelGroup> = sql.load(conn)?;

    let mut by_stage: Vec<Totals> = Vec::new();
    let mut highest_rank: Vec<(i32, i64)> = Vec::new();
    let mut entered_lost: Vec<(String, i64)> = Vec::new();
    for g in &groups {
        let group = Totals { group_key: g.stage.clone(), count: g.count, amount: g.amount, weighted: g.weighted };
        match by_stage.iter_mut().find(|t| t.group_key == g.stage) {
            Some(t) => *t = t.plus(&group),
            None => by_stage.push(group),
        }
        if let Some(rank) = g.furthest_rank {
            tally(&mut highest_rank, rank, g.count);
        }
        if let Some(lost) = &g.lost_stage {
            tally(&mut entered_lost, lost.clone(), g.count);
        }
    }
    Ok((by_stage, salesops_domain::reports::Reach { highest_rank, entered_lost }))
}

/// Add `n` to the count of `key`.
fn tally<K: PartialEq>(counts: &mut Vec<(K, i64)>, key: K, n: i64) {
    match counts.iter_mut().find(|(k, _)| *k == key) {
        Some((_, count)) => *count += n,
        None => counts.push((key, n)),
    }
}

/// Open opportunities expected to close in the period, by forecast category.
pub fn forecast_open_by_category(conn: &mut DbConnection, f: &OpportunityFilter) -> StoreResult<Vec<Totals>> {
    totals_by(conn, "o.forecast_category", |sql| {
        opportunities(sql, f)
            .push(" AND o.status = 'open' AND o.expected_close_date >= ")
            .param(SqlValue::Date(Some(f.period.from)))
            .push(" AND o.expected_close_date <= ")
            .param(SqlValue::Date(Some(f.period.to)));
    })
}

/// Opportunities closed (won, lost or abandoned) in the period, by status.
pub fn closed_by_status(conn: &mut DbConnection, f: &OpportunityFilter) -> StoreResult<Vec<Totals>> {
    totals_by(conn, "o.status", |sql| {
        during(opportunities(sql, f).push(" AND o.status IN ('won', 'lost', 'abandoned')"), "o.closed_at", &f.period);
    })
}

/// Lost opportunities of one loss reason.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct LossReasonCount {
    /// The reason's code; `None` when none was recorded.
    #[diesel(sql_type = Nullable<Text>)]
    pub code: Option<String>,
    /// The reason's name in the dictionary.
    #[diesel(sql_type = Nullable<Text>)]
    pub name: Option<String>,
    /// How many were lost for it.
    #[diesel(sql_type = BigInt)]
    pub count: i64,
    /// Their amounts summed.
    #[diesel(sql_type = BigInt)]
    pub amount: i64,
}

/// Opportunities lost in the period, by loss reason: most frequent first.
pub fn lost_by_reason(conn: &mut DbConnection, f: &OpportunityFilter) -> StoreResult<Vec<LossReasonCount>> {
    let mut sql = Sql::default();
    sql.push(&format!(
        "SELECT o.loss_reason AS code, lr.name AS name, {COUNT_AMOUNT} \
         FROM opportunities o LEFT JOIN loss_reasons lr ON lr.code = o.loss_reason WHERE "
    ));
    during(opportunities(&mut sql, f).push(" AND o.status = 'lost'"), "o.closed_at", &f.period);
    sql.push(
        " GROUP BY o.loss_reason, lr.name \
         ORDER BY COUNT(*) DESC, CASE WHEN o.loss_reason IS NULL THEN 1 ELSE 0 END, o.loss_reason",
    );
    sql.load(conn)
}

/// How one competitor fared in the period's closed opportunities.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct CompetitorCount {
    /// The competitor.
    #[diesel(sql_type = Text)]
    pub id: String,
    /// Its name.
    #[diesel(sql_type = Text)]
    pub name: String,
    /// Closed opportunities it was involved in: listed on it, or named as the winner.
    #[diesel(sql_type = BigInt)]
    pub involved: i64,
    /// Of those, won by us.
    #[diesel(sql_type = BigInt)]
    pub won_against: i64,
    /// Of those, lost with it named as the winner.
    #[diesel(sql_type = BigInt)]
    pub lost_to: i64,
}

/// Competitors of the opportunities closed in the period: most involved first.
pub fn closed_by_competitor(conn: &mut DbConnection, f: &OpportunityFilter) -> StoreResult<Vec<CompetitorCount>> {
    let mut sql = Sql::default();
    sql.push(
        "SELECT c.id AS id, c.name AS name, COUNT(*) AS involved, \
         CAST(SUM(CASE WHEN o.status = 'won' THEN 1 ELSE 0 END) AS BIGINT) AS won_against, \
         CAST(SUM(CASE WHEN o.status = 'lost' AND o.won_by_competitor_id = c.id THEN 1 ELSE 0 END) AS BIGINT) AS lost_to \
         FROM (SELECT opportunity_id, competitor_id FROM opportunity_competitors \
               UNION SELECT id, won_by_competitor_id FROM opportunities WHERE won_by_competitor_id IS NOT NULL) oc \
         JOIN opportunities o ON o.id = oc.opportunity_id \
         JOIN competitors c ON c.id = oc.competitor_id WHERE ",
    );
    during(opportunities(&mut sql, f).push(" AND o.status IN ('won', 'lost', 'abandoned')"), "o.closed_at", &f.period);
    sql.push(" GROUP BY c.id, c.name ORDER BY COUNT(*) DESC, c.name, c.id");
    sql.load(conn)
}

/// Leads of one source, by outcome.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct LeadSourceCount {
    /// How the leads reached us.
    #[diesel(sql_type = Text, deserialize_as = Word<LeadSource>)]
    pub source: LeadSource,
    /// Every lead.
    #[diesel(sql_type = BigInt)]
    pub total: i64,
    /// Converted ones.
    #[diesel(sql_type = BigInt)]
    pub converted: i64,
    /// Disqualified ones.
    #[diesel(sql_type = BigInt)]
    pub disqualified: i64,
}

/// Live leads created in the period, by source.
///
/// Counted: leads owned by `owners` (`None`: by anyone), and, when
/// `with_pool`, the unowned leads of the pool, as the lead list shows them.
pub fn leads_by_source(
    conn: &mut DbConnection,
    owners: Option<&[String]>,
    with_pool: bool,
    period: &Period,
) -> StoreResult<Vec<LeadSourceCount>> {
    let mut sql = Sql::default();
    sql.push(
        "SELECT l.source AS source, COUNT(*) AS total, \
         CAST(SUM(CASE WHEN l.status = 'converted' THEN 1 ELSE 0 END) AS BIGINT) AS converted, \
         CAST(SUM(CASE WHEN l.status = 'disqualified' THEN 1 ELSE 0 END) AS BIGINT) AS disqualified \
         FROM leads l WHERE l.deleted_at IS NULL",
    );
    during(&mut sql, "l.created_at", period);
    match (owners, with_pool) {
        (None, _) => {}
        (Some(ids), false) => {
            sql.and_in("l.owner_id", Some(ids));
        }
        (Some(ids), true) => {
            sql.push(" AND (l.owner_id IS NULL OR (1 = 1");
            sql.and_in("l.owner_id", Some(ids)).push("))");
        }
    }
    if owners.is_none() && !with_pool {
        sql.push(" AND l.owner_id IS NOT NULL");
    }
    sql.push(" GROUP BY l.source");
    sql.load(conn)
}

/// An owned account that has been quiet.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct QuietAccount {
    /// The account.
    #[diesel(sql_type = Text)]
    pub id: String,
    /// Its name.
    #[diesel(sql_type = Text)]
    pub name: String,
    /// Its owner.
    #[diesel(sql_type = Text)]
    pub owner_id: String,
    /// Its value tier.
    #[diesel(sql_type = Text, deserialize_as = Word<AccountTier>)]
    pub tier: AccountTier,
    /// Where it is in its life as a customer.
    #[diesel(sql_type = Text, deserialize_as = Word<AccountLifecycle>)]
    pub lifecycle: AccountLifecycle,
    /// Its last activity, if any.
    #[diesel(sql_type = Nullable<Timestamp>)]
    pub last_activity_at: Option<NaiveDateTime>,
    /// Its last activity, or its creation when later or when there was none.
    #[diesel(sql_type = Timestamp)]
    pub quiet_since: NaiveDateTime,
}

/// Where a page of quiet accounts starts: after this account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuietKeyset {
    /// The previous page's last `quiet_since`.
    pub quiet_since: NaiveDateTime,
    /// The previous page's last id.
    pub id: String,
}

#[derive(QueryableByName)]
struct CountRow {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn quiet_accounts_where(sql: &mut Sql, owners: Option<&[String]>, quiet_before: NaiveDateTime) {
    sql.push(" FROM accounts a WHERE a.deleted_at IS NULL AND a.owner_id IS NOT NULL");
    sql.and_in("a.owner_id", owners);
    sql.push(&format!(" AND {QUIET_SINCE} < ")).param(SqlValue::Timestamp(Some(quiet_before)));
}

/// Live owned accounts of `owners` with no sign of life since `quiet_before`, quietest first (then by id).
pub fn quiet_accounts(
    conn: &mut DbConnection,
    owners: Option<&[String]>,
    quiet_before: NaiveDateTime,
    after: Option<&QuietKeyset>,
    limit: i64,
) -> StoreResult<Vec<QuietAccount>> {
    let mut sql = Sql::default();
    sql.push(&format!(
        "SELECT a.id AS id, a.name AS name, a.owner_id AS owner_id, a.tier AS tier, a.lifecycle AS lifecycle, \
         a.last_activity_at AS last_activity_at, {QUIET_SINCE} AS quiet_since"
    ));
    quiet_accounts_where(&mut sql, owners, quiet_before);
    if let Some(k) = after {
        sql.push(&format!(" AND ({QUIET_SINCE} > ")).param(SqlValue::Timestamp(Some(k.quiet_since)));
        sql.push(&format!(" OR ({QUIET_SINCE} = ")).param(SqlValue::Timestamp(Some(k.quiet_since)));
        sql.push(" AND a.id > ").param(SqlValue::text(k.id.clone())).push("))");
    }
    sql.push(&format!(" ORDER BY {QUIET_SINCE}, a.id LIMIT ")).param(SqlValue::BigInt(Some(limit)));
    sql.load(conn)
}

/// How many accounts [`quiet_accounts`] would list over all pages.
pub fn count_quiet_accounts(
    conn: &mut DbConnection,
    owners: Option<&[String]>,
    quiet_before: NaiveDateTime,
) -> StoreResult<i64> {
    let mut sql = Sql::default();
    sql.push("SELECT COUNT(*) AS n");
    quiet_accounts_where(&mut sql, owners, quiet_before);
    let rows: Vec<CountRow> = sql.load(conn)?;
    Ok(rows.first().map_or(0, |r| r.n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn filters_narrow_the_scope_and_never_widen_it() {
        let mine = Visibility::Owners(ids(&["a", "b"]));
        assert_eq!(report_owners(&Visibility::All, None, None), None);
        assert_eq!(report_owners(&mine, None, None), Some(ids(&["a", "b"])));
        assert_eq!(report_owners(&mine, Some("b"), None), Some(ids(&["b"])));
        assert_eq!(report_owners(&mine, Some("z"), None), Some(vec![]));
        assert_eq!(report_owners(&mine, None, Some(&ids(&["b", "c"]))), Some(ids(&["b"])));
        assert_eq!(report_owners(&Visibility::All, None, Some(&ids(&["c"]))), Some(ids(&["c"])));
        assert_eq!(report_owners(&Visibility::All, Some("c"), Some(&ids(&["d"]))), Some(vec![]));
    }
}
