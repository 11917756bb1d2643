//! Payments (回款) and refunds (退款): whoever sees an order records its payments, finance
//! confirms them; confirmed money settles instalments (the named one first, then the
//! oldest) and counts as collected; refunds reopen instalments latest due first. Orders
//! cannot be cancelled with money on them nor completed without it, documents out of
//! scope are 404, and every refused request changes nothing.

use crate::both_databases;
use crate::fixtures::{id_of, ids, pluck, str_of};
use crate::helpers::{TestApp, TestResponse, TestUser};
use crate::payment_plans::{actions, cny, day, money_of, plan_of, put_plan, three_instalments};
use salesops_persistence::schema::{instalments, orders};
use serde_json::{json, Value};

/// A payment of `amount` fen on order `order_id`, received today by bank transfer.
fn payment(app: &TestApp, order_id: &str, amount: i64) -> Value {
    json!({ "order_id": order_id, "amount": cny(amount), "received_at": day(app, 0), "method": "bank_transfer" })
}

/// POST `body` to `/payments` as `token`.
async fn record(app: &TestApp, token: &str, body: Value) -> TestResponse {
    app.post("/api/v1/payments").token(token).json(body).send().await
}

/// Record `body` as `token`, asserting 201 with its Location and ETag; returns the payment.
async fn recorded(app: &TestApp, token: &str, body: Value) -> Value {
    let res = record(app, token, body).await;
    res.assert_created("/api/v1/payments");
    assert_eq!(res.body["status"], "pending");
    res.body
}

/// POST `/payments/{id}/confirm` as `token`.
async fn confirm(app: &TestApp, token: &str, payment_id: &str) -> TestResponse {
    app.post(&format!("/api/v1/payments/{payment_id}/confirm")).token(token).send().await
}

/// Record `amount` fen on order `order_id` as `recorder` and confirm it as `finance`;
/// returns the confirmed payment.
pub async fn collect(app: &TestApp, recorder: &TestUser, finance: &TestUser, order_id: &str, amount: i64) -> Value {
    let pending = recorded(app, &recorder.token, payment(app, order_id, amount)).await;
    let res = confirm(app, &finance.token, &id_of(&pending)).await;
    assert_eq!(res.status, 200, "confirm: {}", res.body);
    res.body
}

/// POST a refund of `amount` fen of payment `payment_id` as `token`.
pub async fn refund(app: &TestApp, token: &str, payment_id: &str, amount: i64) -> TestResponse {
    let body = json!({ "payment_id": payment_id, "amount": cny(amount), "reason": "Licences returned" });
    app.post("/api/v1/refunds").token(token).json(body).send().await
}

/// The `paid` amount and the status of each instalment of the plan, in position order.
fn settled(plan: &Value) -> Vec<(i64, String)> {
    let instalments = plan["instalments"].as_array().expect("instalments");
    instalments.iter().map(|i| (i["paid"]["amount"].as_i64().expect("paid"), str_of(i, "status").to_owned())).collect()
}

/// POST an order command as `token`.
async fn order_command(app: &TestApp, token: &str, order_id: &str, command: &str, body: Option<Value>) -> TestResponse {
    app.post(&format!("/api/v1/orders/{order_id}/{command}")).token(token).maybe_json(body).send().await
}

both_databases! {
    async fn a_payment_is_pending_until_finance_confirms_it_then_settles_the_named_instalment_and_the_oldest(app) {
        let rep = app.user("rep", None, None).await;
        let finance = app.user("finance", None, None).await;
        let order = id_of(&app.active_order(&rep).await);
        let plan = put_plan(&app, &rep.token, &order, three_instalments(&app)).await.body;
        let second = str_of(&plan["instalments"][1], "id").to_owned();

        let mut body = payment(&app, &order, 400_000);
        body["instalment_id"] = json!(second);
        body["reference"] = json!(" ICBC-8812 ");
        let pending = recorded(&app, &rep.token, body).await;
        assert_eq!(pending["order_id"], order.as_str());
        assert_eq!(pending["instalment_id"], second.as_str());
        let money = (&pending["amount"], &pending["refunded"], &pending["refundable"]);
        assert_eq!(money, (&cny(400_000), &cny(0), &cny(0)));
        assert_eq!((&pending["method"], &pending["reference"]), (&json!("bank_transfer"), &json!("ICBC-8812")));
        assert_eq!((&pending["confirmed_on"], &pending["confirmed_by"]), (&Value::Null, &Value::Null));
        assert_eq!(pending["created_by"], rep.id.as_str());
        let id = id_of(&pending);
        // Pending money settles nothing.
        assert_eq!(settled(&plan_of(&app, &order).await), settled(&plan));
        assert_eq!(app.get_ok(&rep.token, &format!("/api/v1/orders/{order}")).await["collected"], cny(0));

        // Only finance and admins confirm.
        let before = money_of(&app, &order).await;
        confirm(&app, &rep.token, &id).await.assert_problem(403, "forbidden");
        let stale = app.post(&format!("/api/v1/payments/{id}/confirm")).token(&finance.token)
            .header("if-match", "W/\"9\"").send().await;
        stale.assert_problem(412, "precondition_failed");
        assert_eq!(money_of(&app, &order).await, before, "the refused confirmation changed nothing");

        let res = confirm(&app, &finance.token, &id).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.header("etag"), Some("W/\"2\""));
        let confirmed = res.body;
        assert_eq!(confirmed["status"], "confirmed");
        assert_eq!(confirmed["confirmed_on"], day(&app, 0));
        assert_eq!(confirmed["confirmed_by"], finance.id.as_str());
        assert!(confirmed["confirmed_at"].is_string());
        assert_eq!(confirmed["refundable"], cny(400_000));
        assert_eq!(app.get_ok(&rep.token, &format!("/api/v1/payments/{id}")).await, confirmed);

        // The named second instalment first, in full; the rest to the oldest, the first.
        let plan = plan_of(&app, &order).await;
        assert_eq!(settled(&plan), [
            (100_000, "partially_paid".to_owned()),
            (300_000, "paid".to_owned()),
            (0, "pending".to_owned()),
        ]);
        assert_eq!(plan["instalments"][0]["outstanding"], cny(200_000));
        assert_eq!(plan["instalments"][1]["outstanding"], cny(0));
        assert_eq!((&plan["paid"], &plan["outstanding"]), (&cny(400_000), &cny(600_000)));
        let got = app.get_ok(&rep.token, &format!("/api/v1/orders/{order}")).await;
        assert_eq!((&got["collected"], &got["refunded"], &got["outstanding"]), (&cny(400_000), &cny(0), &cny(600_000)));
        assert_eq!(actions(&app, "payment", &id).await, ["create", "confirm"]);
        assert_eq!(actions(&app, "order", &order).await.last().map(String::as_str), Some("collect"));
        let trail = app.audit_trail(&rep.token, "payment", &id).await;
        assert_eq!(trail["data"][1]["changes"]["status"], json!({ "before": "pending", "after": "confirmed" }));

        // Confirming twice is refused.
        let before = money_of(&app, &order).await;
        let res = confirm(&app, &finance.token, &id).await;
        res.assert_problem(409, "invalid_transition");
        assert_eq!(res.body["detail"], "the payment is already confirmed");
        assert_eq!(money_of(&app, &order).await, before);

        // The first instalment, partly paid, is overdue once past its due date.
        let first = str_of(&plan["instalments"][0], "id").to_owned();
        let past = app.state.business_today() - chrono::TimeDelta::days(3);
        app.with_conn(|c| {
            use diesel::prelude::*;
            diesel::update(instalments::table.find(&first)).set(instalments::due_date.eq(past)).execute(c)
        })
        .expect("store a past due date");
        assert_eq!(settled(&plan_of(&app, &order).await), [
            (100_000, "overdue".to_owned()),
            (300_000, "paid".to_owned()),
            (0, "pending".to_owned()),
        ]);

        // An admin confirms too; unnamed money goes to the oldest due first.
        let admin_paid = recorded(&app, &rep.token, payment(&app, &order, 500_000)).await;
        let res = confirm(&app, &app.admin_token, &id_of(&admin_paid)).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(settled(&plan_of(&app, &order).await), [
            (300_000, "paid".to_owned()),
            (300_000, "paid".to_owned()),
            (300_000, "partially_paid".to_owned()),
        ]);
        // Finance's queue: the pending payments.
        let third = recorded(&app, &rep.token, payment(&app, &order, 100_000)).await;
        assert_eq!(app.list_ids(&format!("/api/v1/payments?order_id={order}&status=pending")).await, [id_of(&third)]);
        assert_eq!(app.list_ids("/api/v1/payments?status=confirmed").await, [id.clone(), id_of(&admin_paid)]);
        let page = app.get_ok(&finance.token, "/api/v1/payments?limit=2").await;
        assert_eq!(ids(&page), [id.clone(), id_of(&admin_paid)]);
        let next = str_of(&page, "next_cursor");
        assert_eq!(app.list_ids(&format!("/api/v1/payments?cursor={next}")).await, [id_of(&third)]);
        let res = app.get("/api/v1/payments?status=refunded").token(&finance.token).send().await;
        res.assert_problem(400, "bad_request");
    }

    async fn a_payment_beyond_the_outstanding_balance_is_refused_and_changes_nothing(app) {
        let rep = app.user("rep", None, None).await;
        let finance = app.user("finance", None, None).await;
        let order = id_of(&app.active_order(&rep).await);
        put_plan(&app, &rep.token, &order, three_instalments(&app)).await;
        let before = money_of(&app, &order).await;

        let res = record(&app, &rep.token, payment(&app, &order, 1_000_001)).await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), ["amount"]);
        assert_eq!(res.body["errors"][0]["code"], "exceeds_outstanding");
        assert_eq!(res.body["errors"][0]["message"], "must be at most 1000000, the order's outstanding balance");

        let mut cases = vec![
            (json!({ "amount": { "amount": 100, "currency": "USD" } }), "amount.currency"),
            (json!({ "amount": cny(0) }), "amount.amount"),
            (json!({ "amount": cny(-5) }), "amount.amount"),
            (json!({ "received_at": day(&app, 1) }), "received_at"),
            (json!({ "instalment_id": "0190f0c2-7000-7000-8000-00000000ffff" }), "instalment_id"),
            (json!({ "reference": "r".repeat(129) }), "reference"),
            (json!({ "order_id": "0190f0c2-7000-7000-8000-00000000ffff" }), "order_id"),
        ];
        let other = id_of(&app.active_order(&rep).await);
        let foreign = put_plan(&app, &rep.token, &other, three_instalments(&app)).await.body;
        cases.push((json!({ "instalment_id": str_of(&foreign["instalments"][0], "id") }), "instalment_id"));
        for (change, field) in cases {
            let mut body = payment(&app, &order, 100_000);
            for (k, v) in change.as_object().expect("object") {
                body[k] = v.clone();
            }
            let res = record(&app, &rep.token, body).await;
            res.assert_problem(422, "validation");
            assert_eq!(res.error_fields(), [field], "{change}: {}", res.body);
        }
        let mut barter = payment(&app, &order, 1);
        barter["method"] = json!("barter");
        let res = record(&app, &rep.token, barter).await;
        res.assert_problem(422, "validation");
        assert_eq!(money_of(&app, &order).await, before, "refused payments changed nothing");

        // Pending payments use up the balance: what is left is the outstanding less them.
        let first = recorded(&app, &rep.token, payment(&app, &order, 600_000)).await;
        let before = money_of(&app, &order).await;
        let res = record(&app, &rep.token, payment(&app, &order, 400_001)).await;
        res.assert_problem(422, "validation");
        assert_eq!(res.body["errors"][0]["code"], "exceeds_outstanding");
        assert_eq!(
            res.body["errors"][0]["message"],
            "must be at most 400000: the order's outstanding balance less 600000 awaiting confirmation"
        );
        assert_eq!(money_of(&app, &order).await, before);
        let second = recorded(&app, &rep.token, payment(&app, &order, 400_000)).await;
        let res = record(&app, &rep.token, payment(&app, &order, 1)).await;
        assert_eq!(res.body["errors"][0]["code"], "exceeds_outstanding", "{}", res.body);

        // Confirmation checks again, against confirmed money: here the order was settled
        // behind the app's back.
        app.with_conn(|c| {
            use diesel::prelude::*;
            diesel::update(orders::table.find(&order)).set(orders::collected.eq(500_000_i64)).execute(c)
        })
        .expect("store collected money");
        let before = money_of(&app, &order).await;
        let res = confirm(&app, &finance.token, &id_of(&first)).await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), ["amount"]);
        assert_eq!(res.body["errors"][0]["message"], "must be at most 500000, the order's outstanding balance");
        assert_eq!(money_of(&app, &order).await, before, "the refused confirmation changed nothing");
        let res = confirm(&app, &finance.token, &id_of(&second)).await;
        assert_eq!(res.status, 200, "{}", res.body);
    }

    async fn only_active_and_fulfilled_orders_take_payments(app) {
        let rep = app.user("rep", None, None).await;
        let draft = id_of(&app.draft_order(&rep).await);
        let before = money_of(&app, &draft).await;
        let res = record(&app, &rep.token, payment(&app, &draft, 100_000)).await;
        res.assert_problem(409, "invalid_transition");
        assert_eq!(res.body["detail"], "an order that is draft takes no payments; only active and fulfilled orders do");
        assert_eq!(money_of(&app, &draft).await, before);

        let active = id_of(&app.active_order(&rep).await);
        let pending = recorded(&app, &rep.token, payment(&app, &active, 100_000)).await;
        // Nothing is collected yet, so the order may be cancelled; its pending payment is voided with it.
        let res = order_command(&app, &rep.token, &active, "cancel", Some(json!({ "reason": "Lost" }))).await;
        assert_eq!(res.status, 200, "{}", res.body);
        let voided = app.get_ok(&app.admin_token, &format!("/api/v1/payments/{}", id_of(&pending))).await;
        assert_eq!(voided["status"], "voided");
        let trail = app.audit_trail(&app.admin_token, "payment", &id_of(&pending)).await;
        assert!(trail["data"].as_array().expect("events").iter().any(|e| e["action"] == "void"), "{trail}");
        let before = money_of(&app, &active).await;
        record(&app, &rep.token, payment(&app, &active, 100_000)).await.assert_problem(409, "invalid_transition");
        let res = confirm(&app, &app.admin_token, &id_of(&pending)).await;
        res.assert_problem(409, "invalid_transition");
        assert_eq!(res.body["detail"], "the payment is voided: its order was cancelled while it waited");
        assert_eq!(money_of(&app, &active).await, before);
        let listed = app.get_ok(&app.admin_token, &format!("/api/v1/payments?order_id={active}&status=voided")).await;
        assert_eq!(ids(&listed), vec![id_of(&pending)]);
    }

    async fn a_refund_reopens_the_latest_due_instalments_and_is_bounded_by_the_payment(app) {
        let rep = app.user("rep", None, None).await;
        let finance = app.user("finance", None, None).await;
        let order = id_of(&app.active_order(&rep).await);
        put_plan(&app, &rep.token, &order, three_instalments(&app)).await;
        let paid = collect(&app, &rep, &finance, &order, 500_000).await;
        let id = id_of(&paid);
        assert_eq!(settled(&plan_of(&app, &order).await), [
            (300_000, "paid".to_owned()),
            (200_000, "partially_paid".to_owned()),
            (0, "pending".to_owned()),
        ]);

        // Refused: a rep, a pending payment, more than the payment has, another currency, none.
        let before = money_of(&app, &order).await;
        refund(&app, &rep.token, &id, 100).await.assert_problem(403, "forbidden");
        let pending = recorded(&app, &rep.token, payment(&app, &order, 100_000)).await;
        let before_pending = money_of(&app, &order).await;
        let res = refund(&app, &finance.token, &id_of(&pending), 100).await;
        res.assert_problem(409, "invalid_transition");
        assert_eq!(res.body["detail"], "a payment that is pending cannot be refunded; only confirmed money can");
        let res = refund(&app, &finance.token, &id, 500_001).await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), ["amount"]);
        assert_eq!(res.body["errors"][0]["code"], "exceeds_remaining");
        let res = refund(&app, &finance.token, &id, 0).await;
        assert_eq!(res.error_fields(), ["amount.amount"], "{}", res.body);
        let usd = json!({ "payment_id": id, "amount": { "amount": 100, "currency": "USD" }, "reason": "x" });
        let res = app.post("/api/v1/refunds").token(&finance.token).json(usd).send().await;
        assert_eq!(res.error_fields(), ["amount.currency"], "{}", res.body);
        let blank = json!({ "payment_id": id, "amount": cny(100), "reason": " " });
        let res = app.post("/api/v1/refunds").token(&finance.token).json(blank).send().await;
        assert_eq!(res.error_fields(), ["reason"], "{}", res.body);
        let res = refund(&app, &finance.token, "0190f0c2-7000-7000-8000-00000000ffff", 100).await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), ["payment_id"]);
        assert_eq!(money_of(&app, &order).await, before_pending, "refused refunds changed nothing");
        assert_eq!(before["order"], before_pending["order"]);

        // 250000 back: the latest due instalment the payment settled first, the second, then the first.
        let res = refund(&app, &finance.token, &id, 250_000).await;
        assert_eq!(res.status, 201, "{}", res.body);
        assert_eq!(res.header("location"), Some(format!("/api/v1/refunds/{}", id_of(&res.body)).as_str()));
        let made = res.body;
        assert_eq!((&made["payment_id"], &made["order_id"]), (&json!(id), &json!(order)));
        assert_eq!((&made["amount"], &made["reason"]), (&cny(250_000), &json!("Licences returned")));
        assert_eq!((&made["refunded_on"], &made["created_by"]), (&json!(day(&app, 0)), &json!(finance.id)));
        let plan = plan_of(&app, &order).await;
        assert_eq!(settled(&plan), [
            (250_000, "partially_paid".to_owned()),
            (0, "pending".to_owned()),
            (0, "pending".to_owned()),
        ]);
        assert_eq!((&plan["paid"], &plan["outstanding"]), (&cny(250_000), &cny(750_000)));
        let got = app.get_ok(&rep.token, &format!("/api/v1/payments/{id}")).await;
        assert_eq!((&got["refunded"], &got["refundable"], &got["version"]), (&cny(250_000), &cny(250_000), &json!(3)));
        let got = app.get_ok(&rep.token, &format!("/api/v1/orders/{order}")).await;
        let money = (&got["collected"], &got["refunded"], &got["outstanding"]);
        assert_eq!(money, (&cny(500_000), &cny(250_000), &cny(750_000)));
        assert_eq!(actions(&app, "payment", &id).await, ["create", "confirm", "refund"]);
        assert_eq!(actions(&app, "order", &order).await.last().map(String::as_str), Some("refund"));

        // What is left of the payment bounds the next refund.
        let before = money_of(&app, &order).await;
        let res = refund(&app, &finance.token, &id, 250_001).await;
        let message = "must be at most 250000, what remains of the payment after its refunds";
        assert_eq!(res.body["errors"][0]["message"], message);
        assert_eq!(money_of(&app, &order).await, before);
        let last = refund(&app, &app.admin_token, &id, 250_000).await;
        assert_eq!(last.status, 201, "{}", last.body);
        assert_eq!(settled(&plan_of(&app, &order).await)[0], (0, "pending".to_owned()));

        let listed = app.get_ok(&rep.token, &format!("/api/v1/refunds?payment_id={id}")).await;
        assert_eq!(ids(&listed), [id_of(&made), id_of(&last.body)]);
        assert_eq!(app.get_ok(&rep.token, &format!("/api/v1/refunds/{}", id_of(&made))).await, made);
        let page = app.get_ok(&rep.token, "/api/v1/refunds?limit=1").await;
        assert_eq!(ids(&page), [id_of(&made)]);
        assert!(page["next_cursor"].is_string());
        assert!(app.list_ids(&format!("/api/v1/refunds?payment_id={}", id_of(&pending))).await.is_empty());
    }

    async fn an_order_with_collected_money_is_cancelled_only_once_it_is_refunded(app) {
        let rep = app.user("rep", None, None).await;
        let finance = app.user("finance", None, None).await;
        let order = id_of(&app.active_order(&rep).await);
        let paid = collect(&app, &rep, &finance, &order, 300_000).await;
        let before = money_of(&app, &order).await;
        let reason = Some(json!({ "reason": "Customer withdrew" }));
        let res = order_command(&app, &rep.token, &order, "cancel", reason.clone()).await;
        res.assert_problem(409, "invalid_transition");
        let detail = "an order that is active cannot be cancelled: money was collected on it; refund it first";
        assert_eq!(res.body["detail"], detail);
        assert_eq!(money_of(&app, &order).await, before);
        // Without a plan, confirmed money settles no instalment, and comes back whole.
        assert_eq!(refund(&app, &finance.token, &id_of(&paid), 300_000).await.status, 201);
        let res = order_command(&app, &rep.token, &order, "cancel", reason).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!((&res.body["status"], &res.body["outstanding"]), (&json!("cancelled"), &cny(1_000_000)));
        // Nothing is left to refund on a cancelled order, and it takes no more payments.
        let res = refund(&app, &finance.token, &id_of(&paid), 1).await;
        res.assert_problem(409, "invalid_transition");
    }

    async fn an_order_completes_only_when_fulfilled_and_fully_collected(app) {
        let rep = app.user("rep", None, None).await;
        let finance = app.user("finance", None, None).await;
        let order = app.active_order(&rep).await;
        let id = id_of(&order);
        let first = collect(&app, &rep, &finance, &id, 600_000).await;
        // Active: not fully delivered.
        let res = order_command(&app, &rep.token, &id, "complete", None).await;
        res.assert_problem(409, "invalid_transition");
        let line = str_of(&order["lines"][0], "id");
        let delivery = json!({ "shipped_at": day(&app, 0), "lines": [{ "order_line_id": line, "quantity": "10" }] });
        let res = app.post(&format!("/api/v1/orders/{id}/deliveries")).token(&rep.token).json(delivery).send().await;
        assert_eq!(res.status, 201, "{}", res.body);
        assert_eq!(app.get_ok(&rep.token, &format!("/api/v1/orders/{id}")).await["status"], "fulfilled");
        // Fulfilled, but 400000 is still to collect.
        let before = money_of(&app, &id).await;
        let res = order_command(&app, &rep.token, &id, "complete", None).await;
        res.assert_problem(409, "invalid_transition");
        assert_eq!(res.body["detail"], "an order that is fulfilled cannot be completed: it is not fully collected");
        assert_eq!(money_of(&app, &id).await, before);
        // A fulfilled order takes payments; once the rest is collected it completes.
        collect(&app, &rep, &finance, &id, 400_000).await;
        let res = order_command(&app, &rep.token, &id, "complete", None).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!((&res.body["status"], &res.body["outstanding"]), (&json!("completed"), &cny(0)));
        // A completed order is settled: no more payments, refunds or plans.
        let before = money_of(&app, &id).await;
        record(&app, &rep.token, payment(&app, &id, 1)).await.assert_problem(409, "invalid_transition");
        let res = refund(&app, &finance.token, &id_of(&first), 1).await;
        res.assert_problem(409, "invalid_transition");
        let detail = "an order that is completed takes no refunds; only active and fulfilled orders do";
        assert_eq!(res.body["detail"], detail);
        put_plan(&app, &rep.token, &id, three_instalments(&app)).await.assert_problem(409, "invalid_transition");
        assert_eq!(money_of(&app, &id).await, before);
    }

    async fn payments_and_refunds_of_another_reps_order_are_not_found(app) {
        let rep = app.user("rep", None, None).await;
        let other = app.user("rep", None, None).await;
        let finance = app.user("finance", None, None).await;
        let order = id_of(&app.active_order(&rep).await);
        put_plan(&app, &rep.token, &order, three_instalments(&app)).await;
        let paid = collect(&app, &rep, &finance, &order, 200_000).await;
        let made = refund(&app, &finance.token, &id_of(&paid), 50_000).await.body;
        let before = money_of(&app, &order).await;

        for path in [
            format!("/api/v1/payments/{}", id_of(&paid)),
            format!("/api/v1/refunds/{}", id_of(&made)),
            format!("/api/v1/orders/{order}/payment-plan"),
        ] {
            app.get(&path).token(&other.token).send().await.assert_problem(404, "not_found");
        }
        assert!(ids(&app.get_ok(&other.token, &format!("/api/v1/payments?order_id={order}")).await).is_empty());
        assert!(ids(&app.get_ok(&other.token, "/api/v1/payments").await).is_empty());
        assert!(ids(&app.get_ok(&other.token, "/api/v1/refunds").await).is_empty());
        let res = record(&app, &other.token, payment(&app, &order, 100)).await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), ["order_id"]);
        assert_eq!(res.body["errors"][0]["code"], "unknown");
        put_plan(&app, &other.token, &order, three_instalments(&app)).await.assert_problem(404, "not_found");
        app.get(&format!("/api/v1/audit-events?entity_type=payment&entity_id={}", id_of(&paid)))
            .token(&other.token).send().await.assert_problem(404, "not_found");
        assert_eq!(money_of(&app, &order).await, before);

        // The owner reads them all; so does finance.
        for token in [&rep.token, &finance.token] {
            assert_eq!(pluck(&app.get_ok(token, "/api/v1/payments").await, "id"), [id_of(&paid)]);
            assert_eq!(ids(&app.get_ok(token, "/api/v1/refunds").await), [id_of(&made)]);
        }
        app.get("/api/v1/payments/not-an-id").token(&rep.token).send().await.assert_problem(404, "not_found");
    }
}
