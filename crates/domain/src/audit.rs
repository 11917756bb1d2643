//! What an audit event records about a change.

use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// One changed field, before and after.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"before": "working", "after": "qualified"}))]
pub struct FieldChange {
    /// The value before the change; `null` when the record was created.
    pub before: Value,
    /// The value after the change; `null` when the record was deleted.
    pub after: Value,
}

/// Fields that change on every write and say nothing about what was changed.
const BOOKKEEPING: &[&str] = &["version", "updated_at"];

/// The fields that differ between two JSON renderings of a record.
///
/// Pass `Value::Null` as `before` for a creation. Book-keeping fields
/// (`version`, `updated_at`) are left out.
pub fn diff(before: &Value, after: &Value) -> BTreeMap<String, FieldChange> {
    let empty = Map::new();
    let b = before.as_object().unwrap_or(&empty);
    let a = after.as_object().unwrap_or(&empty);
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| !BOOKKEEPING.contains(&k.as_str()))
        .filter_map(|k| {
            let old = b.get(k).cloned().unwrap_or(Value::Null);
            let new = a.get(k).cloned().unwrap_or(Value::Null);
            (old != new).then(|| (k.clone(), FieldChange { before: old, after: new }))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_lists_changed_fields_only() {
        let before = json!({"name": "A", "score": 1, "version": 1});
        let after = json!({"name": "A", "score": 2, "version": 2});
        let d = diff(&before, &after);
        assert_eq!(d.len(), 1);
        assert_eq!(d["score"], FieldChange { before: json!(1), after: json!(2) });
    }

    #[test]
    fn creation_records_every_field_as_new() {
        let d = diff(&Value::Null, &json!({"name": "A", "email": null}));
        assert_eq!(d.len(), 1, "null fields on creation are not changes");
        assert_eq!(d["name"].after, json!("A"));
    }
}
