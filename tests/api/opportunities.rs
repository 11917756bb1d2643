//! Opportunities: CRUD, data scopes, stage commands and their refusals, gates,
//! stage history, the account's win record, list filters and weighted amounts.

use crate::both_databases;
use crate::fixtures::{id_of, ids, items};
use crate::helpers::{TestApp, TestResponse};
use diesel::prelude::*;
use salesops_domain::opportunity::{ForecastCategory, OpportunityStatus};
use salesops_persistence::schema;
use serde_json::{json, Value};

async fn create(app: &TestApp, token: &str, body: Value) -> TestResponse {
    app.post("/api/v1/opportunities").token(token).json(body).send().await
}

async fn command(app: &TestApp, token: &str, id: &str, name: &str, body: Option<Value>) -> TestResponse {
    command_with(app, token, id, name, body, None).await
}

async fn command_with(
    app: &TestApp,
    token: &str,
    id: &str,
    name: &str,
    body: Option<Value>,
    if_match: Option<&str>,
) -> TestResponse {
    let mut req = app.post(&format!("/api/v1/opportunities/{id}/{name}")).token(token);
    if let Some(tag) = if_match {
        req = req.header("if-match", tag);
    }
    req.maybe_json(body).send().await
}

/// The opportunity `id` as the admin reads it, asserting 200.
async fn get(app: &TestApp, id: &str) -> Value {
    app.get_ok(&app.admin_token, &format!("/api/v1/opportunities/{id}")).await
}

/// The stage history of the opportunity `id` as the admin reads it, asserting 200.
async fn history(app: &TestApp, id: &str) -> Vec<Value> {
    items(&app.get_ok(&app.admin_token, &format!("/api/v1/opportunities/{id}/history")).await).clone()
}

/// A refused command answers `status`/`code` and leaves the opportunity and its history as they were.
async fn refused(
    app: &TestApp,
    token: &str,
    id: &str,
    name: &str,
    body: Option<Value>,
    status: u16,
    code: &str,
) -> TestResponse {
    refused_with(app, token, id, name, body, None, status, code).await
}

/// [`refused`], sending `If-Match` when given.
#[allow(clippy::too_many_arguments)]
async fn refused_with(
    app: &TestApp,
    token: &str,
    id: &str,
    name: &str,
    body: Option<Value>,
    if_match: Option<&str>,
    status: u16,
    code: &str,
) -> TestResponse {
    let before = get(app, id).await;
    let history_before = history(app, id).await.len();
    let res = command_with(app, token, id, name, body, if_match).await;
    res.assert_problem(status, code);
    assert_eq!(get(app, id).await, before, "a refused {name} changed the opportunity");
    assert_eq!(history(app, id).await.len(), history_before, "a refused {name} wrote history");
    res
}

/// The ids of the opportunities listed with `query`, as the admin sees them.
async fn list(app: &TestApp, query: &str) -> Vec<String> {
    app.list_ids(&format!("/api/v1/opportunities?{query}")).await
}

/// Add a competitor to the dictionary as the admin; returns its id.
async fn competitor(app: &TestApp, name: &str) -> String {
    id_of(&app.created(&app.admin_token, "/api/v1/competitors", json!({"name": name})).await)
}

both_databases! {
    async fn create_starts_in_the_first_stage_with_its_defaults_and_base_currency(app) {
        let rep = app.user("rep", None, None).await;
        let account = app.account("Acme", Some(&rep.id));
        let contact = app.contact(&account, "王芳");
        let res = create(&app, &rep.token, json!({
            "name": "  ERP 二期 ", "account_id": account, "contact_id": contact,
            "amount": {"amount": 100_000}, "expected_close_date": "2026-12-31", "next_step": "Call"
        })).await;
        let id = res.assert_created("/api/v1/opportunities");
        let o = &res.body;
        assert_eq!(o["name"], "ERP 二期");
        assert_eq!(o["owner_id"], rep.id.as_str());
        assert_eq!(o["stage"], "qualification");
        assert_eq!(o["status"], "open");
        assert_eq!(o["probability_bps"], 1000);
        assert_eq!(o["forecast_category"], "pipeline");
        assert_eq!(o["amount"], json!({"amount": 100_000, "currency": "CNY"}));
        assert_eq!(o["weighted_amount"], json!({"amount": 10_000, "currency": "CNY"}));
        assert_eq!(o["expected_close_date"], "2026-12-31");
        assert_eq!(o["competitors"], json!([]));
        assert_eq!(o["won_by_competitor_id"], Value::Null);
        assert_eq!(o["version"], 1);
        let h = history(&app, &id).await;
        assert_eq!(h.len(), 1);
        assert_eq!(h[0]["action"], "create");
        assert_eq!(h[0]["from_stage"], Value::Null);
        assert_eq!(h[0]["to_stage"], "qualification");
        assert_eq!(h[0]["to_status"], "open");
        assert_eq!(h[0]["amount"], json!({"amount": 100_000, "currency": "CNY"}));
        assert_eq!(h[0]["probability_bps"], 1000);
        assert_eq!(h[0]["actor_id"], rep.id.as_str());
        // Reps read their own.
        let res = app.get(&format!("/api/v1/opportunities/{id}")).token(&rep.token).send().await;
        assert_eq!(res.status, 200);
        assert_eq!(res.header("etag"), Some("W/\"1\""));
    }

    async fn create_in_a_named_stage_applies_its_gates_and_lists_competitors(app) {
        let rep = app.user("rep", None, None).await;
        let c1 = competitor(&app, "金蝶").await;
        let c2 = competitor(&app, "用友").await;
        let res = create(&app, &rep.token, json!({"name": "Deal", "stage": "negotiation"})).await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["amount", "expected_close_date", "account_id"]);
        let account = app.account("Acme", Some(&rep.id));
        let res = create(&app, &rep.token, json!({
            "name": "Deal", "stage": "negotiation", "account_id": account,
            "amount": {"amount": 500, "currency": "USD"}, "expected_close_date": "2027-01-15",
            "competitor_ids": [c2, c1, c2]
        })).await;
        assert_eq!(res.status, 201, "{}", res.body);
        assert_eq!(res.body["stage"], "negotiation");
        assert_eq!(res.body["probability_bps"], 7500);
        assert_eq!(res.body["forecast_category"], "commit");
        assert_eq!(res.body["amount"], json!({"amount": 500, "currency": "USD"}));
        assert_eq!(res.body["weighted_amount"], json!({"amount": 375, "currency": "USD"}));
        // Listed once each, in the order they were added to the dictionary.
        assert_eq!(res.body["competitors"], json!([{"id": c1, "name": "金蝶"}, {"id": c2, "name": "用友"}]));
    }

    async fn create_refuses_invalid_bodies_field_by_field(app) {
        let rep = app.user("rep", None, None).await;
        let other = app.user("rep", None, None).await;
        let theirs = app.account("Theirs", Some(&other.id));
        let mine = app.account("Mine", Some(&rep.id));
        let elsewhere = app.account("Elsewhere", Some(&rep.id));
        let their_contact = app.contact(&elsewhere, "Li");
        let gone = competitor(&app, "Gone").await;
        let res = app.delete(&format!("/api/v1/competitors/{gone}")).token(&app.admin_token).send().await;
        assert_eq!(res.status, 204, "{}", res.body);
        let cases: Vec<(Value, &str)> = vec![
            (json!({"name": "A", "stagee": "x"}), "stagee"),
            (json!({"name": "   "}), "name"),
            (json!({"name": "x".repeat(201)}), "name"),
            (json!({"name": "A", "amount": {"amount": -1}}), "amount.amount"),
            (json!({"name": "A", "amount": {"amount": 1, "currency": "rmb"}}), "amount.currency"),
            (json!({"name": "A", "expected_close_date": "31/12/2026"}), "expected_close_date"),
            (json!({"name": "A", "stage": "nope"}), "stage"),
            (json!({"name": "A", "stage": "closed_won"}), "stage"),
            (json!({"name": "A", "account_id": theirs}), "account_id"),
            (json!({"name": "A", "account_id": mine, "contact_id": their_contact}), "contact_id"),
            (json!({"name": "A", "contact_id": their_contact}), "contact_id"),
            (json!({"name": "A", "competitor_ids": [gone]}), "competitor_ids[0]"),
            (json!({"name": "A", "competitor_ids": ["01900000-0000-7000-8000-00000000dead"]}), "competitor_ids[0]"),
            (json!({"name": "A", "source_lead_id": "x"}), "source_lead_id"),
        ];
        for (body, field) in cases {
            let res = create(&app, &rep.token, body.clone()).await;
            res.assert_problem(422, "validation");
            assert_eq!(res.error_fields(), vec![field.to_owned()], "{body}");
        }
        let res = create(&app, &rep.token, json!({"name": "A", "stage": "closed_won"})).await;
        assert_eq!(res.body["errors"][0]["code"], "closing_stage");
        assert_eq!(app.total("/api/v1/opportunities").await, 0);
    }

    async fn only_managers_and_admins_name_another_owner_in_their_scope(app) {
        let dept = app.department("East", None);
        let manager = app.user("manager", Some(&dept), None).await;
        let rep = app.user("rep", Some(&dept), Some(&manager.id)).await;
        let outsider = app.user("rep", None, None).await;
        let res = create(&app, &rep.token, json!({"name": "A", "owner_id": manager.id})).await;
        res.assert_problem(403, "forbidden");
        let res = create(&app, &manager.token, json!({"name": "A", "owner_id": rep.id})).await;
        assert_eq!(res.status, 201, "{}", res.body);
        assert_eq!(res.body["owner_id"], rep.id.as_str());
        assert_eq!(res.body["created_by"], manager.id.as_str());
        let res = create(&app, &manager.token, json!({"name": "A", "owner_id": outsider.id})).await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["owner_id"]);
    }

    async fn two_reps_cannot_see_or_touch_each_others_opportunities(app) {
        let alice = app.user("rep", None, None).await;
        let bob = app.user("rep", None, None).await;
        let id = app.create_opportunity(&alice.token, json!({"name": "Alice's"})).await;
        let bobs = app.create_opportunity(&bob.token, json!({"name": "Bob's"})).await;
        let path = format!("/api/v1/opportunities/{id}");
        app.get(&path).token(&bob.token).send().await.assert_problem(404, "not_found");
        app.get(&format!("{path}/history")).token(&bob.token).send().await.assert_problem(404, "not_found");
        app.patch(&path).token(&bob.token).json(json!({"name": "mine"})).send().await.assert_problem(404, "not_found");
        app.delete(&path).token(&bob.token).send().await.assert_problem(404, "not_found");
        refused(&app, &bob.token, &id, "move", Some(json!({"stage": "needs_analysis"})), 404, "not_found").await;
        refused(&app, &bob.token, &id, "abandon", None, 404, "not_found").await;
        refused(&app, &bob.token, &id, "win", None, 404, "not_found").await;
        refused(&app, &bob.token, &id, "lose", Some(json!({"loss_reason": "price"})), 404, "not_found").await;
        // Reopening is for managers: one whose department Alice is not in cannot find it.
        let west = app.department("West", None);
        let west_manager = app.user("manager", Some(&west), None).await;
        let res = command(&app, &alice.token, &id, "abandon", None).await;
        assert_eq!(res.status, 200, "{}", res.body);
        refused(&app, &west_manager.token, &id, "reopen", None, 404, "not_found").await;
        refused(&app, &west_manager.token, &id, "reopen", Some(json!({"stage": "qualification"})), 404, "not_found").await;
        let audit = format!("/api/v1/audit-events?entity_type=opportunity&entity_id={id}");
        app.get(&audit).token(&bob.token).send().await.assert_problem(404, "not_found");
        assert_eq!(app.get(&audit).token(&alice.token).send().await.status, 200);
        let list = app.get("/api/v1/opportunities?count=true").token(&bob.token).send().await;
        assert_eq!(ids(&list.body), vec![bobs]);
        assert_eq!(list.body["total"], 1);
        assert_eq!(get(&app, &id).await["name"], "Alice's");
    }

    async fn finance_reads_the_pipeline_but_cannot_change_it(app) {
        let rep = app.user("rep", None, None).await;
        let finance = app.user("finance", None, None).await;
        let id = app.create_opportunity(&rep.token, json!({"name": "A"})).await;
        let path = format!("/api/v1/opportunities/{id}");
        assert_eq!(app.get(&path).token(&finance.token).send().await.status, 200);
        assert_eq!(app.get("/api/v1/opportunities").token(&finance.token).send().await.status, 200);
        assert_eq!(app.get(&format!("{path}/history")).token(&finance.token).send().await.status, 200);
        create(&app, &finance.token, json!({"name": "B"})).await.assert_problem(403, "forbidden");
        app.patch(&path).token(&finance.token).json(json!({"name": "B"})).send().await.assert_problem(403, "forbidden");
        app.delete(&path).token(&finance.token).send().await.assert_problem(403, "forbidden");
        for (name, body) in [
            ("move", Some(json!({"stage": "needs_analysis"}))),
            ("win", None),
            ("lose", Some(json!({"loss_reason": "price"}))),
            ("abandon", None),
            ("reopen", None),
        ] {
            refused(&app, &finance.token, &id, name, body, 403, "forbidden").await;
        }
    }

    async fn patch_edits_fields_keeps_the_currency_and_audits_probability_overrides(app) {
        let rep = app.user("rep", None, None).await;
        let id = app.create_opportunity(&rep.token, json!({"name": "A", "amount": {"amount": 1000, "currency": "USD"}})).await;
        let path = format!("/api/v1/opportunities/{id}");
        let res = app.patch(&path).token(&rep.token).header("if-match", "W/\"1\"")
            .json(json!({"amount": {"amount": 2000}, "next_step": "Demo", "probability_bps": 3333, "forecast_category": "commit"}))
            .send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.header("etag"), Some("W/\"2\""));
        assert_eq!(res.body["amount"], json!({"amount": 2000, "currency": "USD"}));
        assert_eq!(res.body["probability_bps"], 3333);
        assert_eq!(res.body["forecast_category"], "commit");
        assert_eq!(res.body["weighted_amount"], json!({"amount": 667, "currency": "USD"}));
        assert_eq!(res.body["stage"], "qualification");
        let audit = app.audit_trail(&app.admin_token, "opportunity", &id).await;
        let events = items(&audit);
        assert_eq!(events.len(), 2);
        assert_eq!(events[1]["action"], "update");
        assert_eq!(events[1]["changes"]["probability_bps"]["before"], 1000);
        assert_eq!(events[1]["changes"]["probability_bps"]["after"], 3333);
        assert_eq!(events[1]["changes"]["forecast_category"]["after"], "commit");
        // Stale If-Match, and fields PATCH may not change.
        app.patch(&path).token(&rep.token).header("if-match", "W/\"1\"").json(json!({"name": "B"})).send().await.assert_problem(412, "precondition_failed");
        for (body, field) in [
            (json!({"stage": "proposal"}), "stage"),
            (json!({"status": "won"}), "status"),
            (json!({"owner_id": rep.id}), "owner_id"),
            (json!({"probability_bps": 10_001}), "probability_bps"),
            (json!({"forecast_category": "closed"}), "forecast_category"),
            (json!({"name": null}), "name"),
            (json!({"name": ""}), "name"),
            (json!({"amount": {"amount": 1, "currency": "us"}}), "amount.currency"),
        ] {
            let res = app.patch(&path).token(&rep.token).json(body.clone()).send().await;
            res.assert_problem(422, "validation");
            assert_eq!(res.error_fields(), vec![field.to_owned()], "{body}");
        }
        let after = get(&app, &id).await;
        assert_eq!(after["version"], 2);
        // Money changes may switch currency explicitly; clearing the amount clears the weighted amount.
        let res = app.patch(&path).token(&rep.token).json(json!({"amount": {"amount": 7, "currency": "EUR"}})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["amount"], json!({"amount": 7, "currency": "EUR"}));
        let res = app.patch(&path).token(&rep.token).json(json!({"amount": null})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["amount"], Value::Null);
        assert_eq!(res.body["weighted_amount"], Value::Null);
    }

    async fn amounts_above_ten_to_the_thirteen_minor_units_are_refused(app) {
        let rep = app.user("rep", None, None).await;
        let res = create(&app, &rep.token, json!({"name": "A", "amount": {"amount": 10_000_000_000_001_i64}})).await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["amount.amount"]);
        assert_eq!(res.body["errors"][0]["code"], "range");
        assert_eq!(app.total("/api/v1/opportunities").await, 0);
        let id = app.create_opportunity(&rep.token, json!({"name": "A", "amount": {"amount": 10_000_000_000_000_i64}})).await;
        assert_eq!(get(&app, &id).await["amount"]["amount"], 10_000_000_000_000_i64);
        let path = format!("/api/v1/opportunities/{id}");
        for amount in [10_000_000_000_001_i64, i64::MAX] {
            let res = app.patch(&path).token(&rep.token).json(json!({"amount": {"amount": amount}})).send().await;
            res.assert_problem(422, "validation");
            assert_eq!(res.error_fields(), vec!["amount.amount"]);
            assert_eq!(res.body["errors"][0]["code"], "range");
        }
        let after = get(&app, &id).await;
        assert_eq!(after["version"], 1);
        assert_eq!(after["amount"]["amount"], 10_000_000_000_000_i64);
    }

    async fn patch_checks_account_contact_and_competitors(app) {
        let rep = app.user("rep", None, None).await;
        let other = app.user("rep", None, None).await;
        let mine = app.account("Mine", Some(&rep.id));
        let contact = app.contact(&mine, "Li");
        let theirs = app.account("Theirs", Some(&other.id));
        let c = competitor(&app, "SAP").await;
        let id = app.create_opportunity(&rep.token, json!({"name": "A"})).await;
        let path = format!("/api/v1/opportunities/{id}");
        let res = app.patch(&path).token(&rep.token).json(json!({"account_id": theirs})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["account_id"]);
        assert_eq!(res.body["errors"][0]["code"], "unknown");
        let res = app.patch(&path).token(&rep.token).json(json!({"contact_id": contact})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["contact_id"]);
        assert_eq!(res.body["errors"][0]["code"], "mismatch");
        let res = app.patch(&path).token(&rep.token).json(json!({"account_id": mine, "contact_id": contact, "competitor_ids": [c]})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["contact_id"], contact.as_str());
        assert_eq!(res.body["competitors"], json!([{"id": c, "name": "SAP"}]));
        // Dropping the account while the contact stays is refused.
        let res = app.patch(&path).token(&rep.token).json(json!({"account_id": null})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["contact_id"]);
        let res = app.patch(&path).token(&rep.token).json(json!({"competitor_ids": null})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["competitors"], json!([]));
    }

    async fn patch_may_not_clear_what_the_current_stage_requires(app) {
        let rep = app.user("rep", None, None).await;
        let id = app.create_opportunity(&rep.token, json!({
            "name": "A", "stage": "proposal", "amount": {"amount": 10}, "expected_close_date": "2026-12-01"
        })).await;
        let path = format!("/api/v1/opportunities/{id}");
        let res = app.patch(&path).token(&rep.token).json(json!({"amount": null, "expected_close_date": null})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["amount", "expected_close_date"]);
        let res = app.patch(&path).token(&rep.token).json(json!({"expected_close_date": "2027-01-01"})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
    }

    async fn delete_hides_the_opportunity_and_answers_204(app) {
        let rep = app.user("rep", None, None).await;
        let id = app.create_opportunity(&rep.token, json!({"name": "A"})).await;
        let path = format!("/api/v1/opportunities/{id}");
        app.delete(&path).token(&rep.token).header("if-match", "W/\"9\"").send().await.assert_problem(412, "precondition_failed");
        let res = app.delete(&path).token(&rep.token).send().await;
        assert_eq!(res.status, 204);
        app.get(&path).token(&rep.token).send().await.assert_problem(404, "not_found");
        app.delete(&path).token(&rep.token).send().await.assert_problem(404, "not_found");
        assert_eq!(app.total("/api/v1/opportunities").await, 0);
    }

    async fn move_enforces_gates_and_takes_the_stage_defaults(app) {
        let rep = app.user("rep", None, None).await;
        let id = app.create_opportunity(&rep.token, json!({"name": "A"})).await;
        let res = refused(&app, &rep.token, &id, "move", Some(json!({"stage": "negotiation"})), 422, "validation").await;
        assert_eq!(res.error_fields(), vec!["amount", "expected_close_date", "account_id"]);
        assert!(res.body["errors"].as_array().expect("errors").iter().all(|e| e["code"] == "required"));
        let account = app.account("Acme", Some(&rep.id));
        let res = app.patch(&format!("/api/v1/opportunities/{id}")).token(&rep.token)
            .json(json!({"amount": {"amount": 200_000}, "expected_close_date": "2026-12-31"})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        let res = command(&app, &rep.token, &id, "move", Some(json!({"stage": "proposal"}))).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.header("etag"), Some("W/\"3\""));
        assert_eq!(res.body["stage"], "proposal");
        assert_eq!(res.body["probability_bps"], 5000);
        assert_eq!(res.body["forecast_category"], "best_case");
        assert_eq!(res.body["weighted_amount"]["amount"], 100_000);
        // Forward past a stage, back to an earlier one.
        let res = app.patch(&format!("/api/v1/opportunities/{id}")).token(&rep.token).json(json!({"account_id": account})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        let res = command(&app, &rep.token, &id, "move", Some(json!({"stage": "negotiation"}))).await;
        assert_eq!(res.status, 200, "{}", res.body);
        let res = command(&app, &rep.token, &id, "move", Some(json!({"stage": "qualification"}))).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["probability_bps"], 1000);
        // Refusals.
        refused(&app, &rep.token, &id, "move", Some(json!({"stage": "qualification"})), 409, "invalid_transition").await;
        refused(&app, &rep.token, &id, "move", Some(json!({"stage": "closed_won"})), 409, "invalid_transition").await;
        refused(&app, &rep.token, &id, "move", Some(json!({"stage": "closed_lost"})), 409, "invalid_transition").await;
        let res = refused(&app, &rep.token, &id, "move", Some(json!({"stage": "nope"})), 422, "validation").await;
        assert_eq!(res.error_fields(), vec!["stage"]);
        assert_eq!(res.body["errors"][0]["code"], "unknown");
        let res = refused(&app, &rep.token, &id, "move", Some(json!({})), 422, "validation").await;
        assert_eq!(res.error_fields(), vec!["stage"]);
        refused(&app, &rep.token, &id, "move", Some(json!({"stage": "proposal", "x": 1})), 422, "validation").await;
        let h = history(&app, &id).await;
        let moves: Vec<(&str, &str, &str, i64, i64)> = h.iter().map(|r| (
            r["action"].as_str().expect("action"),
            r["from_stage"].as_str().unwrap_or("-"),
            r["to_stage"].as_str().expect("to"),
            r["amount"]["amount"].as_i64().unwrap_or(-1),
            r["probability_bps"].as_i64().expect("p"),
        )).collect();
        assert_eq!(moves, vec![
            ("create", "-", "qualification", -1, 1000),
            ("move", "qualification", "proposal", 200_000, 5000),
            ("move", "proposal", "negotiation", 200_000, 7500),
            ("move", "negotiation", "qualification", 200_000, 1000),
        ]);
        assert!(h.iter().skip(1).all(|r| r["from_status"] == "open" && r["to_status"] == "open" && r["actor_id"] == rep.id.as_str()));
    }

    async fn win_closes_the_deal_and_records_the_win_on_the_account(app) {
        let rep = app.user("rep", None, None).await;
        let account = app.account("Acme", Some(&rep.id));
        let id = app.opportunity(&rep.id, Some(&account), |r| r.amount = Some(300));
        let res = command(&app, &rep.token, &id, "win", Some(json!({}))).await;
        assert_eq!(res.status, 200, "{}", res.body);
        let o = &res.body;
        assert_eq!(o["status"], "won");
        assert_eq!(o["stage"], "closed_won");
        assert_eq!(o["probability_bps"], 10_000);
        assert_eq!(o["forecast_category"], "closed");
        assert_eq!(o["weighted_amount"]["amount"], 300);
        assert!(o["closed_at"].is_string());
        let acc = app.account_row(&account);
        assert_eq!(acc.lifecycle.as_str(), "active");
        assert!(acc.first_won_at.is_some());
        assert_eq!(acc.first_won_at, acc.last_won_at);
        assert_eq!(acc.version, 2);
        let audit = app.audit_trail(&app.admin_token, "account", &account).await;
        assert_eq!(audit["data"][0]["action"], "opportunity_won");
        assert_eq!(audit["data"][0]["changes"]["lifecycle"]["after"], "active");
        // A second win keeps first_won_at and moves last_won_at to its close. Back-date the
        // first win so that "moved" is visible even when both wins share a clock tick.
        let long_ago = chrono::NaiveDate::from_ymd_opt(2020, 1, 2).and_then(|d| d.and_hms_opt(3, 4, 5)).expect("date");
        app.with_conn(|c| {
            diesel::update(schema::accounts::table.find(&account))
                .set((schema::accounts::first_won_at.eq(Some(long_ago)), schema::accounts::last_won_at.eq(Some(long_ago))))
                .execute(c)
        })
        .expect("back-date the first win");
        let second = app.opportunity(&rep.id, Some(&account), |r| r.amount = Some(1));
        let res = command(&app, &rep.token, &second, "win", None).await;
        assert_eq!(res.status, 200, "{}", res.body);
        let second_closed = app.opportunity_row(&second).closed_at;
        let acc2 = app.account_row(&account);
        assert_eq!(acc2.first_won_at, Some(long_ago), "the first win stays");
        assert!(acc2.last_won_at > Some(long_ago), "the second win moves last_won_at");
        assert!(second_closed.is_some());
        assert_eq!(acc2.last_won_at, second_closed);
        // Everything but reopen is refused on a won deal.
        refused(&app, &rep.token, &id, "win", None, 409, "invalid_transition").await;
        refused(&app, &rep.token, &id, "lose", Some(json!({"loss_reason": "price"})), 409, "invalid_transition").await;
        refused(&app, &rep.token, &id, "abandon", None, 409, "invalid_transition").await;
        refused(&app, &rep.token, &id, "move", Some(json!({"stage": "proposal"})), 409, "invalid_transition").await;
        refused(&app, &rep.token, &id, "win", Some(json!({"x": 1})), 422, "validation").await;
        let h = history(&app, &id).await;
        assert_eq!(h.len(), 1, "the fixture writes no create row; the win does");
        assert_eq!(h[0]["action"], "win");
        assert_eq!(h[0]["from_stage"], "qualification");
        assert_eq!(h[0]["to_status"], "won");
        assert_eq!(h[0]["amount"]["amount"], 300);
        assert_eq!(h[0]["probability_bps"], 10_000);
    }

    async fn win_needs_an_account_and_an_amount_above_zero(app) {
        let rep = app.user("rep", None, None).await;
        let id = app.opportunity(&rep.id, None, |r| r.amount = Some(0));
        let res = refused(&app, &rep.token, &id, "win", None, 422, "validation").await;
        assert_eq!(res.error_fields(), vec!["account_id", "amount"]);
    }

    async fn lose_records_the_reason_and_the_winning_competitor(app) {
        let rep = app.user("rep", None, None).await;
        let winner = competitor(&app, "Oracle").await;
        let id = app.create_opportunity(&rep.token, json!({"name": "A", "amount": {"amount": 90}})).await;
        let res = refused(&app, &rep.token, &id, "lose", Some(json!({"loss_reason": "bogus"})), 422, "validation").await;
        assert_eq!(res.error_fields(), vec!["loss_reason"]);
        assert_eq!(res.body["errors"][0]["code"], "unknown");
        let res = refused(&app, &rep.token, &id, "lose", Some(json!({"loss_reason": "price", "won_by_competitor_id": "01900000-0000-7000-8000-00000000beef"})), 422, "validation").await;
        assert_eq!(res.error_fields(), vec!["won_by_competitor_id"]);
        assert_eq!(res.body["errors"][0]["code"], "unknown");
        let retired = competitor(&app, "SAP").await;
        let res = app.delete(&format!("/api/v1/competitors/{retired}")).token(&app.admin_token).send().await;
        assert_eq!(res.status, 204, "{}", res.body);
        let res = refused(&app, &rep.token, &id, "lose", Some(json!({"loss_reason": "competitor", "won_by_competitor_id": retired})), 422, "validation").await;
        assert_eq!(res.error_fields(), vec!["won_by_competitor_id"]);
        assert_eq!(res.body["errors"][0]["code"], "inactive");
        refused(&app, &rep.token, &id, "lose", None, 415, "unsupported_media_type").await;
        let res = refused(&app, &rep.token, &id, "lose", Some(json!({})), 422, "validation").await;
        assert_eq!(res.error_fields(), vec!["loss_reason"]);
        assert_eq!(res.body["errors"][0]["code"], "required");
        let res = command(&app, &rep.token, &id, "lose", Some(json!({"loss_reason": "competitor", "loss_note": "cheaper", "won_by_competitor_id": winner}))).await;
        assert_eq!(res.status, 200, "{}", res.body);
        let o = &res.body;
        assert_eq!(o["status"], "lost");
        assert_eq!(o["stage"], "closed_lost");
        assert_eq!(o["probability_bps"], 0);
        assert_eq!(o["forecast_category"], "omitted");
        assert_eq!(o["loss_reason"], "competitor");
        assert_eq!(o["loss_note"], "cheaper");
        assert_eq!(o["won_by_competitor_id"], winner.as_str());
        assert_eq!(o["competitors"], json!([{"id": winner, "name": "Oracle"}]));
        assert_eq!(o["weighted_amount"]["amount"], 0);
        assert!(o["closed_at"].is_string());
        refused(&app, &rep.token, &id, "lose", Some(json!({"loss_reason": "price"})), 409, "invalid_transition").await;
        refused(&app, &rep.token, &id, "win", None, 409, "invalid_transition").await;
        let h = history(&app, &id).await;
        assert_eq!(h.last().expect("row")["action"], "lose");
        assert_eq!(h.last().expect("row")["to_stage"], "closed_lost");
        assert_eq!(h.last().expect("row")["amount"]["amount"], 90);
    }

    async fn abandon_keeps_the_stage_and_cannot_happen_twice(app) {
        let rep = app.user("rep", None, None).await;
        let id = app.create_opportunity(&rep.token, json!({"name": "A", "stage": "needs_analysis"})).await;
        let res = refused(&app, &rep.token, &id, "abandon", Some(json!({"reason": "x".repeat(1001)})), 422, "validation").await;
        assert_eq!(res.error_fields(), vec!["reason"]);
        assert_eq!(res.body["errors"][0]["code"], "length");
        let res = command(&app, &rep.token, &id, "abandon", Some(json!({"reason": "project cancelled"}))).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["status"], "abandoned");
        assert_eq!(res.body["stage"], "needs_analysis");
        assert_eq!(res.body["probability_bps"], 0);
        assert_eq!(res.body["forecast_category"], "omitted");
        assert_eq!(res.body["loss_note"], "project cancelled");
        assert!(res.body["closed_at"].is_string());
        refused(&app, &rep.token, &id, "abandon", None, 409, "invalid_transition").await;
        refused(&app, &rep.token, &id, "move", Some(json!({"stage": "proposal"})), 409, "invalid_transition").await;
        // No body at all is fine too.
        let other = app.create_opportunity(&rep.token, json!({"name": "B"})).await;
        assert_eq!(command(&app, &rep.token, &other, "abandon", None).await.status, 200);
    }

    async fn reopen_is_for_managers_and_goes_back_to_the_stage_before_closing(app) {
        let dept = app.department("East", None);
        let manager = app.user("manager", Some(&dept), None).await;
        let rep = app.user("rep", Some(&dept), Some(&manager.id)).await;
        let id = app.create_opportunity(&rep.token, json!({
            "name": "A", "stage": "proposal", "amount": {"amount": 100}, "expected_close_date": "2026-12-01"
        })).await;
        refused(&app, &manager.token, &id, "reopen", None, 409, "invalid_transition").await;
        let c = competitor(&app, "X").await;
        assert_eq!(command(&app, &rep.token, &id, "lose", Some(json!({"loss_reason": "price", "won_by_competitor_id": c}))).await.status, 200);
        refused(&app, &rep.token, &id, "reopen", None, 403, "forbidden").await;
        let res = refused(&app, &manager.token, &id, "reopen", Some(json!({"stage": "closed_won"})), 422, "validation").await;
        assert_eq!(res.error_fields(), vec!["stage"]);
        assert_eq!(res.body["errors"][0]["code"], "closing_stage");
        let res = refused(&app, &manager.token, &id, "reopen", Some(json!({"stage": "negotiation"})), 422, "validation").await;
        assert_eq!(res.error_fields(), vec!["account_id"]);
        let res = command(&app, &manager.token, &id, "reopen", None).await;
        assert_eq!(res.status, 200, "{}", res.body);
        let o = &res.body;
        assert_eq!(o["status"], "open");
        assert_eq!(o["stage"], "proposal");
        assert_eq!(o["probability_bps"], 5000);
        assert_eq!(o["forecast_category"], "best_case");
        assert_eq!(o["closed_at"], Value::Null);
        assert_eq!(o["loss_reason"], Value::Null);
        assert_eq!(o["won_by_competitor_id"], Value::Null);
        assert_eq!(o["competitors"].as_array().expect("competitors").len(), 1, "the competitor stays listed");
        // Abandon, then reopen into a named stage.
        assert_eq!(command(&app, &rep.token, &id, "abandon", None).await.status, 200);
        let res = command(&app, &app.admin_token, &id, "reopen", Some(json!({"stage": "needs_analysis"}))).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["stage"], "needs_analysis");
        let actions: Vec<String> = history(&app, &id).await.iter().map(|r| r["action"].as_str().expect("a").to_owned()).collect();
        assert_eq!(actions, vec!["create", "lose", "reopen", "abandon", "reopen"]);
    }

    async fn every_command_honours_if_match(app) {
        let rep = app.user("rep", None, None).await;
        let account = app.account("Acme", Some(&rep.id));
        let id = app.create_opportunity(&rep.token, json!({"name": "A", "account_id": account, "amount": {"amount": 100}})).await;
        let res = app.patch(&format!("/api/v1/opportunities/{id}")).token(&rep.token).json(json!({"next_step": "Call"})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.header("etag"), Some("W/\"2\""));
        let stale = Some("W/\"1\"");
        for (name, body) in [
            ("move", Some(json!({"stage": "needs_analysis"}))),
            ("win", None),
            ("lose", Some(json!({"loss_reason": "price"}))),
            ("abandon", None),
        ] {
            refused_with(&app, &rep.token, &id, name, body, stale, 412, "precondition_failed").await;
        }
        // The current version goes through, each command in turn.
        let steps: [(&str, &str, Option<Value>, &str); 7] = [
            ("move", &rep.token, Some(json!({"stage": "needs_analysis"})), "open"),
            ("win", &rep.token, None, "won"),
            ("reopen", &app.admin_token, None, "open"),
            ("abandon", &rep.token, None, "abandoned"),
            ("reopen", &app.admin_token, Some(json!({"stage": "qualification"})), "open"),
            ("lose", &rep.token, Some(json!({"loss_reason": "price"})), "lost"),
            ("reopen", &app.admin_token, None, "open"),
        ];
        for (version, (name, token, body, status)) in (2..).zip(steps) {
            if name == "reopen" {
                let stale = format!("W/\"{}\"", version - 1);
                refused_with(&app, token, &id, name, body.clone(), Some(&stale), 412, "precondition_failed").await;
            }
            let current = format!("W/\"{version}\"");
            let res = command_with(&app, token, &id, name, body, Some(&current)).await;
            assert_eq!(res.status, 200, "{name}: {}", res.body);
            assert_eq!(res.body["status"], status, "{name}");
            assert_eq!(res.header("etag"), Some(format!("W/\"{}\"", version + 1).as_str()), "{name}");
        }
    }

    async fn reopen_refuses_unknown_and_inactive_stages(app) {
        let rep = app.user("rep", None, None).await;
        let id = app.create_opportunity(&rep.token, json!({
            "name": "A", "stage": "proposal", "amount": {"amount": 100}, "expected_close_date": "2026-12-01"
        })).await;
        let res = command(&app, &rep.token, &id, "lose", Some(json!({"loss_reason": "price"}))).await;
        assert_eq!(res.status, 200, "{}", res.body);
        let res = refused(&app, &app.admin_token, &id, "reopen", Some(json!({"stage": "nope"})), 422, "validation").await;
        assert_eq!(res.error_fields(), vec!["stage"]);
        assert_eq!(res.body["errors"][0]["code"], "unknown");
        // The stage it closed from goes inactive: it must be named, and cannot be that one.
        let res = app.patch("/api/v1/pipeline-stages/proposal").token(&app.admin_token).json(json!({"active": false})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        let res = refused(&app, &app.admin_token, &id, "reopen", None, 422, "validation").await;
        assert_eq!(res.error_fields(), vec!["stage"]);
        assert_eq!(res.body["errors"][0]["code"], "required");
        let res = refused(&app, &app.admin_token, &id, "reopen", Some(json!({"stage": "proposal"})), 422, "validation").await;
        assert_eq!(res.error_fields(), vec!["stage"]);
        assert_eq!(res.body["errors"][0]["code"], "inactive");
        let res = command(&app, &app.admin_token, &id, "reopen", Some(json!({"stage": "needs_analysis"}))).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["stage"], "needs_analysis");
    }

    async fn external_ids_are_unique_and_at_most_128_characters(app) {
        let rep = app.user("rep", None, None).await;
        let first = app.create_opportunity(&rep.token, json!({"name": "A", "external_id": "CRM-1"})).await;
        let second = app.create_opportunity(&rep.token, json!({"name": "B", "external_id": "CRM-2"})).await;
        for (body, code) in [
            (json!({"name": "C", "external_id": "CRM-1"}), "taken"),
            (json!({"name": "C", "external_id": "x".repeat(129)}), "length"),
        ] {
            let res = create(&app, &rep.token, body.clone()).await;
            res.assert_problem(422, "validation");
            assert_eq!(res.error_fields(), vec!["external_id"], "{body}");
            assert_eq!(res.body["errors"][0]["code"], code, "{body}");
        }
        let path = format!("/api/v1/opportunities/{second}");
        for (body, code) in [(json!({"external_id": "CRM-1"}), "taken"), (json!({"external_id": "x".repeat(129)}), "length")] {
            let res = app.patch(&path).token(&rep.token).json(body.clone()).send().await;
            res.assert_problem(422, "validation");
            assert_eq!(res.error_fields(), vec!["external_id"], "{body}");
            assert_eq!(res.body["errors"][0]["code"], code, "{body}");
        }
        assert_eq!(get(&app, &second).await["external_id"], "CRM-2");
        assert_eq!(get(&app, &first).await["external_id"], "CRM-1");
        assert_eq!(app.total("/api/v1/opportunities").await, 2);
    }

    async fn patch_refuses_overlong_text_bad_numbers_and_unusable_competitors(app) {
        let rep = app.user("rep", None, None).await;
        let gone = competitor(&app, "Gone").await;
        let res = app.delete(&format!("/api/v1/competitors/{gone}")).token(&app.admin_token).send().await;
        assert_eq!(res.status, 204, "{}", res.body);
        let id = app.create_opportunity(&rep.token, json!({"name": "A"})).await;
        let path = format!("/api/v1/opportunities/{id}");
        for (body, field, code) in [
            (json!({"name": "x".repeat(201)}), "name", "length"),
            (json!({"next_step": "x".repeat(501)}), "next_step", "length"),
            (json!({"probability_bps": -1}), "probability_bps", "range"),
            (json!({"competitor_ids": ["01900000-0000-7000-8000-00000000dead"]}), "competitor_ids[0]", "unknown"),
            (json!({"competitor_ids": [gone]}), "competitor_ids[0]", "inactive"),
        ] {
            let res = app.patch(&path).token(&rep.token).json(body.clone()).send().await;
            res.assert_problem(422, "validation");
            assert_eq!(res.error_fields(), vec![field.to_owned()], "{body}");
            assert_eq!(res.body["errors"][0]["code"], code, "{body}");
        }
        let after = get(&app, &id).await;
        assert_eq!(after["version"], 1);
        assert_eq!(after["competitors"], json!([]));
    }

    async fn list_filters_in_sql_and_pages_by_id(app) {
        let rep = app.user("rep", None, None).await;
        let other = app.user("rep", None, None).await;
        let acme = app.account("Acme", Some(&rep.id));
        let a = app.opportunity(&rep.id, Some(&acme), |r| { r.name = "Alpha ERP".into(); r.expected_close_date = chrono::NaiveDate::from_ymd_opt(2026, 12, 1); });
        let b = app.opportunity(&rep.id, None, |r| { r.name = "Beta CRM".into(); r.stage = "proposal".into(); r.forecast_category = ForecastCategory::BestCase; r.expected_close_date = chrono::NaiveDate::from_ymd_opt(2026, 12, 31); });
        let c = app.opportunity(&other.id, Some(&acme), |r| { r.name = "Gamma erp".into(); r.status = OpportunityStatus::Won; r.stage = "closed_won".into(); r.forecast_category = ForecastCategory::Closed; r.expected_close_date = chrono::NaiveDate::from_ymd_opt(2027, 1, 1); });
        assert_eq!(list(&app, "").await, vec![a.clone(), b.clone(), c.clone()]);
        assert_eq!(list(&app, "stage=proposal,closed_won").await, vec![b.clone(), c.clone()]);
        assert_eq!(list(&app, "status=open").await, vec![a.clone(), b.clone()]);
        assert_eq!(list(&app, &format!("owner_id={}", other.id)).await, vec![c.clone()]);
        assert_eq!(list(&app, &format!("account_id={acme}")).await, vec![a.clone(), c.clone()]);
        assert_eq!(list(&app, "forecast_category=best_case,closed").await, vec![b.clone(), c.clone()]);
        assert_eq!(list(&app, "expected_close_from=2026-12-01&expected_close_to=2026-12-31").await, vec![a.clone(), b.clone()]);
        assert_eq!(list(&app, "expected_close_from=2026-12-31").await, vec![b.clone(), c.clone()]);
        assert_eq!(list(&app, "q=erp").await, vec![a.clone(), c.clone()]);
        assert_eq!(list(&app, "q=erp&status=won").await, vec![c.clone()]);
        let res = app.get("/api/v1/opportunities?limit=2&count=true").token(&app.admin_token).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(ids(&res.body), vec![a.clone(), b.clone()]);
        assert_eq!(res.body["total"], 3);
        let cursor = res.body["next_cursor"].as_str().expect("cursor").to_owned();
        let res = app.get(&format!("/api/v1/opportunities?limit=2&cursor={cursor}")).token(&app.admin_token).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(ids(&res.body), vec![c.clone()]);
        assert_eq!(res.body["next_cursor"], Value::Null);
        // The rep sees only their own.
        let res = app.get("/api/v1/opportunities").token(&rep.token).send().await;
        assert_eq!(ids(&res.body), vec![a, b]);
        for bad in ["status=closed", "stage=Nope", "stage=unknown_stage", "forecast_category=maybe", "expected_close_from=2027-01-01&expected_close_to=2026-01-01", "expected_close_from=tomorrow", "limit=0", "cursor=%%%"] {
            app.get(&format!("/api/v1/opportunities?{bad}")).token(&app.admin_token).send().await.assert_problem(400, "bad_request");
        }
    }

    async fn weighted_amounts_round_half_away_from_zero(app) {
        let rep = app.user("rep", None, None).await;
        for (amount, bps, weighted) in [(15i64, 5000i32, 8i64), (333, 1000, 33), (335, 1000, 34), (1, 4999, 0), (100_000, 2500, 25_000)] {
            let id = app.opportunity(&rep.id, None, |r| { r.amount = Some(amount); r.probability_bps = bps; });
            assert_eq!(get(&app, &id).await["weighted_amount"], json!({"amount": weighted, "currency": "CNY"}), "{amount} × {bps}");
        }
        let id = app.opportunity(&rep.id, None, |_| {});
        assert_eq!(get(&app, &id).await["weighted_amount"], Value::Null);
    }

    async fn lose_refuses_a_loss_note_over_1000_characters(app) {
        let rep = app.user("rep", None, None).await;
        let id = app.create_opportunity(&rep.token, json!({"name": "A", "amount": {"amount": 90}})).await;
        let res = refused(&app, &rep.token, &id, "lose", Some(json!({"loss_reason": "price", "loss_note": "x".repeat(1001)})), 422, "validation").await;
        assert_eq!(res.error_fields(), vec!["loss_note"]);
        assert_eq!(res.body["errors"][0]["code"], "length");
        assert_eq!(get(&app, &id).await["status"], "open");
    }

    async fn patch_refuses_notes_over_10000_characters(app) {
        let rep = app.user("rep", None, None).await;
        let id = app.create_opportunity(&rep.token, json!({"name": "A", "notes": "fine"})).await;
        let path = format!("/api/v1/opportunities/{id}");
        let res = app.patch(&path).token(&rep.token).json(json!({"notes": "x".repeat(10_001)})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["notes"]);
        assert_eq!(res.body["errors"][0]["code"], "length");
        let after = get(&app, &id).await;
        assert_eq!(after["version"], 1, "a refused patch changed the opportunity");
        assert_eq!(after["notes"], "fine");
    }

    async fn a_blank_name_is_required_on_create_and_on_patch(app) {
        let rep = app.user("rep", None, None).await;
        for name in ["", "   "] {
            let res = create(&app, &rep.token, json!({"name": name})).await;
            res.assert_problem(422, "validation");
            assert_eq!(res.error_fields(), vec!["name"], "{name:?}");
            assert_eq!(res.body["errors"][0]["code"], "required", "{name:?}");
        }
        let id = app.create_opportunity(&rep.token, json!({"name": "A"})).await;
        let path = format!("/api/v1/opportunities/{id}");
        for body in [json!({"name": ""}), json!({"name": "   "}), json!({"name": null})] {
            let res = app.patch(&path).token(&rep.token).json(body.clone()).send().await;
            res.assert_problem(422, "validation");
            assert_eq!(res.error_fields(), vec!["name"], "{body}");
            assert_eq!(res.body["errors"][0]["code"], "required", "{body}");
        }
        assert_eq!(get(&app, &id).await["version"], 1, "a refused patch changed the opportunity");
    }

    async fn a_patch_is_held_to_the_create_bodys_limits(app) {
        let rep = app.user("rep", None, None).await;
        let id = app.create_opportunity(&rep.token, json!({"name": "A", "amount": {"amount": 100, "currency": "USD"}})).await;
        let path = format!("/api/v1/opportunities/{id}");
        for (body, field) in [
            (json!({"account_id": "x".repeat(37)}), "account_id"),
            (json!({"contact_id": "x".repeat(37)}), "contact_id"),
            (json!({"external_id": "x".repeat(129)}), "external_id"),
        ] {
            let res = app.patch(&path).token(&rep.token).json(body.clone()).send().await;
            res.assert_problem(422, "validation");
            assert_eq!(res.error_fields(), vec![field.to_owned()], "{body}");
            assert_eq!(res.body["errors"][0]["code"], "length", "{body}");
        }
        // Stored fields pass the same rules unchanged; blank text clears a field, other text is trimmed.
        let res = app.patch(&path).token(&rep.token).json(json!({"next_step": "  ", "notes": " Call back "})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["next_step"], Value::Null);
        assert_eq!(res.body["notes"], "Call back");
        assert_eq!(res.body["amount"], json!({"amount": 100, "currency": "USD"}));
    }

    async fn an_unknown_stored_status_in_the_stage_history_is_an_internal_error(app) {
        let rep = app.user("rep", None, None).await;
        let id = app.create_opportunity(&rep.token, json!({"name": "A"})).await;
        app.store_raw_word("UPDATE opportunity_stage_changes SET from_status = $1 WHERE opportunity_id = $2", "bogus", &id);

        let path = format!("/api/v1/opportunities/{id}/history");
        app.get(&path).token(&rep.token).send().await.assert_problem(500, "internal");
        assert_eq!(get(&app, &id).await["status"], "open", "only the history row is unreadable");
        let loaded = app.with_conn(|c| salesops_persistence::pipeline::stage_changes(c, &id, None, 10));
        assert!(loaded.is_err(), "an unknown optional status loaded as {loaded:?}");
    }
}
