//! Products: the catalogue. Managers and admins maintain it, everyone reads it; SKUs are
//! unique (409 `duplicate`), refused input changes nothing, and products are deactivated,
//! never deleted.

use crate::both_databases;
use crate::fixtures::{id_of, ids};
use crate::helpers::TestApp;
use serde_json::{json, Value};

fn product(sku: &str) -> Value {
    json!({
        "sku": sku, "name": format!("Product {sku}"), "unit": "license",
        "list_price": { "amount": 1_200_000, "currency": "CNY" }, "tax_rate_bps": 600, "category": "software"
    })
}

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let res = app.post("/api/v1/products").token(token).json(body).send().await;
    let id = res.assert_created("/api/v1/products");
    assert_eq!(res.body["id"], id.as_str());
    res.body
}

both_databases! {
    async fn managers_and_admins_add_products_and_every_role_reads_them(app) {
        let manager = app.user("manager", None, None).await;
        let p = create(&app, &app.admin_token, product("CRM-ENT")).await;
        assert_eq!(p["sku"], "CRM-ENT");
        assert_eq!(p["unit"], "license");
        assert_eq!(p["list_price"], json!({ "amount": 1_200_000, "currency": "CNY" }));
        assert_eq!(p["tax_rate_bps"], 600);
        assert_eq!(p["category"], "software");
        assert_eq!(p["active"], true);
        assert_eq!(p["version"], 1);
        let by_manager = create(&app, &manager.token, json!({
            "sku": " SVC-DAY ", "name": "Consulting", "unit": "person-day",
            "list_price": { "amount": 300_000, "currency": "CNY" }
        })).await;
        assert_eq!(by_manager["sku"], "SVC-DAY", "trimmed");
        assert_eq!(by_manager["tax_rate_bps"], 0, "no tax when left out");
        assert_eq!(by_manager["created_by"], manager.id.as_str());

        for role in ["rep", "finance"] {
            let user = app.user(role, None, None).await;
            let listed = app.get_ok(&user.token, "/api/v1/products").await;
            assert_eq!(ids(&listed), vec![id_of(&p), id_of(&by_manager)]);
            let got = app.get(&format!("/api/v1/products/{}", id_of(&p))).token(&user.token).send().await;
            assert_eq!(got.status, 200);
            assert_eq!(got.header("etag"), Some("W/\"1\""));
            assert_eq!(got.body, p);
            let res = app.post("/api/v1/products").token(&user.token).json(product("REP-1")).send().await;
            res.assert_problem(403, "forbidden");
        }
        assert_eq!(ids(&app.get_ok(&app.admin_token, "/api/v1/products").await).len(), 2, "refusals created nothing");
        let unknown = "/api/v1/products/0190f0c2-7000-7000-8000-00000000ffff";
        app.get(unknown).token(&app.admin_token).send().await.assert_problem(404, "not_found");
        app.patch(unknown).token(&app.admin_token).json(json!({ "name": "X" })).send().await.assert_problem(404, "not_found");
        app.delete(unknown).token(&app.admin_token).send().await.assert_problem(404, "not_found");
    }

    async fn a_taken_sku_is_a_duplicate_naming_the_product_and_a_taken_external_id_is_taken(app) {
        let first = create(&app, &app.admin_token, json!({
            "sku": "CRM-ENT", "name": "CRM", "unit": "license",
            "list_price": { "amount": 100, "currency": "CNY" }, "external_id": "ERP-1"
        })).await;
        let res = app.post("/api/v1/products").token(&app.admin_token).json(product("CRM-ENT")).send().await;
        res.assert_problem(409, "duplicate");
        assert_eq!(res.body["duplicate_ids"], json!([id_of(&first)]));

        let mut body = product("OTHER");
        body["external_id"] = json!("ERP-1");
        let res = app.post("/api/v1/products").token(&app.admin_token).json(body).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["external_id"]);

        let second = create(&app, &app.admin_token, product("SECOND")).await;
        let res = app.patch(&format!("/api/v1/products/{}", id_of(&second))).token(&app.admin_token)
            .json(json!({ "sku": "CRM-ENT" })).send().await;
        res.assert_problem(409, "duplicate");
        assert_eq!(app.get_ok(&app.admin_token, &format!("/api/v1/products/{}", id_of(&second))).await, second);
        // Keeping its own SKU is no duplicate.
        let res = app.patch(&format!("/api/v1/products/{}", id_of(&second))).token(&app.admin_token)
            .json(json!({ "sku": "SECOND", "name": "Renamed" })).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
    }

    async fn bad_products_are_refused_field_by_field(app) {
        let cases = [
            (json!({ "sku": " " }), "sku"),
            (json!({ "sku": "x".repeat(65) }), "sku"),
            (json!({ "name": "" }), "name"),
            (json!({ "unit": "" }), "unit"),
            (json!({ "tax_rate_bps": 10_001 }), "tax_rate_bps"),
            (json!({ "tax_rate_bps": -1 }), "tax_rate_bps"),
            (json!({ "list_price": { "amount": -1, "currency": "CNY" } }), "list_price.amount"),
            (json!({ "list_price": { "amount": 10_000_000_000_001_i64, "currency": "CNY" } }), "list_price.amount"),
            (json!({ "list_price": { "amount": 1, "currency": "rmb" } }), "list_price.currency"),
            (json!({ "category": "c".repeat(101) }), "category"),
            (json!({ "external_id": "e".repeat(129) }), "external_id"),
        ];
        for (change, field) in cases {
            let mut body = product("BAD");
            for (k, v) in change.as_object().expect("object") {
                body[k] = v.clone();
            }
            let res = app.post("/api/v1/products").token(&app.admin_token).json(body).send().await;
            res.assert_problem(422, "validation");
            assert_eq!(res.error_fields(), vec![field.to_owned()], "{change}");
        }
        let mut missing = product("BAD");
        missing.as_object_mut().expect("object").remove("list_price");
        assert_eq!(app.post("/api/v1/products").token(&app.admin_token).json(missing).send().await.status.as_u16() / 100, 4);
        assert!(ids(&app.get_ok(&app.admin_token, "/api/v1/products?include_inactive=true").await).is_empty());
    }

    async fn a_patch_is_checked_like_a_new_product_and_needs_a_fresh_version(app) {
        let p = create(&app, &app.admin_token, product("CRM-ENT")).await;
        let path = format!("/api/v1/products/{}", id_of(&p));
        let res = app.patch(&path).token(&app.admin_token).header("if-match", "W/\"1\"")
            .json(json!({ "list_price": { "amount": 1_100_000, "currency": "CNY" }, "category": null, "name": " CRM " }))
            .send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["list_price"]["amount"], 1_100_000);
        assert_eq!(res.body["category"], Value::Null);
        assert_eq!(res.body["name"], "CRM");
        assert_eq!(res.body["version"], 2);
        let after = res.body;

        app.patch(&path).token(&app.admin_token).header("if-match", "W/\"1\"").json(json!({ "name": "Stale" }))
            .send().await.assert_problem(412, "precondition_failed");
        let res = app.patch(&path).token(&app.admin_token)
            .json(json!({ "name": null, "sku": null, "list_price": null, "active": null })).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["sku", "name", "list_price", "active"]);
        let res = app.patch(&path).token(&app.admin_token).json(json!({ "tax_rate_bps": 20_000 })).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["tax_rate_bps"]);
        let rep = app.user("rep", None, None).await;
        app.patch(&path).token(&rep.token).json(json!({ "name": "Mine" })).send().await.assert_problem(403, "forbidden");
        assert_eq!(app.get_ok(&app.admin_token, &path).await, after, "refused patches changed nothing");
    }

    async fn products_are_deactivated_never_deleted_and_lists_filter(app) {
        let crm = create(&app, &app.admin_token, product("CRM-ENT")).await;
        let mut svc = product("SVC-DAY");
        svc["category"] = json!("services");
        svc["name"] = json!("实施服务");
        let svc = create(&app, &app.admin_token, svc).await;
        let path = format!("/api/v1/products/{}", id_of(&crm));

        let rep = app.user("rep", None, None).await;
        app.delete(&path).token(&rep.token).send().await.assert_problem(403, "forbidden");
        app.delete(&path).token(&app.admin_token).header("if-match", "W/\"7\"").send().await
            .assert_problem(412, "precondition_failed");
        assert_eq!(app.get_ok(&app.admin_token, &path).await, crm, "refused deletes changed nothing");
        assert_eq!(app.delete(&path).token(&app.admin_token).header("if-match", "W/\"1\"").send().await.status, 204);
        assert_eq!(app.delete(&path).token(&app.admin_token).send().await.status, 204, "again: a no-op");
        let got = app.get_ok(&app.admin_token, &path).await;
        assert_eq!(got["active"], false);
        assert_eq!(got["version"], 2);

        assert_eq!(app.list_ids("/api/v1/products").await, vec![id_of(&svc)]);
        assert_eq!(app.list_ids("/api/v1/products?include_inactive=true").await, vec![id_of(&crm), id_of(&svc)]);
        assert_eq!(app.list_ids("/api/v1/products?category=services").await, vec![id_of(&svc)]);
        assert_eq!(app.list_ids("/api/v1/products?q=svc").await, vec![id_of(&svc)]);
        assert_eq!(app.list_ids("/api/v1/products?q=%E5%AE%9E%E6%96%BD").await, vec![id_of(&svc)]);

        let res = app.patch(&path).token(&app.admin_token).json(json!({ "active": true })).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(app.list_ids("/api/v1/products").await, vec![id_of(&crm), id_of(&svc)]);
        let trail = app.audit_trail(&app.admin_token, "product", &id_of(&crm)).await;
        let actions: Vec<&str> = trail["data"].as_array().expect("events").iter()
            .map(|e| e["action"].as_str().expect("action")).collect();
        assert_eq!(actions, ["create", "deactivate", "update"]);
    }
}
