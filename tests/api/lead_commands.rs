//! Lead commands: every allowed transition, and every refused one changing nothing.

use crate::both_databases;
use crate::fixtures::id_of;
use crate::helpers::{TestApp, TestResponse};
use serde_json::{json, Value};

async fn command(app: &TestApp, token: &str, id: &str, name: &str, body: Option<Value>) -> TestResponse {
    app.post(&format!("/api/v1/leads/{id}/{name}")).token(token).maybe_json(body).send().await
}

/// A refused command answers 409 `invalid_transition` and leaves the lead as it was.
async fn refused(app: &TestApp, token: &str, id: &str, name: &str, body: Option<Value>) {
    let before = app.fetch_lead(id).await;
    let res = command(app, token, id, name, body).await;
    res.assert_problem(409, "invalid_transition");
    assert_eq!(app.fetch_lead(id).await, before, "a refused {name} changed the lead");
}

both_databases! {
    async fn start_moves_new_to_working_and_only_once(app) {
        let id = id_of(&app.lead(&app.admin_token, json!({"name": "A"})).await);
        let res = command(&app, &app.admin_token, &id, "start", None).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["status"], "working");
        assert_eq!(res.header("etag"), Some("W/\"2\""));
        refused(&app, &app.admin_token, &id, "start", None).await;
    }

    async fn qualify_needs_a_company_and_a_way_to_reach_the_person(app) {
        let id = id_of(&app.lead(&app.admin_token, json!({"name": "A"})).await);
        let res = command(&app, &app.admin_token, &id, "qualify", None).await;
        res.assert_problem(409, "invalid_transition");
        assert_eq!(res.error_fields(), vec!["company", "email or phone"]);
        assert_eq!(app.fetch_lead(&id).await["status"], "new");
        app.patch(&format!("/api/v1/leads/{id}")).token(&app.admin_token).json(json!({"company": "Acme", "phone": "13800138000"})).send().await;
        let res = command(&app, &app.admin_token, &id, "qualify", None).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["status"], "qualified");
        refused(&app, &app.admin_token, &id, "qualify", None).await;
        refused(&app, &app.admin_token, &id, "start", None).await;
        refused(&app, &app.admin_token, &id, "reopen", None).await;
    }

    async fn disqualify_needs_a_reason_and_reopen_brings_the_lead_back(app) {
        let id = id_of(&app.lead(&app.admin_token, json!({"name": "A"})).await);
        let res = command(&app, &app.admin_token, &id, "disqualify", Some(json!({}))).await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["reason"]);
        let res = command(&app, &app.admin_token, &id, "disqualify", Some(json!({"reason": "   "}))).await;
        res.assert_problem(422, "validation");
        let res = command(&app, &app.admin_token, &id, "disqualify", None).await;
        res.assert_problem(415, "unsupported_media_type");
        assert_eq!(app.fetch_lead(&id).await["status"], "new");
        let res = command(&app, &app.admin_token, &id, "disqualify", Some(json!({"reason": "no budget"}))).await;
        assert_eq!(res.status, 200);
        assert_eq!(res.body["status"], "disqualified");
        assert_eq!(res.body["disqualify_reason"], "no budget");
        refused(&app, &app.admin_token, &id, "disqualify", Some(json!({"reason": "again"}))).await;
        refused(&app, &app.admin_token, &id, "start", None).await;
        refused(&app, &app.admin_token, &id, "qualify", None).await;
        refused(&app, &app.admin_token, &id, "claim", None).await;
        let res = command(&app, &app.admin_token, &id, "reopen", None).await;
        assert_eq!(res.body["status"], "working");
        assert_eq!(res.body["disqualify_reason"], Value::Null);
        refused(&app, &app.admin_token, &id, "reopen", None).await;
    }

    async fn a_converted_lead_refuses_every_command(app) {
        let rep = app.user("rep", None, None).await;
        let id = id_of(&app.lead(&app.admin_token, json!({"name": "A", "company": "Acme", "email": "a@acme.cn"})).await);
        // Conversion arrives with accounts (capability 2); set the state it will leave behind.
        app.with_conn(|c| {
            use diesel::prelude::*;
            diesel::sql_query("UPDATE leads SET status = 'converted' WHERE id = $1")
                .bind::<diesel::sql_types::Text, _>(&id)
                .execute(c)
        }).expect("mark converted");
        for name in ["start", "qualify", "reopen", "release"] {
            refused(&app, &app.admin_token, &id, name, None).await;
        }
        refused(&app, &app.admin_token, &id, "disqualify", Some(json!({"reason": "x"}))).await;
        refused(&app, &app.admin_token, &id, "assign", Some(json!({"owner_id": rep.id}))).await;
    }

    async fn claim_release_and_the_pool(app) {
        let rep = app.user("rep", None, None).await;
        let id = id_of(&app.lead(&app.admin_token, json!({"name": "Pool", "to_pool": true})).await);
        refused(&app, &rep.token, &id, "start", None).await;
        refused(&app, &rep.token, &id, "release", None).await;
        let res = command(&app, &rep.token, &id, "claim", None).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["owner_id"], rep.id.as_str());
        refused(&app, &rep.token, &id, "claim", None).await;
        refused(&app, &app.admin_token, &id, "release", None).await;
        let res = command(&app, &rep.token, &id, "release", None).await;
        assert_eq!(res.status, 200);
        assert_eq!(res.body["owner_id"], Value::Null);
    }

    async fn assign_is_for_managers_within_their_scope(app) {
        let dept = app.department("East", None);
        let other_dept = app.department("West", None);
        let manager = app.user("manager", Some(&dept), None).await;
        let rep = app.user("rep", Some(&dept), Some(&manager.id)).await;
        let outsider = app.user("rep", Some(&other_dept), None).await;
        let id = id_of(&app.lead(&manager.token, json!({"name": "A", "to_pool": true})).await);
        let res = command(&app, &rep.token, &id, "assign", Some(json!({"owner_id": rep.id}))).await;
        res.assert_problem(403, "forbidden");
        let res = command(&app, &manager.token, &id, "assign", Some(json!({"owner_id": outsider.id}))).await;
        res.assert_problem(422, "validation");
        let res = command(&app, &manager.token, &id, "assign", Some(json!({"owner_id": "nobody"}))).await;
        res.assert_problem(422, "validation");
        assert_eq!(app.fetch_lead(&id).await["owner_id"], Value::Null);
        let res = command(&app, &manager.token, &id, "assign", Some(json!({"owner_id": rep.id}))).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["owner_id"], rep.id.as_str());
        refused(&app, &manager.token, &id, "assign", Some(json!({"owner_id": rep.id}))).await;
        let res = command(&app, &rep.token, &id, "start", None).await;
        assert_eq!(res.body["status"], "working");
    }

    async fn commands_honour_if_match(app) {
        let id = id_of(&app.lead(&app.admin_token, json!({"name": "A"})).await);
        let res = app.post(&format!("/api/v1/leads/{id}/start")).token(&app.admin_token).header("if-match", "W/\"7\"").send().await;
        res.assert_problem(412, "precondition_failed");
        assert_eq!(app.fetch_lead(&id).await["status"], "new");
        let res = app.post(&format!("/api/v1/leads/{id}/start")).token(&app.admin_token).header("if-match", "W/\"1\"").send().await;
        assert_eq!(res.status, 200);
    }

    async fn two_reps_claiming_one_pool_lead_at_once_make_exactly_one_owner(app) {
        for round in 0..5 {
            let a = app.user("rep", None, None).await;
            let b = app.user("rep", None, None).await;
            let id = id_of(&app.lead(&app.admin_token, json!({"name": format!("Contested {round}"), "to_pool": true})).await);
            let (ra, rb) = futures_util::future::join(
                command(&app, &a.token, &id, "claim", None),
                command(&app, &b.token, &id, "claim", None),
            )
            .await;
            let mut statuses = [ra.status.as_u16(), rb.status.as_u16()];
            statuses.sort();
            // The lead now belongs to the winner, outside the loser's scope: not found, as for any stranger's lead.
            assert_eq!(statuses, [200, 404], "round {round}: {} / {}", ra.body, rb.body);
            let loser = if ra.status == 200 { &rb } else { &ra };
            loser.assert_problem(404, "not_found");
            let winner = if ra.status == 200 { &a.id } else { &b.id };
            let lead = app.fetch_lead(&id).await;
            assert_eq!(lead["owner_id"], winner.as_str());
            assert_eq!(lead["version"], 2);
        }
    }

    async fn a_rep_gets_404_on_every_command_for_another_reps_lead(app) {
        // Claim included: an owned lead outside the scope must not read differently from an unknown id.
        let alice = app.user("rep", None, None).await;
        let bob = app.user("rep", None, None).await;
        let id = id_of(&app.lead(&alice.token, json!({"name": "Alice's lead"})).await);
        let before = app.fetch_lead(&id).await;
        for (name, body) in [
            ("start", None),
            ("disqualify", Some(json!({"reason": "not mine"}))),
            ("reopen", None),
            ("release", None),
            ("claim", None),
        ] {
            let res = command(&app, &bob.token, &id, name, body).await;
            res.assert_problem(404, "not_found");
            assert_eq!(app.fetch_lead(&id).await, before, "a refused {name} changed the lead");
        }
        let unknown = uuid::Uuid::now_v7().to_string();
        command(&app, &bob.token, &unknown, "claim", None).await.assert_problem(404, "not_found");
        // Assigning is for managers: a rep is refused on the role before the lead is looked up.
        let res = command(&app, &bob.token, &id, "assign", Some(json!({"owner_id": bob.id}))).await;
        res.assert_problem(403, "forbidden");
        assert_eq!(app.fetch_lead(&id).await, before, "a refused assign changed the lead");
    }

    async fn a_manager_gets_404_on_assigning_a_lead_outside_their_scope(app) {
        let east = app.department("East", None);
        let west = app.department("West", None);
        let east_manager = app.user("manager", Some(&east), None).await;
        let west_manager = app.user("manager", Some(&west), None).await;
        let rep = app.user("rep", Some(&east), Some(&east_manager.id)).await;
        let west_rep = app.user("rep", Some(&west), Some(&west_manager.id)).await;
        let id = id_of(&app.lead(&rep.token, json!({"name": "East lead"})).await);
        let before = app.fetch_lead(&id).await;
        let res = command(&app, &west_manager.token, &id, "assign", Some(json!({"owner_id": west_rep.id}))).await;
        res.assert_problem(404, "not_found");
        assert_eq!(app.fetch_lead(&id).await, before, "a refused assign changed the lead");
    }
}
