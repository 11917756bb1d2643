//! What the test files share beyond the harness: reading JSON responses, records
//! made, read and listed through the API, and stored rows read or changed directly.

use crate::helpers::{TestApp, TestUser};
use actix_web::http::StatusCode;
use salesops_persistence::accounts::{self, AccountRow};
use salesops_persistence::contacts::{self, ContactRow};
use salesops_persistence::leads::{self, LeadRow};
use salesops_persistence::opportunities::{self, OpportunityRow};
use salesops_persistence::scope::Visibility;
use serde_json::Value;

/// The organisation the scope tests share (see [`TestApp::east_west`]).
pub struct EastWest {
    /// A top-level department.
    pub east: String,
    /// Below East.
    pub east_a: String,
    /// Another top-level department.
    pub west: String,
    /// The manager of East.
    pub manager: TestUser,
    /// A rep in East, reporting to the manager.
    pub rep1: TestUser,
    /// A rep in East A.
    pub rep2: TestUser,
    /// A rep in West.
    pub rep3: TestUser,
    /// Finance, in no department.
    pub finance: TestUser,
}

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

// ---- through the API ----

impl TestApp {
    /// GET `path` as `token`, asserting 200; returns the body.
    pub async fn get_ok(&self, token: &str, path: &str) -> Value {
        let res = self.get(path).token(token).send().await;
        assert_eq!(res.status, StatusCode::OK, "GET {path}: {}", res.body);
        res.body
    }

    /// The ids listed at `path` (a list endpoint with its query) as the admin sees them, asserting 200.
    pub async fn list_ids(&self, path: &str) -> Vec<String> {
        ids(&self.get_ok(&self.admin_token, path).await)
    }

    /// How many records the list endpoint `path` holds for the admin (its `total`), asserting 200.
    pub async fn total(&self, path: &str) -> i64 {
        let page = self.get_ok(&self.admin_token, &format!("{path}?count=true")).await;
        page["total"].as_i64().unwrap_or_else(|| panic!("no total in {page}"))
    }

    /// POST `body` to `path` as `token`, asserting 201; returns the created record.
    pub async fn created(&self, token: &str, path: &str, body: Value) -> Value {
        let res = self.post(path).token(token).json(body).send().await;
        assert_eq!(res.status, StatusCode::CREATED, "POST {path}: {}", res.body);
        res.body
    }

    /// Create a lead through the API as `token` (duplicates allowed), asserting 201; returns its JSON.
    pub async fn lead(&self, token: &str, body: Value) -> Value {
        self.created(token, "/api/v1/leads?allow_duplicate=true", body).await
    }

    /// Create an account through the API as `token` (duplicates allowed), asserting 201; returns its JSON.
    pub async fn create_account(&self, token: &str, body: Value) -> Value {
        self.created(token, "/api/v1/accounts?allow_duplicate=true", body).await
    }

    /// Create a contact through the API as `token`, asserting 201; returns its JSON.
    pub async fn create_contact(&self, token: &str, body: Value) -> Value {
        self.created(token, "/api/v1/contacts", body).await
    }

    /// Create an opportunity through the API as `token`, asserting 201; returns its id.
    pub async fn create_opportunity(&self, token: &str, body: Value) -> String {
        id_of(&self.created(token, "/api/v1/opportunities", body).await)
    }

    /// A draft CNY order owned by `owner`, made as the owner: ten units of a new product at
    /// ¥1,000.00 with no tax and no discount, so a total of 1000000 fen. Returns its JSON.
    pub async fn draft_order(&self, owner: &TestUser) -> Value {
        let order = self.draft_order_of(owner, "10").await;
        assert_eq!(order["total"]["amount"], 1_000_000, "{order}");
        order
    }

    /// East (with East A below it) and West; a manager of East; a rep in East reporting to
    /// the manager, one in East A and one in West; and finance.
    pub async fn east_west(&self) -> EastWest {
        let east = self.department("East", None);
        let east_a = self.department("East A", Some(&east));
        let west = self.department("West", None);
        let manager = self.user("manager", Some(&east), None).await;
        let rep1 = self.user("rep", Some(&east), Some(&manager.id)).await;
        let rep2 = self.user("rep", Some(&east_a), None).await;
        let rep3 = self.user("rep", Some(&west), None).await;
        let finance = self.user("finance", None, None).await;
        EastWest { east, east_a, west, manager, rep1, rep2, rep3, finance }
    }

    /// A product `UNIT` at ¥1.00 without tax, so that an order of n units totals n × 100 fen; its id.
    pub async fn unit_product(&self) -> String {
        let body = serde_json::json!({
            "sku": "UNIT", "name": "Unit", "unit": "piece",
            "list_price": { "amount": 100, "currency": "CNY" }, "tax_rate_bps": 0
        });
        id_of(&self.created(&self.admin_token, "/api/v1/products", body).await)
    }

    /// [`TestApp::draft_order`] for `quantity` units (thousandths allowed, e.g. `"10.001"`):
    /// a total of `quantity` × 100000 fen.
    pub async fn draft_order_of(&self, owner: &TestUser, quantity: &str) -> Value {
        let sku = format!("SKU-{}", &salesops_domain::new_id()[24..]);
        let product = self
            .created(
                &self.admin_token,
                "/api/v1/products",
                serde_json::json!({
                    "sku": sku, "name": "CRM seat", "unit": "license",
                    "list_price": { "amount": 100_000, "currency": "CNY" }, "tax_rate_bps": 0
                }),
            )
            .await;
        let account = self.account("Acme", Some(&owner.id));
        self.created(
            &owner.token,
            "/api/v1/orders",
            serde_json::json!({
                "account_id": account, "currency": "CNY",
                "lines": [{ "product_id": id_of(&product), "quantity": quantity, "discount_bps": 0 }]
            }),
        )
        .await
    }

    /// [`TestApp::draft_order`], submitted: a 0% discount needs no approval, so it is active
    /// at once. Returns the order's JSON.
    pub async fn active_order(&self, owner: &TestUser) -> Value {
        let draft = self.draft_order(owner).await;
        let res = self.post(&format!("/api/v1/orders/{}/submit", id_of(&draft))).token(&owner.token).send().await;
        assert_eq!(res.status, StatusCode::OK, "submit: {}", res.body);
        assert_eq!(res.body["status"], "active", "{}", res.body);
        res.body
    }

    /// The lead `id` as the admin reads it through the API, asserting 200.
    pub async fn fetch_lead(&self, id: &str) -> Value {
        self.get_ok(&self.admin_token, &format!("/api/v1/leads/{id}")).await
    }

    /// The audit trail of one entity (its list page of events) as `token` reads it, asserting 200.
    pub async fn audit_trail(&self, token: &str, entity_type: &str, entity_id: &str) -> Value {
        self.get_ok(token, &format!("/api/v1/audit-events?entity_type={entity_type}&entity_id={entity_id}")).await
    }

    /// Deactivate the user `id` as the admin, asserting 200.
    pub async fn deactivate_user(&self, id: &str) {
        let res = self.post(&format!("/api/v1/users/{id}/deactivate")).token(&self.admin_token).send().await;
        assert_eq!(res.status, StatusCode::OK, "deactivate user {id}: {}", res.body);
    }

    /// Set the data scope of `role` as the admin, asserting 200.
    pub async fn set_scope(&self, role: &str, scope: &str) {
        let res = self
            .put(&format!("/api/v1/role-scopes/{role}"))
            .token(&self.admin_token)
            .json(serde_json::json!({ "scope": scope }))
            .send()
            .await;
        assert_eq!(res.status, StatusCode::OK, "set the {role} scope to {scope}: {}", res.body);
    }

    // ---- stored rows, directly ----

    /// The stored account `id` (not deleted), read directly; panics when there is none.
    pub fn account_row(&self, id: &str) -> AccountRow {
        self.with_conn(|c| accounts::find_visible(c, id, &Visibility::All)).expect("read account").expect("account")
    }

    /// The stored contact `id` (not deleted), read directly; panics when there is none.
    pub fn contact_row(&self, id: &str) -> ContactRow {
        self.with_conn(|c| contacts::find_visible(c, id, &Visibility::All)).expect("read contact").expect("contact")
    }

    /// The stored opportunity `id` (not deleted), read directly; panics when there is none.
    pub fn opportunity_row(&self, id: &str) -> OpportunityRow {
        self.with_conn(|c| opportunities::find_visible(c, id, &Visibility::All))
            .expect("read opportunity")
            .expect("opportunity")
    }

    /// The stored lead `id` (not deleted), read directly; panics when there is none.
    pub fn lead_row(&self, id: &str) -> LeadRow {
        self.with_conn(|c| leads::find_visible(c, id, &Visibility::All)).expect("read lead").expect("lead")
    }

    /// Change the stored opportunity `id` directly, as fixtures do; panics unless the update lands.
    pub fn update_opportunity(&self, id: &str, change: impl FnOnce(&mut OpportunityRow)) {
        let mut row = self.opportunity_row(id);
        let version = row.version;
        change(&mut row);
        assert!(
            self.with_conn(|c| opportunities::update(c, &row, version)).expect("update opportunity"),
            "the opportunity {id} changed under the fixture"
        );
    }
}
