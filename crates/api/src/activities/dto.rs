//! The activity's JSON shapes: the record, its create body and its merge patch.

use crate::app::{AppError, AppResult, FieldError};
use crate::extract::{double_option, trimmed, trimmed_opt};
use crate::time::{to_stored, to_utc};
use crate::validation::{merge_patch, not_blank, tidy};
use chrono::{DateTime, NaiveDateTime, Utc};
use salesops_domain::activity::{self, ActivityKind, Coordinates};
use salesops_persistence::activities::ActivityRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationErrors};

/// Where an activity happened: WGS 84 degrees and an optional place name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"latitude": 31.2304, "longitude": 121.4737, "name": "明远科技 浦东办公室"}))]
pub struct Location {
    /// Degrees north, −90 to 90.
    #[schema(example = 31.2304, minimum = -90, maximum = 90)]
    pub latitude: f64,
    /// Degrees east, −180 to 180.
    #[schema(example = 121.4737, minimum = -180, maximum = 180)]
    pub longitude: f64,
    /// A name for the place, at most 200 characters.
    #[validate(length(max = 200))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    #[schema(example = "明远科技 浦东办公室", max_length = 200)]
    pub name: Option<String>,
}

/// A follow-up (跟进记录): a call, visit, meeting, email, note or check-in.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f0c2-6a00-7000-8000-0000000001a1", "kind": "visit", "subject": "Demo of the reporting module",
    "body": "They want SSO and a pilot in January.", "occurred_at": "2026-12-01T06:30:00Z",
    "next_follow_up_at": "2026-12-08T02:00:00Z", "owner_id": "0190f0c2-6a00-7000-8000-0000000000a1", "lead_id": null,
    "account_id": "0190f0c2-6a00-7000-8000-0000000000d1", "contact_id": "0190f0c2-6a00-7000-8000-0000000000e1", "opportunity_id": "0190f0c2-6a00-7000-8000-0000000000f1",
    "location": {"latitude": 31.2304, "longitude": 121.4737, "name": "明远科技 浦东办公室"},
    "version": 1, "created_at": "2026-12-01T07:05:00Z", "updated_at": "2026-12-01T07:05:00Z",
    "created_by": "0190f0c2-6a00-7000-8000-0000000000a1"
}))]
pub struct Activity {
    /// UUIDv7.
    pub id: String,
    /// What kind of follow-up it was.
    pub kind: ActivityKind,
    /// One line about it.
    #[schema(example = "Demo of the reporting module")]
    pub subject: String,
    /// Longer notes.
    #[schema(example = "They want SSO and a pilot in January.")]
    pub body: Option<String>,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// When to follow up next.
    pub next_follow_up_at: Option<DateTime<Utc>>,
    /// Who did it.
    pub owner_id: String,
    /// The linked lead.
    pub lead_id: Option<String>,
    /// The linked account; set from the contact or opportunity when they have one.
    pub account_id: Option<String>,
    /// The linked contact.
    pub contact_id: Option<String>,
    /// The linked opportunity.
    pub opportunity_id: Option<String>,
    /// Where it happened (check-ins always, visits optionally).
    pub location: Option<Location>,
    /// Bumped on every change; also the ETag.
    pub version: i64,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Who logged it.
    pub created_by: Option<String>,
}

crate::etag::versioned!(Activity);

/// The stored location columns as a [`Location`], when both coordinates are set.
fn location_of(r: &ActivityRow) -> Option<Location> {
    match (r.latitude, r.longitude) {
        (Some(latitude), Some(longitude)) => Some(Location { latitude, longitude, name: r.location_name.clone() }),
        _ => None,
    }
}

impl TryFrom<ActivityRow> for Activity {
    type Error = AppError;

    fn try_from(r: ActivityRow) -> Result<Self, AppError> {
        Ok(Activity {
            kind: r.kind,
            location: location_of(&r),
            id: r.id,
            subject: r.subject,
            body: r.body,
            occurred_at: to_utc(r.occurred_at),
            next_follow_up_at: r.next_follow_up_at.map(to_utc),
            owner_id: r.owner_id,
            lead_id: r.lead_id,
            account_id: r.account_id,
            contact_id: r.contact_id,
            opportunity_id: r.opportunity_id,
            version: r.version,
            created_at: to_utc(r.created_at),
            updated_at: to_utc(r.updated_at),
            created_by: r.created_by,
        })
    }
}

/// A new activity.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "visit", "subject": "Demo of the reporting module", "body": "They want SSO and a pilot in January.",
    "occurred_at": "2026-12-01T06:30:00Z", "next_follow_up_at": "2026-12-08T02:00:00Z",
    "account_id": "0190f0c2-6a00-7000-8000-0000000000d1", "contact_id": "0190f0c2-6a00-7000-8000-0000000000e1",
    "location": {"latitude": 31.2304, "longitude": 121.4737, "name": "明远科技 浦东办公室"}
}))]
pub struct CreateActivity {
    /// What kind of follow-up it was.
    pub kind: ActivityKind,
    /// One line about it (required, at most 200 characters).
    #[validate(custom(function = "not_blank"), length(max = 200))]
    #[serde(deserialize_with = "trimmed")]
    #[schema(max_length = 200)]
    pub subject: String,
    /// Longer notes.
    #[validate(length(max = 10000))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub body: Option<String>,
    /// When it happened; default now. At most a day in the future.
    pub occurred_at: Option<DateTime<Utc>>,
    /// When to follow up next; also set on the linked lead.
    pub next_follow_up_at: Option<DateTime<Utc>>,
    /// Who did it; default the caller. Managers and admins may log for a user in their scope.
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub owner_id: Option<String>,
    /// A lead the caller can see.
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub lead_id: Option<String>,
    /// An account the caller can see.
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub account_id: Option<String>,
    /// A contact the caller can see; it must work at `account_id` when both are given.
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub contact_id: Option<String>,
    /// An opportunity the caller can see; it must be on `account_id` when both are given.
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub opportunity_id: Option<String>,
    /// Required for `check_in`, allowed for `visit`, refused for other kinds.
    pub location: Option<Location>,
}

/// A JSON Merge Patch (RFC 7396) of an activity: absent fields stay, `null` clears.
/// The kind, the owner and the links do not change.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"subject": "Demo and pricing", "next_follow_up_at": null}))]
pub struct ActivityPatch {
    /// One line about it; cannot be cleared.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub subject: Option<Option<String>>,
    /// Longer notes.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub body: Option<Option<String>>,
    /// When it happened; cannot be cleared.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub occurred_at: Option<Option<DateTime<Utc>>>,
    /// When to follow up next.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub next_follow_up_at: Option<Option<DateTime<Utc>>>,
    /// Where it happened; a check-in's cannot be cleared.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Location>)]
    pub location: Option<Option<Location>>,
}

impl ActivityPatch {
    /// Apply the patch to the current fields. Clearing a required field is a validation error.
    pub fn apply(self, mut to: CreateActivity) -> AppResult<CreateActivity> {
        merge_patch!(self => to, required: [subject, occurred_at], clearable: [body, next_follow_up_at, location]);
        Ok(to)
    }
}

impl CreateActivity {
    /// Trim text and turn an empty body into an absent one, as the create
    /// body's deserializers do; a merge patch's values arrive untrimmed.
    pub fn tidied(self) -> CreateActivity {
        CreateActivity { subject: self.subject.trim().to_owned(), body: tidy(self.body), ..self }
    }

    /// The fields of a stored activity, to apply a patch to.
    pub fn from_row(r: &ActivityRow) -> CreateActivity {
        CreateActivity {
            kind: r.kind,
            subject: r.subject.clone(),
            body: r.body.clone(),
            occurred_at: Some(to_utc(r.occurred_at)),
            next_follow_up_at: r.next_follow_up_at.map(to_utc),
            owner_id: Some(r.owner_id.clone()),
            lead_id: r.lead_id.clone(),
            account_id: r.account_id.clone(),
            contact_id: r.contact_id.clone(),
            opportunity_id: r.opportunity_id.clone(),
            location: location_of(r),
        }
    }

    /// When it happened, as stored: the given time, or `now` when none was given.
    pub fn occurred_at_or(&self, now: NaiveDateTime) -> NaiveDateTime {
        self.occurred_at.map(to_stored).unwrap_or(now)
    }

    /// Check every rule of a new or patched activity and report all broken
    /// ones at once (422): the field limits declared on this body and on its
    /// [`Location`], the location that fits the kind and lies on the globe,
    /// and a date at most a day ahead of `now`. The date is checked only when
    /// `new_date`, so that an activity whose date a patch keeps stays editable.
    pub fn check(&self, now: NaiveDateTime, new_date: bool) -> AppResult<()> {
        let mut errors = field_errors(self.validate());
        let coordinates = self.location.as_ref().map(|l| Coordinates { latitude: l.latitude, longitude: l.longitude });
        let mut broken = activity::check_location(self.kind, coordinates);
        if new_date {
            broken.extend(activity::check_occurred_at(self.occurred_at_or(now), now).err());
        }
        errors.extend(broken.into_iter().map(|e| FieldError::new(e.field(), e.code(), e.to_string())));
        // The place name's limit is declared on `Location`, which the derived
        // check above does not descend into; its errors are named under `location`.
        if let Some(location) = &self.location {
            errors.extend(field_errors(location.validate()).into_iter().map(|e| e.nested("location")));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(errors))
        }
    }

    /// Copy what it says about the activity onto a row: subject, body, date
    /// (when given), next follow-up and location. The kind, the owner and the
    /// links are set when the row is made, and never change.
    pub fn write_to(&self, row: &mut ActivityRow) {
        row.subject = self.subject.clone();
        row.body = self.body.clone();
        if let Some(at) = self.occurred_at {
            row.occurred_at = to_stored(at);
        }
        row.next_follow_up_at = self.next_follow_up_at.map(to_stored);
        row.latitude = self.location.as_ref().map(|l| l.latitude);
        row.longitude = self.location.as_ref().map(|l| l.longitude);
        row.location_name = self.location.as_ref().and_then(|l| l.name.clone());
    }
}

/// The field errors of a derived validation, in the order the API reports them.
fn field_errors(result: Result<(), ValidationErrors>) -> Vec<FieldError> {
    match result.map_err(AppError::from) {
        Err(AppError::Validation(errors)) => errors,
        // `From<ValidationErrors>` only ever makes `Validation`; `Ok` has no errors.
        _ => Vec::new(),
    }
}
