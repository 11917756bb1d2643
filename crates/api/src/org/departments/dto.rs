//! The JSON shapes of `/departments`.

use crate::app::AppResult;
use crate::extract::double_option;
use crate::time::to_utc;
use crate::validation::{merge_patch, not_blank, tidy};
use chrono::{DateTime, Utc};
use salesops_domain::ids::DepartmentId;
use salesops_persistence::departments::DepartmentRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

/// A department: a node of the organisation tree (a region, an industry, a product line).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f0c2-6a00-7000-8000-000000000001", "name": "华东大区", "parent_id": null,
    "head_user_id": "0190f0c2-6a00-7000-8000-0000000000a0", "version": 2, "created_at": "2026-11-28T08:00:00Z",
    "updated_at": "2026-11-28T08:40:00Z", "created_by": "0190f0c2-6a00-7000-8000-0000000000ad"
}))]
pub struct Department {
    /// UUIDv7.
    #[schema(example = "0190f0c2-7d1e-7c3a-9d63-2f4f1b0f3a11")]
    pub id: String,
    /// Display name.
    #[schema(example = "华东大区")]
    pub name: String,
    /// The department above; `null` at the root.
    #[schema(example = "0190f0c2-6a00-7000-8000-000000000001")]
    pub parent_id: Option<String>,
    /// The user who heads it.
    #[schema(example = "0190f0c2-6a00-7000-8000-0000000000a1")]
    pub head_user_id: Option<String>,
    /// Bumped on every change; also the ETag.
    #[schema(example = 1)]
    pub version: i64,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Who created it.
    pub created_by: Option<String>,
}

crate::etag::versioned!(Department);

impl From<DepartmentRow> for Department {
    fn from(r: DepartmentRow) -> Self {
        Department {
            id: r.id,
            name: r.name,
            parent_id: r.parent_id,
            head_user_id: r.head_user_id,
            version: r.version,
            created_at: to_utc(r.created_at),
            updated_at: to_utc(r.updated_at),
            created_by: r.created_by,
        }
    }
}

/// A new department.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "上海销售一部", "parent_id": "0190f0c2-6a00-7000-8000-000000000001"}))]
pub struct CreateDepartment {
    /// Display name (required).
    #[validate(length(max = 200), custom(function = "not_blank"))]
    #[schema(example = "华东大区")]
    pub name: String,
    /// The department above; omit for a root department. It must exist.
    #[validate(length(min = 1, max = 36))]
    #[schema(example = "0190f0c2-6a00-7000-8000-000000000001")]
    pub parent_id: Option<String>,
    /// The user who heads it; must be an active user.
    #[validate(length(min = 1, max = 36))]
    #[schema(example = "0190f0c2-6a00-7000-8000-0000000000a1")]
    pub head_user_id: Option<String>,
}

impl CreateDepartment {
    /// Trim text and turn empty optional fields into absent ones.
    pub fn tidied(self) -> CreateDepartment {
        CreateDepartment {
            name: self.name.trim().to_owned(),
            parent_id: tidy(self.parent_id),
            head_user_id: tidy(self.head_user_id),
        }
    }

    /// The editable fields of a stored department, to apply a patch to.
    pub fn from_row(r: &DepartmentRow) -> CreateDepartment {
        CreateDepartment { name: r.name.clone(), parent_id: r.parent_id.clone(), head_user_id: r.head_user_id.clone() }
    }

    /// Copy the editable fields onto a row.
    pub fn write_to(&self, row: &mut DepartmentRow) {
        row.name = self.name.clone();
        row.parent_id = self.parent_id.clone();
        row.head_user_id = self.head_user_id.clone();
    }
}

/// A JSON Merge Patch (RFC 7396) of a department: absent fields stay, `null` clears.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"parent_id": "0190f0c2-6a00-7000-8000-000000000002", "head_user_id": null}))]
pub struct DepartmentPatch {
    /// Display name; cannot be cleared.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, example = "华南大区")]
    pub name: Option<Option<String>>,
    /// Move under this department; `null` makes it a root. Never under itself or a descendant.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, example = "0190f0c2-6a00-7000-8000-000000000002")]
    pub parent_id: Option<Option<String>>,
    /// The new head, an active user; `null` leaves the department without one.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, example = "0190f0c2-6a00-7000-8000-0000000000a2")]
    pub head_user_id: Option<Option<String>>,
}

impl DepartmentPatch {
    /// Apply the patch to the current fields. Clearing the name is a validation error.
    pub fn apply(self, mut to: CreateDepartment) -> AppResult<CreateDepartment> {
        merge_patch!(self => to, required: [name], clearable: [parent_id, head_user_id]);
        Ok(to)
    }
}

/// Query parameters of `GET /departments`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DepartmentListQuery {
    /// Only the direct children of this department.
    #[param(value_type = Option<String>)]
    pub parent_id: Option<DepartmentId>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
}
