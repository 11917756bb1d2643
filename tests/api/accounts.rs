//! Accounts: create, read, list, patch, delete, USCC, duplicates, group cycles,
//! data scopes, ownership transfer and owner history; the shared duplicate check.

use crate::both_databases;
use crate::fixtures::{id_of, ids, items};
use crate::helpers::{TestApp, DEFAULT_POOL_ID};
use salesops_domain::opportunity::OpportunityStatus;
use serde_json::{json, Value};

/// Valid codes of real companies.
const USCC_A: &str = "91310000717854505W";
const USCC_B: &str = "91440300708461136T";

/// The ids of the accounts listed with `query`, as the admin sees them.
async fn list(app: &TestApp, query: &str) -> Vec<String> {
    app.list_ids(&format!("/api/v1/accounts?{query}")).await
}

async fn account_count(app: &TestApp) -> usize {
    app.list_ids("/api/v1/accounts?limit=200").await.len()
}

both_databases! {
    async fn create_account_returns_201_with_defaults_owner_history_and_audit(app) {
        let rep = app.user("rep", None, None).await;
        let res = app.post("/api/v1/accounts").token(&rep.token).json(json!({
            "name": " 上海明远科技有限公司 ", "uscc": "91310000717854505w", "industry": "manufacturing", "region": "华东"
        })).send().await;
        let id = res.assert_created("/api/v1/accounts");
        assert_eq!(res.body["name"], "上海明远科技有限公司");
        assert_eq!(res.body["uscc"], USCC_A);
        assert_eq!(res.body["owner_id"], rep.id.as_str());
        assert_eq!(res.body["pool_id"], DEFAULT_POOL_ID);
        assert_eq!(res.body["in_pool"], false);
        assert_eq!(res.body["tier"], "standard");
        assert_eq!(res.body["lifecycle"], "prospect");
        assert_eq!(res.body["version"], 1);
        assert!(res.body["owned_since"].is_string());
        let got = app.get(&format!("/api/v1/accounts/{id}")).token(&rep.token).send().await;
        assert_eq!(got.status, 200);
        assert_eq!(got.body, res.body);
        let history = app.get(&format!("/api/v1/accounts/{id}/owner-history")).token(&rep.token).send().await;
        assert_eq!(history.status, 200, "{}", history.body);
        let rows = items(&history.body);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0]["reason"], "create");
        assert_eq!(rows[0]["from_owner_id"], Value::Null);
        assert_eq!(rows[0]["to_owner_id"], rep.id.as_str());
        let audit = app.audit_trail(&rep.token, "account", &id).await;
        assert_eq!(audit["data"][0]["action"], "create");
    }

    async fn managers_may_create_for_others_or_into_the_pool_and_reps_may_not(app) {
        let manager = app.user("manager", None, None).await;
        let rep = app.user("rep", None, None).await;
        let res = app.post("/api/v1/accounts").token(&rep.token).json(json!({"name": "X", "owner_id": manager.id})).send().await;
        res.assert_problem(403, "forbidden");
        let res = app.post("/api/v1/accounts").token(&rep.token).json(json!({"name": "X", "to_pool": true})).send().await;
        res.assert_problem(403, "forbidden");
        let pooled = app.create_account(&app.admin_token, json!({"name": "Pooled", "to_pool": true})).await;
        assert_eq!(pooled["owner_id"], Value::Null);
        assert_eq!(pooled["in_pool"], true);
        assert_eq!(pooled["pool_id"], DEFAULT_POOL_ID);
        let history = app.get(&format!("/api/v1/accounts/{}/owner-history", id_of(&pooled))).token(&rep.token).send().await;
        assert_eq!(history.body["data"][0]["pool_id"], DEFAULT_POOL_ID);
        let owned = app.create_account(&app.admin_token, json!({"name": "For rep", "owner_id": rep.id})).await;
        assert_eq!(owned["owner_id"], rep.id.as_str());
        let res = app.post("/api/v1/accounts").token(&app.admin_token).json(json!({"name": "Y", "pool_id": "no-such-pool"})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["pool_id"]);
        let res = app.post("/api/v1/accounts").token(&app.admin_token).json(json!({"name": "Y", "owner_id": "no-such-user"})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["owner_id"]);
        let res = app.post("/api/v1/accounts").token(&app.admin_token).json(json!({"name": "Y", "owner_id": rep.id, "to_pool": true})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["owner_id"]);
        let res = app.post("/api/v1/accounts").token(&app.admin_token).json(json!({"name": "Y", "pool_id": DEFAULT_POOL_ID, "tier": "gold"})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["tier"]);
        assert_eq!(account_count(&app).await, 2);
    }

    async fn uscc_is_checked_for_length_charset_and_check_character(app) {
        for (uscc, code) in [
            ("91310000717854505X", "check_character"),
            ("9131000071785450", "length"),
            ("913100007178545050W", "length"),
            ("9131000071785450IW", "charset"),
            ("91310000717854505O", "charset"),
        ] {
            let res = app.post("/api/v1/accounts").token(&app.admin_token).json(json!({"name": "Acme", "uscc": uscc})).send().await;
            res.assert_problem(422, "validation");
            assert_eq!(res.error_fields(), vec!["uscc"], "{uscc}");
            assert_eq!(res.body["errors"][0]["code"], code, "{uscc}");
        }
        assert_eq!(account_count(&app).await, 0);
        let account = app.create_account(&app.admin_token, json!({"name": "Acme"})).await;
        let path = format!("/api/v1/accounts/{}", id_of(&account));
        let res = app.patch(&path).token(&app.admin_token).json(json!({"uscc": "91440300708461136X"})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["uscc"]);
        let res = app.patch(&path).token(&app.admin_token).json(json!({"uscc": USCC_B.to_lowercase()})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["uscc"], USCC_B);
        let res = app.patch(&path).token(&app.admin_token).json(json!({"uscc": null})).send().await;
        assert_eq!(res.body["uscc"], Value::Null);
    }

    async fn a_taken_uscc_is_a_duplicate_that_cannot_be_overridden(app) {
        let first = app.create_account(&app.admin_token, json!({"name": "Acme", "uscc": USCC_A})).await;
        for path in ["/api/v1/accounts", "/api/v1/accounts?allow_duplicate=true"] {
            let res = app.post(path).token(&app.admin_token).json(json!({"name": "Other name", "uscc": USCC_A.to_lowercase()})).send().await;
            res.assert_problem(409, "duplicate");
            assert_eq!(res.body["duplicate_ids"], json!([first["id"]]));
        }
        let other = app.create_account(&app.admin_token, json!({"name": "Other", "uscc": USCC_B})).await;
        let res = app.patch(&format!("/api/v1/accounts/{}?allow_duplicate=true", id_of(&other)))
            .token(&app.admin_token).json(json!({"uscc": USCC_A})).send().await;
        res.assert_problem(409, "duplicate");
        assert_eq!(account_count(&app).await, 2);
        // Deleting the holder frees the code.
        let res = app.delete(&format!("/api/v1/accounts/{}", id_of(&first))).token(&app.admin_token).send().await;
        assert_eq!(res.status, 204);
        let res = app.patch(&format!("/api/v1/accounts/{}", id_of(&other))).token(&app.admin_token).json(json!({"uscc": USCC_A})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
    }

    async fn a_name_match_is_a_duplicate_unless_allowed(app) {
        let rep = app.user("rep", None, None).await;
        let first = app.create_account(&app.admin_token, json!({"name": "Acme （上海） Ltd"})).await;
        // A duplicate owned by someone the caller cannot see still counts, but is not named.
        let res = app.post("/api/v1/accounts").token(&rep.token).json(json!({"name": "acme(上海)ltd"})).send().await;
        res.assert_problem(409, "duplicate");
        assert_eq!(res.body["duplicate_ids"], Value::Null, "{}", res.body);
        assert!(res.body["detail"].as_str().is_some_and(|d| d.contains("1 outside your scope")), "{}", res.body);
        assert!(!res.body.to_string().contains(first["id"].as_str().expect("id")), "{}", res.body);
        // Within the caller's scope the match is named.
        let res = app.post("/api/v1/accounts").token(&app.admin_token).json(json!({"name": "acme(上海)ltd"})).send().await;
        res.assert_problem(409, "duplicate");
        assert_eq!(res.body["duplicate_ids"], json!([first["id"]]));
        assert_eq!(account_count(&app).await, 1);
        let res = app.post("/api/v1/accounts?allow_duplicate=true").token(&rep.token).json(json!({"name": "acme(上海)ltd"})).send().await;
        assert_eq!(res.status, 201, "{}", res.body);
        let renamed = app.create_account(&app.admin_token, json!({"name": "Beta"})).await;
        let path = format!("/api/v1/accounts/{}", id_of(&renamed));
        app.patch(&path).token(&app.admin_token).json(json!({"name": "ACME (上海) LTD"})).send().await.assert_problem(409, "duplicate");
        // Patching other fields of a duplicate is not refused again.
        let res = app.patch(&format!("/api/v1/accounts/{}", id_of(&first))).token(&app.admin_token).json(json!({"tier": "key"})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
    }

    async fn list_filters_each_field_in_sql_and_pages_by_id(app) {
        let rep = app.user("rep", None, None).await;
        let group = app.create_account(&app.admin_token, json!({"name": "明远集团", "tier": "strategic", "lifecycle": "active",
            "industry": "manufacturing", "region": "华东", "uscc": USCC_A})).await;
        let sub = app.create_account(&app.admin_token, json!({"name": "明远科技", "tier": "key", "industry": "software",
            "region": "华南", "parent_account_id": group["id"], "owner_id": rep.id})).await;
        let small = app.create_account(&app.admin_token, json!({"name": "Small Shop", "tier": "small", "lifecycle": "churned"})).await;
        let pooled = app.account("Pool Co", None);
        let (g, s, sm) = (id_of(&group), id_of(&sub), id_of(&small));
        assert_eq!(list(&app, "tier=strategic,key").await, vec![g.clone(), s.clone()]);
        assert_eq!(list(&app, "lifecycle=churned").await, vec![sm.clone()]);
        assert_eq!(list(&app, "industry=software").await, vec![s.clone()]);
        assert_eq!(list(&app, "region=%E5%8D%8E%E4%B8%9C").await, vec![g.clone()]);
        assert_eq!(list(&app, &format!("owner_id={}", rep.id)).await, vec![s.clone()]);
        assert_eq!(list(&app, "in_pool=true").await, vec![pooled.clone()]);
        assert_eq!(list(&app, "in_pool=false").await, vec![g.clone(), s.clone(), sm.clone()]);
        assert_eq!(list(&app, &format!("pool_id={DEFAULT_POOL_ID}")).await.len(), 4);
        assert_eq!(list(&app, &format!("parent_account_id={g}")).await, vec![s.clone()]);
        assert_eq!(list(&app, "q=%E6%98%8E%E8%BF%9C").await, vec![g.clone(), s.clone()]);
        assert_eq!(list(&app, "q=small").await, vec![sm.clone()]);
        assert_eq!(list(&app, "q=717854505w").await, vec![g.clone()]);
        assert_eq!(list(&app, "last_activity_before=2020-01-01T00:00:00Z").await.len(), 4);
        let res = app.get("/api/v1/accounts?tier=gold").token(&app.admin_token).send().await;
        res.assert_problem(400, "bad_request");
        let res = app.get("/api/v1/accounts?in_pool=maybe").token(&app.admin_token).send().await;
        res.assert_problem(400, "bad_request");
        // Pages of two, in creation order, with a total.
        let first = app.get("/api/v1/accounts?limit=2&count=true").token(&app.admin_token).send().await;
        assert_eq!(ids(&first.body), vec![g.clone(), s.clone()]);
        assert_eq!(first.body["total"], 4);
        let cursor = first.body["next_cursor"].as_str().expect("cursor");
        let second = app.get(&format!("/api/v1/accounts?limit=2&cursor={cursor}")).token(&app.admin_token).send().await;
        assert_eq!(ids(&second.body), vec![sm, pooled]);
        assert_eq!(second.body["next_cursor"], Value::Null);
        app.get("/api/v1/accounts?cursor=garbage").token(&app.admin_token).send().await.assert_problem(400, "bad_request");
    }

    async fn a_rep_never_sees_another_reps_account_but_sees_pool_accounts(app) {
        let alice = app.user("rep", None, None).await;
        let bob = app.user("rep", None, None).await;
        let account = app.create_account(&alice.token, json!({"name": "Alice's account"})).await;
        let id = id_of(&account);
        let pooled = app.account("Pool account", None);
        let path = format!("/api/v1/accounts/{id}");
        app.get(&path).token(&bob.token).send().await.assert_problem(404, "not_found");
        app.patch(&path).token(&bob.token).json(json!({"tier": "key"})).send().await.assert_problem(404, "not_found");
        app.delete(&path).token(&bob.token).send().await.assert_problem(404, "not_found");
        app.get(&format!("{path}/owner-history")).token(&bob.token).send().await.assert_problem(404, "not_found");
        app.get(&format!("/api/v1/audit-events?entity_type=account&entity_id={id}")).token(&bob.token).send().await.assert_problem(404, "not_found");
        let list = app.get("/api/v1/accounts?count=true").token(&bob.token).send().await;
        assert_eq!(ids(&list.body), vec![pooled.clone()]);
        assert_eq!(list.body["total"], 1);
        let list = app.get("/api/v1/accounts").token(&alice.token).send().await;
        assert_eq!(ids(&list.body), vec![id.clone(), pooled.clone()]);
        let got = app.get(&format!("/api/v1/accounts/{pooled}")).token(&bob.token).send().await;
        assert_eq!(got.status, 200);
        assert_eq!(got.body["in_pool"], true);
        // Refused requests changed nothing.
        let got = app.get(&path).token(&alice.token).send().await;
        assert_eq!(got.body["version"], 1);
        assert_eq!(got.body["tier"], "standard");
    }

    async fn a_manager_cannot_transfer_an_account_outside_their_scope(app) {
        let east = app.department("East", None);
        let west = app.department("West", None);
        let east_manager = app.user("manager", Some(&east), None).await;
        let west_rep = app.user("rep", Some(&west), None).await;
        let other_west_rep = app.user("rep", Some(&west), None).await;
        let account = app.account("West account", Some(&west_rep.id));
        let res = app.post(&format!("/api/v1/accounts/{account}/transfer")).token(&east_manager.token)
            .json(json!({"owner_id": east_manager.id})).send().await;
        res.assert_problem(404, "not_found");
        // Nor hand their own account to someone outside it.
        let own = app.account("East account", Some(&east_manager.id));
        let res = app.post(&format!("/api/v1/accounts/{own}/transfer")).token(&east_manager.token)
            .json(json!({"owner_id": other_west_rep.id})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["owner_id"]);
    }

    async fn finance_reads_accounts_but_may_not_write_them(app) {
        let finance = app.user("finance", None, None).await;
        let rep = app.user("rep", None, None).await;
        let account = app.create_account(&rep.token, json!({"name": "Acme"})).await;
        let path = format!("/api/v1/accounts/{}", id_of(&account));
        assert_eq!(app.get(&path).token(&finance.token).send().await.status, 200);
        app.post("/api/v1/accounts").token(&finance.token).json(json!({"name": "F"})).send().await.assert_problem(403, "forbidden");
        app.patch(&path).token(&finance.token).json(json!({"tier": "key"})).send().await.assert_problem(403, "forbidden");
        app.delete(&path).token(&finance.token).send().await.assert_problem(403, "forbidden");
        app.post(&format!("{path}/transfer")).token(&finance.token).json(json!({"owner_id": finance.id})).send().await.assert_problem(403, "forbidden");
        let got = app.get(&path).token(&rep.token).send().await;
        assert_eq!(got.body["version"], 1);
        assert_eq!(account_count(&app).await, 1);
    }

    async fn a_parent_that_would_make_a_cycle_is_refused(app) {
        let rep = app.user("rep", None, None).await;
        let other = app.user("rep", None, None).await;
        let a = app.create_account(&rep.token, json!({"name": "A"})).await;
        let b = app.create_account(&rep.token, json!({"name": "B", "parent_account_id": a["id"]})).await;
        let c = app.create_account(&rep.token, json!({"name": "C", "parent_account_id": b["id"]})).await;
        let a_path = format!("/api/v1/accounts/{}", id_of(&a));
        for parent in [&c, &b, &a] {
            let res = app.patch(&a_path).token(&rep.token).json(json!({"parent_account_id": parent["id"]})).send().await;
            res.assert_problem(422, "validation");
            assert_eq!(res.error_fields(), vec!["parent_account_id"]);
            assert_eq!(res.body["errors"][0]["code"], "cycle");
        }
        let hidden = app.account("Hidden", Some(&other.id));
        for parent in [hidden.as_str(), "no-such-account"] {
            let res = app.patch(&a_path).token(&rep.token).json(json!({"parent_account_id": parent})).send().await;
            res.assert_problem(422, "validation");
            assert_eq!(res.body["errors"][0]["code"], "unknown");
            let res = app.post("/api/v1/accounts").token(&rep.token).json(json!({"name": "D", "parent_account_id": parent})).send().await;
            res.assert_problem(422, "validation");
            assert_eq!(res.error_fields(), vec!["parent_account_id"]);
        }
        let got = app.get(&a_path).token(&rep.token).send().await;
        assert_eq!(got.body["parent_account_id"], Value::Null);
        assert_eq!(got.body["version"], 1);
        // Moving C up to A is fine, and so is leaving the group.
        let c_path = format!("/api/v1/accounts/{}", id_of(&c));
        let res = app.patch(&c_path).token(&rep.token).json(json!({"parent_account_id": a["id"]})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        let res = app.patch(&c_path).token(&rep.token).json(json!({"parent_account_id": null})).send().await;
        assert_eq!(res.body["parent_account_id"], Value::Null);
    }

    async fn patch_honours_if_match_and_refuses_owner_and_cleared_required_fields(app) {
        let rep = app.user("rep", None, None).await;
        let account = app.create_account(&rep.token, json!({"name": "Acme", "notes": "n"})).await;
        let path = format!("/api/v1/accounts/{}", id_of(&account));
        let res = app.patch(&path).token(&rep.token).header("if-match", "W/\"1\"")
            .json(json!({"tier": "strategic", "lifecycle": "active", "address": "上海", "notes": null})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.header("etag"), Some("W/\"2\""));
        assert_eq!(res.body["tier"], "strategic");
        assert_eq!(res.body["lifecycle"], "active");
        assert_eq!(res.body["address"], "上海");
        assert_eq!(res.body["notes"], Value::Null);
        let res = app.patch(&path).token(&rep.token).header("if-match", "W/\"1\"").json(json!({"tier": "small"})).send().await;
        res.assert_problem(412, "precondition_failed");
        for (body, field) in [
            (json!({"owner_id": rep.id}), "owner_id"),
            (json!({"pool_id": DEFAULT_POOL_ID}), "pool_id"),
            (json!({"name": null}), "name"),
            (json!({"tier": null}), "tier"),
            (json!({"name": "   "}), "name"),
        ] {
            let res = app.patch(&path).token(&rep.token).json(body).send().await;
            res.assert_problem(422, "validation");
            assert_eq!(res.error_fields(), vec![field]);
        }
        let got = app.get(&path).token(&rep.token).send().await;
        assert_eq!(got.body["version"], 2);
        assert_eq!(got.body["tier"], "strategic");
        let audit = app.audit_trail(&rep.token, "account", &id_of(&account)).await;
        assert_eq!(audit["data"][1]["action"], "update");
        assert_eq!(audit["data"][1]["changes"]["tier"]["after"], "strategic");
    }

    async fn delete_is_refused_while_open_opportunities_or_subsidiaries_remain(app) {
        let rep = app.user("rep", None, None).await;
        let parent = app.create_account(&rep.token, json!({"name": "Parent"})).await;
        let child = app.create_account(&rep.token, json!({"name": "Child", "parent_account_id": parent["id"]})).await;
        let (parent_id, child_id) = (id_of(&parent), id_of(&child));
        let open = app.opportunity(&rep.id, Some(&child_id), |_| {});
        app.opportunity(&rep.id, Some(&child_id), |o| o.status = OpportunityStatus::Won);
        let contact = app.contact(&child_id, "Someone");
        let res = app.delete(&format!("/api/v1/accounts/{child_id}")).token(&rep.token).send().await;
        res.assert_problem(409, "conflict");
        assert!(res.body["detail"].as_str().expect("detail").contains(&open), "{}", res.body);
        let res = app.delete(&format!("/api/v1/accounts/{parent_id}")).token(&rep.token).send().await;
        res.assert_problem(409, "conflict");
        assert!(res.body["detail"].as_str().expect("detail").contains(&child_id), "{}", res.body);
        app.update_opportunity(&open, |row| row.status = OpportunityStatus::Lost);
        let res = app.delete(&format!("/api/v1/accounts/{child_id}")).token(&rep.token).header("if-match", "W/\"9\"").send().await;
        res.assert_problem(412, "precondition_failed");
        let res = app.delete(&format!("/api/v1/accounts/{child_id}")).token(&rep.token).send().await;
        assert_eq!(res.status, 204, "{}", res.body);
        app.get(&format!("/api/v1/accounts/{child_id}")).token(&rep.token).send().await.assert_problem(404, "not_found");
        app.get(&format!("/api/v1/contacts/{contact}")).token(&app.admin_token).send().await.assert_problem(404, "not_found");
        let res = app.delete(&format!("/api/v1/accounts/{parent_id}")).token(&rep.token).send().await;
        assert_eq!(res.status, 204, "{}", res.body);
        assert_eq!(account_count(&app).await, 0);
        // Pool accounts are deleted by managers and admins only.
        let pooled = app.account("Pooled", None);
        app.delete(&format!("/api/v1/accounts/{pooled}")).token(&rep.token).send().await.assert_problem(403, "forbidden");
        assert_eq!(app.delete(&format!("/api/v1/accounts/{pooled}")).token(&app.admin_token).send().await.status, 204);
    }

    async fn transfer_moves_the_owner_and_open_opportunities_and_keeps_the_history(app) {
        let dept = app.department("Sales", None);
        let manager = app.user("manager", Some(&dept), None).await;
        let from = app.user("rep", Some(&dept), Some(&manager.id)).await;
        let to = app.user("rep", Some(&dept), Some(&manager.id)).await;
        let account = app.create_account(&from.token, json!({"name": "Acme"})).await;
        let id = id_of(&account);
        let open = app.opportunity(&from.id, Some(&id), |_| {});
        let won = app.opportunity(&from.id, Some(&id), |o| o.status = OpportunityStatus::Won);
        let other_account = app.create_account(&from.token, json!({"name": "Other"})).await;
        let elsewhere = app.opportunity(&from.id, Some(&id_of(&other_account)), |_| {});
        let res = app.post(&format!("/api/v1/accounts/{id}/transfer")).token(&manager.token).header("if-match", "W/\"1\"")
            .json(json!({"owner_id": to.id, "include_open_opportunities": true, "note": "territory change"})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["owner_id"], to.id.as_str());
        assert_eq!(res.body["version"], 2);
        assert_eq!(res.header("etag"), Some("W/\"2\""));
        assert_ne!(res.body["owned_since"], account["owned_since"]);
        assert_eq!(app.opportunity_row(&open).owner_id, to.id);
        assert_eq!(app.opportunity_row(&open).version, 2);
        assert_eq!(app.opportunity_row(&won).owner_id, from.id);
        assert_eq!(app.opportunity_row(&elsewhere).owner_id, from.id);
        let history = app.get(&format!("/api/v1/accounts/{id}/owner-history")).token(&to.token).send().await;
        let rows = items(&history.body);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1]["reason"], "transfer");
        assert_eq!(rows[1]["from_owner_id"], from.id.as_str());
        assert_eq!(rows[1]["to_owner_id"], to.id.as_str());
        assert_eq!(rows[1]["actor_id"], manager.id.as_str());
        assert_eq!(rows[1]["detail"], "territory change");
        // Paged by id with limit and cursor.
        let first = app.get(&format!("/api/v1/accounts/{id}/owner-history?limit=1")).token(&to.token).send().await;
        assert_eq!(first.status, 200, "{}", first.body);
        assert_eq!(first.body["data"].as_array().map(Vec::len), Some(1));
        assert_eq!(first.body["data"][0]["reason"], "create");
        let cursor = first.body["next_cursor"].as_str().expect("a next page");
        let second = app.get(&format!("/api/v1/accounts/{id}/owner-history?limit=1&cursor={cursor}")).token(&to.token).send().await;
        assert_eq!(second.body["data"].as_array().map(Vec::len), Some(1));
        assert_eq!(second.body["data"][0]["reason"], "transfer");
        assert_eq!(second.body["next_cursor"], Value::Null);
        app.get(&format!("/api/v1/accounts/{id}/owner-history?limit=0")).token(&to.token).send().await.assert_problem(400, "bad_request");
        app.get(&format!("/api/v1/accounts/{id}")).token(&from.token).send().await.assert_problem(404, "not_found");
        assert_eq!(app.get(&format!("/api/v1/accounts/{id}")).token(&to.token).send().await.status, 200);
        let audit = app.audit_trail(&manager.token, "account", &id).await;
        assert_eq!(audit["data"][1]["action"], "transfer");
        // Without the flag the opportunities stay where they are.
        let res = app.post(&format!("/api/v1/accounts/{id}/transfer")).token(&manager.token).json(json!({"owner_id": from.id})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(app.opportunity_row(&open).owner_id, to.id);
    }

    async fn transfer_with_open_opportunities_is_refused_when_one_is_outside_the_managers_scope(app) {
        let east = app.department("East", None);
        let west = app.department("West", None);
        let manager = app.user("manager", Some(&east), None).await;
        let from = app.user("rep", Some(&east), Some(&manager.id)).await;
        let to = app.user("rep", Some(&east), Some(&manager.id)).await;
        let west_rep = app.user("rep", Some(&west), None).await;
        let account = app.account("Acme", Some(&from.id));
        let mine = app.opportunity(&from.id, Some(&account), |_| {});
        let theirs = app.opportunity(&west_rep.id, Some(&account), |_| {});
        let path = format!("/api/v1/accounts/{account}/transfer");
        let res = app.post(&path).token(&manager.token).json(json!({"owner_id": to.id, "include_open_opportunities": true})).send().await;
        res.assert_problem(409, "invalid_transition");
        let detail = res.body["detail"].as_str().expect("detail");
        assert!(detail.starts_with("1 open opportunity"), "{detail}");
        assert!(!detail.contains(&theirs), "{detail}");
        // Nothing changed.
        assert_eq!(app.opportunity_row(&mine).owner_id, from.id);
        assert_eq!(app.opportunity_row(&mine).version, 1);
        assert_eq!(app.opportunity_row(&theirs).owner_id, west_rep.id);
        let got = app.get(&format!("/api/v1/accounts/{account}")).token(&from.token).send().await;
        assert_eq!(got.body["owner_id"], from.id.as_str());
        assert_eq!(got.body["version"], 1);
        // An admin sees both and moves both.
        let res = app.post(&path).token(&app.admin_token).json(json!({"owner_id": to.id, "include_open_opportunities": true})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(app.opportunity_row(&mine).owner_id, to.id);
        assert_eq!(app.opportunity_row(&theirs).owner_id, to.id);
    }

    async fn transfer_is_refused_for_reps_pool_accounts_the_same_owner_and_unusable_owners(app) {
        let rep = app.user("rep", None, None).await;
        let other = app.user("rep", None, None).await;
        let gone = app.user("rep", None, None).await;
        app.deactivate_user(&gone.id).await;
        let account = app.create_account(&rep.token, json!({"name": "Acme"})).await;
        let path = format!("/api/v1/accounts/{}/transfer", id_of(&account));
        for note in [json!("   "), json!("x".repeat(501))] {
            let res = app.post(&path).token(&app.admin_token).json(json!({"owner_id": other.id, "note": note})).send().await;
            res.assert_problem(422, "validation");
            assert_eq!(res.error_fields(), vec!["note"]);
        }
        app.post(&path).token(&rep.token).json(json!({"owner_id": other.id})).send().await.assert_problem(403, "forbidden");
        let pooled = app.account("Pooled", None);
        app.post(&format!("/api/v1/accounts/{pooled}/transfer")).token(&app.admin_token).json(json!({"owner_id": other.id}))
            .send().await.assert_problem(409, "invalid_transition");
        app.post(&path).token(&app.admin_token).json(json!({"owner_id": rep.id})).send().await.assert_problem(409, "invalid_transition");
        for owner in [gone.id.as_str(), "no-such-user"] {
            let res = app.post(&path).token(&app.admin_token).json(json!({"owner_id": owner})).send().await;
            res.assert_problem(422, "validation");
            assert_eq!(res.error_fields(), vec!["owner_id"]);
        }
        let res = app.post(&path).token(&app.admin_token).json(json!({})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["owner_id"]);
        app.post(&path).token(&app.admin_token).header("if-match", "W/\"5\"").json(json!({"owner_id": other.id}))
            .send().await.assert_problem(412, "precondition_failed");
        let got = app.get(&format!("/api/v1/accounts/{}", id_of(&account))).token(&rep.token).send().await;
        assert_eq!(got.body["owner_id"], rep.id.as_str());
        assert_eq!(got.body["version"], 1);
        let history = app.get(&format!("/api/v1/accounts/{}/owner-history", id_of(&account))).token(&rep.token).send().await;
        assert_eq!(history.body["data"].as_array().map(Vec::len), Some(1));
    }

    async fn account_fields_are_checked_one_by_one(app) {
        let rep = app.user("rep", None, None).await;
        let res = app.post("/api/v1/accounts").token(&rep.token).json(json!({"name": "x".repeat(201)})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["name"]);
        assert_eq!(res.body["errors"][0]["code"], "length");
        // A blank name is missing, not too short: one error, `required`.
        let res = app.post("/api/v1/accounts").token(&rep.token).json(json!({"name": "   "})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["name"]);
        assert_eq!(res.body["errors"][0]["code"], "required");
        let res = app.post("/api/v1/accounts").token(&rep.token).json(json!({"name": "Acme", "lifecycle": "zombie"})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["lifecycle"]);
        let first = app.create_account(&rep.token, json!({"name": "Acme", "external_id": "erp-1"})).await;
        let res = app.post("/api/v1/accounts?allow_duplicate=true").token(&rep.token).json(json!({"name": "Beta", "external_id": "erp-1"})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["external_id"]);
        assert_eq!(res.body["errors"][0]["code"], "taken");
        let second = app.create_account(&rep.token, json!({"name": "Beta"})).await;
        let res = app.patch(&format!("/api/v1/accounts/{}", id_of(&second))).token(&rep.token).json(json!({"external_id": "erp-1"})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["external_id"]);
        assert_eq!(res.body["errors"][0]["code"], "taken");
        let res = app.patch(&format!("/api/v1/accounts/{}", id_of(&first))).token(&rep.token).json(json!({"name": "x".repeat(201)})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["name"]);
        assert_eq!(res.body["errors"][0]["code"], "length");
        let res = app.patch(&format!("/api/v1/accounts/{}", id_of(&first))).token(&rep.token).json(json!({"name": " "})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["name"]);
        assert_eq!(res.body["errors"][0]["code"], "required");
        let res = app.patch(&format!("/api/v1/accounts/{}", id_of(&first))).token(&rep.token).json(json!({"lifecycle": "zombie"})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["lifecycle"]);
        assert_eq!(account_count(&app).await, 2);
    }

    async fn delete_names_only_the_blockers_the_caller_may_see(app) {
        let rep = app.user("rep", None, None).await;
        let stranger = app.user("rep", None, None).await;
        let parent = app.account("Parent", Some(&rep.id));
        let hidden_child = app.account("Child", Some(&stranger.id));
        app.with_conn(|c| {
            use diesel::prelude::*;
            use salesops_persistence::schema::accounts::dsl;
            diesel::update(dsl::accounts.find(&hidden_child)).set(dsl::parent_account_id.eq(Some(parent.clone()))).execute(c)
        }).expect("re-parent");
        let res = app.delete(&format!("/api/v1/accounts/{parent}")).token(&rep.token).send().await;
        res.assert_problem(409, "conflict");
        let detail = res.body["detail"].as_str().expect("detail");
        assert!(detail.contains("1 live subsidiary (1 outside your scope)"), "{detail}");
        assert!(!res.body.to_string().contains(&hidden_child), "{}", res.body);
        let account = app.account("Acme", Some(&rep.id));
        let theirs = app.opportunity(&stranger.id, Some(&account), |_| {});
        let res = app.delete(&format!("/api/v1/accounts/{account}")).token(&rep.token).send().await;
        res.assert_problem(409, "conflict");
        let detail = res.body["detail"].as_str().expect("detail");
        assert!(detail.contains("1 open opportunity (1 outside your scope)"), "{detail}");
        assert!(!res.body.to_string().contains(&theirs), "{}", res.body);
    }

    async fn a_lead_with_a_contacts_email_or_phone_is_a_duplicate(app) {
        let rep = app.user("rep", None, None).await;
        let account = app.create_account(&app.admin_token, json!({"name": "Acme"})).await;
        let contact = app.create_contact(&app.admin_token, json!({
            "account_id": account["id"], "name": "王芳", "email": "Wang.Fang@Acme.cn", "phone": "+86 138 0013 8000"
        })).await;
        // The contact belongs to an account the rep cannot see; it is still a duplicate, but not named.
        let res = app.post("/api/v1/leads").token(&rep.token).json(json!({"name": "W", "email": " wang.fang@acme.CN "})).send().await;
        res.assert_problem(409, "duplicate");
        assert_eq!(res.body["duplicate_ids"], Value::Null, "{}", res.body);
        assert!(!res.body.to_string().contains(contact["id"].as_str().expect("id")), "{}", res.body);
        let res = app.post("/api/v1/leads").token(&app.admin_token).json(json!({"name": "W", "email": "wang.fang@acme.cn"})).send().await;
        res.assert_problem(409, "duplicate");
        assert_eq!(res.body["duplicate_ids"], json!([contact["id"]]));
        let res = app.post("/api/v1/leads").token(&rep.token).json(json!({"name": "W", "phone": "13800138000"})).send().await;
        res.assert_problem(409, "duplicate");
        let lead = app.post("/api/v1/leads").token(&rep.token).json(json!({"name": "W", "email": "other@acme.cn"})).send().await;
        assert_eq!(lead.status, 201);
        let res = app.patch(&format!("/api/v1/leads/{}", id_of(&lead.body))).token(&rep.token).json(json!({"phone": "0086 13800138000"})).send().await;
        res.assert_problem(409, "duplicate");
        let res = app.post("/api/v1/leads?allow_duplicate=true").token(&rep.token).json(json!({"name": "W", "email": "wang.fang@acme.cn"})).send().await;
        assert_eq!(res.status, 201);
        // A deleted contact no longer counts.
        app.delete(&format!("/api/v1/contacts/{}", id_of(&contact))).token(&app.admin_token).send().await;
        let res = app.post("/api/v1/leads").token(&rep.token).json(json!({"name": "W2", "phone": "13800138000"})).send().await;
        assert_eq!(res.status, 201, "{}", res.body);
    }

    async fn the_lead_and_account_duplicate_checks_report_leads_accounts_and_contacts(app) {
        let rep = app.user("rep", None, None).await;
        let owner = app.user("rep", None, None).await;
        let account = app.create_account(&owner.token, json!({"name": "Acme （上海） Ltd", "uscc": USCC_A})).await;
        let contact = app.create_contact(&owner.token, json!({"account_id": account["id"], "name": "王芳", "email": "wf@acme.cn"})).await;
        let lead = app.lead(&owner.token, json!({"name": "Li", "company": "ACME(上海)LTD", "phone": "021-5555-1234"})).await;
        let res = app.post("/api/v1/leads/duplicates").token(&owner.token)
            .json(json!({"company": "acme(上海)ltd", "email": "WF@acme.cn"})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        let data = items(&res.body);
        assert_eq!(data.len(), 3, "{}", res.body);
        assert_eq!(data[0]["entity_type"], "lead");
        assert_eq!(data[0]["id"], lead["id"]);
        assert_eq!(data[0]["lead_id"], lead["id"]);
        assert_eq!(data[0]["status"], "new");
        assert_eq!(data[0]["matched_on"], json!(["company"]));
        assert_eq!(data[1]["entity_type"], "account");
        assert_eq!(data[1]["id"], account["id"]);
        assert_eq!(data[1]["lead_id"], Value::Null);
        assert_eq!(data[1]["matched_on"], json!(["company"]));
        assert_eq!(data[1]["name"], "Acme （上海） Ltd");
        assert_eq!(data[2]["entity_type"], "contact");
        assert_eq!(data[2]["id"], contact["id"]);
        assert_eq!(data[2]["account_id"], account["id"]);
        assert_eq!(data[2]["company"], "Acme （上海） Ltd");
        assert_eq!(data[2]["owner_id"], owner.id.as_str());
        assert_eq!(data[2]["matched_on"], json!(["email"]));
        assert_eq!(data[2]["visible"], true);
        let res = app.post("/api/v1/accounts/duplicates").token(&rep.token)
            .json(json!({"name": "acme (上海) ltd", "uscc": USCC_A.to_lowercase(), "phone": "02155551234"})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        let data = items(&res.body);
        assert_eq!(data.len(), 2, "{}", res.body);
        assert_eq!(data[0]["entity_type"], "lead");
        assert_eq!(data[0]["matched_on"], json!(["phone", "name"]));
        assert_eq!(data[1]["entity_type"], "account");
        assert_eq!(data[1]["matched_on"], json!(["name", "uscc"]));
        // Out of the rep's scope: reported with what matched, but without id, owner or name.
        for hidden in data.iter() {
            assert_eq!(hidden["visible"], false);
            for field in ["id", "lead_id", "name", "company", "owner_id", "account_id", "status"] {
                assert_eq!(hidden[field], Value::Null, "{field}: {}", res.body);
            }
        }
        assert!(!res.body.to_string().contains(owner.id.as_str()), "{}", res.body);
        let res = app.post("/api/v1/accounts/duplicates").token(&rep.token).json(json!({"email": "wf@acme.cn"})).send().await;
        assert_eq!(res.body["data"][0]["entity_type"], "contact");
        assert_eq!(res.body["data"][0]["account_id"], Value::Null);
        let res = app.post("/api/v1/accounts/duplicates").token(&rep.token).json(json!({"name": "Nobody"})).send().await;
        assert_eq!(res.body["data"], json!([]));
        let res = app.post("/api/v1/accounts/duplicates").token(&rep.token).json(json!({})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["(body)"]);
        let res = app.post("/api/v1/accounts/duplicates").token(&rep.token).json(json!({"nmae": "x"})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["nmae"]);
        assert_eq!(account_count(&app).await, 1);
    }

    async fn overlong_industry_region_address_and_notes_are_refused_with_the_field(app) {
        let rep = app.user("rep", None, None).await;
        for (field, len) in [("industry", 101), ("region", 101), ("address", 501), ("notes", 10_001)] {
            let mut body = json!({"name": "Acme"});
            body[field] = json!("x".repeat(len));
            let res = app.post("/api/v1/accounts?allow_duplicate=true").token(&rep.token).json(body).send().await;
            res.assert_problem(422, "validation");
            assert_eq!(res.error_fields(), vec![field], "{field}");
            assert_eq!(res.body["errors"][0]["code"], "length", "{field}");
        }
        assert_eq!(account_count(&app).await, 0, "a refused create stored an account");
        let account = app.create_account(&rep.token, json!({"name": "Acme"})).await;
        let path = format!("/api/v1/accounts/{}", id_of(&account));
        for (field, len) in [("industry", 101), ("region", 101), ("address", 501), ("notes", 10_001)] {
            let mut body = json!({});
            body[field] = json!("x".repeat(len));
            let res = app.patch(&path).token(&rep.token).json(body).send().await;
            res.assert_problem(422, "validation");
            assert_eq!(res.error_fields(), vec![field], "{field}");
        }
        let got = app.get(&path).token(&rep.token).send().await;
        assert_eq!(got.body["version"], 1, "a refused patch changed the account");
    }
}
