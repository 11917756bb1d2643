//! What the test files share beyond the harness: reading JSON responses.

use serde_json::Value;

// ---- reading JSON ----

/// The string `key` of `v`; panics, showing `v`, when it is missing or not a string.
#[track_caller]
pub fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("no string {key} in {v}"))
}

/// The `id` of a record.
#[track_caller]
pub fn id_of(v: &Value) -> String {
    str_of(v, "id").to_owned()
}

/// The items of a list page (its `data` array); panics when there is none.
#[track_caller]
pub fn items(page: &Value) -> &Vec<Value> {
    page["data"].as_array().unwrap_or_else(|| panic!("no data array in {page}"))
}

/// The string `key` of every item of a list page, in order.
#[track_caller]
pub fn pluck(page: &Value, key: &str) -> Vec<String> {
    items(page).iter().map(|item| str_of(item, key).to_owned()).collect()
}

/// The ids of the items of a list page, in order.
#[track_caller]
pub fn ids(page: &Value) -> Vec<String> {
    pluck(page, "id")
}
