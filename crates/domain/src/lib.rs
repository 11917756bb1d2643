//! Pure rules of salesops: value types, state machines and calculations.
//!
//! Nothing in this crate performs I/O, and it depends on neither diesel nor
//! actix. The persistence and API layers translate to and from these types.

pub mod account;
pub mod account_pool;
pub mod activity;
pub mod approval;
pub mod audit;
pub mod commission;
pub mod commission_run;
pub mod contact_info;
pub mod ids;
pub mod lead;
pub mod leaderboard;
pub mod money;
pub mod numbering;
pub mod opportunity;
pub mod order;
pub mod org;
pub mod password;
pub mod pricing;
pub mod quote;
pub mod receivables;
pub mod reports;
pub mod target;
pub mod text_enum;
pub mod uscc;

pub use ids::new_id;
