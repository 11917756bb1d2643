//! `GET /reports/receivables-aging` (应收账款账龄).

use super::{add, by_name, order_filter, period_on, report_currency};
use crate::auth::Caller;
use crate::db;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use chrono::NaiveDate;
use salesops_domain::ids::{DepartmentId, UserId};
use salesops_domain::money::Money;
use salesops_domain::receivables::{dso, AgingBucket};
use salesops_persistence::money_reports::{self as queries, AgingAmount, ReportGroup};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

/// What the receivables aging report groups its rows by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgingGroupBy {
    /// The order's owner.
    Owner,
    /// The owner's current department.
    Department,
    /// The order's account.
    Account,
}

impl From<AgingGroupBy> for ReportGroup {
    fn from(group: AgingGroupBy) -> ReportGroup {
        match group {
            AgingGroupBy::Owner => ReportGroup::Owner,
            AgingGroupBy::Department => ReportGroup::Department,
            AgingGroupBy::Account => ReportGroup::Account,
        }
    }
}

/// Query parameters of `GET /reports/receivables-aging`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReceivablesAgingQuery {
    /// First day of the DSO period (`YYYY-MM-DD`, inclusive). Default: the start of the
    /// current calendar quarter on the business day, or of `to`'s quarter when only `to` is given.
    #[param(value_type = Option<String>, format = Date, example = "2026-10-01")]
    pub from: Option<NaiveDate>,
    /// Last day of the DSO period (inclusive). Default: the end of the current calendar
    /// quarter, or of `from`'s quarter when only `from` is given. `from` after `to` is a 400.
    #[param(value_type = Option<String>, format = Date, example = "2026-12-31")]
    pub to: Option<NaiveDate>,
    /// Only this owner's orders (within the caller's scope).
    #[param(value_type = Option<String>)]
    pub owner_id: Option<UserId>,
    /// Only orders owned by members of this department or any department below it
    /// (within the caller's scope). An unknown department is a 400.
    #[param(value_type = Option<String>)]
    pub department_id: Option<DepartmentId>,
    /// Only orders in this currency are counted; amounts are never converted.
    /// Default: the base currency.
    #[param(example = "CNY")]
    pub currency: Option<String>,
    /// Rows by `owner`, `department` or `account`; without it, only the totals.
    pub group_by: Option<AgingGroupBy>,
}

/// The day, the period and the filters a receivables aging report was computed for.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({ "as_of": "2026-12-06", "from": "2026-10-01", "to": "2026-12-31", "owner_id": null,
    "department_id": null, "currency": "CNY", "group_by": "owner" }))]
pub struct ReceivablesAgingFilter {
    /// The business day the amounts are aged on: today in the business time zone.
    pub as_of: NaiveDate,
    /// First day of the DSO period (inclusive).
    pub from: NaiveDate,
    /// Last day of the DSO period (inclusive).
    pub to: NaiveDate,
    /// The owner filter, if any.
    pub owner_id: Option<String>,
    /// The department filter, if any.
    pub department_id: Option<String>,
    /// The only currency counted.
    pub currency: String,
    /// What the rows are grouped by; `null` when only the totals are given.
    pub group_by: Option<AgingGroupBy>,
}

/// What is outstanding in one aging bucket.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({ "bucket": "1_30", "amount": { "amount": 1_200_000, "currency": "CNY" } }))]
pub struct AgingBucketAmount {
    /// How long past due: `current` (not yet due), `1_30`, `31_60`, `61_90` or `over_90` days.
    pub bucket: AgingBucket,
    /// The outstanding amounts in it, summed.
    pub amount: Money,
}

/// The buckets of the schema examples: ¥65,000.00 outstanding in all.
fn example_buckets() -> serde_json::Value {
    serde_json::json!([
        { "bucket": "current", "amount": { "amount": 5_000_000, "currency": "CNY" } },
        { "bucket": "1_30", "amount": { "amount": 1_200_000, "currency": "CNY" } },
        { "bucket": "31_60", "amount": { "amount": 0, "currency": "CNY" } },
        { "bucket": "61_90", "amount": { "amount": 300_000, "currency": "CNY" } },
        { "bucket": "over_90", "amount": { "amount": 0, "currency": "CNY" } }
    ])
}

/// What one owner, department or account has outstanding, by aging bucket.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "key": "0190f0c2-6a00-7000-8000-0000000000a1", "name": "王芳",
    "buckets": example_buckets(),
    "total": { "amount": 6_500_000, "currency": "CNY" }
}))]
pub struct AgingGroup {
    /// The user, department or account id; `null` for the owners without a department.
    pub key: Option<String>,
    /// The user's, department's or account's name; `null` for the owners without a department.
    pub name: Option<String>,
    /// Every bucket, in the order current, 1_30, 31_60, 61_90, over_90, zero when nothing is in it.
    pub buckets: Vec<AgingBucketAmount>,
    /// The buckets summed.
    pub total: Money,
}

/// What is outstanding in all, by aging bucket.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "buckets": example_buckets(),
    "total": { "amount": 6_500_000, "currency": "CNY" }
}))]
pub struct AgingTotals {
    /// Every bucket, in the order current, 1_30, 31_60, 61_90, over_90, zero when nothing is in it.
    pub buckets: Vec<AgingBucketAmount>,
    /// The buckets summed: everything outstanding.
    pub total: Money,
}

/// Days sales outstanding (应收账款周转天数) over the period:
/// `value = receivables × days / sales`, rounded half away from zero to a whole day.
///
/// `receivables` is everything outstanding on the business day (the report's total);
/// `sales` the total of the orders booked in the period, in scope and currency, with
/// status active, fulfilled or completed (as `/reports/bookings` counts them); `days`
/// the period's length, both ends included. `value` is `null` when there were no sales.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({ "receivables": { "amount": 6_500_000, "currency": "CNY" },
    "sales": { "amount": 16_000_000, "currency": "CNY" }, "days": 92, "value": 37 }))]
pub struct DaysSalesOutstanding {
    /// Everything outstanding on the business day.
    pub receivables: Money,
    /// The period's bookings.
    pub sales: Money,
    /// The period's length in days.
    pub days: i64,
    /// `receivables × days / sales`, rounded half away from zero; `null` without sales.
    pub value: Option<i64>,
}

/// Receivables aging on the business day, with DSO.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "filter": { "as_of": "2026-12-06", "from": "2026-10-01", "to": "2026-12-31", "owner_id": null,
                "department_id": null, "currency": "CNY", "group_by": "owner" },
    "groups": [ {
        "key": "0190f0c2-6a00-7000-8000-0000000000a1", "name": "王芳",
        "buckets": example_buckets(),
        "total": { "amount": 6_500_000, "currency": "CNY" }
    } ],
    "totals": {
        "buckets": example_buckets(),
        "total": { "amount": 6_500_000, "currency": "CNY" }
    },
    "dso": { "receivables": { "amount": 6_500_000, "currency": "CNY" },
             "sales": { "amount": 16_000_000, "currency": "CNY" }, "days": 92, "value": 37 }
}))]
pub struct ReceivablesAgingReport {
    /// The day, period and filters used.
    pub filter: ReceivablesAgingFilter,
    /// One row per owner, department or account with something outstanding, the largest
    /// total first (then by name and key); empty without `group_by`.
    pub groups: Vec<AgingGroup>,
    /// Everything outstanding, by bucket.
    pub totals: AgingTotals,
    /// Days sales outstanding over the period.
    pub dso: DaysSalesOutstanding,
}

/// Outstanding amounts of each aging bucket, in [`AgingBucket::ALL`] order.
#[derive(Debug, Clone, Copy, Default)]
struct BucketSums([i64; AgingBucket::ALL.len()]);

impl BucketSums {
    fn add(&mut self, row: &AgingAmount) -> Result<(), ApiError> {
        // The variants are declared in `ALL` order, without explicit discriminants.
        let i = row.bucket as usize;
        self.0[i] = add(self.0[i], row.amount)?;
        Ok(())
    }

    fn total(&self) -> Result<i64, ApiError> {
        self.0.iter().try_fold(0, |sum, amount| add(sum, *amount))
    }

    fn buckets(&self, currency: &str) -> Vec<AgingBucketAmount> {
        AgingBucket::ALL
            .iter()
            .zip(self.0)
            .map(|(bucket, amount)| AgingBucketAmount { bucket: *bucket, amount: Money::new(amount, currency) })
            .collect()
    }
}

/// The rows arranged: one group per key, the largest total first, and the totals.
fn arrange(rows: &[AgingAmount], currency: &str) -> Result<(Vec<AgingGroup>, AgingTotals), ApiError> {
    let mut sums: BTreeMap<Option<&str>, (Option<&str>, BucketSums)> = BTreeMap::new();
    let mut all = BucketSums::default();
    for row in rows {
        all.add(row)?;
        sums.entry(row.group_key.as_deref()).or_insert((row.name.as_deref(), BucketSums::default())).1.add(row)?;
    }
    let mut groups = sums
        .into_iter()
        .map(|(key, (name, group))| {
            let total = Money::new(group.total()?, currency);
            Ok(AgingGroup {
                key: key.map(str::to_owned),
                name: name.map(str::to_owned),
                buckets: group.buckets(currency),
                total,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    groups.sort_by(|a, b| {
        (b.total.amount.cmp(&a.total.amount)).then_with(|| by_name(&a.name, &a.key).cmp(&by_name(&b.name, &b.key)))
    });
    let totals = AgingTotals { buckets: all.buckets(currency), total: Money::new(all.total()?, currency) };
    Ok((groups, totals))
}

/// Receivables aging (应收账款账龄): what is outstanding by days past due, and DSO.
///
/// Amounts are aged on the business day (today in the business time zone) by days past
/// their due date: `current` (not yet due, or due today), `1_30`, `31_60`, `61_90` and
/// `over_90`. Counted are the unpaid parts (`amount − paid`) of the instalments of the
/// live orders in `currency` that are active or fulfilled and owned by someone in the
/// caller's data scope (narrowed by `owner_id` / `department_id`). Such an order without
/// a payment plan counts its whole outstanding balance (`total − collected + refunded`,
/// when above zero) as one amount due on its booking date. Other currencies are left out,
/// never converted. `group_by` adds a row per owner, per owner's current department, or
/// per account. DSO covers the period `from`–`to` (default: the current quarter):
/// `receivables × days / sales`, `null` without sales.
#[utoipa::path(
    tag = "reports",
    operation_id = "get_receivables_aging_report",
    params(ReceivablesAgingQuery),
    responses((status = 200, description = "Receivables aging and DSO", body = ReceivablesAgingReport)),
    security(("bearer" = []))
)]
#[get("/reports/receivables-aging")]
pub async fn get_receivables_aging_report(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ReceivablesAgingQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let as_of = state.business_today();
    let period = period_on(q.from, q.to, as_of)?;
    let filter = ReceivablesAgingFilter {
        as_of,
        from: period.from,
        to: period.to,
        owner_id: q.owner_id.map(String::from),
        department_id: q.department_id.map(String::from),
        currency: report_currency(q.currency, &state.settings.base_currency)?,
        group_by: q.group_by,
    };
    let report = db::read_with(&state, move |conn| -> Result<_, ApiError> {
        let (owner_id, department_id) = (filter.owner_id.as_deref(), filter.department_id.as_deref());
        let f = order_filter(conn, &caller, owner_id, department_id, &filter.currency)?;
        let rows = queries::receivables_aging(conn, &f, filter.group_by.map(ReportGroup::from), as_of)?;
        let sales =
            queries::bookings_by_day(conn, &f, None, &period)?.iter().try_fold(0, |sum, day| add(sum, day.amount))?;
        let currency = filter.currency.as_str();
        let (groups, totals) = arrange(&rows, currency)?;
        let days = period.days();
        let dso = DaysSalesOutstanding {
            value: dso(totals.total.amount, sales, days),
            receivables: totals.total.clone(),
            sales: Money::new(sales, currency),
            days,
        };
        let groups = if filter.group_by.is_some() { groups } else { Vec::new() };
        Ok(ReceivablesAgingReport { filter, groups, totals, dso })
    })
    .await?;
    Ok(HttpResponse::Ok().json(report))
}
