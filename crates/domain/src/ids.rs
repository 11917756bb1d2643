//! Record identifiers.

/// A new time-ordered UUIDv7, rendered as the lower-case hyphenated string the API returns.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Whether `s` is a well-formed UUID in any version, so that an id from a path
/// or a body can be rejected before it reaches a query.
pub fn is_valid_id(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_ids_are_valid_and_time_ordered() {
        let a = new_id();
        let b = new_id();
        assert!(is_valid_id(&a));
        assert!(a < b, "UUIDv7 strings sort by creation time");
    }

    #[test]
    fn garbage_is_not_an_id() {
        assert!(!is_valid_id("not-an-id"));
        assert!(!is_valid_id(""));
    }
}
