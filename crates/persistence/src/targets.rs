//! Sales targets (业绩目标): one per subject, year and metric, with twelve monthly amounts.

use crate::schema::{target_months, targets};
use crate::{DbConnection, StoreResult};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable};
use salesops_domain::target::{Metric, PlanPeriod, SubjectType};

/// Each of `user_ids` that has a live `metric` target in `period`'s year, with the
/// target's currency and its amount over the period's months; users without one are absent.
pub fn user_period_targets(
    conn: &mut DbConnection,
    metric: Metric,
    period: &PlanPeriod,
    user_ids: &[String],
) -> StoreResult<Vec<(String, String, i64)>> {
    let months = i32::try_from(period.first_month).unwrap_or(1)..=i32::try_from(period.last_month).unwrap_or(12);
    let rows: Vec<(Option<String>, String, Option<i64>)> = targets::table
        .inner_join(target_months::table)
        .filter(targets::deleted_at.is_null())
        .filter(targets::subject_type.eq(SubjectType::User.as_str()))
        .filter(targets::subject_id.eq_any(user_ids))
        .filter(targets::year.eq(period.year))
        .filter(targets::metric.eq(metric.as_str()))
        .filter(target_months::month.between(*months.start(), *months.end()))
        .group_by((targets::subject_id, targets::currency))
        .select((
            targets::subject_id,
            targets::currency,
            diesel::dsl::sql::<Nullable<BigInt>>("CAST(SUM(target_months.amount) AS BIGINT)"),
        ))
        .load(conn)?;
    Ok(rows.into_iter().filter_map(|(user, currency, amount)| Some((user?, currency, amount.unwrap_or(0)))).collect())
}
