//! Numbering-rule use cases: the rule in force for each document type, setting
//! one, and taking a document's number (what quotes and orders call when they are created).

use super::ENTITY;
use crate::app::{Actor, AppError, AppResult};
use crate::audit::{self, snapshot};
use crate::numbering_rules::dto::{NumberingRule, NumberingRuleList, SetNumberingRule};
use chrono::NaiveDate;
use salesops_domain::numbering::{document_number, DocumentType};
use salesops_persistence::numbering::{self, NumberingRuleRow};
use salesops_persistence::{clock, DbConnection};

/// The rule in force for `document_type`: the admin's setting, else the type's default.
fn rule_of(conn: &mut DbConnection, document_type: DocumentType) -> AppResult<SetNumberingRule> {
    Ok(match numbering::find_rule(conn, document_type)? {
        Some(row) => SetNumberingRule { prefix: row.prefix, counter_width: row.counter_width },
        None => SetNumberingRule::default_for(document_type),
    })
}

/// The number `counter` of `day` gets under `rule`. A stored counter or width that
/// cannot be one (negative) is a fault of the data, never a number.
fn number(rule: &SetNumberingRule, day: NaiveDate, counter: i32) -> AppResult<String> {
    match (u32::try_from(counter), usize::try_from(rule.counter_width)) {
        (Ok(counter), Ok(width)) => Ok(document_number(&rule.prefix, day, counter, width)),
        _ => Err(AppError::Internal(format!("cannot number counter {counter} at width {}", rule.counter_width))),
    }
}

/// `rule` as the API shows it, with the number it gives first on `today`.
fn described(document_type: DocumentType, rule: SetNumberingRule, today: NaiveDate) -> AppResult<NumberingRule> {
    let example = number(&rule, today, 1)?;
    Ok(NumberingRule::new(document_type, rule, example))
}

/// Every document type with the rule in force for it, in the order of
/// [`DocumentType::ALL`]; each example is numbered on `today`, the business day.
pub fn list(conn: &mut DbConnection, today: NaiveDate) -> AppResult<NumberingRuleList> {
    let data = DocumentType::ALL
        .iter()
        .map(|document_type| described(*document_type, rule_of(conn, *document_type)?, today))
        .collect::<AppResult<Vec<_>>>()?;
    Ok(NumberingRuleList { data })
}

/// Give `document_type` the numbering `rule`, audited under the type's word. The
/// next number taken uses it; the day's counter runs on, so numbers stay unique.
pub fn set(
    conn: &mut DbConnection,
    actor: &Actor,
    document_type: DocumentType,
    rule: SetNumberingRule,
    today: NaiveDate,
) -> AppResult<NumberingRule> {
    let before = rule_of(conn, document_type)?;
    let row = NumberingRuleRow {
        document_type,
        prefix: rule.prefix.clone(),
        counter_width: rule.counter_width,
        updated_at: clock::now(),
        updated_by: Some(actor.id().to_owned()),
    };
    numbering::set_rule(conn, &row)?;
    audit::record(conn, actor, "update", ENTITY, document_type.as_str(), &snapshot(&before), &snapshot(&rule))?;
    described(document_type, rule, today)
}

/// Take the next number of `document_type` on `day` (the business day the document
/// is created on), e.g. `SO-20261206-0001`, under the rule in force.
///
/// Run it inside the document's own write transaction: the counter is taken in one
/// statement that two transactions cannot both read (see
/// [`numbering::take_next`]), and a document that is rolled back gives its number back.
/// The counter's row then stays locked until that transaction ends, so concurrent
/// documents of the type queue on it: take the number last. Quotes and orders store
/// their row under its id as a provisional number, write their lines, and only then take
/// the number, which keeps the queue as short as the last few statements.
pub fn next_number(conn: &mut DbConnection, document_type: DocumentType, day: NaiveDate) -> AppResult<String> {
    let rule = rule_of(conn, document_type)?;
    let counter = numbering::take_next(conn, document_type, day)?;
    number(&rule, day, counter)
}
