//! The organisation: departments, users, and the data scope of each role.

pub mod departments;
pub mod role_scopes;
pub mod users;
