//! Users of the sales organisation.

use crate::schema::users;
use crate::{clock, like_contains, raw_sql, DbConnection, StoreResult};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use salesops_domain::org::Role;

/// A user as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = users, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct UserRow {
    /// UUIDv7.
    pub id: String,
    /// Unique, stored lower-cased.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Phone, as entered.
    pub phone: Option<String>,
    /// argon2 PHC string.
    pub password_hash: String,
    /// What the user is in the organisation.
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub role: Role,
    /// The user's department.
    pub department_id: Option<String>,
    /// The user's line manager.
    pub manager_id: Option<String>,
    /// False once deactivated; inactive users cannot log in.
    pub active: bool,
    /// Bumped on every change.
    pub version: i64,
    /// Creation time, UTC.
    pub created_at: NaiveDateTime,
    /// Last change, UTC.
    pub updated_at: NaiveDateTime,
    /// Who created the user.
    pub created_by: Option<String>,
}

impl UserRow {
    /// A new active user at version 1, created now, with no department, manager or phone.
    pub fn new(email: &str, name: &str, role: Role, password_hash: &str, created_by: Option<&str>) -> UserRow {
        let now = clock::now();
        UserRow {
            id: salesops_domain::new_id(),
            email: email.to_owned(),
            name: name.to_owned(),
            phone: None,
            password_hash: password_hash.to_owned(),
            role,
            department_id: None,
            manager_id: None,
            active: true,
            version: 1,
            created_at: now,
            updated_at: now,
            created_by: created_by.map(str::to_owned),
        }
    }
}

/// Filters for listing users.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// Only this role.
    pub role: Option<Role>,
    /// Only members of this department.
    pub department_id: Option<String>,
    /// Only active or only inactive users.
    pub active: Option<bool>,
    /// Text search over name and email.
    pub q: Option<String>,
    /// Keyset: only users whose id sorts after this one.
    pub after_id: Option<String>,
}

/// Insert a new user.
pub fn insert(conn: &mut DbConnection, row: &UserRow) -> StoreResult<()> {
    diesel::insert_into(users::table).values(row.clone()).execute(conn)?;
    Ok(())
}

/// A user by id, active or not.
pub fn find(conn: &mut DbConnection, id: &str) -> StoreResult<Option<UserRow>> {
    Ok(users::table.find(id).select(UserRow::as_select()).first(conn).optional()?)
}

/// A user by (lower-cased) email.
pub fn find_by_email(conn: &mut DbConnection, email: &str) -> StoreResult<Option<UserRow>> {
    Ok(users::table.filter(users::email.eq(email)).select(UserRow::as_select()).first(conn).optional()?)
}

/// How many users exist, to decide whether to bootstrap an admin.
pub fn count(conn: &mut DbConnection) -> StoreResult<i64> {
    Ok(users::table.count().get_result(conn)?)
}

/// Users in id order, `limit` at most.
pub fn list(conn: &mut DbConnection, filter: &UserFilter, limit: i64) -> StoreResult<Vec<UserRow>> {
    let mut query = users::table.select(UserRow::as_select()).order(users::id).limit(limit).into_boxed();
    if let Some(role) = &filter.role {
        query = query.filter(users::role.eq(role.as_str()));
    }
    if let Some(dept) = &filter.department_id {
        query = query.filter(users::department_id.eq(dept.clone()));
    }
    if let Some(active) = filter.active {
        query = query.filter(users::active.eq(active));
    }
    if let Some(q) = &filter.q {
        let pattern = like_contains(&q.to_lowercase());
        query = query.filter(
            crate::sql_functions::lower(users::name.nullable())
                .like(pattern.clone())
                .escape('\\')
                .or(users::email.nullable().like(pattern).escape('\\')),
        );
    }
    if let Some(after) = &filter.after_id {
        query = query.filter(users::id.gt(after.clone()));
    }
    Ok(query.load(conn)?)
}

/// Hold off every other user write until the transaction ends, so two
/// concurrent manager changes cannot each pass the loop check and together
/// make a reporting loop.
///
/// Take it before any other user lock in the transaction (department locks
/// come first). SQLite write transactions are already serial, so there it does nothing.
pub fn lock_reporting_lines(conn: &mut DbConnection) -> StoreResult<()> {
    raw_sql::lock_table(conn, "users")
}

crate::versioned::row_writes!(users, UserRow, "user");

/// `user_id` and everyone below them through `manager_id`, at any depth.
pub fn self_and_subordinate_ids(conn: &mut DbConnection, user_id: &str) -> StoreResult<Vec<String>> {
    raw_sql::load_ids(
        conn,
        "WITH RECURSIVE below(id) AS ( \
           SELECT id FROM users WHERE id = $1 \
           UNION \
           SELECT u.id FROM users u JOIN below ON u.manager_id = below.id \
         ) SELECT id FROM below",
        user_id,
    )
}

/// Every user whose department is one of `department_ids`.
pub fn ids_in_departments(conn: &mut DbConnection, department_ids: &[String]) -> StoreResult<Vec<String>> {
    Ok(users::table.filter(users::department_id.eq_any(department_ids)).select(users::id).load(conn)?)
}

/// Every user of department `department_id` and of every department below it.
pub fn ids_in_department_tree(conn: &mut DbConnection, department_id: &str) -> StoreResult<Vec<String>> {
    let tree = crate::departments::subtree_ids(conn, department_id)?;
    ids_in_departments(conn, &tree)
}

/// `manager_id` and everyone above them through `manager_id`, nearest first.
pub fn manager_chain(conn: &mut DbConnection, manager_id: &str) -> StoreResult<Vec<String>> {
    raw_sql::load_ids(
        conn,
        "WITH RECURSIVE up(id, manager_id, depth) AS ( \
           SELECT id, manager_id, 0 FROM users WHERE id = $1 \
           UNION ALL \
           SELECT u.id, u.manager_id, up.depth + 1 FROM users u JOIN up ON u.id = up.manager_id \
           WHERE up.depth < 1000 \
         ) SELECT id FROM up ORDER BY depth",
        manager_id,
    )
}

/// The id, name and whether active of every user among `ids` (`None`: every user), in id order.
pub fn directory(conn: &mut DbConnection, ids: Option<&[String]>) -> StoreResult<Vec<(String, String, bool)>> {
    let mut query = users::table.select((users::id, users::name, users::active)).order(users::id).into_boxed();
    if let Some(ids) = ids {
        query = query.filter(users::id.eq_any(ids.to_vec()));
    }
    Ok(query.load(conn)?)
}
