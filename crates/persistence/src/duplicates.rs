//! The one duplicate lookup across leads, accounts and contacts.
//!
//! Lead capture, the lead and account duplicate checks, and account creation
//! all ask here, so a company or a person is recognised the same way
//! wherever it was typed in before. Every key is compared in its normalised
//! form (see `salesops_domain::contact_info`).
//!
//! The lookup deliberately ignores data scopes: a duplicate owned by a
//! colleague is still a duplicate. Callers decide what of a match to show.

use crate::connection::MultiBackend;
use crate::schema::{accounts, contacts, leads};
use crate::words::Word;
use crate::{DbConnection, StoreResult};
use diesel::expression::BoxableExpression;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable};
use salesops_domain::contact_info::DuplicateEntity;
use salesops_domain::lead::LeadStatus;

/// What to look for, each key already normalised; absent keys are not compared.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Probe {
    /// Normalised email: matches leads and contacts.
    pub email: Option<String>,
    /// Normalised phone: matches leads and contacts.
    pub phone: Option<String>,
    /// Normalised company name: matches a lead's company and an account's name.
    pub company: Option<String>,
    /// Upper-case USCC: matches accounts.
    pub uscc: Option<String>,
}

impl Probe {
    /// Whether no key is set, so nothing can match.
    pub fn is_empty(&self) -> bool {
        self.email.is_none() && self.phone.is_none() && self.company.is_none() && self.uscc.is_none()
    }
}

/// Where to look.
#[derive(Debug, Clone)]
pub struct Search<'a> {
    /// The kinds of record to search.
    pub kinds: &'a [DuplicateEntity],
    /// Leads count only in these statuses (the open ones, usually).
    pub lead_statuses: &'a [LeadStatus],
    /// A record to leave out (the one being edited).
    pub exclude_id: Option<&'a str>,
    /// At most this many matches of each kind.
    pub limit_per_kind: i64,
}

/// A key a match was found by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchKey {
    /// The email.
    Email,
    /// The phone.
    Phone,
    /// The company name.
    Company,
    /// The USCC.
    Uscc,
}

/// One matching record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// What kind of record it is.
    pub entity: DuplicateEntity,
    /// Its id.
    pub id: String,
    /// The lead's or contact's person name, or the account's name.
    pub name: String,
    /// The lead's company, the account's name, or the contact's account's name.
    pub company: Option<String>,
    /// For a contact: its account.
    pub account_id: Option<String>,
    /// The owner (for a contact, its account's); `None` in a pool.
    pub owner_id: Option<String>,
    /// For a lead: its status.
    pub lead_status: Option<LeadStatus>,
    /// The keys that matched, in the order email, phone, company, USCC.
    pub matched_on: Vec<MatchKey>,
}

/// An account match: id, name, normalised name, USCC, owner.
type AccountMatch = (String, String, String, Option<String>, Option<String>);
/// A contact match: id, name, account, normalised email, normalised phone.
/// A matching contact: id, name, account id, email and phone keys, account name and owner.
type ContactMatch = (String, String, String, Option<String>, Option<String>, String, Option<String>);

type Predicate<T> = Box<dyn BoxableExpression<T, MultiBackend, SqlType = Nullable<Bool>>>;

/// Keys in `[(key, probed value, stored value)]` whose probed value is set and equal to the stored one.
fn matched(pairs: [(MatchKey, &Option<String>, &Option<String>); 4]) -> Vec<MatchKey> {
    pairs.into_iter().filter(|(_, probe, stored)| probe.is_some() && probe == stored).map(|(k, _, _)| k).collect()
}

/// Live leads in one of the statuses that share an email, phone or company with the probe.
fn leads_matching(conn: &mut DbConnection, probe: &Probe, search: &Search<'_>) -> StoreResult<Vec<Hit>> {
    let mut any: Vec<Predicate<leads::table>> = Vec::new();
    if let Some(e) = &probe.email {
        any.push(Box::new(leads::email_normalized.eq(e.clone())));
    }
    if let Some(p) = &probe.phone {
        any.push(Box::new(leads::phone_normalized.eq(p.clone())));
    }
    if let Some(c) = &probe.company {
        any.push(Box::new(leads::company_normalized.eq(c.clone())));
    }
    let Some(any) = any.into_iter().reduce(|a, b| Box::new(a.or(b))) else { return Ok(Vec::new()) };
    let statuses: Vec<&str> = search.lead_statuses.iter().map(|s| s.as_str()).collect();
    let mut query = leads::table
        .filter(leads::deleted_at.is_null())
        .filter(leads::status.eq_any(statuses))
        .filter(any)
        .select((
            leads::id,
            leads::name,
            leads::company,
            leads::owner_id,
            leads::status,
            leads::email_normalized,
            leads::phone_normalized,
            leads::company_normalized,
        ))
        .order(leads::id)
        .limit(search.limit_per_kind)
        .into_boxed();
    if let Some(id) = search.exclude_id {
        query = query.filter(leads::id.ne(id.to_owned()));
    }
    type LeadMatch = (
        String,
        String,
        Option<String>,
        Option<String>,
        Word<LeadStatus>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<LeadMatch> = query.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, company, owner_id, status, email, phone, company_normalized)| Hit {
            matched_on: matched([
                (MatchKey::Email, &probe.email, &email),
                (MatchKey::Phone, &probe.phone, &phone),
                (MatchKey::Company, &probe.company, &company_normalized),
                (MatchKey::Uscc, &None, &None),
            ]),
            entity: DuplicateEntity::Lead,
            id,
            name,
            company,
            account_id: None,
            owner_id,
            lead_status: Some(status.0),
        })
        .collect())
}

/// Live accounts whose name or USCC is the probe's.
fn accounts_matching(conn: &mut DbConnection, probe: &Probe, search: &Search<'_>) -> StoreResult<Vec<Hit>> {
    let mut any: Vec<Predicate<accounts::table>> = Vec::new();
    if let Some(c) = &probe.company {
        any.push(Box::new(accounts::name_normalized.eq(c.clone()).nullable()));
    }
    if let Some(u) = &probe.uscc {
        any.push(Box::new(accounts::uscc.eq(u.clone())));
    }
    let Some(any) = any.into_iter().reduce(|a, b| Box::new(a.or(b))) else { return Ok(Vec::new()) };
    let mut query = accounts::table
        .filter(accounts::deleted_at.is_null())
        .filter(any)
        .select((accounts::id, accounts::name, accounts::name_normalized, accounts::uscc, accounts::owner_id))
        .order(accounts::id)
        .limit(search.limit_per_kind)
        .into_boxed();
    if let Some(id) = search.exclude_id {
        query = query.filter(accounts::id.ne(id.to_owned()));
    }
    let rows: Vec<AccountMatch> = query.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, name_normalized, uscc, owner_id)| Hit {
            matched_on: matched([
                (MatchKey::Email, &None, &None),
                (MatchKey::Phone, &None, &None),
                (MatchKey::Company, &probe.company, &Some(name_normalized)),
                (MatchKey::Uscc, &probe.uscc, &uscc),
            ]),
            entity: DuplicateEntity::Account,
            company: Some(name.clone()),
            id,
            name,
            account_id: None,
            owner_id,
            lead_status: None,
        })
        .collect())
}

/// Live contacts of live accounts that share an email or phone with the probe, with
/// their account's name and owner, in one query (the account is joined by its key,
/// never scanned). People's names are not a key: too many people share one.
fn contacts_matching(conn: &mut DbConnection, probe: &Probe, search: &Search<'_>) -> StoreResult<Vec<Hit>> {
    type ContactsOfAccounts = diesel::dsl::InnerJoinQuerySource<contacts::table, accounts::table>;
    let mut any: Vec<Predicate<ContactsOfAccounts>> = Vec::new();
    if let Some(e) = &probe.email {
        any.push(Box::new(contacts::email_normalized.eq(e.clone())));
    }
    if let Some(p) = &probe.phone {
        any.push(Box::new(contacts::phone_normalized.eq(p.clone())));
    }
    let Some(any) = any.into_iter().reduce(|a, b| Box::new(a.or(b))) else { return Ok(Vec::new()) };
    let mut query = contacts::table
        .inner_join(accounts::table)
        .filter(contacts::deleted_at.is_null())
        .filter(accounts::deleted_at.is_null())
        .filter(any)
        .select((
            contacts::id,
            contacts::name,
            contacts::account_id,
            contacts::email_normalized,
            contacts::phone_normalized,
            accounts::name,
            accounts::owner_id,
        ))
        .order(contacts::id)
        .limit(search.limit_per_kind)
        .into_boxed();
    if let Some(id) = search.exclude_id {
        query = query.filter(contacts::id.ne(id.to_owned()));
    }
    let rows: Vec<ContactMatch> = query.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, account_id, email, phone, company, owner_id)| Hit {
            matched_on: matched([
                (MatchKey::Email, &probe.email, &email),
                (MatchKey::Phone, &probe.phone, &phone),
                (MatchKey::Company, &None, &None),
                (MatchKey::Uscc, &None, &None),
            ]),
            entity: DuplicateEntity::Contact,
            id,
            name,
            company: Some(company),
            account_id: Some(account_id),
            owner_id,
            lead_status: None,
        })
        .collect())
}

/// Every record of `search.kinds` that shares a key with `probe`: leads
/// first, then accounts, then contacts, each oldest first.
pub fn find(conn: &mut DbConnection, probe: &Probe, search: &Search<'_>) -> StoreResult<Vec<Hit>> {
    let mut hits = Vec::new();
    for kind in [DuplicateEntity::Lead, DuplicateEntity::Account, DuplicateEntity::Contact] {
        if !search.kinds.contains(&kind) {
            continue;
        }
        hits.extend(match kind {
            DuplicateEntity::Lead => leads_matching(conn, probe, search)?,
            DuplicateEntity::Account => accounts_matching(conn, probe, search)?,
            DuplicateEntity::Contact => contacts_matching(conn, probe, search)?,
        });
    }
    Ok(hits)
}
