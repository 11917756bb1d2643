//! Discount authorities configured per role (折扣权限), overriding the domain defaults.

use crate::schema::discount_authorities;
use crate::upsert::replace_by_key;
use crate::{DbConnection, StoreResult};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use salesops_domain::org::Role;
use salesops_domain::pricing::DiscountAuthority;

/// A configured discount authority for one role.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(
    table_name = discount_authorities,
    primary_key(role),
    treat_none_as_default_value = false,
    treat_none_as_null = true
)]
pub struct DiscountAuthorityRow {
    /// The role.
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub role: Role,
    /// The largest line discount its users may give without approval, in basis points; `None` is unlimited.
    pub max_discount_bps: Option<i32>,
    /// When it was last set.
    pub updated_at: NaiveDateTime,
    /// Who set it.
    pub updated_by: Option<String>,
}

/// The configured authority for `role`, if an admin set one (`Some(None)`: unlimited).
pub fn find(conn: &mut DbConnection, role: Role) -> StoreResult<Option<DiscountAuthority>> {
    Ok(discount_authorities::table
        .find(role.as_str())
        .select(discount_authorities::max_discount_bps)
        .first(conn)
        .optional()?)
}

replace_by_key!(set, discount_authorities, DiscountAuthorityRow, role, "discount authority of a role");
