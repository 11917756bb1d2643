//! Cross-cutting behaviour: health, metrics, request ids, problem pages, the
//! schema drift check, migrations, and 503 when the database is gone.

use crate::both_databases;
use crate::helpers::{fresh_database, test_settings, Backend};
use actix_web::dev::Service;
use salesops_api::auth::jwt::JwtKeys;
use salesops_api::state::AppState;
use salesops_api::{build_app, openapi_document, startup};
use salesops_persistence::migrations;
use std::sync::Arc;
use std::time::Duration;

#[test]
fn committed_openapi_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json");
    let committed = std::fs::read_to_string(path).expect("openapi/openapi.json is committed");
    let generated = openapi_document().to_pretty_json().expect("serialize");
    assert!(
        committed.trim_end() == generated.trim_end(),
        "openapi/openapi.json is out of date; run `make openapi` and commit the result"
    );
}

#[test]
fn every_operation_has_an_id_one_tag_a_summary_and_error_responses() {
    let doc = serde_json::to_value(openapi_document()).expect("json");
    let paths = doc["paths"].as_object().expect("paths");
    assert!(paths.len() >= 15);
    for (path, item) in paths {
        for (method, op) in item.as_object().expect("item") {
            let where_ = format!("{method} {path}");
            assert!(op["operationId"].as_str().is_some_and(|s| s.contains('_')), "{where_}: operationId");
            assert_eq!(op["tags"].as_array().map(Vec::len), Some(1), "{where_}: one tag");
            assert!(op["summary"].as_str().is_some_and(|s| !s.is_empty()), "{where_}: summary");
            let responses = op["responses"].as_object().expect("responses");
            assert!(responses.contains_key("500") && responses.contains_key("503"), "{where_}: error responses");
            let public = path.ends_with("/auth/login") || path.ends_with("/auth/refresh");
            if !public {
                assert!(op["security"].as_array().is_some_and(|s| !s.is_empty()), "{where_}: bearer security");
                assert!(responses.contains_key("401"), "{where_}: 401");
            }
        }
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

fn migrations_run_up_down_and_up_again(backend: Backend) {
    let (url, _guard) = fresh_database(backend);
    let pool = startup::open_pool(&test_settings(&url)).expect("pool");
    let mut conn = pool.get().expect("connection");
    let up = migrations::run_pending(&mut conn).expect("up");
    assert!(up >= 1);
    assert_eq!(migrations::revert_all(&mut conn).expect("down"), up);
    assert_eq!(migrations::run_pending(&mut conn).expect("up again"), up);
}

#[test]
fn migrations_are_reversible_on_sqlite() {
    migrations_run_up_down_and_up_again(Backend::Sqlite);
}

#[test]
fn migrations_are_reversible_on_postgres() {
    migrations_run_up_down_and_up_again(Backend::Postgres);
}

#[actix_web::test]
async fn an_unreachable_database_answers_503_with_retry_after() {
    let mut settings = test_settings("postgres://postgres@127.0.0.1:1/none");
    settings.db_timeout = Duration::from_millis(300);
    let pool = startup::open_pool(&settings).expect("pool");
    let jwt = JwtKeys::new(crate::helpers::JWT_SECRET.as_bytes(), &settings);
    let (token, _) = jwt.issue("someone", "admin").expect("token");
    let state = AppState { pool, jwt: Arc::new(jwt), settings: Arc::new(settings) };
    let app = actix_web::test::init_service(build_app(state)).await;
    for path in ["/api/v1/leads", "/health/ready"] {
        let req = actix_web::test::TestRequest::get()
            .uri(path)
            .insert_header(("authorization", format!("Bearer {token}")))
            .to_request();
        let res = app.call(req).await.expect("response");
        assert_eq!(res.status(), 503, "{path}");
        assert_eq!(res.headers().get("retry-after").and_then(|v| v.to_str().ok()), Some("2"));
        let body: serde_json::Value = actix_web::test::read_body_json(res).await;
        assert_eq!(body["code"], "unavailable");
        assert!(!body["detail"].as_str().unwrap_or("").contains("127.0.0.1"), "no database text reaches the client");
    }
}

both_databases! {
    async fn health_metrics_and_problem_pages_answer(app) {
        assert_eq!(app.get("/health/live").send().await.status, 200);
        let ready = app.get("/health/ready").send().await;
        assert_eq!(ready.body["database"], "ok");
        app.get("/api/v1/leads").token(&app.admin_token).send().await;
        let metrics = app.get("/metrics").send().await;
        let text = metrics.body.as_str().expect("text");
        assert!(text.contains(r#"salesops_http_requests_total{method="GET",route="/api/v1/leads",status="200"} 1"#), "{text}");
        assert!(text.contains("salesops_http_request_duration_seconds_bucket"));
        for problem in salesops_api::error::PROBLEM_TYPES {
            let page = app.get(&format!("/problems/{}", problem.code)).send().await;
            assert_eq!(page.status, 200, "{}", problem.code);
            assert!(page.body.as_str().is_some_and(|b| b.contains(problem.explanation)), "{}", problem.code);
        }
        assert_eq!(app.get("/problems/no_such_problem").send().await.status, 404);
        let spec = app.get("/api/v1/openapi.json").send().await;
        assert_eq!(spec.body["info"]["title"], "salesops");
    }

    async fn request_ids_are_echoed_or_generated_and_reach_problem_bodies(app) {
        let res = app.get("/api/v1/nothing-here").header("x-request-id", "abc-123").send().await;
        res.assert_problem(404, "not_found");
        assert_eq!(res.header("x-request-id"), Some("abc-123"));
        assert_eq!(res.body["request_id"], "abc-123");
        let res = app.get("/health/live").send().await;
        assert!(res.header("x-request-id").is_some_and(|id| id.len() >= 32));
        let res = app.get("/health/live").header("x-request-id", "has spaces in it").send().await;
        assert_ne!(res.header("x-request-id"), Some("has spaces in it"));
    }
}
