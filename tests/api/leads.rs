//! Leads: create, read, list, patch, delete, duplicates, and data scopes.

use crate::both_databases;
use crate::fixtures::{id_of, ids, items, pluck, str_of};
use crate::helpers::TestApp;
use salesops_persistence::scope::Visibility;
use salesops_persistence::{leads, StoreError};
use serde_json::{json, Value};

async fn lead_count(app: &TestApp) -> usize {
    app.list_ids("/api/v1/leads?limit=200").await.len()
}

both_databases! {
    async fn create_lead_returns_201_with_location_etag_and_the_record(app) {
        let rep = app.user("rep", None, None).await;
        let res = app.post("/api/v1/leads").token(&rep.token).json(json!({
            "name": " 王芳 ", "company": "上海明远科技有限公司", "email": "Wang.Fang@MingYuan.cn",
            "phone": "+86 138 0013 8000", "source": "event", "score": 60, "region": "华东"
        })).send().await;
        let id = res.assert_created("/api/v1/leads");
        assert_eq!(res.body["name"], "王芳");
        assert_eq!(res.body["status"], "new");
        assert_eq!(res.body["owner_id"], rep.id.as_str());
        assert_eq!(res.body["version"], 1);
        let got = app.get(&format!("/api/v1/leads/{id}")).token(&rep.token).send().await;
        assert_eq!(got.status, 200);
        assert_eq!(got.body, res.body);
    }

    async fn create_lead_fails_with_field_errors_and_creates_nothing(app) {
        let res = app.post("/api/v1/leads").token(&app.admin_token)
            .json(json!({"name": "  ", "email": "not-an-email", "phone": "call me", "score": 101}))
            .send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["email", "name", "phone", "score"]);
        let name = res.body["errors"].as_array().expect("errors").iter().find(|e| e["field"] == "name").expect("name");
        assert_eq!(name["code"], "required", "a blank name is missing, not too short");
        let res = app.post("/api/v1/leads").token(&app.admin_token).json(json!({"company": "x"})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["name"]);
        let res = app.post("/api/v1/leads").token(&app.admin_token).json(json!({"name": "a", "source": "carrier_pigeon"})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["source"]);
        assert_eq!(lead_count(&app).await, 0);
    }

    async fn create_lead_rejects_unknown_fields_bad_json_wrong_media_type_and_huge_bodies(app) {
        let res = app.post("/api/v1/leads").token(&app.admin_token).json(json!({"name": "a", "stauts": "qualified"})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.body["errors"][0]["code"], "unknown_field");
        assert_eq!(res.error_fields(), vec!["stauts"]);
        let res = app.post("/api/v1/leads").token(&app.admin_token).header("content-type", "application/json").raw(b"{\"name\":").send().await;
        res.assert_problem(400, "bad_request");
        let res = app.post("/api/v1/leads").token(&app.admin_token).header("content-type", "text/plain").raw(b"name=a").send().await;
        res.assert_problem(415, "unsupported_media_type");
        let big = json!({"name": "a", "notes": "x".repeat(300 * 1024)});
        let res = app.post("/api/v1/leads").token(&app.admin_token).json(big).send().await;
        res.assert_problem(413, "payload_too_large");
        assert_eq!(lead_count(&app).await, 0);
    }

    async fn duplicate_email_or_phone_is_refused_unless_allowed(app) {
        let first = app.lead(&app.admin_token, json!({"name": "A", "email": "a@acme.cn", "phone": "13800138000"})).await;
        let res = app.post("/api/v1/leads").token(&app.admin_token).json(json!({"name": "B", "email": " A@ACME.CN "})).send().await;
        res.assert_problem(409, "duplicate");
        assert_eq!(res.body["duplicate_ids"], json!([first["id"]]));
        let res = app.post("/api/v1/leads").token(&app.admin_token).json(json!({"name": "C", "phone": "+86 138-0013-8000"})).send().await;
        res.assert_problem(409, "duplicate");
        assert_eq!(lead_count(&app).await, 1);
        let res = app.post("/api/v1/leads?allow_duplicate=true").token(&app.admin_token).json(json!({"name": "B", "email": "a@acme.cn"})).send().await;
        assert_eq!(res.status, 201);
        assert_eq!(lead_count(&app).await, 2);
    }

    async fn a_disqualified_lead_does_not_count_as_a_duplicate(app) {
        let first = app.lead(&app.admin_token, json!({"name": "A", "email": "a@acme.cn"})).await;
        let id = str_of(&first, "id");
        let res = app.post(&format!("/api/v1/leads/{id}/disqualify")).token(&app.admin_token).json(json!({"reason": "spam"})).send().await;
        assert_eq!(res.status, 200);
        let res = app.post("/api/v1/leads").token(&app.admin_token).json(json!({"name": "B", "email": "a@acme.cn"})).send().await;
        assert_eq!(res.status, 201, "{}", res.body);
    }

    async fn duplicate_check_reports_matches_and_creates_nothing(app) {
        let lead = app.lead(&app.admin_token, json!({"name": "A", "company": "Acme （上海） Ltd", "email": "a@acme.cn", "phone": "021-5555-1234"})).await;
        app.lead(&app.admin_token, json!({"name": "Other", "company": "Other Co"})).await;
        let res = app.post("/api/v1/leads/duplicates").token(&app.admin_token)
            .json(json!({"email": "A@acme.cn", "company": "acme(上海)ltd"})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        let data = items(&res.body);
        assert_eq!(data.len(), 1);
        assert_eq!(data[0]["lead_id"], lead["id"]);
        assert_eq!(data[0]["matched_on"], json!(["email", "company"]));
        assert_eq!(data[0]["visible"], true);
        let res = app.post("/api/v1/leads/duplicates").token(&app.admin_token).json(json!({"phone": "02155551234"})).send().await;
        assert_eq!(res.body["data"][0]["matched_on"], json!(["phone"]));
        let res = app.post("/api/v1/leads/duplicates").token(&app.admin_token).json(json!({})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(lead_count(&app).await, 2);
    }

    async fn a_rep_never_sees_another_reps_lead(app) {
        let alice = app.user("rep", None, None).await;
        let bob = app.user("rep", None, None).await;
        let lead = app.lead(&alice.token, json!({"name": "Alice's lead"})).await;
        let id = str_of(&lead, "id");
        let path = format!("/api/v1/leads/{id}");
        app.get(&path).token(&bob.token).send().await.assert_problem(404, "not_found");
        app.patch(&path).token(&bob.token).json(json!({"score": 5})).send().await.assert_problem(404, "not_found");
        app.delete(&path).token(&bob.token).send().await.assert_problem(404, "not_found");
        app.post(&format!("{path}/qualify")).token(&bob.token).send().await.assert_problem(404, "not_found");
        app.get(&format!("/api/v1/audit-events?entity_type=lead&entity_id={id}")).token(&bob.token).send().await.assert_problem(404, "not_found");
        let list = app.get("/api/v1/leads?count=true").token(&bob.token).send().await;
        assert_eq!(list.body["data"], json!([]));
        assert_eq!(list.body["total"], 0);
        let list = app.get("/api/v1/leads").token(&alice.token).send().await;
        assert_eq!(ids(&list.body), vec![id.to_owned()]);
        let unchanged = app.get(&path).token(&alice.token).send().await;
        assert_eq!(unchanged.body["version"], 1);
    }

    async fn a_manager_sees_their_department_tree_but_not_a_sibling_department(app) {
        let root = app.department("Sales", None);
        let east = app.department("East", Some(&root));
        let shanghai = app.department("Shanghai", Some(&east));
        let west = app.department("West", Some(&root));
        let east_manager = app.user("manager", Some(&east), None).await;
        let west_manager = app.user("manager", Some(&west), None).await;
        let shanghai_rep = app.user("rep", Some(&shanghai), Some(&east_manager.id)).await;
        let west_rep = app.user("rep", Some(&west), Some(&west_manager.id)).await;
        let sh_lead = app.lead(&shanghai_rep.token, json!({"name": "SH"})).await;
        let west_lead = app.lead(&west_rep.token, json!({"name": "W"})).await;
        let sh_path = format!("/api/v1/leads/{}", str_of(&sh_lead, "id"));
        assert_eq!(app.get(&sh_path).token(&east_manager.token).send().await.status, 200);
        app.get(&sh_path).token(&west_manager.token).send().await.assert_problem(404, "not_found");
        let east_list = app.get("/api/v1/leads").token(&east_manager.token).send().await;
        assert_eq!(ids(&east_list.body), vec![id_of(&sh_lead)]);
        let west_list = app.get("/api/v1/leads").token(&west_manager.token).send().await;
        assert_eq!(ids(&west_list.body), vec![id_of(&west_lead)]);
        let admin_list = app.get("/api/v1/leads").token(&app.admin_token).send().await;
        assert_eq!(ids(&admin_list.body).len(), 2);
    }

    async fn finance_reads_leads_but_cannot_change_them(app) {
        let finance = app.user("finance", None, None).await;
        let lead = app.lead(&app.admin_token, json!({"name": "A"})).await;
        let path = format!("/api/v1/leads/{}", str_of(&lead, "id"));
        assert_eq!(app.get(&path).token(&finance.token).send().await.status, 200);
        app.post("/api/v1/leads").token(&finance.token).json(json!({"name": "B"})).send().await.assert_problem(403, "forbidden");
        app.patch(&path).token(&finance.token).json(json!({"score": 1})).send().await.assert_problem(403, "forbidden");
        app.post(&format!("{path}/start")).token(&finance.token).send().await.assert_problem(403, "forbidden");
        assert_eq!(lead_count(&app).await, 1);
    }

    async fn a_rep_cannot_create_leads_for_others_or_into_the_pool(app) {
        let rep = app.user("rep", None, None).await;
        let other = app.user("rep", None, None).await;
        app.post("/api/v1/leads").token(&rep.token).json(json!({"name": "A", "owner_id": other.id})).send().await.assert_problem(403, "forbidden");
        app.post("/api/v1/leads").token(&rep.token).json(json!({"name": "A", "to_pool": true})).send().await.assert_problem(403, "forbidden");
        let pooled = app.lead(&app.admin_token, json!({"name": "P", "to_pool": true})).await;
        assert_eq!(pooled["owner_id"], Value::Null);
        app.post("/api/v1/leads").token(&app.admin_token).json(json!({"name": "A", "owner_id": "no-such-user"})).send().await.assert_problem(422, "validation");
        assert_eq!(lead_count(&app).await, 1);
    }

    async fn list_filters_apply_in_sql(app) {
        let rep = app.user("rep", None, None).await;
        app.lead(&rep.token, json!({"name": "张伟", "company": "北京星河科技", "source": "web", "industry": "software", "region": "华北"})).await;
        app.lead(&rep.token, json!({"name": "Li Lei", "company": "Acme", "email": "li@acme.com", "source": "event", "industry": "retail", "region": "华东"})).await;
        let pool = app.lead(&app.admin_token, json!({"name": "Pool lead", "source": "web", "to_pool": true, "phone": "13912345678"})).await;
        let app = &app;
        let count = |q: &str| {
            let path = format!("/api/v1/leads?{q}");
            async move { app.list_ids(&path).await.len() }
        };
        assert_eq!(count("q=%E6%98%9F%E6%B2%B3").await, 1, "Chinese substring of company");
        assert_eq!(count("q=LI").await, 1, "case-insensitive name");
        assert_eq!(count("q=acme.COM").await, 1, "email");
        assert_eq!(count("q=1234567").await, 1, "phone digits");
        assert_eq!(count("source=web").await, 2);
        assert_eq!(count("source=web,event").await, 3);
        assert_eq!(count("industry=retail").await, 1);
        assert_eq!(count("region=%E5%8D%8E%E5%8C%97").await, 1);
        assert_eq!(count("status=new").await, 3);
        assert_eq!(count("status=qualified").await, 0);
        assert_eq!(count("in_pool=true").await, 1);
        assert_eq!(count("in_pool=false").await, 2);
        assert_eq!(count(&format!("owner_id={}", rep.id)).await, 2);
        assert_eq!(count("created_from=2000-01-01T00:00:00Z").await, 3);
        assert_eq!(count("created_to=2000-01-01T00:00:00Z").await, 0);
        assert_eq!(count("q=100%25").await, 0, "wildcards match literally");
        let rep_view = app.get("/api/v1/leads?in_pool=true").token(&rep.token).send().await;
        assert_eq!(ids(&rep_view.body), vec![id_of(&pool)], "reps see the pool");
    }

    async fn list_rejects_bad_sort_status_cursor_and_limit(app) {
        let bad = [
            "sort=password_hash", "sort=name,name", "status=won", "source=tv", "limit=0", "limit=201",
            "cursor=garbage", "created_from=yesterday", "in_pool=maybe",
            "created_from=2030-01-01T00:00:00Z&created_to=2020-01-01T00:00:00Z",
        ];
        for q in bad {
            let res = app.get(&format!("/api/v1/leads?{q}")).token(&app.admin_token).send().await;
            res.assert_problem(400, "bad_request");
        }
    }

    async fn keyset_pages_cover_every_lead_once_in_order_even_with_inserts(app) {
        for i in 0..7 {
            app.lead(&app.admin_token, json!({"name": format!("Lead {i}"), "score": i % 3})).await;
        }
        for sort in ["-created_at", "name", "-score,name", "score,-updated_at"] {
            let mut seen = Vec::new();
            let mut cursor: Option<String> = None;
            let mut pages = 0;
            loop {
                let mut path = format!("/api/v1/leads?limit=3&sort={sort}");
                if let Some(c) = &cursor {
                    path.push_str(&format!("&cursor={c}"));
                }
                let res = app.get(&path).token(&app.admin_token).send().await;
                assert_eq!(res.status, 200, "{}", res.body);
                seen.extend(items(&res.body).iter().cloned());
                pages += 1;
                if pages == 1 && sort == "-created_at" {
                    // A lead created mid-walk sorts before the cursor and must not shift later pages.
                    app.lead(&app.admin_token, json!({"name": "Late"})).await;
                }
                match res.body["next_cursor"].as_str() {
                    Some(c) => cursor = Some(c.to_owned()),
                    None => break,
                }
            }
            let seen_ids: Vec<&str> = seen.iter().map(|l| str_of(l, "id")).collect();
            let mut unique = seen_ids.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), seen_ids.len(), "no lead twice with sort {sort}");
            assert!(seen.len() >= 7, "every lead once with sort {sort}");
            if sort == "name" {
                let names: Vec<&str> = seen.iter().map(|l| l["name"].as_str().expect("name")).collect();
                let mut sorted = names.clone();
                sorted.sort();
                assert_eq!(names, sorted);
            }
        }
        let first = app.get("/api/v1/leads?limit=2&sort=name").token(&app.admin_token).send().await;
        let cursor = first.body["next_cursor"].as_str().expect("cursor");
        let res = app.get(&format!("/api/v1/leads?limit=2&sort=-score&cursor={cursor}")).token(&app.admin_token).send().await;
        res.assert_problem(400, "bad_request");
    }

    async fn patch_merges_fields_clears_nulls_and_bumps_the_version(app) {
        let lead = app.lead(&app.admin_token, json!({"name": "A", "title": "Buyer", "notes": "n", "score": 10})).await;
        let path = format!("/api/v1/leads/{}", str_of(&lead, "id"));
        let res = app.patch(&path).token(&app.admin_token).header("if-match", "W/\"1\"")
            .json(json!({"title": "Head of Purchasing", "notes": null, "score": 80})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.header("etag"), Some("W/\"2\""));
        assert_eq!(res.body["title"], "Head of Purchasing");
        assert_eq!(res.body["notes"], Value::Null);
        assert_eq!(res.body["score"], 80);
        assert_eq!(res.body["name"], "A");
        let merge = app.patch(&path).token(&app.admin_token).header("content-type", "application/merge-patch+json").raw(br#"{"region":"West"}"#).send().await;
        assert_eq!(merge.status, 200, "{}", merge.body);
        assert_eq!(merge.body["version"], 3);
    }

    async fn patch_with_a_stale_if_match_is_412_and_changes_nothing(app) {
        let lead = app.lead(&app.admin_token, json!({"name": "A"})).await;
        let path = format!("/api/v1/leads/{}", str_of(&lead, "id"));
        assert_eq!(app.patch(&path).token(&app.admin_token).json(json!({"score": 1})).send().await.status, 200);
        let res = app.patch(&path).token(&app.admin_token).header("if-match", "W/\"1\"").json(json!({"score": 2})).send().await;
        res.assert_problem(412, "precondition_failed");
        let res = app.patch(&path).token(&app.admin_token).header("if-match", "garbage").json(json!({"score": 2})).send().await;
        res.assert_problem(400, "bad_request");
        let now = app.get(&path).token(&app.admin_token).send().await;
        assert_eq!(now.body["score"], 1);
        assert_eq!(now.body["version"], 2);
    }

    async fn patch_refuses_status_owner_and_clearing_required_fields(app) {
        let lead = app.lead(&app.admin_token, json!({"name": "A", "email": "a@x.cn"})).await;
        let path = format!("/api/v1/leads/{}", str_of(&lead, "id"));
        for body in [json!({"status": "qualified"}), json!({"owner_id": null}), json!({"name": null}), json!({"email": "nope"}), json!({"score": -1})] {
            let res = app.patch(&path).token(&app.admin_token).json(body.clone()).send().await;
            res.assert_problem(422, "validation");
        }
        let other = app.lead(&app.admin_token, json!({"name": "B", "email": "b@x.cn"})).await;
        let other_path = format!("/api/v1/leads/{}", str_of(&other, "id"));
        app.patch(&other_path).token(&app.admin_token).json(json!({"email": "A@x.cn"})).send().await.assert_problem(409, "duplicate");
        let now = app.get(&path).token(&app.admin_token).send().await;
        assert_eq!(now.body["version"], 1);
        assert_eq!(now.body["status"], "new");
    }

    async fn external_ids_are_unique(app) {
        app.lead(&app.admin_token, json!({"name": "A", "external_id": "ERP-1"})).await;
        let res = app.post("/api/v1/leads").token(&app.admin_token).json(json!({"name": "B", "external_id": "ERP-1"})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["external_id"]);
        assert_eq!(lead_count(&app).await, 1);
    }

    async fn delete_hides_the_lead_and_keeps_its_audit_trail(app) {
        let lead = app.lead(&app.admin_token, json!({"name": "A"})).await;
        let id = str_of(&lead, "id");
        let path = format!("/api/v1/leads/{id}");
        app.delete(&path).token(&app.admin_token).header("if-match", "W/\"9\"").send().await.assert_problem(412, "precondition_failed");
        let res = app.delete(&path).token(&app.admin_token).send().await;
        assert_eq!(res.status, 204);
        app.get(&path).token(&app.admin_token).send().await.assert_problem(404, "not_found");
        app.delete(&path).token(&app.admin_token).send().await.assert_problem(404, "not_found");
        assert_eq!(lead_count(&app).await, 0);
        let audit = app.audit_trail(&app.admin_token, "lead", id).await;
        let actions = pluck(&audit, "action");
        assert_eq!(actions, vec!["create", "delete"]);
    }

    async fn every_mutation_writes_an_audit_event_with_before_and_after(app) {
        let rep = app.user("rep", None, None).await;
        let lead = app.lead(&rep.token, json!({"name": "A", "company": "Acme", "email": "a@acme.cn"})).await;
        let id = str_of(&lead, "id");
        app.patch(&format!("/api/v1/leads/{id}")).token(&rep.token).json(json!({"score": 42})).header("x-request-id", "req-audit-1").send().await;
        app.post(&format!("/api/v1/leads/{id}/qualify")).token(&rep.token).send().await;
        let audit = app.audit_trail(&rep.token, "lead", id).await;
        let events = items(&audit);
        let actions = pluck(&audit, "action");
        assert_eq!(actions, vec!["create", "update", "qualify"]);
        assert_eq!(events[1]["changes"]["score"], json!({"before": 0, "after": 42}));
        assert_eq!(events[1]["request_id"], "req-audit-1");
        assert_eq!(events[1]["actor_id"], rep.id.as_str());
        assert_eq!(events[2]["changes"]["status"], json!({"before": "new", "after": "qualified"}));
        assert!(events[1]["changes"].get("version").is_none());
        app.get("/api/v1/audit-events").token(&rep.token).send().await.assert_problem(400, "bad_request");
    }

    async fn self_and_subordinates_reaches_reports_at_any_depth_and_no_one_else(app) {
        app.set_scope("manager", "self_and_subordinates").await;
        let dept = app.department("East", None);
        let boss = app.user("manager", Some(&dept), None).await;
        let lead_rep = app.user("manager", Some(&dept), Some(&boss.id)).await;
        let deep_rep = app.user("rep", Some(&dept), Some(&lead_rep.id)).await;
        let peer = app.user("rep", Some(&dept), None).await;
        let deep = app.lead(&deep_rep.token, json!({"name": "Deep"})).await;
        let peer_lead = app.lead(&peer.token, json!({"name": "Peer"})).await;
        let list = app.get("/api/v1/leads").token(&boss.token).send().await;
        assert_eq!(ids(&list.body), vec![id_of(&deep)]);
        let peer_path = format!("/api/v1/leads/{}", str_of(&peer_lead, "id"));
        app.get(&peer_path).token(&boss.token).send().await.assert_problem(404, "not_found");
        app.patch(&peer_path).token(&boss.token).json(json!({"score": 9})).send().await.assert_problem(404, "not_found");
        let mid_list = app.get("/api/v1/leads").token(&lead_rep.token).send().await;
        assert_eq!(ids(&mid_list.body).len(), 1, "the middle manager sees the report below, not the boss's view");
        let deep_rep_list = app.get("/api/v1/leads").token(&deep_rep.token).send().await;
        assert_eq!(ids(&deep_rep_list.body).len(), 1);
    }

    async fn a_rep_who_can_see_a_colleagues_lead_still_cannot_work_it(app) {
        app.set_scope("rep", "department").await;
        let dept = app.department("East", None);
        let alice = app.user("rep", Some(&dept), None).await;
        let bob = app.user("rep", Some(&dept), None).await;
        let lead = app.lead(&alice.token, json!({"name": "Alice's", "company": "Acme", "email": "a@acme.cn"})).await;
        let path = format!("/api/v1/leads/{}", str_of(&lead, "id"));
        assert_eq!(app.get(&path).token(&bob.token).send().await.status, 200);
        for command in ["start", "qualify", "reopen"] {
            app.post(&format!("{path}/{command}")).token(&bob.token).send().await.assert_problem(403, "forbidden");
        }
        app.post(&format!("{path}/disqualify")).token(&bob.token).json(json!({"reason": "mine now"})).send().await.assert_problem(403, "forbidden");
        app.post(&format!("{path}/release")).token(&bob.token).send().await.assert_problem(409, "invalid_transition");
        let after = app.get(&path).token(&alice.token).send().await;
        assert_eq!(after.body["status"], "new");
        assert_eq!(after.body["version"], 1);
    }

    async fn the_audit_trail_of_a_deleted_lead_stays_within_scope(app) {
        let alice = app.user("rep", None, None).await;
        let bob = app.user("rep", None, None).await;
        let lead = app.lead(&alice.token, json!({"name": "A"})).await;
        let id = str_of(&lead, "id");
        assert_eq!(app.delete(&format!("/api/v1/leads/{id}")).token(&alice.token).send().await.status, 204);
        let path = format!("/api/v1/audit-events?entity_type=lead&entity_id={id}");
        let mine = app.get(&path).token(&alice.token).send().await;
        assert_eq!(mine.status, 200, "{}", mine.body);
        assert_eq!(mine.body["data"].as_array().map(Vec::len), Some(2));
        app.get(&path).token(&bob.token).send().await.assert_problem(404, "not_found");
        app.get(&format!("/api/v1/audit-events?entity_type=user&entity_id={}", alice.id)).token(&bob.token).send().await.assert_problem(404, "not_found");
        app.audit_trail(&bob.token, "user", &bob.id).await;
        app.get(&format!("{path}&actor_id={}", alice.id)).token(&alice.token).send().await.assert_problem(403, "forbidden");
        app.get(&format!("{path}&cursor=not-a-cursor")).token(&alice.token).send().await.assert_problem(400, "bad_request");
    }

    async fn a_cursor_whose_values_do_not_fit_its_sort_is_refused(app) {
        use base64::Engine;
        app.lead(&app.admin_token, json!({"name": "A"})).await;
        let forged = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(json!({"s": "name", "v": [42], "id": "x"}).to_string());
        let res = app.get(&format!("/api/v1/leads?sort=name&cursor={forged}")).token(&app.admin_token).send().await;
        res.assert_problem(400, "bad_request");
    }

    async fn assign_needs_an_owner_id_and_patch_can_override_duplicates(app) {
        let lead = app.lead(&app.admin_token, json!({"name": "A", "email": "a@x.cn"})).await;
        let other = app.lead(&app.admin_token, json!({"name": "B", "email": "b@x.cn"})).await;
        let id = str_of(&lead, "id");
        let res = app.post(&format!("/api/v1/leads/{id}/assign")).token(&app.admin_token).json(json!({})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["owner_id"]);
        let other_path = format!("/api/v1/leads/{}?allow_duplicate=true", str_of(&other, "id"));
        let res = app.patch(&other_path).token(&app.admin_token).json(json!({"email": "A@x.cn"})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["email"], "A@x.cn");
    }

    async fn a_stored_status_that_no_variant_matches_is_an_internal_error_never_a_default(app) {
        let rep = app.user("rep", None, None).await;
        let lead = app.lead(&rep.token, json!({"name": "王芳"})).await;
        let id = lead["id"].as_str().expect("id");
        app.store_raw_word("UPDATE leads SET status = $1 WHERE id = $2", "bogus", id);

        let res = app.get(&format!("/api/v1/leads/{id}")).token(&rep.token).send().await;
        res.assert_problem(500, "internal");
        assert!(!res.body.to_string().contains("bogus"), "stored text reached the client: {}", res.body);
        app.get("/api/v1/leads").token(&rep.token).send().await.assert_problem(500, "internal");

        let loaded = app.with_conn(|c| leads::find_visible(c, id, &Visibility::All));
        match loaded {
            Err(StoreError::Other(detail)) => assert!(detail.contains("`bogus` is not one of"), "{detail}"),
            other => panic!("an unknown stored status loaded as {other:?}"),
        }
    }

    async fn a_list_filter_may_repeat_its_key_as_generated_clients_send_it(app) {
        let new = id_of(&app.lead(&app.admin_token, json!({"name": "New"})).await);
        let working = id_of(&app.lead(&app.admin_token, json!({"name": "Working"})).await);
        assert_eq!(app.post(&format!("/api/v1/leads/{working}/start")).token(&app.admin_token).send().await.status, 200);
        let disqualified = id_of(&app.lead(&app.admin_token, json!({"name": "Gone"})).await);
        let res = app.post(&format!("/api/v1/leads/{disqualified}/disqualify")).token(&app.admin_token)
            .json(json!({"reason": "no budget"})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        let comma = app.get_ok(&app.admin_token, "/api/v1/leads?status=new,working").await;
        let repeated = app.get_ok(&app.admin_token, "/api/v1/leads?status=new&status=working").await;
        assert_eq!(ids(&repeated), ids(&comma));
        let mut listed = ids(&repeated);
        listed.sort();
        let mut expected = vec![new, working];
        expected.sort();
        assert_eq!(listed, expected, "the disqualified lead is filtered out");
        // A parameter that takes one value still refuses two.
        app.get("/api/v1/leads?limit=1&limit=2").token(&app.admin_token).send().await.assert_problem(400, "bad_request");
        app.get("/api/v1/leads?q=a&q=b").token(&app.admin_token).send().await.assert_problem(400, "bad_request");
    }

    async fn a_rep_may_not_delete_a_pool_lead_and_it_stays(app) {
        let rep = app.user("rep", None, None).await;
        let id = id_of(&app.lead(&app.admin_token, json!({"name": "Pooled", "to_pool": true})).await);
        let before = app.fetch_lead(&id).await;
        app.delete(&format!("/api/v1/leads/{id}")).token(&rep.token).send().await.assert_problem(403, "forbidden");
        assert_eq!(app.fetch_lead(&id).await, before, "a refused delete changed the lead");
        assert_eq!(app.delete(&format!("/api/v1/leads/{id}")).token(&app.admin_token).send().await.status, 204);
    }

    async fn a_lead_sent_to_the_pool_with_an_owner_is_refused_on_owner_id(app) {
        let rep = app.user("rep", None, None).await;
        let res = app.post("/api/v1/leads").token(&app.admin_token)
            .json(json!({"name": "Both", "owner_id": rep.id, "to_pool": true})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["owner_id"]);
        assert_eq!(res.body["errors"][0]["code"], "conflict");
        assert_eq!(lead_count(&app).await, 0);
    }
}
