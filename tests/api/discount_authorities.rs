//! Discount authorities (折扣权限): every role reads them, admins set them, audited.

use crate::both_databases;
use crate::fixtures::{items, str_of};
use crate::helpers::{TestApp, TestResponse};
use salesops_api::discount_authorities::service::authority_of;
use salesops_domain::org::Role;
use serde_json::{json, Value};

const AUTHORITIES: &str = "/api/v1/discount-authorities";

async fn set_authority(app: &TestApp, token: &str, role: &str, body: Value) -> TestResponse {
    app.put(&format!("{AUTHORITIES}/{role}")).token(token).json(body).send().await
}

/// The `(field, code)` pairs of a validation problem.
fn field_codes(res: &TestResponse) -> Vec<(String, String)> {
    let errors = res.body["errors"].as_array().cloned().unwrap_or_default();
    errors.iter().map(|e| (str_of(e, "field").to_owned(), str_of(e, "code").to_owned())).collect()
}

fn defaults() -> Value {
    json!({"data": [
        {"role": "admin", "max_discount_bps": null, "is_default": true},
        {"role": "manager", "max_discount_bps": 2000, "is_default": true},
        {"role": "rep", "max_discount_bps": 1000, "is_default": true},
        {"role": "finance", "max_discount_bps": 0, "is_default": true},
    ]})
}

both_databases! {
    async fn every_signed_in_role_reads_the_default_authorities(app) {
        for role in ["rep", "manager", "finance"] {
            let user = app.user(role, None, None).await;
            assert_eq!(app.get_ok(&user.token, AUTHORITIES).await, defaults(), "as {role}");
        }
        assert_eq!(app.get_ok(&app.admin_token, AUTHORITIES).await, defaults());
        app.get(AUTHORITIES).send().await.assert_problem(401, "unauthenticated");
    }

    async fn a_changed_authority_shows_in_the_list_reaches_the_use_case_and_is_audited(app) {
        let rep = app.user("rep", None, None).await;
        let res = set_authority(&app, &app.admin_token, "rep", json!({"max_discount_bps": 1500})).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body, json!({"role": "rep", "max_discount_bps": 1500, "is_default": false}));
        let listed = app.get_ok(&rep.token, AUTHORITIES).await;
        assert_eq!(listed["data"][2], res.body);
        assert_eq!(app.with_conn(|c| authority_of(c, Role::Rep)).expect("the authority"), Some(1500));
        assert_eq!(app.with_conn(|c| authority_of(c, Role::Manager)).expect("the default"), Some(2000));

        let events = items(&app.audit_trail(&app.admin_token, "discount_authority", "rep").await).clone();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0]["action"], "update");
        assert_eq!(events[0]["changes"]["max_discount_bps"], json!({"before": 1000, "after": 1500}));
        assert_eq!(events[0]["changes"]["is_default"], json!({"before": true, "after": false}));

        // Setting the default value again is the default again.
        let res = set_authority(&app, &app.admin_token, "rep", json!({"max_discount_bps": 1000})).await;
        assert_eq!(res.body, json!({"role": "rep", "max_discount_bps": 1000, "is_default": true}));
        assert_eq!(app.get_ok(&rep.token, AUTHORITIES).await, defaults());
    }

    async fn an_explicit_null_is_unlimited_but_a_missing_field_is_required(app) {
        let res = set_authority(&app, &app.admin_token, "manager", json!({})).await;
        res.assert_problem(422, "validation");
        assert_eq!(field_codes(&res), vec![("max_discount_bps".to_owned(), "required".to_owned())]);
        assert_eq!(app.get_ok(&app.admin_token, AUTHORITIES).await, defaults());

        let res = set_authority(&app, &app.admin_token, "manager", json!({"max_discount_bps": null})).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body, json!({"role": "manager", "max_discount_bps": null, "is_default": false}));
        assert_eq!(app.get_ok(&app.admin_token, AUTHORITIES).await["data"][1], res.body);
        assert_eq!(app.with_conn(|c| authority_of(c, Role::Manager)).expect("the authority"), None);
        // And a limit again, over the stored unlimited one.
        let res = set_authority(&app, &app.admin_token, "manager", json!({"max_discount_bps": 0})).await;
        assert_eq!(res.body["max_discount_bps"], 0);
        let events = items(&app.audit_trail(&app.admin_token, "discount_authority", "manager").await).clone();
        assert_eq!(events.len(), 2);
    }

    async fn an_authority_outside_0_to_10000_is_422_on_the_field_and_changes_nothing(app) {
        for (value, code) in [(json!(-1), "range"), (json!(10001), "range"), (json!("15%"), "invalid_type"), (json!(12.5), "invalid_type")] {
            let res = set_authority(&app, &app.admin_token, "rep", json!({"max_discount_bps": value})).await;
            res.assert_problem(422, "validation");
            assert_eq!(field_codes(&res), vec![("max_discount_bps".to_owned(), code.to_owned())], "{value}");
        }
        let res = set_authority(&app, &app.admin_token, "rep", json!({"max_discount_bps": 500, "role": "admin"})).await;
        assert_eq!(field_codes(&res), vec![("role".to_owned(), "unknown_field".to_owned())]);
        // The bounds themselves are allowed.
        for bound in [0, 10000] {
            let res = set_authority(&app, &app.admin_token, "finance", json!({"max_discount_bps": bound})).await;
            assert_eq!(res.status, 200, "{bound}: {}", res.body);
        }
        assert_eq!(app.get_ok(&app.admin_token, AUTHORITIES).await["data"][2], defaults()["data"][2]);
        assert!(items(&app.audit_trail(&app.admin_token, "discount_authority", "rep").await).is_empty());
    }

    async fn an_unknown_role_is_404(app) {
        set_authority(&app, &app.admin_token, "overlord", json!({"max_discount_bps": 100})).await.assert_problem(404, "not_found");
        set_authority(&app, &app.admin_token, "Rep", json!({"max_discount_bps": 100})).await.assert_problem(404, "not_found");
        assert_eq!(app.get_ok(&app.admin_token, AUTHORITIES).await, defaults());
    }

    async fn only_admins_set_an_authority(app) {
        for role in ["rep", "manager", "finance"] {
            let user = app.user(role, None, None).await;
            let res = set_authority(&app, &user.token, role, json!({"max_discount_bps": 10000})).await;
            res.assert_problem(403, "forbidden");
        }
        assert_eq!(app.get_ok(&app.admin_token, AUTHORITIES).await, defaults());
        for role in ["rep", "manager", "finance"] {
            assert!(items(&app.audit_trail(&app.admin_token, "discount_authority", role).await).is_empty());
        }
    }
}
