//! `GET /reports/funnel`.

use super::{opportunity_filter, OpportunityReportFilter, OpportunityReportQuery, WeightedTotals};
use crate::auth::Caller;
use crate::db;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use salesops_domain::money::Money;
use salesops_domain::opportunity::StageKind;
use salesops_domain::reports::{conversions, reached, FunnelStageKind};
use salesops_persistence::reports as queries;
use serde::Serialize;
use utoipa::ToSchema;

/// One pipeline stage of the funnel.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "stage": "proposal", "name": "Proposal", "kind": "open", "position": 30, "probability_bps": 5000,
    "count": 8, "amount": { "amount": 24_000_000, "currency": "CNY" },
    "weighted_amount": { "amount": 12_000_000, "currency": "CNY" },
    "reached": 14, "conversion_bps": 5714
}))]
pub struct FunnelStage {
    /// The stage's key.
    pub stage: String,
    /// Its display name.
    pub name: String,
    /// open, won or lost.
    pub kind: StageKind,
    /// Its order in the pipeline.
    pub position: i32,
    /// Its default probability.
    pub probability_bps: i32,
    /// Cohort opportunities currently in this stage.
    pub count: i64,
    /// Their amounts summed.
    pub amount: Money,
    /// Their weighted amounts summed: each amount × its own probability_bps / 10000,
    /// rounded half away from zero per opportunity.
    pub weighted_amount: Money,
    /// Cohort opportunities that ever entered this stage or a later one (see the operation).
    pub reached: i64,
    /// reached(next stage) / reached(this stage) in basis points, rounded half up;
    /// `null` for won and lost stages and when nothing reached this stage.
    pub conversion_bps: Option<i32>,
}

/// The sales funnel of a period.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "filter": { "from": "2026-10-01", "to": "2026-12-31", "owner_id": null, "department_id": null, "currency": "CNY" },
    "stages": [
        { "stage": "qualification", "name": "Qualification", "kind": "open", "position": 10, "probability_bps": 1000,
          "count": 6, "amount": { "amount": 12_000_000, "currency": "CNY" },
          "weighted_amount": { "amount": 1_200_000, "currency": "CNY" }, "reached": 20, "conversion_bps": 7000 },
        { "stage": "closed_won", "name": "Closed won", "kind": "won", "position": 50, "probability_bps": 10000,
          "count": 3, "amount": { "amount": 9_000_000, "currency": "CNY" },
          "weighted_amount": { "amount": 9_000_000, "currency": "CNY" }, "reached": 3, "conversion_bps": null }
    ],
    "total": { "count": 20, "amount": { "amount": 60_000_000, "currency": "CNY" },
               "weighted_amount": { "amount": 21_000_000, "currency": "CNY" } }
}))]
pub struct FunnelReport {
    /// The period and filters used.
    pub filter: OpportunityReportFilter,
    /// Every active stage, in pipeline order.
    pub stages: Vec<FunnelStage>,
    /// The whole cohort.
    pub total: WeightedTotals,
}

/// The funnel: per stage, count, amount and weighted amount, and conversion from each stage to the next.
///
/// **Cohort**: the live opportunities created in the period (`from`..=`to`, UTC days), in
/// `currency`, owned by someone in the caller's data scope and matching `owner_id` /
/// `department_id` (filters narrow the scope, never widen it).
///
/// For every active stage, in pipeline order:
/// - `count`, `amount`, `weighted_amount`: cohort opportunities **currently** in the stage.
///   The weighted amount is Σ amount × probability_bps / 10000, each opportunity rounded
///   half away from zero to the minor unit; a missing amount counts as 0.
/// - `reached`: cohort opportunities that ever entered the stage **or a later one**, judged
///   from their stage history (`to_stage`) plus their current stage. Open stages rank by
///   position and won stages above all of them, so a won deal has reached every open stage.
///   Lost stages are off that path: their `reached` is how many entered them, each opportunity
///   once, at the lost stage it entered last (there is one active lost stage at a time).
/// - `conversion_bps`: reached(next) × 10000 / reached(this), rounded half up, where the
///   next stage of an open stage is the following open stage, or the first won stage after
///   the last open one. `null` for won and lost stages and when reached(this) is 0.
#[utoipa::path(
    tag = "reports",
    operation_id = "get_funnel_report",
    params(OpportunityReportQuery),
    responses((status = 200, description = "The funnel", body = FunnelReport)),
    security(("bearer" = []))
)]
#[get("/reports/funnel")]
pub async fn get_funnel_report(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<OpportunityReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = opportunity_filter(&state, query.into_inner())?;
    let report = db::read_with(&state, move |conn| -> Result<_, ApiError> {
        let f = filter.for_caller(conn, &caller)?;
        let stages = queries::active_stages(conn)?;
        let (by_stage, reach) = queries::funnel(conn, &f)?;

        let kinds = stages
            .iter()
            .map(|s| {
                let kind: StageKind = s.kind;
                let funnel_kind = match kind {
                    StageKind::Open => FunnelStageKind::Open { position: s.position },
                    StageKind::Won => FunnelStageKind::Won,
                    StageKind::Lost => FunnelStageKind::Lost,
                };
                Ok((kind, (s.key.as_str(), funnel_kind)))
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        let path: Vec<(&str, FunnelStageKind)> = kinds.iter().map(|(_, p)| *p).collect();
        let reached = reached(&path, &reach);
        let conversion = conversions(&path, &reached);

        let currency = f.currency.as_str();
        let rows = stages
            .iter()
            .zip(kinds.iter())
            .enumerate()
            .map(|(i, (s, (kind, _)))| {
                let totals = WeightedTotals::new(by_stage.iter().find(|t| t.group_key == s.key), currency);
                FunnelStage {
                    stage: s.key.clone(),
                    name: s.name.clone(),
                    kind: *kind,
                    position: s.position,
                    probability_bps: s.probability_bps,
                    count: totals.count,
                    amount: totals.amount,
                    weighted_amount: totals.weighted_amount,
                    reached: reached.get(i).copied().unwrap_or(0),
                    conversion_bps: conversion.get(i).copied().flatten(),
                }
            })
            .collect();
        let total = WeightedTotals::sum(&by_stage, currency)?;
        Ok(FunnelReport { filter, stages: rows, total })
    })
    .await?;
    Ok(HttpResponse::Ok().json(report))
}
