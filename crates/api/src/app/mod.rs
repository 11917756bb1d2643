//! The use-case layer's shared vocabulary: who acts ([`Actor`]), what can go
//! wrong ([`AppError`]), what an endpoint demands ([`permission`]), and which
//! records are audited ([`entity`]).
//!
//! Each resource's `service.rs` holds its use cases. A use case takes typed
//! input, the acting user and the connection of the transaction it runs in,
//! and answers with an [`AppError`] on failure. Nothing under `app` or in a
//! `service.rs` knows HTTP; the edge turns an [`AppError`] into an
//! `ApiError` in exactly one `From` impl (`crate::error`).

pub mod actor;
pub mod entity;
pub mod error;
pub mod permission;
pub mod precondition;
pub mod scoped;

pub use actor::Actor;
pub use error::{AppError, AppResult, FieldError, OrUnknown};
