//! Payment plans (回款计划): whoever sees an order writes its plan, which must add up to
//! the order's total in its currency; it may be replaced until money is collected on
//! the order, and refused plans change nothing.

use crate::both_databases;
use crate::fixtures::{id_of, str_of};
use crate::helpers::{TestApp, TestResponse};
use serde_json::{json, Value};

/// `amount` fen.
pub fn cny(amount: i64) -> Value {
    json!({ "amount": amount, "currency": "CNY" })
}

/// The day `offset` days after the app's business day, as `YYYY-MM-DD`.
pub fn day(app: &TestApp, offset: i64) -> String {
    (app.state.business_today() + chrono::TimeDelta::days(offset)).to_string()
}

/// An instalment of `amount` fen due `offset` days from today.
pub fn instalment(app: &TestApp, offset: i64, amount: i64) -> Value {
    json!({ "due_date": day(app, offset), "amount": cny(amount) })
}

/// A plan for a 1000000 fen order: 300000, 300000 and 400000 fen due in 10, 20 and 30 days.
pub fn three_instalments(app: &TestApp) -> Value {
    json!({ "instalments": [instalment(app, 10, 300_000), instalment(app, 20, 300_000), instalment(app, 30, 400_000)] })
}

/// PUT `body` as the plan of order `order_id`, as `token`.
pub async fn put_plan(app: &TestApp, token: &str, order_id: &str, body: Value) -> TestResponse {
    app.put(&format!("/api/v1/orders/{order_id}/payment-plan")).token(token).json(body).send().await
}

/// The plan of order `order_id` as the admin reads it.
pub async fn plan_of(app: &TestApp, order_id: &str) -> Value {
    app.get_ok(&app.admin_token, &format!("/api/v1/orders/{order_id}/payment-plan")).await
}

/// Everything about the money of order `order_id`, as the admin reads it: the order, its
/// plan, its payments and every refund; a refused request must leave it as it was.
pub async fn money_of(app: &TestApp, order_id: &str) -> Value {
    json!({
        "order": app.get_ok(&app.admin_token, &format!("/api/v1/orders/{order_id}")).await,
        "plan": plan_of(app, order_id).await,
        "payments": app.get_ok(&app.admin_token, &format!("/api/v1/payments?order_id={order_id}")).await,
        "refunds": app.get_ok(&app.admin_token, "/api/v1/refunds").await,
    })
}

/// The actions of the audit trail of `entity_type` `id`, oldest first, as the admin reads it.
pub async fn actions(app: &TestApp, entity_type: &str, id: &str) -> Vec<String> {
    crate::fixtures::pluck(&app.audit_trail(&app.admin_token, entity_type, id).await, "action")
}

both_databases! {
    async fn a_plan_that_does_not_add_up_is_refused_field_by_field_and_changes_nothing(app) {
        let rep = app.user("rep", None, None).await;
        let order = id_of(&app.active_order(&rep).await);
        let before = money_of(&app, &order).await;
        assert_eq!(before["plan"]["instalments"], json!([]), "no plan yet");
        let cases = [
            (json!([instalment(&app, 10, 300_000), instalment(&app, 20, 300_000)]), "instalments", "sum_mismatch"),
            (json!([instalment(&app, 10, 1_000_000), instalment(&app, 20, 0)]), "instalments[1].amount", "range"),
            (
                json!([instalment(&app, 10, 1_100_000), instalment(&app, 20, -100_000)]),
                "instalments[1].amount",
                "range",
            ),
            (
                json!([{ "due_date": day(&app, 10), "amount": { "amount": 1_000_000, "currency": "USD" } }]),
                "instalments[0].amount.currency",
                "currency",
            ),
            (
                json!([instalment(&app, 10, 500_000), instalment(&app, 10, 500_000)]),
                "instalments[1].due_date",
                "duplicate_date",
            ),
            (json!([]), "instalments", "length"),
            (
                json!([{ "due_date": day(&app, 10), "amount": cny(1_000_000), "note": "n".repeat(501) }]),
                "instalments[0].note",
                "length",
            ),
        ];
        for (instalments, field, code) in cases {
            let res = put_plan(&app, &rep.token, &order, json!({ "instalments": instalments })).await;
            res.assert_problem(422, "validation");
            assert_eq!(res.error_fields(), vec![field.to_owned()], "{}", res.body);
            assert_eq!(res.body["errors"][0]["code"], code, "{}", res.body);
        }
        let res = put_plan(&app, &rep.token, &order, json!({ "instalments": [instalment(&app, 10, 999_999)] })).await;
        assert_eq!(
            res.body["errors"][0]["message"],
            "the instalments add up to 999999, not the order's total of 1000000"
        );
        assert_eq!(money_of(&app, &order).await, before, "refused plans changed nothing");
    }

    async fn a_plan_is_written_and_replaced_until_money_is_collected_on_the_order(app) {
        let rep = app.user("rep", None, None).await;
        let finance = app.user("finance", None, None).await;
        let order = app.active_order(&rep).await;
        let id = id_of(&order);
        let version = order["version"].as_i64().expect("version") + 1;
        let res = put_plan(&app, &rep.token, &id, three_instalments(&app)).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.header("etag"), Some(format!("W/\"{version}\"").as_str()), "the order's new version");
        let plan = res.body;
        assert_eq!(plan["order_id"], id.as_str());
        assert_eq!(plan["currency"], "CNY");
        assert_eq!((&plan["total"], &plan["paid"], &plan["outstanding"]), (&cny(1_000_000), &cny(0), &cny(1_000_000)));
        let instalments = plan["instalments"].as_array().expect("instalments");
        assert_eq!(instalments.len(), 3);
        for (i, (offset, amount)) in [(10, 300_000), (20, 300_000), (30, 400_000)].into_iter().enumerate() {
            let instalment = &instalments[i];
            assert_eq!(instalment["position"], i + 1);
            assert_eq!(instalment["due_date"], day(&app, offset));
            assert_eq!((&instalment["amount"], &instalment["paid"]), (&cny(amount), &cny(0)));
            assert_eq!(instalment["outstanding"], cny(amount));
            assert_eq!(instalment["status"], "pending");
        }
        // Finance reads it too, with the same ETag; the order moved to that version.
        let path = format!("/api/v1/orders/{id}/payment-plan");
        let got = app.get(&path).token(&finance.token).send().await;
        assert_eq!((got.status.as_u16(), got.header("etag")), (200, Some(format!("W/\"{version}\"").as_str())));
        assert_eq!(got.body, plan);
        assert_eq!(app.get_ok(&rep.token, &format!("/api/v1/orders/{id}")).await["version"], version);
        let trail = app.audit_trail(&rep.token, "order", &id).await;
        let event = trail["data"].as_array().and_then(|events| events.last()).expect("an event");
        assert_eq!(event["action"], "set_payment_plan");
        assert_eq!(event["changes"]["payment_plan"]["before"], json!([]));
        assert_eq!(event["changes"]["payment_plan"]["after"][2]["amount"], cny(400_000));

        // A stale If-Match is refused.
        let stale =
            app.put(&path).token(&rep.token).header("if-match", "W/\"1\"").json(three_instalments(&app)).send().await;
        stale.assert_problem(412, "precondition_failed");
        assert_eq!(plan_of(&app, &id).await, plan);

        // A pending payment named the first instalment; replacing the plan un-names it.
        let first = str_of(&plan["instalments"][0], "id");
        let payment = app.created(&rep.token, "/api/v1/payments", json!({
            "order_id": id, "amount": cny(100_000), "received_at": day(&app, 0), "method": "cash",
            "instalment_id": first
        })).await;
        let halves = json!({ "instalments": [instalment(&app, 15, 500_000), instalment(&app, 45, 500_000)] });
        let current = format!("W/\"{version}\"");
        let res = app.put(&path).token(&finance.token).header("if-match", &current).json(halves).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        let replaced = res.body;
        assert_eq!(replaced["instalments"].as_array().map(Vec::len), Some(2));
        assert!(replaced["instalments"].as_array().expect("list").iter().all(|i| i["id"] != first));
        let payment_path = format!("/api/v1/payments/{}", id_of(&payment));
        let detached = app.get_ok(&rep.token, &payment_path).await;
        assert_eq!((&detached["instalment_id"], &detached["version"]), (&Value::Null, &json!(2)));
        assert_eq!(actions(&app, "payment", &id_of(&payment)).await, ["create", "detach_instalment"]);

        // Once a payment is confirmed, the plan is fixed.
        let res = app.post(&format!("{payment_path}/confirm")).token(&finance.token).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        let fixed = money_of(&app, &id).await;
        let res = put_plan(&app, &rep.token, &id, three_instalments(&app)).await;
        res.assert_problem(409, "invalid_transition");
        assert_eq!(res.body["detail"], "money was collected on the order, so its payment plan is fixed");
        assert_eq!(money_of(&app, &id).await, fixed, "the refused plan changed nothing");
    }

    async fn a_plan_needs_an_order_in_scope_that_is_neither_cancelled_nor_completed(app) {
        let rep = app.user("rep", None, None).await;
        let other = app.user("rep", None, None).await;
        let draft = app.draft_order(&rep).await;
        let id = id_of(&draft);
        app.get(&format!("/api/v1/orders/{id}/payment-plan")).token(&other.token).send().await
            .assert_problem(404, "not_found");
        put_plan(&app, &other.token, &id, three_instalments(&app)).await.assert_problem(404, "not_found");
        assert_eq!(plan_of(&app, &id).await["instalments"], json!([]));

        // A draft is planned ahead; a change of its lines that changes its total drops the plan.
        let res = put_plan(&app, &rep.token, &id, three_instalments(&app)).await;
        assert_eq!(res.status, 200, "{}", res.body);
        let order_path = format!("/api/v1/orders/{id}");
        let res = app.patch(&order_path).token(&rep.token).json(json!({ "notes": "Signed" })).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(plan_of(&app, &id).await["instalments"].as_array().map(Vec::len), Some(3), "the total stayed");
        let product = str_of(&draft["lines"][0], "product_id");
        let lines = json!({ "lines": [{ "product_id": product, "quantity": "5", "discount_bps": 0 }] });
        let res = app.patch(&order_path).token(&rep.token).json(lines).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["total"], cny(500_000));
        let plan = plan_of(&app, &id).await;
        assert_eq!((&plan["instalments"], &plan["total"]), (&json!([]), &cny(500_000)));
        let trail = actions(&app, "order", &id).await;
        assert_eq!(trail[trail.len() - 2..], ["discard_payment_plan", "update"]);

        // A cancelled order takes no plan.
        let cancel = json!({ "reason": "Lost" });
        let res = app.post(&format!("{order_path}/cancel")).token(&rep.token).json(cancel).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        let before = money_of(&app, &id).await;
        let half = json!({ "instalments": [instalment(&app, 10, 500_000)] });
        let res = put_plan(&app, &rep.token, &id, half).await;
        res.assert_problem(409, "invalid_transition");
        assert_eq!(res.body["detail"], "an order that is cancelled takes no payment plan");
        assert_eq!(money_of(&app, &id).await, before);
    }
}
