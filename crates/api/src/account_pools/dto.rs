//! The customer pool's JSON shapes: the pool, its create body and merge patch,
//! the account commands' bodies and answer, and the recall job's reports.

use crate::app::AppError;
use crate::extract::{double_option, trimmed, trimmed_opt};
use crate::time::to_utc;
use crate::validation::{merge_patch, not_blank, tidy};
use chrono::{DateTime, Utc};
use salesops_domain::account_pool::RecallRule;
use salesops_persistence::account_pools::PoolRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

/// A customer pool (公海) and the rules of the accounts whose home it is.
///
/// A `null` rule is switched off.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f0c2-6a00-7000-8000-0000000000c1", "name": "华东公海",
    "department_id": "0190f0c2-6a00-7000-8000-000000000001", "is_default": false,
    "recall_after_days_without_activity": 30, "recall_after_days_without_won_deal": 180,
    "exempt_with_open_opportunity": true, "warn_days_before_recall": 3,
    "max_claims_per_rep_per_day": 5, "max_owned_accounts_per_rep": 200, "previous_owner_cooldown_days": 7,
    "version": 1, "created_at": "2026-11-28T08:00:00Z", "updated_at": "2026-11-28T08:00:00Z",
    "created_by": "0190f0c2-6a00-7000-8000-0000000000a0"
}))]
pub struct AccountPool {
    /// UUIDv7.
    pub id: String,
    /// Unique name.
    pub name: String,
    /// When set, only users of this department and the departments under it may claim from the pool.
    pub department_id: Option<String>,
    /// Released accounts with no pool named go here. Exactly one pool is the default.
    pub is_default: bool,
    /// An owned account is recalled after more than this many whole days without activity
    /// (counted from the later of its last activity and when its owner got it).
    pub recall_after_days_without_activity: Option<i32>,
    /// An owned account is recalled after more than this many whole days without a won deal
    /// (counted from the later of its last won deal and when its owner got it).
    pub recall_after_days_without_won_deal: Option<i32>,
    /// An account with an open opportunity is never recalled.
    pub exempt_with_open_opportunity: bool,
    /// How many days ahead `upcoming-recalls` looks.
    pub warn_days_before_recall: i32,
    /// Claims per user per UTC day, counted over every pool.
    pub max_claims_per_rep_per_day: Option<i32>,
    /// A user owning this many accounts (in any pool) may not claim more.
    pub max_owned_accounts_per_rep: Option<i32>,
    /// Days a user who released an account, or had it recalled, waits before claiming it back.
    pub previous_owner_cooldown_days: Option<i32>,
    /// Bumped on every change; also the ETag.
    pub version: i64,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Who created it; `null` for the seeded default pool.
    pub created_by: Option<String>,
}

crate::etag::versioned!(AccountPool);

impl From<PoolRow> for AccountPool {
    fn from(r: PoolRow) -> Self {
        AccountPool {
            id: r.id,
            name: r.name,
            department_id: r.department_id,
            is_default: r.is_default,
            recall_after_days_without_activity: r.recall_after_days_without_activity,
            recall_after_days_without_won_deal: r.recall_after_days_without_won_deal,
            exempt_with_open_opportunity: r.exempt_with_open_opportunity,
            warn_days_before_recall: r.warn_days_before_recall,
            max_claims_per_rep_per_day: r.max_claims_per_rep_per_day,
            max_owned_accounts_per_rep: r.max_owned_accounts_per_rep,
            previous_owner_cooldown_days: r.previous_owner_cooldown_days,
            version: r.version,
            created_at: to_utc(r.created_at),
            updated_at: to_utc(r.updated_at),
            created_by: r.created_by,
        }
    }
}

fn default_true() -> bool {
    true
}

fn default_warn_days() -> i32 {
    3
}

/// A new pool. Rules left out are switched off.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "华东公海", "department_id": "0190f0c2-6a00-7000-8000-000000000001",
    "recall_after_days_without_activity": 30, "recall_after_days_without_won_deal": 180,
    "warn_days_before_recall": 3, "max_claims_per_rep_per_day": 5, "max_owned_accounts_per_rep": 200,
    "previous_owner_cooldown_days": 7
}))]
pub struct CreateAccountPool {
    /// Unique name (required).
    #[validate(length(max = 200), custom(function = "not_blank"))]
    #[serde(deserialize_with = "trimmed")]
    pub name: String,
    /// An existing department whose subtree alone may claim from the pool.
    #[validate(length(min = 1, max = 36))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub department_id: Option<String>,
    /// Make this the default pool (the previous default stops being it). Default false.
    #[serde(default)]
    pub is_default: bool,
    /// Days, 1 to 3650.
    #[validate(range(min = 1, max = 3650, message = "must be 1 to 3650; send null to switch the rule off"))]
    pub recall_after_days_without_activity: Option<i32>,
    /// Days, 1 to 3650.
    #[validate(range(min = 1, max = 3650, message = "must be 1 to 3650; send null to switch the rule off"))]
    pub recall_after_days_without_won_deal: Option<i32>,
    /// Default true.
    #[serde(default = "default_true")]
    pub exempt_with_open_opportunity: bool,
    /// Days, 0 to 3650 (default 3).
    #[validate(range(min = 0, max = 3650, message = "must be 0 to 3650"))]
    #[serde(default = "default_warn_days")]
    pub warn_days_before_recall: i32,
    /// 1 to 3650.
    #[validate(range(min = 1, max = 3650, message = "must be 1 to 3650; send null to switch the rule off"))]
    pub max_claims_per_rep_per_day: Option<i32>,
    /// 1 to 3650.
    #[validate(range(min = 1, max = 3650, message = "must be 1 to 3650; send null to switch the rule off"))]
    pub max_owned_accounts_per_rep: Option<i32>,
    /// Days, 1 to 3650.
    #[validate(range(min = 1, max = 3650, message = "must be 1 to 3650; send null to switch the rule off"))]
    pub previous_owner_cooldown_days: Option<i32>,
}

impl CreateAccountPool {
    /// The editable fields of a stored pool, to apply a patch to.
    pub fn from_row(r: &PoolRow) -> CreateAccountPool {
        CreateAccountPool {
            name: r.name.clone(),
            department_id: r.department_id.clone(),
            is_default: r.is_default,
            recall_after_days_without_activity: r.recall_after_days_without_activity,
            recall_after_days_without_won_deal: r.recall_after_days_without_won_deal,
            exempt_with_open_opportunity: r.exempt_with_open_opportunity,
            warn_days_before_recall: r.warn_days_before_recall,
            max_claims_per_rep_per_day: r.max_claims_per_rep_per_day,
            max_owned_accounts_per_rep: r.max_owned_accounts_per_rep,
            previous_owner_cooldown_days: r.previous_owner_cooldown_days,
        }
    }

    /// Copy the fields onto a row.
    pub fn write_to(&self, row: &mut PoolRow) {
        row.name = self.name.clone();
        row.department_id = self.department_id.clone();
        row.is_default = self.is_default;
        row.recall_after_days_without_activity = self.recall_after_days_without_activity;
        row.recall_after_days_without_won_deal = self.recall_after_days_without_won_deal;
        row.exempt_with_open_opportunity = self.exempt_with_open_opportunity;
        row.warn_days_before_recall = self.warn_days_before_recall;
        row.max_claims_per_rep_per_day = self.max_claims_per_rep_per_day;
        row.max_owned_accounts_per_rep = self.max_owned_accounts_per_rep;
        row.previous_owner_cooldown_days = self.previous_owner_cooldown_days;
    }
}

/// A JSON Merge Patch (RFC 7396) of a pool: absent fields stay, `null` switches a rule off.
/// The patched pool is validated as a whole.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"max_claims_per_rep_per_day": 10, "previous_owner_cooldown_days": null}))]
pub struct AccountPoolPatch {
    /// Name; cannot be cleared.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    /// Department; `null` lets everyone claim.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub department_id: Option<Option<String>>,
    /// Only `true` is accepted: make another pool the default to stop this one being it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<bool>)]
    pub is_default: Option<Option<bool>>,
    /// Days, at least 1; `null` switches it off.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub recall_after_days_without_activity: Option<Option<i32>>,
    /// Days, at least 1; `null` switches it off.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub recall_after_days_without_won_deal: Option<Option<i32>>,
    /// Cannot be cleared.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<bool>)]
    pub exempt_with_open_opportunity: Option<Option<bool>>,
    /// Days, 0 or more; cannot be cleared.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub warn_days_before_recall: Option<Option<i32>>,
    /// At least 1; `null` switches it off.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub max_claims_per_rep_per_day: Option<Option<i32>>,
    /// At least 1; `null` switches it off.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub max_owned_accounts_per_rep: Option<Option<i32>>,
    /// Days, at least 1; `null` switches it off.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub previous_owner_cooldown_days: Option<Option<i32>>,
}

impl AccountPoolPatch {
    /// Apply the patch to the current fields. Clearing a required field is a validation error.
    pub fn apply(mut self, mut to: CreateAccountPool) -> Result<CreateAccountPool, AppError> {
        self.name = self.name.map(|name| name.map(|n| n.trim().to_owned()));
        if let Some(v) = self.department_id.take() {
            to.department_id = tidy(v);
        }
        merge_patch!(self => to,
        required: [name, is_default, exempt_with_open_opportunity, warn_days_before_recall],
        clearable: [
            recall_after_days_without_activity,
            recall_after_days_without_won_deal,
            max_claims_per_rep_per_day,
            max_owned_accounts_per_rep,
            previous_owner_cooldown_days,
        ]);
        Ok(to)
    }
}

/// Where to release an account to.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"pool_id": "01900000-0000-7000-8000-000000000001"}))]
pub struct ReleaseAccount {
    /// A live pool; defaults to the account's home pool, else the default pool.
    #[validate(length(min = 1, max = 36))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub pool_id: Option<String>,
}

/// A claim carries nothing: send `{}` or no body.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({}))]
pub struct ClaimAccount {}

/// Whom to give a pool account to.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"owner_id": "0190f0c2-6a00-7000-8000-0000000000a1"}))]
pub struct AssignAccount {
    /// An active user within the caller's data scope (and the pool's department, if it has one).
    #[validate(length(min = 1, max = 36))]
    #[serde(deserialize_with = "trimmed")]
    pub owner_id: String,
}

/// One account the recall job put back into its pool.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "account_id": "0190f0c2-6a00-7000-8000-0000000000d1",
    "previous_owner_id": "0190f0c2-6a00-7000-8000-0000000000a1",
    "rule": "no_activity", "reason": "no activity for 31 days (limit 30)"
}))]
pub struct RecalledAccount {
    /// The account.
    pub account_id: String,
    /// Who owned it.
    pub previous_owner_id: String,
    /// The rule that fired.
    pub rule: RecallRule,
    /// Why, with the numbers; also kept in the account's owner history.
    pub reason: String,
}

/// What one run of the recall job did to a pool.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"recalled": [{
    "account_id": "0190f0c2-6a00-7000-8000-0000000000d1", "previous_owner_id": "0190f0c2-6a00-7000-8000-0000000000a1",
    "rule": "no_activity", "reason": "no activity for 31 days (limit 30)"
}]}))]
pub struct RecallReport {
    /// The accounts recalled, in id order; empty when none was due (or another runner had the pool).
    pub recalled: Vec<RecalledAccount>,
}

/// An owned account that will be recalled within the pool's warning window (or is overdue).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "account_id": "0190f0c2-6a00-7000-8000-0000000000d1", "account_name": "上海明远科技有限公司",
    "owner_id": "0190f0c2-6a00-7000-8000-0000000000a1", "due_at": "2026-12-01T09:30:00Z",
    "rule": "no_activity", "limit_days": 30, "days_without": 28
}))]
pub struct UpcomingRecall {
    /// The account.
    pub account_id: String,
    /// Its name.
    pub account_name: String,
    /// Its owner, who will lose it.
    pub owner_id: String,
    /// When the recall job will take it back, unless something happens first.
    pub due_at: DateTime<Utc>,
    /// The rule that will fire first.
    pub rule: RecallRule,
    /// The rule's limit in days.
    pub limit_days: i32,
    /// Whole days so far without what the rule asks for.
    pub days_without: i64,
}

/// Paging of upcoming recalls.
#[derive(Debug, Serialize, Deserialize)]
pub struct DueCursor {
    /// The last due time on the previous page.
    pub due_at: DateTime<Utc>,
    /// The last account id on the previous page.
    pub id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_patch_cannot_clear_required_fields_and_null_switches_rules_off() {
        let base =
            CreateAccountPool::from_row(&PoolRow { max_claims_per_rep_per_day: Some(3), ..PoolRow::new("A", None) });
        let patch: AccountPoolPatch =
            serde_json::from_str(r#"{"name": null, "warn_days_before_recall": null}"#).unwrap();
        assert!(matches!(patch.apply(base.clone()), Err(AppError::Validation(e)) if e.len() == 2));
        let patch: AccountPoolPatch = serde_json::from_str(r#"{"max_claims_per_rep_per_day": null}"#).unwrap();
        assert_eq!(patch.apply(base).unwrap().max_claims_per_rep_per_day, None);
    }
}
