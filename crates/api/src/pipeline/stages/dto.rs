//! The stage's JSON shapes: the record, its create body and its merge patch.

use crate::app::AppError;
use crate::extract::{double_option, trimmed};
use crate::time::to_utc;
use crate::validation::{merge_patch, not_blank};
use chrono::{DateTime, Utc};
use salesops_domain::opportunity::{is_code_key, is_probability, ForecastCategory, GateField, StageKind};
use salesops_persistence::pipeline::StageRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

/// A pipeline stage.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "key": "proposal", "name": "Proposal", "position": 30, "kind": "open", "probability_bps": 5000,
    "forecast_category": "best_case", "required_fields": ["amount", "expected_close_date"], "active": true,
    "version": 1, "created_at": "2026-11-28T00:00:00Z", "updated_at": "2026-11-28T00:00:00Z"
}))]
pub struct Stage {
    /// Lower snake_case key, unique; what opportunities refer to.
    #[schema(example = "proposal")]
    pub key: String,
    /// Display name.
    #[schema(example = "Proposal")]
    pub name: String,
    /// Order in the pipeline, ascending.
    #[schema(example = 30)]
    pub position: i32,
    /// `open`, or the `won` / `lost` stage that closing commands enter.
    pub kind: StageKind,
    /// Default probability, in basis points, given to opportunities entering the stage.
    #[schema(example = 5000)]
    pub probability_bps: i32,
    /// Default forecast category given to opportunities entering the stage.
    pub forecast_category: ForecastCategory,
    /// Gates: fields an opportunity must have set to enter the stage.
    #[schema(example = json!(["amount", "expected_close_date"]))]
    pub required_fields: Vec<GateField>,
    /// Inactive stages take no opportunities.
    pub active: bool,
    /// Bumped on every change; also the ETag.
    pub version: i64,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

crate::etag::versioned!(Stage);

impl TryFrom<StageRow> for Stage {
    type Error = AppError;

    fn try_from(r: StageRow) -> Result<Self, AppError> {
        Ok(Stage {
            kind: r.kind,
            forecast_category: r.forecast_category,
            required_fields: parse_required(&r.required_fields)?,
            key: r.key,
            name: r.name,
            position: r.position,
            probability_bps: r.probability_bps,
            active: r.active,
            version: r.version,
            created_at: to_utc(r.created_at),
            updated_at: to_utc(r.updated_at),
        })
    }
}

/// The gates stored as a JSON array of field names.
fn parse_required(json: &str) -> Result<Vec<GateField>, AppError> {
    serde_json::from_str(json).map_err(|e| AppError::Internal(format!("stored required_fields `{json}`: {e}")))
}

/// The gates as stored: a JSON array of field names, each once, in the order first given.
fn required_json(fields: &[GateField]) -> String {
    let mut unique: Vec<&str> = Vec::new();
    for f in fields {
        if !unique.contains(&f.as_str()) {
            unique.push(f.as_str());
        }
    }
    serde_json::to_string(&unique).unwrap_or_else(|_| "[]".to_owned())
}

fn key_shape(key: &str) -> Result<(), ValidationError> {
    if is_code_key(key) {
        Ok(())
    } else {
        Err(ValidationError::new("key")
            .with_message("use lower snake_case: a–z, 0–9 and _, starting with a letter".into()))
    }
}

/// Refuse a probability outside 0–10000 basis points (code `range`); the rule for
/// a stage's default probability and for an opportunity's override of it.
pub fn probability(bps: i32) -> Result<(), ValidationError> {
    if is_probability(bps) {
        Ok(())
    } else {
        Err(ValidationError::new("range").with_message("must be between 0 and 10000 basis points".into()))
    }
}

/// A new stage.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "key": "solution_design", "name": "Solution design", "position": 25, "probability_bps": 4000,
    "forecast_category": "pipeline", "required_fields": ["contact_id"]
}))]
pub struct CreateStage {
    /// Lower snake_case, unique, 1–40 characters.
    #[validate(custom(function = "key_shape"))]
    pub key: String,
    /// Display name.
    #[validate(custom(function = "not_blank"), length(max = 100))]
    #[serde(deserialize_with = "trimmed")]
    pub name: String,
    /// Order in the pipeline.
    pub position: i32,
    /// Default `open`. A `won` or `lost` stage can be added only inactive, or while no other of its kind is active.
    #[serde(default = "open_kind")]
    pub kind: StageKind,
    /// 0–10000.
    #[validate(custom(function = "probability"))]
    pub probability_bps: i32,
    /// Not `closed` for an open stage.
    pub forecast_category: ForecastCategory,
    /// Gates; default none.
    #[serde(default)]
    pub required_fields: Vec<GateField>,
    /// Default true.
    #[serde(default = "yes")]
    pub active: bool,
}

fn open_kind() -> StageKind {
    StageKind::Open
}

fn yes() -> bool {
    true
}

impl CreateStage {
    /// The fields of a stored stage, to apply a patch to.
    pub fn from_row(r: &StageRow) -> Result<CreateStage, AppError> {
        Ok(CreateStage {
            key: r.key.clone(),
            name: r.name.clone(),
            position: r.position,
            kind: r.kind,
            probability_bps: r.probability_bps,
            forecast_category: r.forecast_category,
            required_fields: parse_required(&r.required_fields)?,
            active: r.active,
        })
    }

    /// Copy the changeable fields onto a row; the key and the kind are set once, on create.
    pub fn write_to(&self, row: &mut StageRow) {
        row.name = self.name.clone();
        row.position = self.position;
        row.probability_bps = self.probability_bps;
        row.forecast_category = self.forecast_category;
        row.required_fields = required_json(&self.required_fields);
        row.active = self.active;
    }
}

/// A JSON Merge Patch (RFC 7396) of a stage. `key` and `kind` cannot change.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"probability_bps": 4500, "required_fields": ["amount"]}))]
pub struct StagePatch {
    /// Display name.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    /// Order in the pipeline.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub position: Option<Option<i32>>,
    /// 0–10000; applies to opportunities entering the stage from now on.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub probability_bps: Option<Option<i32>>,
    /// Forecast category for opportunities entering the stage from now on.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<ForecastCategory>)]
    pub forecast_category: Option<Option<ForecastCategory>>,
    /// Gates; `null` or `[]` removes them.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Vec<GateField>>)]
    pub required_fields: Option<Option<Vec<GateField>>>,
    /// `false` deactivates (refused while open opportunities sit in the stage).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<bool>)]
    pub active: Option<Option<bool>>,
}

impl StagePatch {
    /// Apply the patch to the current fields, to be validated as a create body is.
    /// Clearing a field other than the gates is a validation error.
    pub fn apply(mut self, mut to: CreateStage) -> Result<CreateStage, AppError> {
        // A create body is trimmed while deserializing; a patch is trimmed here.
        self.name = self.name.map(|name| name.map(|n| n.trim().to_owned()));
        if let Some(fields) = self.required_fields.take() {
            to.required_fields = fields.unwrap_or_default();
        }
        merge_patch!(self => to, required: [name, position, probability_bps, forecast_category, active], clearable: []);
        Ok(to)
    }
}
