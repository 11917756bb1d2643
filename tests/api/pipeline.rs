//! Pipeline configuration: stages and their gates, loss reasons, competitors.

use crate::both_databases;
use crate::fixtures::{id_of, ids, pluck};
use crate::helpers::TestApp;
use serde_json::{json, Value};

/// The stage `key` as the admin reads it, asserting 200.
async fn stage(app: &TestApp, key: &str) -> Value {
    app.get_ok(&app.admin_token, &format!("/api/v1/pipeline-stages/{key}")).await
}

both_databases! {
    async fn the_default_stages_are_seeded_in_order(app) {
        let rep = app.user("rep", None, None).await;
        let res = app.get("/api/v1/pipeline-stages").token(&rep.token).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(pluck(&res.body, "key"), vec!["qualification", "needs_analysis", "proposal", "negotiation", "closed_won", "closed_lost"]);
        assert_eq!(res.body["next_cursor"], Value::Null);
        let res = app.get("/api/v1/pipeline-stages/proposal").token(&rep.token).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.header("etag"), Some("W/\"1\""));
        assert_eq!(res.body["probability_bps"], 5000);
        assert_eq!(res.body["forecast_category"], "best_case");
        assert_eq!(res.body["kind"], "open");
        assert_eq!(res.body["required_fields"], json!(["amount", "expected_close_date"]));
        assert_eq!(stage(&app, "closed_won").await["required_fields"], json!(["account_id", "amount"]));
        assert_eq!(stage(&app, "closed_lost").await["kind"], "lost");
        app.get("/api/v1/pipeline-stages/nope").token(&rep.token).send().await.assert_problem(404, "not_found");
    }

    async fn only_admins_configure_stages(app) {
        let manager = app.user("manager", None, None).await;
        let rep = app.user("rep", None, None).await;
        let body = json!({"key": "demo", "name": "Demo", "position": 15, "probability_bps": 2000, "forecast_category": "pipeline"});
        for token in [&manager.token, &rep.token] {
            app.post("/api/v1/pipeline-stages").token(token).json(body.clone()).send().await.assert_problem(403, "forbidden");
            app.patch("/api/v1/pipeline-stages/proposal").token(token).json(json!({"name": "X"})).send().await.assert_problem(403, "forbidden");
        }
        assert_eq!(stage(&app, "proposal").await["version"], 1);
    }

    async fn an_admin_adds_a_stage_and_new_opportunities_can_enter_it(app) {
        let res = app.post("/api/v1/pipeline-stages").token(&app.admin_token).json(json!({
            "key": "solution_design", "name": " Solution design ", "position": 25, "probability_bps": 4000,
            "forecast_category": "pipeline", "required_fields": ["contact_id", "next_step"]
        })).send().await;
        assert_eq!(res.status, 201, "{}", res.body);
        assert_eq!(res.header("location"), Some("/api/v1/pipeline-stages/solution_design"));
        assert_eq!(res.body["name"], "Solution design");
        assert_eq!(res.body["kind"], "open");
        assert_eq!(res.body["active"], true);
        let list = app.get("/api/v1/pipeline-stages").token(&app.admin_token).send().await;
        assert_eq!(pluck(&list.body, "key")[2], "solution_design");
        let rep = app.user("rep", None, None).await;
        let id = app.create_opportunity(&rep.token, json!({"name": "A"})).await;
        let res = app.post(&format!("/api/v1/opportunities/{id}/move")).token(&rep.token).json(json!({"stage": "solution_design"})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["contact_id", "next_step"]);
    }

    async fn stage_bodies_are_validated(app) {
        let base = json!({"key": "demo", "name": "Demo", "position": 15, "probability_bps": 2000, "forecast_category": "pipeline"});
        let with = |patch: Value| {
            let mut b = base.clone();
            for (k, v) in patch.as_object().expect("object") {
                b[k] = v.clone();
            }
            b
        };
        for (body, field) in [
            (with(json!({"key": "Demo Stage"})), "key"),
            (with(json!({"key": "proposal"})), "key"),
            (with(json!({"probability_bps": 10_001})), "probability_bps"),
            (with(json!({"probability_bps": -1})), "probability_bps"),
            (with(json!({"required_fields": ["amount", "budget"]})), "required_fields[1]"),
            (with(json!({"forecast_category": "closed"})), "forecast_category"),
            (with(json!({"name": ""})), "name"),
            (with(json!({"colour": "red"})), "colour"),
        ] {
            let res = app.post("/api/v1/pipeline-stages").token(&app.admin_token).json(body.clone()).send().await;
            res.assert_problem(422, "validation");
            assert_eq!(res.error_fields(), vec![field.to_owned()], "{body}");
        }
        // A second active won stage is a conflict; an inactive one is allowed.
        let res = app.post("/api/v1/pipeline-stages").token(&app.admin_token).json(with(json!({"key": "won_again", "kind": "won", "forecast_category": "closed", "probability_bps": 10_000}))).send().await;
        res.assert_problem(409, "conflict");
        let res = app.post("/api/v1/pipeline-stages").token(&app.admin_token).json(with(json!({"key": "won_again", "kind": "won", "forecast_category": "closed", "active": false}))).send().await;
        assert_eq!(res.status, 201, "{}", res.body);
        let res = app.patch("/api/v1/pipeline-stages/won_again").token(&app.admin_token).json(json!({"active": true})).send().await;
        res.assert_problem(409, "conflict");
        for (body, field) in [
            (json!({"kind": "lost"}), "kind"),
            (json!({"key": "x"}), "key"),
            (json!({"probability_bps": 20_000}), "probability_bps"),
            (json!({"required_fields": ["nope"]}), "required_fields[0]"),
            (json!({"name": null}), "name"),
        ] {
            let res = app.patch("/api/v1/pipeline-stages/proposal").token(&app.admin_token).json(body.clone()).send().await;
            res.assert_problem(422, "validation");
            assert_eq!(res.error_fields(), vec![field.to_owned()], "{body}");
        }
        // Lengths, and an open stage forecasting `closed`, with their codes.
        for (body, field, code) in [
            (with(json!({"name": "x".repeat(101)})), "name", "length"),
            (with(json!({"key": format!("k{}", "x".repeat(40))})), "key", "key"),
        ] {
            let res = app.post("/api/v1/pipeline-stages").token(&app.admin_token).json(body.clone()).send().await;
            res.assert_problem(422, "validation");
            assert_eq!(res.error_fields(), vec![field.to_owned()], "{body}");
            assert_eq!(res.body["errors"][0]["code"], code, "{body}");
        }
        for (body, field, code) in [
            (json!({"name": "x".repeat(101)}), "name", "length"),
            (json!({"forecast_category": "closed"}), "forecast_category", "invalid_value"),
        ] {
            let res = app.patch("/api/v1/pipeline-stages/proposal").token(&app.admin_token).json(body.clone()).send().await;
            res.assert_problem(422, "validation");
            assert_eq!(res.error_fields(), vec![field.to_owned()], "{body}");
            assert_eq!(res.body["errors"][0]["code"], code, "{body}");
        }
        let list = app.get("/api/v1/pipeline-stages?include_inactive=true").token(&app.admin_token).send().await;
        assert_eq!(list.status, 200, "{}", list.body);
        assert_eq!(pluck(&list.body, "key").len(), 7, "only won_again was added");
        app.patch("/api/v1/pipeline-stages/proposal").token(&app.admin_token).header("if-match", "W/\"7\"").json(json!({"name": "P"})).send().await.assert_problem(412, "precondition_failed");
        app.patch("/api/v1/pipeline-stages/nope").token(&app.admin_token).json(json!({"name": "P"})).send().await.assert_problem(404, "not_found");
        assert_eq!(stage(&app, "proposal").await["version"], 1);
    }

    async fn stage_changes_apply_to_new_moves_only(app) {
        let rep = app.user("rep", None, None).await;
        let moved = app.create_opportunity(&rep.token, json!({"name": "A", "stage": "needs_analysis"})).await;
        let res = app.patch("/api/v1/pipeline-stages/needs_analysis").token(&app.admin_token).header("if-match", "W/\"1\"")
            .json(json!({"probability_bps": 3000, "forecast_category": "best_case", "required_fields": ["next_step"]})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.header("etag"), Some("W/\"2\""));
        assert_eq!(res.body["required_fields"], json!(["next_step"]));
        // The opportunity already there keeps its probability.
        let o = app.get(&format!("/api/v1/opportunities/{moved}")).token(&rep.token).send().await;
        assert_eq!(o.body["probability_bps"], 2500);
        assert_eq!(o.body["forecast_category"], "pipeline");
        // New moves meet the new gate and take the new defaults.
        let id = app.create_opportunity(&rep.token, json!({"name": "B"})).await;
        let path = format!("/api/v1/opportunities/{id}/move");
        let res = app.post(&path).token(&rep.token).json(json!({"stage": "needs_analysis"})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["next_step"]);
        let res = app.patch(&format!("/api/v1/opportunities/{id}")).token(&rep.token).json(json!({"next_step": "Workshop"})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        let res = app.post(&path).token(&rep.token).json(json!({"stage": "needs_analysis"})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["probability_bps"], 3000);
        assert_eq!(res.body["forecast_category"], "best_case");
        // Gates can be removed again.
        let res = app.patch("/api/v1/pipeline-stages/proposal").token(&app.admin_token).json(json!({"required_fields": null})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["required_fields"], json!([]));
        let res = app.post(&path).token(&rep.token).json(json!({"stage": "proposal"})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
    }

    async fn stages_are_deactivated_not_deleted_and_never_under_open_deals(app) {
        let rep = app.user("rep", None, None).await;
        let id = app.create_opportunity(&rep.token, json!({"name": "A", "stage": "needs_analysis"})).await;
        let path = "/api/v1/pipeline-stages/needs_analysis";
        app.patch(path).token(&app.admin_token).json(json!({"active": false})).send().await.assert_problem(409, "conflict");
        app.patch("/api/v1/pipeline-stages/closed_won").token(&app.admin_token).json(json!({"active": false})).send().await.assert_problem(409, "conflict");
        app.patch("/api/v1/pipeline-stages/closed_lost").token(&app.admin_token).json(json!({"active": false})).send().await.assert_problem(409, "conflict");
        assert_eq!(app.post(&format!("/api/v1/opportunities/{id}/move")).token(&rep.token).json(json!({"stage": "qualification"})).send().await.status, 200);
        let res = app.patch(path).token(&app.admin_token).json(json!({"active": false})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["active"], false);
        let list = app.get("/api/v1/pipeline-stages").token(&rep.token).send().await;
        assert!(!pluck(&list.body, "key").contains(&"needs_analysis".to_owned()));
        let list = app.get("/api/v1/pipeline-stages?include_inactive=true").token(&rep.token).send().await;
        assert!(pluck(&list.body, "key").contains(&"needs_analysis".to_owned()));
        let res = app.post(&format!("/api/v1/opportunities/{id}/move")).token(&rep.token).json(json!({"stage": "needs_analysis"})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["stage"]);
        let res = app.post("/api/v1/opportunities").token(&rep.token).json(json!({"name": "B", "stage": "needs_analysis"})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["stage"]);
        assert_eq!(res.body["errors"][0]["code"], "inactive");
        // The opportunity now sits in the first stage, so that one cannot go.
        let res = app.patch("/api/v1/pipeline-stages/qualification").token(&app.admin_token).json(json!({"active": false})).send().await;
        res.assert_problem(409, "conflict");
        let audit = app.audit_trail(&app.admin_token, "pipeline_stage", "needs_analysis").await;
        assert_eq!(audit["data"][0]["changes"]["active"]["after"], false);
    }

    async fn loss_reasons_are_a_dictionary_admins_maintain(app) {
        let rep = app.user("rep", None, None).await;
        let manager = app.user("manager", None, None).await;
        let res = app.get("/api/v1/loss-reasons").token(&rep.token).send().await;
        assert_eq!(res.status, 200);
        assert_eq!(pluck(&res.body, "code").len(), 8);
        assert_eq!(pluck(&res.body, "code")[0], "price");
        let body = json!({"code": "lost_tender", "name": "Lost the tender", "position": 5});
        app.post("/api/v1/loss-reasons").token(&manager.token).json(body.clone()).send().await.assert_problem(403, "forbidden");
        app.post("/api/v1/loss-reasons").token(&rep.token).json(body.clone()).send().await.assert_problem(403, "forbidden");
        let res = app.post("/api/v1/loss-reasons").token(&app.admin_token).json(body.clone()).send().await;
        assert_eq!(res.status, 201, "{}", res.body);
        assert_eq!(res.header("location"), Some("/api/v1/loss-reasons/lost_tender"));
        let res = app.post("/api/v1/loss-reasons").token(&app.admin_token).json(body).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["code"]);
        assert_eq!(res.body["errors"][0]["code"], "taken");
        let res = app.post("/api/v1/loss-reasons").token(&app.admin_token).json(json!({"code": "Bad Code", "name": "x", "position": 1})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["code"]);
        let res = app.get("/api/v1/loss-reasons").token(&rep.token).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(pluck(&res.body, "code")[0], "lost_tender");
        app.patch("/api/v1/loss-reasons/price").token(&manager.token).json(json!({"name": "P"})).send().await.assert_problem(403, "forbidden");
        let res = app.patch("/api/v1/loss-reasons/price").token(&app.admin_token).header("if-match", "W/\"1\"").json(json!({"name": "Too expensive", "position": 99})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["name"], "Too expensive");
        assert_eq!(res.body["version"], 2);
        app.patch("/api/v1/loss-reasons/price").token(&app.admin_token).json(json!({"code": "x"})).send().await.assert_problem(422, "validation");
        // A blank name is `required`, an overlong one `length`: the create body's rules.
        for (name, code) in [("   ".to_owned(), "required"), ("x".repeat(101), "length")] {
            let res = app.patch("/api/v1/loss-reasons/price").token(&app.admin_token).json(json!({"name": name})).send().await;
            res.assert_problem(422, "validation");
            assert_eq!(res.error_fields(), vec!["name"]);
            assert_eq!(res.body["errors"][0]["code"], code);
        }
        let price = app.get("/api/v1/loss-reasons/price").token(&rep.token).send().await;
        assert_eq!(price.status, 200, "{}", price.body);
        assert_eq!(price.body["name"], "Too expensive");
        assert_eq!(price.body["version"], 2);
        // DELETE deactivates; the reason can no longer be chosen, and PATCH brings it back.
        app.delete("/api/v1/loss-reasons/timing").token(&rep.token).send().await.assert_problem(403, "forbidden");
        assert_eq!(app.delete("/api/v1/loss-reasons/timing").token(&app.admin_token).send().await.status, 204);
        assert_eq!(app.delete("/api/v1/loss-reasons/timing").token(&app.admin_token).send().await.status, 204);
        let res = app.get("/api/v1/loss-reasons/timing").token(&rep.token).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["active"], false);
        let res = app.get("/api/v1/loss-reasons").token(&rep.token).send().await;
        assert!(!pluck(&res.body, "code").contains(&"timing".to_owned()));
        let res = app.get("/api/v1/loss-reasons?include_inactive=true").token(&rep.token).send().await;
        assert_eq!(pluck(&res.body, "code").len(), 9);
        let id = app.create_opportunity(&rep.token, json!({"name": "A"})).await;
        let res = app.post(&format!("/api/v1/opportunities/{id}/lose")).token(&rep.token).json(json!({"loss_reason": "timing"})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["loss_reason"]);
        assert_eq!(res.body["errors"][0]["code"], "unknown");
        let res = app.patch("/api/v1/loss-reasons/timing").token(&app.admin_token).json(json!({"active": true})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["active"], true);
        let res = app.post(&format!("/api/v1/opportunities/{id}/lose")).token(&rep.token).json(json!({"loss_reason": "timing"})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        app.get("/api/v1/loss-reasons/nope").token(&rep.token).send().await.assert_problem(404, "not_found");
    }

    async fn competitors_are_a_dictionary_managers_maintain(app) {
        let rep = app.user("rep", None, None).await;
        let manager = app.user("manager", None, None).await;
        app.post("/api/v1/competitors").token(&rep.token).json(json!({"name": "SAP"})).send().await.assert_problem(403, "forbidden");
        let res = app.post("/api/v1/competitors").token(&manager.token).json(json!({"name": " SAP ", "website": "https://sap.com"})).send().await;
        assert_eq!(res.status, 201, "{}", res.body);
        let sap = id_of(&res.body);
        assert_eq!(res.header("location"), Some(format!("/api/v1/competitors/{sap}").as_str()));
        assert_eq!(res.body["name"], "SAP");
        assert_eq!(res.body["created_by"], manager.id.as_str());
        let res = app.post("/api/v1/competitors").token(&app.admin_token).json(json!({"name": "SAP"})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["name"]);
        let res = app.post("/api/v1/competitors").token(&app.admin_token).json(json!({"name": "Oracle"})).send().await;
        assert_eq!(res.status, 201, "{}", res.body);
        let oracle = id_of(&res.body);
        let res = app.get("/api/v1/competitors").token(&rep.token).send().await;
        assert_eq!(ids(&res.body), vec![sap.clone(), oracle.clone()]);
        let res = app.get("/api/v1/competitors?q=ora").token(&rep.token).send().await;
        assert_eq!(ids(&res.body), vec![oracle.clone()]);
        let res = app.get("/api/v1/competitors?limit=1").token(&rep.token).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(ids(&res.body), vec![sap.clone()]);
        let cursor = res.body["next_cursor"].as_str().expect("cursor").to_owned();
        let res = app.get(&format!("/api/v1/competitors?limit=1&cursor={cursor}")).token(&rep.token).send().await;
        assert_eq!(ids(&res.body), vec![oracle.clone()]);
        app.patch(&format!("/api/v1/competitors/{sap}")).token(&rep.token).json(json!({"notes": "x"})).send().await.assert_problem(403, "forbidden");
        let res = app.patch(&format!("/api/v1/competitors/{sap}")).token(&manager.token).header("if-match", "W/\"1\"").json(json!({"website": null, "notes": "ERP"})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["website"], Value::Null);
        assert_eq!(res.body["notes"], "ERP");
        let res = app.patch(&format!("/api/v1/competitors/{sap}")).token(&manager.token).json(json!({"name": "Oracle"})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["name"]);
        assert_eq!(res.body["errors"][0]["code"], "taken");
        let res = app.patch(&format!("/api/v1/competitors/{sap}")).token(&manager.token).json(json!({"name": null})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["name"]);
        assert_eq!(res.body["errors"][0]["code"], "required");
        let long_site = format!("https://{}.com", "x".repeat(500));
        let res = app.patch(&format!("/api/v1/competitors/{sap}")).token(&manager.token).json(json!({"website": long_site})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["website"]);
        assert_eq!(res.body["errors"][0]["code"], "length");
        let res = app.post("/api/v1/competitors").token(&manager.token).json(json!({"name": "Infor", "website": long_site})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["website"]);
        assert_eq!(res.body["errors"][0]["code"], "length");
        let sap_now = app.get(&format!("/api/v1/competitors/{sap}")).token(&rep.token).send().await;
        assert_eq!(sap_now.status, 200, "{}", sap_now.body);
        assert_eq!(sap_now.body["name"], "SAP");
        assert_eq!(sap_now.body["version"], 2);
        // DELETE deactivates: the competitor stays readable and listed on deals, but cannot be added to new ones.
        let id = app.create_opportunity(&rep.token, json!({"name": "A", "competitor_ids": [oracle]})).await;
        app.delete(&format!("/api/v1/competitors/{oracle}")).token(&rep.token).send().await.assert_problem(403, "forbidden");
        assert_eq!(app.delete(&format!("/api/v1/competitors/{oracle}")).token(&manager.token).send().await.status, 204);
        assert_eq!(app.get(&format!("/api/v1/competitors/{oracle}")).token(&rep.token).send().await.body["active"], false);
        let res = app.get("/api/v1/competitors").token(&rep.token).send().await;
        assert_eq!(ids(&res.body), vec![sap.clone()]);
        let res = app.get("/api/v1/competitors?include_inactive=true").token(&rep.token).send().await;
        assert_eq!(ids(&res.body).len(), 2);
        let o = app.get(&format!("/api/v1/opportunities/{id}")).token(&rep.token).send().await;
        assert_eq!(o.status, 200, "{}", o.body);
        assert_eq!(o.body["competitors"], json!([{"id": oracle, "name": "Oracle"}]));
        let res = app.post("/api/v1/opportunities").token(&rep.token).json(json!({"name": "B", "competitor_ids": [sap, oracle]})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["competitor_ids[1]"]);
        assert_eq!(res.body["errors"][0]["code"], "inactive");
        app.get("/api/v1/competitors/01900000-0000-7000-8000-00000000dead").token(&rep.token).send().await.assert_problem(404, "not_found");
    }

    async fn a_blank_dictionary_name_is_required_on_create_and_on_patch(app) {
        let stage = json!({"key": "demo", "name": "   ", "position": 15, "probability_bps": 2000, "forecast_category": "pipeline"});
        for (path, body) in [
            ("/api/v1/pipeline-stages", stage),
            ("/api/v1/loss-reasons", json!({"code": "demo", "name": "   ", "position": 1})),
            ("/api/v1/competitors", json!({"name": "   "})),
        ] {
            let res = app.post(path).token(&app.admin_token).json(body.clone()).send().await;
            res.assert_problem(422, "validation");
            assert_eq!(res.error_fields(), vec!["name"], "{path}");
            assert_eq!(res.body["errors"][0]["code"], "required", "{path}");
        }
        let res = app.post("/api/v1/competitors").token(&app.admin_token).json(json!({"name": "SAP"})).send().await;
        assert_eq!(res.status, 201, "{}", res.body);
        let sap = id_of(&res.body);
        for path in ["/api/v1/pipeline-stages/proposal".to_owned(), "/api/v1/loss-reasons/price".to_owned(), format!("/api/v1/competitors/{sap}")] {
            let res = app.patch(&path).token(&app.admin_token).json(json!({"name": " "})).send().await;
            res.assert_problem(422, "validation");
            assert_eq!(res.error_fields(), vec!["name"], "{path}");
            assert_eq!(res.body["errors"][0]["code"], "required", "{path}");
            let now = app.get_ok(&app.admin_token, &path).await;
            assert_eq!(now["version"], 1, "{path}: a refused patch changed the record");
        }
    }

    async fn the_last_active_open_stage_cannot_be_deactivated(app) {
        for key in ["qualification", "needs_analysis", "proposal"] {
            let res = app.patch(&format!("/api/v1/pipeline-stages/{key}")).token(&app.admin_token).json(json!({"active": false})).send().await;
            assert_eq!(res.status, 200, "{key}: {}", res.body);
        }
        let before = stage(&app, "negotiation").await;
        let res = app.patch("/api/v1/pipeline-stages/negotiation").token(&app.admin_token).json(json!({"active": false})).send().await;
        res.assert_problem(409, "conflict");
        assert_eq!(stage(&app, "negotiation").await, before, "a refused deactivation changed the stage");
        let list = app.get("/api/v1/pipeline-stages").token(&app.admin_token).send().await;
        assert!(pluck(&list.body, "key").contains(&"negotiation".to_owned()));
    }
}
