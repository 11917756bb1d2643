//! The credit split's JSON shapes.

use salesops_persistence::credits::SplitRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

/// One user's share of an order's credit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"user_id": "0190f0c2-6a00-7000-8000-0000000000b1", "share_bps": 6000}))]
pub struct Share {
    /// An active user.
    pub user_id: String,
    /// 1–10000 basis points; an order's shares sum to 10000.
    pub share_bps: i32,
}

/// Who an order credits. With no shares it credits its owner alone.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"splits": [
    {"user_id": "0190f0c2-6a00-7000-8000-0000000000b1", "share_bps": 6000},
    {"user_id": "0190f0c2-6a00-7000-8000-0000000000b2", "share_bps": 4000}
]}))]
pub struct CreditSplits {
    /// The shares, each user once, summing to 10000 basis points; empty to credit the owner alone.
    #[validate(length(max = 100))]
    pub splits: Vec<Share>,
}

impl From<Vec<SplitRow>> for CreditSplits {
    fn from(rows: Vec<SplitRow>) -> Self {
        CreditSplits {
            splits: rows.into_iter().map(|r| Share { user_id: r.user_id, share_bps: r.share_bps }).collect(),
        }
    }
}
