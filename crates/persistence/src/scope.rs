//! Turning a user's data scope into the set of owners whose records they may see.

use crate::{users, DbConnection, StoreResult};
use salesops_domain::org::DataScope;

/// Whose owned records a caller may see, ready to go into a query's WHERE clause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    /// Every record.
    All,
    /// Records owned by one of these users, plus unowned records in the pool.
    Owners(Vec<String>),
}

impl Visibility {
    /// Whether a record owned by `owner_id` (`None`: in the pool) is visible.
    pub fn allows(&self, owner_id: Option<&str>) -> bool {
        match (self, owner_id) {
            (Visibility::All, _) | (_, None) => true,
            (Visibility::Owners(ids), Some(owner)) => ids.iter().any(|id| id == owner),
        }
    }
}

/// The caller's facts that a scope is resolved from.
#[derive(Debug, Clone, Copy)]
pub struct Viewer<'a> {
    /// The caller's user id.
    pub user_id: &'a str,
    /// The caller's department, if any.
    pub department_id: Option<&'a str>,
    /// The caller's effective scope.
    pub scope: DataScope,
}

/// Resolve a scope to the owners it covers. A user always sees their own records.
pub fn resolve(conn: &mut DbConnection, viewer: Viewer<'_>) -> StoreResult<Visibility> {
    let mut owners = match (viewer.scope, viewer.department_id) {
        (DataScope::All, _) => return Ok(Visibility::All),
        (DataScope::OwnOnly, _) | (DataScope::Department | DataScope::DepartmentTree, None) => Vec::new(),
        (DataScope::SelfAndSubordinates, _) => users::self_and_subordinate_ids(conn, viewer.user_id)?,
        (DataScope::Department, Some(dept)) => users::ids_in_departments(conn, &[dept.to_owned()])?,
        (DataScope::DepartmentTree, Some(dept)) => users::ids_in_department_tree(conn, dept)?,
    };
    if !owners.iter().any(|id| id == viewer.user_id) {
        owners.push(viewer.user_id.to_owned());
    }
    Ok(Visibility::Owners(owners))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_records_are_visible_to_everyone() {
        let v = Visibility::Owners(vec!["a".into()]);
        assert!(v.allows(None));
        assert!(v.allows(Some("a")));
        assert!(!v.allows(Some("b")));
        assert!(Visibility::All.allows(Some("b")));
    }
}
