//! `POST /leads/{id}/convert`: a qualified lead becomes an account, a contact
//! and optionally an opportunity, in one transaction.
//!
//! Order of work, all inside one `db::write` (nothing remains if any step fails):
//! 1. lock and read the lead in the caller's scope; check the caller may work it
//!    (its owner, or a manager or admin over the owner; a pool lead must be
//!    claimed first) and that it is `qualified` (`convert` is refused from any
//!    other status, so converting twice is 409 `invalid_transition`);
//! 2. the account: the given one, else the given contact's, else a new one
//!    named after the lead's company, owned by the lead's owner, governed by
//!    the default pool, with an owner-history `create` row;
//! 3. the contact: the given one (which must work at that account), else a new
//!    one from the lead's name, title, email and phone, primary when it is the
//!    account's first contact;
//! 4. the opportunity, when asked for, through [`opportunities::create_in`]
//!    (all its checks, the stage history `create` row, its audit event),
//!    owned by the lead's owner, on that account and contact, with
//!    `source_lead_id` set;
//! 5. the lead: `converted`, with the three links and `converted_at`.
//!
//! The account and contact are created by the same code as `POST /accounts`
//! and `POST /contacts` ([`insert_owned_account`], [`insert_contact`]), so they
//! are audited as `create` with their full snapshots; the lead as `convert`.

use crate::accounts::dto::CreateAccount;
use crate::accounts::service::insert_owned_account;
use crate::app::permission::EditPipeline;
use crate::app::Actor;
use crate::app::AppError;
use crate::app::FieldError;
use crate::audit;
use crate::auth::Authorized;
use crate::contacts::dto::CreateContact;
use crate::contacts::service::insert_contact;
use crate::db;
use crate::error::ApiError;
use crate::etag::{etag, IfMatch};
use crate::extract::{trimmed, trimmed_opt, OptionalJson};
use crate::leads::dto::Lead;
use crate::leads::handlers::{load_visible, map_unique};
use crate::leads::ENTITY;
use crate::opportunities::{self, dto::AmountInput, dto::CreateOpportunity};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{post, web, HttpResponse};
use chrono::NaiveDate;
use salesops_domain::lead::{self, LeadCommand, LeadStatus, QualificationFacts};
use salesops_persistence::leads::LeadRow;
use salesops_persistence::{accounts, clock, contacts, DbConnection};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

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
    #[validate(length(min = 1, max = 200))]
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

/// Name every field error of a nested body part under `prefix`, e.g. `opportunity.amount`.
fn nested(prefix: &str, e: AppError) -> AppError {
    match e {
        AppError::Validation(errors) => AppError::Validation(
            errors.into_iter().map(|f| FieldError { field: format!("{prefix}.{}", f.field), ..f }).collect(),
        ),
        other => other,
    }
}

/// A new account from the lead: its company (else the person's name), industry and region;
/// owned by `owner`, governed by the default pool; with its owner-history `create` row.
fn create_account(conn: &mut DbConnection, caller: &Actor, lead: &LeadRow, owner: &str) -> Result<String, AppError> {
    let mut input = CreateAccount::named(lead.company.as_deref().unwrap_or(&lead.name));
    input.industry = lead.industry.clone();
    input.region = lead.region.clone();
    let detail = Some(format!("converted from lead {}", lead.id));
    Ok(insert_owned_account(conn, caller, &input, Some(owner), true, detail)?.id)
}

/// A new contact at `account_id` from the lead's person; primary when it is the account's first live contact.
fn create_contact(
    conn: &mut DbConnection,
    caller: &Actor,
    lead: &LeadRow,
    account_id: &str,
) -> Result<String, AppError> {
    let input = CreateContact {
        account_id: account_id.to_owned(),
        name: lead.name.clone(),
        title: lead.title.clone(),
        email: lead.email.clone(),
        phone: lead.phone.clone(),
        is_primary: Some(!contacts::has_live(conn, account_id)?),
        ..CreateContact::default()
    };
    Ok(insert_contact(conn, caller, &input)?.id)
}

/// Convert a qualified lead into an account, a contact and optionally an opportunity.
///
/// One transaction: if any step fails, nothing is created and the lead is
/// unchanged. The account is the given one, else the given contact's, else a
/// new one from the lead (owned by the lead's owner, in the default pool's
/// rules). The contact is the given one, which must work at that account, else
/// a new one from the lead. The opportunity, when asked for, starts in the
/// first active open stage, owned by the lead's owner, with the lead as its
/// source. Only the lead's owner, or a manager or admin over them, converts;
/// a pool lead must be claimed first.
#[utoipa::path(
    tag = "leads",
    operation_id = "convert_lead",
    params(
        ("id" = String, Path, description = "Lead id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the command is based on"),
    ),
    request_body(content = Option<ConvertLead>, description = "Optional; `{}` or nothing converts into a new account and contact, without an opportunity"),
    responses(
        (status = 200, description = "The converted lead and the records it became", body = LeadConversion,
         headers(("ETag" = String, description = "W/\"<version>\" of the lead"))),
        (status = 403, description = "Finance; or not the owner nor a manager over them"),
        (status = 409, description = "`invalid_transition`: the lead is not qualified (converting twice included), or sits in the pool"),
        (status = 412, description = "`If-Match` is stale"),
        (status = 422, description = "`validation`: an unknown or invisible account or contact, a contact not at the account, or an invalid opportunity (fields under `opportunity.`)"),
    ),
    security(("bearer" = []))
)]
#[post("/leads/{id}/convert")]
pub async fn convert_lead(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    id: web::Path<String>,
    if_match: IfMatch,
    body: OptionalJson<ConvertLead>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let input = body.0;
    let base_currency = state.settings.base_currency.clone();
    if let Some(opportunity) = &input.opportunity {
        opportunity.validate().map_err(|e| nested("opportunity", e.into()))?;
        if let Some(amount) = &opportunity.amount {
            amount.resolve("opportunity.amount", &base_currency)?;
        }
    }
    let result = db::write(&state, move |conn| {
        let (row, visibility) = load_visible(conn, &caller, &id, true)?;
        if_match.check(row.version)?;
        lead::check_worker(row.owner_id.as_deref(), caller.id(), caller.role.can_assign())?;
        let status: LeadStatus = row.status;
        let facts = QualificationFacts {
            company: row.company.as_deref(),
            email: row.email.as_deref(),
            phone: row.phone.as_deref(),
        };
        let converted = lead::next_status(status, LeadCommand::Convert, facts)?;
        let owner = row.owner_id.clone().ok_or_else(|| AppError::Internal("owned lead without owner".into()))?;

        let given_contact = match &input.contact_id {
            Some(contact) => Some(
                contacts::find_visible(conn, contact, &visibility)?
                    .ok_or_else(|| FieldError::unknown("contact_id", "contact"))?,
            ),
            None => None,
        };
        let account_id = match (&input.account_id, &given_contact) {
            (Some(account), _) => {
                // The lock keeps a parallel conversion from also making a "first" primary contact.
                accounts::lock(conn, account)?;
                accounts::find_visible(conn, account, &visibility)?
                    .ok_or_else(|| FieldError::unknown("account_id", "account"))?
                    .id
            }
            (None, Some(contact)) => {
                accounts::lock(conn, &contact.account_id)?;
                contact.account_id.clone()
            }
            (None, None) => create_account(conn, &caller, &row, &owner)?,
        };
        let contact_id = match given_contact {
            Some(contact) if contact.account_id != account_id => {
                return Err(FieldError::mismatch("contact_id", "the contact does not work at the given account").into());
            }
            Some(contact) => contact.id,
            None => create_contact(conn, &caller, &row, &account_id)?,
        };
        // After the account and contact exist, so a failure here shows the rollback.
        let opportunity_id = match input.opportunity {
            None => None,
            Some(o) => {
                let create = CreateOpportunity {
                    name: o.name,
                    account_id: Some(account_id.clone()),
                    contact_id: Some(contact_id.clone()),
                    owner_id: Some(owner.clone()),
                    amount: o.amount,
                    expected_close_date: o.expected_close_date,
                    source_lead_id: Some(row.id.clone()),
                    ..CreateOpportunity::default()
                };
                let created = opportunities::create_in(conn, &caller, &base_currency, create)
                    .map_err(|e| nested("opportunity", e))?;
                Some(created.id)
            }
        };

        let mut after = row.clone();
        after.status = converted;
        after.converted_account_id = Some(account_id.clone());
        after.converted_contact_id = Some(contact_id.clone());
        after.converted_opportunity_id = opportunity_id.clone();
        after.converted_at = Some(clock::now());
        let lead: Lead =
            audit::save_versioned(conn, &caller, ENTITY, LeadCommand::Convert.as_str(), &row, after, map_unique)?;
        Ok(LeadConversion { lead, account_id, contact_id, opportunity_id })
    })
    .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(result.lead.version))).json(result))
}
