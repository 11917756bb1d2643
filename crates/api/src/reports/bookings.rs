//! `GET /reports/bookings` (业绩 by booking).

use super::{add, by_name, order_filter, period_on, report_currency};
use crate::auth::Caller;
use crate::db;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use chrono::NaiveDate;
use salesops_domain::ids::{DepartmentId, UserId};
use salesops_domain::money::Money;
use salesops_domain::reports::{ReportInterval, MAX_REPORT_INTERVALS};
use salesops_persistence::money_reports::{self as queries, BookedDay, ReportGroup};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

/// What the bookings report groups its rows by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BookingsGroupBy {
    /// The order's owner.
    Owner,
    /// The owner's current department.
    Department,
}

impl From<BookingsGroupBy> for ReportGroup {
    fn from(group: BookingsGroupBy) -> ReportGroup {
        match group {
            BookingsGroupBy::Owner => ReportGroup::Owner,
            BookingsGroupBy::Department => ReportGroup::Department,
        }
    }
}

/// Query parameters of `GET /reports/bookings`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BookingsQuery {
    /// First booking day counted (`YYYY-MM-DD`, inclusive). Default: the start of the
    /// current calendar quarter on the business day, or of `to`'s quarter when only `to` is given.
    #[param(value_type = Option<String>, format = Date, example = "2026-10-01")]
    pub from: Option<NaiveDate>,
    /// Last booking day counted (inclusive). Default: the end of the current calendar
    /// quarter, or of `from`'s quarter when only `from` is given. `from` after `to` is a 400.
    #[param(value_type = Option<String>, format = Date, example = "2026-12-31")]
    pub to: Option<NaiveDate>,
    /// Rows and totals by `month` (the default) or `quarter`. At most 120 of them; a longer period is a 400.
    pub interval: Option<ReportInterval>,
    /// Rows by `owner` or `department`; without it, only the totals.
    pub group_by: Option<BookingsGroupBy>,
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
}

/// The period and filters a bookings report was computed for.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({ "from": "2026-10-01", "to": "2026-12-31", "interval": "month", "group_by": "owner",
    "owner_id": null, "department_id": null, "currency": "CNY" }))]
pub struct BookingsFilter {
    /// First booking day counted (inclusive).
    pub from: NaiveDate,
    /// Last booking day counted (inclusive).
    pub to: NaiveDate,
    /// Months or quarters.
    pub interval: ReportInterval,
    /// What the rows are grouped by; `null` when only the totals are given.
    pub group_by: Option<BookingsGroupBy>,
    /// The owner filter, if any.
    pub owner_id: Option<String>,
    /// The department filter, if any.
    pub department_id: Option<String>,
    /// The only currency counted.
    pub currency: String,
}

/// What one owner or department booked in one month or quarter.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({ "period_start": "2026-11-01", "key": "0190f0c2-6a00-7000-8000-0000000000a1",
    "name": "王芳", "count": 3, "amount": { "amount": 8_400_000, "currency": "CNY" } }))]
pub struct BookingsRow {
    /// The first day of the month or quarter.
    pub period_start: NaiveDate,
    /// The user or department id; `null` for the owners without a department.
    pub key: Option<String>,
    /// The user's or department's name; `null` for the owners without a department.
    pub name: Option<String>,
    /// How many orders were booked.
    pub count: i64,
    /// Their totals summed.
    pub amount: Money,
}

/// What was booked in one month or quarter.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({ "period_start": "2026-11-01", "count": 7,
    "amount": { "amount": 16_000_000, "currency": "CNY" } }))]
pub struct BookingsPeriodTotal {
    /// The first day of the month or quarter.
    pub period_start: NaiveDate,
    /// How many orders were booked.
    pub count: i64,
    /// Their totals summed.
    pub amount: Money,
}

/// What was booked over the whole period.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({ "count": 18, "amount": { "amount": 41_500_000, "currency": "CNY" } }))]
pub struct BookingsTotal {
    /// How many orders were booked.
    pub count: i64,
    /// Their totals summed.
    pub amount: Money,
}

/// Bookings by month or quarter.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "filter": { "from": "2026-10-01", "to": "2026-12-31", "interval": "month", "group_by": "owner",
                "owner_id": null, "department_id": null, "currency": "CNY" },
    "rows": [ { "period_start": "2026-11-01", "key": "0190f0c2-6a00-7000-8000-0000000000a1",
                "name": "王芳", "count": 3, "amount": { "amount": 8_400_000, "currency": "CNY" } } ],
    "totals": [
        { "period_start": "2026-10-01", "count": 0, "amount": { "amount": 0, "currency": "CNY" } },
        { "period_start": "2026-11-01", "count": 3, "amount": { "amount": 8_400_000, "currency": "CNY" } },
        { "period_start": "2026-12-01", "count": 0, "amount": { "amount": 0, "currency": "CNY" } }
    ],
    "total": { "count": 3, "amount": { "amount": 8_400_000, "currency": "CNY" } }
}))]
pub struct BookingsReport {
    /// The period and filters used.
    pub filter: BookingsFilter,
    /// One row per month or quarter and owner or department that booked something: by
    /// period, then the largest amount first (then by name and key); empty without `group_by`.
    pub rows: Vec<BookingsRow>,
    /// Every month or quarter the period touches, in order, zero when nothing was booked.
    pub totals: Vec<BookingsPeriodTotal>,
    /// The whole period.
    pub total: BookingsTotal,
}

/// How many orders were booked, and their totals summed.
#[derive(Debug, Clone, Copy, Default)]
struct Booked {
    count: i64,
    amount: i64,
}

impl Booked {
    fn add(&mut self, day: &BookedDay) -> Result<(), ApiError> {
        self.count = add(self.count, day.count)?;
        self.amount = add(self.amount, day.amount)?;
        Ok(())
    }
}

/// The days' bookings arranged: the rows by (month or quarter, group), largest first within
/// each, and the totals of every month or quarter starting on `starts`.
fn arrange(
    days: Vec<BookedDay>,
    starts: &[NaiveDate],
    currency: &str,
) -> Result<(Vec<BookingsRow>, Vec<BookingsPeriodTotal>), ApiError> {
    let mut per_period = vec![Booked::default(); starts.len()];
    let mut groups: BTreeMap<(NaiveDate, Option<String>), (Option<String>, Booked)> = BTreeMap::new();
    for day in days {
        // The last month or quarter starting on or before the day: the day is in the period.
        let i = starts.partition_point(|s| *s <= day.booked_at).saturating_sub(1);
        per_period[i].add(&day)?;
        let key = (starts[i], day.group_key.clone());
        groups.entry(key).or_insert_with(|| (day.name.clone(), Booked::default())).1.add(&day)?;
    }
    let mut rows: Vec<BookingsRow> = groups
        .into_iter()
        .map(|((period_start, key), (name, booked))| BookingsRow {
            period_start,
            key,
            name,
            count: booked.count,
            amount: Money::new(booked.amount, currency),
        })
        .collect();
    rows.sort_by(|a, b| {
        (a.period_start.cmp(&b.period_start))
            .then_with(|| b.amount.amount.cmp(&a.amount.amount))
            .then_with(|| by_name(&a.name, &a.key).cmp(&by_name(&b.name, &b.key)))
    });
    let totals = starts
        .iter()
        .zip(per_period)
        .map(|(start, booked)| BookingsPeriodTotal {
            period_start: *start,
            count: booked.count,
            amount: Money::new(booked.amount, currency),
        })
        .collect();
    Ok((rows, totals))
}

/// Bookings (业绩 by booking): what was booked, by month or quarter, and by owner or department.
///
/// Counted are the live orders in `currency` with status active, fulfilled or completed
/// (cancelled ones are not bookings), owned by someone in the caller's data scope
/// (narrowed by `owner_id` / `department_id`), whose booking date (their activation's
/// business day, or the date finance back-dated it to) falls within `from`–`to`. An
/// order counts its total, never converted. `totals` has every month or quarter the
/// period touches, in order, zero-filled; a period starting mid-month still reports
/// under the month's first day, counting only its own days. `group_by` adds rows per
/// owner or per owner's current department.
#[utoipa::path(
    tag = "reports",
    operation_id = "get_bookings_report",
    params(BookingsQuery),
    responses((status = 200, description = "Bookings by period", body = BookingsReport)),
    security(("bearer" = []))
)]
#[get("/reports/bookings")]
pub async fn get_bookings_report(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<BookingsQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let period = period_on(q.from, q.to, state.business_today())?;
    let interval = q.interval.unwrap_or(ReportInterval::Month);
    let starts = interval.starts(&period).ok_or_else(|| {
        ApiError::BadRequest(format!("the period spans more than {MAX_REPORT_INTERVALS} {interval}s"))
    })?;
    let filter = BookingsFilter {
        from: period.from,
        to: period.to,
        interval,
        group_by: q.group_by,
        owner_id: q.owner_id.map(String::from),
        department_id: q.department_id.map(String::from),
        currency: report_currency(q.currency, &state.settings.base_currency)?,
    };
    let report = db::read_with(&state, move |conn| -> Result<_, ApiError> {
        let (owner_id, department_id) = (filter.owner_id.as_deref(), filter.department_id.as_deref());
        let f = order_filter(conn, &caller, owner_id, department_id, &filter.currency)?;
        let days = queries::bookings_by_day(conn, &f, filter.group_by.map(ReportGroup::from), &period)?;
        let currency = filter.currency.as_str();
        let (rows, totals) = arrange(days, &starts, currency)?;
        let (mut count, mut amount) = (0, 0);
        for t in &totals {
            (count, amount) = (add(count, t.count)?, add(amount, t.amount.amount)?);
        }
        let total = BookingsTotal { count, amount: Money::new(amount, currency) };
        let rows = if filter.group_by.is_some() { rows } else { Vec::new() };
        Ok(BookingsReport { filter, rows, totals, total })
    })
    .await?;
    Ok(HttpResponse::Ok().json(report))
}
