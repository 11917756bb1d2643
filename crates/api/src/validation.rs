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
