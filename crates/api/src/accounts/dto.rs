//! The account's JSON shapes: the record, its create body, its merge patch,
//! the transfer body, owner history, and the duplicate check body.

use crate::app::AppError;
use crate::extract::{double_option, trimmed, trimmed_opt};
use crate::time::to_utc;
use crate::validation::{merge_patch, not_blank, tidy};
use chrono::{DateTime, Utc};
use salesops_domain::account::{AccountLifecycle, AccountTier, OwnerChangeReason};
use salesops_domain::uscc;
use salesops_persistence::account_owner_changes::OwnerChangeRow;
use salesops_persistence::accounts::AccountRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

/// An account (客户): a customer company.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f0c2-6a00-7000-8000-0000000000d1", "name": "上海明远科技有限公司", "uscc": "91310000717854505W",
    "industry": "manufacturing", "region": "华东", "address": "上海市浦东新区张江路 88 号",
    "parent_account_id": null, "tier": "key", "lifecycle": "prospect", "owner_id": "0190f0c2-6a00-7000-8000-0000000000a1",
    "pool_id": "0190f0c2-6a00-7000-8000-0000000000c1", "in_pool": false, "owned_since": "2026-12-01T02:15:00Z",
    "last_activity_at": "2026-12-01T06:30:00Z", "first_won_at": null, "last_won_at": null,
    "external_id": null, "notes": null, "version": 2, "created_at": "2026-12-01T02:15:00Z",
    "updated_at": "2026-12-01T06:30:00Z", "created_by": "0190f0c2-6a00-7000-8000-0000000000a1"
}))]
pub struct Account {
    /// UUIDv7.
    pub id: String,
    /// The company's name.
    #[schema(example = "上海明远科技有限公司")]
    pub name: String,
    /// Unified Social Credit Code (统一社会信用代码), upper case; unique among live accounts.
    #[schema(example = "91310000717854505W")]
    pub uscc: Option<String>,
    /// Industry.
    #[schema(example = "manufacturing")]
    pub industry: Option<String>,
    /// Region.
    #[schema(example = "华东")]
    pub region: Option<String>,
    /// Postal address.
    #[schema(example = "上海市浦东新区张江路 88 号")]
    pub address: Option<String>,
    /// The group account this one belongs to.
    pub parent_account_id: Option<String>,
    /// Value tier.
    pub tier: AccountTier,
    /// Lifecycle stage.
    pub lifecycle: AccountLifecycle,
    /// The owner; `null` while the account sits in its pool.
    pub owner_id: Option<String>,
    /// The pool whose rules govern the account, and where it goes when released or recalled.
    pub pool_id: Option<String>,
    /// Whether the account sits in its pool (it has no owner).
    pub in_pool: bool,
    /// Since when the current owner has it.
    pub owned_since: Option<DateTime<Utc>>,
    /// Last recorded activity.
    pub last_activity_at: Option<DateTime<Utc>>,
    /// When its first opportunity was won.
    pub first_won_at: Option<DateTime<Utc>>,
    /// When its latest opportunity was won.
    pub last_won_at: Option<DateTime<Utc>>,
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

crate::etag::versioned!(Account);

impl TryFrom<AccountRow> for Account {
    type Error = AppError;

    fn try_from(r: AccountRow) -> Result<Self, AppError> {
        Ok(Account {
            tier: r.tier,
            lifecycle: r.lifecycle,
            in_pool: r.owner_id.is_none(),
            id: r.id,
            name: r.name,
            uscc: r.uscc,
            industry: r.industry,
            region: r.region,
            address: r.address,
            parent_account_id: r.parent_account_id,
            owner_id: r.owner_id,
            pool_id: r.pool_id,
            owned_since: r.owned_since.map(to_utc),
            last_activity_at: r.last_activity_at.map(to_utc),
            first_won_at: r.first_won_at.map(to_utc),
            last_won_at: r.last_won_at.map(to_utc),
            external_id: r.external_id,
            notes: r.notes,
            version: r.version,
            created_at: to_utc(r.created_at),
            updated_at: to_utc(r.updated_at),
            created_by: r.created_by,
        })
    }
}

/// Refuse a USCC whose length, characters or check character are wrong.
pub fn valid_uscc(code: &str) -> Result<(), ValidationError> {
    uscc::parse(code).map(|_| ()).map_err(|e| ValidationError::new(e.code()).with_message(e.to_string().into()))
}

fn default_tier() -> AccountTier {
    AccountTier::Standard
}

fn default_lifecycle() -> AccountLifecycle {
    AccountLifecycle::Prospect
}

/// The fields of a new account.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "上海明远科技有限公司", "uscc": "91310000717854505W", "industry": "manufacturing",
    "region": "华东", "address": "上海市浦东新区张江路 88 号", "tier": "key", "lifecycle": "prospect"
}))]
pub struct CreateAccount {
    /// The company's name (required).
    #[validate(length(max = 200), custom(function = "not_blank"))]
    #[serde(deserialize_with = "trimmed")]
    pub name: String,
    /// Unified Social Credit Code: 18 characters with a valid GB 32100-2015 check character.
    /// Lower case is accepted and stored upper case. Unique among live accounts.
    #[validate(custom(function = "valid_uscc"))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub uscc: Option<String>,
    /// Industry.
    #[validate(length(max = 100))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub industry: Option<String>,
    /// Region.
    #[validate(length(max = 100))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub region: Option<String>,
    /// Postal address.
    #[validate(length(max = 500))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub address: Option<String>,
    /// The group account this one belongs to; must be visible to the caller.
    #[validate(length(max = 36))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub parent_account_id: Option<String>,
    /// Value tier (default `standard`).
    #[serde(default = "default_tier")]
    pub tier: AccountTier,
    /// Lifecycle stage (default `prospect`).
    #[serde(default = "default_lifecycle")]
    pub lifecycle: AccountLifecycle,
    /// Free notes.
    #[validate(length(max = 10000))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub notes: Option<String>,
    /// The id in the integrator's system; unique.
    #[validate(length(min = 1, max = 128))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub external_id: Option<String>,
    /// Who owns it. Defaults to the caller; only managers and admins may name
    /// someone else, an active user within their data scope.
    #[validate(length(max = 36))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub owner_id: Option<String>,
    /// The pool whose rules govern it; defaults to the default pool.
    #[validate(length(max = 36))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub pool_id: Option<String>,
    /// Put the account straight into its pool, unowned (managers and admins).
    #[serde(default)]
    pub to_pool: bool,
}

impl CreateAccount {
    /// A new account with just a name; everything else absent or default.
    pub fn named(name: impl Into<String>) -> CreateAccount {
        CreateAccount {
            name: name.into(),
            uscc: None,
            industry: None,
            region: None,
            address: None,
            parent_account_id: None,
            tier: default_tier(),
            lifecycle: default_lifecycle(),
            notes: None,
            external_id: None,
            owner_id: None,
            pool_id: None,
            to_pool: false,
        }
    }

    /// Trim text and turn empty optional fields into absent ones.
    pub fn tidied(self) -> CreateAccount {
        CreateAccount {
            name: self.name.trim().to_owned(),
            uscc: tidy(self.uscc),
            industry: tidy(self.industry),
            region: tidy(self.region),
            address: tidy(self.address),
            parent_account_id: tidy(self.parent_account_id),
            notes: tidy(self.notes),
            external_id: tidy(self.external_id),
            ..self
        }
    }

    /// The editable fields of a stored account, to apply a patch to.
    pub fn from_row(r: &AccountRow) -> Result<CreateAccount, AppError> {
        Ok(CreateAccount {
            name: r.name.clone(),
            uscc: r.uscc.clone(),
            industry: r.industry.clone(),
            region: r.region.clone(),
            address: r.address.clone(),
            parent_account_id: r.parent_account_id.clone(),
            tier: r.tier,
            lifecycle: r.lifecycle,
            notes: r.notes.clone(),
            external_id: r.external_id.clone(),
            owner_id: r.owner_id.clone(),
            pool_id: r.pool_id.clone(),
            to_pool: false,
        })
    }

    /// The USCC in its stored form (upper case), if one was given.
    pub fn uscc_stored(&self) -> Option<String> {
        self.uscc.as_deref().and_then(|u| uscc::parse(u).ok())
    }

    /// Copy the editable fields onto a row (not the owner or pool: commands change those).
    pub fn write_to(&self, row: &mut AccountRow) {
        row.set_name(&self.name);
        row.uscc = self.uscc_stored();
        row.industry = self.industry.clone();
        row.region = self.region.clone();
        row.address = self.address.clone();
        row.parent_account_id = self.parent_account_id.clone();
        row.tier = self.tier;
        row.lifecycle = self.lifecycle;
        row.notes = self.notes.clone();
        row.external_id = self.external_id.clone();
    }
}

/// A JSON Merge Patch (RFC 7396) of an account: absent fields stay, `null` clears.
/// The owner and pool change only through commands (transfer, release, claim, assign).
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"tier": "strategic", "address": "上海市徐汇区漕溪北路 1 号", "notes": null}))]
pub struct AccountPatch {
    /// The company's name; cannot be cleared.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    /// Unified Social Credit Code.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub uscc: Option<Option<String>>,
    /// Industry.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub industry: Option<Option<String>>,
    /// Region.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub region: Option<Option<String>>,
    /// Postal address.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub address: Option<Option<String>>,
    /// The group account; neither the account itself nor one of its subsidiaries.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub parent_account_id: Option<Option<String>>,
    /// Value tier; cannot be cleared.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<AccountTier>)]
    pub tier: Option<Option<AccountTier>>,
    /// Lifecycle stage; cannot be cleared.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<AccountLifecycle>)]
    pub lifecycle: Option<Option<AccountLifecycle>>,
    /// Notes.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
    /// External id.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub external_id: Option<Option<String>>,
}

impl AccountPatch {
    /// Apply the patch to the current fields. Clearing a required field is a validation error.
    pub fn apply(self, mut to: CreateAccount) -> Result<CreateAccount, AppError> {
        merge_patch!(self => to,
            required: [lifecycle, name, tier],
            clearable: [uscc, industry, region, address, parent_account_id, notes, external_id]);
        Ok(to)
    }

    /// Whether the patch touches the parent, which takes the hierarchy lock.
    pub fn moves_parent(&self) -> bool {
        self.parent_account_id.is_some()
    }
}

/// Whom to hand an account to.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"owner_id": "0190f0c2-6a00-7000-8000-0000000000a2", "include_open_opportunities": true, "note": "territory change"}))]
pub struct TransferAccount {
    /// The new owner: an active user within the caller's data scope.
    #[validate(length(min = 1, max = 36))]
    #[serde(deserialize_with = "trimmed")]
    pub owner_id: String,
    /// Also hand over every open opportunity of the account (default false).
    #[serde(default)]
    pub include_open_opportunities: bool,
    /// Why; kept in the owner history. Up to 500 characters; when sent, not blank.
    #[validate(length(max = 500), custom(function = "not_blank"))]
    #[serde(default, deserialize_with = "trimmed_kept")]
    pub note: Option<String>,
}

/// An optional string, trimmed, with a blank one kept (as `""`) so validation
/// refuses it: a note sent blank is a mistake, not "no note".
fn trimmed_kept<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Option::<String>::deserialize(deserializer).map(|s| s.map(|s| s.trim().to_owned()))
}

/// One change of an account's owner.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f0c2-6a00-7000-8000-0000000003a1", "account_id": "0190f0c2-6a00-7000-8000-0000000000d1", "from_owner_id": "0190f0c2-6a00-7000-8000-0000000000a1",
    "to_owner_id": "0190f0c2-6a00-7000-8000-0000000000a2", "pool_id": null, "reason": "transfer", "detail": "territory change",
    "actor_id": "0190f0c2-6a00-7000-8000-0000000000a0", "occurred_at": "2026-12-03T01:00:00Z"
}))]
pub struct OwnerChange {
    /// UUIDv7.
    pub id: String,
    /// The account.
    pub account_id: String,
    /// The owner before; `null` when it came from a pool.
    pub from_owner_id: Option<String>,
    /// The owner after; `null` when it went to a pool.
    pub to_owner_id: Option<String>,
    /// The pool it left or entered, if any.
    pub pool_id: Option<String>,
    /// Why the owner changed.
    pub reason: OwnerChangeReason,
    /// More about why: a transfer's note, the recall rule that fired.
    #[schema(example = "territory change")]
    pub detail: Option<String>,
    /// Who made the change; `null` for the recall job.
    pub actor_id: Option<String>,
    /// When.
    pub occurred_at: DateTime<Utc>,
}

impl TryFrom<OwnerChangeRow> for OwnerChange {
    type Error = AppError;

    fn try_from(r: OwnerChangeRow) -> Result<Self, AppError> {
        Ok(OwnerChange {
            reason: r.reason,
            id: r.id,
            account_id: r.account_id,
            from_owner_id: r.from_owner_id,
            to_owner_id: r.to_owner_id,
            pool_id: r.pool_id,
            detail: r.detail,
            actor_id: r.actor_id,
            occurred_at: to_utc(r.occurred_at),
        })
    }
}

/// What to look for among open leads, accounts and contacts before creating an account.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "上海明远科技有限公司", "uscc": "91310000717854505W", "email": "wang.fang@mingyuan.cn"}))]
pub struct AccountDuplicateCheck {
    /// Company name, compared ignoring case, spaces and bracket width, with
    /// account names and lead companies.
    #[validate(length(max = 200))]
    pub name: Option<String>,
    /// USCC, compared ignoring case, with accounts.
    #[validate(length(max = 18))]
    pub uscc: Option<String>,
    /// Email, compared case-insensitively, with leads and contacts.
    #[validate(length(max = 254))]
    pub email: Option<String>,
    /// Phone, compared by digits ignoring a +86 / 0086 prefix, with leads and contacts.
    #[validate(length(max = 40))]
    pub phone: Option<String>,
}
