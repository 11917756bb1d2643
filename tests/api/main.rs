//! Black-box HTTP tests of salesops. Every test runs twice: on SQLite and on PostgreSQL.

mod fixtures;
mod helpers;

mod account_pools;
mod accounts;
mod activities;
mod auth;
mod caller_cache;
mod contacts;
mod hostile_input;
mod lead_commands;
mod lead_conversion;
mod leads;
mod opportunities;
mod org;
mod pipeline;
mod platform;
mod products;
mod quotes;
mod query_plans;
mod reports;
