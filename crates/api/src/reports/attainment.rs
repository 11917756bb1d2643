//! `GET /reports/attainment`: actuals against targets, with year-on-year and
//! period-on-period growth.

use super::{order_filter, report_currency};
use crate::auth::Caller;
use crate::db;
use crate::error::ApiError;
use crate::state::AppState;
use crate::targets::dto::Subject;
use actix_web::{get, web, HttpResponse};
use chrono::NaiveDate;
use salesops_domain::money::Money;
use salesops_domain::target::{
    attainment_bps, growth_bps, Metric, MonthlyAmounts, PeriodKind, PlanPeriod, SubjectType, YEARS,
};
use salesops_persistence::money_reports::{self as queries, ActualGroup};
use salesops_persistence::targets::{self, TargetScope};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use utoipa::{IntoParams, ToSchema};

/// Whose attainment the report's rows give.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttainmentGroupBy {
    /// Each user: the orders they own, against their own target.
    User,
    /// Each department: its whole subtree's orders, against the department's own target.
    Department,
}

/// Query parameters of `GET /reports/attainment`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AttainmentQuery {
    /// The calendar year, 2000–2999.
    #[param(example = 2027)]
    pub year: i32,
    /// `booking` (the default) or `collection`.
    pub metric: Option<Metric>,
    /// Rows per `month` (the default), `quarter` or `year`.
    pub period: Option<PeriodKind>,
    /// Rows per `user` (the default) or `department`.
    pub group_by: Option<AttainmentGroupBy>,
    /// Only actuals and targets in this currency count; amounts are never converted.
    /// Default: the base currency.
    #[param(example = "CNY")]
    pub currency: Option<String>,
}

/// What an attainment report was computed for.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({ "year": 2027, "metric": "booking", "period": "quarter", "group_by": "user", "currency": "CNY" }))]
pub struct AttainmentFilter {
    /// The calendar year.
    pub year: i32,
    /// Booking or collection.
    pub metric: Metric,
    /// Months, quarters or the year.
    pub period: PeriodKind,
    /// Users or departments.
    pub group_by: AttainmentGroupBy,
    /// The only currency counted.
    pub currency: String,
}

/// One subject's attainment over one period.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "period": "2027-Q2", "period_start": "2027-04-01",
    "subject": { "type": "user", "id": "0190f0c2-6a00-7000-8000-0000000000a1", "name": "王芳" },
    "actual": { "amount": 1_800_000, "currency": "CNY" }, "target": { "amount": 1_500_000, "currency": "CNY" },
    "attainment_bps": 12_000,
    "last_year": { "amount": 1_200_000, "currency": "CNY" }, "yoy_bps": 5_000,
    "previous": { "amount": 2_000_000, "currency": "CNY" }, "mom_bps": -1_000
}))]
pub struct AttainmentRow {
    /// The period's name: `2027-04`, `2027-Q2` or `2027`.
    pub period: String,
    /// Its first day.
    pub period_start: NaiveDate,
    /// The user or department.
    pub subject: Subject,
    /// What was booked or collected in the period.
    pub actual: Money,
    /// The subject's own target for the period; `null` when it has none in this currency.
    pub target: Option<Money>,
    /// actual ÷ target in basis points, rounded half away from zero; `null` without a target above 0.
    pub attainment_bps: Option<i64>,
    /// The actual of the same period a year earlier.
    pub last_year: Money,
    /// Growth of the actual over `last_year`, in basis points; `null` when `last_year` is 0.
    pub yoy_bps: Option<i64>,
    /// The actual of the period just before (the month, quarter or year before).
    pub previous: Money,
    /// Growth of the actual over `previous`, in basis points; `null` when `previous` is 0.
    pub mom_bps: Option<i64>,
}

/// Attainment against targets.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "filter": { "year": 2027, "metric": "booking", "period": "quarter", "group_by": "user", "currency": "CNY" },
    "rows": [ {
        "period": "2027-Q2", "period_start": "2027-04-01",
        "subject": { "type": "user", "id": "0190f0c2-6a00-7000-8000-0000000000a1", "name": "王芳" },
        "actual": { "amount": 1_800_000, "currency": "CNY" }, "target": { "amount": 1_500_000, "currency": "CNY" },
        "attainment_bps": 12_000,
        "last_year": { "amount": 1_200_000, "currency": "CNY" }, "yoy_bps": 5_000,
        "previous": { "amount": 2_000_000, "currency": "CNY" }, "mom_bps": -1_000
    } ]
}))]
pub struct AttainmentReport {
    /// What the report was computed for.
    pub filter: AttainmentFilter,
    /// Every period of the year × every subject, by period, then subject name and id.
    pub rows: Vec<AttainmentRow>,
}

/// A subject's actuals over the 24 months of the year before and the year, January of the year before first.
type Window = [i64; 24];

/// The sum of `window` over `period`, which lies within it (its first year being `first_year`).
fn window_sum(window: &Window, first_year: i32, period: &PlanPeriod) -> i64 {
    let offset = usize::try_from(period.year - first_year).unwrap_or(0) * 12;
    period.months().map(|m| window.get(offset + m as usize - 1).copied().unwrap_or(0)).sum()
}

/// The periods of `kind` in `year`, in order.
fn periods(year: i32, kind: PeriodKind) -> Vec<PlanPeriod> {
    let step = match kind {
        PeriodKind::Month => 1,
        PeriodKind::Quarter => 3,
        PeriodKind::Year => 12,
    };
    (1..=12)
        .step_by(step)
        .filter_map(|m| NaiveDate::from_ymd_opt(year, m, 1))
        .map(|day| PlanPeriod::containing(day, kind))
        .collect()
}

/// The first day of each month of the year before `year` and of `year`, then the day after.
fn month_bounds(year: i32) -> Vec<NaiveDate> {
    (0..=24).filter_map(|i| NaiveDate::from_ymd_opt(year - 1 + i / 12, (i % 12) as u32 + 1, 1)).collect()
}

/// The rows of one subject, one per period.
fn subject_rows(
    subject: &Subject,
    window: &Window,
    target: Option<&MonthlyAmounts>,
    filter: &AttainmentFilter,
) -> Vec<AttainmentRow> {
    let money = |amount: i64| Money::new(amount, filter.currency.clone());
    periods(filter.year, filter.period)
        .into_iter()
        .map(|period| {
            let actual = window_sum(window, filter.year - 1, &period);
            let last_year = window_sum(window, filter.year - 1, &period.year_before());
            let previous = window_sum(window, filter.year - 1, &period.previous());
            let target = target.map(|t| t.over(&period));
            AttainmentRow {
                period: period.to_string(),
                period_start: period.start(),
                subject: subject.clone(),
                actual: money(actual),
                target: target.map(money),
                attainment_bps: target.and_then(|t| attainment_bps(actual, t)),
                last_year: money(last_year),
                yoy_bps: growth_bps(actual, last_year),
                previous: money(previous),
                mom_bps: growth_bps(actual, previous),
            }
        })
        .collect()
}

/// Attainment (业绩达成): per period and user or department, the actual against the target, year on year and period on period.
///
/// **Actual.** `booking`: the totals of the live orders in `currency` with status active,
/// fulfilled or completed, by booking date. `collection`: the confirmed payments of live
/// orders in `currency`, net of their refunds, by confirmation day. Only orders owned by
/// someone in the caller's data scope count, and a department's actual is its whole
/// subtree's (by its members' current departments). Amounts are summed by the database.
///
/// **Target.** The subject's own target for the year and metric in `currency` (for a
/// department, the department's own, not its children's), over the period's months;
/// `null` without one. `attainment_bps` = actual ÷ target, rounded half away from zero.
///
/// **Growth.** `yoy_bps` compares the actual with the same period a year earlier, `mom_bps`
/// with the period just before (month on month, quarter on quarter, or year on year for
/// `period=year`): (actual − earlier) ÷ earlier in basis points, `null` when the earlier
/// actual is 0.
///
/// **Rows.** Every period of the year (zero-filled) for every subject in the caller's scope
/// that has a target for the year, or an actual in it or the year before. Users in scope
/// are those of the caller's data scope; departments in scope are those whose subtree holds
/// such a user (a rep's rows show their own orders only, under their department and those
/// above it).
#[utoipa::path(
    tag = "reports",
    operation_id = "get_attainment_report",
    params(AttainmentQuery),
    responses((status = 200, description = "Attainment by period and subject", body = AttainmentReport)),
    security(("bearer" = []))
)]
#[get("/reports/attainment")]
pub async fn get_attainment_report(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<AttainmentQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    // The year before must be a year too, for the growth figures.
    if !YEARS.contains(&q.year) || !YEARS.contains(&(q.year - 1)) {
        return Err(ApiError::BadRequest(format!("year: {} is not between 2001 and {}", q.year, YEARS.end())));
    }
    let filter = AttainmentFilter {
        year: q.year,
        metric: q.metric.unwrap_or(Metric::Booking),
        period: q.period.unwrap_or(PeriodKind::Month),
        group_by: q.group_by.unwrap_or(AttainmentGroupBy::User),
        currency: report_currency(q.currency, &state.settings.base_currency)?,
    };
    let report = db::read_with(&state, move |conn| -> Result<_, ApiError> {
        let f = order_filter(conn, &caller, None, None, &filter.currency)?;
        let (group, subject_type) = match filter.group_by {
            AttainmentGroupBy::User => (ActualGroup::User, SubjectType::User),
            AttainmentGroupBy::Department => (ActualGroup::DepartmentTree, SubjectType::Department),
        };
        let mut windows: HashMap<String, Window> = HashMap::new();
        for a in queries::monthly_actuals(conn, filter.metric, &f, group, &month_bounds(filter.year))? {
            if let Some(slot) =
                usize::try_from(a.month).ok().and_then(|m| windows.entry(a.group_key).or_insert([0; 24]).get_mut(m))
            {
                *slot = super::add(*slot, a.amount)?;
            }
        }
        let targets = targets::subject_months(conn, subject_type, (filter.year, filter.metric), &filter.currency)?;
        let scope = TargetScope::of(conn, caller.visibility())?;
        let keys: BTreeSet<String> = windows
            .keys()
            .cloned()
            .chain(targets.keys().flatten().cloned())
            .filter(|key| scope.allows(subject_type, Some(key)))
            .collect();
        let keys: Vec<String> = keys.into_iter().collect();
        let names = targets::subject_names(conn, &keys)?;
        let mut rows: Vec<AttainmentRow> = keys
            .iter()
            .flat_map(|key| {
                let subject = Subject { subject_type, id: Some(key.clone()), name: names.get(key).cloned() };
                let window = windows.get(key).copied().unwrap_or([0; 24]);
                subject_rows(&subject, &window, targets.get(&Some(key.clone())), &filter)
            })
            .collect();
        rows.sort_by(|a, b| {
            a.period_start.cmp(&b.period_start).then_with(|| {
                super::by_name(&a.subject.name, &a.subject.id).cmp(&super::by_name(&b.subject.name, &b.subject.id))
            })
        });
        Ok(AttainmentReport { filter, rows })
    })
    .await?;
    Ok(HttpResponse::Ok().json(report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_spans_the_year_before_and_the_year() {
        let bounds = month_bounds(2027);
        assert_eq!(
            (bounds.len(), bounds[0], bounds[12], bounds[24]),
            (25, day(2026, 1, 1), day(2027, 1, 1), day(2028, 1, 1))
        );
        let mut window = [0; 24];
        window[11] = 5; // December 2026
        window[12] = 7; // January 2027
        let january = PlanPeriod::parse("2027-01").unwrap();
        assert_eq!(window_sum(&window, 2026, &january), 7);
        assert_eq!(window_sum(&window, 2026, &january.previous()), 5);
        assert_eq!(window_sum(&window, 2026, &PlanPeriod::parse("2026").unwrap()), 5);
        assert_eq!(
            periods(2027, PeriodKind::Quarter).iter().map(ToString::to_string).collect::<Vec<_>>(),
            ["2027-Q1", "2027-Q2", "2027-Q3", "2027-Q4"]
        );
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }
}
