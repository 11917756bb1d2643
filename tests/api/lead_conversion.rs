//! Lead conversion: new and existing accounts and contacts, the optional
//! opportunity, every refusal changing nothing, and the all-or-nothing rollback.

use crate::both_databases;
use crate::fixtures::{id_of, pluck, str_of};
use crate::helpers::{TestApp, TestResponse, DEFAULT_POOL_ID};
use diesel::prelude::*;
use salesops_persistence::account_owner_changes;
use salesops_persistence::schema::{
    accounts, audit_events, contacts, opportunities, opportunity_stage_changes, pipeline_stages,
};
use serde_json::{json, Value};

/// A lead owned by the token's user, qualified; returns its id.
async fn qualified_lead(app: &TestApp, token: &str) -> String {
    let lead = app
        .lead(
            token,
            json!({
                "name": "王芳", "company": "上海明远科技有限公司", "title": "采购经理",
                "email": "Wang.Fang@Mingyuan.cn", "phone": "+86 138 0013 8000",
                "industry": "manufacturing", "region": "华东"
            }),
        )
        .await;
    let id = id_of(&lead);
    let res = app.post(&format!("/api/v1/leads/{id}/qualify")).token(token).send().await;
    assert_eq!(res.status, 200, "qualify: {}", res.body);
    id
}

async fn convert(app: &TestApp, token: &str, id: &str, body: Value) -> TestResponse {
    app.post(&format!("/api/v1/leads/{id}/convert")).token(token).json(body).send().await
}

/// How many accounts, contacts, opportunities and stage-history rows exist.
fn counts(app: &TestApp) -> (i64, i64, i64, i64) {
    app.with_conn(|c| {
        let a: i64 = accounts::table.count().get_result(c).expect("count");
        let ct: i64 = contacts::table.count().get_result(c).expect("count");
        let o: i64 = opportunities::table.count().get_result(c).expect("count");
        let s: i64 = opportunity_stage_changes::table.count().get_result(c).expect("count");
        (a, ct, o, s)
    })
}

fn audit_count(app: &TestApp) -> i64 {
    app.with_conn(|c| audit_events::table.count().get_result(c).expect("count"))
}

/// A refused conversion answers `status`/`code` and changes nothing anywhere.
async fn refused(app: &TestApp, token: &str, id: &str, body: Value, status: u16, code: &str) -> TestResponse {
    let before = (app.fetch_lead(id).await, counts(app), audit_count(app));
    let res = convert(app, token, id, body).await;
    res.assert_problem(status, code);
    assert_eq!(
        (app.fetch_lead(id).await, counts(app), audit_count(app)),
        before,
        "a refused conversion changed something"
    );
    res
}

both_databases! {
    async fn a_qualified_lead_becomes_an_account_a_contact_and_an_opportunity(app) {
        let rep = app.user("rep", None, None).await;
        let id = qualified_lead(&app, &rep.token).await;
        let before = counts(&app);
        let res = convert(&app, &rep.token, &id, json!({
            "opportunity": {"name": "明远 ERP 二期", "amount": {"amount": 12_000_000}, "expected_close_date": "2026-12-31"}
        })).await;
        assert_eq!(res.status, 200, "{}", res.body);
        let lead = &res.body["lead"];
        assert_eq!(lead["status"], "converted");
        assert_eq!(lead["version"], 3);
        assert_eq!(res.header("etag"), Some("W/\"3\""));
        assert!(lead["converted_at"].is_string());
        let (account, contact, opportunity) = (str_of(&res.body, "account_id"), str_of(&res.body, "contact_id"), str_of(&res.body, "opportunity_id"));
        assert_eq!(lead["converted_account_id"], account);
        assert_eq!(lead["converted_contact_id"], contact);
        assert_eq!(lead["converted_opportunity_id"], opportunity);
        assert_eq!(counts(&app), (before.0 + 1, before.1 + 1, before.2 + 1, before.3 + 1));

        let a = app.account_row(account);
        assert_eq!(a.name, "上海明远科技有限公司");
        assert_eq!(a.owner_id.as_deref(), Some(rep.id.as_str()));
        assert_eq!(a.pool_id.as_deref(), Some(DEFAULT_POOL_ID));
        assert_eq!((a.industry.as_deref(), a.region.as_deref()), (Some("manufacturing"), Some("华东")));
        let history = app.with_conn(|c| account_owner_changes::for_account(c, account)).expect("history");
        assert_eq!(history.len(), 1);
        assert_eq!((history[0].reason.as_str(), history[0].to_owner_id.as_deref()), ("create", Some(rep.id.as_str())));

        let ct = app.contact_row(contact);
        assert_eq!(ct.account_id, account);
        assert_eq!(ct.name, "王芳");
        assert_eq!(ct.title.as_deref(), Some("采购经理"));
        assert_eq!(ct.email_normalized.as_deref(), Some("wang.fang@mingyuan.cn"));
        assert_eq!(ct.phone_normalized.as_deref(), Some("13800138000"));
        assert!(ct.is_primary, "the first contact of a new account is its primary one");

        let opp = app.get(&format!("/api/v1/opportunities/{opportunity}")).token(&rep.token).send().await;
        assert_eq!(opp.status, 200, "{}", opp.body);
        assert_eq!(opp.body["account_id"], account);
        assert_eq!(opp.body["contact_id"], contact);
        assert_eq!(opp.body["owner_id"], rep.id.as_str());
        assert_eq!(opp.body["source_lead_id"], id.as_str());
        assert_eq!(opp.body["stage"], "qualification");
        assert_eq!(opp.body["status"], "open");
        assert_eq!(opp.body["amount"], json!({"amount": 12_000_000, "currency": "CNY"}));
        assert_eq!(opp.body["expected_close_date"], "2026-12-31");

        let trail = app.audit_trail(&rep.token, "lead", &id).await;
        let actions = pluck(&trail, "action");
        assert_eq!(actions, vec!["create", "qualify", "convert"]);
        for (entity, entity_id) in [("account", account), ("contact", contact), ("opportunity", opportunity)] {
            let n: i64 = app.with_conn(|c| audit_events::table
                .filter(audit_events::entity_type.eq(entity))
                .filter(audit_events::entity_id.eq(entity_id))
                .filter(audit_events::action.eq("create"))
                .count().get_result(c)).expect("count");
            assert_eq!(n, 1, "{entity} creation audited");
        }
    }

    async fn without_an_opportunity_only_the_account_and_contact_are_made(app) {
        let rep = app.user("rep", None, None).await;
        let id = qualified_lead(&app, &rep.token).await;
        let before = counts(&app);
        let res = convert(&app, &rep.token, &id, json!({})).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["opportunity_id"], Value::Null);
        assert_eq!(res.body["lead"]["converted_opportunity_id"], Value::Null);
        assert_eq!(counts(&app), (before.0 + 1, before.1 + 1, before.2, before.3));
        // Every field is optional, so no body at all works like `{}`.
        let other = qualified_lead(&app, &rep.token).await;
        let res = app.post(&format!("/api/v1/leads/{other}/convert")).token(&rep.token).send().await;
        assert_eq!(res.status, 200, "convert without a body: {}", res.body);
        assert_eq!(res.body["opportunity_id"], Value::Null);
        assert_eq!(counts(&app), (before.0 + 2, before.1 + 2, before.2, before.3));
    }

    async fn a_stale_if_match_is_refused_and_changes_nothing(app) {
        let rep = app.user("rep", None, None).await;
        let id = qualified_lead(&app, &rep.token).await;
        let before = (app.fetch_lead(&id).await, counts(&app), audit_count(&app));
        let version = before.0["version"].as_i64().expect("version");
        let res = app.post(&format!("/api/v1/leads/{id}/convert")).token(&rep.token)
            .header("if-match", &format!("W/\"{}\"", version - 1)).json(json!({})).send().await;
        res.assert_problem(412, "precondition_failed");
        assert_eq!((app.fetch_lead(&id).await, counts(&app), audit_count(&app)), before);
        let res = app.post(&format!("/api/v1/leads/{id}/convert")).token(&rep.token)
            .header("if-match", &format!("W/\"{version}\"")).json(json!({})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
    }

    async fn a_rep_who_sees_another_reps_lead_may_not_convert_it(app) {
        let dept = app.department("Sales", None);
        app.set_scope("rep", "department").await;
        let alice = app.user("rep", Some(&dept), None).await;
        let bob = app.user("rep", Some(&dept), None).await;
        let id = qualified_lead(&app, &alice.token).await;
        assert_eq!(app.get(&format!("/api/v1/leads/{id}")).token(&bob.token).send().await.status, 200, "setup: bob sees the lead");
        refused(&app, &bob.token, &id, json!({}), 403, "forbidden").await;
    }

    async fn an_existing_account_and_contact_are_linked_not_copied(app) {
        let rep = app.user("rep", None, None).await;
        let account = app.account("明远科技", Some(&rep.id));
        let contact = app.contact(&account, "王芳");
        // Account and contact given: both linked, nothing new.
        let id = qualified_lead(&app, &rep.token).await;
        let before = counts(&app);
        let res = convert(&app, &rep.token, &id, json!({"account_id": account, "contact_id": contact})).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!((str_of(&res.body, "account_id"), str_of(&res.body, "contact_id")), (account.as_str(), contact.as_str()));
        assert_eq!(counts(&app), before);
        // The contact alone: its account is linked.
        let id = qualified_lead(&app, &rep.token).await;
        let res = convert(&app, &rep.token, &id, json!({"contact_id": contact, "opportunity": {"name": "Renewal"}})).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(str_of(&res.body, "account_id"), account);
        assert_eq!(counts(&app), (before.0, before.1, before.2 + 1, before.3 + 1));
        // The account alone: a new contact there, not primary since the account has one.
        let id = qualified_lead(&app, &rep.token).await;
        let res = convert(&app, &rep.token, &id, json!({"account_id": account})).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(str_of(&res.body, "account_id"), account);
        let new_contact = str_of(&res.body, "contact_id");
        assert_ne!(new_contact, contact);
        let ct = app.contact_row(new_contact);
        assert_eq!(ct.account_id, account);
        assert!(!ct.is_primary);
        assert_eq!(counts(&app).0, before.0, "no account was created");
    }

    async fn a_contact_must_work_at_the_account_it_is_linked_with(app) {
        let rep = app.user("rep", None, None).await;
        let first = app.account("First", Some(&rep.id));
        let second = app.account("Second", Some(&rep.id));
        let contact = app.contact(&first, "Li");
        let id = qualified_lead(&app, &rep.token).await;
        let res = refused(&app, &rep.token, &id, json!({"account_id": second, "contact_id": contact, "opportunity": {"name": "X"}}), 422, "validation").await;
        assert_eq!(res.error_fields(), vec!["contact_id"]);
        assert_eq!(res.body["errors"][0]["code"], "mismatch");
    }

    async fn an_account_or_contact_outside_the_callers_scope_is_unknown(app) {
        let alice = app.user("rep", None, None).await;
        let bob = app.user("rep", None, None).await;
        let bobs = app.account("Bob's", Some(&bob.id));
        let bobs_contact = app.contact(&bobs, "Zhao");
        let id = qualified_lead(&app, &alice.token).await;
        let res = refused(&app, &alice.token, &id, json!({"account_id": bobs}), 422, "validation").await;
        assert_eq!(res.error_fields(), vec!["account_id"]);
        assert_eq!(res.body["errors"][0]["code"], "unknown");
        let res = refused(&app, &alice.token, &id, json!({"contact_id": bobs_contact}), 422, "validation").await;
        assert_eq!(res.error_fields(), vec!["contact_id"]);
        let res = refused(&app, &alice.token, &id, json!({"account_id": "0190f0c2-0000-7000-8000-000000000000"}), 422, "validation").await;
        assert_eq!(res.error_fields(), vec!["account_id"]);
    }

    async fn converting_twice_is_refused(app) {
        let rep = app.user("rep", None, None).await;
        let id = qualified_lead(&app, &rep.token).await;
        assert_eq!(convert(&app, &rep.token, &id, json!({})).await.status, 200);
        refused(&app, &rep.token, &id, json!({}), 409, "invalid_transition").await;
        refused(&app, &rep.token, &id, json!({"opportunity": {"name": "Again"}}), 409, "invalid_transition").await;
    }

    async fn only_qualified_leads_convert(app) {
        let rep = app.user("rep", None, None).await;
        let fresh = app.lead(&rep.token, json!({"name": "New", "company": "Acme", "phone": "13800138000"})).await;
        let fresh = id_of(&fresh);
        refused(&app, &rep.token, &fresh, json!({}), 409, "invalid_transition").await;
        assert_eq!(app.post(&format!("/api/v1/leads/{fresh}/start")).token(&rep.token).send().await.status, 200);
        refused(&app, &rep.token, &fresh, json!({}), 409, "invalid_transition").await;
        let id = qualified_lead(&app, &rep.token).await;
        let res = app.post(&format!("/api/v1/leads/{id}/disqualify")).token(&rep.token).json(json!({"reason": "no budget"})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        let res = refused(&app, &rep.token, &id, json!({}), 409, "invalid_transition").await;
        assert!(res.body["detail"].as_str().expect("detail").contains("disqualified"), "{}", res.body);
    }

    async fn a_pool_lead_must_be_claimed_before_it_converts(app) {
        let rep = app.user("rep", None, None).await;
        let id = qualified_lead(&app, &rep.token).await;
        assert_eq!(app.post(&format!("/api/v1/leads/{id}/release")).token(&rep.token).send().await.status, 200);
        refused(&app, &rep.token, &id, json!({}), 409, "invalid_transition").await;
        refused(&app, &app.admin_token, &id, json!({}), 409, "invalid_transition").await;
        assert_eq!(app.post(&format!("/api/v1/leads/{id}/claim")).token(&rep.token).send().await.status, 200);
        assert_eq!(convert(&app, &rep.token, &id, json!({})).await.status, 200);
    }

    async fn another_rep_cannot_see_the_lead_and_finance_cannot_convert(app) {
        let east = app.department("East", None);
        let manager = app.user("manager", Some(&east), None).await;
        let alice = app.user("rep", Some(&east), Some(&manager.id)).await;
        let bob = app.user("rep", Some(&east), Some(&manager.id)).await;
        let finance = app.user("finance", None, None).await;
        let id = qualified_lead(&app, &alice.token).await;
        refused(&app, &bob.token, &id, json!({}), 404, "not_found").await;
        refused(&app, &finance.token, &id, json!({}), 403, "forbidden").await;
        // A manager over the owner converts for them; everything stays the owner's.
        let res = convert(&app, &manager.token, &id, json!({"opportunity": {"name": "Team deal"}})).await;
        assert_eq!(res.status, 200, "{}", res.body);
        let opp = app.get(&format!("/api/v1/opportunities/{}", str_of(&res.body, "opportunity_id"))).token(&alice.token).send().await;
        assert_eq!(opp.body["owner_id"], alice.id.as_str());
        let a = app.account_row(str_of(&res.body, "account_id"));
        assert_eq!(a.owner_id.as_deref(), Some(alice.id.as_str()));
        assert_eq!(a.created_by.as_deref(), Some(manager.id.as_str()));
    }

    async fn a_bad_body_is_refused_before_anything_happens(app) {
        let rep = app.user("rep", None, None).await;
        let id = qualified_lead(&app, &rep.token).await;
        let res = refused(&app, &rep.token, &id, json!({"opportunity": {"name": "  "}}), 422, "validation").await;
        assert_eq!(res.error_fields(), vec!["opportunity.name"]);
        assert_eq!(res.body["errors"][0]["code"], "required");
        let res = refused(&app, &rep.token, &id, json!({"opportunity": {"name": "X", "amount": {"amount": 1, "currency": "rmb"}}}), 422, "validation").await;
        assert_eq!(res.error_fields(), vec!["opportunity.amount.currency"]);
        let res = refused(&app, &rep.token, &id, json!({"opportunity": {"name": "X", "amount": {"amount": -1}}}), 422, "validation").await;
        assert_eq!(res.error_fields(), vec!["opportunity.amount.amount"]);
        let res = refused(&app, &rep.token, &id, json!({"acount_id": "x"}), 422, "validation").await;
        assert_eq!(res.error_fields(), vec!["acount_id"]);
        let res = refused(&app, &rep.token, &id, json!({"opportunity": {"name": "X", "stage": "proposal"}}), 422, "validation").await;
        assert_eq!(res.error_fields(), vec!["opportunity.stage"]);
    }

    async fn a_failure_after_the_account_and_contact_are_made_leaves_nothing_behind(app) {
        let rep = app.user("rep", None, None).await;
        let id = qualified_lead(&app, &rep.token).await;
        // The opportunity is created last, after the account and the contact were inserted.
        // Gate the first open stage so that creating it fails there.
        app.with_conn(|c| diesel::update(pipeline_stages::table.find("qualification"))
            .set(pipeline_stages::required_fields.eq(r#"["amount","expected_close_date"]"#))
            .execute(c)).expect("gate the first stage");
        let before_audit = audit_count(&app);
        let res = refused(&app, &rep.token, &id, json!({"opportunity": {"name": "Ungated deal"}}), 422, "validation").await;
        assert_eq!(res.error_fields(), vec!["opportunity.amount", "opportunity.expected_close_date"]);
        assert_eq!(counts(&app), (0, 0, 0, 0), "no account, contact, opportunity or stage history remains");
        let history: i64 = app.with_conn(|c| salesops_persistence::schema::account_owner_changes::table.count().get_result(c)).expect("count");
        assert_eq!(history, 0, "no owner history remains");
        assert_eq!(audit_count(&app), before_audit, "no audit event remains");
        let lead = app.fetch_lead(&id).await;
        assert_eq!((lead["status"].as_str(), lead["version"].as_i64()), (Some("qualified"), Some(2)));
        assert_eq!(lead["converted_account_id"], Value::Null);
        // The same request meeting the gate goes through.
        let res = convert(&app, &rep.token, &id, json!({"opportunity": {"name": "Gated deal", "amount": {"amount": 100}, "expected_close_date": "2027-01-31"}})).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(counts(&app), (1, 1, 1, 1));
    }
}
