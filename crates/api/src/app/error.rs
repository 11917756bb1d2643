//! The application error: every way a use case can refuse or fail, without HTTP.

use salesops_persistence::StoreError;

/// One invalid field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[schema(example = json!({"field": "email", "code": "email", "message": "not a valid email address"}))]
pub struct FieldError {
    /// The field's path in the request, e.g. `email` or `lines[2].quantity`.
    pub field: String,
    /// A stable code: `required`, `length`, `range`, `email`, `invalid_type`, `unknown_field`, …
    pub code: String,
    /// A human-readable explanation.
    pub message: String,
}

impl FieldError {
    /// A field error from its parts.
    pub fn new(field: impl Into<String>, code: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError { field: field.into(), code: code.into(), message: message.into() }
    }

    /// Code `unknown`: the reference in `field` names no live `what` within
    /// the caller's data scope (the field says which kind of record).
    pub fn unknown(field: impl Into<String>, what: &str) -> Self {
        FieldError::new(field, "unknown", format!("no {what} with this id within your data scope"))
    }

    /// Code `range` on `field` when the date `end` falls before `start`, the day named by
    /// `start_field`; `None` when there is no end or it is on or after the start.
    pub fn end_before_start(
        (field, end): (&str, Option<chrono::NaiveDate>),
        (start_field, start): (&str, chrono::NaiveDate),
    ) -> Option<Self> {
        end.filter(|end| *end < start)
            .map(|_| FieldError::new(field, "range", format!("must not be before {start_field} ({start})")))
    }

    /// Code `mismatch`: the reference in `field` does not go with another
    /// reference of the request (a contact not at the given account, ...).
    pub fn mismatch(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError::new(field, "mismatch", message)
    }

    /// The same error with its field named under `prefix`, e.g. `opportunity.amount`.
    pub fn nested(self, prefix: &str) -> Self {
        FieldError { field: format!("{prefix}.{}", self.field), ..self }
    }
}

/// What a use case answers when it refuses or fails.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The acting user's role may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// Absent, soft-deleted, or outside the acting user's data scope.
    #[error("the resource does not exist or is not visible to you")]
    NotFound,
    /// The state machine refused a command.
    #[error("{detail}")]
    InvalidTransition {
        /// Why.
        detail: String,
        /// Fields that must be set first, if that is the reason.
        errors: Vec<FieldError>,
    },
    /// A matching record already exists.
    #[error("{detail}")]
    Duplicate {
        /// What matched.
        detail: String,
        /// The matching records.
        ids: Vec<String>,
    },
    /// A unique value is taken, or the record changed concurrently.
    #[error("{0}")]
    Conflict(String),
    /// The version the change was based on is no longer current (the current one is given).
    #[error("the resource has changed since version {0}; fetch it again")]
    PreconditionFailed(i64),
    /// Field validation failed.
    #[error("{} invalid", pluralize_fields(.0.len()))]
    Validation(Vec<FieldError>),
    /// A bug or an unexpected database failure. The text goes to the log only.
    #[error("internal error")]
    Internal(String),
    /// The database is unreachable or busy. The text goes to the log only.
    #[error("the service is temporarily unavailable; retry shortly")]
    Unavailable(String),
    /// The database has no room left to write. The text goes to the log only.
    #[error("the server's storage is full; nothing was saved")]
    StorageFull(String),
}

/// A use case's result.
pub type AppResult<T> = Result<T, AppError>;

fn pluralize_fields(n: usize) -> String {
    if n == 1 {
        "1 field is".to_owned()
    } else {
        format!("{n} fields are")
    }
}

impl AppError {
    /// A validation error on one field.
    pub fn invalid_field(field: &str, code: &str, message: impl Into<String>) -> AppError {
        AppError::Validation(vec![FieldError::new(field, code, message)])
    }

    /// Refused by the state machine, with no field details.
    pub fn transition(detail: impl Into<String>) -> AppError {
        AppError::InvalidTransition { detail: detail.into(), errors: Vec::new() }
    }

    /// Every field error named under `prefix` (a nested body part, e.g. `opportunity`); other errors unchanged.
    pub fn nested(self, prefix: &str) -> AppError {
        match self {
            AppError::Validation(errors) => {
                AppError::Validation(errors.into_iter().map(|f| f.nested(prefix)).collect())
            }
            other => other,
        }
    }
}

/// Turns "not found" into 422 `unknown` on the body field that named the missing row.
///
/// A path id that finds nothing is a 404; the same id given as a reference in a body
/// (`plan_id`, `order_id`, ...) is a bad field, so use cases load it and call
/// `.or_unknown(field, what)`. Other errors pass through unchanged.
pub trait OrUnknown<T> {
    /// `NotFound` as [`FieldError::unknown`]`(field, what)`; anything else as it was.
    fn or_unknown(self, field: &str, what: &str) -> AppResult<T>;
}

impl<T> OrUnknown<T> for AppResult<T> {
    fn or_unknown(self, field: &str, what: &str) -> AppResult<T> {
        match self {
            Err(AppError::NotFound) => Err(FieldError::unknown(field, what).into()),
            other => other,
        }
    }
}

/// Map a unique violation on one of `fields` (column, message) to 422 `taken`
/// on that field; any other storage error as usual. Each resource passes its
/// own unique columns, e.g. `taken(&[("external_id", "another lead has this external_id")])`.
pub fn taken(fields: &'static [(&'static str, &'static str)]) -> impl Fn(StoreError) -> AppError {
    move |e| match fields.iter().find(|(column, _)| e.is_unique_violation_on(column)) {
        Some((column, message)) => AppError::invalid_field(column, "taken", *message),
        None => e.into(),
    }
}

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> Self {
        AppError::Validation(vec![e])
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::UniqueViolation(_) => AppError::Conflict("a record with the same unique value exists".into()),
            StoreError::ForeignKeyViolation(_) => AppError::Conflict("a referenced record does not exist".into()),
            StoreError::Unavailable(detail) => AppError::Unavailable(detail),
            StoreError::StorageFull(detail) => AppError::StorageFull(detail),
            StoreError::Other(detail) => AppError::Internal(detail),
        }
    }
}

impl From<salesops_persistence::DieselError> for AppError {
    fn from(e: salesops_persistence::DieselError) -> Self {
        StoreError::from(e).into()
    }
}

impl From<std::convert::Infallible> for AppError {
    fn from(e: std::convert::Infallible) -> Self {
        match e {}
    }
}

impl From<validator::ValidationErrors> for AppError {
    fn from(errors: validator::ValidationErrors) -> Self {
        let mut fields: Vec<FieldError> = errors
            .field_errors()
            .into_iter()
            .flat_map(|(field, errs)| {
                errs.iter().map(move |e| {
                    let message = e.message.as_ref().map(|m| m.to_string()).unwrap_or_else(|| default_message(e));
                    FieldError::new(field.to_string(), e.code.to_string(), message)
                })
            })
            .collect();
        fields.sort_by(|a, b| a.field.cmp(&b.field));
        AppError::Validation(fields)
    }
}

fn default_message(e: &validator::ValidationError) -> String {
    let param = |name: &str| e.params.get(name).map(|v| v.to_string());
    match e.code.as_ref() {
        "length" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => format!("must be {min} to {max} characters"),
            (None, Some(max)) => format!("must be at most {max} characters"),
            (Some(min), None) => format!("must be at least {min} characters"),
            _ => "has the wrong length".into(),
        },
        "range" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => format!("must be between {min} and {max}"),
            _ => "is out of range".into(),
        },
        "email" => "not a valid email address".into(),
        other => format!("is invalid ({other})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unique_violation_on_a_listed_column_is_taken_on_that_field() {
        let map = taken(&[("external_id", "another lead has this external_id")]);
        match map(StoreError::UniqueViolation("leads_external_id_key".into())) {
            AppError::Validation(errors) => {
                assert_eq!(errors, vec![FieldError::new("external_id", "taken", "another lead has this external_id")]);
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
        assert!(matches!(map(StoreError::UniqueViolation("users_email_key".into())), AppError::Conflict(_)));
        assert!(matches!(map(StoreError::NotFound), AppError::NotFound));
    }

    #[test]
    fn nested_errors_are_named_under_their_prefix() {
        let e = AppError::invalid_field("amount", "range", "too big").nested("opportunity");
        match e {
            AppError::Validation(errors) => assert_eq!(errors[0].field, "opportunity.amount"),
            other => panic!("expected a validation error, got {other:?}"),
        }
        assert!(matches!(AppError::NotFound.nested("x"), AppError::NotFound));
    }
}
