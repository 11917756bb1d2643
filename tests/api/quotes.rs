//! Quotes: priced lines and totals, numbering, the draft-only edits, submission within
//! or beyond the discount authority, the approval chain and its inbox, sending,
//! acceptance, rejection, revision, expiry, and scope.

use crate::both_databases;
use crate::fixtures::{id_of, ids, str_of};
use crate::helpers::{TestApp, TestUser};
use serde_json::{json, Value};

/// A product priced `price` fen with 6% tax, by the admin; its id.
async fn product(app: &TestApp, sku: &str, price: i64, currency: &str) -> String {
    let body = json!({
        "sku": sku, "name": format!("Product {sku}"), "unit": "license",
        "list_price": { "amount": price, "currency": currency }, "tax_rate_bps": 600
    });
    id_of(&app.created(&app.admin_token, "/api/v1/products", body).await)
}

fn line(product_id: &str, quantity: &str, discount_bps: i32) -> Value {
    json!({ "product_id": product_id, "quantity": quantity, "discount_bps": discount_bps })
}

fn next_month() -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(30)).to_string()
}

/// A draft quote of `opportunity_id` by `user` with `lines`, asserting 201.
async fn quote(app: &TestApp, user: &TestUser, opportunity_id: &str, lines: Value) -> Value {
    let body = json!({ "opportunity_id": opportunity_id, "valid_until": next_month(), "lines": lines });
    app.created(&user.token, "/api/v1/quotes", body).await
}

/// `POST /quotes/{id}/{command}` by `token` with `body`.
async fn command(
    app: &TestApp,
    token: &str,
    id: &str,
    command: &str,
    body: Option<Value>,
) -> crate::helpers::TestResponse {
    app.post(&format!("/api/v1/quotes/{id}/{command}")).token(token).maybe_json(body).send().await
}

/// Run `command` and assert 200; the quote after it.
async fn ok(app: &TestApp, token: &str, id: &str, name: &str, body: Option<Value>) -> Value {
    let res = command(app, token, id, name, body).await;
    assert_eq!(res.status, 200, "{name}: {}", res.body);
    res.body
}

fn money(amount: i64) -> Value {
    json!({ "amount": amount, "currency": "CNY" })
}

/// A rep reporting to a manager of the same department, who reports to `top` (if any);
/// and an opportunity of the rep.
async fn team(app: &TestApp, top: Option<&str>) -> (TestUser, TestUser, String) {
    let department = app.department("Sales", None);
    let manager = app.user("manager", Some(&department), top).await;
    let rep = app.user("rep", Some(&department), Some(&manager.id)).await;
    let opportunity = app.opportunity(&rep.id, None, |_| {});
    (rep, manager, opportunity)
}

both_databases! {
    async fn a_draft_prices_each_line_rounding_half_away_from_zero_and_sums_the_lines(app) {
        let (rep, _, opportunity) = team(&app, None).await;
        let crm = product(&app, "CRM", 1_200_000, "CNY").await;
        let svc = product(&app, "SVC", 99, "CNY").await;
        let q = quote(&app, &rep, &opportunity, json!([
            line(&crm, "2.5", 1500),
            { "product_id": svc, "quantity": "3.5", "unit_price": { "amount": 99, "currency": "CNY" }, "discount_bps": 1500 },
        ])).await;
        assert_eq!(q["status"], "draft");
        assert_eq!(q["currency"], "CNY", "the opportunity's currency");
        let number = str_of(&q, "number");
        let today = chrono::Utc::now().date_naive();
        assert!(number.starts_with("QT-") && number.ends_with("-0001"), "{number}");
        assert_eq!(q["created_by"], rep.id.as_str());
        // 2.5 × 12,000.00 = 30,000.00; 15% off = 4,500.00; net 25,500.00; 6% tax = 1,530.00.
        let first = &q["lines"][0];
        assert_eq!(first["quantity"], "2.5");
        assert_eq!(first["description"], "Product CRM");
        assert_eq!(first["unit_price"], money(1_200_000));
        assert_eq!(
            [&first["gross"], &first["discount"], &first["net"], &first["tax"], &first["total"]],
            [&money(3_000_000), &money(450_000), &money(2_550_000), &money(153_000), &money(2_703_000)]
        );
        // 3.5 × 0.99 = 3.465 → 347 fen; 15% = 52.05 → 52; net 295; 6% = 17.7 → 18; total 313.
        let second = &q["lines"][1];
        assert_eq!(
            [&second["gross"], &second["discount"], &second["net"], &second["tax"], &second["total"]],
            [&money(347), &money(52), &money(295), &money(18), &money(313)]
        );
        assert_eq!(q["subtotal"], money(3_000_347));
        assert_eq!(q["discount"], money(450_052));
        assert_eq!(q["tax"], money(153_018));
        assert_eq!(q["total"], money(2_703_313));
        assert_eq!(q["max_discount_bps"], 1500);
        let got = app.get(&format!("/api/v1/quotes/{}", id_of(&q))).token(&rep.token).send().await;
        assert_eq!(got.status, 200);
        assert_eq!(got.header("etag"), Some("W/\"1\""));
        assert_eq!(got.body, q);
        let second_quote = quote(&app, &rep, &opportunity, json!([line(&crm, "1", 0)])).await;
        assert!(str_of(&second_quote, "number").ends_with("-0002"), "numbers count up per day");
        assert!(str_of(&second_quote, "number").contains(&today.format("%Y%m%d").to_string())
            || str_of(&second_quote, "number").contains(&(today + chrono::Duration::days(1)).format("%Y%m%d").to_string()),
            "the business day (Asia/Shanghai) is today or tomorrow in UTC");
        let trail = app.audit_trail(&rep.token, "quote", &id_of(&q)).await;
        assert_eq!(trail["data"][0]["action"], "create");
    }

    async fn refused_quote_input_names_the_field_and_creates_nothing(app) {
        let (rep, _, opportunity) = team(&app, None).await;
        let crm = product(&app, "CRM", 1_000, "CNY").await;
        let usd = product(&app, "USD-1", 1_000, "USD").await;
        let retired = product(&app, "OLD", 1_000, "CNY").await;
        let res = app.delete(&format!("/api/v1/products/{retired}")).token(&app.admin_token).send().await;
        assert_eq!(res.status, 204);
        let stranger = app.user("rep", None, None).await;
        let theirs = app.opportunity(&stranger.id, None, |_| {});
        let lost = app.opportunity(&rep.id, None, |o| o.status = "lost".parse().expect("status"));
        let yesterday = (chrono::Utc::now().date_naive() - chrono::Duration::days(2)).to_string();
        let cases = [
            (json!({ "opportunity_id": "0190f0c2-7000-7000-8000-00000000ffff", "valid_until": next_month(), "lines": [line(&crm, "1", 0)] }), "opportunity_id", "unknown"),
            (json!({ "opportunity_id": theirs, "valid_until": next_month(), "lines": [line(&crm, "1", 0)] }), "opportunity_id", "unknown"),
            (json!({ "opportunity_id": lost, "valid_until": next_month(), "lines": [line(&crm, "1", 0)] }), "opportunity_id", "closed"),
            (json!({ "opportunity_id": opportunity, "valid_until": yesterday, "lines": [line(&crm, "1", 0)] }), "valid_until", "in_past"),
            (json!({ "opportunity_id": opportunity, "valid_until": next_month(), "lines": [] }), "lines", "length"),
            (json!({ "opportunity_id": opportunity, "valid_until": next_month(), "lines": [line(&crm, "2.5555", 0)] }), "lines[0].quantity", "invalid_quantity"),
            (json!({ "opportunity_id": opportunity, "valid_until": next_month(), "lines": [line(&crm, "0", 0)] }), "lines[0].quantity", "invalid_quantity"),
            (json!({ "opportunity_id": opportunity, "valid_until": next_month(), "lines": [line(&crm, "1", 0), line(&crm, "1", 10_001)] }), "lines[1].discount_bps", "range"),
            (json!({ "opportunity_id": opportunity, "valid_until": next_month(), "lines": [line(&retired, "1", 0)] }), "lines[0].product_id", "inactive"),
            (json!({ "opportunity_id": opportunity, "valid_until": next_month(), "lines": [line(&usd, "1", 0)] }), "lines[0].product_id", "currency"),
            (json!({ "opportunity_id": opportunity, "valid_until": next_month(), "lines": [line("0190f0c2-7000-7000-8000-00000000fffe", "1", 0)] }), "lines[0].product_id", "unknown"),
            (json!({ "opportunity_id": opportunity, "valid_until": next_month(), "lines": [
                { "product_id": crm, "quantity": "1", "unit_price": { "amount": 5, "currency": "USD" } }
            ] }), "lines[0].unit_price.currency", "currency"),
            (json!({ "opportunity_id": opportunity, "valid_until": next_month(), "currency": "yen", "lines": [line(&crm, "1", 0)] }), "currency", "currency"),
        ];
        for (body, field, code) in cases {
            let res = app.post("/api/v1/quotes").token(&rep.token).json(body.clone()).send().await;
            res.assert_problem(422, "validation");
            assert_eq!(res.error_fields(), vec![field], "{body}");
            assert_eq!(res.body["errors"][0]["code"], code, "{body}");
        }
        let finance = app.user("finance", None, None).await;
        let body = json!({ "opportunity_id": opportunity, "valid_until": next_month(), "lines": [line(&crm, "1", 0)] });
        app.post("/api/v1/quotes").token(&finance.token).json(body).send().await.assert_problem(403, "forbidden");
        assert_eq!(app.total("/api/v1/quotes").await, 0, "nothing was created");
    }

    async fn a_discount_within_authority_is_approved_at_once_and_beyond_it_waits_for_the_manager(app) {
        let (rep, manager, opportunity) = team(&app, None).await;
        let crm = product(&app, "CRM", 10_000, "CNY").await;
        let within = quote(&app, &rep, &opportunity, json!([line(&crm, "1", 1000)])).await;
        let approved = ok(&app, &rep.token, &id_of(&within), "submit", None).await;
        assert_eq!(approved["status"], "approved", "a rep may give 10%");
        assert_eq!(approved["approval_request_id"], Value::Null);
        assert!(approved["submitted_at"].is_string());

        let beyond = quote(&app, &rep, &opportunity, json!([line(&crm, "1", 500), line(&crm, "2", 1500)])).await;
        let pending = ok(&app, &rep.token, &id_of(&beyond), "submit", None).await;
        assert_eq!(pending["status"], "pending_approval");
        let request_id = str_of(&pending, "approval_request_id").to_owned();
        let request = app.get_ok(&rep.token, &format!("/api/v1/approval-requests/{request_id}")).await;
        assert_eq!(request["status"], "pending");
        assert_eq!(request["document_type"], "quote");
        assert_eq!(request["document_id"], id_of(&beyond).as_str());
        assert_eq!(request["discount_bps"], 1500);
        assert_eq!(request["total"], pending["total"]);
        assert_eq!(request["submitted_by"], rep.id.as_str());
        assert_eq!(request["current_approver_id"], manager.id.as_str());
        assert_eq!(request["steps"].as_array().map(Vec::len), Some(1), "a manager may give 20%");

        let inbox = app.get_ok(&manager.token, "/api/v1/approval-requests?approver_id=me&status=pending").await;
        assert_eq!(ids(&inbox), vec![request_id.clone()]);
        let rep_inbox = app.get_ok(&rep.token, "/api/v1/approval-requests?approver_id=me&status=pending").await;
        assert!(ids(&rep_inbox).is_empty());

        // Only the current approver (or an admin) decides.
        let other_manager = app.user("manager", None, None).await;
        command(&app, &rep.token, &id_of(&beyond), "approve", None).await.assert_problem(403, "forbidden");
        // A manager outside the rep's line neither sees the quote nor decides it.
        command(&app, &other_manager.token, &id_of(&beyond), "approve", None).await.assert_problem(404, "not_found");
        let still = app.get_ok(&rep.token, &format!("/api/v1/quotes/{}", id_of(&beyond))).await;
        assert_eq!(still["status"], "pending_approval", "refused decisions change nothing");

        let done = ok(&app, &manager.token, &id_of(&beyond), "approve", Some(json!({ "comment": "fine" }))).await;
        assert_eq!(done["status"], "approved");
        let request = app.get_ok(&rep.token, &format!("/api/v1/approval-requests/{request_id}")).await;
        assert_eq!(request["status"], "approved");
        assert_eq!(request["current_approver_id"], Value::Null);
        assert_eq!(request["steps"][0]["decision"], "approved");
        assert_eq!(request["steps"][0]["decided_by"], manager.id.as_str());
        assert_eq!(request["steps"][0]["comment"], "fine");
        assert!(request["decided_at"].is_string());
        command(&app, &manager.token, &id_of(&beyond), "approve", None).await.assert_problem(409, "invalid_transition");
        let inbox = app.get_ok(&manager.token, "/api/v1/approval-requests?approver_id=me&status=pending").await;
        assert!(ids(&inbox).is_empty(), "decided requests leave the inbox");
        let trail = app.audit_trail(&rep.token, "quote", &id_of(&beyond)).await;
        let actions: Vec<&str> = trail["data"].as_array().expect("events").iter().filter_map(|e| e["action"].as_str()).collect();
        assert_eq!(actions, vec!["create", "submit", "approve"]);
    }

    async fn the_chain_climbs_to_the_first_who_may_approve_or_submit_is_refused(app) {
        let director = app.user("admin", None, None).await;
        let (rep, manager, opportunity) = team(&app, Some(&director.id)).await;
        let crm = product(&app, "CRM", 10_000, "CNY").await;
        let deep = quote(&app, &rep, &opportunity, json!([line(&crm, "1", 2500)])).await;
        let pending = ok(&app, &rep.token, &id_of(&deep), "submit", None).await;
        let request_id = str_of(&pending, "approval_request_id").to_owned();
        let request = app.get_ok(&rep.token, &format!("/api/v1/approval-requests/{request_id}")).await;
        let approvers: Vec<&str> = request["steps"].as_array().expect("steps").iter().filter_map(|s| s["approver_id"].as_str()).collect();
        assert_eq!(approvers, vec![manager.id.as_str(), director.id.as_str()]);
        // The director is not the current approver yet; as an admin they may still decide for the manager.
        let after_first = ok(&app, &manager.token, &id_of(&deep), "approve", None).await;
        assert_eq!(after_first["status"], "pending_approval");
        let inbox = app.get_ok(&director.token, "/api/v1/approval-requests?approver_id=me&status=pending").await;
        assert_eq!(ids(&inbox), vec![request_id.clone()]);
        command(&app, &manager.token, &id_of(&deep), "approve", None).await.assert_problem(403, "forbidden");
        let approved = ok(&app, &director.token, &id_of(&deep), "approve", None).await;
        assert_eq!(approved["status"], "approved");

        // Nobody above a lone manager covers 25%: submit is refused and the quote stays a draft.
        let (rep2, _, opportunity2) = team(&app, None).await;
        let refused = quote(&app, &rep2, &opportunity2, json!([line(&crm, "1", 2500)])).await;
        let res = command(&app, &rep2.token, &id_of(&refused), "submit", None).await;
        res.assert_problem(422, "validation");
        assert_eq!(res.body["errors"][0]["code"], "no_approver");
        let draft = app.get_ok(&rep2.token, &format!("/api/v1/quotes/{}", id_of(&refused))).await;
        assert_eq!(draft, refused, "a refused submit changes nothing");
        let none = app.get_ok(&app.admin_token, &format!("/api/v1/approval-requests?document_id={}", id_of(&refused))).await;
        assert!(ids(&none).is_empty(), "no request was left behind");
    }

    async fn a_decline_sends_the_quote_back_to_draft_and_keeps_the_request(app) {
        let (rep, manager, opportunity) = team(&app, None).await;
        let crm = product(&app, "CRM", 10_000, "CNY").await;
        let q = quote(&app, &rep, &opportunity, json!([line(&crm, "1", 1500)])).await;
        let id = id_of(&q);
        let pending = ok(&app, &rep.token, &id, "submit", None).await;
        let res = command(&app, &manager.token, &id, "decline", Some(json!({ "comment": "  " }))).await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["comment"]);
        command(&app, &manager.token, &id, "decline", None).await.assert_problem(415, "unsupported_media_type");
        let draft = ok(&app, &manager.token, &id, "decline", Some(json!({ "comment": "too deep" }))).await;
        assert_eq!(draft["status"], "draft");
        let request = app.get_ok(&rep.token, &format!("/api/v1/approval-requests/{}", str_of(&pending, "approval_request_id"))).await;
        assert_eq!(request["status"], "declined");
        assert_eq!(request["steps"][0]["decision"], "declined");
        assert_eq!(request["steps"][0]["comment"], "too deep");
        command(&app, &manager.token, &id, "decline", Some(json!({ "comment": "again" }))).await.assert_problem(409, "invalid_transition");
        // The draft is edited and submitted again, with a new request.
        let edited = app.patch(&format!("/api/v1/quotes/{id}")).token(&rep.token)
            .json(json!({ "lines": [line(&crm, "1", 800)] })).send().await;
        assert_eq!(edited.status, 200, "{}", edited.body);
        assert_eq!(ok(&app, &rep.token, &id, "submit", None).await["status"], "approved");
    }

    async fn only_a_draft_changes_and_revise_drops_the_approval(app) {
        let (rep, _, opportunity) = team(&app, None).await;
        let crm = product(&app, "CRM", 10_000, "CNY").await;
        let q = quote(&app, &rep, &opportunity, json!([line(&crm, "1", 0)])).await;
        let id = id_of(&q);
        let url = format!("/api/v1/quotes/{id}");
        let patched = app.patch(&url).token(&rep.token).header("if-match", "W/\"1\"")
            .json(json!({ "notes": "first offer", "lines": [line(&crm, "3", 500)] })).send().await;
        assert_eq!(patched.status, 200, "{}", patched.body);
        // 3 × 100.00 = 300.00; 5% off = 15.00; net 285.00; 6% tax = 17.10.
        assert_eq!(patched.body["total"], money(30_210));
        assert_eq!(patched.body["lines"].as_array().map(Vec::len), Some(1), "lines are replaced");
        assert_eq!(patched.body["version"], 2);
        let stale = app.patch(&url).token(&rep.token).header("if-match", "W/\"1\"").json(json!({ "notes": "x" })).send().await;
        stale.assert_problem(412, "precondition_failed");
        let cleared = app.patch(&url).token(&rep.token).json(json!({ "lines": null, "valid_until": null })).send().await;
        cleared.assert_problem(422, "validation");
        assert_eq!(cleared.error_fields(), vec!["valid_until", "lines"]);

        let approved = ok(&app, &rep.token, &id, "submit", None).await;
        assert_eq!(approved["status"], "approved");
        let res = app.patch(&url).token(&rep.token).json(json!({ "notes": "late change" })).send().await;
        res.assert_problem(409, "invalid_transition");
        let res = app.patch(&url).token(&rep.token).json(json!({ "lines": [line(&crm, "1", 0)] })).send().await;
        res.assert_problem(409, "invalid_transition");
        app.delete(&url).token(&rep.token).send().await.assert_problem(409, "invalid_transition");
        command(&app, &rep.token, &id, "submit", None).await.assert_problem(409, "invalid_transition");
        assert_eq!(app.get_ok(&rep.token, &url).await, approved, "refusals change nothing");

        let revised = ok(&app, &rep.token, &id, "revise", None).await;
        assert_eq!(revised["status"], "draft");
        assert_eq!(revised["approval_request_id"], Value::Null);
        assert_eq!(revised["submitted_at"], Value::Null);
        command(&app, &rep.token, &id, "revise", None).await.assert_problem(409, "invalid_transition");
        let res = app.delete(&url).token(&rep.token).send().await;
        assert_eq!(res.status, 204);
        app.get(&url).token(&rep.token).send().await.assert_problem(404, "not_found");
    }

    async fn a_sent_quote_is_accepted_or_rejected_and_an_expired_one_is_neither(app) {
        let (rep, _, opportunity) = team(&app, None).await;
        let crm = product(&app, "CRM", 10_000, "CNY").await;
        let q = quote(&app, &rep, &opportunity, json!([line(&crm, "1", 0)])).await;
        let id = id_of(&q);
        command(&app, &rep.token, &id, "send", None).await.assert_problem(409, "invalid_transition");
        command(&app, &rep.token, &id, "accept", None).await.assert_problem(409, "invalid_transition");
        ok(&app, &rep.token, &id, "submit", None).await;
        command(&app, &rep.token, &id, "accept", None).await.assert_problem(409, "invalid_transition");
        let sent = ok(&app, &rep.token, &id, "send", None).await;
        assert_eq!(sent["status"], "sent");
        assert!(sent["sent_at"].is_string());
        let accepted = ok(&app, &rep.token, &id, "accept", None).await;
        assert_eq!(accepted["status"], "accepted");
        for name in ["revise", "reject", "send", "submit"] {
            let body = (name == "reject").then(|| json!({ "reason": "late" }));
            command(&app, &rep.token, &id, name, body).await.assert_problem(409, "invalid_transition");
        }

        let other = quote(&app, &rep, &opportunity, json!([line(&crm, "1", 0)])).await;
        let other_id = id_of(&other);
        ok(&app, &rep.token, &other_id, "submit", None).await;
        ok(&app, &rep.token, &other_id, "send", None).await;
        let res = command(&app, &rep.token, &other_id, "reject", Some(json!({}))).await;
        res.assert_problem(422, "validation");
        let rejected = ok(&app, &rep.token, &other_id, "reject", Some(json!({ "reason": "Budget frozen" }))).await;
        assert_eq!(rejected["status"], "rejected");
        assert_eq!(rejected["rejection_reason"], "Budget frozen");
        assert_eq!(ok(&app, &rep.token, &other_id, "revise", None).await["status"], "draft");

        // Past valid_until, an approved or sent quote reads as expired: it is neither sent nor accepted.
        let late = quote(&app, &rep, &opportunity, json!([line(&crm, "1", 0)])).await;
        let late_id = id_of(&late);
        ok(&app, &rep.token, &late_id, "submit", None).await;
        let past = chrono::Utc::now().date_naive() - chrono::Duration::days(3);
        app.with_conn(|c| {
            use diesel::RunQueryDsl;
            diesel::sql_query(format!("UPDATE quotes SET valid_until = '{past}' WHERE id = '{late_id}'")).execute(c)
        }).expect("age the quote");
        let expired = app.get_ok(&rep.token, &format!("/api/v1/quotes/{late_id}")).await;
        assert_eq!(expired["status"], "expired");
        command(&app, &rep.token, &late_id, "send", None).await.assert_problem(409, "invalid_transition");
        let listed = app.get_ok(&rep.token, "/api/v1/quotes?status=expired").await;
        assert_eq!(ids(&listed), vec![late_id.clone()]);
        let approved = app.get_ok(&rep.token, "/api/v1/quotes?status=approved").await;
        assert!(ids(&approved).is_empty(), "an expired quote is not listed as approved");
        let drafts = app.get_ok(&rep.token, "/api/v1/quotes?status=draft,accepted").await;
        assert_eq!(ids(&drafts), vec![id.clone(), other_id.clone()]);
        app.get("/api/v1/quotes?status=lost").token(&rep.token).send().await.assert_problem(400, "bad_request");
        let revised = ok(&app, &rep.token, &late_id, "revise", None).await;
        assert_eq!(revised["status"], "draft");
        let res = command(&app, &rep.token, &late_id, "submit", None).await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["valid_until"], "a draft past its validity is not submitted");
    }

    async fn quotes_follow_their_opportunity_scope_and_approvers_read_what_they_decide(app) {
        let (rep, manager, opportunity) = team(&app, None).await;
        let crm = product(&app, "CRM", 10_000, "CNY").await;
        let q = quote(&app, &rep, &opportunity, json!([line(&crm, "1", 1500)])).await;
        let id = id_of(&q);
        let url = format!("/api/v1/quotes/{id}");
        let stranger = app.user("rep", None, None).await;
        app.get(&url).token(&stranger.token).send().await.assert_problem(404, "not_found");
        command(&app, &stranger.token, &id, "submit", None).await.assert_problem(404, "not_found");
        app.patch(&url).token(&stranger.token).json(json!({ "notes": "x" })).send().await.assert_problem(404, "not_found");
        assert!(ids(&app.get_ok(&stranger.token, "/api/v1/quotes").await).is_empty());
        let trail = app.get(&format!("/api/v1/audit-events?entity_type=quote&entity_id={id}")).token(&stranger.token).send().await;
        trail.assert_problem(404, "not_found");
        assert_eq!(ids(&app.get_ok(&rep.token, &format!("/api/v1/quotes?opportunity_id={opportunity}")).await), vec![id.clone()]);

        // The manager's scope is their own records only: they still read and decide the quote they must approve.
        app.set_scope("manager", "self").await;
        app.get(&url).token(&manager.token).send().await.assert_problem(404, "not_found");
        let pending = ok(&app, &rep.token, &id, "submit", None).await;
        let request_url = format!("/api/v1/approval-requests/{}", str_of(&pending, "approval_request_id"));
        assert_eq!(app.get_ok(&manager.token, &url).await["status"], "pending_approval");
        app.get(&request_url).token(&stranger.token).send().await.assert_problem(404, "not_found");
        assert!(ids(&app.get_ok(&stranger.token, "/api/v1/approval-requests").await).is_empty());
        ok(&app, &manager.token, &id, "approve", None).await;
        assert_eq!(app.get_ok(&manager.token, &request_url).await["status"], "approved", "an approver reads the request after deciding");
        app.get(&url).token(&manager.token).send().await.assert_problem(404, "not_found");
        app.get("/api/v1/approval-requests?approver_id=someone").token(&rep.token).send().await.assert_problem(400, "bad_request");
        app.get("/api/v1/approval-requests?status=open").token(&rep.token).send().await.assert_problem(400, "bad_request");
    }

    async fn inactive_managers_are_skipped_and_the_inbox_filter_takes_any_approver(app) {
        let department = app.department("Sales", None);
        let senior = app.user("manager", Some(&department), None).await;
        let away = app.user("manager", Some(&department), Some(&senior.id)).await;
        let rep = app.user("rep", Some(&department), Some(&away.id)).await;
        app.deactivate_user(&away.id).await;
        let opportunity = app.opportunity(&rep.id, None, |_| {});
        let crm = product(&app, "CRM", 10_000, "CNY").await;
        let q = quote(&app, &rep, &opportunity, json!([line(&crm, "1", 1500)])).await;
        let pending = ok(&app, &rep.token, &id_of(&q), "submit", None).await;
        let request_id = str_of(&pending, "approval_request_id").to_owned();
        let request = app.get_ok(&rep.token, &format!("/api/v1/approval-requests/{request_id}")).await;
        let approvers: Vec<&str> = request["steps"].as_array().expect("steps").iter().filter_map(|s| s["approver_id"].as_str()).collect();
        assert_eq!(approvers, vec![senior.id.as_str()], "the deactivated direct manager is skipped");
        let waiting = app.get_ok(&rep.token, &format!("/api/v1/approval-requests?approver_id={}&status=pending", senior.id)).await;
        assert_eq!(ids(&waiting), vec![request_id.clone()], "the rep sees what their own quote waits on");
        let none = app.get_ok(&rep.token, &format!("/api/v1/approval-requests?approver_id={}", rep.id)).await;
        assert!(ids(&none).is_empty());
        app.get("/api/v1/approval-requests?document_id=not-an-id").token(&rep.token).send().await.assert_problem(400, "bad_request");
    }

    async fn a_new_currency_reprices_every_line_at_its_list_price(app) {
        let (rep, _, opportunity) = team(&app, None).await;
        let usd = product(&app, "USD-LIC", 2_500, "USD").await;
        let q = quote(&app, &rep, &opportunity, json!([
            { "product_id": usd, "quantity": "2", "unit_price": { "amount": 18_000, "currency": "CNY" }, "discount_bps": 1000 }
        ])).await;
        assert_eq!(q["total"], money(34_344), "2 × 180.00 − 10% = 324.00, + 6% = 343.44");
        let res = app.patch(&format!("/api/v1/quotes/{}", id_of(&q))).token(&rep.token).json(json!({ "currency": "USD" })).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["currency"], "USD");
        assert_eq!(res.body["lines"][0]["unit_price"], json!({ "amount": 2_500, "currency": "USD" }), "the list price in the new currency");
        assert_eq!(res.body["lines"][0]["discount_bps"], 1000, "the discount is kept");
        assert_eq!(res.body["total"], json!({ "amount": 4_770, "currency": "USD" }), "2 × 25.00 − 10% = 45.00, + 6% = 47.70");
        // Back to CNY: the product has no CNY list price, so the repricing names the line.
        let back = app.patch(&format!("/api/v1/quotes/{}", id_of(&q))).token(&rep.token).json(json!({ "currency": "CNY" })).send().await;
        back.assert_problem(422, "validation");
        assert_eq!(back.error_fields(), vec!["lines[0].product_id"]);
    }

    async fn a_draft_patch_refuses_long_notes_and_a_padded_currency_is_no_change(app) {
        let (rep, _, opportunity) = team(&app, None).await;
        let crm = product(&app, "CRM", 10_000, "CNY").await;
        let q = quote(&app, &rep, &opportunity, json!([
            { "product_id": crm, "quantity": "1", "unit_price": { "amount": 9_000, "currency": "CNY" } }
        ])).await;
        let url = format!("/api/v1/quotes/{}", id_of(&q));
        let res = app.patch(&url).token(&rep.token).json(json!({ "notes": "x".repeat(10_001) })).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["notes"]);
        let past = (chrono::Utc::now().date_naive() - chrono::Duration::days(2)).to_string();
        let res = app.patch(&url).token(&rep.token).json(json!({ "valid_until": past })).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["valid_until"]);
        let res = app.patch(&url).token(&rep.token).json(json!({ "currency": "EURO" })).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["currency"]);
        assert_eq!(app.get_ok(&rep.token, &url).await, q, "a refused patch changes nothing");
        let same = app.patch(&url).token(&rep.token).json(json!({ "currency": " CNY " })).send().await;
        assert_eq!(same.status, 200, "{}", same.body);
        assert_eq!(same.body["lines"][0]["unit_price"], money(9_000), "the same currency keeps the quoted price");
    }
}
