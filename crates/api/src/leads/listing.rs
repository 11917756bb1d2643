//! `GET /leads`: filters, sorting on an allow-list, and keyset cursors.

use crate::auth::Caller;
use crate::db;
use crate::error::ApiError;
use crate::leads::dto::Lead;
use crate::pagination::{self, Page};
use crate::state::AppState;
use crate::time::to_stored;
use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Utc};
use salesops_domain::ids::UserId;
use salesops_domain::lead::{LeadSource, LeadStatus};
use salesops_persistence::leads::{self, CursorValue, Keyset, LeadFilter, LeadRow, LeadSortField, SortKey};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

/// The fields `sort` accepts.
const SORTABLE: &[(&str, LeadSortField)] = &[
    ("created_at", LeadSortField::CreatedAt),
    ("updated_at", LeadSortField::UpdatedAt),
    ("name", LeadSortField::Name),
    ("score", LeadSortField::Score),
];

/// Parse `sort=-created_at,name`: comma-separated fields from the allow-list, `-` for descending.
pub fn parse_sort(sort: Option<&str>) -> Result<Vec<SortKey>, ApiError> {
    let sort = sort.map(str::trim).filter(|s| !s.is_empty()).unwrap_or("-created_at");
    let mut keys: Vec<SortKey> = Vec::new();
    for part in sort.split(',') {
        let part = part.trim();
        let (descending, name) = match part.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, part.strip_prefix('+').unwrap_or(part)),
        };
        let field = SORTABLE.iter().find(|(n, _)| *n == name).map(|(_, f)| *f).ok_or_else(|| {
            let allowed: Vec<&str> = SORTABLE.iter().map(|(n, _)| *n).collect();
            ApiError::BadRequest(format!("cannot sort by `{name}`; sort by one of: {}", allowed.join(", ")))
        })?;
        if keys.iter().any(|k| k.field == field) {
            return Err(ApiError::BadRequest(format!("`{name}` appears twice in sort")));
        }
        keys.push(SortKey { field, descending });
    }
    Ok(keys)
}

fn canonical(sort: &[SortKey]) -> String {
    sort.iter()
        .map(|k| {
            let name = SORTABLE.iter().find(|(_, f)| *f == k.field).map(|(n, _)| *n).unwrap_or("");
            if k.descending {
                format!("-{name}")
            } else {
                name.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// What a lead-list cursor carries: the sort it belongs to, the last row's sort values and id.
#[derive(Debug, Serialize, Deserialize)]
struct LeadCursor {
    s: String,
    v: Vec<CursorValue>,
    id: String,
}

/// Query parameters of `GET /leads`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LeadListQuery {
    /// Comma-separated statuses, e.g. `new,working`.
    #[param(example = "new,working")]
    pub status: Option<String>,
    /// Only leads owned by this user.
    #[param(value_type = Option<String>)]
    pub owner_id: Option<UserId>,
    /// `true`: only leads in the pool; `false`: only owned leads.
    pub in_pool: Option<bool>,
    /// Comma-separated sources, e.g. `web,event`.
    pub source: Option<String>,
    /// Exact industry.
    pub industry: Option<String>,
    /// Exact region.
    pub region: Option<String>,
    /// Created at or after (RFC 3339).
    pub created_from: Option<DateTime<Utc>>,
    /// Created before (RFC 3339).
    pub created_to: Option<DateTime<Utc>>,
    /// Case-insensitive text search over name, company, email and phone (works for Chinese).
    #[param(example = "明远")]
    pub q: Option<String>,
    /// Comma-separated sort fields from `created_at`, `updated_at`, `name`, `score`; prefix `-` for descending. Default `-created_at`.
    #[param(example = "-score,name")]
    pub sort: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Also return `total`, the number of matching leads.
    #[serde(default)]
    pub count: bool,
}

/// List leads in the caller's data scope, plus the unowned leads of the pool.
///
/// Every filter is applied in SQL. Pages are stable under inserts: the cursor
/// remembers where the last page ended, not an offset.
#[utoipa::path(
    tag = "leads",
    operation_id = "list_leads",
    params(LeadListQuery),
    responses((status = 200, description = "One page of leads", body = Page<Lead>)),
    security(("bearer" = []))
)]
#[get("/leads")]
pub async fn list_leads(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<LeadListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    let sort = parse_sort(q.sort.as_deref())?;
    let sort_sig = canonical(&sort);
    let keyset = match q.cursor.as_deref() {
        None => None,
        Some(c) => {
            let cursor: LeadCursor = pagination::decode_cursor(c)?;
            if cursor.s != sort_sig {
                return Err(ApiError::BadRequest("the cursor belongs to a different sort order".into()));
            }
            Some(Keyset { values: cursor.v, id: cursor.id })
        }
    };
    if let (Some(from), Some(to)) = (q.created_from, q.created_to) {
        if from > to {
            return Err(ApiError::BadRequest("created_from is after created_to".into()));
        }
    }
    let filter = LeadFilter {
        statuses: pagination::enum_list::<LeadStatus>("status", q.status.as_deref())?,
        owner_id: q.owner_id.map(String::from),
        in_pool: q.in_pool,
        sources: pagination::enum_list::<LeadSource>("source", q.source.as_deref())?,
        industry: q.industry,
        region: q.region,
        created_from: q.created_from.map(to_stored),
        created_to: q.created_to.map(to_stored),
        q: crate::validation::tidy(q.q),
    };
    let with_count = q.count;
    let page = db::read_with(&state, move |conn| -> Result<_, ApiError> {
        let visibility = caller.visibility();
        let rows = leads::list(conn, &filter, visibility, &sort, keyset.as_ref(), limit + 1)
            .map_err(|_| ApiError::BadRequest("the cursor is not valid; start again without one".into()))??;
        let cursor_after = |last: &LeadRow| {
            pagination::encode_cursor(&LeadCursor {
                s: sort_sig.clone(),
                v: sort.iter().map(|k| k.field.value_of(last)).collect(),
                id: last.id.clone(),
            })
        };
        let mut page = pagination::page(rows, limit, cursor_after, Lead::try_from)?;
        if with_count {
            page.total = Some(leads::count(conn, &filter, visibility)?);
        }
        Ok(page)
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_accepts_the_allow_list_only() {
        let keys = parse_sort(Some("-score,name")).expect("valid");
        assert_eq!(keys.len(), 2);
        assert!(keys[0].descending);
        assert_eq!(canonical(&keys), "-score,name");
        assert!(parse_sort(Some("password_hash")).is_err());
        assert!(parse_sort(Some("name,name")).is_err());
        assert_eq!(canonical(&parse_sort(None).expect("default")), "-created_at");
    }
}
