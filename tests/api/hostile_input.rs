//! Hostile text, driven by the OpenAPI document: every operation's string
//! parameters and body fields get a NUL, and every answer must be the
//! documented 4xx problem, never a 500 (PostgreSQL refuses NUL in text) and
//! never a stored record (SQLite would keep it). Operations added later are
//! covered without a new test.

use crate::both_databases;
use crate::helpers::{TestApp, TestResponse};
use actix_web::http::Method;
use serde_json::{json, Map, Value};

/// One probe: what was sent, and the answer it must get.
struct Probe {
    method: Method,
    uri: String,
    body: Option<Value>,
    status: u16,
    code: &'static str,
}

fn schema_of<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let name = reference.rsplit('/').next().unwrap_or_default();
            &doc["components"]["schemas"][name]
        }
        None => schema,
    }
}

/// Whether a schema (or any branch of it) accepts a string.
fn takes_text(doc: &Value, schema: &Value) -> bool {
    let schema = schema_of(doc, schema);
    let is_string = |t: &Value| t == "string";
    match &schema["type"] {
        Value::String(_) => is_string(&schema["type"]),
        Value::Array(types) => types.iter().any(is_string),
        _ => ["oneOf", "anyOf"]
            .iter()
            .any(|k| schema[*k].as_array().is_some_and(|branches| branches.iter().any(|b| takes_text(doc, b)))),
    }
}

/// Every probe the document asks for: a NUL in each path parameter (404),
/// in each query parameter (400), and in each string field of the JSON body (422).
fn probes(doc: &Value) -> Vec<Probe> {
    let mut out = Vec::new();
    let empty = Map::new();
    for (path, item) in doc["paths"].as_object().unwrap_or(&empty) {
        for (verb, op) in item.as_object().unwrap_or(&empty) {
            let Ok(method) = verb.to_uppercase().parse::<Method>() else { continue };
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let with_ids = |nul_in: Option<&str>| {
                let mut uri = path.clone();
                for p in params.iter().filter(|p| p["in"] == "path") {
                    let name = p["name"].as_str().unwrap_or_default();
                    let value =
                        if nul_in == Some(name) { "a%00b".to_owned() } else { uuid::Uuid::now_v7().to_string() };
                    uri = uri.replace(&format!("{{{name}}}"), &value);
                }
                uri
            };
            for p in &params {
                let name = p["name"].as_str().unwrap_or_default();
                match p["in"].as_str() {
                    Some("path") => out.push(Probe {
                        method: method.clone(),
                        uri: with_ids(Some(name)),
                        body: None,
                        status: 404,
                        code: "not_found",
                    }),
                    Some("query") if takes_text(doc, &p["schema"]) || p["schema"]["type"] == "array" => {
                        out.push(Probe {
                            method: method.clone(),
                            uri: format!("{}?{name}=x%00y", with_ids(None)),
                            body: None,
                            status: 400,
                            code: "bad_request",
                        })
                    }
                    _ => {}
                }
            }
            let Some(schema) = op["requestBody"]["content"]["application/json"]["schema"]
                .as_object()
                .or_else(|| op["requestBody"]["content"]["application/merge-patch+json"]["schema"].as_object())
            else {
                continue;
            };
            let schema = Value::Object(schema.clone());
            let body_schema = schema_of(doc, &schema);
            for (field, field_schema) in body_schema["properties"].as_object().unwrap_or(&empty) {
                if takes_text(doc, field_schema) {
                    out.push(Probe {
                        method: method.clone(),
                        uri: with_ids(None),
                        body: Some(json!({ field: "a\u{0}b" })),
                        status: 422,
                        code: "validation",
                    });
                }
            }
        }
    }
    out
}

/// How many audit events are stored: every write records one, so an unchanged count means nothing was written.
fn audit_events(app: &TestApp) -> i64 {
    use diesel::{QueryDsl, RunQueryDsl};
    app.with_conn(|c| salesops_persistence::schema::audit_events::table.count().get_result(c))
        .expect("count audit events")
}

async fn send(app: &TestApp, probe: &Probe) -> TestResponse {
    let mut req = app.request(probe.method.clone(), &probe.uri).token(&app.admin_token);
    if let Some(body) = &probe.body {
        let content_type =
            if probe.method == Method::PATCH { "application/merge-patch+json" } else { "application/json" };
        req = req.json(body.clone()).header("content-type", content_type);
    }
    req.send().await
}

both_databases! {
    async fn a_nul_in_any_string_of_any_operation_is_a_4xx_problem_and_changes_nothing(app) {
        let doc = serde_json::to_value(salesops_api::openapi_document()).expect("the document as JSON");
        let probes = probes(&doc);
        assert!(probes.len() > 150, "the document yields only {} probes", probes.len());
        let audit_before = audit_events(&app);
        let mut failures = Vec::new();
        for probe in &probes {
            let res = send(&app, probe).await;
            let fields_ok = probe.status != 422
                || res.body["errors"].as_array().is_some_and(|e| e.iter().all(|e| e["code"] == "invalid_character"));
            if res.status.as_u16() != probe.status
                || res.body["code"] != probe.code
                || res.header("content-type") != Some("application/problem+json")
                || !fields_ok
            {
                failures.push(format!("{} {} {:?}: {} {}", probe.method, probe.uri, probe.body, res.status, res.body));
            }
        }
        assert!(failures.is_empty(), "{} of {} probes answered otherwise:\n{}", failures.len(), probes.len(), failures.join("\n"));
        assert_eq!(audit_events(&app), audit_before, "a refused probe wrote something");
    }

    async fn a_nul_at_login_is_refused_before_the_database(app) {
        let res = app.post("/api/v1/auth/login").json(json!({"email": "a\u{0}@example.com", "password": "x"})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.body["errors"][0]["field"], "email");
        assert_eq!(res.body["errors"][0]["code"], "invalid_character");
        app.get("/api/v1/leads/%00").token(&app.admin_token).send().await.assert_problem(404, "not_found");
        app.get("/api/v1/leads?q=%00").token(&app.admin_token).send().await.assert_problem(400, "bad_request");
        // Tab, CR and LF are text, not controls.
        let res = app.post("/api/v1/leads").token(&app.admin_token).json(json!({"name": "Tab\tand\r\nnewline"})).send().await;
        assert_eq!(res.status, 201, "{}", res.body);
    }

    async fn a_cursor_hiding_a_nul_is_a_bad_request(app) {
        use base64::Engine;
        let cursor = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"after":"a\u0000b"}"#);
        app.get(&format!("/api/v1/accounts?cursor={cursor}")).token(&app.admin_token).send().await.assert_problem(400, "bad_request");
    }

    async fn a_path_id_that_is_not_a_uuid_is_not_found(app) {
        for path in ["/api/v1/leads/not-an-id", "/api/v1/accounts/42", "/api/v1/opportunities/x/history", "/api/v1/users/admin"] {
            app.get(path).token(&app.admin_token).send().await.assert_problem(404, "not_found");
        }
        let res = app.post("/api/v1/leads/not-an-id/qualify").token(&app.admin_token).send().await;
        res.assert_problem(404, "not_found");
        // A well-formed id in upper case names the same record.
        let lead = app.lead(&app.admin_token, json!({"name": "Upper"})).await;
        let id = lead["id"].as_str().expect("id").to_uppercase();
        assert_eq!(app.get(&format!("/api/v1/leads/{id}")).token(&app.admin_token).send().await.status, 200);
    }

    async fn a_made_up_currency_is_refused_wherever_money_is_given(app) {
        let res = app.post("/api/v1/opportunities").token(&app.admin_token)
            .json(json!({"name": "Z", "amount": {"amount": 100, "currency": "ZZZ"}})).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["amount.currency"]);
        app.get("/api/v1/reports/forecast?currency=ZZZ").token(&app.admin_token).send().await.assert_problem(400, "bad_request");
        let res = app.post("/api/v1/opportunities").token(&app.admin_token)
            .json(json!({"name": "H", "amount": {"amount": 100, "currency": "HKD"}})).send().await;
        assert_eq!(res.status, 201, "{}", res.body);
    }

    async fn an_id_filter_that_is_not_a_uuid_is_a_bad_request(app) {
        for path in [
            "/api/v1/leads?owner_id=nobody",
            "/api/v1/accounts?pool_id=default",
            "/api/v1/activities?lead_id=42",
            "/api/v1/opportunities?account_id=acme",
            "/api/v1/reports/funnel?department_id=sales",
            "/api/v1/users?department_id=x",
        ] {
            app.get(path).token(&app.admin_token).send().await.assert_problem(400, "bad_request");
        }
        let path = format!("/api/v1/leads?owner_id={}", uuid::Uuid::now_v7());
        assert_eq!(app.get(&path).token(&app.admin_token).send().await.status, 200, "a well-formed id filters");
    }
}
