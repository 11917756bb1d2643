//! Departments: a tree by `parent_id`.

use crate::schema::{departments, users};
use crate::{clock, raw_sql, DbConnection, StoreResult};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A department as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = departments, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct DepartmentRow {
    /// UUIDv7.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The department above, `None` at the root.
    pub parent_id: Option<String>,
    /// The user who heads it.
    pub head_user_id: Option<String>,
    /// Bumped on every change.
    pub version: i64,
    /// Creation time, UTC.
    pub created_at: NaiveDateTime,
    /// Last change, UTC.
    pub updated_at: NaiveDateTime,
    /// Who created it.
    pub created_by: Option<String>,
    /// Set when soft-deleted.
    pub deleted_at: Option<NaiveDateTime>,
}

impl DepartmentRow {
    /// A new department at version 1, created now, with no head.
    pub fn new(name: &str, parent_id: Option<&str>, created_by: Option<&str>) -> DepartmentRow {
        let now = clock::now();
        DepartmentRow {
            id: salesops_domain::new_id(),
            name: name.to_owned(),
            parent_id: parent_id.map(str::to_owned),
            head_user_id: None,
            version: 1,
            created_at: now,
            updated_at: now,
            created_by: created_by.map(str::to_owned),
            deleted_at: None,
        }
    }
}

/// Filters for listing departments.
#[derive(Debug, Clone, Default)]
pub struct DepartmentFilter {
    /// Only direct children of this department.
    pub parent_id: Option<String>,
    /// Only departments whose id sorts after this one (keyset pagination).
    pub after_id: Option<String>,
}

/// Insert a new department.
pub fn insert(conn: &mut DbConnection, row: &DepartmentRow) -> StoreResult<()> {
    diesel::insert_into(departments::table).values(row).execute(conn)?;
    Ok(())
}

/// A department that is not deleted.
pub fn find(conn: &mut DbConnection, id: &str) -> StoreResult<Option<DepartmentRow>> {
    Ok(departments::table
        .find(id)
        .filter(departments::deleted_at.is_null())
        .select(DepartmentRow::as_select())
        .first(conn)
        .optional()?)
}

/// Departments in id order, `limit` at most.
pub fn list(conn: &mut DbConnection, filter: &DepartmentFilter, limit: i64) -> StoreResult<Vec<DepartmentRow>> {
    let mut query = departments::table
        .filter(departments::deleted_at.is_null())
        .select(DepartmentRow::as_select())
        .order(departments::id)
        .limit(limit)
        .into_boxed();
    if let Some(parent) = &filter.parent_id {
        query = query.filter(departments::parent_id.eq(parent.clone()));
    }
    if let Some(after) = &filter.after_id {
        query = query.filter(departments::id.gt(after.clone()));
    }
    Ok(query.load(conn)?)
}

/// Hold off every other department write until the transaction ends, so two
/// concurrent moves cannot each pass the cycle check and together make a loop.
///
/// Take it before any other department lock in the transaction. SQLite write
/// transactions are already serial, so there it does nothing.
pub fn lock_tree(conn: &mut DbConnection) -> StoreResult<()> {
    raw_sql::lock_table(conn, "departments")
}

crate::versioned::row_writes!(departments, DepartmentRow, "department");

/// `id` and every department above it, nearest first.
pub fn ancestors_and_self(conn: &mut DbConnection, id: &str) -> StoreResult<Vec<String>> {
    raw_sql::load_ids(
        conn,
        "WITH RECURSIVE up(id, parent_id, depth) AS ( \
           SELECT id, parent_id, 0 FROM departments WHERE id = $1 \
           UNION ALL \
           SELECT d.id, d.parent_id, up.depth + 1 FROM departments d JOIN up ON d.id = up.parent_id \
           WHERE up.depth < 1000 \
         ) SELECT id FROM up ORDER BY depth",
        id,
    )
}

/// `id` and every live department below it.
pub fn subtree_ids(conn: &mut DbConnection, id: &str) -> StoreResult<Vec<String>> {
    raw_sql::load_ids(
        conn,
        "WITH RECURSIVE down(id) AS ( \
           SELECT id FROM departments WHERE id = $1 \
           UNION \
           SELECT d.id FROM departments d JOIN down ON d.parent_id = down.id WHERE d.deleted_at IS NULL \
         ) SELECT id FROM down",
        id,
    )
}

/// Whether a department still has live children or active members, which block its deletion.
pub fn is_in_use(conn: &mut DbConnection, id: &str) -> StoreResult<bool> {
    let children: i64 = departments::table
        .filter(departments::parent_id.eq(id))
        .filter(departments::deleted_at.is_null())
        .count()
        .get_result(conn)?;
    let members: i64 =
        users::table.filter(users::department_id.eq(id)).filter(users::active.eq(true)).count().get_result(conn)?;
    Ok(children > 0 || members > 0)
}

/// The live departments with one of `user_ids` in their subtree: the departments of those
/// users and every live department above them.
pub fn holding_users(conn: &mut DbConnection, user_ids: &[String]) -> StoreResult<Vec<String>> {
    let mut sql = raw_sql::Sql::default();
    sql.push(
        "WITH RECURSIVE up(id, parent_id, depth) AS ( \
           SELECT d.id, d.parent_id, 0 FROM departments d JOIN users u ON u.department_id = d.id \
           WHERE d.deleted_at IS NULL",
    )
    .and_in("u.id", Some(user_ids))
    .push(
        " UNION \
           SELECT d.id, d.parent_id, up.depth + 1 FROM departments d JOIN up ON d.id = up.parent_id \
           WHERE d.deleted_at IS NULL AND up.depth < 1000 \
         ) SELECT DISTINCT id FROM up",
    );
    Ok(sql.load::<raw_sql::IdRow>(conn)?.into_iter().map(|r| r.id).collect())
}
