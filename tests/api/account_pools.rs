//! The customer pool (公海): pool configuration, release / claim / assign with every
//! limit, concurrent claims, and the recall job (rules, exemption, idempotency,
//! upcoming recalls, and several runners at once).

use crate::both_databases;
use crate::fixtures::{id_of, items, pluck};
use crate::helpers::{TestApp, TestResponse, DEFAULT_POOL_ID};
use chrono::{Duration, NaiveDateTime};
use salesops_api::account_pools::dto::RecalledAccount;
use salesops_api::account_pools::service::recall_as_of;

/// Run the recall job over one pool as of `now` in its own transaction, as the scheduler does.
fn recall_pool(
    conn: &mut salesops_persistence::DbConnection,
    pool_id: &str,
    now: chrono::NaiveDateTime,
    by: Author<'_>,
) -> salesops_api::app::AppResult<Vec<RecalledAccount>> {
    salesops_persistence::write_transaction(conn, |conn| recall_as_of(conn, by, pool_id, now))
}
use salesops_api::audit::Author;
use salesops_domain::opportunity::OpportunityStatus;
use salesops_persistence::account_owner_changes::{self, OwnerChangeRow};
use salesops_persistence::account_pools;
use salesops_persistence::accounts::{self, AccountRow};
use salesops_persistence::{clock, PoolSettings};
use serde_json::{json, Value};

const POOLS: &str = "/api/v1/account-pools";

/// Create a pool as admin, asserting 201; returns its id.
async fn pool(app: &TestApp, body: Value) -> String {
    id_of(&app.created(&app.admin_token, POOLS, body).await)
}

async fn command(app: &TestApp, token: &str, account: &str, name: &str, body: Value) -> TestResponse {
    app.post(&format!("/api/v1/accounts/{account}/{name}")).token(token).json(body).send().await
}

fn row(app: &TestApp, id: &str) -> AccountRow {
    app.with_conn(|c| accounts::find_visible_including_deleted(c, id, &salesops_persistence::scope::Visibility::All))
        .expect("read account")
        .expect("account exists")
}

fn history(app: &TestApp, id: &str) -> Vec<OwnerChangeRow> {
    app.with_conn(|c| account_owner_changes::for_account(c, id)).expect("read history")
}

fn history_of(app: &TestApp, id: &str, reason: &str) -> Vec<OwnerChangeRow> {
    history(app, id).into_iter().filter(|h| h.reason.as_str() == reason).collect()
}

/// Change an account directly, as fixtures do.
fn set(app: &TestApp, id: &str, change: impl FnOnce(&mut AccountRow)) {
    let mut r = row(app, id);
    let version = r.version;
    change(&mut r);
    assert!(app.with_conn(|c| accounts::update(c, &r, version)).expect("update account"));
}

fn days_ago(days: i64) -> NaiveDateTime {
    clock::now() - Duration::days(days)
}

/// An account in `pool_id`, unowned.
fn pool_account(app: &TestApp, name: &str, pool_id: &str) -> String {
    let id = app.account(name, None);
    let pool_id = pool_id.to_owned();
    set(app, &id, |r| r.pool_id = Some(pool_id));
    id
}

/// An account owned by `owner` since `owned_days` ago, at home in `pool_id`.
fn owned_account(app: &TestApp, name: &str, owner: &str, pool_id: &str, owned_days: i64) -> String {
    let id = app.account(name, Some(owner));
    let pool_id = pool_id.to_owned();
    set(app, &id, |r| {
        r.pool_id = Some(pool_id);
        r.owned_since = Some(days_ago(owned_days));
    });
    id
}

/// A refused command answers this problem and leaves the account and its history as they were.
async fn refused(
    app: &TestApp,
    token: &str,
    account: &str,
    name: &str,
    body: Value,
    status: u16,
    code: &str,
) -> TestResponse {
    let before = (row(app, account), history(app, account).len());
    let res = command(app, token, account, name, body).await;
    res.assert_problem(status, code);
    assert_eq!((row(app, account), history(app, account).len()), before, "a refused {name} changed the account");
    res
}

async fn run_recall(app: &TestApp, pool_id: &str) -> Vec<Value> {
    let res = app.post(&format!("{POOLS}/{pool_id}/recall")).token(&app.admin_token).send().await;
    assert_eq!(res.status, 200, "recall: {}", res.body);
    res.body["recalled"].as_array().expect("recalled").clone()
}

fn recalled_ids(recalled: &[Value]) -> Vec<String> {
    let mut ids: Vec<String> = recalled.iter().map(|r| r["account_id"].as_str().expect("id").to_owned()).collect();
    ids.sort();
    ids
}

both_databases! {
    async fn every_user_reads_pools_and_only_admins_configure_them(app) {
        let rep = app.user("rep", None, None).await;
        let manager = app.user("manager", None, None).await;
        let res = app.get(&format!("{POOLS}?count=true")).token(&rep.token).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["total"], 1);
        assert_eq!(res.body["data"][0]["id"], DEFAULT_POOL_ID);
        assert_eq!(res.body["data"][0]["is_default"], true);
        assert_eq!(res.body["data"][0]["recall_after_days_without_activity"], Value::Null);
        let res = app.get(&format!("{POOLS}/{DEFAULT_POOL_ID}")).token(&rep.token).send().await;
        assert_eq!(res.status, 200);
        assert_eq!(res.header("etag"), Some("W/\"1\""));
        for token in [&rep.token, &manager.token] {
            app.post(POOLS).token(token).json(json!({"name": "X"})).send().await.assert_problem(403, "forbidden");
            app.patch(&format!("{POOLS}/{DEFAULT_POOL_ID}")).token(token).json(json!({"name": "X"})).send().await.assert_problem(403, "forbidden");
            app.delete(&format!("{POOLS}/{DEFAULT_POOL_ID}")).token(token).send().await.assert_problem(403, "forbidden");
            app.post(&format!("{POOLS}/{DEFAULT_POOL_ID}/recall")).token(token).send().await.assert_problem(403, "forbidden");
        }
        app.get(&format!("{POOLS}/no-such-pool")).token(&rep.token).send().await.assert_problem(404, "not_found");
        let res = app.get(POOLS).token(&app.admin_token).send().await;
        assert_eq!(res.body["data"].as_array().map(Vec::len), Some(1), "refused writes created nothing");
    }

    async fn create_pool_returns_201_with_its_rules_and_defaults(app) {
        let dept = app.department("华东", None);
        let res = app.post(POOLS).token(&app.admin_token).json(json!({
            "name": " 华东公海 ", "department_id": dept, "recall_after_days_without_activity": 30,
            "max_claims_per_rep_per_day": 5, "previous_owner_cooldown_days": 7
        })).send().await;
        let id = res.assert_created("/api/v1/account-pools");
        assert_eq!(res.body["name"], "华东公海");
        assert_eq!(res.body["department_id"], dept.as_str());
        assert_eq!(res.body["is_default"], false);
        assert_eq!(res.body["exempt_with_open_opportunity"], true);
        assert_eq!(res.body["warn_days_before_recall"], 3);
        assert_eq!(res.body["recall_after_days_without_won_deal"], Value::Null);
        assert_eq!(res.body["max_owned_accounts_per_rep"], Value::Null);
        let got = app.get(&format!("{POOLS}/{id}")).token(&app.admin_token).send().await;
        assert_eq!(got.body, res.body);
        let audit = app.audit_trail(&app.admin_token, "account_pool", &id).await;
        assert_eq!(audit["data"][0]["action"], "create");
    }

    async fn create_pool_validates_every_field(app) {
        let res = app.post(POOLS).token(&app.admin_token).json(json!({})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["name"]);
        // A blank name is missing (one error, `required`); a long one is too long.
        let res = app.post(POOLS).token(&app.admin_token).json(json!({"name": "  "})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["name"]);
        assert_eq!(res.body["errors"][0]["code"], "required");
        let res = app.post(POOLS).token(&app.admin_token).json(json!({"name": "x".repeat(201)})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["name"]);
        assert_eq!(res.body["errors"][0]["code"], "length");
        let res = app.post(POOLS).token(&app.admin_token).json(json!({
            "name": "A", "recall_after_days_without_activity": 0, "recall_after_days_without_won_deal": -3,
            "warn_days_before_recall": -1, "max_claims_per_rep_per_day": 0, "max_owned_accounts_per_rep": 0,
            "previous_owner_cooldown_days": 0
        })).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec![
            "max_claims_per_rep_per_day", "max_owned_accounts_per_rep", "previous_owner_cooldown_days",
            "recall_after_days_without_activity", "recall_after_days_without_won_deal", "warn_days_before_recall",
        ]);
        let res = app.post(POOLS).token(&app.admin_token).json(json!({"name": "Public pool"})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["name"]);
        assert_eq!(res.body["errors"][0]["code"], "taken");
        let res = app.post(POOLS).token(&app.admin_token).json(json!({"name": "B", "department_id": "nope"})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["department_id"]);
        let res = app.post(POOLS).token(&app.admin_token).json(json!({"name": "C", "max_claims": 3})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["max_claims"]);
        assert_eq!(app.total(POOLS).await, 1);
    }

    async fn patch_pool_merges_switches_rules_off_and_honours_if_match(app) {
        let id = pool(&app, json!({"name": "A", "max_claims_per_rep_per_day": 3, "previous_owner_cooldown_days": 2})).await;
        let url = format!("{POOLS}/{id}");
        let res = app.patch(&url).token(&app.admin_token)
            .json(json!({"max_claims_per_rep_per_day": 10, "previous_owner_cooldown_days": null, "warn_days_before_recall": 0}))
            .send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["max_claims_per_rep_per_day"], 10);
        assert_eq!(res.body["previous_owner_cooldown_days"], Value::Null);
        assert_eq!(res.body["warn_days_before_recall"], 0);
        assert_eq!(res.body["name"], "A");
        assert_eq!(res.header("etag"), Some("W/\"2\""));
        app.patch(&url).token(&app.admin_token).header("if-match", "W/\"1\"").json(json!({"name": "B"})).send().await
            .assert_problem(412, "precondition_failed");
        let res = app.patch(&url).token(&app.admin_token).json(json!({"name": null, "exempt_with_open_opportunity": null})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["name", "exempt_with_open_opportunity"]);
        let res = app.patch(&url).token(&app.admin_token).json(json!({"max_owned_accounts_per_rep": 0})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["max_owned_accounts_per_rep"]);
        // The patched pool is held to the create body's rules.
        let res = app.patch(&url).token(&app.admin_token).json(json!({"name": " "})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["name"]);
        assert_eq!(res.body["errors"][0]["code"], "required");
        let res = app.patch(&url).token(&app.admin_token).json(json!({"name": "x".repeat(201)})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["name"]);
        assert_eq!(res.body["errors"][0]["code"], "length");
        let res = app.patch(&url).token(&app.admin_token).json(json!({"name": "Public pool"})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["name"]);
        let res = app.patch(&url).token(&app.admin_token).header("if-match", "W/\"2\"").json(json!({"name": "B"})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["name"], "B");
        assert_eq!(res.body["version"], 3);
        app.patch(&format!("{POOLS}/nope")).token(&app.admin_token).json(json!({"name": "C"})).send().await.assert_problem(404, "not_found");
    }

    async fn there_is_always_exactly_one_default_pool(app) {
        let id = pool(&app, json!({"name": "A", "is_default": true})).await;
        let old = app.get(&format!("{POOLS}/{DEFAULT_POOL_ID}")).token(&app.admin_token).send().await;
        assert_eq!(old.body["is_default"], false);
        assert_eq!(old.body["version"], 2);
        let res = app.patch(&format!("{POOLS}/{id}")).token(&app.admin_token).json(json!({"is_default": false})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["is_default"]);
        app.delete(&format!("{POOLS}/{id}")).token(&app.admin_token).send().await.assert_problem(409, "invalid_transition");
        let res = app.patch(&format!("{POOLS}/{DEFAULT_POOL_ID}")).token(&app.admin_token).json(json!({"is_default": true})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        let page = app.get(POOLS).token(&app.admin_token).send().await;
        let defaults: Vec<&Value> = items(&page.body).iter().filter(|p| p["is_default"] == true).collect();
        assert_eq!(defaults.len(), 1);
        assert_eq!(defaults[0]["id"], DEFAULT_POOL_ID);
        // An account without a home pool is released into the default pool.
        let rep = app.user("rep", None, None).await;
        let account = app.account("Acme", Some(&rep.id));
        let res = command(&app, &rep.token, &account, "release", json!({})).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["pool_id"], DEFAULT_POOL_ID);
    }

    async fn a_pool_holding_accounts_cannot_be_deleted(app) {
        let id = pool(&app, json!({"name": "A"})).await;
        let account = pool_account(&app, "Acme", &id);
        let res = app.delete(&format!("{POOLS}/{id}")).token(&app.admin_token).send().await;
        res.assert_problem(409, "invalid_transition");
        assert!(res.body["detail"].as_str().unwrap_or("").contains("1 account"));
        set(&app, &account, |r| r.pool_id = Some(DEFAULT_POOL_ID.to_owned()));
        app.delete(&format!("{POOLS}/{id}")).token(&app.admin_token).header("if-match", "W/\"9\"").send().await
            .assert_problem(412, "precondition_failed");
        let res = app.delete(&format!("{POOLS}/{id}")).token(&app.admin_token).send().await;
        assert_eq!(res.status, 204, "{}", res.body);
        app.get(&format!("{POOLS}/{id}")).token(&app.admin_token).send().await.assert_problem(404, "not_found");
        assert_eq!(app.total(POOLS).await, 1);
        app.delete(&format!("{POOLS}/{DEFAULT_POOL_ID}")).token(&app.admin_token).send().await.assert_problem(409, "invalid_transition");
    }

    async fn the_owner_releases_an_account_into_a_pool(app) {
        let rep = app.user("rep", None, None).await;
        let other = pool(&app, json!({"name": "Other"})).await;
        let account = app.account("Acme", Some(&rep.id));
        let res = command(&app, &rep.token, &account, "release", json!({})).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["owner_id"], Value::Null);
        assert_eq!(res.body["owned_since"], Value::Null);
        assert_eq!(res.body["pool_id"], DEFAULT_POOL_ID);
        assert_eq!(res.body["version"], 2);
        assert_eq!(res.header("etag"), Some("W/\"2\""));
        let released = history_of(&app, &account, "release");
        assert_eq!(released.len(), 1);
        assert_eq!(released[0].from_owner_id.as_deref(), Some(rep.id.as_str()));
        assert_eq!(released[0].to_owner_id, None);
        assert_eq!(released[0].pool_id.as_deref(), Some(DEFAULT_POOL_ID));
        assert_eq!(released[0].actor_id.as_deref(), Some(rep.id.as_str()));
        let audit = app.audit_trail(&app.admin_token, "account", &account).await;
        assert_eq!(audit["data"][0]["action"], "release");
        assert_eq!(audit["data"][0]["changes"]["owner_id"]["before"], rep.id.as_str());
        // Into a named pool, which becomes the account's home: a manager's or admin's choice.
        let second = app.account("Beta", Some(&rep.id));
        refused(&app, &rep.token, &second, "release", json!({"pool_id": other}), 403, "forbidden").await;
        let res = command(&app, &app.admin_token, &second, "release", json!({"pool_id": other})).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["pool_id"], other.as_str());
        // Naming the home pool is no choice at all: a rep may.
        let third = app.account("Gamma", Some(&rep.id));
        let res = command(&app, &rep.token, &third, "release", json!({"pool_id": DEFAULT_POOL_ID})).await;
        assert_eq!(res.status, 200, "{}", res.body);
    }

    async fn a_rep_homes_a_new_account_only_in_the_default_pool(app) {
        let dept = app.department("Sales", None);
        let manager = app.user("manager", Some(&dept), None).await;
        let rep = app.user("rep", Some(&dept), Some(&manager.id)).await;
        let other = pool(&app, json!({"name": "Other"})).await;
        let before = app.total("/api/v1/accounts").await;
        let res = app.post("/api/v1/accounts").token(&rep.token).json(json!({"name": "Acme", "pool_id": other})).send().await;
        res.assert_problem(403, "forbidden");
        let res = app.post("/api/v1/accounts").token(&rep.token).json(json!({"name": "Acme", "pool_id": "nope"})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["pool_id"]);
        assert_eq!(app.total("/api/v1/accounts").await, before);
        let res = app.post("/api/v1/accounts").token(&rep.token).json(json!({"name": "Acme", "pool_id": DEFAULT_POOL_ID})).send().await;
        assert_eq!(res.status, 201, "{}", res.body);
        let res = app.post("/api/v1/accounts").token(&manager.token).json(json!({"name": "Beta", "pool_id": other})).send().await;
        assert_eq!(res.status, 201, "{}", res.body);
        assert_eq!(res.body["pool_id"], other.as_str());
        // The pool, now home to an account, cannot be deleted under it.
        app.delete(&format!("{POOLS}/{other}")).token(&app.admin_token).send().await.assert_problem(409, "invalid_transition");
    }

    async fn pool_rules_are_at_most_ten_years(app) {
        let res = app.post(POOLS).token(&app.admin_token).json(json!({
            "name": "A", "recall_after_days_without_activity": 3651, "recall_after_days_without_won_deal": 2_147_483_647,
            "warn_days_before_recall": 3651, "max_claims_per_rep_per_day": 3651, "max_owned_accounts_per_rep": 3651,
            "previous_owner_cooldown_days": 3651
        })).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec![
            "max_claims_per_rep_per_day", "max_owned_accounts_per_rep", "previous_owner_cooldown_days",
            "recall_after_days_without_activity", "recall_after_days_without_won_deal", "warn_days_before_recall",
        ]);
        assert!(res.body["errors"].as_array().expect("errors").iter().all(|e| e["code"] == "range"), "{}", res.body);
        let id = pool(&app, json!({
            "name": "B", "recall_after_days_without_activity": 3650, "recall_after_days_without_won_deal": 3650,
            "warn_days_before_recall": 3650, "max_claims_per_rep_per_day": 3650, "max_owned_accounts_per_rep": 3650,
            "previous_owner_cooldown_days": 3650
        })).await;
        let res = app.patch(&format!("{POOLS}/{id}")).token(&app.admin_token)
            .json(json!({"recall_after_days_without_activity": 2_147_483_647})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["recall_after_days_without_activity"]);
        // The job runs over the ten-year pool without trouble.
        app.with_conn(|c| recall_pool(c, &id, clock::now(), Author::SYSTEM)).expect("recall");
    }

    async fn release_names_only_the_open_opportunities_the_caller_may_see(app) {
        let rep = app.user("rep", None, None).await;
        let stranger = app.user("rep", None, None).await;
        let account = app.account("Acme", Some(&rep.id));
        let mine = app.opportunity(&rep.id, Some(&account), |_| {});
        let theirs = app.opportunity(&stranger.id, Some(&account), |_| {});
        let res = refused(&app, &rep.token, &account, "release", json!({}), 409, "invalid_transition").await;
        let detail = res.body["detail"].as_str().expect("detail");
        assert!(detail.contains("2 open opportunities"), "{detail}");
        assert!(detail.contains(&mine), "{detail}");
        assert!(detail.contains("1 outside your scope"), "{detail}");
        assert!(!res.body.to_string().contains(&theirs), "{}", res.body);
    }

    async fn release_refusals_change_nothing(app) {
        let dept = app.department("Sales", None);
        let manager = app.user("manager", Some(&dept), None).await;
        let rep = app.user("rep", Some(&dept), Some(&manager.id)).await;
        let stranger = app.user("rep", None, None).await;
        let finance = app.user("finance", None, None).await;
        let account = app.account("Acme", Some(&rep.id));
        refused(&app, &stranger.token, &account, "release", json!({}), 404, "not_found").await;
        refused(&app, &finance.token, &account, "release", json!({}), 403, "forbidden").await;
        let res = refused(&app, &rep.token, &account, "release", json!({"pool_id": "nope"}), 422, "validation").await;
        assert_eq!(res.error_fields(), vec!["pool_id"]);
        assert_eq!(res.body["errors"][0]["code"], "unknown");
        let res = refused(&app, &rep.token, &account, "release", json!({"pool": DEFAULT_POOL_ID}), 422, "validation").await;
        assert_eq!(res.error_fields(), vec!["pool"]);
        let opportunity = app.opportunity(&rep.id, Some(&account), |_| {});
        let res = refused(&app, &rep.token, &account, "release", json!({}), 409, "invalid_transition").await;
        assert!(res.body["detail"].as_str().unwrap_or("").contains(&opportunity), "{}", res.body);
        app.update_opportunity(&opportunity, |o| o.status = OpportunityStatus::Lost);
        // The manager over the owner may release it.
        let res = command(&app, &manager.token, &account, "release", json!({})).await;
        assert_eq!(res.status, 200, "{}", res.body);
        refused(&app, &rep.token, &account, "release", json!({}), 409, "invalid_transition").await;
        // Every field is optional, so no body at all works like `{}`.
        let res = app.post(&format!("/api/v1/accounts/{account}/claim")).token(&rep.token).send().await;
        assert_eq!(res.status, 200, "claim without a body: {}", res.body);
        assert_eq!(res.body["owner_id"], rep.id.as_str());
        let res = app.post(&format!("/api/v1/accounts/{account}/release")).token(&rep.token).send().await;
        assert_eq!(res.status, 200, "release without a body: {}", res.body);
        assert_eq!(res.body["in_pool"], true);
        command(&app, &rep.token, "no-such-account", "release", json!({})).await.assert_problem(404, "not_found");
    }

    async fn release_and_assign_honour_if_match_and_only_the_owner_rep_releases(app) {
        let dept = app.department("Sales", None);
        app.set_scope("rep", "department").await;
        let manager = app.user("manager", Some(&dept), None).await;
        let alice = app.user("rep", Some(&dept), Some(&manager.id)).await;
        let bob = app.user("rep", Some(&dept), Some(&manager.id)).await;
        let account = app.account("Acme", Some(&alice.id));
        // Bob sees Alice's account but may not release it.
        assert_eq!(app.get(&format!("/api/v1/accounts/{account}")).token(&bob.token).send().await.status, 200);
        refused(&app, &bob.token, &account, "release", json!({}), 403, "forbidden").await;
        let stale = |name: &str| format!("/api/v1/accounts/{account}/{name}");
        let res = app.post(&stale("release")).token(&alice.token).header("if-match", "W/\"9\"").json(json!({})).send().await;
        res.assert_problem(412, "precondition_failed");
        assert_eq!(row(&app, &account).owner_id.as_deref(), Some(alice.id.as_str()));
        let res = app.post(&stale("release")).token(&alice.token).header("if-match", "W/\"1\"").json(json!({})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        let before = (row(&app, &account), history(&app, &account).len());
        let res = app.post(&stale("assign")).token(&manager.token).header("if-match", "W/\"1\"").json(json!({"owner_id": bob.id})).send().await;
        res.assert_problem(412, "precondition_failed");
        assert_eq!((row(&app, &account), history(&app, &account).len()), before);
        let res = app.post(&stale("assign")).token(&manager.token).header("if-match", "W/\"2\"").json(json!({"owner_id": bob.id})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["owner_id"], bob.id.as_str());
    }

    async fn a_rep_claims_a_pool_account(app) {
        let rep = app.user("rep", None, None).await;
        let account = app.account("Acme", None);
        let res = command(&app, &rep.token, &account, "claim", json!({})).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["owner_id"], rep.id.as_str());
        assert_eq!(res.body["pool_id"], DEFAULT_POOL_ID);
        assert!(res.body["owned_since"].as_str().is_some());
        assert_eq!(res.header("etag"), Some("W/\"2\""));
        let claims = history_of(&app, &account, "claim");
        assert_eq!(claims.len(), 1);
        assert_eq!(claims[0].to_owner_id.as_deref(), Some(rep.id.as_str()));
        assert_eq!(claims[0].from_owner_id, None);
        let stored = row(&app, &account);
        assert_eq!(stored.owner_id.as_deref(), Some(rep.id.as_str()));
        assert!(stored.owned_since.is_some());
        let audit = app.audit_trail(&app.admin_token, "account", &account).await;
        assert_eq!(audit["data"][0]["action"], "claim");
    }

    async fn claim_refusals_change_nothing(app) {
        let rep = app.user("rep", None, None).await;
        let other = app.user("rep", None, None).await;
        let finance = app.user("finance", None, None).await;
        let account = app.account("Acme", None);
        refused(&app, &finance.token, &account, "claim", json!({}), 403, "forbidden").await;
        let res = refused(&app, &rep.token, &account, "claim", json!({"owner_id": rep.id}), 422, "validation").await;
        assert_eq!(res.error_fields(), vec!["owner_id"]);
        command(&app, &rep.token, "no-such-account", "claim", json!({})).await.assert_problem(404, "not_found");
        assert_eq!(command(&app, &rep.token, &account, "claim", json!({})).await.status, 200);
        let res = refused(&app, &rep.token, &account, "claim", json!({}), 409, "invalid_transition").await;
        assert!(res.body["detail"].as_str().unwrap_or("").contains("already has an owner"));
        // Owned by someone out of the claimer's scope: not found, like a nonexistent id.
        refused(&app, &other.token, &account, "claim", json!({}), 404, "not_found").await;
        app.post(&format!("/api/v1/accounts/{account}/claim")).token(&app.admin_token).header("if-match", "W/\"1\"").json(json!({})).send().await
            .assert_problem(412, "precondition_failed");
    }

    async fn the_daily_claim_limit_is_named_when_reached(app) {
        let limited = pool(&app, json!({"name": "Limited", "max_claims_per_rep_per_day": 2})).await;
        let rep = app.user("rep", None, None).await;
        // Claims from any pool count toward the day.
        let elsewhere = app.account("Elsewhere", None);
        assert_eq!(command(&app, &rep.token, &elsewhere, "claim", json!({})).await.status, 200);
        let a = pool_account(&app, "A", &limited);
        let b = pool_account(&app, "B", &limited);
        assert_eq!(command(&app, &rep.token, &a, "claim", json!({})).await.status, 200);
        let res = refused(&app, &rep.token, &b, "claim", json!({}), 409, "invalid_transition").await;
        assert_eq!(res.error_fields(), vec!["max_claims_per_rep_per_day"]);
        assert!(res.body["detail"].as_str().unwrap_or("").contains("2 a day"), "{}", res.body);
        // Yesterday's claims do not count.
        app.with_conn(|c| {
            use diesel::prelude::*;
            use salesops_persistence::schema::account_owner_changes as h;
            diesel::update(h::table.filter(h::to_owner_id.eq(rep.id.clone())))
                .set(h::occurred_at.eq(days_ago(1) - Duration::hours(1)))
                .execute(c)
        }).expect("age the claims");
        assert_eq!(command(&app, &rep.token, &b, "claim", json!({})).await.status, 200);
        // Another rep has their own count.
        let c = pool_account(&app, "C", &limited);
        let other = app.user("rep", None, None).await;
        assert_eq!(command(&app, &other.token, &c, "claim", json!({})).await.status, 200);
    }

    async fn the_owned_accounts_limit_is_named_when_reached(app) {
        let limited = pool(&app, json!({"name": "Limited", "max_owned_accounts_per_rep": 2})).await;
        let rep = app.user("rep", None, None).await;
        app.account("Owned 1", Some(&rep.id));
        let a = pool_account(&app, "A", &limited);
        let b = pool_account(&app, "B", &limited);
        assert_eq!(command(&app, &rep.token, &a, "claim", json!({})).await.status, 200);
        let res = refused(&app, &rep.token, &b, "claim", json!({}), 409, "invalid_transition").await;
        assert_eq!(res.error_fields(), vec!["max_owned_accounts_per_rep"]);
        assert_eq!(res.body["errors"][0]["code"], "limit_reached");
        // Releasing one makes room.
        assert_eq!(command(&app, &rep.token, &a, "release", json!({})).await.status, 200);
        assert_eq!(command(&app, &rep.token, &b, "claim", json!({})).await.status, 200);
    }

    async fn a_previous_owner_waits_out_the_cooldown(app) {
        let cooled = pool(&app, json!({"name": "Cooled", "previous_owner_cooldown_days": 3})).await;
        let rep = app.user("rep", None, None).await;
        let other = app.user("rep", None, None).await;
        let account = owned_account(&app, "Acme", &rep.id, &cooled, 1);
        assert_eq!(command(&app, &rep.token, &account, "release", json!({})).await.status, 200);
        let res = refused(&app, &rep.token, &account, "claim", json!({}), 409, "invalid_transition").await;
        assert_eq!(res.error_fields(), vec!["previous_owner_cooldown_days"]);
        // The release happened four days ago: the cooldown is over.
        app.with_conn(|c| {
            use diesel::prelude::*;
            use salesops_persistence::schema::account_owner_changes as h;
            diesel::update(h::table.filter(h::account_id.eq(account.clone()))).set(h::occurred_at.eq(days_ago(4))).execute(c)
        }).expect("age the release");
        assert_eq!(command(&app, &rep.token, &account, "claim", json!({})).await.status, 200);
        // Someone else was never the owner, so no cooldown applies to them.
        let second = owned_account(&app, "Beta", &rep.id, &cooled, 1);
        assert_eq!(command(&app, &rep.token, &second, "release", json!({})).await.status, 200);
        assert_eq!(command(&app, &other.token, &second, "claim", json!({})).await.status, 200);
    }

    async fn only_the_pools_department_subtree_claims_from_it(app) {
        let east = app.department("East", None);
        let shanghai = app.department("Shanghai", Some(&east));
        let west = app.department("West", None);
        let pool_id = pool(&app, json!({"name": "East pool", "department_id": east})).await;
        let outsider = app.user("rep", Some(&west), None).await;
        let homeless = app.user("rep", None, None).await;
        let insider = app.user("rep", Some(&shanghai), None).await;
        let account = pool_account(&app, "Acme", &pool_id);
        refused(&app, &outsider.token, &account, "claim", json!({}), 403, "forbidden").await;
        refused(&app, &homeless.token, &account, "claim", json!({}), 403, "forbidden").await;
        assert_eq!(command(&app, &insider.token, &account, "claim", json!({})).await.status, 200);
        // Assigning follows the same rule for the assignee.
        let second = pool_account(&app, "Beta", &pool_id);
        let res = refused(&app, &app.admin_token, &second, "assign", json!({"owner_id": outsider.id}), 422, "validation").await;
        assert_eq!(res.error_fields(), vec!["owner_id"]);
        assert_eq!(res.body["errors"][0]["code"], "outside_pool_department");
        assert_eq!(command(&app, &app.admin_token, &second, "assign", json!({"owner_id": insider.id})).await.status, 200);
    }

    async fn a_manager_assigns_a_pool_account_without_the_claim_limits(app) {
        let dept = app.department("Sales", None);
        let manager = app.user("manager", Some(&dept), None).await;
        let rep = app.user("rep", Some(&dept), Some(&manager.id)).await;
        let stranger = app.user("rep", None, None).await;
        let limited = pool(&app, json!({"name": "Limited", "max_owned_accounts_per_rep": 1, "max_claims_per_rep_per_day": 1})).await;
        app.account("Owned", Some(&rep.id));
        let account = pool_account(&app, "Acme", &limited);
        refused(&app, &rep.token, &account, "assign", json!({"owner_id": rep.id}), 403, "forbidden").await;
        let res = refused(&app, &manager.token, &account, "assign", json!({"owner_id": stranger.id}), 422, "validation").await;
        assert_eq!(res.error_fields(), vec!["owner_id"]);
        let res = refused(&app, &manager.token, &account, "assign", json!({"owner_id": "nobody"}), 422, "validation").await;
        assert_eq!(res.error_fields(), vec!["owner_id"]);
        let res = refused(&app, &manager.token, &account, "assign", json!({}), 422, "validation").await;
        assert_eq!(res.error_fields(), vec!["owner_id"]);
        let res = command(&app, &manager.token, &account, "assign", json!({"owner_id": rep.id})).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["owner_id"], rep.id.as_str());
        let assigned = history_of(&app, &account, "assign");
        assert_eq!(assigned.len(), 1);
        assert_eq!(assigned[0].to_owner_id.as_deref(), Some(rep.id.as_str()));
        assert_eq!(assigned[0].actor_id.as_deref(), Some(manager.id.as_str()));
        // An owned account is transferred, not assigned.
        let res = refused(&app, &manager.token, &account, "assign", json!({"owner_id": manager.id}), 409, "invalid_transition").await;
        assert!(res.body["detail"].as_str().unwrap_or("").contains("transfer"));
        // Out of the manager's scope: 404.
        let foreign = app.account("Foreign", Some(&stranger.id));
        refused(&app, &manager.token, &foreign, "assign", json!({"owner_id": rep.id}), 404, "not_found").await;
        refused(&app, &manager.token, &foreign, "release", json!({}), 404, "not_found").await;
    }

    async fn eight_reps_claiming_one_account_at_once_make_exactly_one_owner(app) {
        let mut reps = Vec::new();
        for _ in 0..8 {
            reps.push(app.user("rep", None, None).await);
        }
        let account = app.account("Contested", None);
        let results = futures_util::future::join_all(
            reps.iter().map(|r| command(&app, &r.token, &account, "claim", json!({}))),
        ).await;
        let winners: Vec<usize> = results.iter().enumerate().filter(|(_, r)| r.status == 200).map(|(i, _)| i).collect();
        assert_eq!(winners.len(), 1, "{:?}", results.iter().map(|r| (r.status, r.body.to_string())).collect::<Vec<_>>());
        // The winner is outside every loser's scope (reps see their own), so for them it is not found.
        for r in results.iter().filter(|r| r.status != 200) {
            r.assert_problem(404, "not_found");
        }
        let winner = &reps[winners[0]];
        assert_eq!(row(&app, &account).owner_id.as_deref(), Some(winner.id.as_str()));
        assert_eq!(row(&app, &account).version, 2);
        let claims = history_of(&app, &account, "claim");
        assert_eq!(claims.len(), 1);
        assert_eq!(claims[0].to_owner_id.as_deref(), Some(winner.id.as_str()));
    }

    async fn recall_takes_back_accounts_without_activity_and_says_why(app) {
        let pool_id = pool(&app, json!({"name": "Thirty", "recall_after_days_without_activity": 30})).await;
        let rep = app.user("rep", None, None).await;
        let stale = owned_account(&app, "Stale", &rep.id, &pool_id, 40);
        let quiet_but_new = owned_account(&app, "New", &rep.id, &pool_id, 30);
        let active = owned_account(&app, "Active", &rep.id, &pool_id, 40);
        set(&app, &active, |r| r.last_activity_at = Some(days_ago(10)));
        let old_activity = owned_account(&app, "Old activity", &rep.id, &pool_id, 50);
        set(&app, &old_activity, |r| r.last_activity_at = Some(days_ago(45)));
        // Stale, but governed by another pool whose rules are off.
        let elsewhere = owned_account(&app, "Elsewhere", &rep.id, DEFAULT_POOL_ID, 400);
        let recalled = run_recall(&app, &pool_id).await;
        let mut expected = vec![stale.clone(), old_activity.clone()];
        expected.sort();
        assert_eq!(recalled_ids(&recalled), expected);
        let first = recalled.iter().find(|r| r["account_id"] == stale.as_str()).expect("stale recalled");
        assert_eq!(first["previous_owner_id"], rep.id.as_str());
        assert_eq!(first["rule"], "no_activity");
        assert_eq!(first["reason"], "no activity for 40 days (limit 30)");
        let second = recalled.iter().find(|r| r["account_id"] == old_activity.as_str()).expect("recalled");
        assert_eq!(second["reason"], "no activity for 45 days (limit 30)");
        let stored = row(&app, &stale);
        assert_eq!(stored.owner_id, None);
        assert_eq!(stored.owned_since, None);
        assert_eq!(stored.pool_id.as_deref(), Some(pool_id.as_str()));
        let recalls = history_of(&app, &stale, "recall");
        assert_eq!(recalls.len(), 1);
        assert_eq!(recalls[0].from_owner_id.as_deref(), Some(rep.id.as_str()));
        assert_eq!(recalls[0].detail.as_deref(), Some("no activity for 40 days (limit 30)"));
        assert_eq!(recalls[0].pool_id.as_deref(), Some(pool_id.as_str()));
        for kept in [&quiet_but_new, &active, &elsewhere] {
            assert_eq!(row(&app, kept).owner_id.as_deref(), Some(rep.id.as_str()));
        }
        let audit = app.audit_trail(&app.admin_token, "account", &stale).await;
        assert_eq!(audit["data"][0]["action"], "recall");
        // The job is idempotent.
        assert!(run_recall(&app, &pool_id).await.is_empty());
        assert_eq!(history_of(&app, &stale, "recall").len(), 1);
        // The previous owner is now out of it and may claim it back (no cooldown in this pool).
        assert_eq!(command(&app, &rep.token, &stale, "claim", json!({})).await.status, 200);
    }

    async fn recall_takes_back_accounts_without_a_won_deal(app) {
        let pool_id = pool(&app, json!({"name": "Won", "recall_after_days_without_won_deal": 90})).await;
        let rep = app.user("rep", None, None).await;
        let never_won = owned_account(&app, "Never", &rep.id, &pool_id, 100);
        let won_long_ago = owned_account(&app, "Long ago", &rep.id, &pool_id, 200);
        set(&app, &won_long_ago, |r| r.last_won_at = Some(days_ago(120)));
        let won_lately = owned_account(&app, "Lately", &rep.id, &pool_id, 200);
        set(&app, &won_lately, |r| {
            r.last_won_at = Some(days_ago(20));
            r.last_activity_at = Some(days_ago(150));
        });
        let recalled = run_recall(&app, &pool_id).await;
        let mut expected = vec![never_won.clone(), won_long_ago.clone()];
        expected.sort();
        assert_eq!(recalled_ids(&recalled), expected);
        assert!(recalled.iter().all(|r| r["rule"] == "no_won_deal"));
        let detail = history_of(&app, &won_long_ago, "recall")[0].detail.clone();
        assert_eq!(detail.as_deref(), Some("no won deal for 120 days (limit 90)"));
        assert_eq!(row(&app, &won_lately).owner_id.as_deref(), Some(rep.id.as_str()));
    }

    async fn an_open_opportunity_exempts_an_account_when_the_pool_says_so(app) {
        let exempting = pool(&app, json!({"name": "Exempting", "recall_after_days_without_activity": 10})).await;
        let strict = pool(&app, json!({"name": "Strict", "recall_after_days_without_activity": 10, "exempt_with_open_opportunity": false})).await;
        let rep = app.user("rep", None, None).await;
        let protected = owned_account(&app, "Protected", &rep.id, &exempting, 20);
        app.opportunity(&rep.id, Some(&protected), |_| {});
        let closed_only = owned_account(&app, "Closed only", &rep.id, &exempting, 20);
        app.opportunity(&rep.id, Some(&closed_only), |o| o.status = OpportunityStatus::Won);
        let deleted_only = owned_account(&app, "Deleted only", &rep.id, &exempting, 20);
        app.opportunity(&rep.id, Some(&deleted_only), |o| o.deleted_at = Some(clock::now()));
        let not_protected = owned_account(&app, "Not protected", &rep.id, &strict, 20);
        app.opportunity(&rep.id, Some(&not_protected), |_| {});
        let mut expected = vec![closed_only.clone(), deleted_only.clone()];
        expected.sort();
        assert_eq!(recalled_ids(&run_recall(&app, &exempting).await), expected);
        assert_eq!(row(&app, &protected).owner_id.as_deref(), Some(rep.id.as_str()));
        assert_eq!(recalled_ids(&run_recall(&app, &strict).await), vec![not_protected]);
    }

    async fn recall_rechecks_each_account_after_the_selection(app) {
        let id = pool(&app, json!({"name": "Exempting", "recall_after_days_without_activity": 10})).await;
        let pool_row = app.with_conn(|c| account_pools::find(c, &id)).expect("read").expect("pool");
        let rep = app.user("rep", None, None).await;
        let touched = owned_account(&app, "Touched", &rep.id, &id, 20);
        let got_a_deal = owned_account(&app, "Got a deal", &rep.id, &id, 20);
        let idle = owned_account(&app, "Idle", &rep.id, &id, 20);
        let now = clock::now();
        let selected = app.with_conn(|c| account_pools::recall_candidates(c, &pool_row, now, &salesops_persistence::scope::Visibility::All))
            .expect("candidates");
        assert_eq!(selected.len(), 3);
        // Between the selection and the recall: an activity on one, a new open opportunity on another.
        set(&app, &touched, |r| r.last_activity_at = Some(clock::now()));
        app.opportunity(&rep.id, Some(&got_a_deal), |_| {});
        for (account, still) in [(&touched, false), (&got_a_deal, false), (&idle, true)] {
            let again = app.with_conn(|c| account_pools::recall_candidate(c, &pool_row, now, account)).expect("re-check");
            assert_eq!(again.is_some(), still, "{account}");
        }
        assert_eq!(recalled_ids(&run_recall(&app, &id).await), vec![idle]);
        assert_eq!(row(&app, &touched).owner_id.as_deref(), Some(rep.id.as_str()));
        assert_eq!(row(&app, &got_a_deal).owner_id.as_deref(), Some(rep.id.as_str()));
    }

    async fn the_default_pool_governs_accounts_without_a_home(app) {
        let rep = app.user("rep", None, None).await;
        // The fixture's owned accounts have no pool_id.
        let homeless = app.account("Homeless", Some(&rep.id));
        set(&app, &homeless, |r| r.owned_since = Some(days_ago(8)));
        let patched = app.patch(&format!("{POOLS}/{DEFAULT_POOL_ID}")).token(&app.admin_token)
            .json(json!({"recall_after_days_without_activity": 7})).send().await;
        assert_eq!(patched.status, 200, "{}", patched.body);
        let recalled = run_recall(&app, DEFAULT_POOL_ID).await;
        assert_eq!(recalled_ids(&recalled), vec![homeless.clone()]);
        assert_eq!(row(&app, &homeless).pool_id.as_deref(), Some(DEFAULT_POOL_ID));
        app.post(&format!("{POOLS}/nope/recall")).token(&app.admin_token).send().await.assert_problem(404, "not_found");
    }

    async fn upcoming_recalls_list_the_warning_window_in_due_order_within_scope(app) {
        let pool_id = pool(&app, json!({"name": "Warned", "recall_after_days_without_activity": 30, "warn_days_before_recall": 5})).await;
        let dept = app.department("Sales", None);
        let manager = app.user("manager", Some(&dept), None).await;
        let rep = app.user("rep", Some(&dept), Some(&manager.id)).await;
        let other = app.user("rep", None, None).await;
        // Due 31 days after it was owned: 29 days ago → due in 2 days; 27 → in 4; 20 → in 11 (outside).
        let soon = owned_account(&app, "Soon", &rep.id, &pool_id, 29);
        let later = owned_account(&app, "Later", &rep.id, &pool_id, 27);
        let overdue = owned_account(&app, "Overdue", &rep.id, &pool_id, 35);
        let _outside = owned_account(&app, "Outside", &rep.id, &pool_id, 20);
        let others = owned_account(&app, "Other's", &other.id, &pool_id, 28);
        let url = format!("{POOLS}/{pool_id}/upcoming-recalls");
        let res = app.get(&url).token(&app.admin_token).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        let ids = pluck(&res.body, "account_id");
        assert_eq!(ids, vec![overdue.as_str(), soon.as_str(), others.as_str(), later.as_str()]);
        let first = &res.body["data"][1];
        assert_eq!(first["rule"], "no_activity");
        assert_eq!(first["limit_days"], 30);
        assert_eq!(first["days_without"], 29);
        assert_eq!(first["owner_id"], rep.id.as_str());
        assert_eq!(first["account_name"], "Soon");
        assert!(first["due_at"].as_str().is_some());
        // Paging keeps the order.
        let page1 = app.get(&format!("{url}?limit=3")).token(&app.admin_token).send().await;
        assert_eq!(page1.body["data"].as_array().map(Vec::len), Some(3));
        let cursor = page1.body["next_cursor"].as_str().expect("a next page").to_owned();
        let page2 = app.get(&format!("{url}?limit=3&cursor={cursor}")).token(&app.admin_token).send().await;
        assert_eq!(page2.body["data"][0]["account_id"], later.as_str());
        assert_eq!(page2.body["next_cursor"], Value::Null);
        // A rep sees their own; a manager their department.
        let mine = app.get(&url).token(&other.token).send().await;
        assert_eq!(mine.body["data"].as_array().map(Vec::len), Some(1));
        assert_eq!(mine.body["data"][0]["account_id"], others.as_str());
        let team = app.get(&url).token(&manager.token).send().await;
        assert_eq!(team.body["data"].as_array().map(Vec::len), Some(3));
        app.get(&format!("{url}?cursor=garbage")).token(&app.admin_token).send().await.assert_problem(400, "bad_request");
        app.get(&format!("{POOLS}/nope/upcoming-recalls")).token(&app.admin_token).send().await.assert_problem(404, "not_found");
        // Only the overdue one goes now.
        assert_eq!(recalled_ids(&run_recall(&app, &pool_id).await), vec![overdue]);
    }

    async fn several_runners_at_once_recall_each_account_exactly_once(app) {
        const ACCOUNTS: usize = 24;
        const RUNNERS: usize = 4;
        let pool_id = pool(&app, json!({"name": "Busy", "recall_after_days_without_activity": 5})).await;
        let rep = app.user("rep", None, None).await;
        let ids: Vec<String> = (0..ACCOUNTS).map(|i| owned_account(&app, &format!("Stale {i}"), &rep.id, &pool_id, 30)).collect();
        let url = app.state.settings.database_url.clone();
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(RUNNERS));
        let now = clock::now();
        let runners: Vec<_> = (0..RUNNERS)
            .map(|_| {
                let (url, barrier, pool_id) = (url.clone(), barrier.clone(), pool_id.clone());
                // Each runner has its own connection pool, as separate server processes would.
                std::thread::spawn(move || {
                    let pool = salesops_persistence::build_pool(&url, &PoolSettings { max_size: 1, ..PoolSettings::default() })
                        .expect("a pool");
                    let mut conn = pool.get().expect("a connection");
                    barrier.wait();
                    recall_pool(&mut conn, &pool_id, now, Author::SYSTEM).expect("the recall runs")
                })
            })
            .collect();
        let reports: Vec<_> = runners.into_iter().map(|r| r.join().expect("the runner finished")).collect();
        let total: usize = reports.iter().map(Vec::len).sum();
        assert_eq!(total, ACCOUNTS, "runs reported {:?}", reports.iter().map(Vec::len).collect::<Vec<_>>());
        for id in &ids {
            let recalls = history_of(&app, id, "recall");
            assert_eq!(recalls.len(), 1, "account {id} was recalled {} times", recalls.len());
            assert_eq!(recalls[0].actor_id, None, "the job acts as the system");
            assert_eq!(row(&app, id).owner_id, None);
        }
        assert!(run_recall(&app, &pool_id).await.is_empty());
    }
}

/// On PostgreSQL a runner that finds the pool's recall lock taken (another replica
/// mid-run) skips the pool instead of waiting or recalling the same accounts.
#[actix_web::test]
async fn a_runner_skips_a_pool_another_replica_is_recalling_on_postgres() {
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let app = TestApp::spawn(crate::helpers::Backend::Postgres).await;
    let pool_id = pool(&app, json!({"name": "Busy", "recall_after_days_without_activity": 5})).await;
    let rep = app.user("rep", None, None).await;
    let stale = owned_account(&app, "Stale", &rep.id, &pool_id, 30);
    let mut holder = app.state.pool.get().expect("a connection");
    let salesops_persistence::DbConnection::Postgresql(inner) = &mut *holder else { panic!("not PostgreSQL") };
    AnsiTransactionManager::begin_transaction(inner).expect("begin");
    assert!(account_pools::try_lock_recall(&mut holder, &pool_id).expect("lock"), "the first runner gets the pool");
    let mut other = app.state.pool.get().expect("another connection");
    assert!(recall_pool(&mut other, &pool_id, clock::now(), Author::SYSTEM).expect("runs").is_empty());
    assert_eq!(row(&app, &stale).owner_id.as_deref(), Some(rep.id.as_str()), "the skipped run changed nothing");
    let salesops_persistence::DbConnection::Postgresql(inner) = &mut *holder else { panic!("not PostgreSQL") };
    AnsiTransactionManager::rollback_transaction(inner).expect("rollback");
    let recalled = recall_pool(&mut other, &pool_id, clock::now(), Author::SYSTEM).expect("runs");
    assert_eq!(recalled.len(), 1, "with the lock released the pool is recalled");
}
