//! The quote-to-cash part of the demo data: products, quotes in every status (one
//! waiting for its manager), and orders in every status with deliveries, payment
//! plans (one instalment overdue in every aging bucket), payments and a refund.
//!
//! It runs the real use cases as the demo users, so every figure, number, approval
//! and audit event is what the API itself would have written. Dates are laid out
//! relative to today's business day.

use crate::app::precondition::IfMatch;
use crate::app::{Actor, AppError, AppResult};
use crate::documents::lines::LineRequest;
use crate::orders::dto::{CreateDelivery, CreateOrder, DeliveryLineRequest, Order};
use crate::orders::service::{Command as OrderCommand, Policy};
use crate::payment_plans::dto::{InstalmentRequest, PaymentPlan, SetPaymentPlan};
use crate::payments::dto::{CreatePayment, Payment};
use crate::products::dto::CreateProduct;
use crate::quotes::dto::CreateQuote;
use crate::quotes::service::Command as QuoteCommand;
use crate::refunds::dto::CreateRefund;
use crate::{orders, payment_plans, payments, quotes, refunds};
use chrono::{Duration, NaiveDate};
use salesops_domain::money::Money;
use salesops_domain::opportunity::OpportunityStatus;
use salesops_domain::org::DataScope;
use salesops_domain::receivables::PaymentMethod;
use salesops_persistence::opportunities::{self, OpportunityFilter, OpportunityRow};
use salesops_persistence::scope::Visibility;
use salesops_persistence::users::{self, UserRow};
use salesops_persistence::DbConnection;
use std::sync::Arc;

/// The SKU of the first demo product: present means this part is loaded.
pub const MARKER_SKU: &str = "DEMO-CRM-ENT";

/// The demo catalogue: SKU, name, unit, list price (fen), tax rate (bps), product line.
const PRODUCTS: &[(&str, &str, &str, i64, i32, &str)] = &[
    (MARKER_SKU, "CRM 企业版 Enterprise, one year", "license", 1_200_000, 600, "software"),
    ("DEMO-CRM-PRO", "CRM 专业版 Professional, one year", "license", 480_000, 600, "software"),
    ("DEMO-IMPL-DAY", "实施服务 Implementation", "person-day", 300_000, 600, "services"),
    ("DEMO-TRAIN", "培训 Training workshop", "session", 800_000, 600, "services"),
    ("DEMO-GW-100", "边缘网关 Edge gateway GW-100", "unit", 560_000, 1300, "hardware"),
    ("DEMO-SCAN", "手持扫描枪 Handheld scanner", "unit", 180_000, 1300, "hardware"),
];

/// A demo user acting as themself, seeing everything (the loader is the system, not a request).
pub(super) fn actor(user: &UserRow) -> Actor {
    Actor {
        id: user.id.clone(),
        role: user.role,
        scope: DataScope::All,
        department_id: user.department_id.clone(),
        request_id: None,
        visibility: Arc::new(Visibility::All),
    }
}

/// The demo user with `email`.
pub(super) fn demo_user(conn: &mut DbConnection, email: &str) -> AppResult<UserRow> {
    users::find_by_email(conn, email)?.ok_or_else(|| AppError::Internal(format!("the demo user {email} is missing")))
}

/// A line of `quantity` × product `sku` at `discount_bps`.
fn line(catalogue: &[(String, String)], sku: &str, quantity: &str, discount_bps: i32) -> LineRequest {
    let product_id = catalogue.iter().find(|(s, _)| s == sku).map(|(_, id)| id.clone()).unwrap_or_default();
    LineRequest { product_id, quantity: quantity.to_owned(), unit_price: None, discount_bps }
}

/// The demo opportunities with an account in `status`, oldest first.
fn deals(conn: &mut DbConnection, status: OpportunityStatus, n: i64) -> AppResult<Vec<OpportunityRow>> {
    let filter = OpportunityFilter { statuses: vec![status], ..OpportunityFilter::default() };
    let rows = opportunities::list(conn, &filter, &Visibility::All, None, 500)?;
    Ok(rows.into_iter().filter(|o| o.account_id.is_some()).take(usize::try_from(n).unwrap_or(0)).collect())
}

/// The actors of the demo besides each deal's owner: finance, and the manager who keeps the catalogue.
struct Cast {
    finance: Actor,
    manager: Actor,
}

fn day(today: NaiveDate, offset: i64) -> NaiveDate {
    today + Duration::days(offset)
}

/// An order's total split into `due` instalments (days from today), the last taking the remainder.
fn plan(total: i64, currency: &str, today: NaiveDate, due: &[i64]) -> SetPaymentPlan {
    let n = i64::try_from(due.len()).unwrap_or(1);
    let part = total / n;
    let instalments = due
        .iter()
        .enumerate()
        .map(|(i, offset)| {
            let amount = if i + 1 == due.len() { total - part * (n - 1) } else { part };
            InstalmentRequest { due_date: day(today, *offset), amount: Money::new(amount, currency), note: None }
        })
        .collect();
    SetPaymentPlan { instalments }
}

/// Record and confirm a payment of `amount` on `order`, for its instalment `instalment` (0-based) if given.
fn collect(
    conn: &mut DbConnection,
    cast: &Cast,
    order: &Order,
    plan: &PaymentPlan,
    (amount, instalment): (i64, Option<usize>),
    today: NaiveDate,
) -> AppResult<Payment> {
    let input = CreatePayment {
        order_id: order.id.clone(),
        amount: Money::new(amount, order.currency.clone()),
        received_at: today,
        method: PaymentMethod::BankTransfer,
        reference: Some(format!("DEMO-{}", order.number)),
        instalment_id: instalment.and_then(|i| plan.instalments.get(i)).map(|i| i.id.clone()),
    };
    let payment = payments::service::create(conn, &cast.finance, input, today)?;
    payments::service::confirm(conn, &cast.finance, &payment.id, IfMatch(None), today)
}

/// Ship everything still open on `order`.
fn deliver_all(conn: &mut DbConnection, owner: &Actor, order: &Order, shipped_at: NaiveDate) -> AppResult<()> {
    let lines = order
        .lines
        .iter()
        .filter(|l| l.open != "0")
        .map(|l| DeliveryLineRequest { order_line_id: l.line.id.clone(), quantity: l.open.clone() })
        .collect();
    orders::service::deliver(conn, owner, &order.id, CreateDelivery { shipped_at, lines, note: None })?;
    Ok(())
}

/// Run an order command with no threshold.
fn order_command(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    command: OrderCommand,
    today: NaiveDate,
) -> AppResult<Order> {
    orders::service::run(conn, actor, id, IfMatch(None), command, Policy { today, threshold: None })
}

/// Load the quote-to-cash demo; returns a one-line summary.
pub fn load(conn: &mut DbConnection, today: NaiveDate) -> AppResult<String> {
    let manager_row = demo_user(conn, "manager.east@demo.salesops")?;
    let cast = Cast { finance: actor(&demo_user(conn, "finance@demo.salesops")?), manager: actor(&manager_row) };
    let mut catalogue = Vec::new();
    for (sku, name, unit, price, tax, category) in PRODUCTS {
        let input = CreateProduct {
            sku: (*sku).to_owned(),
            name: (*name).to_owned(),
            unit: (*unit).to_owned(),
            list_price: Money::new(*price, "CNY"),
            tax_rate_bps: *tax,
            category: Some((*category).to_owned()),
            description: None,
            external_id: None,
            active: true,
        };
        let product = crate::products::service::create(conn, &cast.manager, input)?;
        catalogue.push(((*sku).to_owned(), product.id));
    }
    let owner_of = |conn: &mut DbConnection, deal: &OpportunityRow| -> AppResult<Actor> {
        users::find(conn, &deal.owner_id)?.map(|u| actor(&u)).ok_or(AppError::NotFound)
    };

    // Quotes on open deals, one in every status; the accepted one becomes an order below.
    let mut accepted = None;
    let open = deals(conn, OpportunityStatus::Open, 6)?;
    for (i, deal) in open.iter().enumerate() {
        let rep = owner_of(conn, deal)?;
        let discount = [0, 1500, 800, 500, 300, 1000][i % 6];
        let input = CreateQuote {
            opportunity_id: deal.id.clone(),
            valid_until: day(today, 30),
            currency: None,
            lines: vec![line(&catalogue, MARKER_SKU, "10", discount), line(&catalogue, "DEMO-IMPL-DAY", "12.5", 0)],
            notes: None,
        };
        let quote = quotes::service::create(conn, &rep, input, today)?;
        let steps: &[QuoteCommand] = match i {
            0 => &[],
            1 => &[QuoteCommand::Submit],
            2 => &[QuoteCommand::Submit],
            3 => &[QuoteCommand::Submit, QuoteCommand::Send],
            4 => &[QuoteCommand::Submit, QuoteCommand::Send, QuoteCommand::Accept],
            _ => &[QuoteCommand::Submit, QuoteCommand::Send, QuoteCommand::Reject("预算冻结 Budget frozen".into())],
        };
        for step in steps {
            quotes::service::run(conn, &rep, &quote.id, IfMatch(None), step.clone(), today)?;
        }
        if i == 4 {
            accepted = Some((quote.id.clone(), rep));
        }
    }

    // Orders on won deals, one in every status, with deliveries, plans and money.
    let won = deals(conn, OpportunityStatus::Won, 9)?;
    let mut made = 0;
    if let Some((quote_id, rep)) = accepted {
        let input = CreateOrder { quote_id: Some(quote_id), signed_at: Some(today), ..CreateOrder::default() };
        orders::service::create(conn, &rep, input, today)?;
        made += 1;
    }
    for (i, deal) in won.iter().enumerate() {
        let rep = owner_of(conn, deal)?;
        let n = i64::try_from(i).unwrap_or(0);
        // Finance back-dates the bookings, and finance may give no discount without approval.
        let discount = match i {
            0 => 1500,
            3 => 600,
            _ => 0,
        };
        let input = CreateOrder {
            account_id: deal.account_id.clone(),
            opportunity_id: Some(deal.id.clone()),
            currency: Some("CNY".to_owned()),
            lines: Some(vec![
                line(&catalogue, ["DEMO-CRM-PRO", MARKER_SKU, "DEMO-GW-100"][i % 3], &format!("{}", 5 + i), discount),
                line(&catalogue, "DEMO-TRAIN", "2", 0),
                line(&catalogue, "DEMO-SCAN", "20", 0),
            ]),
            signed_at: Some(day(today, -n * 20)),
            start_date: Some(today),
            end_date: Some(day(today, 364)),
            ..CreateOrder::default()
        };
        let order = orders::service::create(conn, &rep, input, today)?;
        made += 1;
        let back_dated = |conn: &mut DbConnection, days_ago: i64| {
            order_command(conn, &cast.finance, &order.id, OrderCommand::Activate(Some(day(today, -days_ago))), today)
        };
        match i {
            // Waiting for the rep's manager: 15% is beyond a rep's 10%.
            0 => {
                order_command(conn, &rep, &order.id, OrderCommand::Submit, today)?;
            }
            // Booked 100 days ago; the first instalment paid, the others overdue 65, 35 and 5 days.
            1 => {
                let order = back_dated(conn, 100)?;
                let plan = payment_plans::service::set(
                    conn,
                    &rep,
                    &order.id,
                    IfMatch(None),
                    plan(order.total.amount, "CNY", today, &[-95, -65, -35, -5]),
                    today,
                )?;
                collect(conn, &cast, &order, &plan, (plan.instalments[0].amount.amount, Some(0)), today)?;
            }
            // Booked 200 days ago: one instalment 150 days overdue, one not yet due.
            2 => {
                let order = back_dated(conn, 200)?;
                payment_plans::service::set(
                    conn,
                    &rep,
                    &order.id,
                    IfMatch(None),
                    plan(order.total.amount, "CNY", today, &[-150, 20]),
                    today,
                )?;
            }
            // Activated today, partly shipped, due over the next two months.
            3 => {
                let order = order_command(conn, &rep, &order.id, OrderCommand::Submit, today)?;
                payment_plans::service::set(
                    conn,
                    &rep,
                    &order.id,
                    IfMatch(None),
                    plan(order.total.amount, "CNY", today, &[0, 30, 60]),
                    today,
                )?;
                let first = &order.lines[0];
                let half = DeliveryLineRequest { order_line_id: first.line.id.clone(), quantity: "2".to_owned() };
                orders::service::deliver(
                    conn,
                    &rep,
                    &order.id,
                    CreateDelivery { shipped_at: today, lines: vec![half], note: None },
                )?;
            }
            // Fulfilled: everything shipped, the first instalment half paid 45 days late.
            4 => {
                let order = back_dated(conn, 60)?;
                let plan = payment_plans::service::set(
                    conn,
                    &rep,
                    &order.id,
                    IfMatch(None),
                    plan(order.total.amount, "CNY", today, &[-45, -10]),
                    today,
                )?;
                deliver_all(conn, &rep, &order, day(today, -50))?;
                collect(conn, &cast, &order, &plan, (plan.instalments[0].amount.amount / 2, Some(0)), today)?;
            }
            // Completed: shipped and paid in full.
            5 => {
                let order = back_dated(conn, 120)?;
                let plan = payment_plans::service::set(
                    conn,
                    &rep,
                    &order.id,
                    IfMatch(None),
                    plan(order.total.amount, "CNY", today, &[-90]),
                    today,
                )?;
                deliver_all(conn, &rep, &order, day(today, -110))?;
                collect(conn, &cast, &order, &plan, (order.total.amount, None), today)?;
                order_command(conn, &rep, &order.id, OrderCommand::Complete, today)?;
            }
            // Cancelled before it was submitted.
            6 => {
                order_command(conn, &rep, &order.id, OrderCommand::Cancel("客户取消 Customer withdrew".into()), today)?;
            }
            // Paid, then 30% refunded: the instalment is open again, 30 days overdue.
            7 => {
                let order = back_dated(conn, 40)?;
                let plan = payment_plans::service::set(
                    conn,
                    &rep,
                    &order.id,
                    IfMatch(None),
                    plan(order.total.amount, "CNY", today, &[-30]),
                    today,
                )?;
                let payment = collect(conn, &cast, &order, &plan, (order.total.amount, None), today)?;
                let refund = CreateRefund {
                    payment_id: payment.id,
                    amount: Money::new(order.total.amount * 3 / 10, "CNY"),
                    reason: "退回三台网关 Three gateways returned".to_owned(),
                };
                refunds::service::create(conn, &cast.finance, refund, today)?;
            }
            // Booked 10 days ago without a plan: its whole balance is due since booking.
            _ => {
                back_dated(conn, 10)?;
            }
        }
    }
    Ok(format!(
        "{} products, {} quotes and {made} orders with their deliveries, plans, payments and a refund",
        PRODUCTS.len(),
        open.len()
    ))
}
