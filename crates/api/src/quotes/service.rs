//! Quote use cases: create a draft, change or delete it while it is a draft, the
//! commands that move it (submit, approve, decline, send, accept, reject, revise),
//! and reading quotes. Every one runs in the caller's transaction.

use super::dto::{CreateQuote, Quote, QuotePatch};
use super::ENTITY;
use crate::app::scoped::load_visible;
use crate::app::{Actor, AppError, AppResult, OrUnknown};
use crate::approvals::service::{self as approvals, Submission};
use crate::audit::{self, snapshot};
use crate::documents::lines::{self, Priced, PricedLine, PricedLines};
use crate::documents::Access;
use crate::pagination::{self, Page};
use chrono::NaiveDate;
use salesops_domain::approval::{Decision, Need, Outcome};
use salesops_domain::numbering::DocumentType;
use salesops_domain::opportunity::OpportunityStatus;
use salesops_domain::quote::{next_status, QuoteCommand};
use salesops_persistence::opportunities::OpportunityRow;
use salesops_persistence::quotes::{self, QuoteFilter, QuoteLineRow, QuoteRow};
use salesops_persistence::{clock, DbConnection};

/// A command on a quote, with its body.
#[derive(Debug, Clone)]
pub enum Command {
    /// Submit a draft for its price.
    Submit,
    /// The current approver approves, with an optional comment.
    Approve(Option<String>),
    /// The current approver declines, with a comment.
    Decline(String),
    /// Send an approved quote to the customer.
    Send,
    /// The customer accepted it.
    Accept,
    /// The customer said no, with a reason.
    Reject(String),
    /// Back to draft, dropping the approval.
    Revise,
}

/// The quotes stored as `rows`, with their lines, read on `today`.
fn views(conn: &mut DbConnection, rows: Vec<QuoteRow>, today: NaiveDate) -> AppResult<Vec<Quote>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut all_lines = quotes::lines_of_all(conn, &ids)?;
    rows.into_iter()
        .map(|row| {
            let own = all_lines
                .extract_if(.., |l| l.quote_id == row.id)
                .map(|l| Ok(Priced::stored(&l)?.view(l.id, &row.currency)))
                .collect::<AppResult<Vec<PricedLine>>>()?;
            Ok(Quote::new(row, own, today))
        })
        .collect()
}

fn view(conn: &mut DbConnection, row: QuoteRow, today: NaiveDate) -> AppResult<Quote> {
    views(conn, vec![row], today)?.pop().ok_or(AppError::NotFound)
}

crate::documents::document!(QuoteRow, quotes::find);

/// The live quote `id` if `actor` may see its opportunity (with `access`, also if they
/// are the approver its pending approval waits on); 404 otherwise. Takes the row lock
/// first when `for_update`.
fn load(conn: &mut DbConnection, actor: &Actor, id: &str, for_update: bool, access: Access) -> AppResult<QuoteRow> {
    crate::documents::load(conn, actor, id, for_update, access)
}

/// The quote `id`, read on `today`.
pub fn get(conn: &mut DbConnection, actor: &Actor, id: &str, today: NaiveDate) -> AppResult<Quote> {
    let row = load(conn, actor, id, false, Access::ScopeOrApprover)?;
    view(conn, row, today)
}

/// One page of the quotes `actor` may see matching `filter`, oldest first, with the
/// number of matches when `with_count`.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    filter: &QuoteFilter,
    after_id: Option<&str>,
    limit: i64,
    with_count: bool,
) -> AppResult<Page<Quote>> {
    let visibility = actor.visibility();
    let rows = quotes::list(conn, filter, visibility, after_id, limit + 1)?;
    let page = pagination::page_by_id(rows, limit, |r| r.id.clone(), Ok)?;
    let total = if with_count { Some(quotes::count(conn, filter, visibility)?) } else { None };
    Ok(Page { data: views(conn, page.data, filter.today)?, next_cursor: page.next_cursor, total })
}

/// 422 on `valid_until` unless it is `today` or later.
fn check_valid_until(valid_until: NaiveDate, today: NaiveDate) -> AppResult<()> {
    if valid_until < today {
        return Err(AppError::invalid_field("valid_until", "in_past", format!("must be {today} or later")));
    }
    Ok(())
}

/// Set `row`'s totals and largest discount from `priced`.
fn set_totals(row: &mut QuoteRow, priced: &PricedLines) {
    let t = priced.totals;
    (row.subtotal, row.discount, row.tax, row.total) = (t.subtotal, t.discount, t.tax, t.total);
    row.max_discount_bps = priced.max_discount_bps;
}

/// Store `priced` as the lines of quote `quote_id`, in place of the old ones.
fn store_lines(conn: &mut DbConnection, quote_id: &str, priced: &PricedLines) -> AppResult<()> {
    let rows: Vec<QuoteLineRow> = (1..)
        .zip(&priced.lines)
        .map(|(position, line)| {
            let (product, figures) = line.to_store();
            QuoteLineRow::new(quote_id, position, product, figures)
        })
        .collect();
    Ok(quotes::replace_lines(conn, quote_id, &rows)?)
}

/// Create a draft quote of an open or won opportunity `actor` may see (422 `unknown` on
/// `opportunity_id` otherwise, `closed` when lost or abandoned), numbered by the quote
/// numbering rule on `today`, its lines priced against the catalogue. Audited as `create`.
pub fn create(conn: &mut DbConnection, actor: &Actor, input: CreateQuote, today: NaiveDate) -> AppResult<Quote> {
    let (opportunity, _) = load_visible::<OpportunityRow>(conn, actor, &input.opportunity_id, true)
        .or_unknown("opportunity_id", "opportunity")?;
    if !matches!(opportunity.status, OpportunityStatus::Open | OpportunityStatus::Won) {
        return Err(AppError::invalid_field(
            "opportunity_id",
            "closed",
            format!("the opportunity is {}; only open and won opportunities are quoted", opportunity.status),
        ));
    }
    check_valid_until(input.valid_until, today)?;
    let currency = input.currency.unwrap_or(opportunity.currency);
    crate::documents::check_currency(&currency)?;
    let priced = lines::price(conn, &currency, &input.lines)?;
    let mut row = QuoteRow::new(String::new(), &opportunity.id, &currency, input.valid_until, Some(actor.id()));
    row.notes = input.notes;
    set_totals(&mut row, &priced);
    // Numbered last, under a provisional unique number (see `numbering_rules::service::next_number`).
    row.number = row.id.clone();
    quotes::insert(conn, &row)?;
    store_lines(conn, &row.id, &priced)?;
    row.number = crate::numbering_rules::service::next_number(conn, DocumentType::Quote, today)?;
    quotes::update(conn, &row, row.version)?;
    let quote = view(conn, row, today)?;
    audit::record(conn, actor, "create", ENTITY, &quote.id, &serde_json::Value::Null, &snapshot(&quote))?;
    Ok(quote)
}

/// Write `after` over `before` (read under the row lock), then audit `action` with
/// before-and-after snapshots of the quote as shown on `today`.
fn save(
    conn: &mut DbConnection,
    actor: &Actor,
    action: &str,
    before: &QuoteRow,
    after: QuoteRow,
    today: NaiveDate,
) -> AppResult<Quote> {
    let old = view(conn, before.clone(), today)?;
    save_from(conn, actor, action, (old, before), after, today)
}

/// [`save`] from `old`, the quote as shown before its lines were rewritten.
fn save_from(
    conn: &mut DbConnection,
    actor: &Actor,
    action: &str,
    (old, before): (Quote, &QuoteRow),
    after: QuoteRow,
    today: NaiveDate,
) -> AppResult<Quote> {
    audit::save_viewed(conn, actor, (ENTITY, action), (old, before), after, |conn, row| view(conn, row, today))
}

/// 409 `invalid_transition` unless the quote is a draft: only a draft's fields and lines change.
fn require_draft(row: &QuoteRow, what: &str) -> AppResult<()> {
    if row.status.is_editable() {
        Ok(())
    } else {
        Err(AppError::transition(format!("a quote that is {} cannot be {what}; revise it first", row.status)))
    }
}

/// Apply a merge patch to the draft quote `id`: `valid_until`, `currency` and `notes`,
/// and `lines`, which replaces every line. Changing the currency reprices the lines.
/// 409 unless it is a draft. Audited as `update`.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    if_match: crate::app::precondition::IfMatch,
    patch: QuotePatch,
    today: NaiveDate,
) -> AppResult<Quote> {
    let before = load(conn, actor, id, true, Access::Scope)?;
    let old = view(conn, before.clone(), today)?;
    if_match.check(before.version)?;
    require_draft(&before, "changed")?;
    crate::validation::refuse_cleared(&[
        ("valid_until", matches!(patch.valid_until, Some(None))),
        ("currency", matches!(patch.currency, Some(None))),
        ("lines", matches!(patch.lines, Some(None))),
    ])?;
    let mut after = before.clone();
    if let Some(Some(valid_until)) = patch.valid_until {
        check_valid_until(valid_until, today)?;
        after.valid_until = valid_until;
    }
    if let Some(notes) = patch.notes {
        after.notes = crate::documents::patched_notes(notes)?;
    }
    if let Some(Some(currency)) = patch.currency {
        let currency = currency.trim().to_owned();
        crate::documents::check_currency(&currency)?;
        after.currency = currency;
    }
    let currency_changed = after.currency != before.currency;
    let requests = match patch.lines {
        Some(Some(requests)) => Some(requests),
        _ if currency_changed => Some(current_requests(conn, &before)?),
        _ => None,
    };
    if let Some(requests) = requests {
        let priced = lines::price(conn, &after.currency, &requests)?;
        set_totals(&mut after, &priced);
        store_lines(conn, &after.id, &priced)?;
    }
    save_from(conn, actor, "update", (old, &before), after, today)
}

/// The stored lines of `row` as requests at their products' list prices, for repricing
/// in another currency.
fn current_requests(conn: &mut DbConnection, row: &QuoteRow) -> AppResult<Vec<lines::LineRequest>> {
    quotes::lines_of_all(conn, std::slice::from_ref(&row.id))?
        .iter()
        .map(|l| Ok(Priced::stored(l)?.at_list_price()))
        .collect()
}

/// Delete the draft quote `id` (soft). 409 unless it is a draft. Audited as `delete`.
pub fn delete(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    if_match: crate::app::precondition::IfMatch,
    today: NaiveDate,
) -> AppResult<()> {
    let before = load(conn, actor, id, true, Access::Scope)?;
    if_match.check(before.version)?;
    require_draft(&before, "deleted")?;
    let mut after = before.clone();
    after.deleted_at = Some(clock::now());
    save(conn, actor, "delete", &before, after, today).map(|_| ())
}

/// Run `command` on quote `id` as `actor` on business day `today`; the state machine of
/// [`salesops_domain::quote`] decides whether it may run (409 `invalid_transition`).
/// Audited under the command's name.
pub fn run(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    if_match: crate::app::precondition::IfMatch,
    command: Command,
    today: NaiveDate,
) -> AppResult<Quote> {
    let access = if matches!(command, Command::Approve(_) | Command::Decline(_)) {
        Access::ScopeOrApprover
    } else {
        Access::Scope
    };
    let before = load(conn, actor, id, true, access)?;
    if_match.check(before.version)?;
    let expired = before.status.is_expired(before.valid_until, today);
    let now = clock::now();
    let mut after = before.clone();
    let domain_command = match &command {
        Command::Submit => {
            next_status(before.status, expired, QuoteCommand::Submit { within_authority: true })?;
            if before.valid_until < today {
                return Err(AppError::invalid_field(
                    "valid_until",
                    "in_past",
                    "the quote is past its valid_until; change it first",
                ));
            }
            let submission = Submission {
                document_type: DocumentType::Quote,
                document_id: &before.id,
                need: Need::discount(before.max_discount_bps),
                total: before.total,
                currency: &before.currency,
            };
            let request = approvals::open(conn, actor, submission)?;
            after.approval_request_id = request.map(|r| r.id);
            after.submitted_at = Some(now);
            QuoteCommand::Submit { within_authority: after.approval_request_id.is_none() }
        }
        Command::Approve(comment) => decide(conn, actor, &before, expired, Decision::Approved, comment.as_deref())?,
        Command::Decline(comment) => decide(conn, actor, &before, expired, Decision::Declined, Some(comment))?,
        Command::Send => {
            after.sent_at = Some(now);
            QuoteCommand::Send
        }
        Command::Accept => {
            after.accepted_at = Some(now);
            QuoteCommand::Accept
        }
        Command::Reject(reason) => {
            after.rejected_at = Some(now);
            after.rejection_reason = Some(reason.clone());
            QuoteCommand::Reject
        }
        Command::Revise => {
            (after.approval_request_id, after.submitted_at, after.sent_at) = (None, None, None);
            (after.rejected_at, after.rejection_reason) = (None, None);
            QuoteCommand::Revise
        }
    };
    after.status = next_status(before.status, expired, domain_command)?;
    save(conn, actor, domain_command.name(), &before, after, today)
}

/// Decide the pending approval of `quote` (checked to be pending first, 409), and say
/// which quote command that came to.
fn decide(
    conn: &mut DbConnection,
    actor: &Actor,
    quote: &QuoteRow,
    expired: bool,
    decision: Decision,
    comment: Option<&str>,
) -> AppResult<QuoteCommand> {
    let probe =
        if decision == Decision::Approved { QuoteCommand::Approve { last_step: false } } else { QuoteCommand::Decline };
    next_status(quote.status, expired, probe)?;
    let request = quote.approval_request_id.as_deref();
    Ok(match crate::documents::decide(conn, actor, request, decision, comment)? {
        Outcome::NextStep(_) => QuoteCommand::Approve { last_step: false },
        Outcome::Approved => QuoteCommand::Approve { last_step: true },
        Outcome::Declined => QuoteCommand::Decline,
    })
}
