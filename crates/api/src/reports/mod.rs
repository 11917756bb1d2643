//! `/reports`: the funnel, the forecast, win/loss, lead conversion, forgotten accounts,
//! receivables aging, bookings, attainment and the leaderboard.
//!
//! Every report is readable by every role, over the caller's own data scope.
//! The numbers are computed by the database (see `salesops_persistence::reports` and
//! `salesops_persistence::money_reports`); the handlers resolve the period and the
//! filters, then arrange the rows.

pub mod attainment;
pub mod bookings;
pub mod forecast;
pub mod forgotten_accounts;
pub mod funnel;
pub mod lead_conversion;
pub mod leaderboard;
pub mod receivables_aging;
pub mod win_loss;

use crate::app::AppError;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use chrono::NaiveDate;
use salesops_domain::ids::{DepartmentId, UserId};
use salesops_domain::money::{is_currency_code, Money};
use salesops_domain::reports::{Period, PeriodError};
use salesops_persistence::money_reports::OrderFilter;
use salesops_persistence::reports::{self as queries, OpportunityFilter};
use salesops_persistence::{clock, DbConnection};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The resource as the app registers it.
pub const RESOURCE: crate::Resource = crate::Resource { routes, audited: &[] };

/// Register the report routes.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(funnel::get_funnel_report)
        .service(forecast::get_forecast_report)
        .service(win_loss::get_win_loss_report)
        .service(lead_conversion::get_lead_conversion_report)
        .service(forgotten_accounts::get_forgotten_accounts_report)
        .service(receivables_aging::get_receivables_aging_report)
        .service(bookings::get_bookings_report)
        .service(attainment::get_attainment_report)
        .service(leaderboard::get_leaderboard_report);
}

/// Query parameters of the opportunity reports (funnel, forecast, win/loss).
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OpportunityReportQuery {
    /// First day of the period (`YYYY-MM-DD`, UTC, inclusive). Default: the start of the
    /// current calendar quarter, or of `to`'s quarter when only `to` is given.
    #[param(value_type = Option<String>, format = Date, example = "2026-10-01")]
    pub from: Option<NaiveDate>,
    /// Last day of the period (inclusive). Default: the end of the current calendar
    /// quarter, or of `from`'s quarter when only `from` is given. `from` after `to` is a 400.
    #[param(value_type = Option<String>, format = Date, example = "2026-12-31")]
    pub to: Option<NaiveDate>,
    /// Only this owner's opportunities (within the caller's scope).
    #[param(value_type = Option<String>)]
    pub owner_id: Option<UserId>,
    /// Only opportunities owned by members of this department or any department below it
    /// (within the caller's scope). An unknown department is a 400.
    #[param(value_type = Option<String>)]
    pub department_id: Option<DepartmentId>,
    /// Only opportunities in this currency are counted; amounts are never converted.
    /// Default: the base currency.
    #[param(example = "CNY")]
    pub currency: Option<String>,
}

/// The period and filters an opportunity report was computed for.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({ "from": "2026-10-01", "to": "2026-12-31", "owner_id": null, "department_id": null, "currency": "CNY" }))]
pub struct OpportunityReportFilter {
    /// First day of the period (inclusive).
    pub from: NaiveDate,
    /// Last day of the period (inclusive).
    pub to: NaiveDate,
    /// The owner filter, if any.
    pub owner_id: Option<String>,
    /// The department filter, if any.
    pub department_id: Option<String>,
    /// The only currency counted.
    pub currency: String,
}

/// A count of opportunities and their amount.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({ "count": 12, "amount": { "amount": 36_000_000, "currency": "CNY" } }))]
pub struct CountAmount {
    /// How many.
    pub count: i64,
    /// Their amounts summed (an unestimated amount counts as 0).
    pub amount: Money,
}

/// A count of opportunities, their amount, and their weighted amount.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({ "count": 12, "amount": { "amount": 36_000_000, "currency": "CNY" },
    "weighted_amount": { "amount": 9_000_000, "currency": "CNY" } }))]
pub struct WeightedTotals {
    /// How many.
    pub count: i64,
    /// Their amounts summed (an unestimated amount counts as 0).
    pub amount: Money,
    /// Σ amount × probability_bps / 10000, each opportunity rounded half away from zero to the minor unit.
    pub weighted_amount: Money,
}

impl WeightedTotals {
    fn new(totals: Option<&queries::Totals>, currency: &str) -> WeightedTotals {
        let (count, amount, weighted) = totals.map_or((0, 0, 0), |t| (t.count, t.amount, t.weighted));
        WeightedTotals { count, amount: Money::new(amount, currency), weighted_amount: Money::new(weighted, currency) }
    }

    /// The totals of several groups added up (see [`add`] on overflow).
    fn sum<'a>(
        totals: impl IntoIterator<Item = &'a queries::Totals>,
        currency: &str,
    ) -> Result<WeightedTotals, ApiError> {
        let mut sum = queries::Totals { group_key: String::new(), count: 0, amount: 0, weighted: 0 };
        for t in totals {
            sum.count = add(sum.count, t.count)?;
            sum.amount = add(sum.amount, t.amount)?;
            sum.weighted = add(sum.weighted, t.weighted)?;
        }
        Ok(WeightedTotals::new(Some(&sum), currency))
    }
}

/// `a + b` for a report's totals. Stored amounts are capped
/// (`salesops_domain::money::MAX_AMOUNT`), so this does not overflow; if stored data
/// ever breaks that promise the report fails loudly (500) rather than answer a
/// clamped, wrong total.
pub(crate) fn add(a: i64, b: i64) -> Result<i64, ApiError> {
    a.checked_add(b).ok_or_else(|| AppError::Internal("report totals overflow 64-bit minor units".into()).into())
}

/// The period of `from` and `to` (see [`Period::resolve`]), defaulting around today in UTC.
pub(crate) fn period(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<Period, ApiError> {
    period_on(from, to, clock::now().date())
}

/// The period of `from` and `to`, defaulting around `today`; a reversed one is a 400.
pub(crate) fn period_on(from: Option<NaiveDate>, to: Option<NaiveDate>, today: NaiveDate) -> Result<Period, ApiError> {
    Period::resolve(from, to, today).map_err(|e| match e {
        PeriodError::Reversed { .. } => ApiError::BadRequest(format!("{e}: `from` must not be after `to`")),
        PeriodError::OutOfRange => ApiError::BadRequest(e.to_string()),
    })
}

/// The orders a money report counts: `caller`'s scope narrowed by the filters, in `currency`.
pub(crate) fn order_filter(
    conn: &mut DbConnection,
    caller: &Caller,
    owner_id: Option<&str>,
    department_id: Option<&str>,
    currency: &str,
) -> Result<OrderFilter, ApiError> {
    Ok(OrderFilter { owners: owners(conn, caller, owner_id, department_id)?, currency: currency.to_owned() })
}

/// How a report orders rows of equal amounts: by name, then by key, `null`s last.
pub(crate) fn by_name<'a>(
    name: &'a Option<String>,
    key: &'a Option<String>,
) -> (bool, Option<&'a str>, bool, Option<&'a str>) {
    (name.is_none(), name.as_deref(), key.is_none(), key.as_deref())
}

/// The currency a report sums: `currency`, or the base currency; not a currency code is a 400.
pub(crate) fn report_currency(currency: Option<String>, base_currency: &str) -> Result<String, ApiError> {
    let currency = currency.map(|c| c.trim().to_owned()).unwrap_or_else(|| base_currency.to_owned());
    if !is_currency_code(&currency) {
        return Err(ApiError::BadRequest(format!(
            "currency: `{currency}` is not an ISO 4217 code (three upper-case letters, such as CNY)"
        )));
    }
    Ok(currency)
}

/// The owners a report counts: the caller's scope, narrowed by the filters.
pub(crate) fn owners(
    conn: &mut DbConnection,
    caller: &Caller,
    owner_id: Option<&str>,
    department_id: Option<&str>,
) -> Result<Option<Vec<String>>, ApiError> {
    let visibility = caller.visibility();
    let department_owners = match department_id {
        None => None,
        Some(dept) => Some(
            queries::department_tree_members(conn, dept)?
                .ok_or_else(|| ApiError::BadRequest(format!("department_id: no department `{dept}`")))?,
        ),
    };
    Ok(queries::report_owners(visibility, owner_id, department_owners.as_deref()))
}

impl OpportunityReportQuery {
    /// The period, the currency and the echo of the filters, checked; no database needed.
    fn resolve(self, base_currency: &str) -> Result<OpportunityReportFilter, ApiError> {
        let period = period(self.from, self.to)?;
        let currency = report_currency(self.currency, base_currency)?;
        Ok(OpportunityReportFilter {
            from: period.from,
            to: period.to,
            owner_id: self.owner_id.map(String::from),
            department_id: self.department_id.map(String::from),
            currency,
        })
    }
}

impl OpportunityReportFilter {
    /// The query filter for `caller`.
    fn for_caller(&self, conn: &mut DbConnection, caller: &Caller) -> Result<OpportunityFilter, ApiError> {
        Ok(OpportunityFilter {
            owners: owners(conn, caller, self.owner_id.as_deref(), self.department_id.as_deref())?,
            currency: self.currency.clone(),
            period: Period { from: self.from, to: self.to },
        })
    }
}

/// Resolve an opportunity report's query into its echo, ready for `db::read`.
pub(crate) fn opportunity_filter(
    state: &AppState,
    query: OpportunityReportQuery,
) -> Result<OpportunityReportFilter, ApiError> {
    query.resolve(&state.settings.base_currency)
}
