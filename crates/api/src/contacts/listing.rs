//! `GET /contacts`: the contacts of the accounts the caller can see, filtered in SQL, in id order.

use crate::auth::Caller;
use crate::contacts::dto::Contact;
use crate::db;
use crate::error::ApiError;
use crate::pagination::{self, Page};
use crate::state::AppState;
use crate::validation::tidy;
use actix_web::{get, web, HttpResponse};
use salesops_domain::ids::AccountId;
use salesops_persistence::contacts::{self, ContactFilter};
use serde::Deserialize;
use utoipa::IntoParams;

/// Query parameters of `GET /contacts`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactListQuery {
    /// Only the contacts of this account.
    #[param(value_type = Option<String>)]
    pub account_id: Option<AccountId>,
    /// `true`: only primary contacts; `false`: only the others.
    pub is_primary: Option<bool>,
    /// Case-insensitive text search over name, title, email and phone (works for Chinese).
    #[param(example = "王")]
    pub q: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Also return `total`, the number of matching contacts.
    #[serde(default)]
    pub count: bool,
}

/// List the contacts of the accounts the caller can see, in creation order.
///
/// A contact is listed exactly when its account is visible to the caller;
/// deleted contacts never are. Filter by account, by primary or not, and by a
/// text search; pages follow `next_cursor`, and `count=true` adds `total`.
#[utoipa::path(
    tag = "contacts",
    operation_id = "list_contacts",
    params(ContactListQuery),
    responses((status = 200, description = "One page of contacts", body = Page<Contact>)),
    security(("bearer" = []))
)]
#[get("/contacts")]
pub async fn list_contacts(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ContactListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    let after = pagination::after_id(q.cursor.as_deref())?;
    let filter = ContactFilter { account_id: q.account_id.map(String::from), is_primary: q.is_primary, q: tidy(q.q) };
    let with_count = q.count;
    let page = db::read(&state, move |conn| {
        let visibility = caller.visibility();
        let rows = contacts::list(conn, &filter, visibility, after.as_deref(), limit + 1)?;
        let mut page = pagination::page_by_id(rows, limit, |r| r.id.clone(), |r| Ok(Contact::from(r)))?;
        if with_count {
            page.total = Some(contacts::count(conn, &filter, visibility)?);
        }
        Ok(page)
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}
