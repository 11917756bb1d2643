//! Approval requests and their steps: storage and lookups. A request's readers
//! are those who may see its document, and its approvers.

use crate::connection::MultiBackend;
use crate::schema::{approval_requests, approval_steps, opportunities, orders, quotes};
use crate::scope::Visibility;
use crate::words::OptionalWord;
use crate::{clock, DbConnection, StoreResult};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use salesops_domain::approval::{ApprovalStatus, Decision};
use salesops_domain::numbering::DocumentType;

/// An approval request as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = approval_requests, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct ApprovalRequestRow {
    /// UUIDv7.
    pub id: String,
    /// What kind of document asks for approval.
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub document_type: DocumentType,
    /// The document.
    pub document_id: String,
    /// Where the request is.
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub status: ApprovalStatus,
    /// Who submitted the document.
    pub submitted_by: String,
    /// The document's largest line discount, in basis points.
    pub discount_bps: i32,
    /// The document's total, in minor units of `currency`.
    pub total: i64,
    /// ISO 4217 code of `total`.
    pub currency: String,
    /// The step deciding now (0-based); the last one once decided.
    pub current_step: i32,
    /// The approver of the current step while pending; `None` once decided.
    pub current_approver_id: Option<String>,
    /// When the request was approved or declined.
    pub decided_at: Option<NaiveDateTime>,
    /// Bumped on every change.
    pub version: i64,
    /// Creation (submission) time, UTC.
    pub created_at: NaiveDateTime,
    /// Last change, UTC.
    pub updated_at: NaiveDateTime,
}

/// One step of a request: an approver, and what they decided.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = approval_steps, treat_none_as_default_value = false)]
pub struct ApprovalStepRow {
    /// The request.
    pub request_id: String,
    /// 0-based place in the chain.
    pub position: i32,
    /// Who must decide it.
    pub approver_id: String,
    /// What was decided; `None` until then.
    #[diesel(deserialize_as = OptionalWord<Decision>, serialize_as = OptionalWord<Decision>)]
    pub decision: Option<Decision>,
    /// Who decided: the approver, or an admin on their behalf.
    pub decided_by: Option<String>,
    /// When.
    pub decided_at: Option<NaiveDateTime>,
    /// The decider's comment.
    pub comment: Option<String>,
}

impl ApprovalRequestRow {
    /// A pending request for a document, submitted now by `submitted_by`, waiting on `first_approver`.
    pub fn new(
        document_type: DocumentType,
        document_id: &str,
        submitted_by: &str,
        discount_bps: i32,
        (total, currency): (i64, &str),
        first_approver: &str,
    ) -> ApprovalRequestRow {
        let now = clock::now();
        ApprovalRequestRow {
            id: salesops_domain::new_id(),
            document_type,
            document_id: document_id.to_owned(),
            status: ApprovalStatus::Pending,
            submitted_by: submitted_by.to_owned(),
            discount_bps,
            total,
            currency: currency.to_owned(),
            current_step: 0,
            current_approver_id: Some(first_approver.to_owned()),
            decided_at: None,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }
}

/// Insert a request and its steps, one per approver in order.
pub fn insert(conn: &mut DbConnection, request: &ApprovalRequestRow, approvers: &[String]) -> StoreResult<()> {
    diesel::insert_into(approval_requests::table).values(request.clone()).execute(conn)?;
    for (position, approver) in (0..).zip(approvers) {
        let step = ApprovalStepRow {
            request_id: request.id.clone(),
            position,
            approver_id: approver.clone(),
            decision: None,
            decided_by: None,
            decided_at: None,
            comment: None,
        };
        diesel::insert_into(approval_steps::table).values(step).execute(conn)?;
    }
    Ok(())
}

/// The request `id`, whoever may see it.
pub fn find(conn: &mut DbConnection, id: &str) -> StoreResult<Option<ApprovalRequestRow>> {
    Ok(approval_requests::table.find(id).select(ApprovalRequestRow::as_select()).first(conn).optional()?)
}

/// The steps of every request in `request_ids`, in request then step order.
pub fn steps_of(conn: &mut DbConnection, request_ids: &[String]) -> StoreResult<Vec<ApprovalStepRow>> {
    Ok(approval_steps::table
        .filter(approval_steps::request_id.eq_any(request_ids))
        .order((approval_steps::request_id, approval_steps::position))
        .select(ApprovalStepRow::as_select())
        .load(conn)?)
}

/// Record `decision` on step `position` of request `request_id`, by `decided_by` now.
pub fn decide_step(
    conn: &mut DbConnection,
    request_id: &str,
    position: i32,
    decision: Decision,
    decided_by: &str,
    comment: Option<&str>,
) -> StoreResult<()> {
    diesel::update(approval_steps::table.find((request_id, position)))
        .set((
            approval_steps::decision.eq(Some(decision.as_str())),
            approval_steps::decided_by.eq(Some(decided_by)),
            approval_steps::decided_at.eq(Some(clock::now())),
            approval_steps::comment.eq(comment),
        ))
        .execute(conn)?;
    Ok(())
}

crate::versioned::row_writes!(approval_requests, ApprovalRequestRow, "approval request");

/// Every request whose document (a quote, through its opportunity, or an order, through
/// its owner) `visibility` lets the caller see, or on which `user_id` is an approver.
fn readable<'a>(visibility: &Visibility, user_id: &str) -> approval_requests::BoxedQuery<'a, MultiBackend> {
    let query = approval_requests::table.into_boxed();
    match visibility {
        Visibility::All => query,
        Visibility::Owners(owners) => {
            let visible_quotes = quotes::table
                .inner_join(opportunities::table)
                .filter(opportunities::owner_id.eq_any(owners.clone()))
                .select(quotes::id);
            let approving = approval_steps::table
                .filter(approval_steps::approver_id.eq(user_id.to_owned()))
                .select(approval_steps::request_id);
            let visible_orders = orders::table.filter(orders::owner_id.eq_any(owners.clone())).select(orders::id);
            query.filter(
                approval_requests::document_id
                    .eq_any(visible_quotes)
                    .or(approval_requests::document_id.eq_any(visible_orders))
                    .or(approval_requests::id.eq_any(approving)),
            )
        }
    }
}

/// The request `id`, if the caller may read it (see [`readable`]).
pub fn find_readable(
    conn: &mut DbConnection,
    id: &str,
    visibility: &Visibility,
    user_id: &str,
) -> StoreResult<Option<ApprovalRequestRow>> {
    Ok(readable(visibility, user_id)
        .filter(approval_requests::id.eq(id.to_owned()))
        .select(ApprovalRequestRow::as_select())
        .first(conn)
        .optional()?)
}

/// Filters of the request list; every one is applied in SQL.
#[derive(Debug, Clone, Default)]
pub struct ApprovalFilter {
    /// Only requests waiting on this user's decision now.
    pub approver_id: Option<String>,
    /// Statuses, any of; empty does not filter.
    pub statuses: Vec<ApprovalStatus>,
    /// Only requests of this document.
    pub document_id: Option<String>,
    /// Start after this id (the cursor).
    pub after_id: Option<String>,
}

/// Up to `limit` requests the caller may read that match `filter`, in id (submission) order.
pub fn list(
    conn: &mut DbConnection,
    filter: &ApprovalFilter,
    visibility: &Visibility,
    user_id: &str,
    limit: i64,
) -> StoreResult<Vec<ApprovalRequestRow>> {
    let mut query =
        readable(visibility, user_id).select(ApprovalRequestRow::as_select()).order(approval_requests::id).limit(limit);
    if let Some(approver) = &filter.approver_id {
        query = query.filter(approval_requests::current_approver_id.eq(approver.clone()));
    }
    if !filter.statuses.is_empty() {
        query = query
            .filter(approval_requests::status.eq_any(filter.statuses.iter().map(|s| s.as_str()).collect::<Vec<_>>()));
    }
    if let Some(document) = &filter.document_id {
        query = query.filter(approval_requests::document_id.eq(document.clone()));
    }
    if let Some(after) = &filter.after_id {
        query = query.filter(approval_requests::id.gt(after.clone()));
    }
    Ok(query.load(conn)?)
}
