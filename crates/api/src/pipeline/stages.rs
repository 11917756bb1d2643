//! `/pipeline-stages`: the configurable stages, their default probabilities,
//! forecast categories and gates; and the lookups the opportunity commands use.
//!
//! Anyone signed in may read stages; only admins create and change them. A
//! stage is never deleted: it is deactivated, which is refused while open
//! opportunities sit in it. Exactly one `won` and one `lost` stage are active
//! at any time, and at least one `open` stage. Changing a stage's probability
//! or forecast category does not rewrite opportunities already in it.

use crate::app::entity::EntityType;
use crate::app::permission::Administer;
use crate::app::AppError;
use crate::app::FieldError;
use crate::audit::{self, snapshot};
use crate::auth::Authorized;
use crate::auth::Caller;
use crate::db;
use crate::error::ApiError;
use crate::etag::with_etag;
use crate::etag::IfMatch;
use crate::extract::{double_option, trimmed, ValidJson};
use crate::pagination::Page;
use crate::state::AppState;
use crate::time::to_utc;
use crate::validation::refuse_cleared;
use actix_web::http::header;
use actix_web::{get, patch, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use salesops_domain::opportunity::{
    is_code_key, is_probability, missing_gate_fields, ForecastCategory, GateFacts, GateField, StageKind,
};
use salesops_persistence::pipeline::{self, StageRow};
use salesops_persistence::{DbConnection, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

/// The entity type stages are audited under.
pub const ENTITY: EntityType = EntityType::admins_only("pipeline_stage");

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

fn parse_required(json: &str) -> Result<Vec<GateField>, AppError> {
    serde_json::from_str(json).map_err(|e| AppError::Internal(format!("stored required_fields `{json}`: {e}")))
}

fn required_json(fields: &[GateField]) -> String {
    let mut unique: Vec<&str> = Vec::new();
    for f in fields {
        if !unique.contains(&f.as_str()) {
            unique.push(f.as_str());
        }
    }
    serde_json::to_string(&unique).unwrap_or_else(|_| "[]".to_owned())
}

impl Stage {
    /// Refuse with 422 listing every gate of this stage that `facts` does not meet.
    pub fn check_gates(&self, facts: &GateFacts) -> Result<(), AppError> {
        let missing = missing_gate_fields(&self.required_fields, facts, self.kind);
        if missing.is_empty() {
            return Ok(());
        }
        Err(AppError::Validation(
            missing
                .into_iter()
                .map(|f| {
                    let message = if f == GateField::Amount && self.kind == StageKind::Won {
                        format!("stage `{}` requires an amount above 0", self.key)
                    } else {
                        format!("stage `{}` requires {f} to be set", self.key)
                    };
                    FieldError::new(f.as_str(), "required", message)
                })
                .collect(),
        ))
    }
}

/// A stage by key, active or not.
pub fn find(conn: &mut DbConnection, key: &str) -> Result<Option<Stage>, AppError> {
    pipeline::find_stage(conn, key)?.map(Stage::try_from).transpose()
}

/// A stage by key, taking its row lock first (see [`pipeline::lock_stage`]): for writes that
/// put an opportunity into it, inside their transaction.
pub fn find_for_entry(conn: &mut DbConnection, key: &str) -> Result<Option<Stage>, AppError> {
    pipeline::lock_stage(conn, key)?;
    find(conn, key)
}

/// The active open stage `key`, locked for entry; an unknown, inactive or closing stage is a 422 on `field`.
pub fn active_open(conn: &mut DbConnection, key: &str, field: &str) -> Result<Stage, AppError> {
    match find_for_entry(conn, key)? {
        Some(stage) if stage.active && stage.kind == StageKind::Open => Ok(stage),
        Some(stage) if stage.active => Err(AppError::invalid_field(
            field,
            "closing_stage",
            format!("stage `{key}` closes the opportunity; use the win or lose command"),
        )),
        Some(_) => Err(AppError::invalid_field(field, "inactive", format!("stage `{key}` is not active"))),
        None => Err(AppError::invalid_field(field, "unknown", format!("no stage `{key}`"))),
    }
}

/// The first active open stage in pipeline order, where new opportunities start; locked for entry.
pub fn first_open(conn: &mut DbConnection) -> Result<Stage, AppError> {
    let row = pipeline::active_stages_of_kind(conn, StageKind::Open)?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::Internal("no active open pipeline stage".into()))?;
    active_open(conn, &row.key, "stage")
}

/// The one active stage of a closing `kind` (`won` or `lost`).
pub fn closing(conn: &mut DbConnection, kind: StageKind) -> Result<Stage, AppError> {
    let row = pipeline::active_stages_of_kind(conn, kind)?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::Internal(format!("no active {kind} pipeline stage")))?;
    Stage::try_from(row)
}

fn key_shape(key: &str) -> Result<(), ValidationError> {
    if is_code_key(key) {
        Ok(())
    } else {
        Err(ValidationError::new("key")
            .with_message("use lower snake_case: a–z, 0–9 and _, starting with a letter".into()))
    }
}

fn probability(bps: i32) -> Result<(), ValidationError> {
    if is_probability(bps) {
        Ok(())
    } else {
        Err(ValidationError::new("range").with_message("must be between 0 and 10000 basis points".into()))
    }
}

/// A new stage.
#[derive(Debug, Deserialize, Validate, ToSchema)]
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
    #[validate(length(min = 1, max = 100))]
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

/// The editable fields of a stage once a patch is applied, checked as a whole.
#[derive(Debug, Validate)]
struct EditableStage {
    #[validate(length(min = 1, max = 100))]
    name: String,
    position: i32,
    #[validate(custom(function = "probability"))]
    probability_bps: i32,
    forecast_category: ForecastCategory,
    required_fields: Vec<GateField>,
    active: bool,
}

impl StagePatch {
    fn apply(self, row: &StageRow) -> Result<EditableStage, AppError> {
        refuse_cleared(&[
            ("name", matches!(self.name, Some(None))),
            ("position", matches!(self.position, Some(None))),
            ("probability_bps", matches!(self.probability_bps, Some(None))),
            ("forecast_category", matches!(self.forecast_category, Some(None))),
            ("active", matches!(self.active, Some(None))),
        ])?;
        let edit = EditableStage {
            name: self.name.flatten().map(|n| n.trim().to_owned()).unwrap_or_else(|| row.name.clone()),
            position: self.position.flatten().unwrap_or(row.position),
            probability_bps: self.probability_bps.flatten().unwrap_or(row.probability_bps),
            forecast_category: match self.forecast_category.flatten() {
                Some(c) => c,
                None => row.forecast_category,
            },
            required_fields: match self.required_fields {
                Some(fields) => fields.unwrap_or_default(),
                None => parse_required(&row.required_fields)?,
            },
            active: self.active.flatten().unwrap_or(row.active),
        };
        edit.validate()?;
        Ok(edit)
    }
}

/// Check the rules that span stages, for `after` replacing `before` (`None`: a new stage).
/// Runs under [`pipeline::lock_stages`].
fn check_configuration(conn: &mut DbConnection, before: Option<&StageRow>, after: &StageRow) -> Result<(), AppError> {
    let kind: StageKind = after.kind;
    let forecast: ForecastCategory = after.forecast_category;
    if kind == StageKind::Open && forecast == ForecastCategory::Closed {
        return Err(AppError::invalid_field(
            "forecast_category",
            "invalid_value",
            "an open stage cannot forecast as closed",
        ));
    }
    let was_active = before.is_some_and(|b| b.active);
    let others: Vec<StageRow> =
        pipeline::active_stages_of_kind(conn, kind)?.into_iter().filter(|s| s.key != after.key).collect();
    if after.active && !was_active && kind != StageKind::Open && !others.is_empty() {
        return Err(AppError::Conflict(format!(
            "stage `{}` is already the active {kind} stage; exactly one may be active",
            others[0].key
        )));
    }
    if was_active && !after.active {
        if kind != StageKind::Open {
            return Err(AppError::Conflict(format!(
                "the active {kind} stage cannot be deactivated; exactly one must be active"
            )));
        }
        if others.is_empty() {
            return Err(AppError::Conflict("the last active open stage cannot be deactivated".into()));
        }
        let open = pipeline::open_opportunities_in_stage(conn, &after.key)?;
        if open > 0 {
            return Err(AppError::Conflict(format!(
                "{open} open opportunit{} sit in stage `{}`; move them first",
                if open == 1 { "y" } else { "ies" },
                after.key
            )));
        }
    }
    Ok(())
}

fn map_unique(e: StoreError) -> AppError {
    if matches!(e, StoreError::UniqueViolation(_)) {
        AppError::invalid_field("key", "taken", "another stage has this key")
    } else {
        e.into()
    }
}

/// Whether to include inactive records.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IncludeInactive {
    /// Also list inactive records.
    #[serde(default)]
    pub include_inactive: bool,
}

/// List the pipeline stages in order (position, then key). One page holds them all.
#[utoipa::path(
    tag = "pipeline",
    operation_id = "list_pipeline_stages",
    params(IncludeInactive),
    responses((status = 200, description = "Every (active) stage, in pipeline order", body = Page<Stage>)),
    security(("bearer" = []))
)]
#[get("/pipeline-stages")]
pub async fn list_pipeline_stages(
    state: web::Data<AppState>,
    _caller: Caller,
    query: web::Query<IncludeInactive>,
) -> Result<HttpResponse, ApiError> {
    let include_inactive = query.include_inactive;
    let data = db::read(&state, move |conn| {
        pipeline::list_stages(conn, include_inactive)?.into_iter().map(Stage::try_from).collect::<Result<Vec<_>, _>>()
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page { data, next_cursor: None, total: None }))
}

/// Get a stage by key, active or not.
#[utoipa::path(
    tag = "pipeline",
    operation_id = "get_pipeline_stage",
    params(("key" = String, Path, description = "Stage key")),
    responses((status = 200, description = "The stage", body = Stage, headers(("ETag" = String, description = "W/\"<version>\"")))),
    security(("bearer" = []))
)]
#[get("/pipeline-stages/{key}")]
pub async fn get_pipeline_stage(
    state: web::Data<AppState>,
    _caller: Caller,
    key: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = key.into_inner();
    let stage = db::read(&state, move |conn| find(conn, &key)?.ok_or(AppError::NotFound)).await?;
    Ok(with_etag(HttpResponse::Ok(), &stage))
}

/// Add a stage (admins).
#[utoipa::path(
    tag = "pipeline",
    operation_id = "create_pipeline_stage",
    request_body = CreateStage,
    responses(
        (status = 201, description = "Created", body = Stage,
         headers(("Location" = String, description = "The new stage's URL"), ("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Only admins configure the pipeline"),
        (status = 409, description = "`conflict`: a second active won or lost stage"),
    ),
    security(("bearer" = []))
)]
#[post("/pipeline-stages")]
pub async fn create_pipeline_stage(
    state: web::Data<AppState>,
    caller: Authorized<Administer>,
    body: ValidJson<CreateStage>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let stage = db::write(&state, move |conn| {
        pipeline::lock_stages(conn)?;
        if pipeline::find_stage(conn, &input.key)?.is_some() {
            return Err(AppError::invalid_field("key", "taken", "another stage has this key"));
        }
        let mut row = StageRow::new(
            &input.key,
            &input.name,
            input.position,
            input.kind,
            input.probability_bps,
            input.forecast_category,
        );
        row.required_fields = required_json(&input.required_fields);
        row.active = input.active;
        check_configuration(conn, None, &row)?;
        pipeline::insert_stage(conn, &row).map_err(map_unique)?;
        let stage = Stage::try_from(row)?;
        audit::record(conn, &caller, "create", ENTITY, &stage.key, &serde_json::Value::Null, &snapshot(&stage))?;
        Ok(stage)
    })
    .await?;
    let mut created = HttpResponse::Created();
    created.insert_header((header::LOCATION, format!("/api/v1/pipeline-stages/{}", stage.key)));
    Ok(with_etag(created, &stage))
}

/// Change a stage (admins; JSON Merge Patch).
///
/// New probabilities, forecast categories and gates apply to moves from now
/// on; opportunities already in the stage keep theirs. `active: false`
/// deactivates, refused (409) while open opportunities sit in the stage, for
/// the won and lost stages, and for the last open stage.
#[utoipa::path(
    tag = "pipeline",
    operation_id = "update_pipeline_stage",
    params(
        ("key" = String, Path, description = "Stage key"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the change is based on"),
    ),
    request_body(content = StagePatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed stage", body = Stage, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Only admins configure the pipeline"),
        (status = 409, description = "`conflict`: the change would leave open opportunities in an inactive stage, or not exactly one won and one lost stage"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[patch("/pipeline-stages/{key}")]
pub async fn update_pipeline_stage(
    state: web::Data<AppState>,
    caller: Authorized<Administer>,
    key: web::Path<String>,
    if_match: IfMatch,
    body: ValidJson<StagePatch>,
) -> Result<HttpResponse, ApiError> {
    let key = key.into_inner();
    let patch = body.0;
    let stage = db::write(&state, move |conn| {
        pipeline::lock_stages(conn)?;
        let row = pipeline::find_stage(conn, &key)?.ok_or(AppError::NotFound)?;
        if_match.check(row.version)?;
        let edit = patch.apply(&row)?;
        let mut after = row.clone();
        after.name = edit.name;
        after.position = edit.position;
        after.probability_bps = edit.probability_bps;
        after.forecast_category = edit.forecast_category;
        after.required_fields = required_json(&edit.required_fields);
        after.active = edit.active;
        check_configuration(conn, Some(&row), &after)?;
        audit::save_versioned::<_, Stage>(conn, &caller, ENTITY, "update", &row, after, map_unique)
    })
    .await?;
    Ok(with_etag(HttpResponse::Ok(), &stage))
}
