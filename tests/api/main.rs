//! Black-box HTTP tests of salesops. Every test runs twice: on SQLite and on PostgreSQL.

mod helpers;

mod auth;
mod lead_commands;
mod leads;
mod org;
mod platform;
mod reports;
