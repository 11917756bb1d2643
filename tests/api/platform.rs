//! Cross-cutting behaviour: health, metrics, request ids, problem pages, the
//! schema drift check, migrations, and 503 when the database is gone.

use crate::both_databases;
use crate::helpers::{fresh_database, test_settings, Backend};
use actix_web::dev::Service;
use salesops_api::auth::jwt::JwtKeys;
use salesops_api::state::AppState;
use salesops_api::{build_app, openapi_document, startup};
use salesops_persistence::migrations;
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

type Schemas = serde_json::Map<String, serde_json::Value>;

/// Follow a `$ref` into `components.schemas`, or give the schema itself.
fn resolve<'a>(schemas: &'a Schemas, schema: &'a serde_json::Value) -> &'a serde_json::Value {
    match schema["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/schemas/")) {
        Some(name) => resolve(schemas, &schemas[name]),
        None => schema,
    }
}

/// The declared properties (name → schema) and required names of an object
/// schema, merging its `allOf` parts.
fn object_shape<'a>(
    schemas: &'a Schemas,
    schema: &'a serde_json::Value,
) -> (std::collections::BTreeMap<&'a str, &'a serde_json::Value>, std::collections::BTreeSet<&'a str>) {
    let schema = resolve(schemas, schema);
    let mut properties: std::collections::BTreeMap<&str, &serde_json::Value> =
        schema["properties"].as_object().into_iter().flatten().map(|(k, v)| (k.as_str(), v)).collect();
    let mut required: std::collections::BTreeSet<&str> =
        schema["required"].as_array().into_iter().flatten().filter_map(|n| n.as_str()).collect();
    for part in schema["allOf"].as_array().into_iter().flatten() {
        let (p, r) = object_shape(schemas, part);
        properties.extend(p);
        required.extend(r);
    }
    (properties, required)
}

/// Whether `value` is of the JSON type `name` (an integer is also a number).
fn has_type(value: &serde_json::Value, name: &str) -> bool {
    match name {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => true,
    }
}

/// Check an example value against its schema: object keys against the declared
/// and required properties, enum words, JSON types, `date`/`date-time` formats
/// (RFC 3339 in UTC), nested objects, arrays and maps. Problems go to `drift`.
fn check_example(
    schemas: &Schemas,
    schema: &serde_json::Value,
    value: &serde_json::Value,
    at: &str,
    drift: &mut Vec<String>,
) {
    let schema = resolve(schemas, schema);
    if let Some(alternatives) = schema["oneOf"].as_array() {
        if !value.is_null() {
            let non_null: Vec<_> = alternatives.iter().filter(|a| a["type"] != "null").collect();
            if let [only] = non_null.as_slice() {
                check_example(schemas, only, value, at, drift);
            }
        }
        return;
    }
    let types: Vec<&str> = match &schema["type"] {
        serde_json::Value::String(t) => vec![t.as_str()],
        serde_json::Value::Array(ts) => ts.iter().filter_map(|t| t.as_str()).collect(),
        _ => Vec::new(),
    };
    if !types.is_empty() && !types.iter().any(|t| has_type(value, t)) {
        drift.push(format!("{at}: {value} is not of type {types:?}"));
        return;
    }
    if let Some(words) = schema["enum"].as_array() {
        if !value.is_null() && !words.contains(value) {
            drift.push(format!("{at}: {value} is not one of {words:?}"));
        }
    }
    if let Some(text) = value.as_str() {
        let ok = match schema["format"].as_str() {
            Some("date-time") => {
                chrono::DateTime::parse_from_rfc3339(text).is_ok_and(|t| t.offset().local_minus_utc() == 0)
                    && text.ends_with('Z')
            }
            Some("date") => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok(),
            _ => true,
        };
        if !ok {
            drift.push(format!("{at}: `{text}` is not a {}", schema["format"]));
        }
    }
    if let Some(items) = value.as_array() {
        for (i, item) in items.iter().enumerate() {
            check_example(schemas, &schema["items"], item, &format!("{at}[{i}]"), drift);
        }
    }
    let Some(object) = value.as_object() else { return };
    let (properties, required) = object_shape(schemas, schema);
    if properties.is_empty() {
        if let Some(values) = schema.get("additionalProperties").filter(|v| v.is_object()) {
            for (key, item) in object {
                check_example(schemas, values, item, &format!("{at}.{key}"), drift);
            }
        }
        return;
    }
    for (key, item) in object {
        match properties.get(key.as_str()) {
            Some(property) => check_example(schemas, property, item, &format!("{at}.{key}"), drift),
            None => drift.push(format!("{at}: example key `{key}` is not a declared property")),
        }
    }
    for key in required.iter().filter(|k| !object.contains_key(**k)) {
        drift.push(format!("{at}: required property `{key}` is missing from the example"));
    }
}

#[test]
fn every_object_schema_has_an_example_that_matches_its_properties() {
    let doc = serde_json::to_value(openapi_document()).expect("json");
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    let mut missing = Vec::new();
    let mut drift = Vec::new();
    for (name, schema) in schemas {
        let is_object = schema["type"] == "object" || schema["allOf"].is_array();
        if !is_object || name.starts_with("Page_") {
            continue;
        }
        match schema.get("example") {
            None => missing.push(name.as_str()),
            Some(example) if !example.is_object() => drift.push(format!("{name}: the example is not a JSON object")),
            Some(example) => check_example(schemas, schema, example, name, &mut drift),
        }
    }
    assert!(
        missing.is_empty() && drift.is_empty(),
        "object schemas without a schema-level example: {missing:?}\nexamples that drifted from their schemas:\n{}",
        drift.join("\n")
    );
}

/// Every operation of the generated document, as (`METHOD path`, operation).
fn operations(doc: &serde_json::Value) -> Vec<(String, &serde_json::Value)> {
    let paths = doc["paths"].as_object().expect("paths");
    paths
        .iter()
        .flat_map(|(path, item)| {
            item.as_object().expect("item").iter().map(move |(method, op)| (format!("{method} {path}"), op))
        })
        .collect()
}

#[test]
fn the_schema_gives_client_generators_named_types_and_plain_shapes() {
    let doc = serde_json::to_value(openapi_document()).expect("json");
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    let mut odd = Vec::new();
    for (name, schema) in schemas.iter().filter(|(name, _)| name.starts_with("Page_")) {
        let item = &name["Page_".len()..];
        if schema["properties"]["data"]["items"]
            != serde_json::json!({ "$ref": format!("#/components/schemas/{item}") })
        {
            odd.push(format!("{name}: data.items is not a $ref to {item}"));
        }
    }
    for (where_, op) in operations(&doc) {
        for (media, content) in op["requestBody"]["content"].as_object().into_iter().flatten() {
            if content["schema"]["$ref"].as_str().is_none() {
                odd.push(format!("{where_}: the {media} body is not a $ref"));
            }
        }
        for param in op["parameters"].as_array().into_iter().flatten() {
            let name = param["name"].as_str().unwrap_or_default();
            if param["schema"]["type"].as_array().is_some_and(|t| t.contains(&"null".into())) {
                odd.push(format!("{where_}: parameter {name} may be null"));
            }
            let comma_list = param["description"].as_str().is_some_and(|d| d.starts_with("Comma-separated"));
            if comma_list && name != "sort" && (param["schema"]["type"] != "array" || param["explode"] != false) {
                odd.push(format!("{where_}: comma-list filter {name} is not an array with explode: false"));
            }
        }
        for (status, response) in op["responses"].as_object().expect("responses") {
            let problem = &response["content"]["application/problem+json"]["schema"]["$ref"];
            if status.as_str() >= "400" && problem != "#/components/schemas/Problem" {
                odd.push(format!("{where_}: the {status} response has no problem body"));
            }
        }
    }
    for (operation, parameter, _) in salesops_api::openapi::LIST_FILTERS {
        let found = operations(&doc).into_iter().any(|(_, op)| {
            op["operationId"] == *operation
                && op["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|p| p["name"] == *parameter && p["explode"] == false)
        });
        if !found {
            odd.push(format!("LIST_FILTERS names {operation} {parameter}, which is not in the document"));
        }
    }
    assert!(odd.is_empty(), "shapes that trip client generators:\n{}", odd.join("\n"));
}

#[test]
fn every_operation_has_a_description() {
    let doc = serde_json::to_value(openapi_document()).expect("json");
    let missing: Vec<&str> = operations(&doc)
        .into_iter()
        .filter(|(_, op)| op["description"].as_str().is_none_or(|d| d.trim().is_empty()))
        .map(|(_, op)| op["operationId"].as_str().unwrap_or("?"))
        .collect();
    assert!(
        missing.is_empty(),
        "operations without a description (the doc comment's text after its first line): {missing:?}"
    );
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
    let state = AppState::new(pool, jwt, settings);
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

#[actix_web::test]
async fn an_unreachable_database_fails_fast_after_a_failed_attempt_and_readiness_answers_within_a_second() {
    let mut settings = test_settings("postgres://postgres@127.0.0.1:1/none");
    settings.db_timeout = Duration::from_secs(3);
    settings.db_fail_fast = Duration::from_secs(30);
    let pool = startup::open_pool(&settings).expect("pool");
    let jwt = JwtKeys::new(crate::helpers::JWT_SECRET.as_bytes(), &settings);
    let (token, _) = jwt.issue("someone", "admin").expect("token");
    let app = actix_web::test::init_service(build_app(AppState::new(pool, jwt, settings))).await;
    let get = |path: &str| {
        actix_web::test::TestRequest::get()
            .uri(path)
            .insert_header(("authorization", format!("Bearer {token}")))
            .to_request()
    };
    // Readiness waits at most a second, though requests may wait three.
    let started = std::time::Instant::now();
    assert_eq!(app.call(get("/health/ready")).await.expect("response").status(), 503);
    assert!(started.elapsed() < Duration::from_millis(2500), "readiness took {:?}", started.elapsed());
    // That failure closed the gate: requests now get their 503 at once, without waiting on the pool.
    let started = std::time::Instant::now();
    let res = app.call(get("/api/v1/leads")).await.expect("response");
    assert_eq!(res.status(), 503);
    // Well under the 3 s a request would otherwise wait, with room for a loaded machine.
    assert!(started.elapsed() < Duration::from_millis(1500), "the second request took {:?}", started.elapsed());
    assert_eq!(app.call(get("/health/ready")).await.expect("response").status(), 503);
}

#[test]
fn start_up_retries_an_unreachable_database_until_its_wait_runs_out() {
    let mut settings = test_settings("postgres://postgres@127.0.0.1:1/none");
    settings.db_startup_wait = Duration::from_secs(2);
    let started = std::time::Instant::now();
    let err = startup::prepare(settings).err().expect("start-up fails without a database");
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(2), "gave up after {waited:?}, before its wait");
    assert!(waited < Duration::from_secs(10), "kept trying for {waited:?}");
    assert!(err.to_string().contains("not reachable after"), "{err}");
    // With no wait it fails on the first try.
    let mut settings = test_settings("postgres://postgres@127.0.0.1:1/none");
    settings.db_startup_wait = Duration::ZERO;
    let err = startup::prepare(settings).err().expect("fails");
    assert!(err.to_string().contains("after 1 attempts"), "{err}");
}

/// A pool whose connections are all lent out answers 503, but is not taken for a
/// database outage: the next request, once a connection is free, is served.
async fn a_busy_pool_is_not_taken_for_an_outage(backend: Backend) {
    let app = crate::helpers::TestApp::spawn_with(backend, |s| {
        s.pool_size = 2;
        s.db_timeout = Duration::from_millis(500);
    })
    .await;
    let held: Vec<_> = (0..2).map(|_| app.state.pool.get().expect("a connection")).collect();
    app.get("/api/v1/leads").token(&app.admin_token).send().await.assert_problem(503, "unavailable");
    drop(held);
    let res = app.get("/api/v1/leads").token(&app.admin_token).send().await;
    assert_eq!(res.status, 200, "a busy pool closed the gate: {}", res.body);
}

#[actix_web::test]
async fn a_busy_pool_is_not_taken_for_an_outage_on_sqlite() {
    a_busy_pool_is_not_taken_for_an_outage(Backend::Sqlite).await
}

#[actix_web::test]
async fn a_busy_pool_is_not_taken_for_an_outage_on_postgres() {
    a_busy_pool_is_not_taken_for_an_outage(Backend::Postgres).await
}

both_databases! {
    async fn a_stalled_request_body_is_408_within_the_body_timeout(app) {
        use std::io::{Read, Write};
        let mut settings = (*app.state.settings).clone();
        settings.body_timeout = Duration::from_secs(1);
        let state = AppState { settings: std::sync::Arc::new(settings), ..app.state.clone() };
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("address");
        let server = actix_web::HttpServer::new(move || build_app(state.clone()))
            .workers(1)
            .listen(listener)
            .expect("listen")
            .run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        // Send the head and a few bytes of a 100-byte body, then stall.
        let (answer, waited) = actix_web::rt::task::spawn_blocking(move || {
            let mut stream = std::net::TcpStream::connect(addr).expect("connect");
            stream.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
            stream
                .write_all(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"email\":")
                .expect("write");
            let started = std::time::Instant::now();
            let mut answer = vec![0u8; 4096];
            let n = stream.read(&mut answer).unwrap_or(0);
            (String::from_utf8_lossy(&answer[..n]).into_owned(), started.elapsed())
        })
        .await
        .expect("the client ran");
        handle.stop(false).await;
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(answer.contains("application/problem+json") && answer.contains("request_timeout"), "{answer}");
        assert!(waited < Duration::from_secs(10), "answered after {waited:?}");
    }

    async fn a_write_that_finds_the_storage_full_is_507_and_readiness_probes_a_write_before_answering(app) {
        use salesops_api::app::AppError;
        let failed = salesops_api::db::write(&app.state, |_| -> Result<(), AppError> {
            Err(AppError::StorageFull("database or disk is full".into()))
        })
        .await
        .expect_err("the write fails");
        let response = actix_web::ResponseError::error_response(&failed);
        assert_eq!(response.status().as_u16(), 507);
        assert!(app.state.writes.storage_full(), "the failure is noted for readiness");
        // No traffic reaches an unready replica, so readiness tries a write itself; here the
        // storage has room again, so the probe succeeds and the replica is ready.
        assert_eq!(app.get("/health/ready").send().await.status, 200);
        assert!(!app.state.writes.storage_full());
        // A failure and then a successful write clear it too.
        let _ = salesops_api::db::write(&app.state, |_| -> Result<(), AppError> {
            Err(AppError::StorageFull("database or disk is full".into()))
        })
        .await;
        let res = app.post("/api/v1/leads").token(&app.admin_token).json(serde_json::json!({"name": "After"})).send().await;
        assert_eq!(res.status, 201, "{}", res.body);
        assert!(!app.state.writes.storage_full());
    }

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

/// The pool lends connections without pinging them; a connection the database dropped
/// fails the one request that meets it, diesel marks it broken, and the pool replaces it.
#[actix_web::test]
async fn a_connection_the_database_dropped_fails_one_request_and_is_replaced() {
    use diesel::{Connection, PgConnection, RunQueryDsl};
    #[derive(diesel::QueryableByName)]
    struct Pid {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        pid: i32,
    }
    let app = crate::helpers::TestApp::spawn_with(Backend::Postgres, |s| s.pool_size = 1).await;
    assert_eq!(app.get("/api/v1/leads").token(&app.admin_token).send().await.status, 200);
    let pid = app
        .with_conn(|c| diesel::sql_query("SELECT pg_backend_pid() AS pid").get_result::<Pid>(c))
        .expect("the pooled connection's backend")
        .pid;
    let mut admin = PgConnection::establish(&crate::helpers::postgres_base_url()).expect("a direct connection");
    diesel::sql_query(format!("SELECT pg_terminate_backend({pid})")).execute(&mut admin).expect("terminate it");

    let first = app.get("/api/v1/leads").token(&app.admin_token).send().await;
    assert!(first.status.is_server_error(), "the dropped connection's request: {} {}", first.status, first.body);
    for _ in 0..2 {
        let res = app.get("/api/v1/leads").token(&app.admin_token).send().await;
        assert_eq!(res.status, 200, "a new connection serves the next requests: {}", res.body);
    }
}
