//! The JSON shapes of `/users`, and the rules a user's fields are held to.

use crate::app::{AppError, AppResult};
use crate::extract::double_option;
use crate::time::to_utc;
use crate::validation::{merge_patch, not_blank, plausible_phone, tidy};
use chrono::{DateTime, Utc};
use salesops_domain::ids::DepartmentId;
use salesops_domain::org::Role;
use salesops_domain::password::{check_password_policy, PasswordError};
use salesops_persistence::users::UserRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError, ValidationErrors};

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

/// A user's editable fields, whole: what a new user is given besides their
/// credentials, and what a merge patch leaves. The rules here are the only
/// declaration of these fields' limits; [`CreateUser`] is checked by them too.
#[derive(Debug, Clone, PartialEq, Validate)]
pub struct UserProfile {
    /// Display name (required).
    #[validate(length(max = 200), custom(function = "not_blank"))]
    pub name: String,
    /// Phone.
    #[validate(length(max = 40), custom(function = "plausible_phone"))]
    pub phone: Option<String>,
    /// Role.
    pub role: Role,
    /// An existing department.
    #[validate(length(min = 1, max = 36))]
    pub department_id: Option<String>,
    /// An active user, the line manager.
    #[validate(length(min = 1, max = 36))]
    pub manager_id: Option<String>,
}

impl UserProfile {
    /// Trim text and turn empty optional fields into absent ones.
    pub fn tidied(self) -> UserProfile {
        UserProfile {
            name: self.name.trim().to_owned(),
            phone: tidy(self.phone),
            department_id: tidy(self.department_id),
            manager_id: tidy(self.manager_id),
            ..self
        }
    }

    /// The editable fields of a stored user, to apply a patch to.
    pub fn from_row(r: &UserRow) -> UserProfile {
        UserProfile {
            name: r.name.clone(),
            phone: r.phone.clone(),
            role: r.role,
            department_id: r.department_id.clone(),
            manager_id: r.manager_id.clone(),
        }
    }

    /// Copy the editable fields onto a row.
    pub fn write_to(&self, row: &mut UserRow) {
        row.name = self.name.clone();
        row.phone = self.phone.clone();
        row.role = self.role;
        row.department_id = self.department_id.clone();
        row.manager_id = self.manager_id.clone();
    }
}

/// A new user.
#[derive(Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "email": "li.lei@example.cn", "name": "李雷", "password": "correct-horse-9", "role": "rep",
    "department_id": "0190f0c2-6a00-7000-8000-000000000001", "phone": "+86 139 1234 5678"
}))]
pub struct CreateUser {
    /// Unique; stored lower-cased.
    #[schema(example = "li.lei@example.cn")]
    pub email: String,
    /// Display name.
    #[schema(example = "李雷")]
    pub name: String,
    /// At least 10 characters, mixing letters with digits or symbols. Stored only as an argon2 hash.
    #[schema(example = "correct-horse-9", format = Password, write_only)]
    pub password: String,
    /// Role.
    #[schema(example = "rep")]
    pub role: Role,
    /// An existing department.
    #[schema(example = "0190f0c2-6a00-7000-8000-000000000001")]
    pub department_id: Option<String>,
    /// An active user, the line manager.
    #[schema(example = "0190f0c2-6a00-7000-8000-0000000000a0")]
    pub manager_id: Option<String>,
    /// Phone.
    #[schema(example = "+86 139 1234 5678")]
    pub phone: Option<String>,
}

impl CreateUser {
    /// The new user's editable fields, as sent.
    pub fn profile(&self) -> UserProfile {
        UserProfile {
            name: self.name.clone(),
            phone: self.phone.clone(),
            role: self.role,
            department_id: self.department_id.clone(),
            manager_id: self.manager_id.clone(),
        }
    }
}

/// The fields only a new user has; a patch never sets them, so they are
/// checked apart from [`UserProfile`].
#[derive(Validate)]
struct Credentials<'a> {
    #[validate(email, length(max = 254))]
    email: &'a str,
    #[validate(custom(function = "password_policy"))]
    password: &'a str,
}

// By hand, to check the body by the rules of its two parts, declared once each.
impl Validate for CreateUser {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let credentials = Credentials { email: &self.email, password: &self.password };
        let mut errors = ValidationErrors::new();
        for part in [credentials.validate(), self.profile().validate()] {
            if let Err(e) = part {
                errors.0.extend(e.0);
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
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

impl UserPatch {
    /// Apply the patch to the current fields. Clearing a required field is a validation error.
    pub fn apply(self, mut to: UserProfile) -> AppResult<UserProfile> {
        merge_patch!(self => to, required: [name, role], clearable: [phone, department_id, manager_id]);
        Ok(to)
    }
}

/// Query parameters of `GET /users`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserListQuery {
    /// Only users with this role.
    pub role: Option<Role>,
    /// Only members of this department.
    #[param(value_type = Option<String>)]
    pub department_id: Option<DepartmentId>,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn body() -> CreateUser {
        CreateUser {
            email: "li.lei@example.cn".into(),
            name: "李雷".into(),
            password: "correct-horse-9".into(),
            role: Role::Rep,
            department_id: None,
            manager_id: None,
            phone: None,
        }
    }

    fn fields(errors: ValidationErrors) -> Vec<String> {
        let mut fields: Vec<String> = errors.errors().keys().map(|k| k.to_string()).collect();
        fields.sort();
        fields
    }

    #[test]
    fn a_new_user_is_checked_by_the_rules_of_both_its_credentials_and_its_profile() {
        assert!(body().validate().is_ok());
        let bad = CreateUser { email: "nope".into(), password: "short1".into(), name: " ".into(), ..body() };
        assert_eq!(fields(bad.validate().expect_err("invalid")), vec!["email", "name", "password"]);
    }

    #[test]
    fn a_patch_is_checked_by_the_same_profile_rules_as_a_new_user() {
        let current = body().profile();
        let long_name = UserPatch { name: Some(Some("x".repeat(201))), ..UserPatch::default() };
        let patched = long_name.apply(current.clone()).expect("applies").tidied();
        assert_eq!(fields(patched.validate().expect_err("too long")), vec!["name"]);
        let cleared = UserPatch { name: Some(None), role: Some(None), ..UserPatch::default() };
        assert!(matches!(cleared.apply(current), Err(AppError::Validation(e)) if e.len() == 2));
    }
}
