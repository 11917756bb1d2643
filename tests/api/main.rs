//! Black-box HTTP tests of salesops. Every test runs twice: on SQLite and on PostgreSQL.

mod fixtures;
mod helpers;

mod account_pools;
mod accounts;
mod activities;
mod attainment;
mod auth;
mod caller_cache;
mod commissions;
mod contacts;
mod discount_authorities;
mod hostile_input;
mod lead_commands;
mod lead_conversion;
mod leads;
mod money_reports;
mod numbering_rules;
mod opportunities;
mod orders;
mod org;
mod payment_plans;
mod payments;
mod pipeline;
mod platform;
mod products;
mod query_plans;
mod quotes;
mod reports;
mod targets;
