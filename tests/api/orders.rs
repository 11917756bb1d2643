//! Orders: made directly or from an accepted quote, numbered without duplicates under
//! concurrency, the draft-only edits, submission and approval (discount and threshold),
//! activation with its booking date and the opportunity's win, deliveries up to what is
//! open, fulfilment, cancellation and completion, and scope.

use crate::both_databases;
use crate::fixtures::{id_of, ids, str_of};
use crate::helpers::{TestApp, TestResponse, TestUser};
use serde_json::{json, Value};

/// A product priced `price` fen with 6% tax, by the admin; its id.
async fn product(app: &TestApp, sku: &str, price: i64) -> String {
    let body = json!({
        "sku": sku, "name": format!("Product {sku}"), "unit": "license",
        "list_price": { "amount": price, "currency": "CNY" }, "tax_rate_bps": 600
    });
    id_of(&app.created(&app.admin_token, "/api/v1/products", body).await)
}

fn money(amount: i64) -> Value {
    json!({ "amount": amount, "currency": "CNY" })
}

/// A rep reporting to a manager of the same department, an account of the rep's, and a product.
struct Team {
    rep: TestUser,
    manager: TestUser,
    account: String,
    product: String,
}

async fn team(app: &TestApp) -> Team {
    let department = app.department("Sales", None);
    let manager = app.user("manager", Some(&department), None).await;
    let rep = app.user("rep", Some(&department), Some(&manager.id)).await;
    let account = app.account("Acme", Some(&rep.id));
    let product = product(app, &format!("P-{}", &rep.id[rep.id.len() - 6..]), 10_000).await;
    Team { rep, manager, account, product }
}

/// A direct draft order of `quantity` × the team's product at `discount_bps`, by the rep.
async fn order(app: &TestApp, t: &Team, quantity: &str, discount_bps: i32) -> Value {
    let body = json!({
        "account_id": t.account, "currency": "CNY",
        "lines": [{ "product_id": t.product, "quantity": quantity, "discount_bps": discount_bps }]
    });
    app.created(&t.rep.token, "/api/v1/orders", body).await
}

/// `POST /orders/{id}/{command}` by `token` with `body`.
async fn command(app: &TestApp, token: &str, id: &str, command: &str, body: Option<Value>) -> TestResponse {
    app.post(&format!("/api/v1/orders/{id}/{command}")).token(token).maybe_json(body).send().await
}

/// Run `command` and assert 200; the order after it.
async fn ok(app: &TestApp, token: &str, id: &str, name: &str, body: Option<Value>) -> Value {
    let res = command(app, token, id, name, body).await;
    assert_eq!(res.status, 200, "{name}: {}", res.body);
    res.body
}

fn today() -> chrono::NaiveDate {
    // The business day in Asia/Shanghai (UTC+8, no daylight saving).
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

both_databases! {
    async fn a_direct_order_is_a_priced_draft_numbered_by_the_order_rule(app) {
        let t = team(&app).await;
        let o = order(&app, &t, "2.5", 500).await;
        assert_eq!(o["status"], "draft");
        let number = str_of(&o, "number");
        assert_eq!(number, format!("SO-{}-0001", today().format("%Y%m%d")));
        assert_eq!(o["owner_id"], t.rep.id.as_str());
        assert_eq!(o["account_id"], t.account.as_str());
        // 2.5 × 100.00 = 250.00; 5% off = 12.50; net 237.50; 6% tax = 14.25.
        assert_eq!(o["subtotal"], money(25_000));
        assert_eq!(o["discount"], money(1_250));
        assert_eq!(o["tax"], money(1_425));
        assert_eq!(o["total"], money(25_175));
        assert_eq!(o["collected"], money(0));
        assert_eq!(o["outstanding"], money(25_175));
        assert_eq!(o["lines"][0]["delivered"], "0");
        assert_eq!(o["lines"][0]["open"], "2.5");
        assert_eq!(o["booked_at"], Value::Null);
        let got = app.get(&format!("/api/v1/orders/{}", id_of(&o))).token(&t.rep.token).send().await;
        assert_eq!(got.status, 200);
        assert_eq!(got.header("etag"), Some("W/\"1\""));
        assert_eq!(got.body, o);
        assert_eq!(app.audit_trail(&t.rep.token, "order", &id_of(&o)).await["data"][0]["action"], "create");
    }

    async fn orders_made_at_once_get_distinct_numbers(app) {
        let t = team(&app).await;
        let body = json!({
            "account_id": t.account, "currency": "CNY",
            "lines": [{ "product_id": t.product, "quantity": "1" }]
        });
        let requests = (0..8).map(|_| app.post("/api/v1/orders").token(&t.rep.token).json(body.clone()).send());
        let results = futures_util::future::join_all(requests).await;
        let mut numbers: Vec<String> = results
            .iter()
            .map(|r| {
                assert_eq!(r.status, 201, "{}", r.body);
                str_of(&r.body, "number").to_owned()
            })
            .collect();
        numbers.sort();
        let day = today().format("%Y%m%d");
        let expected: Vec<String> = (1..=8).map(|n| format!("SO-{day}-{n:04}")).collect();
        assert_eq!(numbers, expected, "no duplicate and no gap");
    }

    async fn refused_order_input_names_the_field_and_creates_nothing(app) {
        let t = team(&app).await;
        let stranger = app.user("rep", None, None).await;
        let theirs = app.account("Theirs", Some(&stranger.id));
        let other_account = app.account("Other", Some(&t.rep.id));
        let opportunity = app.opportunity(&t.rep.id, Some(&other_account), |_| {});
        let line = json!([{ "product_id": t.product, "quantity": "1" }]);
        let cases = [
            (json!({}), vec!["account_id", "currency", "lines"], "required"),
            (json!({ "account_id": theirs, "currency": "CNY", "lines": line }), vec!["account_id"], "unknown"),
            (json!({ "account_id": t.account, "opportunity_id": opportunity, "currency": "CNY", "lines": line }), vec!["opportunity_id"], "mismatch"),
            (json!({ "account_id": t.account, "currency": "cny", "lines": line }), vec!["currency"], "currency"),
            (json!({ "account_id": t.account, "currency": "CNY", "lines": [{ "product_id": t.product, "quantity": "-1" }] }), vec!["lines[0].quantity"], "invalid_quantity"),
            (json!({ "account_id": t.account, "currency": "CNY", "lines": line, "start_date": "2027-02-01", "end_date": "2027-01-01" }), vec!["end_date"], "range"),
            (json!({ "account_id": t.account, "currency": "CNY", "lines": line, "owner_id": "0190f0c2-7000-7000-8000-00000000ffff" }), vec![], "forbidden"),
        ];
        for (body, fields, code) in cases {
            let res = app.post("/api/v1/orders").token(&t.rep.token).json(body.clone()).send().await;
            if code == "forbidden" {
                res.assert_problem(403, "forbidden");
                continue;
            }
            res.assert_problem(422, "validation");
            assert_eq!(res.error_fields(), fields, "{body}");
            assert_eq!(res.body["errors"][0]["code"], code, "{body}");
        }
        // A manager names an owner only within their scope.
        let res = app.post("/api/v1/orders").token(&t.manager.token)
            .json(json!({ "account_id": t.account, "currency": "CNY", "lines": line, "owner_id": stranger.id })).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["owner_id"]);
        let finance = app.user("finance", None, None).await;
        app.post("/api/v1/orders").token(&finance.token)
            .json(json!({ "account_id": t.account, "currency": "CNY", "lines": line })).send().await
            .assert_problem(403, "forbidden");
        assert_eq!(app.total("/api/v1/orders").await, 0, "nothing was created");
        let by_manager = app.created(&t.manager.token, "/api/v1/orders",
            json!({ "account_id": t.account, "currency": "CNY", "lines": line, "owner_id": t.rep.id })).await;
        assert_eq!(by_manager["owner_id"], t.rep.id.as_str());
        assert_eq!(by_manager["created_by"], t.manager.id.as_str());
    }

    async fn an_accepted_quote_becomes_one_order_at_its_quoted_prices(app) {
        let t = team(&app).await;
        let opportunity = app.opportunity(&t.rep.id, Some(&t.account), |o| o.amount = Some(50_000));
        let valid_until = (today() + chrono::Duration::days(30)).to_string();
        let quote = app.created(&t.rep.token, "/api/v1/quotes", json!({
            "opportunity_id": opportunity, "valid_until": valid_until,
            "lines": [{ "product_id": t.product, "quantity": "3", "unit_price": { "amount": 9_000, "currency": "CNY" }, "discount_bps": 500 }]
        })).await;
        let quote_id = id_of(&quote);
        let res = app.post("/api/v1/orders").token(&t.rep.token).json(json!({ "quote_id": quote_id })).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.body["errors"][0]["code"], "not_accepted");
        for name in ["submit", "send", "accept"] {
            let res = app.post(&format!("/api/v1/quotes/{quote_id}/{name}")).token(&t.rep.token).send().await;
            assert_eq!(res.status, 200, "{name}: {}", res.body);
        }
        // The list price changes after the quote: the order keeps the quoted figures.
        let res = app.patch(&format!("/api/v1/products/{}", t.product)).token(&app.admin_token)
            .json(json!({ "list_price": { "amount": 1, "currency": "CNY" } })).send().await;
        assert_eq!(res.status, 200);
        let res = app.post("/api/v1/orders").token(&t.rep.token)
            .json(json!({ "quote_id": quote_id, "currency": "CNY", "lines": [] })).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["currency", "lines"]);
        assert_eq!(res.body["errors"][0]["code"], "not_allowed");
        let o = app.created(&t.rep.token, "/api/v1/orders", json!({ "quote_id": quote_id, "signed_at": today().to_string() })).await;
        assert_eq!(o["quote_id"], quote_id.as_str());
        assert_eq!(o["opportunity_id"], opportunity.as_str());
        assert_eq!(o["account_id"], t.account.as_str());
        assert_eq!(o["total"], quote["total"]);
        assert_eq!(o["lines"][0]["unit_price"], money(9_000));
        assert_eq!(o["lines"][0]["discount_bps"], 500);
        let again = app.post("/api/v1/orders").token(&t.rep.token).json(json!({ "quote_id": quote_id })).send().await;
        again.assert_problem(422, "validation");
        assert_eq!(again.body["errors"][0]["code"], "taken");

        // Submitting activates it (5% is within a rep's authority): booked today, the deal won.
        let active = ok(&app, &t.rep.token, &id_of(&o), "submit", None).await;
        assert_eq!(active["status"], "active");
        assert_eq!(active["booked_at"], today().to_string());
        assert_eq!(active["approval_request_id"], Value::Null);
        let deal = app.get_ok(&t.rep.token, &format!("/api/v1/opportunities/{opportunity}")).await;
        assert_eq!(deal["status"], "won");
    }

    async fn a_discount_beyond_authority_waits_for_the_manager_and_a_decline_returns_a_draft(app) {
        let t = team(&app).await;
        let o = order(&app, &t, "1", 1500).await;
        let id = id_of(&o);
        command(&app, &t.rep.token, &id, "activate", None).await.assert_problem(409, "invalid_transition");
        let pending = ok(&app, &t.rep.token, &id, "submit", None).await;
        assert_eq!(pending["status"], "pending_approval");
        assert_eq!(pending["booked_at"], Value::Null);
        let inbox = app.get_ok(&t.manager.token, "/api/v1/approval-requests?approver_id=me&status=pending").await;
        assert_eq!(ids(&inbox), vec![str_of(&pending, "approval_request_id").to_owned()]);
        command(&app, &t.rep.token, &id, "approve", None).await.assert_problem(403, "forbidden");
        command(&app, &t.rep.token, &id, "decline", Some(json!({ "comment": "mine" }))).await.assert_problem(403, "forbidden");
        let res = command(&app, &t.manager.token, &id, "decline", Some(json!({ "comment": "no" }))).await;
        assert_eq!(res.status, 200);
        assert_eq!(res.body["status"], "draft");
        let res = app.patch(&format!("/api/v1/orders/{id}")).token(&t.rep.token)
            .json(json!({ "notes": "resubmitted" })).send().await;
        assert_eq!(res.status, 200, "a declined order is a draft again");
        ok(&app, &t.rep.token, &id, "submit", None).await;
        let active = ok(&app, &t.manager.token, &id, "approve", None).await;
        assert_eq!(active["status"], "active");
        assert_eq!(active["booked_at"], today().to_string());
        command(&app, &t.manager.token, &id, "approve", None).await.assert_problem(409, "invalid_transition");
        let actions: Vec<String> = app.audit_trail(&t.rep.token, "order", &id).await["data"].as_array().expect("events")
            .iter().filter_map(|e| e["action"].as_str().map(str::to_owned)).collect();
        assert_eq!(actions, vec!["create", "submit", "decline", "update", "submit", "approve"]);
    }

    async fn a_total_above_the_threshold_needs_an_admin(app) {
        let app = app.replica(|s| s.order_approval_threshold = Some(20_000)).await;
        let director = app.user("admin", None, None).await;
        let department = app.department("Sales", None);
        let manager = app.user("manager", Some(&department), Some(&director.id)).await;
        let rep = app.user("rep", Some(&department), Some(&manager.id)).await;
        let account = app.account("Big", Some(&rep.id));
        let product = product(&app, "BIG", 10_000).await;
        let lines = |q: &str| json!([{ "product_id": product, "quantity": q }]);
        let small = app.created(&rep.token, "/api/v1/orders", json!({ "account_id": account, "currency": "CNY", "lines": lines("1") })).await;
        assert_eq!(ok(&app, &rep.token, &id_of(&small), "submit", None).await["status"], "active", "106.00 is under the threshold");
        let big = app.created(&rep.token, "/api/v1/orders", json!({ "account_id": account, "currency": "CNY", "lines": lines("3") })).await;
        let pending = ok(&app, &rep.token, &id_of(&big), "submit", None).await;
        assert_eq!(pending["status"], "pending_approval");
        let request = app.get_ok(&rep.token, &format!("/api/v1/approval-requests/{}", str_of(&pending, "approval_request_id"))).await;
        let approvers: Vec<&str> = request["steps"].as_array().expect("steps").iter().filter_map(|s| s["approver_id"].as_str()).collect();
        assert_eq!(approvers, vec![manager.id.as_str(), director.id.as_str()], "up to an unlimited authority");
        // An order in another currency cannot be measured against it without FX: an admin approves it.
        let usd = app.created(&rep.token, "/api/v1/orders", json!({ "account_id": account, "currency": "USD",
            "lines": [{ "product_id": product, "quantity": "1", "unit_price": { "amount": 100, "currency": "USD" } }] })).await;
        assert_eq!(ok(&app, &rep.token, &id_of(&usd), "submit", None).await["status"], "pending_approval");
        // An unlimited discount authority is not an admin: the manager still cannot approve a large
        // total; and an admin covers it whatever authority admins are configured with.
        for (role, limit) in [("manager", Value::Null), ("admin", json!(0))] {
            let res = app.put(&format!("/api/v1/discount-authorities/{role}")).token(&app.admin_token)
                .json(json!({ "max_discount_bps": limit })).send().await;
            assert_eq!(res.status, 200, "{}", res.body);
        }
        let large = app.created(&rep.token, "/api/v1/orders", json!({ "account_id": account, "currency": "CNY", "lines": lines("3") })).await;
        let pending = ok(&app, &rep.token, &id_of(&large), "submit", None).await;
        let request = app.get_ok(&rep.token, &format!("/api/v1/approval-requests/{}", str_of(&pending, "approval_request_id"))).await;
        assert_eq!(request["steps"].as_array().map(Vec::len), Some(2), "{request}");
        let own = app.created(&manager.token, "/api/v1/orders", json!({ "account_id": account, "currency": "CNY", "lines": lines("3"), "owner_id": rep.id })).await;
        command(&app, &manager.token, &id_of(&own), "activate", None).await.assert_problem(409, "invalid_transition");
        assert_eq!(ok(&app, &director.token, &id_of(&own), "activate", None).await["status"], "active");
        // Without an admin up the line, nobody may approve it.
        let lone = app.user("rep", Some(&department), None).await;
        let lone_account = app.account("Lone", Some(&lone.id));
        let refused = app.created(&lone.token, "/api/v1/orders", json!({ "account_id": lone_account, "currency": "CNY", "lines": lines("3") })).await;
        let res = command(&app, &lone.token, &id_of(&refused), "submit", None).await;
        res.assert_problem(422, "validation");
        assert_eq!(res.body["errors"][0]["code"], "no_approver");
        assert_eq!(app.get_ok(&lone.token, &format!("/api/v1/orders/{}", id_of(&refused))).await["status"], "draft");
    }

    async fn activation_books_today_or_a_back_date_given_by_finance(app) {
        let t = team(&app).await;
        let o = order(&app, &t, "1", 0).await;
        let id = id_of(&o);
        let past = (today() - chrono::Duration::days(40)).to_string();
        let future = (today() + chrono::Duration::days(1)).to_string();
        command(&app, &t.rep.token, &id, "activate", Some(json!({ "booked_at": past }))).await.assert_problem(403, "forbidden");
        let finance = app.user("finance", None, None).await;
        let res = command(&app, &finance.token, &id, "activate", Some(json!({ "booked_at": future }))).await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["booked_at"]);
        assert_eq!(app.get_ok(&t.rep.token, &format!("/api/v1/orders/{id}")).await, o, "refusals change nothing");
        let active = ok(&app, &finance.token, &id, "activate", Some(json!({ "booked_at": past }))).await;
        assert_eq!(active["status"], "active");
        assert_eq!(active["booked_at"], past);
        let listed = app.get_ok(&t.rep.token, &format!("/api/v1/orders?booked_from={past}&booked_to={past}&status=active")).await;
        assert_eq!(ids(&listed), vec![id.clone()]);
        command(&app, &t.rep.token, &id, "activate", None).await.assert_problem(409, "invalid_transition");
        command(&app, &t.rep.token, &id, "submit", None).await.assert_problem(409, "invalid_transition");
        let url = format!("/api/v1/orders/{id}");
        app.patch(&url).token(&t.rep.token).json(json!({ "notes": "late" })).send().await.assert_problem(409, "invalid_transition");
        let draft = order(&app, &t, "1", 0).await;
        let draft_url = format!("/api/v1/orders/{}", id_of(&draft));
        let res = app.patch(&draft_url).token(&t.rep.token).json(json!({ "notes": "x".repeat(10_001) })).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["notes"]);
        let res = app.patch(&draft_url).token(&t.rep.token).json(json!({ "end_date": "2020-01-01", "start_date": "2020-02-01" })).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["end_date"]);
        assert_eq!(app.get_ok(&t.rep.token, &draft_url).await, draft, "refused patches change nothing");
        app.delete(&url).token(&t.rep.token).send().await.assert_problem(409, "invalid_transition");
    }

    async fn deliveries_ship_what_is_open_and_the_last_one_fulfils_the_order(app) {
        let t = team(&app).await;
        let o = order(&app, &t, "10", 0).await;
        let id = id_of(&o);
        let line_id = str_of(&o["lines"][0], "id").to_owned();
        let url = format!("/api/v1/orders/{id}/deliveries");
        let ship = |quantity: &str| json!({ "shipped_at": today().to_string(), "lines": [{ "order_line_id": line_id, "quantity": quantity }] });
        app.post(&url).token(&t.rep.token).json(ship("1")).send().await.assert_problem(409, "invalid_transition");
        ok(&app, &t.rep.token, &id, "submit", None).await;
        let first = app.post(&url).token(&t.rep.token).json(ship("4")).send().await;
        assert_eq!(first.status, 201, "{}", first.body);
        assert_eq!(first.body["lines"][0]["quantity"], "4");
        let order_now = app.get_ok(&t.rep.token, &format!("/api/v1/orders/{id}")).await;
        assert_eq!(order_now["status"], "active");
        assert_eq!(order_now["lines"][0]["delivered"], "4");
        assert_eq!(order_now["lines"][0]["open"], "6");
        let over = app.post(&url).token(&t.rep.token).json(ship("6.001")).send().await;
        over.assert_problem(422, "validation");
        assert_eq!(over.error_fields(), vec!["lines[0].quantity"]);
        assert_eq!(over.body["errors"][0]["code"], "exceeds_open");
        let twice = app.post(&url).token(&t.rep.token).json(json!({ "shipped_at": today().to_string(), "lines": [
            { "order_line_id": line_id, "quantity": "1" }, { "order_line_id": line_id, "quantity": "1" }
        ] })).send().await;
        twice.assert_problem(422, "validation");
        assert_eq!(twice.error_fields(), vec!["lines[1].order_line_id"]);
        let garbled = app.post(&url).token(&t.rep.token).json(ship("1.0005")).send().await;
        garbled.assert_problem(422, "validation");
        assert_eq!(garbled.body["errors"][0]["code"], "invalid_quantity");
        let empty = app.post(&url).token(&t.rep.token).json(json!({ "shipped_at": today().to_string(), "lines": [] })).send().await;
        empty.assert_problem(422, "validation");
        assert_eq!(empty.error_fields(), vec!["lines"]);
        let unknown = app.post(&url).token(&t.rep.token).json(json!({ "shipped_at": today().to_string(), "lines": [
            { "order_line_id": "0190f0c2-7000-7000-8000-00000000ffff", "quantity": "1" }
        ] })).send().await;
        unknown.assert_problem(422, "validation");
        assert_eq!(app.get_ok(&t.rep.token, &format!("/api/v1/orders/{id}")).await, order_now, "refused deliveries change nothing");
        let last = app.post(&url).token(&t.rep.token).json(ship("6")).send().await;
        assert_eq!(last.status, 201, "{}", last.body);
        let fulfilled = app.get_ok(&t.rep.token, &format!("/api/v1/orders/{id}")).await;
        assert_eq!(fulfilled["status"], "fulfilled");
        assert!(fulfilled["fulfilled_at"].is_string());
        assert_eq!(fulfilled["lines"][0]["open"], "0");
        let listed = app.get_ok(&t.rep.token, &url).await;
        assert_eq!(ids(&listed), vec![id_of(&first.body), id_of(&last.body)]);
        app.post(&url).token(&t.rep.token).json(ship("1")).send().await.assert_problem(409, "invalid_transition");
        // Fulfilled but not collected: it cannot be completed yet.
        command(&app, &t.rep.token, &id, "complete", None).await.assert_problem(409, "invalid_transition");
    }

    async fn cancelling_withdraws_a_pending_approval_and_is_final(app) {
        let t = team(&app).await;
        let o = order(&app, &t, "1", 1500).await;
        let id = id_of(&o);
        let pending = ok(&app, &t.rep.token, &id, "submit", None).await;
        let res = command(&app, &t.rep.token, &id, "cancel", Some(json!({ "reason": " " }))).await;
        res.assert_problem(422, "validation");
        let cancelled = ok(&app, &t.rep.token, &id, "cancel", Some(json!({ "reason": "Customer withdrew" }))).await;
        assert_eq!(cancelled["status"], "cancelled");
        assert_eq!(cancelled["cancel_reason"], "Customer withdrew");
        let request = app.get_ok(&t.rep.token, &format!("/api/v1/approval-requests/{}", str_of(&pending, "approval_request_id"))).await;
        assert_eq!(request["status"], "withdrawn");
        let inbox = app.get_ok(&t.manager.token, "/api/v1/approval-requests?approver_id=me&status=pending").await;
        assert!(ids(&inbox).is_empty());
        for (name, body) in [("cancel", Some(json!({ "reason": "again" }))), ("activate", None), ("complete", None), ("approve", None)] {
            command(&app, &t.manager.token, &id, name, body).await.assert_problem(409, "invalid_transition");
        }
        let draft = order(&app, &t, "1", 0).await;
        let res = app.delete(&format!("/api/v1/orders/{}", id_of(&draft))).token(&t.rep.token).send().await;
        assert_eq!(res.status, 204);
        app.get(&format!("/api/v1/orders/{}", id_of(&draft))).token(&t.rep.token).send().await.assert_problem(404, "not_found");
    }

    async fn orders_follow_their_owner_scope(app) {
        let t = team(&app).await;
        let o = order(&app, &t, "1", 0).await;
        let id = id_of(&o);
        let stranger = app.user("rep", None, None).await;
        let url = format!("/api/v1/orders/{id}");
        app.get(&url).token(&stranger.token).send().await.assert_problem(404, "not_found");
        app.patch(&url).token(&stranger.token).json(json!({ "notes": "x" })).send().await.assert_problem(404, "not_found");
        command(&app, &stranger.token, &id, "submit", None).await.assert_problem(404, "not_found");
        app.get(&format!("{url}/deliveries")).token(&stranger.token).send().await.assert_problem(404, "not_found");
        assert!(ids(&app.get_ok(&stranger.token, "/api/v1/orders").await).is_empty());
        app.get(&format!("/api/v1/audit-events?entity_type=order&entity_id={id}")).token(&stranger.token).send().await
            .assert_problem(404, "not_found");
        assert_eq!(ids(&app.get_ok(&t.manager.token, "/api/v1/orders").await), vec![id.clone()], "the manager's department");
        assert_eq!(ids(&app.get_ok(&t.manager.token, &format!("/api/v1/orders?owner_id={}", stranger.id)).await).len(), 0);
        app.get("/api/v1/orders?status=shipped").token(&t.rep.token).send().await.assert_problem(400, "bad_request");
        app.get("/api/v1/orders?booked_from=2027-01-02&booked_to=2027-01-01").token(&t.rep.token).send().await
            .assert_problem(400, "bad_request");
    }

    async fn the_demo_seed_has_quotes_and_orders_in_every_status_with_money_on_them(app) {
        let summary = salesops_api::seed::load_demo(&app.state).expect("seed");
        assert!(summary.contains("6 products, 6 quotes and 10 orders"), "{summary}");
        let statuses = |page: &Value| -> Vec<String> {
            let mut s: Vec<String> = page["data"].as_array().expect("data").iter()
                .filter_map(|o| o["status"].as_str().map(str::to_owned)).collect();
            s.sort();
            s.dedup();
            s
        };
        let orders = app.get_ok(&app.admin_token, "/api/v1/orders?limit=200").await;
        assert_eq!(statuses(&orders), vec!["active", "cancelled", "completed", "draft", "fulfilled", "pending_approval"]);
        let quotes = app.get_ok(&app.admin_token, "/api/v1/quotes?limit=200").await;
        assert_eq!(statuses(&quotes), vec!["accepted", "approved", "draft", "pending_approval", "rejected", "sent"]);
        let pending = app.get_ok(&app.admin_token, "/api/v1/approval-requests?status=pending").await;
        assert_eq!(ids(&pending).len(), 2, "a quote and an order wait for a manager");
        let finance = app.login("finance@demo.salesops", salesops_api::seed::DEMO_PASSWORD).await;
        let payments = app.get_ok(&finance, "/api/v1/payments?status=confirmed").await;
        assert_eq!(ids(&payments).len(), 4);
        let refunds = app.get_ok(&finance, "/api/v1/refunds").await;
        assert_eq!(ids(&refunds).len(), 1);
        let aging = app.get_ok(&finance, "/api/v1/reports/receivables-aging").await;
        for bucket in aging["totals"]["buckets"].as_array().expect("buckets") {
            assert!(bucket["amount"]["amount"].as_i64().expect("amount") > 0, "an empty bucket: {bucket}");
        }
    }

    async fn an_approver_outside_the_scope_decides_and_wins_the_deal_but_changes_nothing_else(app) {
        let t = team(&app).await;
        app.set_scope("manager", "self").await;
        let deal = app.opportunity(&t.rep.id, Some(&t.account), |o| o.amount = Some(50_000));
        let o = app.created(&t.rep.token, "/api/v1/orders", json!({
            "account_id": t.account, "opportunity_id": deal, "currency": "CNY",
            "lines": [{ "product_id": t.product, "quantity": "1", "discount_bps": 1500 }]
        })).await;
        let id = id_of(&o);
        let pending = ok(&app, &t.rep.token, &id, "submit", None).await;
        assert_eq!(app.get_ok(&t.manager.token, &format!("/api/v1/orders/{id}")).await["status"], "pending_approval");
        command(&app, &t.manager.token, &id, "cancel", Some(json!({ "reason": "no" }))).await.assert_problem(404, "not_found");
        let plan = json!({ "instalments": [{ "due_date": today().to_string(), "amount": pending["total"] }] });
        app.put(&format!("/api/v1/orders/{id}/payment-plan")).token(&t.manager.token).json(plan).send().await
            .assert_problem(404, "not_found");
        app.patch(&format!("/api/v1/orders/{id}")).token(&t.manager.token).json(json!({ "notes": "x" })).send().await
            .assert_problem(404, "not_found");
        assert_eq!(app.get_ok(&t.rep.token, &format!("/api/v1/orders/{id}")).await, pending, "refusals change nothing");
        let active = ok(&app, &t.manager.token, &id, "approve", None).await;
        assert_eq!(active["status"], "active");
        let won = app.get_ok(&t.rep.token, &format!("/api/v1/opportunities/{deal}")).await;
        assert_eq!(won["status"], "won", "the approver's approval wins the deal outside their scope");
    }

    async fn one_quote_becomes_one_order_even_when_asked_twice_at_once(app) {
        let t = team(&app).await;
        let deal = app.opportunity(&t.rep.id, Some(&t.account), |o| o.amount = Some(50_000));
        let quote = app.created(&t.rep.token, "/api/v1/quotes", json!({
            "opportunity_id": deal, "valid_until": (today() + chrono::Duration::days(30)).to_string(),
            "lines": [{ "product_id": t.product, "quantity": "1" }]
        })).await;
        let quote_id = id_of(&quote);
        for name in ["submit", "send", "accept"] {
            let res = app.post(&format!("/api/v1/quotes/{quote_id}/{name}")).token(&t.rep.token).send().await;
            assert_eq!(res.status, 200, "{name}: {}", res.body);
        }
        let body = json!({ "quote_id": quote_id });
        let (a, b) = futures_util::future::join(
            app.post("/api/v1/orders").token(&t.rep.token).json(body.clone()).send(),
            app.post("/api/v1/orders").token(&t.rep.token).json(body.clone()).send(),
        ).await;
        let mut statuses = vec![a.status.as_u16(), b.status.as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, vec![201, 422], "{} / {}", a.body, b.body);
        let refused = if a.status == 422 { &a } else { &b };
        assert_eq!(refused.body["errors"][0]["code"], "taken");
        assert_eq!(refused.body["errors"][0]["message"], "an order was already made from this quote");
        assert_eq!(app.total("/api/v1/orders").await, 1);
    }

    async fn the_audit_trail_shows_lines_and_deliveries_before_and_after(app) {
        let t = team(&app).await;
        let o = order(&app, &t, "1", 0).await;
        let id = id_of(&o);
        let res = app.patch(&format!("/api/v1/orders/{id}")).token(&t.rep.token)
            .json(json!({ "lines": [{ "product_id": t.product, "quantity": "2" }] })).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        let trail = app.audit_trail(&t.rep.token, "order", &id).await;
        let update = &trail["data"][1];
        assert_eq!(update["action"], "update");
        assert_eq!(update["changes"]["total"]["before"], o["total"]);
        assert_eq!(update["changes"]["total"]["after"], res.body["total"]);
        assert_eq!(update["changes"]["lines"]["before"][0]["quantity"], "1");
        assert_eq!(update["changes"]["lines"]["after"][0]["quantity"], "2");
        ok(&app, &t.rep.token, &id, "submit", None).await;
        let line = str_of(&res.body["lines"][0], "id").to_owned();
        let shipped = app.post(&format!("/api/v1/orders/{id}/deliveries")).token(&t.rep.token)
            .json(json!({ "shipped_at": today().to_string(), "lines": [{ "order_line_id": line, "quantity": "1" }] })).send().await;
        assert_eq!(shipped.status, 201);
        let trail = app.audit_trail(&t.rep.token, "order", &id).await;
        let deliver = trail["data"].as_array().expect("events").iter().find(|e| e["action"] == "deliver").expect("a deliver event").clone();
        assert_eq!(deliver["changes"]["lines"]["before"][0]["delivered"], "0");
        assert_eq!(deliver["changes"]["lines"]["after"][0]["delivered"], "1");
    }

    async fn activation_is_refused_while_the_deal_fails_its_won_gates(app) {
        let t = team(&app).await;
        let unpriced = app.opportunity(&t.rep.id, Some(&t.account), |_| {});
        let o = app.created(&t.rep.token, "/api/v1/orders", json!({
            "account_id": t.account, "opportunity_id": unpriced, "currency": "CNY",
            "lines": [{ "product_id": t.product, "quantity": "1" }]
        })).await;
        let res = command(&app, &t.rep.token, &id_of(&o), "submit", None).await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["opportunity.amount"], "the won stage's gate, named under opportunity");
        assert_eq!(app.get_ok(&t.rep.token, &format!("/api/v1/orders/{}", id_of(&o))).await, o, "nothing changed");
        assert_eq!(app.get_ok(&t.rep.token, &format!("/api/v1/opportunities/{unpriced}")).await["status"], "open");
    }

    async fn a_quote_whose_deal_has_no_account_cannot_become_an_order(app) {
        let t = team(&app).await;
        let no_account = app.opportunity(&t.rep.id, None, |_| {});
        let quote = app.created(&t.rep.token, "/api/v1/quotes", json!({
            "opportunity_id": no_account, "valid_until": (today() + chrono::Duration::days(30)).to_string(),
            "lines": [{ "product_id": t.product, "quantity": "1" }]
        })).await;
        for name in ["submit", "send", "accept"] {
            let res = app.post(&format!("/api/v1/quotes/{}/{name}", id_of(&quote))).token(&t.rep.token).send().await;
            assert_eq!(res.status, 200, "{name}: {}", res.body);
        }
        let res = app.post("/api/v1/orders").token(&t.rep.token).json(json!({ "quote_id": id_of(&quote) })).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.body["errors"][0]["code"], "no_account");
        assert_eq!(app.total("/api/v1/orders").await, 0);
    }
}
