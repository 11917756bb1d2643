//! The duplicate check every resource shares: one lookup across leads,
//! accounts and contacts ([`salesops_persistence::duplicates`]), one shape of
//! match in answers, and one 409 `duplicate` refusal.

use crate::app::Actor;
use crate::app::AppError;
use salesops_domain::contact_info::DuplicateEntity;
use salesops_domain::lead::LeadStatus;
use salesops_persistence::duplicates::{self, Hit, MatchKey, Probe, Search};
use salesops_persistence::scope::Visibility;
use salesops_persistence::DbConnection;
use serde::Deserialize;
use serde::Serialize;
use utoipa::IntoParams;
use utoipa::ToSchema;

/// The most matches of each kind a check reports.
pub const MAX_MATCHES_PER_KIND: i64 = 50;

/// One record that matches.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "entity_type": "contact", "id": "0190f0c2-6a00-7000-8000-0000000000e1", "lead_id": null,
    "matched_on": ["email"], "status": null, "visible": true, "name": "王芳",
    "company": "上海明远科技有限公司", "account_id": "0190f0c2-6a00-7000-8000-0000000000d1",
    "owner_id": "0190f0c2-6a00-7000-8000-0000000000a1"
}))]
pub struct DuplicateMatch {
    /// What kind of record matched: `lead`, `account` or `contact`.
    pub entity_type: DuplicateEntity,
    /// The matching record's id; `null` when it is outside the caller's data scope.
    pub id: Option<String>,
    /// The same as `id` for a lead match, else `null` (kept from the lead-only check).
    pub lead_id: Option<String>,
    /// Which keys matched: `email`, `phone`, `company` (in the lead check) or `name` (in the account check), `uscc`.
    pub matched_on: Vec<String>,
    /// A lead's status; `null` for accounts and contacts, and outside the caller's scope.
    pub status: Option<LeadStatus>,
    /// Whether the caller may open the record. A match outside the caller's data scope
    /// says only that it exists and what matched: its id, owner, name, company,
    /// account and status are all `null`.
    pub visible: bool,
    /// The lead's or contact's name, or the account's name, when visible.
    pub name: Option<String>,
    /// The lead's company, the account's name, or the contact's account's name, when visible.
    pub company: Option<String>,
    /// A contact's account, when visible.
    pub account_id: Option<String>,
    /// The owner (a contact's: its account's owner); `null` in a pool, and outside the caller's scope.
    pub owner_id: Option<String>,
}

/// The result of a duplicate check.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"data": [{
    "entity_type": "contact", "id": "0190f0c2-6a00-7000-8000-0000000000e1", "name": "王芳",
    "company": "上海明远科技有限公司", "status": null, "matched_on": ["email"], "visible": true,
    "lead_id": null, "account_id": "0190f0c2-6a00-7000-8000-0000000000d1", "owner_id": "0190f0c2-6a00-7000-8000-0000000000a1"
}]}))]
pub struct DuplicateCheckResult {
    /// Matches: leads, then accounts, then contacts, each oldest first; empty when there are none.
    pub data: Vec<DuplicateMatch>,
}

/// Look for every record of `kinds` matching `probe`, whoever owns it, and
/// describe the matches as `caller` may see them. `company_key` names the
/// company-name key in `matched_on` (`company` or `name`, as the request called it).
pub fn check(
    conn: &mut DbConnection,
    caller: &Actor,
    probe: &Probe,
    kinds: &[DuplicateEntity],
    company_key: &str,
) -> Result<DuplicateCheckResult, AppError> {
    // Only open leads count as duplicates.
    let statuses = LeadStatus::open_statuses();
    let search = Search { kinds, lead_statuses: &statuses, exclude_id: None, limit_per_kind: MAX_MATCHES_PER_KIND };
    let hits = duplicates::find(conn, probe, &search)?;
    let visibility = caller.visibility();
    let data = hits
        .into_iter()
        .map(|hit| {
            let visible = visibility.allows(hit.owner_id.as_deref());
            let is_lead = hit.entity == DuplicateEntity::Lead;
            DuplicateMatch {
                status: hit.lead_status.filter(|_| visible),
                matched_on: hit
                    .matched_on
                    .iter()
                    .map(|k| match k {
                        MatchKey::Email => "email",
                        MatchKey::Phone => "phone",
                        MatchKey::Company => company_key,
                        MatchKey::Uscc => "uscc",
                    })
                    .map(str::to_owned)
                    .collect(),
                entity_type: hit.entity,
                lead_id: (is_lead && visible).then(|| hit.id.clone()),
                visible,
                name: visible.then_some(hit.name),
                company: hit.company.filter(|_| visible),
                account_id: hit.account_id.filter(|_| visible),
                owner_id: hit.owner_id.filter(|_| visible),
                id: visible.then_some(hit.id),
            }
        })
        .collect();
    Ok(DuplicateCheckResult { data })
}

/// Look for records of `kinds` matching `probe`, leaving out `exclude_id`
/// (the record being edited); at most [`MAX_MATCHES_PER_KIND`] of each kind.
pub fn find(
    conn: &mut DbConnection,
    probe: &Probe,
    kinds: &[DuplicateEntity],
    exclude_id: Option<&str>,
) -> Result<Vec<Hit>, AppError> {
    if probe.is_empty() {
        return Ok(Vec::new());
    }
    let statuses = LeadStatus::open_statuses();
    let search = Search { kinds, lead_statuses: &statuses, exclude_id, limit_per_kind: MAX_MATCHES_PER_KIND };
    Ok(duplicates::find(conn, probe, &search)?)
}

/// Refuse with 409 `duplicate` when there are matches. `duplicate_ids` names
/// only those within `visibility`; the others are counted, never named.
/// `what` says what was compared, e.g. "share this email or phone".
pub fn refuse_any(hits: &[Hit], what: &str, overridable: bool, visibility: &Visibility) -> Result<(), AppError> {
    if hits.is_empty() {
        return Ok(());
    }
    let kinds: Vec<&str> = [DuplicateEntity::Lead, DuplicateEntity::Account, DuplicateEntity::Contact]
        .into_iter()
        .filter(|k| hits.iter().any(|h| h.entity == *k))
        .map(|k| match k {
            DuplicateEntity::Lead => "open lead(s)",
            DuplicateEntity::Account => "account(s)",
            DuplicateEntity::Contact => "contact(s)",
        })
        .collect();
    let ids: Vec<String> =
        hits.iter().filter(|h| visibility.allows(h.owner_id.as_deref())).map(|h| h.id.clone()).collect();
    let hidden = match hits.len() - ids.len() {
        0 => String::new(),
        n => format!(" ({n} outside your scope)"),
    };
    let hint = if overridable { "; pass allow_duplicate=true to save anyway" } else { "" };
    Err(AppError::Duplicate { detail: format!("{} {} {what}{hidden}{hint}", hits.len(), kinds.join(" and ")), ids })
}

/// Whether to save despite duplicates.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DuplicateOverride {
    /// Save even when a matching record exists (an open lead, account or contact, as each resource's create documents).
    #[serde(default)]
    pub allow_duplicate: bool,
}
