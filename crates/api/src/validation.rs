//! Field checks and clean-ups shared by the request bodies of every resource.

use crate::app::AppError;
use crate::app::FieldError;
use salesops_domain::contact_info;
use validator::ValidationError;

/// Refuse text that is empty once trimmed.
pub fn not_blank(s: &str) -> Result<(), ValidationError> {
    if s.trim().is_empty() {
        return Err(ValidationError::new("required").with_message("must not be blank".into()));
    }
    Ok(())
}

/// Refuse text that does not look like a phone number.
pub fn plausible_phone(s: &str) -> Result<(), ValidationError> {
    if contact_info::is_plausible_phone(s) {
        Ok(())
    } else {
        Err(ValidationError::new("phone").with_message("not a phone number: use digits, spaces and + - ( ) .".into()))
    }
}

/// Trim optional text, reading an empty result as absent.
pub fn tidy(field: Option<String>) -> Option<String> {
    field.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// Refuse a merge patch that sets to `null` fields which cannot be cleared: one
/// 422 `required` error for each `(field, cleared)` pair whose flag is set.
pub fn refuse_cleared(fields: &[(&str, bool)]) -> Result<(), AppError> {
    let errors: Vec<FieldError> = fields
        .iter()
        .filter(|(_, cleared)| *cleared)
        .map(|(field, _)| FieldError::new(*field, "required", "cannot be cleared"))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

/// Merge a JSON Merge Patch (fields of `Option<Option<T>>`) into `to`, the fields it changes.
///
/// A field the patch leaves out keeps its value. A `required` field cannot be set to
/// `null`: each one that is becomes one 422 `required` error, in the order listed (see
/// [`refuse_cleared`]); a value given is converted with `Into`, so an `Option` field takes
/// `Some`. A `clearable` field takes what is given, `null` included. Returns early with the
/// errors, so it is used inside a function answering `Result<_, AppError>`.
macro_rules! merge_patch {
    ($patch:ident => $to:ident, required: [$($required:ident),* $(,)?], clearable: [$($clearable:ident),* $(,)?]) => {
        $crate::validation::refuse_cleared(&[$((stringify!($required), matches!($patch.$required, Some(None)))),*])?;
        $(if let Some(Some(v)) = $patch.$required {
            $to.$required = v.into();
        })*
        $(if let Some(v) = $patch.$clearable {
            $to.$clearable = v;
        })*
    };
}
pub(crate) use merge_patch;
