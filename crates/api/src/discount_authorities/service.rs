//! Discount-authority use cases: the authority in force for a role (what
//! quotes check their discounts against), the list of every role's, and setting one.

use super::ENTITY;
use crate::app::{Actor, AppResult};
use crate::audit::{self, snapshot};
use crate::discount_authorities::dto::{RoleDiscountAuthority, RoleDiscountAuthorityList};
use salesops_domain::org::Role;
use salesops_domain::pricing::{default_discount_authority, DiscountAuthority};
use salesops_persistence::discount_authorities::{self, DiscountAuthorityRow};
use salesops_persistence::{clock, DbConnection};

/// The discount authority in force for `role`: the admin's setting, else the domain default.
pub fn authority_of(conn: &mut DbConnection, role: Role) -> AppResult<DiscountAuthority> {
    Ok(discount_authorities::find(conn, role)?.unwrap_or_else(|| default_discount_authority(role)))
}

fn role_authority(conn: &mut DbConnection, role: Role) -> AppResult<RoleDiscountAuthority> {
    Ok(RoleDiscountAuthority::new(role, authority_of(conn, role)?))
}

/// Every role with the authority in force for it, in the order of [`Role::ALL`].
pub fn list(conn: &mut DbConnection) -> AppResult<RoleDiscountAuthorityList> {
    let data = Role::ALL.iter().map(|role| role_authority(conn, *role)).collect::<AppResult<Vec<_>>>()?;
    Ok(RoleDiscountAuthorityList { data })
}

/// Give `role` the discount authority `authority` (`None`: unlimited), audited under the
/// role's word. Discounts checked from then on are checked against it.
pub fn set(
    conn: &mut DbConnection,
    actor: &Actor,
    role: Role,
    authority: DiscountAuthority,
) -> AppResult<RoleDiscountAuthority> {
    let before = role_authority(conn, role)?;
    let row = DiscountAuthorityRow {
        role,
        max_discount_bps: authority,
        updated_at: clock::now(),
        updated_by: Some(actor.id().to_owned()),
    };
    discount_authorities::set(conn, &row)?;
    let after = RoleDiscountAuthority::new(role, authority);
    audit::record(conn, actor, "update", ENTITY, role.as_str(), &snapshot(&before), &snapshot(&after))?;
    Ok(after)
}
