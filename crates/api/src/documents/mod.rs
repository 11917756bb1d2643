//! What quotes and orders share: their priced lines and totals (the money formula of
//! [`salesops_domain::pricing`]), and the approval of a discount beyond the
//! submitter's authority (see `crate::approvals`).

pub mod lines;
