//! The contact's JSON shapes: the record, its create body and its merge patch.

use crate::app::AppError;
use crate::extract::{double_option, trimmed, trimmed_opt};
use crate::time::to_utc;
use crate::validation::{merge_patch, not_blank, plausible_phone, tidy};
use chrono::{DateTime, Utc};
use salesops_domain::contact_info;
use salesops_persistence::contacts::ContactRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A contact: a person at an account.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f0c2-6a00-7000-8000-0000000000e1", "account_id": "0190f0c2-6a00-7000-8000-0000000000d1", "name": "王芳", "title": "采购经理",
    "email": "wang.fang@mingyuan.cn", "phone": "+86 138 0013 8000", "is_primary": true,
    "last_activity_at": "2026-12-01T06:30:00Z", "external_id": null, "notes": null, "version": 2,
    "created_at": "2026-12-01T02:15:00Z", "updated_at": "2026-12-01T06:30:00Z", "created_by": "0190f0c2-6a00-7000-8000-0000000000a1"
}))]
pub struct Contact {
    /// UUIDv7.
    pub id: String,
    /// The account they work for.
    pub account_id: String,
    /// Their name.
    #[schema(example = "王芳")]
    pub name: String,
    /// Job title.
    #[schema(example = "采购经理")]
    pub title: Option<String>,
    /// Email.
    #[schema(example = "wang.fang@mingyuan.cn")]
    pub email: Option<String>,
    /// Phone.
    #[schema(example = "+86 138 0013 8000")]
    pub phone: Option<String>,
    /// The account's primary contact; at most one per account.
    pub is_primary: bool,
    /// Last recorded activity.
    pub last_activity_at: Option<DateTime<Utc>>,
    /// The id in the integrator's system; unique.
    pub external_id: Option<String>,
    /// Free notes.
    pub notes: Option<String>,
    /// Bumped on every change; also the ETag.
    pub version: i64,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Who created it.
    pub created_by: Option<String>,
}

crate::etag::versioned!(Contact);

impl From<ContactRow> for Contact {
    fn from(r: ContactRow) -> Self {
        Contact {
            id: r.id,
            account_id: r.account_id,
            name: r.name,
            title: r.title,
            email: r.email,
            phone: r.phone,
            is_primary: r.is_primary,
            last_activity_at: r.last_activity_at.map(to_utc),
            external_id: r.external_id,
            notes: r.notes,
            version: r.version,
            created_at: to_utc(r.created_at),
            updated_at: to_utc(r.updated_at),
            created_by: r.created_by,
        }
    }
}

/// The fields of a new contact.
#[derive(Debug, Clone, Default, Deserialize, validator::Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "account_id": "0190f0c2-6a00-7000-8000-0000000000d1", "name": "王芳", "title": "采购经理",
    "email": "wang.fang@mingyuan.cn", "phone": "+86 138 0013 8000"
}))]
pub struct CreateContact {
    /// The account they work for: a live account visible to the caller. It cannot be changed later.
    #[validate(custom(function = "not_blank"), length(max = 36))]
    #[serde(deserialize_with = "trimmed")]
    pub account_id: String,
    /// Their name (required).
    #[validate(custom(function = "not_blank"), length(max = 200))]
    #[serde(deserialize_with = "trimmed")]
    pub name: String,
    /// Job title.
    #[validate(length(max = 100))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub title: Option<String>,
    /// Email.
    #[validate(email, length(max = 254))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub email: Option<String>,
    /// Phone.
    #[validate(length(max = 40), custom(function = "plausible_phone"))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub phone: Option<String>,
    /// Make this the account's primary contact, in place of the current one.
    /// Absent: primary when the account has no primary contact yet.
    #[serde(default)]
    pub is_primary: Option<bool>,
    /// Free notes.
    #[validate(length(max = 10000))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub notes: Option<String>,
    /// The id in the integrator's system; unique.
    #[validate(length(min = 1, max = 128))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub external_id: Option<String>,
}

impl CreateContact {
    /// Trim text and turn empty optional fields into absent ones.
    pub fn tidied(self) -> CreateContact {
        CreateContact {
            name: self.name.trim().to_owned(),
            title: tidy(self.title),
            email: tidy(self.email),
            phone: tidy(self.phone),
            notes: tidy(self.notes),
            external_id: tidy(self.external_id),
            ..self
        }
    }

    /// The editable fields of a stored contact, to apply a patch to.
    pub fn from_row(r: &ContactRow) -> CreateContact {
        CreateContact {
            account_id: r.account_id.clone(),
            name: r.name.clone(),
            title: r.title.clone(),
            email: r.email.clone(),
            phone: r.phone.clone(),
            is_primary: Some(r.is_primary),
            notes: r.notes.clone(),
            external_id: r.external_id.clone(),
        }
    }

    /// Copy the editable fields, and their normalised forms, onto a row (not
    /// the account, and not `is_primary`, which the use case settles against
    /// the account's current primary contact).
    pub fn write_to(&self, row: &mut ContactRow) {
        row.set_name(&self.name);
        row.title = self.title.clone();
        row.email = self.email.clone();
        row.email_normalized = self.email.as_deref().and_then(contact_info::normalize_email);
        row.phone = self.phone.clone();
        row.phone_normalized = self.phone.as_deref().and_then(contact_info::normalize_phone);
        row.notes = self.notes.clone();
        row.external_id = self.external_id.clone();
    }
}

/// A JSON Merge Patch (RFC 7396) of a contact: absent fields stay, `null` clears.
/// A contact stays with its account; someone who moves company is a new contact there.
#[derive(Debug, Default, Deserialize, validator::Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "采购总监", "is_primary": true, "notes": null}))]
pub struct ContactPatch {
    /// Their name; cannot be cleared.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    /// Job title.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub title: Option<Option<String>>,
    /// Email.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    /// Phone.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    /// `true` makes this the account's primary contact in place of the
    /// current one; `false` leaves the account without one. Cannot be cleared.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<bool>)]
    pub is_primary: Option<Option<bool>>,
    /// Notes.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
    /// External id.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub external_id: Option<Option<String>>,
}

impl ContactPatch {
    /// Apply the patch to the current fields. Clearing a required field is a validation error.
    pub fn apply(self, mut to: CreateContact) -> Result<CreateContact, AppError> {
        merge_patch!(self => to, required: [is_primary, name], clearable: [title, email, phone, notes, external_id]);
        Ok(to)
    }
}
