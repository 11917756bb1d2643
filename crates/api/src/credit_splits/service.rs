//! Credit split use cases: read an order's split, and replace it while no approved or paid statement
//! has used the order.

use super::dto::CreditSplits;
use crate::app::{Actor, AppError, AppResult, FieldError};
use crate::audit::{self, snapshot};
use crate::orders;
use salesops_domain::commission::{split, SplitError};
use salesops_domain::order::OrderStatus;
use salesops_persistence::credits::{self, SplitRow};
use salesops_persistence::{commission_runs, users, DbConnection};
use std::collections::HashSet;

/// The split of order `order_id` (404 unless the actor sees the order).
pub fn get(conn: &mut DbConnection, actor: &Actor, order_id: &str) -> AppResult<CreditSplits> {
    let order = orders::service::load(conn, actor, order_id, false)?;
    Ok(CreditSplits::from(credits::splits_of(conn, &order.id)?))
}

/// 422 on the shares: each names an active user in the actor's scope once, and together
/// they make 10000 bps.
fn check(conn: &mut DbConnection, actor: &Actor, input: &CreditSplits) -> AppResult<()> {
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    for (i, share) in input.splits.iter().enumerate() {
        if !seen.insert(share.user_id.as_str()) {
            errors.push(FieldError::new(format!("splits[{i}].user_id"), "duplicate", "each user takes one share"));
        } else if !users::find(conn, &share.user_id)?
            .is_some_and(|u| u.active && actor.visibility().allows(Some(&u.id)))
        {
            errors.push(FieldError::unknown(format!("splits[{i}].user_id"), "active user"));
        }
        if !(1..=10_000).contains(&share.share_bps) {
            errors.push(FieldError::new(
                format!("splits[{i}].share_bps"),
                "range",
                "must be from 1 to 10000 basis points",
            ));
        }
    }
    if errors.is_empty() && !input.splits.is_empty() {
        let shares: Vec<(usize, i32)> = input.splits.iter().map(|s| s.share_bps).enumerate().collect();
        if let Err(e @ SplitError::NotWhole(_)) = split(0, &shares) {
            errors.push(FieldError::new("splits", "not_whole", e.to_string()));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

/// Replace the split of order `order_id` (managers and admins, on orders they see),
/// audited on the order as `split_credit`. 409 when the order is cancelled, or a paid
/// statement has used the order or one of its payments; 422 on the shares.
pub fn put(conn: &mut DbConnection, actor: &Actor, order_id: &str, input: CreditSplits) -> AppResult<CreditSplits> {
    let order = orders::service::load(conn, actor, order_id, true)?;
    if order.status == OrderStatus::Cancelled {
        return Err(AppError::transition("a cancelled order credits nobody"));
    }
    check(conn, actor, &input)?;
    let before = CreditSplits::from(credits::splits_of(conn, &order.id)?);
    let mut sources = credits::payment_ids_of(conn, &order.id)?;
    sources.push(order.id.clone());
    if commission_runs::settled_use(conn, &sources)? {
        return Err(AppError::Conflict(
            "an approved or paid commission statement has used the order; its split is final".into(),
        ));
    }
    let rows: Vec<SplitRow> = (1..)
        .zip(&input.splits)
        .map(|(position, s)| SplitRow {
            order_id: order.id.clone(),
            position,
            user_id: s.user_id.clone(),
            share_bps: s.share_bps,
        })
        .collect();
    credits::replace_splits(conn, &order.id, &rows)?;
    let after = CreditSplits::from(rows);
    audit::record(conn, actor, "split_credit", orders::ENTITY, &order.id, &snapshot(&before), &snapshot(&after))?;
    Ok(after)
}
