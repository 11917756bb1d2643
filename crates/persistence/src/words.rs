//! The domain's text enums in TEXT columns, where a row field cannot simply
//! say `#[diesel(deserialize_as = String, serialize_as = String)]`.
//!
//! Most row fields convert through the `TryFrom<String>` and `From<_> for
//! String` that `text_enum!` provides. Two cases cannot: an optional enum
//! (the orphan rule forbids converting `Option<String>` into `Option<Enum>`
//! outside the standard library), and `QueryableByName`, which converts with
//! `Into` and so cannot fail. These wrappers parse in `FromSql` instead, so an
//! unknown stored word is still a deserialization error, never a default.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::sql_types::{Nullable, Text};
use salesops_domain::account::{AccountLifecycle, AccountTier};
use salesops_domain::lead::LeadSource;
use salesops_domain::receivables::AgingBucket;
use salesops_domain::text_enum::UnknownVariant;

/// A text enum read from a TEXT column: an unknown word fails to deserialize.
///
/// For tuple selects and `QueryableByName` fields
/// (`#[diesel(sql_type = Text, deserialize_as = Word<TheEnum>)]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromSqlRow)]
pub struct Word<T>(pub T);

impl<T, DB> FromSql<Text, DB> for Word<T>
where
    DB: Backend,
    String: FromSql<Text, DB>,
    T: TryFrom<String, Error = UnknownVariant>,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
        Ok(Word(T::try_from(String::from_sql(bytes)?)?))
    }
}

/// `QueryableByName` needs `From<Word<E>> for E`, which can only be written per enum.
macro_rules! word_into {
    ($($enum:ty),+ $(,)?) => {
        $(impl From<Word<$enum>> for $enum {
            fn from(word: Word<$enum>) -> $enum {
                word.0
            }
        })+
    };
}
word_into!(AccountLifecycle, AccountTier, AgingBucket, LeadSource);

/// An optional text enum in a nullable TEXT column, for a row field of type
/// `Option<TheEnum>` with
/// `#[diesel(deserialize_as = OptionalWord<TheEnum>, serialize_as = OptionalWord<TheEnum>)]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromSqlRow)]
pub struct OptionalWord<T>(pub Option<T>);

impl<T, DB> FromSql<Nullable<Text>, DB> for OptionalWord<T>
where
    DB: Backend,
    String: FromSql<Text, DB>,
    T: TryFrom<String, Error = UnknownVariant>,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
        Ok(OptionalWord(Some(T::try_from(String::from_sql(bytes)?)?)))
    }

    fn from_nullable_sql(bytes: Option<DB::RawValue<'_>>) -> deserialize::Result<Self> {
        match bytes {
            Some(bytes) => Self::from_sql(bytes),
            None => Ok(OptionalWord(None)),
        }
    }
}

impl<T> From<Option<T>> for OptionalWord<T> {
    fn from(value: Option<T>) -> Self {
        OptionalWord(value)
    }
}

impl<T> From<OptionalWord<T>> for Option<T> {
    fn from(word: OptionalWord<T>) -> Self {
        word.0
    }
}

/// Written as the `Option<String>` of its word, so no `ToSql` of its own is needed.
impl<T: Into<String>> AsExpression<Nullable<Text>> for OptionalWord<T> {
    type Expression = <Option<String> as AsExpression<Nullable<Text>>>::Expression;

    fn as_expression(self) -> Self::Expression {
        AsExpression::<Nullable<Text>>::as_expression(self.0.map(Into::into))
    }
}
