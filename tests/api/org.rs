//! The organisation: departments, users and their activation, and the data scope of each role.

use crate::both_databases;
use crate::fixtures::{id_of, ids, items, str_of};
use crate::helpers::{TestApp, TestResponse, USER_PASSWORD};
use serde_json::{json, Value};

const STRONG_PASSWORD: &str = "correct-horse-9";

async fn get_as_admin(app: &TestApp, path: &str) -> TestResponse {
    app.get(path).token(&app.admin_token).send().await
}

async fn department_count(app: &TestApp) -> usize {
    app.list_ids("/api/v1/departments?limit=200").await.len()
}

async fn user_count(app: &TestApp) -> usize {
    app.list_ids("/api/v1/users?limit=200").await.len()
}

async fn create_user(app: &TestApp, body: Value) -> TestResponse {
    app.post("/api/v1/users").token(&app.admin_token).json(body).send().await
}

/// The `(field, code)` pairs of a validation problem.
fn field_codes(res: &TestResponse) -> Vec<(String, String)> {
    let errors = res.body["errors"].as_array().cloned().unwrap_or_default();
    errors.iter().map(|e| (str_of(e, "field").to_owned(), str_of(e, "code").to_owned())).collect()
}

/// The audit events of one entity as the admin reads them, asserting 200.
async fn audit_events(app: &TestApp, entity_type: &str, entity_id: &str) -> Vec<Value> {
    items(&app.audit_trail(&app.admin_token, entity_type, entity_id).await).clone()
}

both_databases! {
    // ---- departments ----

    async fn create_department_returns_201_with_location_etag_and_the_record(app) {
        let head = app.user("manager", None, None).await;
        let res = app.post("/api/v1/departments").token(&app.admin_token).json(json!({"name": " 销售部 "})).send().await;
        let root = res.assert_created("/api/v1/departments");
        assert_eq!(res.body["name"], "销售部");
        assert_eq!(res.body["parent_id"], Value::Null);
        assert_eq!(res.body["version"], 1);
        let res = app.post("/api/v1/departments").token(&app.admin_token)
            .json(json!({"name": "华东大区", "parent_id": root, "head_user_id": head.id})).send().await;
        assert_eq!(res.status, 201, "{}", res.body);
        assert_eq!(res.body["parent_id"], root.as_str());
        assert_eq!(res.body["head_user_id"], head.id.as_str());
        let child = res.body.clone();
        let got = app.get(&format!("/api/v1/departments/{}", str_of(&child, "id"))).token(&head.token).send().await;
        assert_eq!(got.status, 200);
        assert_eq!(got.header("etag"), Some("W/\"1\""));
        assert_eq!(got.body, child);
        let children = get_as_admin(&app, &format!("/api/v1/departments?parent_id={root}")).await;
        assert_eq!(ids(&children.body), vec![id_of(&child)]);
    }

    async fn list_departments_pages_with_a_cursor_for_every_role(app) {
        let made: Vec<String> = ["A", "B", "C"].iter().map(|n| app.department(n, None)).collect();
        let rep = app.user("rep", None, None).await;
        let first = app.get("/api/v1/departments?limit=2").token(&rep.token).send().await;
        assert_eq!(first.status, 200, "{}", first.body);
        assert_eq!(ids(&first.body), made[..2].to_vec());
        let cursor = first.body["next_cursor"].as_str().expect("a next page").to_owned();
        let second = app.get(&format!("/api/v1/departments?limit=2&cursor={cursor}")).token(&rep.token).send().await;
        assert_eq!(ids(&second.body), made[2..].to_vec());
        assert_eq!(second.body["next_cursor"], Value::Null);
        app.get("/api/v1/departments?cursor=garbage").token(&rep.token).send().await.assert_problem(400, "bad_request");
        app.get("/api/v1/departments?limit=0").token(&rep.token).send().await.assert_problem(400, "bad_request");
        app.get("/api/v1/departments").send().await.assert_problem(401, "unauthenticated");
    }

    async fn create_department_fails_with_field_errors_and_creates_nothing(app) {
        let inactive = app.user("manager", None, None).await;
        app.deactivate_user(&inactive.id).await;
        let cases = [
            (json!({"name": "X", "parent_id": "no-such-department"}), "parent_id"),
            (json!({"name": "X", "head_user_id": "no-such-user"}), "head_user_id"),
            (json!({"name": "X", "head_user_id": inactive.id}), "head_user_id"),
            (json!({"name": "   "}), "name"),
            (json!({}), "name"),
            (json!({"name": "X", "colour": "red"}), "colour"),
        ];
        for (body, field) in cases {
            let res = app.post("/api/v1/departments").token(&app.admin_token).json(body.clone()).send().await;
            res.assert_problem(422, "validation");
            assert_eq!(res.error_fields(), vec![field], "for {body}");
        }
        assert_eq!(department_count(&app).await, 0);
    }

    async fn get_department_is_404_when_absent(app) {
        get_as_admin(&app, "/api/v1/departments/no-such-id").await.assert_problem(404, "not_found");
    }

    async fn update_department_renames_moves_and_bumps_the_version(app) {
        let a = app.department("A", None);
        let b = app.department("B", None);
        let head = app.user("manager", Some(&b), None).await;
        let res = app.patch(&format!("/api/v1/departments/{b}")).token(&app.admin_token)
            .header("if-match", "W/\"1\"")
            .json(json!({"name": "B2", "parent_id": a, "head_user_id": head.id})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.header("etag"), Some("W/\"2\""));
        assert_eq!(res.body["name"], "B2");
        assert_eq!(res.body["parent_id"], a.as_str());
        assert_eq!(res.body["head_user_id"], head.id.as_str());
        // `null` clears; absent fields stay.
        let res = app.patch(&format!("/api/v1/departments/{b}")).token(&app.admin_token)
            .json(json!({"parent_id": null})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["parent_id"], Value::Null);
        assert_eq!(res.body["name"], "B2");
        assert_eq!(res.body["head_user_id"], head.id.as_str());
        assert_eq!(res.body["version"], 3);
        let res = app.patch(&format!("/api/v1/departments/{b}")).token(&app.admin_token)
            .json(json!({"name": null})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["name"]);
        let res = app.patch(&format!("/api/v1/departments/{b}")).token(&app.admin_token)
            .json(json!({"parent_id": "no-such-department"})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["parent_id"]);
        assert_eq!(get_as_admin(&app, &format!("/api/v1/departments/{b}")).await.body["version"], 3);
    }

    async fn moving_a_department_under_itself_or_a_descendant_is_refused_and_changes_nothing(app) {
        let root = app.department("Root", None);
        let child = app.department("Child", Some(&root));
        let grandchild = app.department("Grandchild", Some(&child));
        let before = get_as_admin(&app, &format!("/api/v1/departments/{root}")).await.body;
        for target in [&grandchild, &child, &root] {
            let res = app.patch(&format!("/api/v1/departments/{root}")).token(&app.admin_token)
                .json(json!({"parent_id": target, "name": "Renamed"})).send().await;
            res.assert_problem(409, "invalid_transition");
        }
        assert_eq!(get_as_admin(&app, &format!("/api/v1/departments/{root}")).await.body, before);
        assert_eq!(audit_events(&app, "department", &root).await.len(), 0);
        // Moving a leaf elsewhere is fine.
        let res = app.patch(&format!("/api/v1/departments/{grandchild}")).token(&app.admin_token)
            .json(json!({"parent_id": root})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
    }

    async fn concurrent_opposite_moves_cannot_make_a_department_cycle(app) {
        for _ in 0..3 {
            let a = app.department("A", None);
            let b = app.department("B", None);
            let (one, two) = futures_util::future::join(
                app.patch(&format!("/api/v1/departments/{a}")).token(&app.admin_token).json(json!({"parent_id": b})).send(),
                app.patch(&format!("/api/v1/departments/{b}")).token(&app.admin_token).json(json!({"parent_id": a})).send(),
            )
            .await;
            let mut statuses = vec![one.status.as_u16(), two.status.as_u16()];
            statuses.sort();
            assert_eq!(statuses, vec![200, 409], "{} / {}", one.body, two.body);
            let a_parent = get_as_admin(&app, &format!("/api/v1/departments/{a}")).await.body["parent_id"].clone();
            let b_parent = get_as_admin(&app, &format!("/api/v1/departments/{b}")).await.body["parent_id"].clone();
            assert!(a_parent.is_null() || b_parent.is_null(), "a cycle: {a_parent} / {b_parent}");
        }
    }

    async fn update_department_with_a_stale_if_match_gets_412_and_changes_nothing(app) {
        let d = app.department("A", None);
        let ok = app.patch(&format!("/api/v1/departments/{d}")).token(&app.admin_token)
            .header("if-match", "W/\"1\"").json(json!({"name": "B"})).send().await;
        assert_eq!(ok.status, 200, "{}", ok.body);
        let stale = app.patch(&format!("/api/v1/departments/{d}")).token(&app.admin_token)
            .header("if-match", "W/\"1\"").json(json!({"name": "C"})).send().await;
        stale.assert_problem(412, "precondition_failed");
        let stale = app.delete(&format!("/api/v1/departments/{d}")).token(&app.admin_token)
            .header("if-match", "W/\"1\"").send().await;
        stale.assert_problem(412, "precondition_failed");
        let got = get_as_admin(&app, &format!("/api/v1/departments/{d}")).await;
        assert_eq!(got.body["name"], "B");
        assert_eq!(got.header("etag"), Some("W/\"2\""));
    }

    async fn deleting_a_department_in_use_is_refused_and_changes_nothing(app) {
        let parent = app.department("Parent", None);
        let _child = app.department("Child", Some(&parent));
        let staffed = app.department("Staffed", None);
        let member = app.user("rep", Some(&staffed), None).await;
        for d in [&parent, &staffed] {
            let before = get_as_admin(&app, &format!("/api/v1/departments/{d}")).await.body;
            app.delete(&format!("/api/v1/departments/{d}")).token(&app.admin_token).send().await.assert_problem(409, "conflict");
            assert_eq!(get_as_admin(&app, &format!("/api/v1/departments/{d}")).await.body, before);
        }
        assert_eq!(department_count(&app).await, 3);
        // Once its only member is deactivated, the department is no longer in use.
        app.deactivate_user(&member.id).await;
        let res = app.delete(&format!("/api/v1/departments/{staffed}")).token(&app.admin_token).send().await;
        assert_eq!(res.status, 204, "{}", res.body);
    }

    async fn a_department_deleted_while_a_child_or_member_is_added_is_never_left_in_use(app) {
        for _ in 0..3 {
            let d = app.department("Contested", None);
            let n = uuid::Uuid::new_v4().simple().to_string();
            let (deleted, child, member) = futures_util::future::join3(
                app.delete(&format!("/api/v1/departments/{d}")).token(&app.admin_token).send(),
                app.post("/api/v1/departments").token(&app.admin_token).json(json!({"name": "Child", "parent_id": d})).send(),
                create_user(&app, json!({"email": format!("{n}@test.local"), "name": "M", "password": STRONG_PASSWORD, "role": "rep", "department_id": d})),
            )
            .await;
            if deleted.status == 204 {
                assert_eq!((child.status.as_u16(), member.status.as_u16()), (422, 422), "{} / {}", child.body, member.body);
            } else {
                deleted.assert_problem(409, "conflict");
                assert!(child.status == 201 || member.status == 201, "{} / {}", child.body, member.body);
            }
        }
    }

    async fn delete_department_hides_it_and_it_can_no_longer_be_used(app) {
        let d = app.department("Gone", None);
        let res = app.delete(&format!("/api/v1/departments/{d}")).token(&app.admin_token).send().await;
        assert_eq!(res.status, 204, "{}", res.body);
        get_as_admin(&app, &format!("/api/v1/departments/{d}")).await.assert_problem(404, "not_found");
        assert_eq!(department_count(&app).await, 0);
        app.patch(&format!("/api/v1/departments/{d}")).token(&app.admin_token).json(json!({"name": "x"})).send().await
            .assert_problem(404, "not_found");
        app.delete(&format!("/api/v1/departments/{d}")).token(&app.admin_token).send().await.assert_problem(404, "not_found");
        let res = app.post("/api/v1/departments").token(&app.admin_token).json(json!({"name": "Child", "parent_id": d})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["parent_id"]);
        let res = create_user(&app, json!({"email": "x@test.local", "name": "X", "password": STRONG_PASSWORD, "role": "rep", "department_id": d})).await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["department_id"]);
    }

    async fn a_department_patch_is_held_to_the_create_rules_and_changes_nothing(app) {
        let parent = app.department("Parent", None);
        let d = app.department("D", Some(&parent));
        let path = format!("/api/v1/departments/{d}");
        let before = get_as_admin(&app, &path).await.body;
        let cases = [
            (json!({"name": "   "}), ("name", "required")),
            (json!({"name": null}), ("name", "required")),
            (json!({"name": "x".repeat(201)}), ("name", "length")),
            (json!({"parent_id": "x".repeat(37)}), ("parent_id", "length")),
            (json!({"head_user_id": "x".repeat(37)}), ("head_user_id", "length")),
        ];
        for (body, (field, code)) in cases {
            let res = app.patch(&path).token(&app.admin_token).json(body.clone()).send().await;
            res.assert_problem(422, "validation");
            assert_eq!(field_codes(&res), vec![(field.to_owned(), code.to_owned())], "for {body}");
        }
        assert_eq!(get_as_admin(&app, &path).await.body, before);
        // A blank name on create is one `required` error, as on a patch.
        let res = app.post("/api/v1/departments").token(&app.admin_token).json(json!({"name": ""})).send().await;
        assert_eq!(field_codes(&res), vec![("name".to_owned(), "required".to_owned())]);
        // The longest name allowed, and surrounding blanks trimmed as on create.
        let res = app.patch(&path).token(&app.admin_token).json(json!({"name": format!("  {}  ", "x".repeat(200))})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["name"], "x".repeat(200));
        assert_eq!(res.body["parent_id"], parent.as_str());
    }

    async fn department_changes_are_audited(app) {
        let res = app.post("/api/v1/departments").token(&app.admin_token).json(json!({"name": "A"})).send().await;
        let id = id_of(&res.body);
        app.patch(&format!("/api/v1/departments/{id}")).token(&app.admin_token).json(json!({"name": "B"})).send().await;
        app.delete(&format!("/api/v1/departments/{id}")).token(&app.admin_token).send().await;
        let events = audit_events(&app, "department", &id).await;
        let actions: Vec<&str> = events.iter().map(|e| e["action"].as_str().expect("action")).collect();
        assert_eq!(actions, vec!["create", "update", "delete"]);
        assert_eq!(events[1]["changes"]["name"], json!({"before": "A", "after": "B"}));
        assert!(events[2]["changes"].get("deleted_at").is_none(), "the DTO has no deleted_at; the action says it");
    }

    // ---- users ----

    async fn create_user_returns_201_and_the_user_can_log_in(app) {
        let dept = app.department("Sales", None);
        let manager = app.user("manager", Some(&dept), None).await;
        let res = create_user(&app, json!({
            "email": "Li.Lei@Example.CN", "name": " 李雷 ", "password": STRONG_PASSWORD, "role": "rep",
            "department_id": dept, "manager_id": manager.id, "phone": "+86 139 1234 5678"
        })).await;
        let id = res.assert_created("/api/v1/users");
        assert_eq!(res.body["email"], "li.lei@example.cn");
        assert_eq!(res.body["name"], "李雷");
        assert_eq!(res.body["role"], "rep");
        assert_eq!(res.body["department_id"], dept.as_str());
        assert_eq!(res.body["manager_id"], manager.id.as_str());
        assert_eq!(res.body["active"], true);
        assert!(res.body.get("password").is_none() && res.body.get("password_hash").is_none());
        let got = app.get(&format!("/api/v1/users/{id}")).token(&manager.token).send().await;
        assert_eq!(got.status, 200);
        assert_eq!(got.header("etag"), Some("W/\"1\""));
        assert_eq!(got.body, res.body);
        let token = app.login("LI.LEI@example.cn", STRONG_PASSWORD).await;
        let me = app.get("/api/v1/me").token(&token).send().await;
        assert_eq!(me.body["id"], id.as_str());
        assert_eq!(me.body["effective_scope"], "self");
    }

    async fn create_user_fails_with_field_errors_and_creates_nothing(app) {
        let before = user_count(&app).await;
        let res = create_user(&app, json!({"email": "not-an-email", "name": " ", "password": "short1", "role": "rep"})).await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["email", "name", "password"]);
        let inactive = app.user("manager", None, None).await;
        app.deactivate_user(&inactive.id).await;
        let base = json!({"email": "x@test.local", "name": "X", "password": STRONG_PASSWORD, "role": "rep"});
        let with = |k: &str, v: Value| {
            let mut b = base.clone();
            b[k] = v;
            b
        };
        let cases = [
            (with("password", json!("onlyletterspassword")), "password"),
            (with("password", json!("a1".repeat(65))), "password"),
            (with("role", json!("overlord")), "role"),
            (with("department_id", json!("no-such-department")), "department_id"),
            (with("manager_id", json!("no-such-user")), "manager_id"),
            (with("manager_id", json!(inactive.id)), "manager_id"),
            (with("phone", json!("call me maybe")), "phone"),
            (with("password_hash", json!("$argon2id$...")), "password_hash"),
        ];
        for (body, field) in cases {
            let res = create_user(&app, body.clone()).await;
            res.assert_problem(422, "validation");
            assert_eq!(res.error_fields(), vec![field], "for {body}");
        }
        let res = create_user(&app, json!({"email": "x@test.local", "name": "X", "role": "rep"})).await;
        assert_eq!(res.error_fields(), vec!["password"]);
        assert_eq!(user_count(&app).await, before + 1, "only the fixture user was added");
    }

    async fn create_user_fails_when_email_is_taken(app) {
        let body = json!({"email": "dup@test.local", "name": "First", "password": STRONG_PASSWORD, "role": "rep"});
        assert_eq!(create_user(&app, body).await.status, 201);
        let before = user_count(&app).await;
        let res = create_user(&app, json!({"email": "DUP@Test.Local", "name": "Second", "password": STRONG_PASSWORD, "role": "manager"})).await;
        res.assert_problem(409, "conflict");
        assert!(!res.body["detail"].as_str().expect("detail").contains("users_email"), "no database text: {}", res.body);
        assert_eq!(user_count(&app).await, before);
        let found = get_as_admin(&app, "/api/v1/users?q=dup@").await;
        assert_eq!(items(&found.body).len(), 1);
        assert_eq!(found.body["data"][0]["name"], "First");
    }

    async fn list_users_filters_by_role_department_activity_and_text(app) {
        let east = app.department("East", None);
        let west = app.department("West", None);
        let a = app.user("rep", Some(&east), None).await;
        let b = app.user("rep", Some(&west), None).await;
        let m = app.user("manager", Some(&east), None).await;
        app.deactivate_user(&b.id).await;
        let rep_token = a.token.clone();
        let list = |q: &str| app.get(&format!("/api/v1/users?{q}")).token(&rep_token).send();
        assert_eq!(ids(&list("role=rep").await.body), vec![a.id.clone(), b.id.clone()]);
        assert_eq!(ids(&list(&format!("department_id={east}")).await.body), vec![a.id.clone(), m.id.clone()]);
        assert_eq!(ids(&list("active=false").await.body), vec![b.id.clone()]);
        assert_eq!(ids(&list("role=rep&active=true").await.body), vec![a.id.clone()]);
        assert_eq!(ids(&list(&format!("q={}", &m.email[..14].to_uppercase())).await.body), vec![m.id.clone()]);
        assert_eq!(ids(&list("q=TEST%20MANAGER").await.body), vec![m.id.clone()]);
        let page = list("limit=2").await;
        assert_eq!(items(&page.body).len(), 2);
        let cursor = page.body["next_cursor"].as_str().expect("more").to_owned();
        let rest = list(&format!("limit=2&cursor={cursor}")).await;
        assert_eq!(ids(&rest.body).len(), 2, "four users in all, the admin included");
        list("role=overlord").await.assert_problem(400, "bad_request");
        list("active=maybe").await.assert_problem(400, "bad_request");
    }

    async fn get_user_is_404_when_absent(app) {
        get_as_admin(&app, "/api/v1/users/no-such-id").await.assert_problem(404, "not_found");
    }

    async fn update_user_changes_name_phone_role_department_and_manager(app) {
        let east = app.department("East", None);
        let west = app.department("West", None);
        let boss = app.user("manager", Some(&west), None).await;
        let rep = app.user("rep", Some(&east), None).await;
        let res = app.patch(&format!("/api/v1/users/{}", rep.id)).token(&app.admin_token)
            .header("if-match", "W/\"1\"")
            .json(json!({"name": "韩梅梅", "phone": "13800138000", "role": "manager", "department_id": west, "manager_id": boss.id}))
            .send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.header("etag"), Some("W/\"2\""));
        assert_eq!(res.body["name"], "韩梅梅");
        assert_eq!(res.body["phone"], "13800138000");
        assert_eq!(res.body["role"], "manager");
        assert_eq!(res.body["department_id"], west.as_str());
        assert_eq!(res.body["manager_id"], boss.id.as_str());
        assert_eq!(res.body["email"], rep.email.as_str());
        // The new role applies at once, to the token already issued.
        let me = app.get("/api/v1/me").token(&rep.token).send().await;
        assert_eq!(me.body["role"], "manager");
        assert_eq!(me.body["effective_scope"], "department_tree");
        let res = app.patch(&format!("/api/v1/users/{}", rep.id)).token(&app.admin_token)
            .json(json!({"phone": null, "manager_id": null, "department_id": null})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["phone"], Value::Null);
        assert_eq!(res.body["manager_id"], Value::Null);
        assert_eq!(res.body["department_id"], Value::Null);
        assert_eq!(res.body["version"], 3);
        // The password still works: a patch never touches it.
        app.login(&rep.email, USER_PASSWORD).await;
    }

    async fn update_user_refuses_bad_fields_and_changes_nothing(app) {
        let rep = app.user("rep", None, None).await;
        let path = format!("/api/v1/users/{}", rep.id);
        let cases = [
            (json!({"name": null}), "name"),
            (json!({"role": null}), "role"),
            (json!({"role": "overlord"}), "role"),
            (json!({"email": "new@test.local"}), "email"),
            (json!({"active": false}), "active"),
            (json!({"department_id": "no-such-department"}), "department_id"),
            (json!({"manager_id": "no-such-user"}), "manager_id"),
            (json!({"phone": "call me"}), "phone"),
        ];
        for (body, field) in cases {
            let res = app.patch(&path).token(&app.admin_token).json(body.clone()).send().await;
            res.assert_problem(422, "validation");
            assert_eq!(res.error_fields(), vec![field], "for {body}");
        }
        let got = get_as_admin(&app, &path).await;
        assert_eq!(got.body["version"], 1);
        app.patch("/api/v1/users/no-such-id").token(&app.admin_token).json(json!({"name": "x"})).send().await
            .assert_problem(404, "not_found");
    }

    async fn a_blank_user_name_is_required_on_create_and_patch_and_a_long_one_is_too_long(app) {
        let res = create_user(&app, json!({"email": "blank@test.local", "name": "", "password": STRONG_PASSWORD, "role": "rep"})).await;
        res.assert_problem(422, "validation");
        assert_eq!(field_codes(&res), vec![("name".to_owned(), "required".to_owned())]);
        let rep = app.user("rep", None, None).await;
        let path = format!("/api/v1/users/{}", rep.id);
        let cases = [
            (json!({"name": "  "}), ("name", "required")),
            (json!({"name": "x".repeat(201)}), ("name", "length")),
            (json!({"department_id": "x".repeat(37)}), ("department_id", "length")),
        ];
        for (body, (field, code)) in cases {
            let res = app.patch(&path).token(&app.admin_token).json(body.clone()).send().await;
            res.assert_problem(422, "validation");
            assert_eq!(field_codes(&res), vec![(field.to_owned(), code.to_owned())], "for {body}");
        }
        assert_eq!(get_as_admin(&app, &path).await.body["version"], 1);
    }

    async fn update_user_refuses_a_manager_loop_and_changes_nothing(app) {
        let top = app.user("manager", None, None).await;
        let middle = app.user("manager", None, Some(&top.id)).await;
        let bottom = app.user("rep", None, Some(&middle.id)).await;
        let before = get_as_admin(&app, &format!("/api/v1/users/{}", top.id)).await.body;
        for manager in [&bottom.id, &middle.id, &top.id] {
            let res = app.patch(&format!("/api/v1/users/{}", top.id)).token(&app.admin_token)
                .json(json!({"manager_id": manager, "name": "Renamed"})).send().await;
            res.assert_problem(422, "validation");
            assert_eq!(res.error_fields(), vec!["manager_id"]);
        }
        assert_eq!(get_as_admin(&app, &format!("/api/v1/users/{}", top.id)).await.body, before);
        // Sideways is fine: bottom may report to top directly.
        let res = app.patch(&format!("/api/v1/users/{}", bottom.id)).token(&app.admin_token)
            .json(json!({"manager_id": top.id})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
    }

    async fn concurrent_opposite_manager_changes_cannot_make_a_reporting_loop(app) {
        for _ in 0..3 {
            let a = app.user("manager", None, None).await;
            let b = app.user("manager", None, None).await;
            let (one, two) = futures_util::future::join(
                app.patch(&format!("/api/v1/users/{}", a.id)).token(&app.admin_token).json(json!({"manager_id": b.id})).send(),
                app.patch(&format!("/api/v1/users/{}", b.id)).token(&app.admin_token).json(json!({"manager_id": a.id})).send(),
            )
            .await;
            let mut statuses = vec![one.status.as_u16(), two.status.as_u16()];
            statuses.sort();
            assert_eq!(statuses, vec![200, 422], "{} / {}", one.body, two.body);
            let a_manager = get_as_admin(&app, &format!("/api/v1/users/{}", a.id)).await.body["manager_id"].clone();
            let b_manager = get_as_admin(&app, &format!("/api/v1/users/{}", b.id)).await.body["manager_id"].clone();
            assert!(a_manager.is_null() || b_manager.is_null(), "a loop: {a_manager} / {b_manager}");
        }
    }

    async fn update_user_with_a_stale_if_match_gets_412_and_changes_nothing(app) {
        let rep = app.user("rep", None, None).await;
        let path = format!("/api/v1/users/{}", rep.id);
        let ok = app.patch(&path).token(&app.admin_token).header("if-match", "W/\"1\"").json(json!({"name": "A"})).send().await;
        assert_eq!(ok.status, 200, "{}", ok.body);
        let stale = app.patch(&path).token(&app.admin_token).header("if-match", "W/\"1\"").json(json!({"name": "B"})).send().await;
        stale.assert_problem(412, "precondition_failed");
        let stale = app.post(&format!("{path}/deactivate")).token(&app.admin_token).header("if-match", "W/\"1\"").send().await;
        stale.assert_problem(412, "precondition_failed");
        let got = get_as_admin(&app, &path).await;
        assert_eq!(got.body["name"], "A");
        assert_eq!(got.body["active"], true);
        assert_eq!(got.header("etag"), Some("W/\"2\""));
    }

    async fn an_admin_cannot_change_their_own_role_and_nothing_changes(app) {
        let me = get_as_admin(&app, "/api/v1/me").await.body;
        let id = str_of(&me, "id");
        let before = get_as_admin(&app, &format!("/api/v1/users/{id}")).await.body;
        let res = app.patch(&format!("/api/v1/users/{id}")).token(&app.admin_token).json(json!({"role": "rep", "name": "X"})).send().await;
        res.assert_problem(409, "invalid_transition");
        assert_eq!(get_as_admin(&app, &format!("/api/v1/users/{id}")).await.body, before);
        // Other fields of one's own record can change.
        let res = app.patch(&format!("/api/v1/users/{id}")).token(&app.admin_token).json(json!({"name": "The Admin", "role": "admin"})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
    }

    async fn a_deactivated_user_cannot_log_in_and_their_tokens_stop_working(app) {
        let rep = app.user("rep", None, None).await;
        let session = app.post("/api/v1/auth/login").json(json!({"email": rep.email, "password": USER_PASSWORD})).send().await;
        let refresh = session.body["refresh_token"].as_str().expect("refresh").to_owned();
        assert_eq!(app.get("/api/v1/me").token(&rep.token).send().await.status, 200);
        let res = app.post(&format!("/api/v1/users/{}/deactivate", rep.id)).token(&app.admin_token).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["active"], false);
        assert_eq!(res.header("etag"), Some("W/\"2\""));
        app.get("/api/v1/me").token(&rep.token).send().await.assert_problem(401, "unauthenticated");
        app.post("/api/v1/auth/login").json(json!({"email": rep.email, "password": USER_PASSWORD})).send().await
            .assert_problem(401, "unauthenticated");
        app.post("/api/v1/auth/refresh").json(json!({"refresh_token": refresh})).send().await
            .assert_problem(401, "unauthenticated");
        // The record stays, readable and listed as inactive.
        let got = get_as_admin(&app, &format!("/api/v1/users/{}", rep.id)).await;
        assert_eq!(got.body["active"], false);
        let res = app.post(&format!("/api/v1/users/{}/reactivate", rep.id)).token(&app.admin_token).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["active"], true);
        let token = app.login(&rep.email, USER_PASSWORD).await;
        assert_eq!(app.get("/api/v1/me").token(&token).send().await.status, 200);
        // The revoked refresh token stays revoked.
        app.post("/api/v1/auth/refresh").json(json!({"refresh_token": refresh})).send().await
            .assert_problem(401, "unauthenticated");
    }

    async fn deactivating_yourself_is_refused_and_changes_nothing(app) {
        let me = get_as_admin(&app, "/api/v1/me").await.body;
        let id = str_of(&me, "id");
        let res = app.post(&format!("/api/v1/users/{id}/deactivate")).token(&app.admin_token).send().await;
        res.assert_problem(409, "invalid_transition");
        let got = get_as_admin(&app, &format!("/api/v1/users/{id}")).await;
        assert_eq!(got.status, 200, "the admin's token still works");
        assert_eq!(got.body["active"], true);
        assert_eq!(got.body["version"], me["version"]);
    }

    async fn deactivating_twice_or_reactivating_an_active_user_is_refused_and_changes_nothing(app) {
        let rep = app.user("rep", None, None).await;
        let path = format!("/api/v1/users/{}", rep.id);
        app.post(&format!("{path}/reactivate")).token(&app.admin_token).send().await.assert_problem(409, "invalid_transition");
        let got = get_as_admin(&app, &path).await;
        assert_eq!((got.body["active"].clone(), got.body["version"].clone()), (json!(true), json!(1)));
        assert_eq!(app.post(&format!("{path}/deactivate")).token(&app.admin_token).send().await.status, 200);
        app.post(&format!("{path}/deactivate")).token(&app.admin_token).send().await.assert_problem(409, "invalid_transition");
        let got = get_as_admin(&app, &path).await;
        assert_eq!((got.body["active"].clone(), got.body["version"].clone()), (json!(false), json!(2)));
        app.post("/api/v1/users/no-such-id/deactivate").token(&app.admin_token).send().await.assert_problem(404, "not_found");
        let actions: Vec<Value> = audit_events(&app, "user", &rep.id).await.into_iter().map(|e| e["action"].clone()).collect();
        assert_eq!(actions, vec![json!("deactivate")]);
    }

    async fn creating_a_user_writes_an_audit_event_without_the_password(app) {
        let res = create_user(&app, json!({"email": "audited@test.local", "name": "A", "password": STRONG_PASSWORD, "role": "finance"})).await;
        assert_eq!(res.status, 201, "{}", res.body);
        let id = id_of(&res.body);
        app.patch(&format!("/api/v1/users/{id}")).token(&app.admin_token).json(json!({"name": "B"})).send().await;
        let events = audit_events(&app, "user", &id).await;
        assert_eq!(events.len(), 2);
        let admin_id = get_as_admin(&app, "/api/v1/me").await.body["id"].clone();
        assert_eq!(events[0]["action"], "create");
        assert_eq!(events[0]["actor_id"], admin_id);
        assert_eq!(events[0]["entity_type"], "user");
        assert_eq!(events[0]["changes"]["email"], json!({"before": null, "after": "audited@test.local"}));
        assert_eq!(events[0]["changes"]["role"]["after"], "finance");
        assert!(events[0]["request_id"].as_str().is_some_and(|r| !r.is_empty()));
        assert_eq!(events[1]["action"], "update");
        assert_eq!(events[1]["changes"], json!({"name": {"before": "A", "after": "B"}}));
        let text = serde_json::to_string(&events).expect("json");
        assert!(!text.contains("password") && !text.contains("argon2") && !text.contains(STRONG_PASSWORD), "{text}");
    }

    // ---- role scopes ----

    async fn list_role_scopes_shows_every_role_with_its_scope(app) {
        let res = get_as_admin(&app, "/api/v1/role-scopes").await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body, json!({"data": [
            {"role": "admin", "scope": "all", "is_default": true},
            {"role": "manager", "scope": "department_tree", "is_default": true},
            {"role": "rep", "scope": "self", "is_default": true},
            {"role": "finance", "scope": "all", "is_default": true},
        ]}));
        let res = app.put("/api/v1/role-scopes/manager").token(&app.admin_token).json(json!({"scope": "self_and_subordinates"})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body, json!({"role": "manager", "scope": "self_and_subordinates", "is_default": false}));
        let res = get_as_admin(&app, "/api/v1/role-scopes").await;
        assert_eq!(res.body["data"][1], json!({"role": "manager", "scope": "self_and_subordinates", "is_default": false}));
    }

    async fn setting_the_rep_scope_to_department_lets_a_rep_see_a_colleagues_lead(app) {
        let dept = app.department("East", None);
        let other = app.department("West", None);
        let author = app.user("rep", Some(&dept), None).await;
        let colleague = app.user("rep", Some(&dept), None).await;
        let outsider = app.user("rep", Some(&other), None).await;
        let lead = app.lead(&author.token, json!({"name": "王芳", "company": "明远科技"})).await;
        let path = format!("/api/v1/leads/{}", str_of(&lead, "id"));
        app.get(&path).token(&colleague.token).send().await.assert_problem(404, "not_found");
        let res = app.put("/api/v1/role-scopes/rep").token(&app.admin_token).json(json!({"scope": "department"})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body, json!({"role": "rep", "scope": "department", "is_default": false}));
        let seen = app.get(&path).token(&colleague.token).send().await;
        assert_eq!(seen.status, 200, "{}", seen.body);
        assert_eq!(seen.body["id"], lead["id"]);
        app.get(&path).token(&outsider.token).send().await.assert_problem(404, "not_found");
        assert_eq!(app.get("/api/v1/me").token(&colleague.token).send().await.body["effective_scope"], "department");
        let events = audit_events(&app, "role_scope", "rep").await;
        assert_eq!(events.len(), 1);
        assert_eq!(events[0]["action"], "update");
        assert_eq!(events[0]["changes"]["scope"], json!({"before": "self", "after": "department"}));
        // Setting it back restores the default.
        let res = app.put("/api/v1/role-scopes/rep").token(&app.admin_token).json(json!({"scope": "self"})).send().await;
        assert_eq!(res.body["is_default"], true);
        app.get(&path).token(&colleague.token).send().await.assert_problem(404, "not_found");
    }

    async fn set_role_scope_refuses_an_unknown_role_or_scope_and_changes_nothing(app) {
        let res = app.put("/api/v1/role-scopes/overlord").token(&app.admin_token).json(json!({"scope": "all"})).send().await;
        res.assert_problem(404, "not_found");
        let res = app.put("/api/v1/role-scopes/rep").token(&app.admin_token).json(json!({"scope": "everything"})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["scope"]);
        let res = app.put("/api/v1/role-scopes/rep").token(&app.admin_token).json(json!({})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(get_as_admin(&app, "/api/v1/role-scopes").await.body["data"][2]["scope"], "self");
        assert_eq!(audit_events(&app, "role_scope", "rep").await.len(), 0);
    }

    // ---- permissions ----

    async fn a_rep_gets_403_on_every_admin_operation_and_nothing_changes(app) {
        let dept = app.department("East", None);
        let rep = app.user("rep", Some(&dept), None).await;
        let manager = app.user("manager", Some(&dept), None).await;
        let other = app.user("rep", None, None).await;
        let attempts: Vec<(&str, String, Option<Value>)> = vec![
            ("POST", "/api/v1/departments".into(), Some(json!({"name": "X"}))),
            ("PATCH", format!("/api/v1/departments/{dept}"), Some(json!({"name": "X"}))),
            ("DELETE", format!("/api/v1/departments/{dept}"), None),
            ("POST", "/api/v1/users".into(), Some(json!({"email": "x@test.local", "name": "X", "password": STRONG_PASSWORD, "role": "admin"}))),
            ("PATCH", format!("/api/v1/users/{}", rep.id), Some(json!({"role": "admin"}))),
            ("PATCH", format!("/api/v1/users/{}", other.id), Some(json!({"name": "X"}))),
            ("POST", format!("/api/v1/users/{}/deactivate", other.id), None),
            ("POST", format!("/api/v1/users/{}/reactivate", other.id), None),
            ("GET", "/api/v1/role-scopes".into(), None),
            ("PUT", "/api/v1/role-scopes/rep".into(), Some(json!({"scope": "all"}))),
        ];
        for token in [&rep.token, &manager.token] {
            for (method, path, body) in &attempts {
                let res = app.request(method.parse().expect("method"), path).token(token).maybe_json(body.clone()).send().await;
                assert_eq!(res.status, 403, "{method} {path}: {}", res.body);
                res.assert_problem(403, "forbidden");
            }
        }
        assert_eq!(department_count(&app).await, 1);
        assert_eq!(get_as_admin(&app, &format!("/api/v1/departments/{dept}")).await.body["version"], 1);
        for u in [&rep, &other] {
            let got = get_as_admin(&app, &format!("/api/v1/users/{}", u.id)).await.body;
            assert_eq!((got["version"].clone(), got["active"].clone(), got["role"].clone()), (json!(1), json!(true), json!("rep")));
        }
        assert_eq!(user_count(&app).await, 4);
        assert_eq!(app.get("/api/v1/me").token(&rep.token).send().await.body["effective_scope"], "self");
        // Reads are open to everyone signed in.
        assert_eq!(app.get(&format!("/api/v1/users/{}", other.id)).token(&rep.token).send().await.status, 200);
        assert_eq!(app.get(&format!("/api/v1/departments/{dept}")).token(&rep.token).send().await.status, 200);
    }

    async fn an_unknown_stored_scope_is_an_internal_error_not_the_roles_default(app) {
        let rep = app.user("rep", None, None).await;
        let res = app.put("/api/v1/role-scopes/rep").token(&app.admin_token).json(json!({"scope": "department"})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        app.store_raw_word("UPDATE role_scopes SET scope = $1 WHERE role = $2", "everything", "rep");

        // Before, an unreadable scope silently fell back to the role's default.
        app.get("/api/v1/leads").token(&rep.token).send().await.assert_problem(500, "internal");
        get_as_admin(&app, "/api/v1/role-scopes").await.assert_problem(500, "internal");
    }
}
