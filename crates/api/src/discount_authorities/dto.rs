//! The JSON shapes of `/discount-authorities`.

use crate::extract::required_nullable;
use salesops_domain::org::Role;
use salesops_domain::pricing::{default_discount_authority, DiscountAuthority};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

/// The discount authority in force for one role.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"role": "rep", "max_discount_bps": 1500, "is_default": false}))]
pub struct RoleDiscountAuthority {
    /// The role.
    #[schema(example = "rep")]
    pub role: Role,
    /// The largest line discount its users may give without approval, in basis points
    /// (1500 is 15%); `null` is unlimited. A larger discount needs approval.
    // Always sent, `null` or not. Spelled `Option<i32>`, not `DiscountAuthority`: utoipa reads the alias as a schema name.
    #[schema(required = true, example = 1500)]
    pub max_discount_bps: Option<i32>,
    /// Whether that is the role's default (rep 1000, manager 2000, finance 0, admin unlimited).
    #[schema(example = false)]
    pub is_default: bool,
}

impl RoleDiscountAuthority {
    /// `role` with `authority` in force, flagged when that is the role's default.
    pub fn new(role: Role, authority: DiscountAuthority) -> RoleDiscountAuthority {
        RoleDiscountAuthority {
            role,
            max_discount_bps: authority,
            is_default: authority == default_discount_authority(role),
        }
    }
}

/// Every role's discount authority.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"data": [
    {"role": "admin", "max_discount_bps": null, "is_default": true},
    {"role": "manager", "max_discount_bps": 2000, "is_default": true},
    {"role": "rep", "max_discount_bps": 1500, "is_default": false},
    {"role": "finance", "max_discount_bps": 0, "is_default": true}
]}))]
pub struct RoleDiscountAuthorityList {
    /// One entry per role, in the order admin, manager, rep, finance.
    pub data: Vec<RoleDiscountAuthority>,
}

/// The discount authority to give a role.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"max_discount_bps": 1500}))]
pub struct SetDiscountAuthority {
    /// The largest line discount, 0–10000 basis points, the role may give without
    /// approval; `null` for no limit. Required: send `null` to mean unlimited.
    #[serde(deserialize_with = "required_nullable")]
    #[validate(range(min = 0, max = 10000))]
    #[schema(required = true, minimum = 0, maximum = 10000, example = 1500)]
    pub max_discount_bps: Option<i32>,
}
