//! The loss reason's JSON shapes: the record, its create body and its merge patch.

use crate::app::AppError;
use crate::extract::{double_option, trimmed};
use crate::time::to_utc;
use crate::validation::{not_blank, refuse_cleared};
use chrono::{DateTime, Utc};
use salesops_domain::opportunity::is_code_key;
use salesops_persistence::pipeline::LossReasonRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

/// A loss reason.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "code": "price", "name": "Price too high", "position": 10, "active": true, "version": 1,
    "created_at": "2026-11-28T00:00:00Z", "updated_at": "2026-11-28T00:00:00Z"
}))]
pub struct LossReason {
    /// Lower snake_case code, unique; what lost opportunities record.
    #[schema(example = "price")]
    pub code: String,
    /// Display name.
    #[schema(example = "Price too high")]
    pub name: String,
    /// Order in pick lists, ascending.
    #[schema(example = 10)]
    pub position: i32,
    /// Inactive reasons cannot be chosen for new losses.
    pub active: bool,
    /// Bumped on every change; also the ETag.
    pub version: i64,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

crate::etag::versioned!(LossReason);

impl From<LossReasonRow> for LossReason {
    fn from(r: LossReasonRow) -> Self {
        LossReason {
            code: r.code,
            name: r.name,
            position: r.position,
            active: r.active,
            version: r.version,
            created_at: to_utc(r.created_at),
            updated_at: to_utc(r.updated_at),
        }
    }
}

fn code_shape(code: &str) -> Result<(), ValidationError> {
    if is_code_key(code) {
        Ok(())
    } else {
        Err(ValidationError::new("code")
            .with_message("use lower snake_case: a–z, 0–9 and _, starting with a letter".into()))
    }
}

/// A new loss reason.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "lost_tender", "name": "Lost the public tender", "position": 90}))]
pub struct CreateLossReason {
    /// Lower snake_case, unique, 1–40 characters.
    #[validate(custom(function = "code_shape"))]
    pub code: String,
    /// Display name.
    #[validate(custom(function = "not_blank"), length(max = 100))]
    #[serde(deserialize_with = "trimmed")]
    pub name: String,
    /// Order in pick lists.
    pub position: i32,
}

impl CreateLossReason {
    /// The fields of a stored loss reason, to apply a patch to.
    pub fn from_row(r: &LossReasonRow) -> CreateLossReason {
        CreateLossReason { code: r.code.clone(), name: r.name.clone(), position: r.position }
    }

    /// Copy the changeable fields onto a row; the code is set once, on create.
    pub fn write_to(&self, row: &mut LossReasonRow) {
        row.name = self.name.clone();
        row.position = self.position;
    }
}

/// A JSON Merge Patch (RFC 7396) of a loss reason. The code cannot change.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Price", "active": true}))]
pub struct LossReasonPatch {
    /// Display name.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    /// Order in pick lists.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub position: Option<Option<i32>>,
    /// `false` deactivates, `true` reactivates.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<bool>)]
    pub active: Option<Option<bool>>,
}

impl LossReasonPatch {
    /// Apply the patch to the current fields (to be validated as a create body is) and
    /// to the current `active` flag, which a create body does not carry. No field may be cleared.
    pub fn apply(self, mut to: CreateLossReason, active: bool) -> Result<(CreateLossReason, bool), AppError> {
        refuse_cleared(&[
            ("name", matches!(self.name, Some(None))),
            ("position", matches!(self.position, Some(None))),
            ("active", matches!(self.active, Some(None))),
        ])?;
        if let Some(Some(name)) = self.name {
            // A create body is trimmed while deserializing; a patch is trimmed here.
            to.name = name.trim().to_owned();
        }
        if let Some(Some(v)) = self.position {
            to.position = v;
        }
        Ok((to, self.active.flatten().unwrap_or(active)))
    }
}
