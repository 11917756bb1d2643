//! The lead's JSON shapes: the record, its create body, its merge patch, and command bodies.

use crate::app::AppError;
use crate::extract::{double_option, trimmed, trimmed_opt};
use crate::opportunities::dto::AmountInput;
use crate::time::{to_stored, to_utc};
use crate::validation::{merge_patch, not_blank, plausible_phone, tidy};
use chrono::NaiveDate;
use chrono::{DateTime, Utc};
use salesops_domain::contact_info;
use salesops_domain::lead::{LeadSource, LeadStatus};
use salesops_persistence::leads::LeadRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

/// A lead (线索).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f0c2-6a00-7000-8000-0000000000b1", "name": "王芳", "company": "上海明远科技有限公司", "title": "采购经理",
    "email": "wang.fang@mingyuan.cn", "phone": "+86 138 0013 8000", "source": "event",
    "industry": "manufacturing", "region": "华东", "status": "working", "owner_id": "0190f0c2-6a00-7000-8000-0000000000a1",
    "score": 60, "next_follow_up_at": "2026-12-01T01:00:00Z", "last_activity_at": "2026-11-30T07:00:00Z",
    "disqualify_reason": null,
    "converted_account_id": null, "converted_contact_id": null,
    "converted_opportunity_id": null, "converted_at": null,
    "external_id": null, "notes": null, "version": 2,
    "created_at": "2026-11-30T03:20:00Z", "updated_at": "2026-11-30T07:00:00Z",
    "created_by": "0190f0c2-6a00-7000-8000-0000000000a1"
}))]
pub struct Lead {
    /// UUIDv7.
    pub id: String,
    /// The person's name.
    #[schema(example = "王芳")]
    pub name: String,
    /// Their company.
    #[schema(example = "上海明远科技有限公司")]
    pub company: Option<String>,
    /// Their job title.
    #[schema(example = "采购经理")]
    pub title: Option<String>,
    /// Their email.
    #[schema(example = "wang.fang@mingyuan.cn")]
    pub email: Option<String>,
    /// Their phone.
    #[schema(example = "+86 138 0013 8000")]
    pub phone: Option<String>,
    /// How the lead reached the company.
    pub source: LeadSource,
    /// Industry.
    #[schema(example = "manufacturing")]
    pub industry: Option<String>,
    /// Region.
    #[schema(example = "华东")]
    pub region: Option<String>,
    /// Status; changed only by commands.
    pub status: LeadStatus,
    /// The owner; `null` while the lead sits in the pool.
    pub owner_id: Option<String>,
    /// 0–100.
    #[schema(example = 60)]
    pub score: i32,
    /// When to follow up next.
    pub next_follow_up_at: Option<DateTime<Utc>>,
    /// Last recorded activity.
    pub last_activity_at: Option<DateTime<Utc>>,
    /// Why it was disqualified.
    pub disqualify_reason: Option<String>,
    /// Account created or linked on conversion.
    pub converted_account_id: Option<String>,
    /// Contact created or linked on conversion.
    pub converted_contact_id: Option<String>,
    /// Opportunity created on conversion.
    pub converted_opportunity_id: Option<String>,
    /// When it was converted.
    pub converted_at: Option<DateTime<Utc>>,
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

crate::etag::versioned!(Lead);

impl TryFrom<LeadRow> for Lead {
    type Error = AppError;

    fn try_from(r: LeadRow) -> Result<Self, AppError> {
        Ok(Lead {
            source: r.source,
            status: r.status,
            id: r.id,
            name: r.name,
            company: r.company,
            title: r.title,
            email: r.email,
            phone: r.phone,
            industry: r.industry,
            region: r.region,
            owner_id: r.owner_id,
            score: r.score,
            next_follow_up_at: r.next_follow_up_at.map(to_utc),
            last_activity_at: r.last_activity_at.map(to_utc),
            disqualify_reason: r.disqualify_reason,
            converted_account_id: r.converted_account_id,
            converted_contact_id: r.converted_contact_id,
            converted_opportunity_id: r.converted_opportunity_id,
            converted_at: r.converted_at.map(to_utc),
            external_id: r.external_id,
            notes: r.notes,
            version: r.version,
            created_at: to_utc(r.created_at),
            updated_at: to_utc(r.updated_at),
            created_by: r.created_by,
        })
    }
}

fn default_source() -> LeadSource {
    LeadSource::Other
}

/// The editable fields of a lead, as sent to create one.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "王芳", "company": "上海明远科技有限公司", "title": "采购经理",
    "email": "wang.fang@mingyuan.cn", "phone": "+86 138 0013 8000", "source": "event",
    "industry": "manufacturing", "region": "华东", "score": 60
}))]
pub struct CreateLead {
    /// The person's name (required).
    #[validate(length(max = 200), custom(function = "not_blank"))]
    #[serde(deserialize_with = "trimmed")]
    pub name: String,
    /// Their company; needed to qualify.
    #[validate(length(max = 200))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub company: Option<String>,
    /// Their job title.
    #[validate(length(max = 100))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub title: Option<String>,
    /// Their email; an email or a phone is needed to qualify.
    #[validate(email, length(max = 254))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub email: Option<String>,
    /// Their phone.
    #[validate(length(max = 40), custom(function = "plausible_phone"))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub phone: Option<String>,
    /// How the lead reached the company (default `other`).
    #[serde(default = "default_source")]
    pub source: LeadSource,
    /// Industry.
    #[validate(length(max = 100))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub industry: Option<String>,
    /// Region.
    #[validate(length(max = 100))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub region: Option<String>,
    /// 0–100 (default 0).
    #[serde(default)]
    #[validate(range(min = 0, max = 100))]
    pub score: i32,
    /// When to follow up next.
    pub next_follow_up_at: Option<DateTime<Utc>>,
    /// Free notes.
    #[validate(length(max = 10000))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub notes: Option<String>,
    /// The id in the integrator's system; unique.
    #[validate(length(min = 1, max = 128))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub external_id: Option<String>,
    /// Who owns it. Defaults to the caller; only managers and admins may name someone else.
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub owner_id: Option<String>,
    /// Put the lead straight into the pool, unowned (managers and admins).
    #[serde(default)]
    pub to_pool: bool,
}

impl CreateLead {
    /// Trim text and turn empty optional fields into absent ones.
    pub fn tidied(self) -> CreateLead {
        CreateLead {
            name: self.name.trim().to_owned(),
            company: tidy(self.company),
            title: tidy(self.title),
            email: tidy(self.email),
            phone: tidy(self.phone),
            industry: tidy(self.industry),
            region: tidy(self.region),
            notes: tidy(self.notes),
            external_id: tidy(self.external_id),
            owner_id: tidy(self.owner_id),
            ..self
        }
    }

    /// The editable fields of a stored lead, to apply a patch to.
    pub fn from_row(r: &LeadRow) -> Result<CreateLead, AppError> {
        Ok(CreateLead {
            name: r.name.clone(),
            company: r.company.clone(),
            title: r.title.clone(),
            email: r.email.clone(),
            phone: r.phone.clone(),
            source: r.source,
            industry: r.industry.clone(),
            region: r.region.clone(),
            score: r.score,
            next_follow_up_at: r.next_follow_up_at.map(to_utc),
            notes: r.notes.clone(),
            external_id: r.external_id.clone(),
            owner_id: r.owner_id.clone(),
            to_pool: false,
        })
    }

    /// Copy the editable fields, and their normalised forms, onto a row.
    pub fn write_to(&self, row: &mut LeadRow) {
        row.name = self.name.clone();
        row.company = self.company.clone();
        row.company_normalized = self.company.as_deref().and_then(contact_info::normalize_company);
        row.title = self.title.clone();
        row.email = self.email.clone();
        row.email_normalized = self.email.as_deref().and_then(contact_info::normalize_email);
        row.phone = self.phone.clone();
        row.phone_normalized = self.phone.as_deref().and_then(contact_info::normalize_phone);
        row.source = self.source;
        row.industry = self.industry.clone();
        row.region = self.region.clone();
        row.score = self.score;
        row.next_follow_up_at = self.next_follow_up_at.map(to_stored);
        row.notes = self.notes.clone();
        row.external_id = self.external_id.clone();
    }
}

/// A JSON Merge Patch (RFC 7396) of a lead: absent fields stay, `null` clears.
/// Status and owner change only through commands.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "采购总监", "score": 80, "notes": null}))]
pub struct LeadPatch {
    /// The person's name; cannot be cleared.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    /// Company.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub company: Option<Option<String>>,
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
    /// Source; cannot be cleared.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<LeadSource>)]
    pub source: Option<Option<LeadSource>>,
    /// Industry.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub industry: Option<Option<String>>,
    /// Region.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub region: Option<Option<String>>,
    /// Score, 0–100; cannot be cleared.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub score: Option<Option<i32>>,
    /// Next follow-up time.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub next_follow_up_at: Option<Option<DateTime<Utc>>>,
    /// Notes.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
    /// External id.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub external_id: Option<Option<String>>,
}

impl LeadPatch {
    /// Apply the patch to the current fields. Clearing a required field is a validation error.
    pub fn apply(self, mut to: CreateLead) -> Result<CreateLead, AppError> {
        merge_patch!(self => to,
            required: [name, source, score],
            clearable: [company, title, email, phone, industry, region, next_follow_up_at, notes, external_id]);
        Ok(to)
    }
}

/// Why a lead is disqualified.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "no budget this year"}))]
pub struct DisqualifyLead {
    /// The reason, kept on the lead.
    #[validate(length(max = 500), custom(function = "not_blank"))]
    #[schema(example = "no budget this year")]
    pub reason: String,
}

/// Whom to give a lead to.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"owner_id": "0190f0c2-6a00-7000-8000-0000000000a1"}))]
pub struct AssignLead {
    /// An active user within the caller's data scope.
    #[validate(length(max = 36), custom(function = "not_blank"))]
    pub owner_id: String,
}

/// What to look for among open leads, accounts and contacts.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "Wang.Fang@mingyuan.cn", "phone": "13800138000", "company": "上海明远科技有限公司"}))]
pub struct DuplicateCheck {
    /// Compared case-insensitively.
    #[validate(length(max = 254))]
    pub email: Option<String>,
    /// Compared by digits, ignoring a +86 / 0086 prefix.
    #[validate(length(max = 40))]
    pub phone: Option<String>,
    /// Compared ignoring case, spaces and bracket width.
    #[validate(length(max = 200))]
    pub company: Option<String>,
}

/// What to convert a lead into. Every field is optional: send `{}` to create
/// the account and contact from the lead and no opportunity.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "opportunity": {"name": "明远科技 ERP 二期", "amount": {"amount": 12_000_000, "currency": "CNY"}, "expected_close_date": "2026-12-31"}
}))]
pub struct ConvertLead {
    /// Link this existing account (visible to the caller) instead of creating one.
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub account_id: Option<String>,
    /// Link this existing contact instead of creating one. It must work at
    /// `account_id`; without `account_id`, its account is linked.
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub contact_id: Option<String>,
    /// Also create an opportunity on the account.
    pub opportunity: Option<ConversionOpportunity>,
}

/// The opportunity a conversion creates. It starts in the first active open
/// stage, owned by the lead's owner.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "明远科技 ERP 二期", "amount": {"amount": 12_000_000, "currency": "CNY"}, "expected_close_date": "2026-12-31"}))]
pub struct ConversionOpportunity {
    /// A short name for the deal (1–200 characters).
    #[validate(length(max = 200), custom(function = "not_blank"))]
    #[serde(deserialize_with = "trimmed")]
    #[schema(example = "明远科技 ERP 二期", max_length = 200)]
    pub name: String,
    /// The deal's value; the currency defaults to the base currency.
    #[serde(default)]
    pub amount: Option<AmountInput>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    #[schema(example = "2026-12-31")]
    pub expected_close_date: Option<NaiveDate>,
}

/// The converted lead and what it was converted into.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "lead": {
        "id": "0190f0c2-6a00-7000-8000-0000000000b1", "name": "王芳", "company": "上海明远科技有限公司", "title": "采购经理",
        "email": "wang.fang@mingyuan.cn", "phone": "+86 138 0013 8000", "source": "event",
        "industry": "manufacturing", "region": "华东", "status": "converted", "owner_id": "0190f0c2-6a00-7000-8000-0000000000a1",
        "score": 60, "next_follow_up_at": "2026-12-01T01:00:00Z", "last_activity_at": "2026-11-30T07:00:00Z",
        "disqualify_reason": null,
        "converted_account_id": "0190f0c2-6a00-7000-8000-0000000000d1", "converted_contact_id": "0190f0c2-6a00-7000-8000-0000000000e1",
        "converted_opportunity_id": "0190f0c2-6a00-7000-8000-0000000000f1", "converted_at": "2026-12-01T02:15:00Z",
        "external_id": null, "notes": null, "version": 4,
        "created_at": "2026-11-30T03:20:00Z", "updated_at": "2026-12-01T02:15:00Z",
        "created_by": "0190f0c2-6a00-7000-8000-0000000000a1"
    },
    "account_id": "0190f0c2-6a00-7000-8000-0000000000d1", "contact_id": "0190f0c2-6a00-7000-8000-0000000000e1",
    "opportunity_id": "0190f0c2-6a00-7000-8000-0000000000f1"
}))]
pub struct LeadConversion {
    /// The lead, now `converted`, with its links.
    pub lead: Lead,
    /// The account linked or created.
    pub account_id: String,
    /// The contact linked or created.
    pub contact_id: String,
    /// The opportunity created, if one was asked for.
    pub opportunity_id: Option<String>,
}
