//! SQL functions both backends share.
#![allow(missing_docs)]

use diesel::sql_types::{Nullable, Text};

diesel::define_sql_function! {
    /// `lower(text)`: case-folds ASCII on SQLite and all letters on PostgreSQL; Chinese text is unchanged on both.
    fn lower(x: Nullable<Text>) -> Nullable<Text>;
}
