//! The caller cache: what a replica remembers of a token's user, role and scope.
//! Changes made through a replica apply to its very next request; another replica
//! applies them within `SALESOPS_AUTH_CACHE_SECONDS`, the revocation window.

use crate::both_databases;
use crate::fixtures::ids;
use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD};
use serde_json::json;
use std::time::Duration;

both_databases! {
    async fn a_token_is_refused_right_after_logout(app) {
        let token = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        for _ in 0..2 {
            assert_eq!(app.get("/api/v1/me").token(&token).send().await.status, 200);
        }
        assert_eq!(app.post("/api/v1/auth/logout").token(&token).send().await.status, 204);
        app.get("/api/v1/me").token(&token).send().await.assert_problem(401, "unauthenticated");
        app.get("/api/v1/leads").token(&token).send().await.assert_problem(401, "unauthenticated");
    }

    async fn a_user_is_refused_right_after_deactivation(app) {
        let rep = app.user("rep", None, None).await;
        assert_eq!(app.get("/api/v1/leads").token(&rep.token).send().await.status, 200);
        app.deactivate_user(&rep.id).await;
        app.get("/api/v1/leads").token(&rep.token).send().await.assert_problem(401, "unauthenticated");
    }

    async fn a_role_scope_change_applies_to_the_next_request(app) {
        let rep = app.user("rep", None, None).await;
        let lead = app.lead(&app.admin_token, json!({ "name": "Admin's lead" })).await;
        assert!(ids(&app.get_ok(&rep.token, "/api/v1/leads").await).is_empty());
        app.set_scope("rep", "all").await;
        assert_eq!(ids(&app.get_ok(&rep.token, "/api/v1/leads").await), vec![lead["id"].as_str().expect("id")]);
        let me = app.get_ok(&rep.token, "/api/v1/me").await;
        assert_eq!(me["effective_scope"], "all");
    }

    async fn a_move_to_another_department_applies_to_the_next_request(app) {
        let dept = app.department("Sales", None);
        let manager = app.user("manager", Some(&dept), None).await;
        let rep = app.user("rep", None, None).await;
        let lead = app.lead(&rep.token, json!({ "name": "Rep's lead" })).await;
        assert!(ids(&app.get_ok(&manager.token, "/api/v1/leads").await).is_empty());

        let res = app.patch(&format!("/api/v1/users/{}", rep.id)).token(&app.admin_token)
            .json(json!({ "department_id": dept })).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(ids(&app.get_ok(&manager.token, "/api/v1/leads").await), vec![lead["id"].as_str().expect("id")]);
    }

    async fn another_replica_refuses_a_logged_out_token_within_its_cache_window(app) {
        let window = Duration::from_secs(3);
        let replica = app.replica(|s| s.auth_cache_ttl = window).await;
        let uncached = app.replica(|s| s.auth_cache_ttl = Duration::ZERO).await;
        let token = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        assert_eq!(replica.get("/api/v1/me").token(&token).send().await.status, 200);
        assert_eq!(uncached.get("/api/v1/me").token(&token).send().await.status, 200);

        assert_eq!(app.post("/api/v1/auth/logout").token(&token).send().await.status, 204);
        app.get("/api/v1/me").token(&token).send().await.assert_problem(401, "unauthenticated");
        uncached.get("/api/v1/me").token(&token).send().await.assert_problem(401, "unauthenticated");
        // The replica that checked the token moments ago still trusts it: that is the window.
        assert_eq!(replica.get("/api/v1/me").token(&token).send().await.status, 200);
        actix_web::rt::time::sleep(window + Duration::from_millis(100)).await;
        replica.get("/api/v1/me").token(&token).send().await.assert_problem(401, "unauthenticated");
    }
}
