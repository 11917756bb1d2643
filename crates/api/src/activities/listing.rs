//! `GET /activities`: filters by linked record, kind, owner and time, in id order.

use crate::activities::dto::Activity;
use crate::auth::Caller;
use crate::db;
use crate::error::ApiError;
use crate::pagination::{self, Page};
use crate::state::AppState;
use crate::time::to_stored;
use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Utc};
use salesops_domain::activity::ActivityKind;
use salesops_domain::ids::{AccountId, ContactId, LeadId, OpportunityId, UserId};
use salesops_persistence::activities::{self, ActivityFilter};
use serde::Deserialize;
use utoipa::IntoParams;

/// Query parameters of `GET /activities`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActivityListQuery {
    /// Only activities linked to this lead.
    #[param(value_type = Option<String>)]
    pub lead_id: Option<LeadId>,
    /// Only activities linked to this account (including those logged on its contacts and opportunities).
    #[param(value_type = Option<String>)]
    pub account_id: Option<AccountId>,
    /// Only activities linked to this contact.
    #[param(value_type = Option<String>)]
    pub contact_id: Option<ContactId>,
    /// Only activities linked to this opportunity.
    #[param(value_type = Option<String>)]
    pub opportunity_id: Option<OpportunityId>,
    /// Comma-separated kinds, e.g. `visit,check_in`.
    #[param(example = "visit,check_in")]
    pub kind: Option<String>,
    /// Only activities done by this user.
    #[param(value_type = Option<String>)]
    pub owner_id: Option<UserId>,
    /// Happened at or after (RFC 3339).
    pub occurred_from: Option<DateTime<Utc>>,
    /// Happened before (RFC 3339).
    pub occurred_to: Option<DateTime<Utc>>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Also return `total`, the number of matching activities.
    #[serde(default)]
    pub count: bool,
}

/// List the activities the caller can see: those done by someone in their
/// scope, and those linked to an account, lead or opportunity they can see.
///
/// Oldest first (id order); every filter is applied in SQL.
#[utoipa::path(
    tag = "activities",
    operation_id = "list_activities",
    params(ActivityListQuery),
    responses((status = 200, description = "One page of activities", body = Page<Activity>)),
    security(("bearer" = []))
)]
#[get("/activities")]
pub async fn list_activities(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ActivityListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    let after_id = pagination::after_id(q.cursor.as_deref())?;
    if let (Some(from), Some(to)) = (q.occurred_from, q.occurred_to) {
        if from > to {
            return Err(ApiError::BadRequest("occurred_from is after occurred_to".into()));
        }
    }
    let filter = ActivityFilter {
        lead_id: q.lead_id.map(String::from),
        account_id: q.account_id.map(String::from),
        contact_id: q.contact_id.map(String::from),
        opportunity_id: q.opportunity_id.map(String::from),
        kinds: pagination::enum_list::<ActivityKind>("kind", q.kind.as_deref())?,
        owner_id: q.owner_id.map(String::from),
        occurred_from: q.occurred_from.map(to_stored),
        occurred_to: q.occurred_to.map(to_stored),
    };
    let with_count = q.count;
    let page = db::read(&state, move |conn| {
        let visibility = caller.visibility();
        let rows = activities::list(conn, &filter, visibility, after_id.as_deref(), limit + 1)?;
        let mut page: Page<Activity> = pagination::page_by_id(rows, limit, |r| r.id.clone(), Activity::try_from)?;
        if with_count {
            page.total = Some(activities::count(conn, &filter, visibility)?);
        }
        Ok(page)
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}
