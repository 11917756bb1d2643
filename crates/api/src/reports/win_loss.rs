//! `GET /reports/win-loss`.

use super::{opportunity_filter, CountAmount, OpportunityReportFilter, OpportunityReportQuery};
use crate::auth::Caller;
use crate::db;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use salesops_domain::money::Money;
use salesops_domain::opportunity::OpportunityStatus;
use salesops_domain::reports::rate_bps;
use salesops_persistence::reports as queries;
use serde::Serialize;
use utoipa::ToSchema;

/// Lost opportunities of one loss reason.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({ "code": "price", "name": "Price too high", "count": 3,
    "amount": { "amount": 15_000_000, "currency": "CNY" } }))]
pub struct LossReasonTotals {
    /// The reason's code; `null` for losses recorded without one.
    pub code: Option<String>,
    /// Its name in the loss-reason dictionary.
    pub name: Option<String>,
    /// How many were lost for it.
    pub count: i64,
    /// Their amounts summed.
    pub amount: Money,
}

/// How one competitor fared.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({ "competitor_id": "0190f0c2-7000-7000-8000-000000000301", "name": "金蝶",
    "involved": 5, "won_against": 2, "lost_to": 2 }))]
pub struct CompetitorTotals {
    /// The competitor.
    pub competitor_id: String,
    /// Its name.
    pub name: String,
    /// Closed opportunities it took part in: listed as a competitor, or named as the winner.
    pub involved: i64,
    /// Of those, how many we won.
    pub won_against: i64,
    /// Of those, how many we lost with it named as the winner.
    pub lost_to: i64,
}

/// Wins and losses of a period.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "filter": { "from": "2026-10-01", "to": "2026-12-31", "owner_id": null, "department_id": null, "currency": "CNY" },
    "won": { "count": 3, "amount": { "amount": 9_000_000, "currency": "CNY" } },
    "lost": { "count": 5, "amount": { "amount": 21_000_000, "currency": "CNY" } },
    "abandoned": { "count": 1, "amount": { "amount": 0, "currency": "CNY" } },
    "win_rate_bps": 3750,
    "loss_reasons": [ { "code": "price", "name": "Price too high", "count": 3,
                        "amount": { "amount": 15_000_000, "currency": "CNY" } } ],
    "competitors": [ { "competitor_id": "0190f0c2-7000-7000-8000-000000000301", "name": "金蝶",
                       "involved": 5, "won_against": 2, "lost_to": 2 } ]
}))]
pub struct WinLossReport {
    /// The period and filters used.
    pub filter: OpportunityReportFilter,
    /// Won in the period.
    pub won: CountAmount,
    /// Lost in the period.
    pub lost: CountAmount,
    /// Abandoned in the period.
    pub abandoned: CountAmount,
    /// won / (won + lost) in basis points, rounded half up; `null` with neither.
    /// Abandoned deals do not count.
    pub win_rate_bps: Option<i32>,
    /// The lost ones by loss reason, most frequent first.
    pub loss_reasons: Vec<LossReasonTotals>,
    /// Competitors of the closed ones, most involved first.
    pub competitors: Vec<CompetitorTotals>,
}

/// Win/loss: win rate, losses by reason, and how each competitor fared.
///
/// Counted are the live opportunities in `currency` closed (won, lost or abandoned) in the
/// period by `closed_at`, owned by someone in the caller's data scope (narrowed by
/// `owner_id` / `department_id`). A competitor is involved in an opportunity when it is
/// listed on it or named as the one who won it.
#[utoipa::path(
    tag = "reports",
    operation_id = "get_win_loss_report",
    params(OpportunityReportQuery),
    responses((status = 200, description = "Wins and losses", body = WinLossReport)),
    security(("bearer" = []))
)]
#[get("/reports/win-loss")]
pub async fn get_win_loss_report(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<OpportunityReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = opportunity_filter(&state, query.into_inner())?;
    let report = db::read_with(&state, move |conn| -> Result<_, ApiError> {
        let f = filter.for_caller(conn, &caller)?;
        let by_status = queries::closed_by_status(conn, &f)?;
        let reasons = queries::lost_by_reason(conn, &f)?;
        let competitors = queries::closed_by_competitor(conn, &f)?;
        let currency = f.currency.as_str();
        let of = |status: OpportunityStatus| {
            let (count, amount) =
                by_status.iter().find(|t| t.group_key == status.as_str()).map_or((0, 0), |t| (t.count, t.amount));
            CountAmount { count, amount: Money::new(amount, currency) }
        };
        let (won, lost, abandoned) =
            (of(OpportunityStatus::Won), of(OpportunityStatus::Lost), of(OpportunityStatus::Abandoned));
        Ok(WinLossReport {
            win_rate_bps: rate_bps(won.count, won.count + lost.count),
            loss_reasons: reasons
                .into_iter()
                .map(|r| LossReasonTotals {
                    code: r.code,
                    name: r.name,
                    count: r.count,
                    amount: Money::new(r.amount, currency),
                })
                .collect(),
            competitors: competitors
                .into_iter()
                .map(|c| CompetitorTotals {
                    competitor_id: c.id,
                    name: c.name,
                    involved: c.involved,
                    won_against: c.won_against,
                    lost_to: c.lost_to,
                })
                .collect(),
            filter,
            won,
            lost,
            abandoned,
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(report))
}
