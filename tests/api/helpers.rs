//! The test harness: a fresh database per test (a SQLite file, or a PostgreSQL
//! schema), the real application in-process, request builders, and records
//! inserted directly. Records made through the API and JSON reading are in
//! [`crate::fixtures`].

use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::{Method, StatusCode};
use actix_web::test::TestRequest;
use diesel::{Connection, PgConnection, RunQueryDsl};
use futures_util::future::LocalBoxFuture;
use salesops_api::auth::password;
use salesops_api::config::{Secret, Settings};
use salesops_api::state::AppState;
use salesops_api::{build_app, startup};
use salesops_domain::opportunity::ForecastCategory;
use salesops_persistence::accounts::{self, AccountRow};
use salesops_persistence::contacts::{self, ContactRow};
use salesops_persistence::departments::{self, DepartmentRow};
use salesops_persistence::opportunities::{self, OpportunityRow};
use salesops_persistence::users::{self, UserRow};
use serde_json::Value;
use std::path::PathBuf;
use std::rc::Rc;

/// The admin every test app starts with.
pub const ADMIN_EMAIL: &str = "admin@test.local";
/// Its password.
pub const ADMIN_PASSWORD: &str = "admin-password-1";
/// The password of every user made by [`TestApp::user`].
pub const USER_PASSWORD: &str = "user-password-1";
/// The pool the first migration seeds, flagged as the default.
pub const DEFAULT_POOL_ID: &str = "01900000-0000-7000-8000-000000000001";
/// The JWT secret of test apps.
pub const JWT_SECRET: &str = "test-secret-that-is-long-enough-for-hs256";

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

type Call = Rc<dyn Fn(actix_http::Request) -> LocalBoxFuture<'static, ServiceResponse>>;

/// A running application over its own database.
pub struct TestApp {
    pub state: AppState,
    call: Call,
    pub admin_token: String,
    // Last, so the pool closes before the database is removed; `None` on a replica.
    _database: Option<CleanupGuard>,
}

enum Cleanup {
    SqliteDir(PathBuf),
    PostgresSchema { base_url: String, schema: String },
}

/// The PostgreSQL server the tests use; the run fails, never skips, when it is unreachable.
pub fn postgres_base_url() -> String {
    std::env::var("SALESOPS_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// A database URL of its own (a SQLite file or a PostgreSQL schema), removed when the guard drops.
pub fn fresh_database(backend: Backend) -> (String, CleanupGuard) {
    let tag = uuid::Uuid::new_v4().simple().to_string();
    match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(format!("salesops-test-{tag}"));
            std::fs::create_dir_all(&dir).expect("create a temp dir");
            let url = format!("sqlite://{}", dir.join("test.db").display());
            (url, CleanupGuard(Cleanup::SqliteDir(dir)))
        }
        Backend::Postgres => {
            let base_url = postgres_base_url();
            let mut conn = PgConnection::establish(&base_url).unwrap_or_else(|e| {
                panic!("PostgreSQL is unreachable at {base_url} ({e}); start it or set SALESOPS_TEST_POSTGRES_URL")
            });
            let schema = format!("t_{tag}");
            diesel::sql_query(format!("CREATE SCHEMA {schema}")).execute(&mut conn).expect("create schema");
            let sep = if base_url.contains('?') { '&' } else { '?' };
            let url = format!("{base_url}{sep}options=-csearch_path%3D{schema}");
            (url, CleanupGuard(Cleanup::PostgresSchema { base_url, schema }))
        }
    }
}

/// Removes a test database when dropped.
pub struct CleanupGuard(Cleanup);

impl Drop for CleanupGuard {
    fn drop(&mut self) {
        match &self.0 {
            Cleanup::SqliteDir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::PostgresSchema { base_url, schema } => {
                if let Ok(mut conn) = PgConnection::establish(base_url) {
                    let _ = diesel::sql_query(format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).execute(&mut conn);
                }
            }
        }
    }
}

/// Settings for a test app over `url`.
pub fn test_settings(url: &str) -> Settings {
    Settings {
        database_url: url.to_owned(),
        pool_size: 4,
        jwt_secret: Some(Secret::new(JWT_SECRET)),
        bootstrap_admin_email: Some(ADMIN_EMAIL.to_owned()),
        bootstrap_admin_password: Some(Secret::new(ADMIN_PASSWORD)),
        login_max_failures: 3,
        ..Settings::default()
    }
}

/// A user made for a test, logged in.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: String,
    pub email: String,
    pub token: String,
}

impl TestApp {
    /// Start an app on a fresh database of `backend`.
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Start an app with adjusted settings.
    pub async fn spawn_with(backend: Backend, adjust: impl FnOnce(&mut Settings)) -> TestApp {
        let (url, guard) = fresh_database(backend);
        let mut settings = test_settings(&url);
        adjust(&mut settings);
        let mut app = Self::serve(settings, Some(guard)).await;
        app.admin_token = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        app
    }

    /// A second app over this app's database, as another replica behind the same load
    /// balancer would be: same settings but for `adjust`, a process state of its own
    /// (its own pool and caller cache). The first app owns the database.
    pub async fn replica(&self, adjust: impl FnOnce(&mut Settings)) -> TestApp {
        let mut settings = (*self.state.settings).clone();
        adjust(&mut settings);
        let mut app = Self::serve(settings, None).await;
        app.admin_token = self.admin_token.clone();
        app
    }

    async fn serve(settings: Settings, database: Option<CleanupGuard>) -> TestApp {
        let state = startup::prepare(settings).expect("the app starts");
        let service = Rc::new(actix_web::test::init_service(build_app(state.clone())).await);
        let call: Call = Rc::new(move |req| {
            let service = service.clone();
            Box::pin(async move {
                match service.call(req).await {
                    Ok(res) => res.map_into_boxed_body(),
                    Err(e) => panic!("the service failed outside the error envelope: {e}"),
                }
            })
        });
        TestApp { state, call, admin_token: String::new(), _database: database }
    }

    /// Log in and return the access token; panics unless the login succeeds.
    pub async fn login(&self, email: &str, password: &str) -> String {
        let res = self
            .post("/api/v1/auth/login")
            .json(serde_json::json!({ "email": email, "password": password }))
            .send()
            .await;
        assert_eq!(res.status, StatusCode::OK, "login of {email} failed: {}", res.body);
        res.body["access_token"].as_str().expect("access_token").to_owned()
    }

    /// A request builder.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder<'_> {
        RequestBuilder { app: self, req: TestRequest::default().method(method).uri(path), body: None }
    }

    pub fn get(&self, path: &str) -> RequestBuilder<'_> {
        self.request(Method::GET, path)
    }

    pub fn post(&self, path: &str) -> RequestBuilder<'_> {
        self.request(Method::POST, path)
    }

    pub fn patch(&self, path: &str) -> RequestBuilder<'_> {
        self.request(Method::PATCH, path)
    }

    pub fn put(&self, path: &str) -> RequestBuilder<'_> {
        self.request(Method::PUT, path)
    }

    pub fn delete(&self, path: &str) -> RequestBuilder<'_> {
        self.request(Method::DELETE, path)
    }

    /// Run blocking database work against the app's pool.
    pub fn with_conn<T>(&self, f: impl FnOnce(&mut salesops_persistence::DbConnection) -> T) -> T {
        let mut conn = self.state.pool.get().expect("a connection");
        f(&mut conn)
    }

    /// Insert a department directly (fixtures do not depend on the API under test). Like
    /// the app's own writes to the organisation, it empties this app's caller cache.
    pub fn department(&self, name: &str, parent_id: Option<&str>) -> String {
        let row = DepartmentRow::new(name, parent_id, None);
        self.with_conn(|c| departments::insert(c, &row)).expect("insert department");
        self.state.callers.invalidate();
        row.id
    }

    /// Insert an active user directly and log them in. Like the app's own writes to the
    /// organisation, it empties this app's caller cache (a manager now sees the new report).
    pub async fn user(&self, role: &str, department_id: Option<&str>, manager_id: Option<&str>) -> TestUser {
        let tag = salesops_domain::new_id();
        let email = format!("{role}-{}@test.local", &tag[tag.len() - 12..]);
        let hash = password::hash(USER_PASSWORD).expect("hash");
        let row = UserRow {
            department_id: department_id.map(str::to_owned),
            manager_id: manager_id.map(str::to_owned),
            ..UserRow::new(&email, &format!("Test {role}"), role.parse().expect("a role"), &hash, None)
        };
        self.with_conn(|c| users::insert(c, &row)).expect("insert user");
        self.state.callers.invalidate();
        let token = self.login(&email, USER_PASSWORD).await;
        TestUser { id: row.id, email, token }
    }

    /// Insert an account owned by `owner_id` directly (`None`: in the default pool); returns its id.
    pub fn account(&self, name: &str, owner_id: Option<&str>) -> String {
        let pool = owner_id.is_none().then_some(DEFAULT_POOL_ID);
        let row = AccountRow::new(name, owner_id, pool, owner_id);
        self.with_conn(|c| accounts::insert(c, &row)).expect("insert account");
        row.id
    }

    /// Insert a contact at `account_id` directly; returns its id.
    pub fn contact(&self, account_id: &str, name: &str) -> String {
        let row = ContactRow::new(account_id, name, None);
        self.with_conn(|c| contacts::insert(c, &row)).expect("insert contact");
        row.id
    }

    /// Insert an open CNY opportunity in `qualification` directly; `adjust` may change the row first. Returns its id.
    pub fn opportunity(
        &self,
        owner_id: &str,
        account_id: Option<&str>,
        adjust: impl FnOnce(&mut OpportunityRow),
    ) -> String {
        let mut row =
            OpportunityRow::new("Test deal", owner_id, "CNY", "qualification", 1000, ForecastCategory::Pipeline, None);
        row.account_id = account_id.map(str::to_owned);
        adjust(&mut row);
        self.with_conn(|c| {
            opportunities::insert(c, &row)?;
            // What the app keeps for the funnel, as its stage commands would.
            salesops_persistence::pipeline::refresh_funnel_columns(c, &row.id)
        })
        .expect("insert opportunity");
        row.id
    }

    /// Run an `UPDATE` with `$1` bound to `word` and `$2` to `id`, past every check of the
    /// app, to store what a hand-edited or newer database might hold; asserts that one row changed.
    pub fn store_raw_word(&self, sql: &str, word: &str, id: &str) {
        use diesel::sql_types::Text;
        let changed = self
            .with_conn(|c| diesel::sql_query(sql).bind::<Text, _>(word).bind::<Text, _>(id).execute(c))
            .expect("raw update");
        assert_eq!(changed, 1, "{sql} changed {changed} rows");
    }
}

/// A request under construction.
pub struct RequestBuilder<'a> {
    app: &'a TestApp,
    req: TestRequest,
    body: Option<Vec<u8>>,
}

impl RequestBuilder<'_> {
    pub fn token(mut self, token: &str) -> Self {
        self.req = self.req.insert_header(("authorization", format!("Bearer {token}")));
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.req = self.req.insert_header((name.to_owned(), value.to_owned()));
        self
    }

    /// Send as if from this peer address (`ip:port`), for client-address throttling.
    pub fn peer(mut self, addr: &str) -> Self {
        self.req = self.req.peer_addr(addr.parse().expect("a socket address"));
        self
    }

    /// Add a header even when one of that name is already set, for duplicate-header probes.
    pub fn append_header(mut self, name: &str, value: &str) -> Self {
        self.req = self.req.append_header((name.to_owned(), value.to_owned()));
        self
    }

    pub fn json(mut self, body: Value) -> Self {
        self.req = self.req.insert_header(("content-type", "application/json"));
        self.body = Some(serde_json::to_vec(&body).expect("json"));
        self
    }

    /// A JSON body when there is one; no body at all otherwise.
    pub fn maybe_json(self, body: Option<Value>) -> Self {
        match body {
            Some(body) => self.json(body),
            None => self,
        }
    }

    /// A raw body with no content type set.
    pub fn raw(mut self, body: &[u8]) -> Self {
        self.body = Some(body.to_vec());
        self
    }

    pub async fn send(self) -> TestResponse {
        let mut req = self.req;
        if let Some(body) = self.body {
            req = req.set_payload(body);
        }
        let res = (self.app.call)(req.to_request()).await;
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = actix_web::body::to_bytes(res.into_body()).await.unwrap_or_default();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        TestResponse { status, headers, body }
    }
}

/// A response, with the body parsed as JSON when it is JSON.
#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: actix_web::http::header::HeaderMap,
    pub body: Value,
}

impl TestResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Assert a problem response with this status and code.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert_eq!(self.body["code"], code, "body: {}", self.body);
        assert_eq!(self.header("content-type"), Some("application/problem+json"));
        assert!(self.body["request_id"].as_str().is_some_and(|s| !s.is_empty()), "problem without request_id");
    }

    /// Assert a 201 for a new record at version 1: its Location is `{collection}/{id}` and
    /// its ETag `W/"1"`. Returns the id.
    #[track_caller]
    pub fn assert_created(&self, collection: &str) -> String {
        assert_eq!(self.status, StatusCode::CREATED, "body: {}", self.body);
        let id = crate::fixtures::id_of(&self.body);
        assert_eq!(self.header("location"), Some(format!("{collection}/{id}").as_str()), "Location of {}", self.body);
        assert_eq!(self.header("etag"), Some("W/\"1\""), "ETag of {}", self.body);
        id
    }

    /// The fields named in a validation problem's `errors`.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| a.iter().filter_map(|e| e["field"].as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    }
}

/// Generate one test per database from each `async fn name(app: TestApp) { … }`.
#[macro_export]
macro_rules! both_databases {
    ($(async fn $name:ident($app:ident) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn run($app: $crate::helpers::TestApp) $body

                #[actix_web::test]
                async fn sqlite() {
                    run($crate::helpers::TestApp::spawn($crate::helpers::Backend::Sqlite).await).await
                }

                #[actix_web::test]
                async fn postgres() {
                    run($crate::helpers::TestApp::spawn($crate::helpers::Backend::Postgres).await).await
                }
            }
        )*
    };
}
