//! `GET /reports/forecast`.

use super::{add, opportunity_filter, CountAmount, OpportunityReportFilter, OpportunityReportQuery, WeightedTotals};
use crate::auth::Caller;
use crate::db;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use chrono::Datelike;
use salesops_domain::money::Money;
use salesops_domain::opportunity::{ForecastCategory, OpportunityStatus};
use salesops_domain::target::{Metric, SubjectType};
use salesops_persistence::reports as queries;
use salesops_persistence::targets::{self, TargetScope, COMPANY_KEY};
use salesops_persistence::DbConnection;
use serde::Serialize;
use utoipa::ToSchema;

/// The opportunities of one forecast category.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({ "category": "commit", "count": 4,
    "amount": { "amount": 20_000_000, "currency": "CNY" }, "weighted_amount": { "amount": 15_000_000, "currency": "CNY" } }))]
pub struct ForecastCategoryTotals {
    /// The forecast category.
    pub category: ForecastCategory,
    /// How many.
    pub count: i64,
    /// Their amounts summed.
    pub amount: Money,
    /// Their weighted amounts summed, each rounded half away from zero.
    pub weighted_amount: Money,
}

/// The forecast of a period.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "filter": { "from": "2026-10-01", "to": "2026-12-31", "owner_id": null, "department_id": null, "currency": "CNY" },
    "categories": [
        { "category": "pipeline", "count": 10, "amount": { "amount": 30_000_000, "currency": "CNY" },
          "weighted_amount": { "amount": 4_500_000, "currency": "CNY" } },
        { "category": "best_case", "count": 5, "amount": { "amount": 25_000_000, "currency": "CNY" },
          "weighted_amount": { "amount": 12_500_000, "currency": "CNY" } },
        { "category": "commit", "count": 4, "amount": { "amount": 20_000_000, "currency": "CNY" },
          "weighted_amount": { "amount": 15_000_000, "currency": "CNY" } },
        { "category": "omitted", "count": 1, "amount": { "amount": 1_000_000, "currency": "CNY" },
          "weighted_amount": { "amount": 100_000, "currency": "CNY" } },
        { "category": "closed", "count": 3, "amount": { "amount": 9_000_000, "currency": "CNY" },
          "weighted_amount": { "amount": 9_000_000, "currency": "CNY" } }
    ],
    "pipeline_weighted": { "amount": 32_000_000, "currency": "CNY" },
    "closed_won": { "count": 3, "amount": { "amount": 9_000_000, "currency": "CNY" } },
    "target": { "amount": 30_000_000, "currency": "CNY" }
}))]
pub struct ForecastReport {
    /// The period and filters used.
    pub filter: OpportunityReportFilter,
    /// Every forecast category, in the order pipeline, best_case, commit, omitted, closed.
    pub categories: Vec<ForecastCategoryTotals>,
    /// The weighted amount of the open opportunities expected to close in the period,
    /// except those in the `omitted` category.
    pub pipeline_weighted: Money,
    /// Opportunities won in the period.
    pub closed_won: CountAmount,
    /// The booking target of the period (see the operation); `null` when there is none.
    pub target: Option<Money>,
}

/// The booking target of the forecast's period in its currency: the target of `owner_id`
/// if given, else of `department_id` if given, else the company's, over every month the
/// period touches (each month whole). `None` when the caller may not read that subject's
/// targets (see `crate::targets`), or it has none for those months in the currency.
fn period_target(
    conn: &mut DbConnection,
    caller: &Caller,
    filter: &OpportunityReportFilter,
) -> Result<Option<Money>, ApiError> {
    let (subject_type, subject_id) = match (&filter.owner_id, &filter.department_id) {
        (Some(owner), _) => (SubjectType::User, Some(owner.as_str())),
        (None, Some(department)) => (SubjectType::Department, Some(department.as_str())),
        (None, None) => (SubjectType::Company, None),
    };
    if !TargetScope::of(conn, caller.visibility())?.allows(subject_type, subject_id) {
        return Ok(None);
    }
    let key = subject_id.unwrap_or(COMPANY_KEY);
    let years = filter.from.year()..=filter.to.year();
    // The months the period touches, as (year, month) pairs.
    let months = (filter.from.year(), filter.from.month())..=(filter.to.year(), filter.to.month());
    let mut total = None;
    for (year, month, amount) in targets::subject_key_months(conn, key, Metric::Booking, &filter.currency, years)? {
        if u32::try_from(month).is_ok_and(|month| months.contains(&(year, month))) {
            total = Some(add(total.unwrap_or(0), amount)?);
        }
    }
    Ok(total.map(|amount| Money::new(amount, filter.currency.clone())))
}

/// The forecast: per forecast category, the count, amount and weighted amount; the weighted pipeline; closed-won.
///
/// Counted are the live opportunities in `currency` owned by someone in the caller's data
/// scope (narrowed by `owner_id` / `department_id`):
/// - **open** ones whose `expected_close_date` falls in the period, under their forecast category;
/// - **won** ones whose `closed_at` falls in the period, under `closed` and in `closed_won`.
///
/// Lost and abandoned opportunities are not counted. `pipeline_weighted` is the weighted amount
/// of the open ones, leaving out the `omitted` category. Weighted amounts are
/// amount × probability_bps / 10000, each opportunity rounded half away from zero.
///
/// `target` is the booking target (业绩目标) to hold the forecast against: that of
/// `owner_id` when given, else of `department_id` when given, else the company's, in
/// `currency`, summed over every month the period touches (a month counts whole even when
/// the period starts or ends inside it). It is `null` when that subject has no such
/// target, or when the caller may not read its targets.
#[utoipa::path(
    tag = "reports",
    operation_id = "get_forecast_report",
    params(OpportunityReportQuery),
    responses((status = 200, description = "The forecast", body = ForecastReport)),
    security(("bearer" = []))
)]
#[get("/reports/forecast")]
pub async fn get_forecast_report(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<OpportunityReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = opportunity_filter(&state, query.into_inner())?;
    let report = db::read_with(&state, move |conn| -> Result<_, ApiError> {
        let f = filter.for_caller(conn, &caller)?;
        let open = queries::forecast_open_by_category(conn, &f)?;
        let closed = queries::closed_by_status(conn, &f)?;
        let currency = f.currency.as_str();
        let won = closed.iter().find(|t| t.group_key == OpportunityStatus::Won.as_str());

        let categories = ForecastCategory::ALL
            .iter()
            .map(|&category| {
                let mut rows: Vec<&queries::Totals> =
                    open.iter().filter(|t| t.group_key == category.as_str()).collect();
                if category == ForecastCategory::Closed {
                    rows.extend(won);
                }
                let totals = WeightedTotals::sum(rows, currency)?;
                Ok(ForecastCategoryTotals {
                    category,
                    count: totals.count,
                    amount: totals.amount,
                    weighted_amount: totals.weighted_amount,
                })
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        let pipeline = open.iter().filter(|t| t.group_key != ForecastCategory::Omitted.as_str());
        let pipeline_weighted = WeightedTotals::sum(pipeline, currency)?.weighted_amount;
        let won = WeightedTotals::new(won, currency);
        let target = period_target(conn, &caller, &filter)?;
        Ok(ForecastReport {
            filter,
            categories,
            pipeline_weighted,
            closed_won: CountAmount { count: won.count, amount: won.amount },
            target,
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(report))
}
