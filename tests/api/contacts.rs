//! Contacts: create, read, list, patch, delete, one primary contact per account, and data scopes.

use crate::both_databases;
use crate::fixtures::{id_of, ids};
use crate::helpers::TestApp;
use serde_json::{json, Value};

/// The contact `id` as `token` reads it, asserting 200.
async fn get(app: &TestApp, token: &str, id: &str) -> Value {
    app.get_ok(token, &format!("/api/v1/contacts/{id}")).await
}

/// The ids of the contacts listed with `query`, as the admin sees them.
async fn list(app: &TestApp, query: &str) -> Vec<String> {
    app.list_ids(&format!("/api/v1/contacts?{query}")).await
}

/// The ids of an account's primary contacts, as listed.
async fn primaries(app: &TestApp, account: &str) -> Vec<String> {
    list(app, &format!("account_id={account}&is_primary=true")).await
}

both_databases! {
    async fn create_contact_returns_201_and_the_first_contact_becomes_primary(app) {
        let rep = app.user("rep", None, None).await;
        let account = app.account("Acme", Some(&rep.id));
        let res = app.post("/api/v1/contacts").token(&rep.token).json(json!({
            "account_id": account, "name": " 王芳 ", "title": "采购经理", "email": "Wang.Fang@Acme.cn", "phone": "+86 138 0013 8000"
        })).send().await;
        let id = res.assert_created("/api/v1/contacts");
        assert_eq!(res.body["name"], "王芳");
        assert_eq!(res.body["account_id"], account.as_str());
        assert_eq!(res.body["is_primary"], true);
        assert_eq!(get(&app, &rep.token, &id).await, res.body);
        let second = app.create_contact(&rep.token, json!({"account_id": account, "name": "Li Lei"})).await;
        assert_eq!(second["is_primary"], false);
        assert_eq!(primaries(&app, &account).await, vec![id.clone()]);
        let audit = app.audit_trail(&rep.token, "contact", &id).await;
        assert_eq!(audit["data"][0]["action"], "create");
    }

    async fn a_new_primary_contact_takes_the_place_of_the_old_one(app) {
        let rep = app.user("rep", None, None).await;
        let account = app.account("Acme", Some(&rep.id));
        let other_account = app.account("Other", Some(&rep.id));
        let first = app.create_contact(&rep.token, json!({"account_id": account, "name": "A"})).await;
        let other_primary = app.create_contact(&rep.token, json!({"account_id": other_account, "name": "O"})).await;
        let second = app.create_contact(&rep.token, json!({"account_id": account, "name": "B", "is_primary": true})).await;
        assert_eq!(second["is_primary"], true);
        let first_now = get(&app, &rep.token, &id_of(&first)).await;
        assert_eq!(first_now["is_primary"], false);
        assert_eq!(first_now["version"], 2);
        assert_eq!(primaries(&app, &account).await, vec![id_of(&second)]);
        // Patching switches it back, in one transaction.
        let res = app.patch(&format!("/api/v1/contacts/{}", id_of(&first))).token(&rep.token).header("if-match", "W/\"2\"")
            .json(json!({"is_primary": true})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["is_primary"], true);
        assert_eq!(res.body["version"], 3);
        assert_eq!(get(&app, &rep.token, &id_of(&second)).await["is_primary"], false);
        assert_eq!(primaries(&app, &account).await, vec![id_of(&first)]);
        // Other accounts keep theirs.
        assert_eq!(primaries(&app, &other_account).await, vec![id_of(&other_primary)]);
        // Unsetting leaves the account without one; a new contact then becomes primary.
        let res = app.patch(&format!("/api/v1/contacts/{}", id_of(&first))).token(&rep.token).json(json!({"is_primary": false})).send().await;
        assert_eq!(res.body["is_primary"], false);
        assert_eq!(primaries(&app, &account).await, Vec::<String>::new());
        let third = app.create_contact(&rep.token, json!({"account_id": account, "name": "C"})).await;
        assert_eq!(third["is_primary"], true);
        let fourth = app.create_contact(&rep.token, json!({"account_id": account, "name": "D", "is_primary": false})).await;
        assert_eq!(fourth["is_primary"], false);
        // Deleting the primary leaves none, and the next contact takes over.
        let res = app.delete(&format!("/api/v1/contacts/{}", id_of(&third))).token(&rep.token).send().await;
        assert_eq!(res.status, 204);
        app.get(&format!("/api/v1/contacts/{}", id_of(&third))).token(&rep.token).send().await.assert_problem(404, "not_found");
        assert_eq!(primaries(&app, &account).await, Vec::<String>::new());
        let fifth = app.create_contact(&rep.token, json!({"account_id": account, "name": "E"})).await;
        assert_eq!(primaries(&app, &account).await, vec![id_of(&fifth)]);
    }

    async fn create_contact_validates_fields_and_the_account(app) {
        let alice = app.user("rep", None, None).await;
        let bob = app.user("rep", None, None).await;
        let account = app.account("Acme", Some(&alice.id));
        let res = app.post("/api/v1/contacts").token(&alice.token)
            .json(json!({"account_id": account, "name": " ", "email": "not-an-email", "phone": "call me"})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["email", "name", "phone"]);
        assert_eq!(res.body["errors"][1]["code"], "required", "a blank name is missing, not short");
        let res = app.post("/api/v1/contacts").token(&alice.token).json(json!({"name": "X"})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["account_id"]);
        let res = app.post("/api/v1/contacts").token(&alice.token).json(json!({"account_id": account, "name": "X", "primary": true})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.body["errors"][0]["code"], "unknown_field");
        // An account the caller cannot see, or none at all.
        for account_id in [account.as_str(), "no-such-account"] {
            let res = app.post("/api/v1/contacts").token(&bob.token).json(json!({"account_id": account_id, "name": "X"})).send().await;
            res.assert_problem(422, "validation");
            assert_eq!(res.error_fields(), vec!["account_id"]);
        }
        let deleted = app.account("Deleted", Some(&alice.id));
        app.delete(&format!("/api/v1/accounts/{deleted}")).token(&alice.token).send().await;
        let res = app.post("/api/v1/contacts").token(&alice.token).json(json!({"account_id": deleted, "name": "X"})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["account_id"]);
        assert_eq!(app.total("/api/v1/contacts").await, 0);
    }

    async fn contact_fields_are_checked_one_by_one(app) {
        let rep = app.user("rep", None, None).await;
        let account = app.account("Acme", Some(&rep.id));
        let res = app.post("/api/v1/contacts").token(&rep.token).json(json!({"account_id": account, "name": "x".repeat(201)})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["name"]);
        let res = app.post("/api/v1/contacts").token(&rep.token).json(json!({"account_id": account, "name": "Li", "email": "li@"})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["email"]);
        let res = app.post("/api/v1/contacts").token(&rep.token).json(json!({"account_id": account, "name": "Li", "external_id": "crm-1"})).send().await;
        assert_eq!(res.status, 201, "{}", res.body);
        let first = id_of(&res.body);
        let res = app.post("/api/v1/contacts").token(&rep.token).json(json!({"account_id": account, "name": "Wang", "external_id": "crm-1"})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["external_id"]);
        assert_eq!(res.body["errors"][0]["code"], "taken");
        let res = app.post("/api/v1/contacts").token(&rep.token).json(json!({"account_id": account, "name": "Wang", "external_id": "crm-2"})).send().await;
        assert_eq!(res.status, 201, "{}", res.body);
        let second = id_of(&res.body);
        let res = app.patch(&format!("/api/v1/contacts/{second}")).token(&rep.token).json(json!({"external_id": "crm-1"})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["external_id"]);
        assert_eq!(res.body["errors"][0]["code"], "taken");
        assert_eq!(app.total("/api/v1/contacts").await, 2);
        assert_ne!(first, second);
    }

    async fn a_contact_is_visible_exactly_when_its_account_is(app) {
        let alice = app.user("rep", None, None).await;
        let bob = app.user("rep", None, None).await;
        let account = app.account("Alice's", Some(&alice.id));
        let pooled = app.account("Pooled", None);
        let contact = app.create_contact(&alice.token, json!({"account_id": account, "name": "A"})).await;
        let pool_contact = app.create_contact(&bob.token, json!({"account_id": pooled, "name": "P"})).await;
        let path = format!("/api/v1/contacts/{}", id_of(&contact));
        app.get(&path).token(&bob.token).send().await.assert_problem(404, "not_found");
        app.patch(&path).token(&bob.token).json(json!({"title": "x"})).send().await.assert_problem(404, "not_found");
        app.delete(&path).token(&bob.token).send().await.assert_problem(404, "not_found");
        app.get(&format!("/api/v1/audit-events?entity_type=contact&entity_id={}", id_of(&contact))).token(&bob.token)
            .send().await.assert_problem(404, "not_found");
        let list = app.get("/api/v1/contacts?count=true").token(&bob.token).send().await;
        assert_eq!(ids(&list.body), vec![id_of(&pool_contact)]);
        assert_eq!(list.body["total"], 1);
        let list = app.get(&format!("/api/v1/contacts?account_id={account}")).token(&bob.token).send().await;
        assert_eq!(list.body["data"], json!([]));
        let list = app.get("/api/v1/contacts").token(&alice.token).send().await;
        assert_eq!(ids(&list.body), vec![id_of(&contact), id_of(&pool_contact)]);
        let got = get(&app, &alice.token, &id_of(&contact)).await;
        assert_eq!(got["version"], 1);
        assert_eq!(got["title"], Value::Null);
    }

    async fn finance_reads_contacts_but_may_not_write_them(app) {
        let finance = app.user("finance", None, None).await;
        let account = app.account("Acme", None);
        let contact = app.contact(&account, "A");
        let path = format!("/api/v1/contacts/{contact}");
        assert_eq!(app.get(&path).token(&finance.token).send().await.status, 200);
        app.post("/api/v1/contacts").token(&finance.token).json(json!({"account_id": account, "name": "X"})).send().await.assert_problem(403, "forbidden");
        app.patch(&path).token(&finance.token).json(json!({"title": "x"})).send().await.assert_problem(403, "forbidden");
        app.delete(&path).token(&finance.token).send().await.assert_problem(403, "forbidden");
        assert_eq!(get(&app, &finance.token, &contact).await["version"], 1);
    }

    async fn patch_merges_honours_if_match_and_keeps_the_account(app) {
        let rep = app.user("rep", None, None).await;
        let account = app.account("Acme", Some(&rep.id));
        let other = app.account("Other", Some(&rep.id));
        let contact = app.create_contact(&rep.token, json!({"account_id": account, "name": "A", "title": "CTO", "email": "a@acme.cn"})).await;
        let path = format!("/api/v1/contacts/{}", id_of(&contact));
        let res = app.patch(&path).token(&rep.token).header("if-match", "W/\"1\"")
            .json(json!({"title": null, "phone": "021-5555-1234", "email": "A2@Acme.cn"})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.header("etag"), Some("W/\"2\""));
        assert_eq!(res.body["title"], Value::Null);
        assert_eq!(res.body["phone"], "021-5555-1234");
        assert_eq!(res.body["name"], "A");
        app.patch(&path).token(&rep.token).header("if-match", "W/\"1\"").json(json!({"title": "x"})).send().await.assert_problem(412, "precondition_failed");
        for (body, field) in [
            (json!({"account_id": other}), "account_id"),
            (json!({"name": null}), "name"),
            (json!({"is_primary": null}), "is_primary"),
            (json!({"email": "nope"}), "email"),
            (json!({"phone": "call me"}), "phone"),
        ] {
            let res = app.patch(&path).token(&rep.token).json(body).send().await;
            res.assert_problem(422, "validation");
            assert_eq!(res.error_fields(), vec![field]);
        }
        let got = get(&app, &rep.token, &id_of(&contact)).await;
        assert_eq!(got["version"], 2);
        assert_eq!(got["account_id"], account.as_str());
        let res = app.delete(&path).token(&rep.token).header("if-match", "W/\"1\"").send().await;
        res.assert_problem(412, "precondition_failed");
    }

    async fn list_filters_by_account_and_text_and_pages_by_id(app) {
        let account = app.account("Acme", None);
        let other = app.account("Other", None);
        let a = app.create_contact(&app.admin_token, json!({"account_id": account, "name": "王芳", "email": "wf@acme.cn"})).await;
        let b = app.create_contact(&app.admin_token, json!({"account_id": account, "name": "Li Lei", "title": "Buyer"})).await;
        let c = app.create_contact(&app.admin_token, json!({"account_id": other, "name": "Han Meimei", "phone": "13800138000"})).await;
        assert_eq!(list(&app, &format!("account_id={account}")).await, vec![id_of(&a), id_of(&b)]);
        assert_eq!(list(&app, "q=%E7%8E%8B").await, vec![id_of(&a)]);
        assert_eq!(list(&app, "q=buyer").await, vec![id_of(&b)]);
        assert_eq!(list(&app, "q=WF%40ACME").await, vec![id_of(&a)]);
        assert_eq!(list(&app, "q=0013").await, vec![id_of(&c)]);
        assert_eq!(list(&app, "is_primary=false").await, vec![id_of(&b)]);
        let first = app.get("/api/v1/contacts?limit=2&count=true").token(&app.admin_token).send().await;
        assert_eq!(ids(&first.body), vec![id_of(&a), id_of(&b)]);
        assert_eq!(first.body["total"], 3);
        let cursor = first.body["next_cursor"].as_str().expect("cursor");
        let second = app.get(&format!("/api/v1/contacts?limit=2&cursor={cursor}")).token(&app.admin_token).send().await;
        assert_eq!(ids(&second.body), vec![id_of(&c)]);
        assert_eq!(second.body["next_cursor"], Value::Null);
        app.get("/api/v1/contacts?limit=0").token(&app.admin_token).send().await.assert_problem(400, "bad_request");
    }

    async fn a_blank_name_is_required_and_a_long_one_too_long_on_create_and_patch(app) {
        let rep = app.user("rep", None, None).await;
        let account = app.account("Acme", Some(&rep.id));
        let res = app.post("/api/v1/contacts").token(&rep.token).json(json!({"account_id": account, "name": "   "})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["name"]);
        assert_eq!(res.body["errors"][0]["code"], "required");
        let res = app.post("/api/v1/contacts").token(&rep.token).json(json!({"account_id": "", "name": "Li"})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["account_id"]);
        assert_eq!(res.body["errors"][0]["code"], "required");
        let id = id_of(&app.create_contact(&rep.token, json!({"account_id": account, "name": "Li"})).await);
        let path = format!("/api/v1/contacts/{id}");
        for (name, code) in [(json!("  "), "required"), (json!(null), "required"), (json!("x".repeat(201)), "length")] {
            let res = app.patch(&path).token(&rep.token).json(json!({"name": name})).send().await;
            res.assert_problem(422, "validation");
            assert_eq!(res.error_fields(), vec!["name"]);
            assert_eq!(res.body["errors"].as_array().map(Vec::len), Some(1), "one error for {name}");
            assert_eq!(res.body["errors"][0]["code"], code, "{name}");
        }
        let res = app.patch(&path).token(&rep.token).json(json!({"name": "  Wang  "})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["name"], "Wang", "a patched name is trimmed like a created one");
        assert_eq!(res.body["version"], 2);
    }

    async fn overlong_title_and_notes_are_refused_with_the_field(app) {
        let rep = app.user("rep", None, None).await;
        let account = app.account("Acme", Some(&rep.id));
        for (field, len) in [("title", 101), ("notes", 10_001)] {
            let mut body = json!({"account_id": account, "name": "Li"});
            body[field] = json!("x".repeat(len));
            let res = app.post("/api/v1/contacts").token(&rep.token).json(body).send().await;
            res.assert_problem(422, "validation");
            assert_eq!(res.error_fields(), vec![field], "{field}");
            assert_eq!(res.body["errors"][0]["code"], "length", "{field}");
        }
        assert!(list(&app, "").await.is_empty(), "a refused create stored a contact");
        let contact = app.create_contact(&rep.token, json!({"account_id": account, "name": "Li"})).await;
        let id = id_of(&contact);
        for (field, len) in [("title", 101), ("notes", 10_001)] {
            let mut body = json!({});
            body[field] = json!("x".repeat(len));
            let res = app.patch(&format!("/api/v1/contacts/{id}")).token(&rep.token).json(body).send().await;
            res.assert_problem(422, "validation");
            assert_eq!(res.error_fields(), vec![field], "{field}");
        }
        assert_eq!(get(&app, &rep.token, &id).await["version"], 1, "a refused patch changed the contact");
    }
}
