//! Target use cases: list, read and break down targets within the reader's scope; set,
//! change and delete them within the writer's (see the module docs for both rules).

use super::dto::{BreakdownMonth, CreateTarget, SubjectRef, Target, TargetBreakdown, TargetPatch};
use super::ENTITY;
use crate::app::precondition::IfMatch;
use crate::app::scoped::load_visible;
use crate::app::{Actor, AppError, AppResult, FieldError};
use crate::audit::{self, snapshot};
use crate::pagination::{self, Page};
use salesops_domain::money::Money;
use salesops_domain::org::Role;
use salesops_domain::target::{MonthlyAmounts, SubjectType, MONTHS};
use salesops_persistence::targets::{self, TargetFilter, TargetRow, TargetScope};
use salesops_persistence::{clock, departments, users, DbConnection};
use validator::Validate;

/// Twelve monthly amounts as submitted, checked: exactly twelve (422 `length` on
/// `months`), each money of at least 0 (422 on `months[i].amount` or `.currency`), all in
/// the first month's currency (422 `currency` on `months[i].currency`). Answers the
/// amounts and their currency.
fn check_months(months: &[Money]) -> AppResult<(MonthlyAmounts, String)> {
    let mut errors = Vec::new();
    if months.len() != MONTHS {
        let message = format!("must be {MONTHS} monthly amounts, January first, not {}", months.len());
        errors.push(FieldError::new("months", "length", message));
    }
    let currency = months.first().map(|m| m.currency.clone()).unwrap_or_default();
    for (i, month) in months.iter().enumerate() {
        let field = format!("months[{i}]");
        if let Err(AppError::Validation(refused)) = crate::money::validate(month, &field, false) {
            errors.extend(refused);
        } else if let Err(e) = crate::money::require_currency(month, &field, &currency, "the first month's") {
            errors.push(e);
        }
    }
    let amounts: Vec<i64> = months.iter().map(|m| m.amount).collect();
    match MonthlyAmounts::from_slice(&amounts) {
        Some(amounts) if errors.is_empty() => Ok((amounts, currency)),
        _ => Err(AppError::Validation(errors)),
    }
}

/// The subject's id, checked: none for the company (422 `not_allowed`), otherwise a live
/// department or an active user (422 `required` or `unknown` on `subject.id`).
fn check_subject(conn: &mut DbConnection, subject: &SubjectRef) -> AppResult<Option<String>> {
    let id = subject.id.as_deref().map(str::trim).filter(|id| !id.is_empty());
    let exists = match (subject.subject_type, id) {
        (SubjectType::Company, None) => return Ok(None),
        (SubjectType::Company, Some(_)) => {
            return Err(FieldError::new("subject.id", "not_allowed", "the company's targets name no id").into())
        }
        (_, None) => return Err(FieldError::new("subject.id", "required", "names the department or user").into()),
        (SubjectType::Department, Some(id)) => departments::find(conn, id)?.is_some(),
        (SubjectType::User, Some(id)) => users::find(conn, id)?.is_some_and(|u| u.active),
    };
    match id {
        Some(id) if exists => Ok(Some(id.to_owned())),
        _ => Err(FieldError::unknown("subject.id", &format!("active {}", subject.subject_type)).into()),
    }
}

/// 403 unless `actor` may write the targets of this subject: admins any; managers those of
/// the departments in their own department's subtree that hold a user they see (so they
/// can read what they write), and of the users they see.
fn require_writable(
    conn: &mut DbConnection,
    actor: &Actor,
    subject_type: SubjectType,
    subject_id: Option<&str>,
) -> AppResult<()> {
    let allowed = match (actor.role, subject_type, subject_id) {
        (Role::Admin, _, _) => true,
        // Only one they will also read: a department holding a user they see.
        (Role::Manager, SubjectType::Department, Some(id)) => match actor.department_id.as_deref() {
            Some(own) => {
                departments::subtree_ids(conn, own)?.iter().any(|d| d == id)
                    && TargetScope::of(conn, actor.visibility())?.allows(SubjectType::Department, Some(id))
            }
            None => false,
        },
        (Role::Manager, SubjectType::User, Some(id)) => actor.visibility().allows(Some(id)),
        _ => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "the {} role may not set this {subject_type}'s targets: admins set the company's and any other; \
             managers those of their own department's subtree that hold a user they see, and of the users they see",
            actor.role
        )))
    }
}

/// The targets stored as `rows`, with their months and their subjects' names.
fn views(conn: &mut DbConnection, rows: Vec<TargetRow>) -> AppResult<Vec<Target>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let subjects: Vec<String> = rows.iter().filter_map(|r| r.subject_id.clone()).collect();
    let months = targets::months_of(conn, &ids)?;
    let names = targets::subject_names(conn, &subjects)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let amounts = months.get(&row.id).copied().unwrap_or(MonthlyAmounts([0; MONTHS]));
            let name = row.subject_id.as_ref().and_then(|id| names.get(id).cloned());
            Target::new(row, &amounts, name)
        })
        .collect())
}

/// The target stored as `row`, with its months and its subject's name.
fn view(conn: &mut DbConnection, row: TargetRow) -> AppResult<Target> {
    views(conn, vec![row])?.pop().ok_or_else(|| AppError::Internal("a target's view went missing".into()))
}

/// One page of the targets the actor reads, matching `filter`, oldest first.
pub fn list(conn: &mut DbConnection, actor: &Actor, filter: &TargetFilter, limit: i64) -> AppResult<Page<Target>> {
    let scope = TargetScope::of(conn, actor.visibility())?;
    let rows = targets::list(conn, filter, &scope, limit + 1)?;
    let page = pagination::page_by_id(rows, limit, |r| r.id.clone(), Ok)?;
    Ok(Page { data: views(conn, page.data)?, next_cursor: page.next_cursor, total: page.total })
}

/// The target `id` (404 unless the actor reads it).
pub fn get(conn: &mut DbConnection, actor: &Actor, id: &str) -> AppResult<Target> {
    let (row, _) = load_visible::<TargetRow>(conn, actor, id, false)?;
    view(conn, row)
}

/// Set a target, created by `actor`, audited as `create`: see [`check_months`] and
/// [`check_subject`] for the 422s, [`require_writable`] for the 403; a live target of the
/// same subject, year and metric is 409 `duplicate`, naming it.
pub fn create(conn: &mut DbConnection, actor: &Actor, input: CreateTarget) -> AppResult<Target> {
    input.validate()?;
    let (months, currency) = check_months(&input.months)?;
    let subject_id = check_subject(conn, &input.subject)?;
    let subject_type = input.subject.subject_type;
    require_writable(conn, actor, subject_type, subject_id.as_deref())?;
    let key = subject_id.as_deref().unwrap_or(targets::COMPANY_KEY);
    if let Some(other) = targets::find_live(conn, key, input.year, input.metric)? {
        return Err(AppError::Duplicate {
            detail: format!("target {} is this {subject_type}'s {} target for {}", other.id, input.metric, input.year),
            ids: vec![other.id],
        });
    }
    let row = TargetRow::new(
        subject_type,
        subject_id.as_deref(),
        (input.year, input.metric),
        (&currency, months.total()),
        Some(actor.id()),
    );
    targets::insert(conn, &row, &months)?;
    let target = view(conn, row)?;
    audit::record(conn, actor, "create", ENTITY, &target.id, &serde_json::Value::Null, &snapshot(&target))?;
    Ok(target)
}

/// The target `id` the actor reads (404 otherwise) and may write (403 otherwise), under its row lock.
fn load_writable(conn: &mut DbConnection, actor: &Actor, id: &str, if_match: IfMatch) -> AppResult<TargetRow> {
    let (row, _) = load_visible::<TargetRow>(conn, actor, id, true)?;
    require_writable(conn, actor, row.subject_type, row.subject_id.as_deref())?;
    if_match.check(row.version)?;
    Ok(row)
}

/// Replace the twelve monthly amounts of target `id` (checked as on creation; their
/// currency becomes the target's), audited as `update` with the months before and after.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    if_match: IfMatch,
    patch: TargetPatch,
) -> AppResult<Target> {
    let before = load_writable(conn, actor, id, if_match)?;
    let (months, currency) = check_months(&patch.months)?;
    let old = view(conn, before.clone())?;
    targets::set_months(conn, &before.id, &months)?;
    let mut after = before.clone();
    (after.currency, after.total) = (currency, months.total());
    audit::save_viewed(conn, actor, (ENTITY, "update"), (old, &before), after, view)
}

/// Soft-delete target `id`, audited as `delete`; its subject, year and metric are free again.
pub fn delete(conn: &mut DbConnection, actor: &Actor, id: &str, if_match: IfMatch) -> AppResult<()> {
    let before = load_writable(conn, actor, id, if_match)?;
    let old = view(conn, before.clone())?;
    let mut after = before.clone();
    after.deleted_at = Some(clock::now());
    audit::save_viewed(conn, actor, (ENTITY, "delete"), (old, &before), after, view).map(|_| ())
}

/// How target `id` (404 unless the actor reads it) is allocated to its direct children
/// of the same year and metric: month by month, the target, the children's sum and the
/// unallocated difference. The company's children are the root departments' targets and
/// those of users without a department; a department's are its sub-departments' and its
/// own members'; a user's target has none (children 0, all unallocated). Children's
/// targets in another currency are left out of the sums and counted in `children_excluded`.
pub fn breakdown(conn: &mut DbConnection, actor: &Actor, id: &str) -> AppResult<TargetBreakdown> {
    let (row, _) = load_visible::<TargetRow>(conn, actor, id, false)?;
    let children = targets::children_months(conn, &row)?;
    let (counted, excluded): (Vec<_>, Vec<_>) = children.into_iter().partition(|(c, _)| *c == row.currency);
    let allocated = counted.iter().fold(MonthlyAmounts([0; MONTHS]), |sum, (_, m)| sum.plus(m));
    let target = view(conn, row)?;
    let amounts = MonthlyAmounts(std::array::from_fn(|m| target.months[m].amount));
    let unallocated = amounts.unallocated(&allocated);
    let money = |amount: i64| Money::new(amount, target.currency.clone());
    let months = (0..MONTHS)
        .map(|m| BreakdownMonth {
            month: u32::try_from(m + 1).ok(),
            target: money(amounts.0[m]),
            children: money(allocated.0[m]),
            unallocated: money(unallocated.0[m]),
        })
        .collect();
    let year = BreakdownMonth {
        month: None,
        target: money(amounts.total()),
        children: money(allocated.total()),
        unallocated: money(unallocated.total()),
    };
    let count = |v: &Vec<_>| i64::try_from(v.len()).unwrap_or(i64::MAX);
    Ok(TargetBreakdown { children_counted: count(&counted), children_excluded: count(&excluded), target, months, year })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(result: AppResult<(MonthlyAmounts, String)>) -> Vec<(String, String)> {
        match result {
            Err(AppError::Validation(errors)) => errors.into_iter().map(|e| (e.field, e.code)).collect(),
            other => panic!("not a validation error: {other:?}"),
        }
    }

    #[test]
    fn twelve_months_in_one_currency_are_taken() {
        let months = vec![Money::new(100, "CNY"); 12];
        let (amounts, currency) = check_months(&months).expect("valid");
        assert_eq!((amounts.total(), currency.as_str()), (1200, "CNY"));
    }

    #[test]
    fn a_wrong_count_a_mixed_currency_and_a_negative_month_are_each_named() {
        assert_eq!(fields(check_months(&vec![Money::new(1, "CNY"); 11])), [("months".into(), "length".into())]);
        let mut months = vec![Money::new(1, "CNY"); 12];
        months[3] = Money::new(1, "USD");
        months[5] = Money::new(-1, "CNY");
        assert_eq!(
            fields(check_months(&months)),
            [("months[3].currency".into(), "currency".into()), ("months[5].amount".into(), "range".into())]
        );
    }
}
