//! `/users`: the people of the sales organisation.
//!
//! Anyone signed in may read users; only admins create, change, deactivate and
//! reactivate them. Nobody is ever hard-deleted: a deactivated user keeps their
//! records, cannot log in, and loses every token they held.

use crate::app::entity::EntityType;
use crate::app::permission::Administer;
use crate::app::AppError;
use crate::audit::{self, snapshot};
use crate::auth::Authorized;
use crate::auth::{password, Caller};
use crate::db;
use crate::error::ApiError;
use crate::etag::with_etag;
use crate::etag::IfMatch;
use crate::extract::{double_option, ValidJson};
use crate::org::departments::require_department;
use crate::pagination::{self, Page};
use crate::state::AppState;
use crate::time::to_utc;
use crate::validation::{not_blank, plausible_phone, refuse_cleared, tidy};
use actix_web::http::header;
use actix_web::{get, patch, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use salesops_domain::org::{self, Role};
use salesops_domain::password::{check_password_policy, PasswordError};
use salesops_persistence::scope::Visibility;
use salesops_persistence::users::{self, UserFilter, UserRow};
use salesops_persistence::{clock, departments, tokens, DbConnection, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

/// The entity type users are audited under.
pub const ENTITY: EntityType = EntityType::user("user");

/// A user. The password hash is never returned.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f0c2-6a00-7000-8000-0000000000a1", "email": "li.lei@example.cn", "name": "李雷", "phone": "+86 139 1234 5678",
    "role": "rep", "department_id": "0190f0c2-6a00-7000-8000-000000000001", "manager_id": "0190f0c2-6a00-7000-8000-0000000000a0", "active": true, "version": 1,
    "created_at": "2026-11-28T08:30:00Z", "updated_at": "2026-11-28T08:30:00Z", "created_by": "0190f0c2-6a00-7000-8000-0000000000ad"
}))]
pub struct User {
    /// UUIDv7.
    #[schema(example = "0190f0c2-6a00-7000-8000-0000000000a1")]
    pub id: String,
    /// Unique, lower-cased.
    #[schema(example = "li.lei@example.cn")]
    pub email: String,
    /// Display name.
    #[schema(example = "李雷")]
    pub name: String,
    /// Phone.
    #[schema(example = "+86 139 1234 5678")]
    pub phone: Option<String>,
    /// Role.
    #[schema(example = "rep")]
    pub role: Role,
    /// Department.
    #[schema(example = "0190f0c2-6a00-7000-8000-000000000001")]
    pub department_id: Option<String>,
    /// Line manager.
    #[schema(example = "0190f0c2-6a00-7000-8000-0000000000a0")]
    pub manager_id: Option<String>,
    /// False once deactivated.
    #[schema(example = true)]
    pub active: bool,
    /// Bumped on every change; also the ETag.
    #[schema(example = 1)]
    pub version: i64,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Who created the user.
    pub created_by: Option<String>,
}

crate::etag::versioned!(User);

impl TryFrom<UserRow> for User {
    type Error = AppError;

    fn try_from(r: UserRow) -> Result<Self, AppError> {
        Ok(User {
            role: r.role,
            id: r.id,
            email: r.email,
            name: r.name,
            phone: r.phone,
            department_id: r.department_id,
            manager_id: r.manager_id,
            active: r.active,
            version: r.version,
            created_at: to_utc(r.created_at),
            updated_at: to_utc(r.updated_at),
            created_by: r.created_by,
        })
    }
}

fn password_policy(p: &str) -> Result<(), ValidationError> {
    check_password_policy(p).map_err(|e| {
        let code = match e {
            PasswordError::TooShort | PasswordError::TooLong => "length",
            PasswordError::TooSimple => "too_simple",
        };
        ValidationError::new(code).with_message(e.to_string().into())
    })
}

/// A new user.
#[derive(Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "email": "li.lei@example.cn", "name": "李雷", "password": "correct-horse-9", "role": "rep",
    "department_id": "0190f0c2-6a00-7000-8000-000000000001", "phone": "+86 139 1234 5678"
}))]
pub struct CreateUser {
    /// Unique; stored lower-cased.
    #[validate(email, length(max = 254))]
    #[schema(example = "li.lei@example.cn")]
    pub email: String,
    /// Display name.
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    #[schema(example = "李雷")]
    pub name: String,
    /// At least 10 characters, mixing letters with digits or symbols. Stored only as an argon2 hash.
    #[validate(custom(function = "password_policy"))]
    #[schema(example = "correct-horse-9", format = Password, write_only)]
    pub password: String,
    /// Role.
    #[schema(example = "rep")]
    pub role: Role,
    /// An existing department.
    #[validate(length(min = 1, max = 36))]
    #[schema(example = "0190f0c2-6a00-7000-8000-000000000001")]
    pub department_id: Option<String>,
    /// An active user, the line manager.
    #[validate(length(min = 1, max = 36))]
    #[schema(example = "0190f0c2-6a00-7000-8000-0000000000a0")]
    pub manager_id: Option<String>,
    /// Phone.
    #[validate(length(max = 40), custom(function = "plausible_phone"))]
    #[schema(example = "+86 139 1234 5678")]
    pub phone: Option<String>,
}

// Hand-written so that the password never reaches a log.
impl std::fmt::Debug for CreateUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateUser")
            .field("email", &self.email)
            .field("name", &self.name)
            .field("password", &"<redacted>")
            .field("role", &self.role)
            .field("department_id", &self.department_id)
            .field("manager_id", &self.manager_id)
            .field("phone", &self.phone)
            .finish()
    }
}

/// A JSON Merge Patch (RFC 7396) of a user: absent fields stay, `null` clears.
///
/// Email and password are not patched here; activation goes through
/// `/deactivate` and `/reactivate`.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"role": "manager", "manager_id": null, "phone": "+86 139 8765 4321"}))]
pub struct UserPatch {
    /// Display name; cannot be cleared.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, example = "李雷")]
    pub name: Option<Option<String>>,
    /// Phone.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, example = "+86 139 8765 4321")]
    pub phone: Option<Option<String>>,
    /// Role; cannot be cleared. Admins cannot change their own role.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Role>, example = "manager")]
    pub role: Option<Option<Role>>,
    /// An existing department; `null` removes the user from their department.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, example = "0190f0c2-6a00-7000-8000-000000000002")]
    pub department_id: Option<Option<String>>,
    /// An active user other than this one, and not below this one; `null` clears.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, example = "0190f0c2-6a00-7000-8000-0000000000a0")]
    pub manager_id: Option<Option<String>>,
}

/// The patchable fields of a user after a patch is applied, checked as a whole.
#[derive(Debug, Validate)]
struct EditableUser {
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    name: String,
    #[validate(length(max = 40), custom(function = "plausible_phone"))]
    phone: Option<String>,
    role: Role,
    #[validate(length(min = 1, max = 36))]
    department_id: Option<String>,
    #[validate(length(min = 1, max = 36))]
    manager_id: Option<String>,
}

impl UserPatch {
    /// Apply the patch to a stored user's fields. Clearing a required field is a validation error.
    fn apply(self, row: &UserRow) -> Result<EditableUser, AppError> {
        refuse_cleared(&[("name", matches!(self.name, Some(None))), ("role", matches!(self.role, Some(None)))])?;
        let role = match self.role {
            Some(Some(role)) => role,
            _ => row.role,
        };
        let fields = EditableUser {
            name: self.name.flatten().map(|n| n.trim().to_owned()).unwrap_or_else(|| row.name.clone()),
            phone: self.phone.map_or_else(|| row.phone.clone(), tidy),
            role,
            department_id: self.department_id.map_or_else(|| row.department_id.clone(), tidy),
            manager_id: self.manager_id.map_or_else(|| row.manager_id.clone(), tidy),
        };
        fields.validate()?;
        Ok(fields)
    }
}

/// Query parameters of `GET /users`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserListQuery {
    /// Only users with this role.
    pub role: Option<Role>,
    /// Only members of this department.
    pub department_id: Option<String>,
    /// `true`: only active users; `false`: only deactivated ones.
    pub active: Option<bool>,
    /// Case-insensitive text search over name and email.
    #[param(example = "li")]
    pub q: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// Refuse with 422 on `field` unless `id` names an active user.
pub fn require_active_user(conn: &mut DbConnection, field: &str, id: &str) -> Result<(), AppError> {
    if users::find(conn, id)?.is_some_and(|u| u.active) {
        Ok(())
    } else {
        Err(AppError::invalid_field(field, "unknown_user", "no active user with this id"))
    }
}

/// Check that `owner_id` names an active user the caller may hand work to.
pub fn check_assignable(conn: &mut DbConnection, visibility: &Visibility, owner_id: &str) -> Result<(), AppError> {
    if !visibility.allows(Some(owner_id)) {
        return Err(AppError::invalid_field(
            "owner_id",
            "unknown_user",
            "no active user with this id within your data scope",
        ));
    }
    require_active_user(conn, "owner_id", owner_id)
}

fn map_unique(e: StoreError) -> AppError {
    if e.is_unique_violation_on("email") {
        AppError::Conflict("a user with this email already exists".into())
    } else {
        e.into()
    }
}

/// List users.
///
/// Users come in id order (oldest first), deactivated ones included unless `active=true`.
#[utoipa::path(
    tag = "users",
    operation_id = "list_users",
    params(UserListQuery),
    responses((status = 200, description = "One page of users", body = Page<User>)),
    security(("bearer" = []))
)]
#[get("/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    _caller: Caller,
    query: web::Query<UserListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    let filter = UserFilter {
        role: q.role,
        department_id: tidy(q.department_id),
        active: q.active,
        q: tidy(q.q),
        after_id: pagination::after_id(q.cursor.as_deref())?,
    };
    let page = db::read(&state, move |conn| {
        let rows = users::list(conn, &filter, limit + 1)?;
        pagination::page_by_id(rows, limit, |r| r.id.clone(), User::try_from)
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Create a user (admins).
///
/// The email is lower-cased and must be unused (409 `conflict` otherwise).
/// The department must exist and the manager must be an active user.
#[utoipa::path(
    tag = "users",
    operation_id = "create_user",
    request_body = CreateUser,
    responses(
        (status = 201, description = "Created", body = User,
         headers(("Location" = String, description = "The new user's URL"), ("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Only admins change the organisation"),
        (status = 409, description = "`conflict`: a user with this email exists"),
    ),
    security(("bearer" = []))
)]
#[post("/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    caller: Authorized<Administer>,
    body: ValidJson<CreateUser>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let email = input.email.trim().to_lowercase();
    let name = input.name.trim().to_owned();
    let department_id = tidy(input.department_id);
    let manager_id = tidy(input.manager_id);
    let phone = tidy(input.phone);
    let role = input.role;
    // Hashing is slow on purpose; do it on the blocking pool, outside the transaction.
    let password = input.password;
    let password_hash = web::block(move || password::hash(&password))
        .await
        .map_err(|e| AppError::Internal(format!("blocking task failed: {e}")))??;
    let user = db::write(&state, move |conn| {
        // Departments before users: the lock order every org write follows.
        if let Some(dept) = department_id.as_deref() {
            departments::lock(conn, dept)?;
            require_department(conn, "department_id", dept)?;
        }
        if let Some(manager) = manager_id.as_deref() {
            require_active_user(conn, "manager_id", manager)?;
        }
        let row = UserRow {
            phone,
            department_id,
            manager_id,
            ..UserRow::new(&email, &name, role, &password_hash, Some(caller.id()))
        };
        users::insert(conn, &row).map_err(map_unique)?;
        let user = User::try_from(row)?;
        audit::record(conn, &caller, "create", ENTITY, &user.id, &serde_json::Value::Null, &snapshot(&user))?;
        Ok(user)
    })
    .await?;
    let mut created = HttpResponse::Created();
    created.insert_header((header::LOCATION, format!("/api/v1/users/{}", user.id)));
    Ok(with_etag(created, &user))
}

/// Get a user, active or not.
#[utoipa::path(
    tag = "users",
    operation_id = "get_user",
    params(("id" = String, Path, description = "User id")),
    responses((status = 200, description = "The user", body = User, headers(("ETag" = String, description = "W/\"<version>\"")))),
    security(("bearer" = []))
)]
#[get("/users/{id}")]
pub async fn get_user(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let user = db::read(&state, move |conn| users::find(conn, &id)?.ok_or(AppError::NotFound).and_then(User::try_from))
        .await?;
    Ok(with_etag(HttpResponse::Ok(), &user))
}

/// Patch a user (admins; JSON Merge Patch of name, phone, role, department and manager).
///
/// Send `If-Match: W/"<version>"` to refuse the change (412) if someone else
/// changed the user first. A manager must be an active user, not the user
/// themselves and not someone who reports to them (422 on `manager_id`).
/// Admins cannot change their own role (409 `invalid_transition`).
#[utoipa::path(
    tag = "users",
    operation_id = "update_user",
    params(
        ("id" = String, Path, description = "User id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" of the user the change is based on"),
    ),
    request_body(content = UserPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed user", body = User, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Only admins change the organisation"),
        (status = 409, description = "`invalid_transition`: an admin changing their own role; or a concurrent change"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[patch("/users/{id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    caller: Authorized<Administer>,
    id: web::Path<String>,
    if_match: IfMatch,
    body: ValidJson<UserPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let patch = body.0;
    let user = db::write(&state, move |conn| {
        // Lock order: departments, then users.
        if let Some(Some(dept)) = patch.department_id.as_ref() {
            departments::lock(conn, dept.trim())?;
        }
        if patch.manager_id.is_some() {
            users::lock_reporting_lines(conn)?;
        }
        users::lock(conn, &id)?;
        let row = users::find(conn, &id)?.ok_or(AppError::NotFound)?;
        if_match.check(row.version)?;
        let fields = patch.apply(&row)?;
        org::check_role_change(&row.id, caller.id(), row.role, fields.role)?;
        if fields.department_id != row.department_id {
            if let Some(dept) = fields.department_id.as_deref() {
                require_department(conn, "department_id", dept)?;
            }
        }
        if fields.manager_id != row.manager_id {
            if let Some(manager) = fields.manager_id.as_deref() {
                org::check_manager(&row.id, &users::manager_chain(conn, manager)?)?;
                require_active_user(conn, "manager_id", manager)?;
            }
        }
        let mut after = row.clone();
        after.name = fields.name;
        after.phone = fields.phone;
        after.role = fields.role;
        after.department_id = fields.department_id;
        after.manager_id = fields.manager_id;
        audit::save_versioned::<_, User>(conn, &caller, ENTITY, "update", &row, after, map_unique)
    })
    .await?;
    Ok(with_etag(HttpResponse::Ok(), &user))
}

/// Switch a user's `active` flag, refusing a no-op; deactivation also revokes their tokens.
async fn set_active(
    state: web::Data<AppState>,
    caller: Authorized<Administer>,
    id: String,
    if_match: IfMatch,
    active: bool,
) -> Result<HttpResponse, ApiError> {
    let action = if active { "reactivate" } else { "deactivate" };
    let user = db::write(&state, move |conn| {
        users::lock(conn, &id)?;
        let row = users::find(conn, &id)?.ok_or(AppError::NotFound)?;
        if_match.check(row.version)?;
        org::check_activation(&row.id, caller.id(), row.active, active)?;
        let mut after = row.clone();
        after.active = active;
        let user = audit::save_versioned::<_, User>(conn, &caller, ENTITY, action, &row, after, map_unique)?;
        if !active {
            // Access tokens die with the flag (the caller check reads it); refresh tokens are revoked here.
            tokens::revoke_all_for_user(conn, &row.id, clock::now())?;
        }
        Ok(user)
    })
    .await?;
    Ok(with_etag(HttpResponse::Ok(), &user))
}

/// Deactivate a user (admins).
///
/// The user keeps their records but can no longer log in; their access tokens
/// stop working at once and their refresh tokens are revoked. Admins cannot
/// deactivate themselves, and an inactive user cannot be deactivated again
/// (409 `invalid_transition`).
#[utoipa::path(
    tag = "users",
    operation_id = "deactivate_user",
    params(
        ("id" = String, Path, description = "User id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the command is based on"),
    ),
    responses(
        (status = 200, description = "The deactivated user", body = User, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Only admins change the organisation"),
        (status = 409, description = "`invalid_transition`: already inactive, or the caller themselves"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[post("/users/{id}/deactivate")]
pub async fn deactivate_user(
    state: web::Data<AppState>,
    caller: Authorized<Administer>,
    id: web::Path<String>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    set_active(state, caller, id.into_inner(), if_match, false).await
}

/// Reactivate a deactivated user (admins). They can log in again with their old password.
#[utoipa::path(
    tag = "users",
    operation_id = "reactivate_user",
    params(
        ("id" = String, Path, description = "User id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the command is based on"),
    ),
    responses(
        (status = 200, description = "The reactivated user", body = User, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Only admins change the organisation"),
        (status = 409, description = "`invalid_transition`: the user is already active"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[post("/users/{id}/reactivate")]
pub async fn reactivate_user(
    state: web::Data<AppState>,
    caller: Authorized<Administer>,
    id: web::Path<String>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    set_active(state, caller, id.into_inner(), if_match, true).await
}

/// The resource as the app registers it.
pub const RESOURCE: crate::Resource = crate::Resource { routes, audited: &[ENTITY] };

/// Register the user routes. Literal paths come before `{id}`.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_users)
        .service(create_user)
        .service(get_user)
        .service(update_user)
        .service(deactivate_user)
        .service(reactivate_user);
}
