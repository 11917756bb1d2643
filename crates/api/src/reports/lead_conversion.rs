//! `GET /reports/lead-conversion`.

use super::{owners, period};
use crate::auth::Caller;
use crate::db;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use chrono::NaiveDate;
use salesops_domain::ids::{DepartmentId, UserId};
use salesops_domain::lead::LeadSource;
use salesops_domain::reports::rate_bps;
use salesops_persistence::reports as queries;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Query parameters of `GET /reports/lead-conversion`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LeadConversionQuery {
    /// First day of the period (`YYYY-MM-DD`, UTC, inclusive). Default: the start of the
    /// current calendar quarter, or of `to`'s quarter when only `to` is given.
    #[param(value_type = Option<String>, format = Date, example = "2026-10-01")]
    pub from: Option<NaiveDate>,
    /// Last day of the period (inclusive). Default: the end of the current calendar
    /// quarter, or of `from`'s quarter when only `from` is given. `from` after `to` is a 400.
    #[param(value_type = Option<String>, format = Date, example = "2026-12-31")]
    pub to: Option<NaiveDate>,
    /// Only this owner's leads (within the caller's scope; pool leads are then left out).
    #[param(value_type = Option<String>)]
    pub owner_id: Option<UserId>,
    /// Only leads owned by members of this department or any department below it (within
    /// the caller's scope; pool leads are then left out). An unknown department is a 400.
    #[param(value_type = Option<String>)]
    pub department_id: Option<DepartmentId>,
}

/// The period and filters the lead-conversion report was computed for.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({ "from": "2026-10-01", "to": "2026-12-31", "owner_id": null, "department_id": null }))]
pub struct LeadReportFilter {
    /// First day of the period (inclusive).
    pub from: NaiveDate,
    /// Last day of the period (inclusive).
    pub to: NaiveDate,
    /// The owner filter, if any.
    pub owner_id: Option<String>,
    /// The department filter, if any.
    pub department_id: Option<String>,
}

/// Leads by outcome.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({ "total": 40, "converted": 8, "disqualified": 10, "open": 22, "conversion_rate_bps": 2000 }))]
pub struct LeadOutcomes {
    /// Every lead.
    pub total: i64,
    /// Converted.
    pub converted: i64,
    /// Disqualified.
    pub disqualified: i64,
    /// Still new, working or qualified.
    pub open: i64,
    /// converted / total in basis points, rounded half up; `null` with no leads.
    pub conversion_rate_bps: Option<i32>,
}

impl LeadOutcomes {
    fn new(total: i64, converted: i64, disqualified: i64) -> LeadOutcomes {
        LeadOutcomes {
            total,
            converted,
            disqualified,
            open: total - converted - disqualified,
            conversion_rate_bps: rate_bps(converted, total),
        }
    }
}

/// The leads of one source.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({ "source": "web", "total": 40, "converted": 8, "disqualified": 10, "open": 22,
    "conversion_rate_bps": 2000 }))]
pub struct LeadSourceOutcomes {
    /// The source.
    pub source: LeadSource,
    /// Its leads by outcome.
    #[serde(flatten)]
    pub outcomes: LeadOutcomes,
}

/// Lead conversion by source.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "filter": { "from": "2026-10-01", "to": "2026-12-31", "owner_id": null, "department_id": null },
    "sources": [ { "source": "web", "total": 40, "converted": 8, "disqualified": 10, "open": 22,
                   "conversion_rate_bps": 2000 } ],
    "total": { "total": 40, "converted": 8, "disqualified": 10, "open": 22, "conversion_rate_bps": 2000 }
}))]
pub struct LeadConversionReport {
    /// The period and filters used.
    pub filter: LeadReportFilter,
    /// Every source, in the order of the source list, including those with no leads.
    pub sources: Vec<LeadSourceOutcomes>,
    /// All sources together.
    pub total: LeadOutcomes,
}

/// Lead conversion by source: of the leads created in the period, how many were converted, disqualified, or are open.
///
/// Counted are the live leads created in the period (UTC days) that the caller sees in the
/// lead list: those owned by someone in their data scope, plus the unowned leads of the
/// pool. An `owner_id` or `department_id` filter narrows that to leads owned by those users
/// (leaving the pool out), and never widens the scope.
#[utoipa::path(
    tag = "reports",
    operation_id = "get_lead_conversion_report",
    params(LeadConversionQuery),
    responses((status = 200, description = "Lead conversion by source", body = LeadConversionReport)),
    security(("bearer" = []))
)]
#[get("/reports/lead-conversion")]
pub async fn get_lead_conversion_report(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<LeadConversionQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let period = period(q.from, q.to)?;
    let filter = LeadReportFilter {
        from: period.from,
        to: period.to,
        owner_id: q.owner_id.map(String::from),
        department_id: q.department_id.map(String::from),
    };
    let report = db::read_with(&state, move |conn| -> Result<_, ApiError> {
        let owners = owners(conn, &caller, filter.owner_id.as_deref(), filter.department_id.as_deref())?;
        let with_pool = filter.owner_id.is_none() && filter.department_id.is_none();
        let rows = queries::leads_by_source(conn, owners.as_deref(), with_pool, &period)?;
        let sources = LeadSource::ALL
            .iter()
            .map(|&source| {
                let (total, converted, disqualified) = rows
                    .iter()
                    .find(|r| r.source == source)
                    .map_or((0, 0, 0), |r| (r.total, r.converted, r.disqualified));
                LeadSourceOutcomes { source, outcomes: LeadOutcomes::new(total, converted, disqualified) }
            })
            .collect();
        let total = LeadOutcomes::new(
            rows.iter().map(|r| r.total).sum(),
            rows.iter().map(|r| r.converted).sum(),
            rows.iter().map(|r| r.disqualified).sum(),
        );
        Ok(LeadConversionReport { filter, sources, total })
    })
    .await?;
    Ok(HttpResponse::Ok().json(report))
}
