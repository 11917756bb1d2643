//! The JSON shapes of `/numbering-rules`.

use salesops_domain::numbering::{
    is_counter_width, is_prefix, DocumentType, DEFAULT_COUNTER_WIDTH, MAX_COUNTER_WIDTH, MAX_PREFIX_LENGTH,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

/// The numbering rule in force for one document type.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "document_type": "order", "prefix": "SO", "counter_width": 4, "example": "SO-20261206-0001", "is_default": true
}))]
pub struct NumberingRule {
    /// The document type.
    #[schema(example = "order")]
    pub document_type: DocumentType,
    /// What its numbers start with.
    #[schema(example = "SO")]
    pub prefix: String,
    /// How many digits the day's counter is padded to; a counter past them is written in full.
    #[schema(example = 4)]
    pub counter_width: i32,
    /// The day's first number under this rule, for today's business day.
    #[schema(example = "SO-20261206-0001")]
    pub example: String,
    /// Whether the rule is the type's default (`QT` for quotes, `SO` for orders, four digits).
    #[schema(example = true)]
    pub is_default: bool,
}

impl NumberingRule {
    /// `document_type` numbered by `rule`, whose day's first number is `example`.
    pub fn new(document_type: DocumentType, rule: SetNumberingRule, example: String) -> NumberingRule {
        let is_default = rule == SetNumberingRule::default_for(document_type);
        NumberingRule { document_type, prefix: rule.prefix, counter_width: rule.counter_width, example, is_default }
    }
}

/// Every document type's numbering rule.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"data": [
    {"document_type": "quote", "prefix": "QT", "counter_width": 4, "example": "QT-20261206-0001", "is_default": true},
    {"document_type": "order", "prefix": "HT", "counter_width": 5, "example": "HT-20261206-00001", "is_default": false}
]}))]
pub struct NumberingRuleList {
    /// One entry per document type, in the order quote, order.
    pub data: Vec<NumberingRule>,
}

/// Refuse a prefix other than 1–16 ASCII uppercase letters and digits (code `invalid_format`).
fn prefix_shape(prefix: &str) -> Result<(), ValidationError> {
    if is_prefix(prefix) {
        Ok(())
    } else {
        Err(ValidationError::new("invalid_format").with_message(
            format!("use 1–{MAX_PREFIX_LENGTH} characters, each an uppercase letter A–Z or a digit").into(),
        ))
    }
}

/// Refuse a counter width outside 1–9 digits (code `range`).
fn counter_width(width: i32) -> Result<(), ValidationError> {
    if is_counter_width(width) {
        Ok(())
    } else {
        Err(ValidationError::new("range")
            .with_message(format!("must be between 1 and {MAX_COUNTER_WIDTH} digits").into()))
    }
}

/// A document type's numbering rule: the body that sets it, and the rule as it is audited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"prefix": "HT", "counter_width": 5}))]
pub struct SetNumberingRule {
    /// What numbers start with: 1–16 ASCII uppercase letters and digits.
    #[validate(custom(function = "prefix_shape"))]
    #[schema(example = "HT", pattern = "^[A-Z0-9]{1,16}$")]
    pub prefix: String,
    /// How many digits the day's counter is padded to, 1–9.
    #[validate(custom(function = "counter_width"))]
    #[schema(example = 5, minimum = 1, maximum = 9)]
    pub counter_width: i32,
}

impl SetNumberingRule {
    /// The rule a document type has until an admin sets one.
    pub fn default_for(document_type: DocumentType) -> SetNumberingRule {
        SetNumberingRule { prefix: document_type.default_prefix().to_owned(), counter_width: DEFAULT_COUNTER_WIDTH }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::PartialSchema;

    #[test]
    fn the_schema_states_the_domain_bounds() {
        let schema = serde_json::to_value(SetNumberingRule::schema()).expect("json");
        let width = &schema["properties"]["counter_width"];
        assert_eq!(width["minimum"], 1.0);
        assert_eq!(width["maximum"], f64::from(MAX_COUNTER_WIDTH));
        let pattern = format!("^[A-Z0-9]{{1,{MAX_PREFIX_LENGTH}}}$");
        assert_eq!(schema["properties"]["prefix"]["pattern"], pattern.as_str());
    }

    #[test]
    fn prefixes_and_widths_are_refused_with_their_codes() {
        let rule = |prefix: &str, counter_width| SetNumberingRule { prefix: prefix.to_owned(), counter_width };
        assert!(rule("HT", 5).validate().is_ok());
        let errors = rule("ht-", 0).validate().expect_err("invalid");
        let codes = errors.field_errors();
        assert_eq!(codes["prefix"][0].code, "invalid_format");
        assert_eq!(codes["counter_width"][0].code, "range");
        assert!(rule("SO", MAX_COUNTER_WIDTH + 1).validate().is_err());
    }
}
