//! Activities (跟进记录): kinds and locations, links in scope, the touch on
//! linked records, the lead's first-activity start, lists, visibility and edits.

use crate::both_databases;
use crate::fixtures::{id_of, ids, pluck};
use crate::helpers::{TestApp, TestResponse};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::{json, Value};

const SHANGHAI: &str = r#"{"latitude": 31.2304, "longitude": 121.4737, "name": "浦东办公室"}"#;

fn shanghai() -> Value {
    serde_json::from_str(SHANGHAI).expect("json")
}

async fn log(app: &TestApp, token: &str, body: Value) -> TestResponse {
    app.post("/api/v1/activities").token(token).json(body).send().await
}

/// Log an activity, asserting 201; returns its JSON.
async fn logged(app: &TestApp, token: &str, body: Value) -> Value {
    app.created(token, "/api/v1/activities", body).await
}

fn at(rfc3339: &str) -> NaiveDateTime {
    DateTime::parse_from_rfc3339(rfc3339).expect("timestamp").naive_utc()
}

/// `(last_activity_at, version)` of a stored record, read directly.
fn account_touch(app: &TestApp, id: &str) -> (Option<NaiveDateTime>, i64) {
    let row = app.account_row(id);
    (row.last_activity_at, row.version)
}

fn contact_touch(app: &TestApp, id: &str) -> (Option<NaiveDateTime>, i64) {
    let row = app.contact_row(id);
    (row.last_activity_at, row.version)
}

fn opportunity_touch(app: &TestApp, id: &str) -> (Option<NaiveDateTime>, i64) {
    let row = app.opportunity_row(id);
    (row.last_activity_at, row.version)
}

async fn list(app: &TestApp, token: &str, query: &str) -> TestResponse {
    app.get(&format!("/api/v1/activities{query}")).token(token).send().await
}

both_databases! {
    async fn every_kind_of_activity_can_be_logged(app) {
        let rep = app.user("rep", None, None).await;
        let account = app.account("明远科技", Some(&rep.id));
        for kind in ["call", "visit", "meeting", "email", "note", "check_in"] {
            let mut body = json!({"kind": kind, "subject": format!("A {kind}"), "account_id": account});
            if kind == "check_in" {
                body["location"] = shanghai();
            }
            let res = log(&app, &rep.token, body).await;
            assert_eq!(res.status, 201, "{kind}: {}", res.body);
            let id = res.assert_created("/api/v1/activities");
            assert_eq!(res.body["kind"], kind);
            assert_eq!(res.body["owner_id"], rep.id.as_str());
            assert_eq!(res.body["account_id"], account.as_str());
            assert_eq!(res.body["version"], 1);
            let got = app.get(&format!("/api/v1/activities/{id}")).token(&rep.token).send().await;
            assert_eq!(got.status, 200);
            assert_eq!(got.body, res.body);
        }
        let check_in = list(&app, &rep.token, "?kind=check_in").await;
        assert_eq!(check_in.body["data"][0]["location"], shanghai());
    }

    async fn a_check_in_needs_a_location_and_only_visits_may_add_one(app) {
        let rep = app.user("rep", None, None).await;
        let account = app.account("A", Some(&rep.id));
        let res = log(&app, &rep.token, json!({"kind": "check_in", "subject": "Here", "account_id": account})).await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["location"]);
        let res = log(&app, &rep.token, json!({"kind": "call", "subject": "Hi", "account_id": account, "location": shanghai()})).await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["location"]);
        let visit = logged(&app, &rep.token, json!({"kind": "visit", "subject": "Visit", "account_id": account, "location": shanghai()})).await;
        assert_eq!(visit["location"]["name"], "浦东办公室");
        let visit = logged(&app, &rep.token, json!({"kind": "visit", "subject": "Visit", "account_id": account})).await;
        assert_eq!(visit["location"], Value::Null);
        let res = log(&app, &rep.token, json!({"kind": "check_in", "subject": "Here", "account_id": account, "location": {"latitude": 1.0, "longitude": 2.0, "altitude": 3}})).await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["location.altitude"]);
        let total = list(&app, &rep.token, "?count=true").await;
        assert_eq!(total.body["total"], 2, "refused activities were stored");
    }

    async fn coordinates_off_the_globe_are_refused(app) {
        let rep = app.user("rep", None, None).await;
        let account = app.account("A", Some(&rep.id));
        let res = log(&app, &rep.token, json!({"kind": "check_in", "subject": "Here", "account_id": account, "location": {"latitude": 90.5, "longitude": -180.5}})).await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["location.latitude", "location.longitude"]);
        let res = log(&app, &rep.token, json!({"kind": "check_in", "subject": "Here", "account_id": account, "location": {"latitude": -90, "longitude": 181}})).await;
        assert_eq!(res.error_fields(), vec!["location.longitude"]);
        let ok = log(&app, &rep.token, json!({"kind": "check_in", "subject": "Pole", "account_id": account, "location": {"latitude": -90, "longitude": 180}})).await;
        assert_eq!(ok.status, 201, "{}", ok.body);
    }

    async fn an_activity_links_to_at_least_one_record(app) {
        let rep = app.user("rep", None, None).await;
        let res = log(&app, &rep.token, json!({"kind": "note", "subject": "Floating"})).await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["(body)"]);
        let res = log(&app, &rep.token, json!({"kind": "note", "subject": "  ", "lead_id": "x"})).await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["subject"]);
        assert_eq!(res.body["errors"][0]["code"], "required");
        let res = log(&app, &rep.token, json!({"kind": "note", "subject": "x".repeat(201), "lead_id": "x"})).await;
        assert_eq!(res.error_fields(), vec!["subject"]);
        assert_eq!(res.body["errors"][0]["code"], "length");
        let res = log(&app, &rep.token, json!({"kind": "fax", "subject": "Old school", "lead_id": "x"})).await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["kind"]);
        let res = log(&app, &rep.token, json!({"kind": "note", "subject": "Typo", "lead_id": "x", "acount_id": "y"})).await;
        assert_eq!(res.error_fields(), vec!["acount_id"]);
    }

    async fn links_outside_the_callers_scope_are_unknown(app) {
        let alice = app.user("rep", None, None).await;
        let bob = app.user("rep", None, None).await;
        let account = app.account("Alice's", Some(&alice.id));
        let contact = app.contact(&account, "Zhang");
        let opportunity = app.opportunity(&alice.id, Some(&account), |_| {});
        let lead = id_of(&app.lead(&alice.token, json!({"name": "Alice's lead"})).await);
        let res = log(&app, &bob.token, json!({
            "kind": "call", "subject": "Poaching", "lead_id": lead, "account_id": account,
            "contact_id": contact, "opportunity_id": opportunity
        })).await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["lead_id", "account_id", "contact_id", "opportunity_id"]);
        assert!(res.body["errors"].as_array().expect("errors").iter().all(|e| e["code"] == "unknown"));
        assert_eq!(account_touch(&app, &account).1, 1, "a refused activity touched the account");
        let res = log(&app, &alice.token, json!({"kind": "call", "subject": "Ghost", "account_id": "0190f0c2-0000-7000-8000-000000000000"})).await;
        assert_eq!(res.error_fields(), vec!["account_id"]);
        app.with_conn(|c| {
            use diesel::prelude::*;
            use salesops_persistence::schema::accounts::dsl;
            diesel::update(dsl::accounts.find(&account)).set(dsl::deleted_at.eq(Some(chrono::Utc::now().naive_utc()))).execute(c)
        }).expect("delete account");
        let res = log(&app, &alice.token, json!({"kind": "call", "subject": "Deleted", "account_id": account})).await;
        assert_eq!(res.error_fields(), vec!["account_id"]);
        assert_eq!(app.lead_row(&lead).status.as_str(), "new", "a refused activity started the lead");
    }

    async fn a_contact_must_work_at_the_given_account_and_brings_its_own(app) {
        let rep = app.user("rep", None, None).await;
        let first = app.account("First", Some(&rep.id));
        let second = app.account("Second", Some(&rep.id));
        let contact = app.contact(&first, "Li");
        let res = log(&app, &rep.token, json!({"kind": "call", "subject": "Wrong", "account_id": second, "contact_id": contact})).await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["contact_id"]);
        assert_eq!(res.body["errors"][0]["code"], "mismatch");
        let opportunity = app.opportunity(&rep.id, Some(&first), |_| {});
        let res = log(&app, &rep.token, json!({"kind": "call", "subject": "Wrong", "account_id": second, "opportunity_id": opportunity})).await;
        assert_eq!(res.error_fields(), vec!["opportunity_id"]);
        let activity = logged(&app, &rep.token, json!({"kind": "call", "subject": "Right", "contact_id": contact})).await;
        assert_eq!(activity["account_id"], first.as_str(), "the contact's account is linked too");
        let activity = logged(&app, &rep.token, json!({"kind": "call", "subject": "Deal", "opportunity_id": opportunity})).await;
        assert_eq!(activity["account_id"], first.as_str(), "the opportunity's account is linked too");
    }

    async fn logging_moves_last_activity_forward_on_every_linked_record(app) {
        let rep = app.user("rep", None, None).await;
        let account = app.account("A", Some(&rep.id));
        let contact = app.contact(&account, "Li");
        let opportunity = app.opportunity(&rep.id, Some(&account), |_| {});
        let lead = id_of(&app.lead(&rep.token, json!({"name": "Li", "company": "A"})).await);
        logged(&app, &rep.token, json!({
            "kind": "meeting", "subject": "Kick-off", "occurred_at": "2026-10-02T08:00:00Z",
            "lead_id": lead, "account_id": account, "contact_id": contact, "opportunity_id": opportunity
        })).await;
        let t = at("2026-10-02T08:00:00Z");
        assert_eq!(account_touch(&app, &account), (Some(t), 2));
        assert_eq!(contact_touch(&app, &contact), (Some(t), 2));
        assert_eq!(opportunity_touch(&app, &opportunity), (Some(t), 2));
        assert_eq!(app.lead_row(&lead).last_activity_at, Some(t));
        // A back-dated activity changes nothing.
        logged(&app, &rep.token, json!({"kind": "note", "subject": "Old", "occurred_at": "2026-09-01T08:00:00Z", "contact_id": contact})).await;
        assert_eq!(account_touch(&app, &account), (Some(t), 2));
        assert_eq!(contact_touch(&app, &contact), (Some(t), 2));
        // Logged on the contact alone, a newer one reaches its account.
        logged(&app, &rep.token, json!({"kind": "call", "subject": "New", "occurred_at": "2026-10-05T08:00:00Z", "contact_id": contact})).await;
        let later = at("2026-10-05T08:00:00Z");
        assert_eq!(account_touch(&app, &account), (Some(later), 3));
        assert_eq!(contact_touch(&app, &contact), (Some(later), 3));
        assert_eq!(opportunity_touch(&app, &opportunity), (Some(t), 2));
        let trail = app.audit_trail(&rep.token, "lead", &lead).await;
        let actions = pluck(&trail, "action");
        assert_eq!(actions, vec!["create", "start"]);
    }

    async fn the_first_activity_starts_a_new_lead_but_leaves_a_qualified_one(app) {
        let rep = app.user("rep", None, None).await;
        let lead = id_of(&app.lead(&rep.token, json!({"name": "Wang", "company": "Acme", "phone": "13800138000"})).await);
        logged(&app, &rep.token, json!({"kind": "call", "subject": "Intro", "lead_id": lead, "next_follow_up_at": "2026-12-20T02:00:00Z"})).await;
        let got = app.get(&format!("/api/v1/leads/{lead}")).token(&rep.token).send().await.body;
        assert_eq!(got["status"], "working");
        assert_eq!(got["version"], 2);
        assert_eq!(got["next_follow_up_at"], "2026-12-20T02:00:00Z");
        assert!(got["last_activity_at"].is_string());
        let res = app.post(&format!("/api/v1/leads/{lead}/qualify")).token(&rep.token).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        logged(&app, &rep.token, json!({"kind": "email", "subject": "Proposal", "lead_id": lead})).await;
        let got = app.get(&format!("/api/v1/leads/{lead}")).token(&rep.token).send().await.body;
        assert_eq!(got["status"], "qualified");
        assert_eq!(got["next_follow_up_at"], "2026-12-20T02:00:00Z", "kept when the activity names none");
        // A pool lead is visible to every rep, so anyone may log on it; but it is
        // worked only once claimed: it stays new and keeps its follow-up.
        let pool_lead = id_of(&app.lead(&app.admin_token, json!({"name": "Pool", "to_pool": true})).await);
        logged(&app, &rep.token, json!({
            "kind": "call", "subject": "Cold call", "lead_id": pool_lead, "next_follow_up_at": "2026-12-21T02:00:00Z"
        })).await;
        let row = app.lead_row(&pool_lead);
        assert_eq!(row.status.as_str(), "new");
        assert_eq!(row.next_follow_up_at, None);
        assert!(row.last_activity_at.is_some(), "the activity is still linked and touches the lead");
    }

    async fn an_activity_on_a_lead_the_caller_may_not_work_only_touches_it(app) {
        let dept = app.department("Sales", None);
        // Reps in this department see each other's leads, but work only their own.
        app.set_scope("rep", "department").await;
        let alice = app.user("rep", Some(&dept), None).await;
        let bob = app.user("rep", Some(&dept), None).await;
        let lead = id_of(&app.lead(&alice.token, json!({"name": "Alice's lead"})).await);
        let visible = app.get(&format!("/api/v1/leads/{lead}")).token(&bob.token).send().await;
        assert_eq!(visible.status, 200, "setup: bob sees alice's lead: {}", visible.body);
        let activity = logged(&app, &bob.token, json!({
            "kind": "call", "subject": "Hello", "lead_id": lead, "next_follow_up_at": "2026-12-21T02:00:00Z"
        })).await;
        assert_eq!(activity["lead_id"], lead.as_str());
        let row = app.lead_row(&lead);
        assert_eq!(row.status.as_str(), "new");
        assert_eq!(row.next_follow_up_at, None);
        assert!(row.last_activity_at.is_some());
        let trail = app.audit_trail(&app.admin_token, "lead", &lead).await;
        let actions = pluck(&trail, "action");
        assert_eq!(actions, vec!["create", "log_activity"]);
    }

    async fn an_opportunity_brings_its_account_only_when_the_caller_sees_it(app) {
        let alice = app.user("rep", None, None).await;
        let bob = app.user("rep", None, None).await;
        let account = app.account("Alice's", Some(&alice.id));
        let opportunity = app.opportunity(&bob.id, Some(&account), |_| {});
        let activity = logged(&app, &bob.token, json!({"kind": "call", "subject": "Deal", "opportunity_id": opportunity})).await;
        assert_eq!(activity["opportunity_id"], opportunity.as_str());
        assert_eq!(activity["account_id"], Value::Null, "bob cannot see the account");
        assert_eq!(account_touch(&app, &account), (None, 1), "the hidden account was touched");
        assert_eq!(opportunity_touch(&app, &opportunity).1, 2);
    }

    async fn an_activity_is_not_dated_more_than_a_day_ahead(app) {
        let rep = app.user("rep", None, None).await;
        let account = app.account("A", Some(&rep.id));
        let soon = (Utc::now() + chrono::TimeDelta::hours(20)).to_rfc3339();
        let far = (Utc::now() + chrono::TimeDelta::days(3)).to_rfc3339();
        let ok = log(&app, &rep.token, json!({"kind": "call", "subject": "Tomorrow, abroad", "account_id": account, "occurred_at": soon})).await;
        assert_eq!(ok.status, 201, "{}", ok.body);
        let res = log(&app, &rep.token, json!({"kind": "call", "subject": "Plan", "account_id": account, "occurred_at": far})).await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["occurred_at"]);
        let default_now = logged(&app, &rep.token, json!({"kind": "note", "subject": "Now", "account_id": account})).await;
        let occurred = DateTime::parse_from_rfc3339(default_now["occurred_at"].as_str().expect("occurred_at")).expect("time");
        assert!((Utc::now() - occurred.with_timezone(&Utc)).num_seconds().abs() < 60);
    }

    async fn lists_filter_by_link_kind_owner_and_time_and_page_by_id(app) {
        let manager = app.user("manager", None, None).await;
        let rep = app.user("rep", None, None).await;
        let account = app.account("A", Some(&rep.id));
        let other = app.account("B", Some(&rep.id));
        let contact = app.contact(&account, "Li");
        let opportunity = app.opportunity(&rep.id, Some(&other), |_| {});
        let lead = id_of(&app.lead(&rep.token, json!({"name": "L"})).await);
        let a1 = id_of(&logged(&app, &rep.token, json!({"kind": "call", "subject": "1", "account_id": account, "occurred_at": "2026-10-01T00:00:00Z"})).await);
        let a2 = id_of(&logged(&app, &rep.token, json!({"kind": "visit", "subject": "2", "contact_id": contact, "occurred_at": "2026-10-02T00:00:00Z"})).await);
        let a3 = id_of(&logged(&app, &rep.token, json!({"kind": "email", "subject": "3", "opportunity_id": opportunity, "occurred_at": "2026-10-03T00:00:00Z"})).await);
        let a4 = id_of(&logged(&app, &rep.token, json!({"kind": "note", "subject": "4", "lead_id": lead, "occurred_at": "2026-10-04T00:00:00Z"})).await);
        let a5 = id_of(&logged(&app, &app.admin_token, json!({"kind": "call", "subject": "5", "account_id": account, "owner_id": manager.id, "occurred_at": "2026-10-05T00:00:00Z"})).await);
        let t = &app.admin_token;
        assert_eq!(ids(&list(&app, t, &format!("?account_id={account}")).await.body), vec![a1.clone(), a2.clone(), a5.clone()]);
        assert_eq!(ids(&list(&app, t, &format!("?account_id={other}")).await.body), vec![a3.clone()]);
        assert_eq!(ids(&list(&app, t, &format!("?contact_id={contact}")).await.body), vec![a2.clone()]);
        assert_eq!(ids(&list(&app, t, &format!("?opportunity_id={opportunity}")).await.body), vec![a3.clone()]);
        assert_eq!(ids(&list(&app, t, &format!("?lead_id={lead}")).await.body), vec![a4.clone()]);
        assert_eq!(ids(&list(&app, t, "?kind=call,email").await.body), vec![a1.clone(), a3.clone(), a5.clone()]);
        assert_eq!(ids(&list(&app, t, &format!("?owner_id={}", manager.id)).await.body), vec![a5.clone()]);
        let range = list(&app, t, "?occurred_from=2026-10-02T00:00:00Z&occurred_to=2026-10-04T00:00:00Z&count=true").await;
        assert_eq!(ids(&range.body), vec![a2.clone(), a3.clone()]);
        assert_eq!(range.body["total"], 2);
        let first = list(&app, t, "?limit=2&count=true").await;
        assert_eq!(ids(&first.body), vec![a1.clone(), a2.clone()]);
        assert_eq!(first.body["total"], 5);
        let cursor = first.body["next_cursor"].as_str().expect("cursor").to_owned();
        let second = list(&app, t, &format!("?limit=2&cursor={cursor}")).await;
        assert_eq!(ids(&second.body), vec![a3, a4]);
        let cursor = second.body["next_cursor"].as_str().expect("cursor").to_owned();
        let last = list(&app, t, &format!("?limit=2&cursor={cursor}")).await;
        assert_eq!(ids(&last.body), vec![a5]);
        assert_eq!(last.body["next_cursor"], Value::Null);
        list(&app, t, "?kind=fax").await.assert_problem(400, "bad_request");
        list(&app, t, "?occurred_from=yesterday").await.assert_problem(400, "bad_request");
        list(&app, t, "?occurred_from=2026-10-04T00:00:00Z&occurred_to=2026-10-01T00:00:00Z").await.assert_problem(400, "bad_request");
        list(&app, t, "?cursor=garbage").await.assert_problem(400, "bad_request");
    }

    async fn reps_see_their_own_activities_and_managers_their_teams(app) {
        let east = app.department("East", None);
        let west = app.department("West", None);
        let manager = app.user("manager", Some(&east), None).await;
        let alice = app.user("rep", Some(&east), Some(&manager.id)).await;
        let bob = app.user("rep", Some(&east), Some(&manager.id)).await;
        let west_manager = app.user("manager", Some(&west), None).await;
        let account = app.account("Alice's", Some(&alice.id));
        let activity = id_of(&logged(&app, &alice.token, json!({"kind": "call", "subject": "Private", "account_id": account})).await);
        let path = format!("/api/v1/activities/{activity}");
        app.get(&path).token(&bob.token).send().await.assert_problem(404, "not_found");
        app.get(&path).token(&west_manager.token).send().await.assert_problem(404, "not_found");
        assert_eq!(app.get(&path).token(&manager.token).send().await.status, 200);
        assert!(ids(&list(&app, &bob.token, "").await.body).is_empty());
        assert_eq!(ids(&list(&app, &manager.token, "").await.body), vec![activity.clone()]);
        assert_eq!(list(&app, &bob.token, &format!("?account_id={account}&count=true")).await.body["total"], 0);
        // Bob's activity on Alice's account: visible to Alice through the account, and to Bob as its owner.
        let shared = app.account("Pool", None);
        let on_pool = id_of(&logged(&app, &bob.token, json!({"kind": "visit", "subject": "Pool visit", "account_id": shared})).await);
        assert_eq!(ids(&list(&app, &alice.token, &format!("?account_id={shared}")).await.body), vec![on_pool.clone()]);
        assert_eq!(ids(&list(&app, &west_manager.token, "").await.body), vec![on_pool]);
    }

    async fn finance_reads_activities_but_does_not_log_or_change_them(app) {
        let finance = app.user("finance", None, None).await;
        let rep = app.user("rep", None, None).await;
        let account = app.account("A", Some(&rep.id));
        let res = log(&app, &finance.token, json!({"kind": "call", "subject": "Audit", "account_id": account})).await;
        res.assert_problem(403, "forbidden");
        let activity = id_of(&logged(&app, &rep.token, json!({"kind": "call", "subject": "Sales", "account_id": account})).await);
        let path = format!("/api/v1/activities/{activity}");
        assert_eq!(app.get(&path).token(&finance.token).send().await.status, 200);
        assert_eq!(ids(&list(&app, &finance.token, "").await.body), vec![activity.clone()]);
        app.patch(&path).token(&finance.token).json(json!({"subject": "x"})).send().await.assert_problem(403, "forbidden");
        app.delete(&path).token(&finance.token).send().await.assert_problem(403, "forbidden");
    }

    async fn only_managers_log_for_someone_else_in_their_scope(app) {
        let east = app.department("East", None);
        let west = app.department("West", None);
        let manager = app.user("manager", Some(&east), None).await;
        let rep = app.user("rep", Some(&east), Some(&manager.id)).await;
        let peer = app.user("rep", Some(&east), Some(&manager.id)).await;
        let stranger = app.user("rep", Some(&west), None).await;
        let account = app.account("A", Some(&rep.id));
        let res = log(&app, &peer.token, json!({"kind": "call", "subject": "For you", "account_id": app.account("P", Some(&peer.id)), "owner_id": rep.id})).await;
        res.assert_problem(403, "forbidden");
        let on_behalf = logged(&app, &manager.token, json!({"kind": "call", "subject": "For Rep", "account_id": account, "owner_id": rep.id})).await;
        assert_eq!(on_behalf["owner_id"], rep.id.as_str());
        assert_eq!(on_behalf["created_by"], manager.id.as_str());
        let res = log(&app, &manager.token, json!({"kind": "call", "subject": "Outside", "account_id": account, "owner_id": stranger.id})).await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["owner_id"]);
    }

    async fn the_owner_or_a_manager_over_them_patches_an_activity(app) {
        let east = app.department("East", None);
        let manager = app.user("manager", Some(&east), None).await;
        let alice = app.user("rep", Some(&east), Some(&manager.id)).await;
        let bob = app.user("rep", Some(&east), Some(&manager.id)).await;
        let account = app.account("Shared pool account", None);
        let check_in = logged(&app, &alice.token, json!({"kind": "check_in", "subject": "Arrived", "account_id": account, "location": shanghai(), "occurred_at": "2026-10-01T00:00:00Z"})).await;
        let path = format!("/api/v1/activities/{}", id_of(&check_in));
        // Bob sees it through the pool account, but it is not his.
        assert_eq!(app.get(&path).token(&bob.token).send().await.status, 200);
        app.patch(&path).token(&bob.token).json(json!({"subject": "Mine"})).send().await.assert_problem(403, "forbidden");
        app.patch(&path).token(&alice.token).header("if-match", "W/\"7\"").json(json!({"subject": "Stale"})).send().await.assert_problem(412, "precondition_failed");
        let res = app.patch(&path).token(&alice.token).json(json!({"location": null})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["location"]);
        let res = app.patch(&path).token(&alice.token).json(json!({"subject": null, "occurred_at": null})).send().await;
        assert_eq!(res.error_fields(), vec!["subject", "occurred_at"]);
        let res = app.patch(&path).token(&alice.token).json(json!({"kind": "call"})).send().await;
        assert_eq!(res.error_fields(), vec!["kind"]);
        let res = app.patch(&path).token(&alice.token).header("if-match", "W/\"1\"")
            .json(json!({"subject": "Arrived early", "body": "Met the CFO", "occurred_at": "2026-10-03T00:00:00Z", "location": {"latitude": 39.9, "longitude": 116.4}}))
            .send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["subject"], "Arrived early");
        assert_eq!(res.body["body"], "Met the CFO");
        assert_eq!(res.body["location"], json!({"latitude": 39.9, "longitude": 116.4, "name": null}));
        assert_eq!(res.body["version"], 2);
        assert_eq!(res.header("etag"), Some("W/\"2\""));
        assert_eq!(account_touch(&app, &account).0, Some(at("2026-10-03T00:00:00Z")), "a later date reaches the account");
        let res = app.patch(&path).token(&manager.token).json(json!({"body": null})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["body"], Value::Null);
        assert_eq!(res.body["kind"], "check_in");
        assert_eq!(res.body["owner_id"], alice.id.as_str());
    }

    async fn long_texts_and_bad_patches_are_refused_with_the_field(app) {
        let rep = app.user("rep", None, None).await;
        let account = app.account("A", Some(&rep.id));
        let res = log(&app, &rep.token, json!({"kind": "note", "subject": "Long", "account_id": account, "body": "x".repeat(10_001)})).await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["body"]);
        let res = log(&app, &rep.token, json!({
            "kind": "visit", "subject": "Far", "account_id": account,
            "location": {"latitude": 31.2, "longitude": 121.4, "name": "x".repeat(201)}
        })).await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["location.name"]);
        let activity = logged(&app, &rep.token, json!({"kind": "note", "subject": "Fine", "account_id": account})).await;
        let path = format!("/api/v1/activities/{}", id_of(&activity));
        let res = app.patch(&path).token(&rep.token).json(json!({"subject": "   "})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["subject"]);
        assert_eq!(res.body["errors"][0]["code"], "required");
        let res = app.patch(&path).token(&rep.token).json(json!({"subject": "x".repeat(201)})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["subject"]);
        assert_eq!(res.body["errors"][0]["code"], "length");
        let ahead = (Utc::now() + chrono::Duration::hours(25)).to_rfc3339();
        let res = app.patch(&path).token(&rep.token).json(json!({"occurred_at": ahead})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["occurred_at"]);
        let res = app.patch(&path).token(&rep.token).json(json!({"body": "x".repeat(10_001)})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["body"]);
        let got = app.get(&path).token(&rep.token).send().await;
        assert_eq!(got.body["version"], 1, "a refused patch changed the activity");
        assert_eq!(got.body["subject"], "Fine");
        let visit = logged(&app, &rep.token, json!({"kind": "visit", "subject": "Visit", "account_id": account, "location": shanghai()})).await;
        let path = format!("/api/v1/activities/{}", id_of(&visit));
        let res = app.patch(&path).token(&rep.token)
            .json(json!({"location": {"latitude": 31.2, "longitude": 121.4, "name": "x".repeat(201)}})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["location.name"]);
        assert_eq!(res.body["errors"][0]["code"], "length");
        let res = app.patch(&path).token(&rep.token).json(json!({"subject": "  Visit, again  ", "body": "   "})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["subject"], "Visit, again", "a patched subject is trimmed like a created one");
        assert_eq!(res.body["body"], Value::Null, "a blank body is no body");
        assert_eq!(res.body["location"], shanghai());
    }

    async fn the_owner_or_a_manager_over_them_deletes_an_activity(app) {
        let east = app.department("East", None);
        let manager = app.user("manager", Some(&east), None).await;
        let alice = app.user("rep", Some(&east), Some(&manager.id)).await;
        let bob = app.user("rep", Some(&east), Some(&manager.id)).await;
        let account = app.account("A", Some(&alice.id));
        let first = id_of(&logged(&app, &alice.token, json!({"kind": "note", "subject": "1", "account_id": account})).await);
        let second = id_of(&logged(&app, &alice.token, json!({"kind": "note", "subject": "2", "account_id": account})).await);
        let path = format!("/api/v1/activities/{first}");
        app.delete(&path).token(&bob.token).send().await.assert_problem(404, "not_found");
        app.delete(&path).token(&alice.token).header("if-match", "W/\"9\"").send().await.assert_problem(412, "precondition_failed");
        let res = app.delete(&path).token(&alice.token).header("if-match", "W/\"1\"").send().await;
        assert_eq!(res.status, 204);
        app.get(&path).token(&alice.token).send().await.assert_problem(404, "not_found");
        app.delete(&path).token(&alice.token).send().await.assert_problem(404, "not_found");
        let res = app.delete(&format!("/api/v1/activities/{second}")).token(&manager.token).send().await;
        assert_eq!(res.status, 204);
        assert_eq!(list(&app, &alice.token, "?count=true").await.body["total"], 0);
        // The owner reads a deleted activity's trail; someone else may not.
        let trail = app.audit_trail(&alice.token, "activity", &first).await;
        app.get(&format!("/api/v1/audit-events?entity_type=activity&entity_id={first}")).token(&bob.token).send().await.assert_problem(404, "not_found");
        let actions = pluck(&trail, "action");
        assert_eq!(actions, vec!["create", "delete"]);
    }

    async fn a_rep_who_sees_an_activity_only_through_a_pool_account_may_not_delete_it(app) {
        let east = app.department("East", None);
        let manager = app.user("manager", Some(&east), None).await;
        let alice = app.user("rep", Some(&east), Some(&manager.id)).await;
        let bob = app.user("rep", Some(&east), Some(&manager.id)).await;
        let account = app.account("Shared pool account", None);
        let activity = id_of(&logged(&app, &alice.token, json!({"kind": "note", "subject": "Alice's", "account_id": account})).await);
        let path = format!("/api/v1/activities/{activity}");
        assert_eq!(app.get(&path).token(&bob.token).send().await.status, 200, "Bob sees it through the pool account");
        app.delete(&path).token(&bob.token).send().await.assert_problem(403, "forbidden");
        let got = app.get(&path).token(&alice.token).send().await;
        assert_eq!(got.status, 200, "a refused delete removed the activity");
        assert_eq!(got.body["version"], 1);
    }

    async fn a_manager_of_another_department_who_sees_an_activity_through_a_pool_account_may_not_change_it(app) {
        let east = app.department("East", None);
        let west = app.department("West", None);
        let manager = app.user("manager", Some(&east), None).await;
        let bob = app.user("rep", Some(&east), Some(&manager.id)).await;
        let west_manager = app.user("manager", Some(&west), None).await;
        let shared = app.account("Pool", None);
        let on_pool = id_of(&logged(&app, &bob.token, json!({"kind": "visit", "subject": "Pool visit", "account_id": shared})).await);
        let path = format!("/api/v1/activities/{on_pool}");
        assert_eq!(app.get(&path).token(&west_manager.token).send().await.status, 200);
        app.patch(&path).token(&west_manager.token).json(json!({"subject": "Mine now"})).send().await.assert_problem(403, "forbidden");
        app.delete(&path).token(&west_manager.token).send().await.assert_problem(403, "forbidden");
        let got = app.get(&path).token(&bob.token).send().await;
        assert_eq!(got.status, 200, "a refused delete removed the activity");
        assert_eq!(got.body["subject"], "Pool visit");
        assert_eq!(got.body["version"], 1);
    }

    async fn a_rep_who_cannot_see_an_activity_gets_404_on_patch(app) {
        let alice = app.user("rep", None, None).await;
        let bob = app.user("rep", None, None).await;
        let account = app.account("Alice's", Some(&alice.id));
        let activity = id_of(&logged(&app, &alice.token, json!({"kind": "call", "subject": "Private", "account_id": account})).await);
        let path = format!("/api/v1/activities/{activity}");
        app.patch(&path).token(&bob.token).json(json!({"subject": "Hijacked"})).send().await.assert_problem(404, "not_found");
        let got = app.get(&path).token(&alice.token).send().await;
        assert_eq!(got.body["subject"], "Private");
        assert_eq!(got.body["version"], 1);
    }
}
