//! Black-box HTTP tests of salesops. Every test runs twice: on SQLite and on PostgreSQL.

mod helpers;

mod activities;
mod auth;
mod lead_commands;
mod lead_conversion;
mod leads;
mod org;
mod platform;
