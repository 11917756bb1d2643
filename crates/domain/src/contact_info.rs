//! Normalising emails, phones and company names, so duplicates match however they were typed.

use crate::text_enum;

text_enum! {
    /// The kind of record a duplicate check found.
    DuplicateEntity {
        /// An open lead.
        Lead => "lead",
        /// A live account.
        Account => "account",
        /// A live contact of a live account.
        Contact => "contact",
    }
}

/// Lower-cased and trimmed; `None` when nothing is left.
pub fn normalize_email(email: &str) -> Option<String> {
    let e = email.trim().to_lowercase();
    (!e.is_empty()).then_some(e)
}

/// Digits only, with a mainland China country code (`+86`, `0086`) removed
/// from mobile numbers, so `+86 138-0013-8000` and `13800138000` match.
/// `None` when fewer than five digits remain.
pub fn normalize_phone(phone: &str) -> Option<String> {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let national = digits
        .strip_prefix("0086")
        .or_else(|| digits.strip_prefix("86"))
        .filter(|rest| rest.len() == 11 && rest.starts_with('1'))
        .unwrap_or(&digits);
    (national.len() >= 5).then(|| national.to_owned())
}

/// Whether `phone` looks like a phone number: digits with the usual
/// separators (`+ - ( ) .` and spaces), and 5 to 20 digits.
pub fn is_plausible_phone(phone: &str) -> bool {
    let allowed = |c: char| c.is_ascii_digit() || " +-().".contains(c);
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    phone.chars().all(allowed) && (5..=20).contains(&digits)
}

/// Lower-cased, without white space, with full-width brackets made
/// half-width, so `Acme （上海） Ltd` and `acme(上海)ltd` match.
pub fn normalize_company(name: &str) -> Option<String> {
    let n: String = name
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            other => other,
        })
        .collect::<String>()
        .to_lowercase();
    (!n.is_empty()).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_match_regardless_of_case_and_spaces() {
        assert_eq!(normalize_email("  Li.Lei@Example.CN "), Some("li.lei@example.cn".into()));
        assert_eq!(normalize_email("   "), None);
    }

    #[test]
    fn chinese_mobiles_match_with_or_without_country_code() {
        let want = Some("13800138000".to_owned());
        assert_eq!(normalize_phone("+86 138-0013-8000"), want);
        assert_eq!(normalize_phone("0086 13800138000"), want);
        assert_eq!(normalize_phone("13800138000"), want);
        assert_eq!(normalize_phone("(021) 5555-1234"), Some("02155551234".into()));
        assert_eq!(normalize_phone("12"), None);
    }

    #[test]
    fn plausible_phones() {
        assert!(is_plausible_phone("+86 138-0013-8000"));
        assert!(!is_plausible_phone("call me"));
        assert!(!is_plausible_phone("123"));
    }

    #[test]
    fn company_names_match_across_bracket_widths() {
        assert_eq!(normalize_company("Acme （上海） Ltd"), normalize_company("acme(上海)ltd"));
        assert_eq!(normalize_company(" "), None);
    }
}
