//! The competitor's JSON shapes: the record, its create body and its merge patch.

use crate::app::AppError;
use crate::extract::{double_option, trimmed, trimmed_opt};
use crate::time::to_utc;
use crate::validation::{not_blank, refuse_cleared, tidy};
use chrono::{DateTime, Utc};
use salesops_persistence::pipeline::CompetitorRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

/// A competitor.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f0c2-7000-7000-8000-000000000301", "name": "金蝶", "website": "https://www.kingdee.com",
    "notes": "Strong in finance modules; discounts hard at year end", "active": true, "version": 1,
    "created_at": "2026-11-28T08:00:00Z", "updated_at": "2026-11-28T08:00:00Z", "created_by": "0190f0c2-6a00-7000-8000-0000000000a0"
}))]
pub struct Competitor {
    /// UUIDv7.
    pub id: String,
    /// Unique name.
    #[schema(example = "金蝶")]
    pub name: String,
    /// Their website.
    #[schema(example = "https://www.kingdee.com")]
    pub website: Option<String>,
    /// Free notes.
    pub notes: Option<String>,
    /// Inactive competitors cannot be added to opportunities.
    pub active: bool,
    /// Bumped on every change; also the ETag.
    pub version: i64,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Who added it.
    pub created_by: Option<String>,
}

crate::etag::versioned!(Competitor);

impl From<CompetitorRow> for Competitor {
    fn from(r: CompetitorRow) -> Self {
        Competitor {
            id: r.id,
            name: r.name,
            website: r.website,
            notes: r.notes,
            active: r.active,
            version: r.version,
            created_at: to_utc(r.created_at),
            updated_at: to_utc(r.updated_at),
            created_by: r.created_by,
        }
    }
}

/// A new competitor.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "金蝶", "website": "https://www.kingdee.com"}))]
pub struct CreateCompetitor {
    /// Unique name, 1–200 characters.
    #[validate(custom(function = "not_blank"), length(max = 200))]
    #[serde(deserialize_with = "trimmed")]
    pub name: String,
    /// Their website.
    #[validate(length(max = 500))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub website: Option<String>,
    /// Free notes.
    #[validate(length(max = 10000))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub notes: Option<String>,
}

impl CreateCompetitor {
    /// The fields of a stored competitor, to apply a patch to.
    pub fn from_row(r: &CompetitorRow) -> CreateCompetitor {
        CreateCompetitor { name: r.name.clone(), website: r.website.clone(), notes: r.notes.clone() }
    }

    /// Copy the fields onto a row.
    pub fn write_to(&self, row: &mut CompetitorRow) {
        row.name = self.name.clone();
        row.website = self.website.clone();
        row.notes = self.notes.clone();
    }
}

/// A JSON Merge Patch (RFC 7396) of a competitor.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"website": null, "active": false}))]
pub struct CompetitorPatch {
    /// Unique name; cannot be cleared.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    /// Website.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub website: Option<Option<String>>,
    /// Notes.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
    /// `false` deactivates, `true` reactivates; cannot be cleared.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<bool>)]
    pub active: Option<Option<bool>>,
}

impl CompetitorPatch {
    /// Apply the patch to the current fields (to be validated as a create body is) and
    /// to the current `active` flag, which a create body does not carry. Clearing the
    /// name or the flag is a validation error.
    pub fn apply(self, mut to: CreateCompetitor, active: bool) -> Result<(CreateCompetitor, bool), AppError> {
        refuse_cleared(&[("name", matches!(self.name, Some(None))), ("active", matches!(self.active, Some(None)))])?;
        // A create body is trimmed while deserializing; a patch is trimmed here.
        if let Some(Some(name)) = self.name {
            to.name = name.trim().to_owned();
        }
        if let Some(v) = self.website {
            to.website = tidy(v);
        }
        if let Some(v) = self.notes {
            to.notes = tidy(v);
        }
        Ok((to, self.active.flatten().unwrap_or(active)))
    }
}
