//! The opportunity's JSON shapes: the record, its create body, its merge patch, command bodies and history rows.

use crate::app::AppError;
use crate::extract::{double_option, trimmed, trimmed_opt};
use crate::pipeline::stages::dto::probability;
use crate::time::to_utc;
use crate::validation::{merge_patch, not_blank, tidy};
use chrono::{DateTime, NaiveDate, Utc};
use salesops_domain::money::Money;
use salesops_domain::opportunity::{weighted_amount, ForecastCategory, OpportunityAction, OpportunityStatus};
use salesops_persistence::opportunities::OpportunityRow;
use salesops_persistence::pipeline::StageChangeRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

/// A competitor as listed on an opportunity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({"id": "0190f0c2-7000-7000-8000-000000000301", "name": "金蝶"}))]
pub struct CompetitorRef {
    /// The competitor's id.
    pub id: String,
    /// Its name.
    #[schema(example = "金蝶")]
    pub name: String,
}

/// An opportunity (商机).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f0c2-6a00-7000-8000-0000000000f1", "name": "明远科技 ERP 二期", "account_id": "0190f0c2-6a00-7000-8000-0000000000d1",
    "contact_id": "0190f0c2-6a00-7000-8000-0000000000e1", "owner_id": "0190f0c2-6a00-7000-8000-0000000000a1",
    "amount": {"amount": 12_000_000, "currency": "CNY"}, "weighted_amount": {"amount": 6_000_000, "currency": "CNY"},
    "expected_close_date": "2026-12-31", "stage": "proposal", "probability_bps": 5000,
    "forecast_category": "best_case", "status": "open", "loss_reason": null, "loss_note": null,
    "won_by_competitor_id": null, "competitors": [{"id": "0190f0c2-7000-7000-8000-000000000301", "name": "金蝶"}],
    "next_step": "Send the revised proposal", "source_lead_id": "0190f0c2-6a00-7000-8000-0000000000b1",
    "stage_entered_at": "2026-12-01T08:00:00Z", "closed_at": null, "last_activity_at": "2026-12-01T06:30:00Z",
    "external_id": null, "notes": null, "version": 3, "created_at": "2026-12-01T02:15:00Z",
    "updated_at": "2026-12-01T08:00:00Z", "created_by": "0190f0c2-6a00-7000-8000-0000000000a1"
}))]
pub struct Opportunity {
    /// UUIDv7.
    pub id: String,
    /// A short name for the deal.
    #[schema(example = "明远科技 ERP 二期")]
    pub name: String,
    /// The customer.
    pub account_id: Option<String>,
    /// The main contact; belongs to the account.
    pub contact_id: Option<String>,
    /// The owner; changed only by ownership commands.
    pub owner_id: String,
    /// The deal's value, once estimated.
    pub amount: Option<Money>,
    /// `amount × probability_bps / 10000`, rounded half away from zero to the minor unit.
    pub weighted_amount: Option<Money>,
    /// When it is expected to close (`YYYY-MM-DD`).
    #[schema(example = "2026-12-31")]
    pub expected_close_date: Option<NaiveDate>,
    /// Key of the current pipeline stage; changed only by commands.
    #[schema(example = "proposal")]
    pub stage: String,
    /// Win probability in basis points; set from the stage on every stage change, and patchable.
    #[schema(example = 5000)]
    pub probability_bps: i32,
    /// Forecast category; set from the stage on every stage change, and patchable.
    pub forecast_category: ForecastCategory,
    /// Status; changed only by commands.
    pub status: OpportunityStatus,
    /// Loss reason code, when lost.
    pub loss_reason: Option<String>,
    /// Free text about the loss (or, for an abandoned deal, why it was abandoned).
    pub loss_note: Option<String>,
    /// The competitor who won, when lost to one.
    pub won_by_competitor_id: Option<String>,
    /// The competitors involved, in the order they were added to the dictionary.
    pub competitors: Vec<CompetitorRef>,
    /// The next step.
    #[schema(example = "Send the revised proposal")]
    pub next_step: Option<String>,
    /// The lead it was converted from.
    pub source_lead_id: Option<String>,
    /// When it entered its current stage.
    pub stage_entered_at: DateTime<Utc>,
    /// When it was won, lost or abandoned.
    pub closed_at: Option<DateTime<Utc>>,
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

crate::etag::versioned!(Opportunity);

impl Opportunity {
    /// The API view of a stored opportunity and the competitors listed on it.
    pub fn from_parts(r: OpportunityRow, competitors: Vec<CompetitorRef>) -> Result<Opportunity, AppError> {
        Ok(Opportunity {
            forecast_category: r.forecast_category,
            status: r.status,
            amount: r.amount.map(|a| Money::new(a, r.currency.clone())),
            weighted_amount: r.amount.map(|a| Money::new(weighted_amount(a, r.probability_bps), r.currency.clone())),
            id: r.id,
            name: r.name,
            account_id: r.account_id,
            contact_id: r.contact_id,
            owner_id: r.owner_id,
            expected_close_date: r.expected_close_date,
            stage: r.stage,
            probability_bps: r.probability_bps,
            loss_reason: r.loss_reason,
            loss_note: r.loss_note,
            won_by_competitor_id: r.won_by_competitor_id,
            competitors,
            next_step: r.next_step,
            source_lead_id: r.source_lead_id,
            stage_entered_at: to_utc(r.stage_entered_at),
            closed_at: r.closed_at.map(to_utc),
            last_activity_at: r.last_activity_at.map(to_utc),
            external_id: r.external_id,
            notes: r.notes,
            version: r.version,
            created_at: to_utc(r.created_at),
            updated_at: to_utc(r.updated_at),
            created_by: r.created_by,
        })
    }
}

/// An amount as submitted: minor units, and a currency that defaults to the
/// opportunity's (or, on create, the configured base currency).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "amount": 12_000_000, "currency": "CNY" }))]
pub struct AmountInput {
    /// Minor units, from 0 to 10^13 (¥100 billion in fen).
    #[schema(minimum = 0, maximum = 10_000_000_000_000_i64)]
    pub amount: i64,
    /// ISO 4217 code; omitted keeps the current currency (base currency on create).
    #[schema(example = "CNY")]
    pub currency: Option<String>,
}

impl AmountInput {
    /// The amount as money, defaulting the currency, checked (`field` names errors).
    pub fn resolve(&self, field: &str, default_currency: &str) -> Result<Money, AppError> {
        let money = Money::new(self.amount, self.currency.clone().unwrap_or_else(|| default_currency.to_owned()));
        crate::money::validate(&money, field, false)?;
        Ok(money)
    }
}

/// A new opportunity.
#[derive(Debug, Clone, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "明远科技 ERP 二期", "account_id": "0190f0c2-6a00-7000-8000-0000000000d1",
    "amount": {"amount": 12_000_000, "currency": "CNY"}, "expected_close_date": "2026-12-31",
    "stage": "qualification", "next_step": "Discovery call", "competitor_ids": []
}))]
pub struct CreateOpportunity {
    /// A short name for the deal (required, 1–200 characters).
    #[validate(custom(function = "not_blank"), length(max = 200))]
    #[serde(deserialize_with = "trimmed")]
    pub name: String,
    /// A visible account.
    #[validate(length(min = 1, max = 36))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub account_id: Option<String>,
    /// A contact of that account.
    #[validate(length(min = 1, max = 36))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub contact_id: Option<String>,
    /// Who owns it. Defaults to the caller; only managers and admins may name someone else in their scope.
    #[validate(length(min = 1, max = 36))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub owner_id: Option<String>,
    /// The deal's value; the currency defaults to the base currency.
    #[serde(default)]
    pub amount: Option<AmountInput>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    #[schema(example = "2026-12-31")]
    pub expected_close_date: Option<NaiveDate>,
    /// An active open stage; default: the first one. Its gates apply.
    #[validate(length(min = 1, max = 40))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub stage: Option<String>,
    /// The next step.
    #[validate(length(max = 500))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub next_step: Option<String>,
    /// Active competitors involved.
    #[serde(default)]
    pub competitor_ids: Vec<String>,
    /// The id in the integrator's system; unique.
    #[validate(length(min = 1, max = 128))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub external_id: Option<String>,
    /// Free notes.
    #[validate(length(max = 10000))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub notes: Option<String>,
    /// The lead this opportunity comes from; set by lead conversion, never by a request body.
    #[serde(skip)]
    pub source_lead_id: Option<String>,
    /// An override of the stage's probability, 0–10000; set by a merge patch, never by a
    /// request body (a new opportunity takes its stage's). `None` keeps the current value.
    #[serde(skip)]
    #[validate(custom(function = "probability"))]
    pub probability_bps: Option<i32>,
    /// An override of the stage's forecast category; set by a merge patch, never by a
    /// request body. `None` keeps the current value.
    #[serde(skip)]
    pub forecast_category: Option<ForecastCategory>,
}

impl CreateOpportunity {
    /// Trim text and turn empty optional fields into absent ones, as deserializing a body does.
    pub fn tidied(self) -> CreateOpportunity {
        CreateOpportunity {
            name: self.name.trim().to_owned(),
            account_id: tidy(self.account_id),
            contact_id: tidy(self.contact_id),
            owner_id: tidy(self.owner_id),
            stage: tidy(self.stage),
            next_step: tidy(self.next_step),
            external_id: tidy(self.external_id),
            notes: tidy(self.notes),
            ..self
        }
    }

    /// The fields of a stored opportunity listing `competitors`, to apply a patch to.
    /// The amount carries its currency; no stage override is pending.
    pub fn from_row(r: &OpportunityRow, competitors: &[CompetitorRef]) -> CreateOpportunity {
        CreateOpportunity {
            name: r.name.clone(),
            account_id: r.account_id.clone(),
            contact_id: r.contact_id.clone(),
            owner_id: Some(r.owner_id.clone()),
            amount: r.amount.map(|amount| AmountInput { amount, currency: Some(r.currency.clone()) }),
            expected_close_date: r.expected_close_date,
            stage: Some(r.stage.clone()),
            next_step: r.next_step.clone(),
            competitor_ids: competitors.iter().map(|c| c.id.clone()).collect(),
            external_id: r.external_id.clone(),
            notes: r.notes.clone(),
            source_lead_id: r.source_lead_id.clone(),
            probability_bps: None,
            forecast_category: None,
        }
    }

    /// Copy the editable fields onto a row, with `amount` as resolved from [`Self::amount`]
    /// (no amount keeps the row's currency), and any stage override. Owner, stage and
    /// status change only through commands; the listed competitors are stored apart.
    pub fn write_to(&self, row: &mut OpportunityRow, amount: Option<Money>) {
        row.name = self.name.clone();
        row.account_id = self.account_id.clone();
        row.contact_id = self.contact_id.clone();
        row.amount = amount.as_ref().map(|m| m.amount);
        if let Some(money) = amount {
            row.currency = money.currency;
        }
        row.expected_close_date = self.expected_close_date;
        row.next_step = self.next_step.clone();
        row.external_id = self.external_id.clone();
        row.notes = self.notes.clone();
        if let Some(bps) = self.probability_bps {
            row.probability_bps = bps;
        }
        if let Some(category) = self.forecast_category {
            row.forecast_category = category;
        }
    }
}

/// A JSON Merge Patch (RFC 7396) of an opportunity: absent fields stay, `null` clears.
///
/// Stage, status and owner change only through commands. `probability_bps` and
/// `forecast_category` override the stage's defaults until the next stage change.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"amount": {"amount": 15_000_000}, "probability_bps": 6000, "next_step": null}))]
pub struct OpportunityPatch {
    /// Name; cannot be cleared.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    /// A visible account; clearing it also needs the contact cleared.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub account_id: Option<Option<String>>,
    /// A contact of the account.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub contact_id: Option<Option<String>>,
    /// The amount; the currency stays unless given.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<AmountInput>)]
    pub amount: Option<Option<AmountInput>>,
    /// `YYYY-MM-DD`.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub expected_close_date: Option<Option<NaiveDate>>,
    /// The next step.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub next_step: Option<Option<String>>,
    /// Replaces the listed competitors; `null` or `[]` clears them.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Vec<String>>)]
    pub competitor_ids: Option<Option<Vec<String>>>,
    /// Override of the stage's probability, 0–10000; cannot be cleared.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub probability_bps: Option<Option<i32>>,
    /// Override of the stage's forecast category (not `closed` while open); cannot be cleared.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<ForecastCategory>)]
    pub forecast_category: Option<Option<ForecastCategory>>,
    /// External id.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub external_id: Option<Option<String>>,
    /// Notes.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
}

impl OpportunityPatch {
    /// Whether the patch replaces the listed competitors.
    pub fn names_competitors(&self) -> bool {
        self.competitor_ids.is_some()
    }

    /// Apply the patch to the current fields, to be validated as a create body is.
    /// Clearing the name, the probability or the forecast category is a validation error.
    pub fn apply(self, mut to: CreateOpportunity) -> Result<CreateOpportunity, AppError> {
        merge_patch!(self => to,
            required: [name, probability_bps, forecast_category],
            clearable: [account_id, contact_id, amount, expected_close_date, next_step, external_id, notes]);
        if let Some(v) = self.competitor_ids {
            to.competitor_ids = v.unwrap_or_default();
        }
        Ok(to)
    }
}

/// Where to move an open opportunity.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"stage": "proposal"}))]
pub struct MoveOpportunity {
    /// The key of an active open stage other than the current one.
    #[validate(length(min = 1, max = 40))]
    #[schema(example = "proposal")]
    pub stage: String,
}

/// Winning takes no fields; the body may be omitted or `{}`.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({}))]
pub struct WinOpportunity {}

/// Why an opportunity was lost.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"loss_reason": "competitor", "loss_note": "Lower price", "won_by_competitor_id": "0190f0c2-7000-7000-8000-000000000301"}))]
pub struct LoseOpportunity {
    /// An active code from `/loss-reasons`.
    #[validate(length(min = 1, max = 40))]
    #[schema(example = "price")]
    pub loss_reason: String,
    /// Free text about the loss.
    #[validate(length(max = 1000))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub loss_note: Option<String>,
    /// The competitor who won (must exist and be active); added to the opportunity's competitors.
    #[validate(length(min = 1, max = 36))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub won_by_competitor_id: Option<String>,
}

/// Why an opportunity is abandoned; the body may be omitted.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Customer postponed the project indefinitely"}))]
pub struct AbandonOpportunity {
    /// Kept in `loss_note`.
    #[validate(length(max = 1000))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    #[schema(example = "Customer postponed the project indefinitely")]
    pub reason: Option<String>,
}

/// Where to reopen a closed opportunity; the body may be omitted.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"stage": "negotiation"}))]
pub struct ReopenOpportunity {
    /// An active open stage; default: the stage it was in before it closed.
    #[validate(length(min = 1, max = 40))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    #[schema(example = "negotiation")]
    pub stage: Option<String>,
}

/// One entry of an opportunity's stage history.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f0c2-6a00-7000-8000-0000000004a1", "action": "move", "from_stage": "qualification", "to_stage": "proposal",
    "from_status": "open", "to_status": "open", "amount": {"amount": 12_000_000, "currency": "CNY"},
    "probability_bps": 5000, "actor_id": "0190f0c2-6a00-7000-8000-0000000000a1", "occurred_at": "2026-12-01T08:00:00Z"
}))]
pub struct StageChange {
    /// UUIDv7; the history is ordered by it.
    pub id: String,
    /// What happened.
    pub action: OpportunityAction,
    /// The stage before; `null` on create.
    pub from_stage: Option<String>,
    /// The stage after.
    #[schema(example = "proposal")]
    pub to_stage: String,
    /// The status before; `null` on create.
    pub from_status: Option<OpportunityStatus>,
    /// The status after.
    pub to_status: OpportunityStatus,
    /// The amount at that moment.
    pub amount: Option<Money>,
    /// The probability at that moment, in basis points.
    #[schema(example = 5000)]
    pub probability_bps: i32,
    /// Who did it.
    pub actor_id: Option<String>,
    /// When.
    pub occurred_at: DateTime<Utc>,
}

impl TryFrom<StageChangeRow> for StageChange {
    type Error = AppError;

    fn try_from(r: StageChangeRow) -> Result<Self, AppError> {
        Ok(StageChange {
            action: r.action,
            from_status: r.from_status,
            to_status: r.to_status,
            amount: r.amount.map(|a| Money::new(a, r.currency.clone())),
            id: r.id,
            from_stage: r.from_stage,
            to_stage: r.to_stage,
            probability_bps: r.probability_bps,
            actor_id: r.actor_id,
            occurred_at: to_utc(r.occurred_at),
        })
    }
}
