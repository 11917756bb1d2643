//! Authentication: tokens, passwords, login throttling, and the [`Caller`] extractor.

pub mod caller;
pub mod handlers;
pub mod jwt;
pub mod password;
pub mod throttle;

pub use caller::Caller;
