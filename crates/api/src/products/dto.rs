//! The product's JSON shapes: the record, its create body and its merge patch.

use crate::app::AppError;
use crate::extract::{double_option, trimmed, trimmed_opt};
use crate::time::to_utc;
use crate::validation::{merge_patch, not_blank, tidy};
use chrono::{DateTime, Utc};
use salesops_domain::money::Money;
use salesops_persistence::products::ProductRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

/// A product of the catalogue.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f0c2-7000-7000-8000-000000000401", "sku": "CRM-ENT-Y1", "name": "CRM Enterprise, one year",
    "unit": "license", "list_price": { "amount": 1_200_000, "currency": "CNY" }, "tax_rate_bps": 600,
    "category": "software", "description": null, "active": true, "external_id": "ERP-4711", "version": 1,
    "created_at": "2026-12-02T08:00:00Z", "updated_at": "2026-12-02T08:00:00Z",
    "created_by": "0190f0c2-6a00-7000-8000-0000000000a0"
}))]
pub struct Product {
    /// UUIDv7.
    pub id: String,
    /// The stock-keeping unit; unique.
    #[schema(example = "CRM-ENT-Y1")]
    pub sku: String,
    /// Display name.
    pub name: String,
    /// What one is counted in: `license`, `person-day`, `unit`.
    #[schema(example = "license")]
    pub unit: String,
    /// The price of one unit before discount and tax; quote lines default to it.
    pub list_price: Money,
    /// Tax rate in basis points: 1300 is 13% VAT, 600 is 6%.
    #[schema(example = 600)]
    pub tax_rate_bps: i32,
    /// The product line.
    pub category: Option<String>,
    /// Free description.
    pub description: Option<String>,
    /// Inactive products cannot be quoted.
    pub active: bool,
    /// The id in the integrator's system; unique.
    pub external_id: Option<String>,
    /// Bumped on every change; also the ETag.
    pub version: i64,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Who added it.
    pub created_by: Option<String>,
}

crate::etag::versioned!(Product);

impl From<ProductRow> for Product {
    fn from(r: ProductRow) -> Self {
        Product {
            list_price: Money::new(r.list_price, r.currency),
            id: r.id,
            sku: r.sku,
            name: r.name,
            unit: r.unit,
            tax_rate_bps: r.tax_rate_bps,
            category: r.category,
            description: r.description,
            active: r.active,
            external_id: r.external_id,
            version: r.version,
            created_at: to_utc(r.created_at),
            updated_at: to_utc(r.updated_at),
            created_by: r.created_by,
        }
    }
}

/// A new product.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "sku": "CRM-ENT-Y1", "name": "CRM Enterprise, one year", "unit": "license",
    "list_price": { "amount": 1_200_000, "currency": "CNY" }, "tax_rate_bps": 600, "category": "software"
}))]
pub struct CreateProduct {
    /// Unique stock-keeping unit, 1–64 characters.
    #[validate(custom(function = "not_blank"), length(max = 64))]
    #[serde(deserialize_with = "trimmed")]
    pub sku: String,
    /// Display name, 1–200 characters.
    #[validate(custom(function = "not_blank"), length(max = 200))]
    #[serde(deserialize_with = "trimmed")]
    pub name: String,
    /// What one is counted in, 1–40 characters.
    #[validate(custom(function = "not_blank"), length(max = 40))]
    #[serde(deserialize_with = "trimmed")]
    pub unit: String,
    /// The price of one unit: at least 0, in an ISO 4217 currency.
    pub list_price: Money,
    /// Tax rate, 0–10000 basis points; 0 when left out.
    #[validate(range(min = 0, max = 10000))]
    #[serde(default)]
    pub tax_rate_bps: i32,
    /// The product line, at most 100 characters.
    #[validate(length(max = 100))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub category: Option<String>,
    /// Free description.
    #[validate(length(max = 10000))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub description: Option<String>,
    /// The id in the integrator's system, at most 128 characters; unique.
    #[validate(length(max = 128))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub external_id: Option<String>,
    /// Whether it can be quoted; `true` when left out.
    #[serde(default = "active_by_default")]
    pub active: bool,
}

fn active_by_default() -> bool {
    true
}

impl CreateProduct {
    /// The fields of a stored product, to apply a patch to.
    pub fn from_row(r: &ProductRow) -> CreateProduct {
        CreateProduct {
            sku: r.sku.clone(),
            name: r.name.clone(),
            unit: r.unit.clone(),
            list_price: Money::new(r.list_price, r.currency.clone()),
            tax_rate_bps: r.tax_rate_bps,
            category: r.category.clone(),
            description: r.description.clone(),
            external_id: r.external_id.clone(),
            active: r.active,
        }
    }

    /// Check the declared rules and the list price (422 naming `list_price.amount` or
    /// `list_price.currency`).
    pub fn check(&self) -> Result<(), AppError> {
        self.validate()?;
        crate::money::validate(&self.list_price, "list_price", false)
    }

    /// Copy the fields onto a row.
    pub fn write_to(&self, row: &mut ProductRow) {
        row.sku = self.sku.clone();
        row.name = self.name.clone();
        row.unit = self.unit.clone();
        row.list_price = self.list_price.amount;
        row.currency = self.list_price.currency.clone();
        row.tax_rate_bps = self.tax_rate_bps;
        row.category = self.category.clone();
        row.description = self.description.clone();
        row.external_id = self.external_id.clone();
        row.active = self.active;
    }
}

/// A JSON Merge Patch (RFC 7396) of a product.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"list_price": { "amount": 1_100_000, "currency": "CNY" }, "active": false}))]
pub struct ProductPatch {
    /// Unique SKU; cannot be cleared.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub sku: Option<Option<String>>,
    /// Display name; cannot be cleared.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    /// Unit; cannot be cleared.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub unit: Option<Option<String>>,
    /// List price; cannot be cleared.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Money>)]
    pub list_price: Option<Option<Money>>,
    /// Tax rate in basis points; cannot be cleared.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub tax_rate_bps: Option<Option<i32>>,
    /// The product line.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub category: Option<Option<String>>,
    /// Description.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    /// The integrator's id.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub external_id: Option<Option<String>>,
    /// `false` deactivates, `true` reactivates; cannot be cleared.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<bool>)]
    pub active: Option<Option<bool>>,
}

impl ProductPatch {
    /// Apply the patch to the current fields, to be checked as a create body is. Clearing
    /// a field other than `category`, `description` and `external_id` is 422 `required`,
    /// one error per field.
    pub fn apply(mut self, mut to: CreateProduct) -> Result<CreateProduct, AppError> {
        // A create body is trimmed while deserializing; a patch is trimmed here.
        let trim = |v: Option<Option<String>>| v.map(|v| v.map(|s| s.trim().to_owned()));
        (self.sku, self.name, self.unit) = (trim(self.sku), trim(self.name), trim(self.unit));
        (self.category, self.description, self.external_id) =
            (self.category.map(tidy), self.description.map(tidy), self.external_id.map(tidy));
        merge_patch!(self => to,
            required: [sku, name, unit, list_price, tax_rate_bps, active],
            clearable: [category, description, external_id]);
        Ok(to)
    }
}
