//! Order use cases: create a draft (from an accepted quote or directly), change or
//! delete it while it is a draft, the commands that move it (submit, approve,
//! decline, activate, complete, cancel), deliveries, and reading orders. Every one
//! runs in the caller's transaction.

use super::dto::{CreateDelivery, CreateOrder, Delivery, Order, OrderLine, OrderPatch};
use super::ENTITY;
use crate::app::permission::AssignRecords;
use crate::app::precondition::IfMatch;
use crate::app::scoped::load_visible;
use crate::app::{Actor, AppError, AppResult, FieldError, OrUnknown};
use crate::approvals::service::{self as approvals, Submission};
use crate::audit::{self, snapshot};
use crate::documents::lines::{self, Priced, PricedLines};
use crate::documents::Access;
use crate::pagination::{self, Page};
use chrono::NaiveDate;
use salesops_domain::approval::{Decision, Need, Outcome};
use salesops_domain::numbering::DocumentType;
use salesops_domain::order::{check_booked_at, next_status, OrderCommand, OrderStatus};
use salesops_domain::org::Role;
use salesops_domain::pricing::{decimal, Quantity};
use salesops_domain::quote::QuoteStatus;
use salesops_domain::target::Metric;
use salesops_persistence::accounts::AccountRow;
use salesops_persistence::opportunities::OpportunityRow;
use salesops_persistence::orders::{self, DeliveryLineRow, DeliveryRow, OrderFilter, OrderLineRow, OrderRow};
use salesops_persistence::scope::Visibility;
use salesops_persistence::{clock, commission_runs, credits, quotes, users, DbConnection};

/// A command on an order, with its body.
#[derive(Debug, Clone)]
pub enum Command {
    /// Submit a draft: it needs approval, or it is activated at once.
    Submit,
    /// The current approver approves, with an optional comment.
    Approve(Option<String>),
    /// The current approver declines, with a comment.
    Decline(String),
    /// Activate a draft that needs no approval, optionally back-dated.
    Activate(Option<NaiveDate>),
    /// Complete a fulfilled, fully collected order.
    Complete,
    /// Cancel, with a reason, while nothing is collected.
    Cancel(String),
}

/// What an order's totals and lines are, in the API's shape.
fn view_lines(rows: Vec<OrderLineRow>, currency: &str) -> AppResult<Vec<OrderLine>> {
    rows.into_iter()
        .map(|row| {
            let line = Priced::stored(&row)?.view(row.id.clone(), currency);
            Ok(OrderLine { line, delivered: decimal(row.delivered), open: decimal(row.quantity - row.delivered) })
        })
        .collect()
}

/// The orders stored as `rows`, with their lines.
fn views(conn: &mut DbConnection, rows: Vec<OrderRow>) -> AppResult<Vec<Order>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut all_lines = orders::lines_of_all(conn, &ids)?;
    rows.into_iter()
        .map(|row| {
            let own: Vec<OrderLineRow> = all_lines.extract_if(.., |l| l.order_id == row.id).collect();
            let lines = view_lines(own, &row.currency)?;
            Ok(Order::new(row, lines))
        })
        .collect()
}

/// The order stored as `row`, with its lines.
pub fn view(conn: &mut DbConnection, row: OrderRow) -> AppResult<Order> {
    views(conn, vec![row])?.pop().ok_or(AppError::NotFound)
}

crate::documents::document!(OrderRow, orders::find);

/// The live order `id` if `actor`'s scope covers its owner, or they are the approver its
/// pending approval waits on; 404 otherwise. Takes the row lock first when `for_update`.
pub fn load(conn: &mut DbConnection, actor: &Actor, id: &str, for_update: bool) -> AppResult<OrderRow> {
    crate::documents::load(conn, actor, id, for_update, Access::Scope)
}

/// The order `id`.
pub fn get(conn: &mut DbConnection, actor: &Actor, id: &str) -> AppResult<Order> {
    let row = crate::documents::load(conn, actor, id, false, Access::ScopeOrApprover)?;
    view(conn, row)
}

/// One page of the orders `actor` may see matching `filter`, oldest first, with the
/// number of matches when `with_count`.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    filter: &OrderFilter,
    after_id: Option<&str>,
    limit: i64,
    with_count: bool,
) -> AppResult<Page<Order>> {
    let visibility = actor.visibility();
    let rows = orders::list(conn, filter, visibility, after_id, limit + 1)?;
    let page = pagination::page_by_id(rows, limit, |r| r.id.clone(), Ok)?;
    let total = if with_count { Some(orders::count(conn, filter, visibility)?) } else { None };
    Ok(Page { data: views(conn, page.data)?, next_cursor: page.next_cursor, total })
}

/// Set `row`'s totals and largest discount from `priced`.
fn set_totals(row: &mut OrderRow, priced: &PricedLines) {
    let t = priced.totals;
    (row.subtotal, row.discount, row.tax, row.total) = (t.subtotal, t.discount, t.tax, t.total);
    row.max_discount_bps = priced.max_discount_bps;
}

/// Store `priced` as the lines of order `order_id`, none delivered, in place of the old ones.
fn store_lines(conn: &mut DbConnection, order_id: &str, priced: &PricedLines) -> AppResult<()> {
    let rows: Vec<OrderLineRow> = (1..)
        .zip(&priced.lines)
        .map(|(position, line)| {
            let (product, figures) = line.to_store();
            OrderLineRow::new(order_id, position, product, figures, 0)
        })
        .collect();
    Ok(orders::replace_lines(conn, order_id, &rows)?)
}

/// 422 `range` on `end_date` when it is before `start_date`.
fn check_term(start: Option<NaiveDate>, end: Option<NaiveDate>) -> AppResult<()> {
    match start.and_then(|start| FieldError::end_before_start(("end_date", end), ("start_date", start))) {
        Some(error) => Err(error.into()),
        None => Ok(()),
    }
}

/// The owner of a new order: the caller, or (managers and admins, 403 for others) an
/// active user within the caller's scope (422 `unknown` on `owner_id` otherwise).
fn owner_of(conn: &mut DbConnection, actor: &Actor, owner_id: Option<String>) -> AppResult<String> {
    let Some(owner) = owner_id.filter(|o| o != actor.id()) else { return Ok(actor.id().to_owned()) };
    actor.require::<AssignRecords>("create orders for another owner")?;
    match users::find(conn, &owner)? {
        Some(user) if user.active && actor.visibility().allows(Some(&user.id)) => Ok(user.id),
        _ => Err(FieldError::unknown("owner_id", "active user").into()),
    }
}

/// A reference in the body: the live row `id` of `R` the actor may see, else 422 `unknown` on `field`.
fn referenced<R: salesops_persistence::visible::ScopedRow>(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    (field, what): (&str, &str),
) -> AppResult<R> {
    referenced_locked(conn, actor, id, (field, what), false)
}

/// [`referenced`], taking the row lock first when `for_update`.
fn referenced_locked<R: salesops_persistence::visible::ScopedRow>(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    (field, what): (&str, &str),
    for_update: bool,
) -> AppResult<R> {
    load_visible::<R>(conn, actor, id, for_update).map(|(row, _)| row).or_unknown(field, what)
}

/// What a new order is made of: its account, opportunity, quote, currency and priced lines.
struct Source {
    account_id: String,
    opportunity_id: Option<String>,
    quote_id: Option<String>,
    currency: String,
    priced: PricedLines,
}

/// The source of an order made from the accepted quote `quote_id`: its opportunity's
/// account and its lines at their quoted prices.
fn from_quote(conn: &mut DbConnection, actor: &Actor, quote_id: &str, input: &CreateOrder) -> AppResult<Source> {
    let given: Vec<FieldError> = [
        ("account_id", input.account_id.is_some()),
        ("opportunity_id", input.opportunity_id.is_some()),
        ("currency", input.currency.is_some()),
        ("lines", input.lines.is_some()),
    ]
    .iter()
    .filter(|(_, given)| *given)
    .map(|(field, _)| FieldError::new(*field, "not_allowed", "comes from the quote; leave it out with quote_id"))
    .collect();
    if !given.is_empty() {
        return Err(AppError::Validation(given));
    }
    // Under the quote's row lock, so two requests cannot both find it not yet ordered.
    let quote: quotes::QuoteRow = referenced_locked(conn, actor, quote_id, ("quote_id", "quote"), true)?;
    if quote.status != QuoteStatus::Accepted {
        return Err(AppError::invalid_field(
            "quote_id",
            "not_accepted",
            format!("the quote is {}; only an accepted quote becomes an order", quote.status),
        ));
    }
    // Named without its number: the order may belong to someone outside the caller's scope.
    if orders::find_by_quote(conn, &quote.id)?.is_some() {
        return Err(AppError::invalid_field("quote_id", "taken", "an order was already made from this quote"));
    }
    let opportunity: OpportunityRow =
        referenced(conn, actor, &quote.opportunity_id, ("quote_id", "opportunity of the quote"))?;
    let account_id = opportunity.account_id.ok_or_else(|| {
        AppError::invalid_field("quote_id", "no_account", "the quote's opportunity has no account to order for")
    })?;
    let copied = quotes::lines_of_all(conn, std::slice::from_ref(&quote.id))?
        .iter()
        .map(Priced::stored)
        .collect::<AppResult<Vec<_>>>()?;
    let priced = PricedLines::of(copied)?;
    Ok(Source {
        account_id,
        opportunity_id: Some(opportunity.id),
        quote_id: Some(quote.id),
        currency: quote.currency,
        priced,
    })
}

/// The source of an order made directly: an account (and optionally one of its
/// opportunities) in the caller's scope, a currency and lines priced against the catalogue.
fn direct(conn: &mut DbConnection, actor: &Actor, input: &CreateOrder) -> AppResult<Source> {
    let missing: Vec<FieldError> = [
        ("account_id", input.account_id.is_none()),
        ("currency", input.currency.is_none()),
        ("lines", input.lines.is_none()),
    ]
    .iter()
    .filter(|(_, missing)| *missing)
    .map(|(field, _)| FieldError::new(*field, "required", "required unless the order is made from a quote_id"))
    .collect();
    if !missing.is_empty() {
        return Err(AppError::Validation(missing));
    }
    let (account_id, currency) =
        (input.account_id.as_deref().unwrap_or_default(), input.currency.clone().unwrap_or_default());
    let account: AccountRow = referenced(conn, actor, account_id, ("account_id", "account"))?;
    let opportunity_id = match input.opportunity_id.as_deref() {
        None => None,
        Some(id) => {
            let opportunity: OpportunityRow = referenced(conn, actor, id, ("opportunity_id", "opportunity"))?;
            if opportunity.account_id.as_deref() != Some(account.id.as_str()) {
                return Err(FieldError::mismatch("opportunity_id", "the opportunity is not the account's").into());
            }
            Some(opportunity.id)
        }
    };
    crate::documents::check_currency(&currency)?;
    let priced = lines::price(conn, &currency, input.lines.as_deref().unwrap_or_default())?;
    Ok(Source { account_id: account.id, opportunity_id, quote_id: None, currency, priced })
}

/// Create a draft order, from an accepted quote or directly, owned by the caller or (for
/// managers and admins) another active user in their scope, numbered by the order
/// numbering rule on `today`. Audited as `create`.
pub fn create(conn: &mut DbConnection, actor: &Actor, input: CreateOrder, today: NaiveDate) -> AppResult<Order> {
    check_term(input.start_date, input.end_date)?;
    let source = match input.quote_id.as_deref() {
        Some(quote_id) => from_quote(conn, actor, quote_id, &input)?,
        None => direct(conn, actor, &input)?,
    };
    let owner = owner_of(conn, actor, input.owner_id.clone())?;
    let mut row = OrderRow::new(String::new(), &source.account_id, &owner, &source.currency, Some(actor.id()));
    (row.opportunity_id, row.quote_id) = (source.opportunity_id, source.quote_id);
    (row.signed_at, row.start_date, row.end_date, row.notes) =
        (input.signed_at, input.start_date, input.end_date, input.notes);
    set_totals(&mut row, &source.priced);
    // Numbered last, under a provisional unique number (see `numbering_rules::service::next_number`).
    row.number = row.id.clone();
    orders::insert(conn, &row)?;
    store_lines(conn, &row.id, &source.priced)?;
    row.number = crate::numbering_rules::service::next_number(conn, DocumentType::Order, today)?;
    orders::update(conn, &row, row.version)?;
    let order = view(conn, row)?;
    audit::record(conn, actor, "create", ENTITY, &order.id, &serde_json::Value::Null, &snapshot(&order))?;
    Ok(order)
}

/// Write `after` over `before` (read under the row lock), then audit `action` with
/// before-and-after snapshots of the order.
pub fn save(
    conn: &mut DbConnection,
    actor: &Actor,
    action: &str,
    before: &OrderRow,
    after: OrderRow,
) -> AppResult<Order> {
    let old = view(conn, before.clone())?;
    save_from(conn, actor, action, (old, before), after)
}

/// [`save`] from `old`, the order as shown before its lines were rewritten or shipped.
fn save_from(
    conn: &mut DbConnection,
    actor: &Actor,
    action: &str,
    (old, before): (Order, &OrderRow),
    after: OrderRow,
) -> AppResult<Order> {
    audit::save_viewed(conn, actor, (ENTITY, action), (old, before), after, view)
}

/// 409 `invalid_transition` unless the order is a draft: only a draft's fields and lines change.
fn require_draft(row: &OrderRow, what: &str) -> AppResult<()> {
    if row.status.is_editable() {
        Ok(())
    } else {
        Err(AppError::transition(format!("an order that is {} cannot be {what}", row.status)))
    }
}

/// Apply a merge patch to the draft order `id`: `lines` (replacing every line, priced in
/// the order's currency, and dropping a payment plan that no longer adds up to the new
/// total), the contract dates and `notes`. 409 unless it is a draft. Audited as `update`.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    if_match: IfMatch,
    patch: OrderPatch,
) -> AppResult<Order> {
    let before = load(conn, actor, id, true)?;
    let old = view(conn, before.clone())?;
    if_match.check(before.version)?;
    require_draft(&before, "changed")?;
    crate::validation::refuse_cleared(&[("lines", matches!(patch.lines, Some(None)))])?;
    let mut after = before.clone();
    if let Some(v) = patch.signed_at {
        after.signed_at = v;
    }
    if let Some(v) = patch.start_date {
        after.start_date = v;
    }
    if let Some(v) = patch.end_date {
        after.end_date = v;
    }
    check_term(after.start_date, after.end_date)?;
    if let Some(notes) = patch.notes {
        after.notes = crate::documents::patched_notes(notes)?;
    }
    if let Some(Some(requests)) = patch.lines {
        let priced = lines::price(conn, &after.currency, &requests)?;
        set_totals(&mut after, &priced);
        store_lines(conn, &after.id, &priced)?;
        crate::payment_plans::service::discard_if_stale(conn, actor, &after)?;
    }
    save_from(conn, actor, "update", (old, &before), after)
}

/// Delete the draft order `id` (soft). 409 unless it is a draft. Audited as `delete`.
pub fn delete(conn: &mut DbConnection, actor: &Actor, id: &str, if_match: IfMatch) -> AppResult<()> {
    let before = load(conn, actor, id, true)?;
    if_match.check(before.version)?;
    require_draft(&before, "deleted")?;
    let mut after = before.clone();
    after.deleted_at = Some(clock::now());
    save(conn, actor, "delete", &before, after).map(|_| ())
}

/// What the order needs an approver to cover: its largest discount, and, when a threshold
/// in the base currency is set, its total when above it. An order in another currency
/// cannot be measured against it without FX, so with a threshold set it always needs an admin.
fn need_of(row: &OrderRow, threshold: Option<(i64, &str)>) -> Need {
    let above_threshold = threshold.is_some_and(|(limit, base)| row.currency != base || row.total > limit);
    Need { discount_bps: row.max_discount_bps, above_threshold }
}

/// The settings an order command reads.
#[derive(Debug, Clone, Copy)]
pub struct Policy<'a> {
    /// Today's business day.
    pub today: NaiveDate,
    /// The approval threshold and the base currency it is in, if one is set.
    pub threshold: Option<(i64, &'a str)>,
}

/// Book `after` as activated: its booking date (today, or `booked_at` for admins and
/// finance, never after today), and its opportunity, if still open, is won (the won
/// stage's gates apply; a refusal names `opportunity.<field>`).
fn book(
    conn: &mut DbConnection,
    actor: &Actor,
    after: &mut OrderRow,
    booked_at: Option<NaiveDate>,
    today: NaiveDate,
) -> AppResult<()> {
    if let Some(day) = booked_at {
        if !actor.role.can_administer() && actor.role != salesops_domain::org::Role::Finance {
            return Err(AppError::Forbidden(format!("the {} role may not back-date a booking", actor.role)));
        }
        check_booked_at(day, today).map_err(|e| AppError::invalid_field("booked_at", "in_future", e.to_string()))?;
        // An approved or paid commission statement never changes, so a booking cannot land in its period.
        let credited = credits::credited_users(conn, &after.id, &after.owner_id)?;
        if day < today && commission_runs::settled_period_covers(conn, Metric::Booking, &credited, day)? {
            let message = format!("commissions on bookings of {day} are approved or paid; book it on a later day");
            return Err(AppError::invalid_field("booked_at", "period_paid", message));
        }
    }
    after.booked_at = Some(booked_at.unwrap_or(today));
    let Some(opportunity_id) = after.opportunity_id.clone() else { return Ok(()) };
    let open = salesops_persistence::opportunities::find_visible(
        conn,
        &opportunity_id,
        &salesops_persistence::scope::Visibility::All,
    )?
    .is_some_and(|o| o.status.is_open());
    if open {
        // Activating the order wins its deal whoever activates it (the approver may sit
        // outside the owner's scope): the win sees every record, and is recorded as the actor's.
        let acting = Actor { visibility: std::sync::Arc::new(Visibility::All), ..actor.clone() };
        let id = opportunity_id.parse().map_err(|_| AppError::Internal("a stored opportunity id".into()))?;
        let win = crate::opportunities::service::Command::Win;
        crate::opportunities::service::run(conn, &acting, &id, IfMatch(None), win)
            .map_err(|e| e.nested("opportunity"))?;
    }
    Ok(())
}

/// Run `command` on order `id` as `actor`; the state machine of
/// [`salesops_domain::order`] decides whether it may run (409 `invalid_transition`).
/// Audited under the command's name.
pub fn run(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    if_match: IfMatch,
    command: Command,
    policy: Policy<'_>,
) -> AppResult<Order> {
    let access = if matches!(command, Command::Approve(_) | Command::Decline(_)) {
        Access::ScopeOrApprover
    } else {
        Access::Scope
    };
    let before: OrderRow = crate::documents::load(conn, actor, id, true, access)?;
    if_match.check(before.version)?;
    let now = clock::now();
    let mut after = before.clone();
    let need = need_of(&before, policy.threshold);
    let domain_command = match &command {
        Command::Submit => {
            next_status(before.status, OrderCommand::Submit { needs_approval: true })?;
            let submission = Submission {
                document_type: DocumentType::Order,
                document_id: &before.id,
                need,
                total: before.total,
                currency: &before.currency,
            };
            let request = approvals::open(conn, actor, submission)?;
            after.submitted_at = Some(now);
            let needs_approval = request.is_some();
            after.approval_request_id = request.map(|r| r.id);
            if !needs_approval {
                book(conn, actor, &mut after, None, policy.today)?;
            }
            OrderCommand::Submit { needs_approval }
        }
        Command::Approve(comment) => {
            let done = decide(conn, actor, &before, Decision::Approved, comment.as_deref())?;
            if done == (OrderCommand::Approve { last_step: true }) {
                book(conn, actor, &mut after, None, policy.today)?;
            }
            done
        }
        Command::Decline(comment) => decide(conn, actor, &before, Decision::Declined, Some(comment))?,
        Command::Activate(booked_at) => {
            let authority = crate::discount_authorities::service::authority_of(conn, actor.role)?;
            let needs_approval = !need.met_by(authority, actor.role == Role::Admin);
            next_status(before.status, OrderCommand::Activate { needs_approval })?;
            book(conn, actor, &mut after, *booked_at, policy.today)?;
            OrderCommand::Activate { needs_approval }
        }
        Command::Complete => {
            let fully_collected = before.collected - before.refunded >= before.total;
            after.completed_at = Some(now);
            OrderCommand::Complete { fully_collected }
        }
        Command::Cancel(reason) => {
            (after.cancelled_at, after.cancel_reason) = (Some(now), Some(reason.clone()));
            if let Some(request) =
                before.approval_request_id.as_deref().filter(|_| before.status == OrderStatus::PendingApproval)
            {
                approvals::withdraw(conn, request)?;
            }
            // Money recorded but never confirmed cannot be confirmed on a cancelled order.
            crate::payments::service::void_pending(conn, actor, &before.id)?;
            OrderCommand::Cancel { net_collected: before.collected - before.refunded }
        }
    };
    after.status = next_status(before.status, domain_command)?;
    save(conn, actor, domain_command.name(), &before, after)
}

/// Decide the pending approval of `order` (checked to be pending first, 409), and say
/// which order command that came to.
fn decide(
    conn: &mut DbConnection,
    actor: &Actor,
    order: &OrderRow,
    decision: Decision,
    comment: Option<&str>,
) -> AppResult<OrderCommand> {
    let probe =
        if decision == Decision::Approved { OrderCommand::Approve { last_step: false } } else { OrderCommand::Decline };
    next_status(order.status, probe)?;
    let request = order.approval_request_id.as_deref();
    Ok(match crate::documents::decide(conn, actor, request, decision, comment)? {
        Outcome::NextStep(_) => OrderCommand::Approve { last_step: false },
        Outcome::Approved => OrderCommand::Approve { last_step: true },
        Outcome::Declined => OrderCommand::Decline,
    })
}

/// Record a delivery from the active order `id`: each line ships at most what is still
/// open on it (422 on `lines[i].quantity`), each order line at most once per delivery.
/// When every line is fully delivered the order becomes `fulfilled`. Audited on the
/// order as `deliver`.
pub fn deliver(conn: &mut DbConnection, actor: &Actor, id: &str, input: CreateDelivery) -> AppResult<Delivery> {
    let before = load(conn, actor, id, true)?;
    let old = view(conn, before.clone())?;
    if !before.status.takes_deliveries() {
        return Err(AppError::transition(format!(
            "an order that is {} takes no deliveries; only active orders do",
            before.status
        )));
    }
    if input.lines.is_empty() || input.lines.len() > lines::MAX_LINES {
        return Err(AppError::invalid_field("lines", "length", format!("must have 1 to {} lines", lines::MAX_LINES)));
    }
    let mut order_lines = orders::lines_of_all(conn, std::slice::from_ref(&before.id))?;
    let mut errors = Vec::new();
    let mut shipped = Vec::new();
    for (i, line) in input.lines.iter().enumerate() {
        let field = |name: &str| format!("lines[{i}].{name}");
        let Some(target) = order_lines.iter_mut().find(|l| l.id == line.order_line_id) else {
            errors.push(FieldError::unknown(field("order_line_id"), "line of this order"));
            continue;
        };
        if shipped.iter().any(|(id, _): &(String, i64)| *id == target.id) {
            errors.push(FieldError::new(
                field("order_line_id"),
                "duplicate",
                "each order line at most once per delivery",
            ));
            continue;
        }
        match line.quantity.parse::<Quantity>() {
            Err(e) => errors.push(FieldError::new(field("quantity"), "invalid_quantity", e.to_string())),
            Ok(q) if q.thousandths() > target.quantity - target.delivered => errors.push(FieldError::new(
                field("quantity"),
                "exceeds_open",
                format!("only {} is still to ship on this line", decimal(target.quantity - target.delivered)),
            )),
            Ok(q) => {
                target.delivered += q.thousandths();
                shipped.push((target.id.clone(), q.thousandths()));
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let delivery = DeliveryRow {
        id: salesops_domain::new_id(),
        order_id: before.id.clone(),
        shipped_at: input.shipped_at,
        note: input.note,
        created_at: clock::now(),
        created_by: Some(actor.id().to_owned()),
    };
    let rows: Vec<DeliveryLineRow> = shipped
        .iter()
        .map(|(line, quantity)| DeliveryLineRow {
            delivery_id: delivery.id.clone(),
            order_line_id: line.clone(),
            quantity: *quantity,
        })
        .collect();
    orders::insert_delivery(conn, &delivery, &rows)?;
    for line in order_lines.iter().filter(|l| shipped.iter().any(|(id, _)| *id == l.id)) {
        orders::set_delivered(conn, &line.id, line.delivered)?;
    }
    let mut after = before.clone();
    if order_lines.iter().all(|l| l.delivered >= l.quantity) {
        after.status = next_status(before.status, OrderCommand::Fulfil)?;
        after.fulfilled_at = Some(clock::now());
    }
    save_from(conn, actor, "deliver", (old, &before), after)?;
    Ok(Delivery::new(delivery, rows))
}

/// One page of the deliveries of order `id`, oldest first.
pub fn deliveries(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    after_id: Option<&str>,
    limit: i64,
) -> AppResult<Page<Delivery>> {
    let order = load(conn, actor, id, false)?;
    let rows = orders::deliveries_of(conn, &order.id, after_id, limit + 1)?;
    let page = pagination::page_by_id(rows, limit, |r| r.id.clone(), Ok)?;
    let ids: Vec<String> = page.data.iter().map(|d| d.id.clone()).collect();
    let mut lines = orders::delivery_lines_of(conn, &ids)?;
    let data = page
        .data
        .into_iter()
        .map(|d| {
            let own = lines.extract_if(.., |l| l.delivery_id == d.id).collect();
            Delivery::new(d, own)
        })
        .collect();
    Ok(Page { data, next_cursor: page.next_cursor, total: None })
}
