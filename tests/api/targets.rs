//! Sales targets: setting, reading, changing and deleting them within each role's scope,
//! every refusal (which leaves everything as it was), and the breakdown to the children.

use crate::both_databases;
use crate::fixtures::{id_of, ids};
use crate::helpers::TestApp;
use serde_json::{json, Value};

const YEAR: i32 = 2027;

/// Twelve CNY months of `amount` each.
fn flat(amount: i64) -> Value {
    months(&[amount; 12])
}

/// The CNY months `amounts`.
fn months(amounts: &[i64]) -> Value {
    Value::Array(amounts.iter().map(|a| json!({ "amount": a, "currency": "CNY" })).collect())
}

fn body(subject_type: &str, id: Option<&str>, metric: &str, months: Value) -> Value {
    let subject = match id {
        Some(id) => json!({ "type": subject_type, "id": id }),
        None => json!({ "type": subject_type }),
    };
    json!({ "subject": subject, "year": YEAR, "metric": metric, "months": months })
}

impl TestApp {
    /// Set a target as `token`, asserting 201 with its Location and ETag; its JSON.
    async fn target(&self, token: &str, body: Value) -> Value {
        let res = self.post("/api/v1/targets").token(token).json(body).send().await;
        res.assert_created("/api/v1/targets");
        res.body
    }

    /// The ids of every target the admin lists.
    async fn all_targets(&self) -> Vec<String> {
        self.list_ids("/api/v1/targets?limit=200").await
    }
}

both_databases! {
    async fn an_admin_sets_a_company_target_whose_quarters_and_year_are_sums(app) {
        let amounts = [100, 100, 100, 200, 200, 200, 300, 300, 300, 400, 400, 500];
        let target = app.target(&app.admin_token, body("company", None, "booking", months(&amounts))).await;
        assert_eq!(target["subject"], json!({ "type": "company", "id": null, "name": null }));
        assert_eq!((target["year"].as_i64(), &target["metric"], &target["currency"]), (Some(2027), &json!("booking"), &json!("CNY")));
        assert_eq!(target["months"], months(&amounts));
        assert_eq!(target["quarters"], months(&[300, 600, 900, 1300]));
        assert_eq!(target["total"], json!({ "amount": 3100, "currency": "CNY" }));
        assert_eq!(target["version"], 1);

        let id = id_of(&target);
        let res = app.get(&format!("/api/v1/targets/{id}")).token(&app.admin_token).send().await;
        assert_eq!((res.status.as_u16(), res.header("etag")), (200, Some("W/\"1\"")));
        assert_eq!(res.body, target);

        let o = app.east_west().await;
        let dept = app.target(&app.admin_token, body("department", Some(&o.east), "collection", flat(10))).await;
        assert_eq!(dept["subject"], json!({ "type": "department", "id": o.east, "name": "East" }));
        let user = app.target(&app.admin_token, body("user", Some(&o.rep1.id), "booking", flat(5))).await;
        assert_eq!(user["subject"]["name"], "Test rep");

        assert_eq!(app.list_ids("/api/v1/targets?metric=collection").await, [id_of(&dept)]);
        assert_eq!(app.list_ids("/api/v1/targets?subject_type=company,user").await, [id.clone(), id_of(&user)]);
        assert_eq!(app.list_ids(&format!("/api/v1/targets?subject_id={}", o.rep1.id)).await, [id_of(&user)]);
        assert!(app.list_ids("/api/v1/targets?year=2028").await.is_empty());
        let first = app.get_ok(&app.admin_token, "/api/v1/targets?limit=2").await;
        assert_eq!(ids(&first), [id.clone(), id_of(&dept)]);
        let cursor = first["next_cursor"].as_str().expect("a next page");
        assert_eq!(app.list_ids(&format!("/api/v1/targets?limit=2&cursor={cursor}")).await, [id_of(&user)]);
        app.get("/api/v1/targets?metric=revenue").token(&app.admin_token).send().await.assert_problem(400, "bad_request");
        app.get("/api/v1/targets?subject_id=rep1").token(&app.admin_token).send().await.assert_problem(400, "bad_request");
    }

    async fn a_target_with_bad_months_or_a_bad_subject_is_refused_and_nothing_is_stored(app) {
        let o = app.east_west().await;
        let user = Some(o.rep1.id.as_str());
        let refused = |res: crate::helpers::TestResponse, field: &str, code: &str| {
            res.assert_problem(422, "validation");
            let errors = res.body["errors"].as_array().cloned().unwrap_or_default();
            assert!(
                errors.iter().any(|e| e["field"] == field && e["code"] == code),
                "no {code} on {field}: {}", res.body
            );
        };
        let post = |body: Value| app.post("/api/v1/targets").token(&app.admin_token).json(body).send();

        refused(post(body("user", user, "booking", months(&[1; 11]))).await, "months", "length");
        refused(post(body("user", user, "booking", months(&[1; 13]))).await, "months", "length");
        let mut mixed = flat(100);
        mixed[3] = json!({ "amount": 100, "currency": "USD" });
        refused(post(body("user", user, "booking", mixed)).await, "months[3].currency", "currency");
        let mut negative = flat(100);
        negative[0] = json!({ "amount": -1, "currency": "CNY" });
        refused(post(body("user", user, "booking", negative)).await, "months[0].amount", "range");
        let unknown = salesops_domain::new_id();
        refused(post(body("user", Some(&unknown), "booking", flat(1))).await, "subject.id", "unknown");
        refused(post(body("department", Some(&unknown), "booking", flat(1))).await, "subject.id", "unknown");
        app.deactivate_user(&o.rep2.id).await;
        refused(post(body("user", Some(&o.rep2.id), "booking", flat(1))).await, "subject.id", "unknown");
        refused(post(body("company", Some(&o.east), "booking", flat(1))).await, "subject.id", "not_allowed");
        refused(post(body("department", None, "booking", flat(1))).await, "subject.id", "required");
        let mut old = body("company", None, "booking", flat(1));
        old["year"] = json!(1999);
        refused(post(old).await, "year", "range");
        let mut typo = body("company", None, "booking", flat(1));
        typo["metrics"] = json!("booking");
        refused(post(typo).await, "metrics", "unknown_field");
        post(body("company", None, "revenue", flat(1))).await.assert_problem(422, "validation");
        let mut far = body("company", None, "booking", flat(1));
        far["year"] = json!(3000);
        refused(post(far).await, "year", "range");
        post(json!({ "subject": { "type": "team" }, "year": YEAR, "metric": "booking", "months": flat(1) }))
            .await
            .assert_problem(422, "validation");
        for bad in ["subject_type=team", "cursor=abc", "limit=0", "metric=revenue"] {
            app.get(&format!("/api/v1/targets?{bad}")).token(&app.admin_token).send().await.assert_problem(400, "bad_request");
        }

        assert!(app.all_targets().await.is_empty(), "a refused target was stored");
    }

    async fn one_target_per_subject_year_and_metric(app) {
        let o = app.east_west().await;
        let first = app.target(&app.admin_token, body("department", Some(&o.west), "booking", flat(10))).await;
        let res = app.post("/api/v1/targets").token(&app.admin_token).json(body("department", Some(&o.west), "booking", flat(20))).send().await;
        res.assert_problem(409, "duplicate");
        assert_eq!(res.body["duplicate_ids"], json!([id_of(&first)]));
        assert_eq!(app.all_targets().await, [id_of(&first)], "the duplicate was stored");
        let company = app.target(&app.admin_token, body("company", None, "booking", flat(10))).await;
        app.post("/api/v1/targets").token(&app.admin_token).json(body("company", None, "booking", flat(1))).send().await.assert_problem(409, "duplicate");

        // Another metric or year is another target; a deleted one frees its place.
        app.target(&app.admin_token, body("department", Some(&o.west), "collection", flat(10))).await;
        let mut next_year = body("department", Some(&o.west), "booking", flat(10));
        next_year["year"] = json!(2028);
        app.target(&app.admin_token, next_year).await;
        let res = app.delete(&format!("/api/v1/targets/{}", id_of(&first))).token(&app.admin_token).send().await;
        assert_eq!(res.status.as_u16(), 204);
        app.target(&app.admin_token, body("department", Some(&o.west), "booking", flat(20))).await;
        assert_eq!(app.all_targets().await.len(), 4);
        assert!(app.all_targets().await.contains(&id_of(&company)));
    }

    async fn reps_and_finance_write_no_targets_and_managers_only_within_their_scope(app) {
        let o = app.east_west().await;
        let loner = app.user("rep", None, None).await;
        for token in [&o.rep1.token, &o.finance.token] {
            let res = app.post("/api/v1/targets").token(token).json(body("user", Some(&o.rep1.id), "booking", flat(1))).send().await;
            res.assert_problem(403, "forbidden");
        }
        let m = &o.manager.token;
        for refused in [
            body("company", None, "booking", flat(1)),
            body("department", Some(&o.west), "booking", flat(1)),
            body("user", Some(&o.rep3.id), "booking", flat(1)),
            body("user", Some(&loner.id), "booking", flat(1)),
            // Below their department but with nobody in it: a target they could not read back.
            body("department", Some(&app.department("East B", Some(&o.east))), "booking", flat(1)),
        ] {
            let res = app.post("/api/v1/targets").token(m).json(refused.clone()).send().await;
            res.assert_problem(403, "forbidden");
        }
        assert!(app.all_targets().await.is_empty(), "a refused target was stored");

        // Their own department, one below it, and the users they see.
        app.target(m, body("department", Some(&o.east), "booking", flat(1))).await;
        app.target(m, body("department", Some(&o.east_a), "booking", flat(1))).await;
        app.target(m, body("user", Some(&o.rep1.id), "booking", flat(1))).await;
        let rep2 = app.target(m, body("user", Some(&o.rep2.id), "booking", flat(1))).await;

        // The company's target they read but may not change; West's they do not see at all.
        let company = app.target(&app.admin_token, body("company", None, "booking", flat(5))).await;
        let west = app.target(&app.admin_token, body("department", Some(&o.west), "booking", flat(5))).await;
        let patch = json!({ "months": flat(9) });
        let path = |t: &Value| format!("/api/v1/targets/{}", id_of(t));
        app.patch(&path(&company)).token(m).json(patch.clone()).send().await.assert_problem(403, "forbidden");
        app.delete(&path(&company)).token(m).send().await.assert_problem(403, "forbidden");
        app.patch(&path(&west)).token(m).json(patch.clone()).send().await.assert_problem(404, "not_found");
        app.delete(&path(&west)).token(m).send().await.assert_problem(404, "not_found");
        app.patch(&path(&rep2)).token(&o.rep2.token).json(patch.clone()).send().await.assert_problem(403, "forbidden");
        for t in [&company, &west, &rep2] {
            let now = app.get_ok(&app.admin_token, &path(t)).await;
            assert_eq!((&now["version"], &now["months"]), (&json!(1), &t["months"]), "a refused write changed {now}");
        }
        // An admin writes anything.
        let res = app.patch(&path(&rep2)).token(&app.admin_token).json(patch).send().await;
        assert_eq!(res.status.as_u16(), 200, "{}", res.body);
    }

    async fn a_manager_reads_the_target_of_the_department_above_theirs_but_does_not_write_it(app) {
        let o = app.east_west().await;
        let below = app.user("manager", Some(&o.east_a), None).await;
        let east = app.target(&app.admin_token, body("department", Some(&o.east), "booking", flat(10))).await;
        let path = format!("/api/v1/targets/{}", id_of(&east));
        // East holds rep2, whom the East A manager sees: they read its target.
        assert_eq!(app.get_ok(&below.token, &path).await, east);
        let post = |token: &str, body: Value| app.post("/api/v1/targets").token(token).json(body).send();
        post(&below.token, body("department", Some(&o.east), "collection", flat(1))).await.assert_problem(403, "forbidden");
        app.patch(&path).token(&below.token).json(json!({ "months": flat(9) })).send().await.assert_problem(403, "forbidden");
        app.delete(&path).token(&below.token).send().await.assert_problem(403, "forbidden");
        // A manager in no department writes no department's target.
        let nowhere = app.user("manager", None, None).await;
        post(&nowhere.token, body("department", Some(&o.east_a), "booking", flat(1))).await.assert_problem(403, "forbidden");
        assert_eq!(app.get_ok(&app.admin_token, &path).await, east);
        assert_eq!(app.all_targets().await, [id_of(&east)]);

        // A deleted target is gone for writes and for its breakdown too.
        assert_eq!(app.delete(&path).token(&app.admin_token).send().await.status.as_u16(), 204);
        app.patch(&path).token(&app.admin_token).json(json!({ "months": flat(9) })).send().await.assert_problem(404, "not_found");
        app.delete(&path).token(&app.admin_token).send().await.assert_problem(404, "not_found");
        app.get(&format!("{path}/breakdown")).token(&app.admin_token).send().await.assert_problem(404, "not_found");
    }

    async fn months_are_patched_under_if_match_and_every_write_is_audited(app) {
        let o = app.east_west().await;
        let target = app.target(&o.manager.token, body("user", Some(&o.rep1.id), "booking", flat(100))).await;
        let path = format!("/api/v1/targets/{}", id_of(&target));
        let mut usd = Vec::new();
        for i in 0..12 {
            usd.push(json!({ "amount": 200 + i, "currency": "USD" }));
        }
        let res = app.patch(&path).token(&o.manager.token).header("If-Match", "W/\"1\"").json(json!({ "months": usd })).send().await;
        assert_eq!((res.status.as_u16(), res.header("etag")), (200, Some("W/\"2\"")), "{}", res.body);
        assert_eq!((&res.body["currency"], &res.body["total"]["amount"]), (&json!("USD"), &json!(2466)));
        let changed = res.body;

        // A stale version, bad months or a changed subject change nothing.
        let res = app.patch(&path).token(&o.manager.token).header("If-Match", "W/\"1\"").json(json!({ "months": flat(1) })).send().await;
        res.assert_problem(412, "precondition_failed");
        let res = app.patch(&path).token(&o.manager.token).json(json!({ "months": months(&[1; 3]) })).send().await;
        res.assert_problem(422, "validation");
        let res = app.patch(&path).token(&o.manager.token).json(json!({ "months": flat(1), "year": 2028 })).send().await;
        res.assert_problem(422, "validation");
        app.delete(&path).token(&o.manager.token).header("If-Match", "W/\"1\"").send().await.assert_problem(412, "precondition_failed");
        assert_eq!(app.get_ok(&app.admin_token, &path).await, changed);

        let res = app.delete(&path).token(&o.manager.token).header("If-Match", "W/\"2\"").send().await;
        assert_eq!(res.status.as_u16(), 204);
        app.get(&path).token(&app.admin_token).send().await.assert_problem(404, "not_found");
        assert!(app.all_targets().await.is_empty());

        let trail = app.audit_trail(&app.admin_token, "target", &id_of(&target)).await;
        let actions: Vec<&str> = trail["data"].as_array().expect("events").iter().filter_map(|e| e["action"].as_str()).collect();
        assert_eq!(actions, ["create", "update", "delete"]);
    }

    async fn each_role_reads_the_company_its_users_and_the_departments_holding_them(app) {
        let o = app.east_west().await;
        let admin = &app.admin_token;
        let company = id_of(&app.target(admin, body("company", None, "booking", flat(1))).await);
        let east = id_of(&app.target(admin, body("department", Some(&o.east), "booking", flat(1))).await);
        let east_a = id_of(&app.target(admin, body("department", Some(&o.east_a), "booking", flat(1))).await);
        let west = id_of(&app.target(admin, body("department", Some(&o.west), "booking", flat(1))).await);
        let rep1 = id_of(&app.target(admin, body("user", Some(&o.rep1.id), "booking", flat(1))).await);
        let rep2 = id_of(&app.target(admin, body("user", Some(&o.rep2.id), "booking", flat(1))).await);

        let listed = |token: &str| {
            let token = token.to_owned();
            let app = &app;
            async move { ids(&app.get_ok(&token, "/api/v1/targets").await) }
        };
        assert_eq!(listed(&o.rep2.token).await, [company.clone(), east.clone(), east_a.clone(), rep2.clone()]);
        assert_eq!(listed(&o.rep3.token).await, [company.clone(), west.clone()]);
        assert_eq!(listed(&o.manager.token).await, [company.clone(), east.clone(), east_a.clone(), rep1.clone(), rep2.clone()]);
        assert_eq!(listed(&o.finance.token).await.len(), 6);
        app.get(&format!("/api/v1/targets/{rep1}")).token(&o.rep2.token).send().await.assert_problem(404, "not_found");
        app.get(&format!("/api/v1/targets/{west}/breakdown")).token(&o.rep2.token).send().await.assert_problem(404, "not_found");
        app.get_ok(&o.rep2.token, &format!("/api/v1/targets/{east}")).await;
    }

    async fn a_breakdown_sums_the_direct_children_and_goes_negative_when_they_are_given_more(app) {
        let o = app.east_west().await;
        let loner = app.user("rep", None, None).await;
        let admin = &app.admin_token;
        let company = app.target(admin, body("company", None, "booking", flat(100))).await;
        let mut east_months = [50; 12];
        east_months[1] = 90;
        let east = app.target(admin, body("department", Some(&o.east), "booking", months(&east_months))).await;
        app.target(admin, body("department", Some(&o.west), "booking", flat(30))).await;
        app.target(admin, body("user", Some(&loner.id), "booking", flat(5))).await;
        // Not direct children of the company, another metric, another currency.
        app.target(admin, body("department", Some(&o.east_a), "booking", flat(20))).await;
        app.target(admin, body("department", Some(&o.west), "collection", flat(1000))).await;
        let usd = json!({ "subject": { "type": "user", "id": o.finance.id }, "year": YEAR, "metric": "booking",
            "months": vec![json!({ "amount": 7, "currency": "USD" }); 12] });
        app.target(admin, usd).await;
        let rep1 = app.target(admin, body("user", Some(&o.rep1.id), "booking", flat(40))).await;

        let b = app.get_ok(&o.rep1.token, &format!("/api/v1/targets/{}/breakdown", id_of(&company))).await;
        assert_eq!(b["target"]["id"], company["id"]);
        assert_eq!((b["children_counted"].as_i64(), b["children_excluded"].as_i64()), (Some(3), Some(1)));
        let month = |b: &Value, i: usize, key: &str| b["months"][i][key]["amount"].as_i64().expect("an amount");
        assert_eq!((month(&b, 0, "target"), month(&b, 0, "children"), month(&b, 0, "unallocated")), (100, 85, 15));
        assert_eq!((month(&b, 1, "children"), month(&b, 1, "unallocated")), (125, -25));
        assert_eq!(b["months"][1]["month"], 2);
        assert_eq!(b["year"]["unallocated"], json!({ "amount": 1200 - 85 * 12 - 40, "currency": "CNY" }));

        let b = app.get_ok(admin, &format!("/api/v1/targets/{}/breakdown", id_of(&east))).await;
        assert_eq!((month(&b, 0, "children"), month(&b, 0, "unallocated")), (60, -10));
        assert_eq!((month(&b, 1, "children"), month(&b, 1, "unallocated")), (60, 30));

        let b = app.get_ok(admin, &format!("/api/v1/targets/{}/breakdown", id_of(&rep1))).await;
        assert_eq!((month(&b, 5, "children"), month(&b, 5, "unallocated"), b["children_counted"].as_i64()), (0, 40, Some(0)));
    }
}
