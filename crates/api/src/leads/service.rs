//! Lead use cases: capture, edit, delete, the status and ownership commands,
//! conversion, the duplicate check, and what a logged activity does to its lead.
//!
//! Each runs inside the transaction it is given, as the [`Actor`] the endpoint
//! already authorised. A refused transition is 409 `invalid_transition` and
//! changes nothing.

use super::ENTITY;
use crate::app::permission::AssignRecords;
use crate::app::precondition::IfMatch;
use crate::app::scoped::load_visible;
use crate::app::{Actor, AppError, AppResult, FieldError};
use crate::audit::{self, snapshot};
use crate::duplicates::{self, DuplicateCheckResult};
use crate::leads::dto::{ConvertLead, CreateLead, DuplicateCheck, Lead, LeadConversion, LeadPatch};
use crate::opportunities::dto::CreateOpportunity;
use crate::org::users::check_assignable;
use crate::{accounts, contacts, opportunities};
use chrono::NaiveDateTime;
use salesops_domain::activity;
use salesops_domain::contact_info::{normalize_company, normalize_email, normalize_phone, DuplicateEntity};
use salesops_domain::ids::LeadId;
use salesops_domain::lead::{self, LeadCommand, LeadStatus, NewOwnerError, QualificationFacts, TransitionError};
use salesops_persistence::duplicates::Probe;
use salesops_persistence::leads::{self, LeadRow};
use salesops_persistence::scope::Visibility;
use salesops_persistence::{clock, DbConnection, StoreError};
use validator::Validate;

impl From<TransitionError> for AppError {
    fn from(e: TransitionError) -> Self {
        if e == TransitionError::NotOwner {
            return AppError::Forbidden(e.to_string());
        }
        let errors = match &e {
            TransitionError::MissingFields { fields, .. } => {
                fields.iter().map(|f| FieldError::new(*f, "required", format!("{f} must be set first"))).collect()
            }
            _ => Vec::new(),
        };
        AppError::InvalidTransition { detail: e.to_string(), errors }
    }
}

/// A taken `external_id` is a 422 `taken` on that field; other storage errors as usual.
fn map_unique(e: StoreError) -> AppError {
    crate::app::error::taken(&[("external_id", "another lead has this external_id")])(e)
}

/// Refuse with 409 `duplicate` when an open lead or a contact shares the email or phone.
fn refuse_duplicates(
    conn: &mut DbConnection,
    actor: &Actor,
    input: &CreateLead,
    exclude_id: Option<&str>,
) -> AppResult<()> {
    let probe = Probe {
        email: input.email.as_deref().and_then(normalize_email),
        phone: input.phone.as_deref().and_then(normalize_phone),
        ..Probe::default()
    };
    let hits = duplicates::find(conn, &probe, &[DuplicateEntity::Lead, DuplicateEntity::Contact], exclude_id)?;
    duplicates::refuse_any(&hits, "share this email or phone", true, actor.visibility())
}

/// Capture a lead. The owner is the actor, another user in their scope (only
/// for those who may assign), or nobody (`to_pool`). Unless `allow_duplicate`,
/// an open lead or a contact with the same email or phone refuses it.
pub fn create(conn: &mut DbConnection, actor: &Actor, input: CreateLead, allow_duplicate: bool) -> AppResult<Lead> {
    let owner =
        lead::initial_owner(input.owner_id.as_deref(), input.to_pool, actor.id(), actor.holds::<AssignRecords>())
            .map_err(|e| match e {
                NewOwnerError::PoolWithOwner => AppError::invalid_field("owner_id", "conflict", e.to_string()),
                NewOwnerError::NotAllowed => AppError::Forbidden(e.to_string()),
            })?;
    if let Some(owner) = owner.as_deref().filter(|o| *o != actor.id()) {
        let visibility = actor.visibility();
        check_assignable(conn, visibility, owner)?;
    }
    if !allow_duplicate {
        refuse_duplicates(conn, actor, &input, None)?;
    }
    let mut row = LeadRow::new(&input.name, input.source, owner.as_deref(), Some(actor.id()));
    input.write_to(&mut row);
    leads::insert(conn, &row).map_err(map_unique)?;
    let lead = Lead::try_from(row)?;
    audit::record(conn, actor, "create", ENTITY, &lead.id, &serde_json::Value::Null, &snapshot(&lead))?;
    Ok(lead)
}

/// The lead `id`, if the actor can see it.
pub fn get(conn: &mut DbConnection, actor: &Actor, id: &LeadId) -> AppResult<Lead> {
    let (row, _) = load_visible::<LeadRow>(conn, actor, id, false)?;
    Lead::try_from(row)
}

/// Apply a merge patch, validated by the create body's rules. A new email or
/// phone that an open lead or a contact has is refused unless `allow_duplicate`.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &LeadId,
    if_match: IfMatch,
    patch: LeadPatch,
    allow_duplicate: bool,
) -> AppResult<Lead> {
    let (row, _) = load_visible::<LeadRow>(conn, actor, id, true)?;
    if_match.check(row.version)?;
    let before_contact = (row.email_normalized.clone(), row.phone_normalized.clone());
    let input = patch.apply(CreateLead::from_row(&row)?)?.tidied();
    input.validate()?;
    let mut after = row.clone();
    input.write_to(&mut after);
    let contact_changed = (after.email_normalized.clone(), after.phone_normalized.clone()) != before_contact;
    if contact_changed && !allow_duplicate {
        refuse_duplicates(conn, actor, &input, Some(&row.id))?;
    }
    audit::save_versioned(conn, actor, ENTITY, "update", &row, after, map_unique)
}

/// Soft-delete a lead; a pool lead only by those who may assign.
pub fn delete(conn: &mut DbConnection, actor: &Actor, id: &LeadId, if_match: IfMatch) -> AppResult<()> {
    let (row, _) = load_visible::<LeadRow>(conn, actor, id, true)?;
    if row.owner_id.is_none() {
        actor.require::<AssignRecords>("delete pool leads")?;
    }
    if_match.check(row.version)?;
    let mut after = row.clone();
    after.deleted_at = Some(clock::now());
    audit::save_versioned::<_, Lead>(conn, actor, ENTITY, "delete", &row, after, map_unique).map(|_| ())
}

/// Look for open leads, accounts and contacts matching an email, phone or
/// company, within what the actor may see (see [`duplicates::check`]).
pub fn check_duplicates(
    conn: &mut DbConnection,
    actor: &Actor,
    check: DuplicateCheck,
) -> AppResult<DuplicateCheckResult> {
    let probe = Probe {
        email: check.email.as_deref().and_then(normalize_email),
        phone: check.phone.as_deref().and_then(normalize_phone),
        company: check.company.as_deref().and_then(normalize_company),
        uscc: None,
    };
    if probe.is_empty() {
        return Err(AppError::invalid_field("(body)", "required", "give at least one of email, phone, company"));
    }
    let all = [DuplicateEntity::Lead, DuplicateEntity::Account, DuplicateEntity::Contact];
    duplicates::check(conn, actor, &probe, &all, "company")
}

/// A status or ownership command on a lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `new → working`.
    Start,
    /// `new | working → qualified`; needs a company and an email or phone.
    Qualify,
    /// An open lead becomes `disqualified`, for this reason.
    Disqualify(String),
    /// `disqualified → working`.
    Reopen,
    /// A pool lead becomes the actor's.
    Claim,
    /// The owner hands the lead back to the pool.
    Release,
    /// The lead goes to this user (the endpoint demands [`AssignRecords`]).
    Assign(String),
}

impl Command {
    fn kind(&self) -> LeadCommand {
        match self {
            Command::Start => LeadCommand::Start,
            Command::Qualify => LeadCommand::Qualify,
            Command::Disqualify(_) => LeadCommand::Disqualify,
            Command::Reopen => LeadCommand::Reopen,
            Command::Claim => LeadCommand::Claim,
            Command::Release => LeadCommand::Release,
            Command::Assign(_) => LeadCommand::Assign,
        }
    }
}

fn facts(row: &LeadRow) -> QualificationFacts<'_> {
    QualificationFacts { company: row.company.as_deref(), email: row.email.as_deref(), phone: row.phone.as_deref() }
}

/// Run `command` on lead `id`: lock it, check the transition in the domain,
/// then write the lead and its audit event.
pub fn run(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &LeadId,
    if_match: IfMatch,
    command: Command,
) -> AppResult<Lead> {
    let kind = command.kind();
    // A lead owned outside the actor's scope is 404 for every command, claim
    // included (the loser of a claim race too), exactly like an unknown id.
    let (row, visibility) = load_visible::<LeadRow>(conn, actor, id, true)?;
    if_match.check(row.version)?;
    let status = row.status;
    let mut after = row.clone();
    match command {
        Command::Claim => {
            lead::check_claim(status, row.owner_id.as_deref())?;
            after.owner_id = Some(actor.id().to_owned());
        }
        Command::Release => {
            lead::check_release(status, row.owner_id.as_deref(), actor.id())?;
            after.owner_id = None;
        }
        Command::Assign(owner) => {
            lead::check_assign(status, row.owner_id.as_deref(), &owner)?;
            check_assignable(conn, visibility, &owner)?;
            after.owner_id = Some(owner);
        }
        Command::Start | Command::Qualify | Command::Disqualify(_) | Command::Reopen => {
            lead::check_worker(row.owner_id.as_deref(), actor.id(), actor.holds::<AssignRecords>())?;
            after.status = lead::next_status(status, kind, facts(&row))?;
            after.disqualify_reason = match command {
                Command::Disqualify(reason) => Some(reason),
                Command::Reopen => None,
                _ => row.disqualify_reason.clone(),
            };
        }
    }
    audit::save_versioned(conn, actor, ENTITY, kind.as_str(), &row, after, map_unique)
}

/// Convert a qualified lead into an account, a contact and optionally an
/// opportunity, as one step of the transaction it runs in: if any part
/// fails, the caller's rollback leaves nothing behind.
///
/// 1. lock and read the lead in scope; the actor must be able to work it (its
///    owner, or a manager or admin over the owner; a pool lead is claimed
///    first), and it must be `qualified` (so converting twice is 409);
/// 2. the account: the given one, else the given contact's, else a new one
///    from the lead (through [`accounts::service::insert_owned_account`]);
/// 3. the contact: the given one (which must work at that account), else a
///    new one from the lead (through [`contacts::service::insert_contact`]);
/// 4. the opportunity, when asked for, through [`opportunities::service::create_in`],
///    owned by the lead's owner, with the lead as its source;
/// 5. the lead: `converted`, with the three links.
///
/// `input.opportunity` must already be validated (field errors named under `opportunity.`).
pub fn convert(
    conn: &mut DbConnection,
    actor: &Actor,
    base_currency: &str,
    id: &LeadId,
    if_match: IfMatch,
    input: ConvertLead,
) -> AppResult<LeadConversion> {
    let (row, visibility) = load_visible::<LeadRow>(conn, actor, id, true)?;
    if_match.check(row.version)?;
    lead::check_worker(row.owner_id.as_deref(), actor.id(), actor.holds::<AssignRecords>())?;
    let converted = lead::next_status(row.status, LeadCommand::Convert, facts(&row))?;
    let owner = row.owner_id.clone().ok_or_else(|| AppError::Internal("owned lead without owner".into()))?;

    let given_contact = match &input.contact_id {
        Some(contact) => Some(
            salesops_persistence::contacts::find_visible(conn, contact, visibility)?
                .ok_or_else(|| FieldError::unknown("contact_id", "contact"))?,
        ),
        None => None,
    };
    let account_id = match (&input.account_id, &given_contact) {
        (Some(account), _) => {
            // The lock keeps a parallel conversion from also making a "first" primary contact.
            salesops_persistence::accounts::lock(conn, account)?;
            salesops_persistence::accounts::find_visible(conn, account, visibility)?
                .ok_or_else(|| FieldError::unknown("account_id", "account"))?
                .id
        }
        (None, Some(contact)) => {
            salesops_persistence::accounts::lock(conn, &contact.account_id)?;
            contact.account_id.clone()
        }
        (None, None) => account_from_lead(conn, actor, &row, &owner)?,
    };
    let contact_id = match given_contact {
        Some(contact) if contact.account_id != account_id => {
            return Err(FieldError::mismatch("contact_id", "the contact does not work at the given account").into());
        }
        Some(contact) => contact.id,
        None => contact_from_lead(conn, actor, &row, &account_id)?,
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
            let created = opportunities::service::create_in(conn, actor, base_currency, create)
                .map_err(|e| e.nested("opportunity"))?;
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
        audit::save_versioned(conn, actor, ENTITY, LeadCommand::Convert.as_str(), &row, after, map_unique)?;
    Ok(LeadConversion { lead, account_id, contact_id, opportunity_id })
}

/// A new account from the lead: its company (else the person's name), industry and region;
/// owned by `owner`, governed by the default pool; with its owner-history `create` row.
fn account_from_lead(conn: &mut DbConnection, actor: &Actor, lead: &LeadRow, owner: &str) -> AppResult<String> {
    let mut input = crate::accounts::dto::CreateAccount::named(lead.company.as_deref().unwrap_or(&lead.name));
    input.industry = lead.industry.clone();
    input.region = lead.region.clone();
    let detail = Some(format!("converted from lead {}", lead.id));
    Ok(accounts::service::insert_owned_account(conn, actor, &input, Some(owner), true, detail)?.id)
}

/// A new contact at `account_id` from the lead's person; primary when it is the account's first live contact.
fn contact_from_lead(conn: &mut DbConnection, actor: &Actor, lead: &LeadRow, account_id: &str) -> AppResult<String> {
    let input = crate::contacts::dto::CreateContact {
        account_id: account_id.to_owned(),
        name: lead.name.clone(),
        title: lead.title.clone(),
        email: lead.email.clone(),
        phone: lead.phone.clone(),
        is_primary: Some(!salesops_persistence::contacts::has_live(conn, account_id)?),
        ..crate::contacts::dto::CreateContact::default()
    };
    Ok(contacts::service::insert_contact(conn, actor, &input)?.id)
}

/// What logging an activity at `occurred_at` does to lead `lead_id`, inside
/// the activity's transaction: `last_activity_at` moves forward; and when
/// `actor` may work the lead (as its `start` command: not a pool lead, not a
/// rep on someone else's lead) the follow-up is copied and a `new` lead
/// becomes `working`. A lead outside `visibility`, or deleted, is left alone.
pub fn record_activity(
    conn: &mut DbConnection,
    actor: &Actor,
    visibility: &Visibility,
    lead_id: &str,
    occurred_at: NaiveDateTime,
    follow_up: Option<NaiveDateTime>,
) -> AppResult<()> {
    leads::lock(conn, lead_id)?;
    let Some(before) = leads::find_visible(conn, lead_id, visibility)? else {
        return Ok(());
    };
    let mut after = before.clone();
    after.last_activity_at = Some(activity::last_activity_after(before.last_activity_at, occurred_at));
    let may_work = lead::check_worker(before.owner_id.as_deref(), actor.id(), actor.holds::<AssignRecords>()).is_ok();
    if may_work && follow_up.is_some() {
        after.next_follow_up_at = follow_up;
    }
    let mut action = "log_activity";
    if may_work && before.status == LeadStatus::New {
        after.status = lead::next_status(before.status, LeadCommand::Start, QualificationFacts::default())?;
        action = LeadCommand::Start.as_str();
    }
    if after != before {
        audit::save_versioned::<_, Lead>(conn, actor, ENTITY, action, &before, after, map_unique)?;
    }
    Ok(())
}
