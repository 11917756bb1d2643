//! `GET /reports/leaderboard`: users ranked by booking, collection, new accounts or activities.

use super::{order_filter, period_on, report_currency};
use crate::auth::Caller;
use crate::db;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use chrono::NaiveDate;
use salesops_domain::ids::DepartmentId;
use salesops_domain::leaderboard::{rank, Figures, LeaderboardMetric};
use salesops_domain::money::Money;
use salesops_domain::reports::Period;
use salesops_domain::target::PlanPeriod;
use salesops_persistence::money_reports as queries;
use salesops_persistence::users;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};

/// Query parameters of `GET /reports/leaderboard`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LeaderboardQuery {
    /// First day counted (`YYYY-MM-DD`, inclusive), with `to`; not with `year` or `period`.
    /// Without any of the four: the current calendar quarter on the business day.
    #[param(value_type = Option<String>, format = Date, example = "2027-01-01")]
    pub from: Option<NaiveDate>,
    /// Last day counted (inclusive); `from` after `to` is a 400.
    #[param(value_type = Option<String>, format = Date, example = "2027-03-31")]
    pub to: Option<NaiveDate>,
    /// A calendar year: alone, the whole year; with `period`, that year's `Q1`–`Q4` or month `01`–`12`.
    #[param(example = 2027)]
    pub year: Option<i32>,
    /// A period: `2027-03`, `2027-Q1` or `2027`; or, with `year`, `03` or `Q1`.
    #[param(example = "Q1")]
    pub period: Option<String>,
    /// What to rank by (default `booking`).
    pub metric: Option<LeaderboardMetric>,
    /// Only the members of this department or any department below it (within the
    /// caller's scope). An unknown department is a 400.
    #[param(value_type = Option<String>)]
    pub department_id: Option<DepartmentId>,
    /// Only bookings and collections in this currency count; amounts are never converted.
    /// Default: the base currency.
    #[param(example = "CNY")]
    pub currency: Option<String>,
}

/// What a leaderboard was computed for.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({ "from": "2027-01-01", "to": "2027-03-31", "metric": "booking", "department_id": null,
    "currency": "CNY" }))]
pub struct LeaderboardFilter {
    /// First day counted (inclusive).
    pub from: NaiveDate,
    /// Last day counted (inclusive).
    pub to: NaiveDate,
    /// What the rows are ranked by.
    pub metric: LeaderboardMetric,
    /// The department filter, if any.
    pub department_id: Option<String>,
    /// The only currency counted.
    pub currency: String,
}

/// A user's place and figures on the leaderboard.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({ "rank": 1, "user_id": "0190f0c2-6a00-7000-8000-0000000000a1", "name": "王芳",
    "booking": { "amount": 8_400_000, "currency": "CNY" }, "collection": { "amount": 2_000_000, "currency": "CNY" },
    "new_accounts": 2, "activities": 37 }))]
pub struct LeaderboardRow {
    /// 1 for the first; every rank is distinct (ties go by user id).
    pub rank: i64,
    /// The user.
    pub user_id: String,
    /// Their name.
    pub name: String,
    /// The totals of their orders booked in the period.
    pub booking: Money,
    /// The confirmed payments on their orders, net of refunds, confirmed in the period.
    pub collection: Money,
    /// Accounts whose first booked order is theirs and was booked in the period.
    pub new_accounts: i64,
    /// Activities they own that took place in the period.
    pub activities: i64,
}

/// The leaderboard.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "filter": { "from": "2027-01-01", "to": "2027-03-31", "metric": "booking", "currency": "CNY" },
    "rows": [ { "rank": 1, "user_id": "0190f0c2-6a00-7000-8000-0000000000a1", "name": "王芳",
        "booking": { "amount": 8_400_000, "currency": "CNY" }, "collection": { "amount": 2_000_000, "currency": "CNY" },
        "new_accounts": 2, "activities": 37 } ]
}))]
pub struct LeaderboardReport {
    /// What it was computed for.
    pub filter: LeaderboardFilter,
    /// The users, best first.
    pub rows: Vec<LeaderboardRow>,
}

impl LeaderboardQuery {
    /// The days counted: `from`–`to`, or `year` and `period`, or the current quarter around `today`.
    fn period(&self, today: NaiveDate) -> Result<Period, ApiError> {
        let name = match (&self.year, &self.period) {
            (None, None) => return period_on(self.from, self.to, today),
            _ if self.from.is_some() || self.to.is_some() => {
                return Err(ApiError::BadRequest("give `from`/`to` or `year`/`period`, not both".into()))
            }
            (Some(year), Some(period)) => format!("{year}-{period}"),
            (Some(year), None) => year.to_string(),
            (None, Some(period)) => period.clone(),
        };
        let period = PlanPeriod::parse(&name).map_err(|e| ApiError::BadRequest(format!("period: {e}")))?;
        Ok(Period { from: period.start(), to: period.end() })
    }
}

/// The leaderboard: the users in the caller's scope ranked by booking, collection, new accounts won or activities logged.
///
/// Every row carries all four figures over the period; `metric` picks the one ranked by,
/// largest first, ties broken by user id, so every rank is distinct.
/// - **booking**: the totals of the live orders in `currency` with status active,
///   fulfilled or completed, booked in the period;
/// - **collection**: the confirmed payments on live orders in `currency`, net of their
///   refunds, confirmed in the period;
/// - **new_accounts**: the accounts whose first booked order (any currency; the earlier
///   id first on the same day) was booked in the period, credited to that order's owner;
/// - **activities**: the live activities the user owns that took place in the period.
///
/// The users are those in the caller's data scope, narrowed to a department's subtree by
/// `department_id`: every active one, and inactive ones with a figure. The period is
/// `from`–`to`, or `year` with an optional `period`, or a full period name (`2027-Q1`);
/// by default the current calendar quarter. Sums and counts are made by the database.
#[utoipa::path(
    tag = "reports",
    operation_id = "get_leaderboard_report",
    params(LeaderboardQuery),
    responses((status = 200, description = "The leaderboard", body = LeaderboardReport)),
    security(("bearer" = []))
)]
#[get("/reports/leaderboard")]
pub async fn get_leaderboard_report(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<LeaderboardQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let period = q.period(state.business_today())?;
    let filter = LeaderboardFilter {
        from: period.from,
        to: period.to,
        metric: q.metric.unwrap_or(LeaderboardMetric::Booking),
        department_id: q.department_id.map(String::from),
        currency: report_currency(q.currency, &state.settings.base_currency)?,
    };
    let report = db::read_with(&state, move |conn| -> Result<_, ApiError> {
        let f = order_filter(conn, &caller, None, filter.department_id.as_deref(), &filter.currency)?;
        let figures: HashMap<String, Figures> = queries::leaderboard(conn, &f, &period)?
            .into_iter()
            .map(|r| {
                let figures = Figures {
                    booking: r.booking,
                    collection: r.collection,
                    new_accounts: r.new_accounts,
                    activities: r.activities,
                };
                (r.user_id, figures)
            })
            .collect();
        let mut rows: Vec<((String, String), Figures)> = users::directory(conn, f.owners.as_deref())?
            .into_iter()
            .filter_map(|(id, name, active)| {
                let own = figures.get(&id).copied();
                (active || own.is_some()).then(|| ((id, name), own.unwrap_or_default()))
            })
            .collect();
        rank(&mut rows, filter.metric);
        let money = |amount: i64| Money::new(amount, filter.currency.clone());
        let rows = (1..)
            .zip(rows)
            .map(|(rank, ((user_id, name), f))| LeaderboardRow {
                rank,
                user_id,
                name,
                booking: money(f.booking),
                collection: money(f.collection),
                new_accounts: f.new_accounts,
                activities: f.activities,
            })
            .collect();
        Ok(LeaderboardReport { filter, rows })
    })
    .await?;
    Ok(HttpResponse::Ok().json(report))
}
