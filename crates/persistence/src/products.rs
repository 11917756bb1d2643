//! Products: the catalogue quotes and orders sell from.

use crate::schema::products;
use crate::{clock, like_contains, DbConnection, StoreResult};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A product as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = products, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct ProductRow {
    /// UUIDv7.
    pub id: String,
    /// The stock-keeping unit; unique.
    pub sku: String,
    /// Display name.
    pub name: String,
    /// What one is counted in: "license", "person-day", "unit".
    pub unit: String,
    /// List price of one unit, in minor units of `currency`.
    pub list_price: i64,
    /// ISO 4217 code of the list price.
    pub currency: String,
    /// Tax rate in basis points (1300 is 13% VAT).
    pub tax_rate_bps: i32,
    /// The product line.
    pub category: Option<String>,
    /// Free description.
    pub description: Option<String>,
    /// Inactive products cannot be quoted.
    pub active: bool,
    /// The id in the integrator's system; unique.
    pub external_id: Option<String>,
    /// Bumped on every change.
    pub version: i64,
    /// Creation time, UTC.
    pub created_at: NaiveDateTime,
    /// Last change, UTC.
    pub updated_at: NaiveDateTime,
    /// Who created it.
    pub created_by: Option<String>,
}

impl ProductRow {
    /// A new active product at version 1, created now, priced `list_price` minor units of `currency`.
    pub fn new(sku: &str, name: &str, list_price: i64, currency: &str, created_by: Option<&str>) -> ProductRow {
        let now = clock::now();
        ProductRow {
            id: salesops_domain::new_id(),
            sku: sku.to_owned(),
            name: name.to_owned(),
            unit: String::new(),
            list_price,
            currency: currency.to_owned(),
            tax_rate_bps: 0,
            category: None,
            description: None,
            active: true,
            external_id: None,
            version: 1,
            created_at: now,
            updated_at: now,
            created_by: created_by.map(str::to_owned),
        }
    }
}

/// Filters of the product list; every one is applied in SQL.
#[derive(Debug, Clone, Default)]
pub struct ProductFilter {
    /// Include inactive products.
    pub include_inactive: bool,
    /// Only this product line.
    pub category: Option<String>,
    /// Case-insensitive substring of the SKU or the name.
    pub q: Option<String>,
    /// Start after this id (the cursor).
    pub after_id: Option<String>,
}

/// Up to `limit` products matching `filter`, in id (creation) order.
pub fn list(conn: &mut DbConnection, filter: &ProductFilter, limit: i64) -> StoreResult<Vec<ProductRow>> {
    let mut query = products::table.select(ProductRow::as_select()).order(products::id).limit(limit).into_boxed();
    if !filter.include_inactive {
        query = query.filter(products::active.eq(true));
    }
    if let Some(category) = &filter.category {
        query = query.filter(products::category.eq(category.clone()));
    }
    if let Some(q) = &filter.q {
        let pattern = like_contains(&q.to_lowercase());
        query = query.filter(
            crate::sql_functions::lower(products::name.nullable())
                .like(pattern.clone())
                .escape('\\')
                .or(crate::sql_functions::lower(products::sku.nullable()).like(pattern).escape('\\')),
        );
    }
    if let Some(after) = &filter.after_id {
        query = query.filter(products::id.gt(after.clone()));
    }
    Ok(query.load(conn)?)
}

/// A product by id, active or not.
pub fn find(conn: &mut DbConnection, id: &str) -> StoreResult<Option<ProductRow>> {
    Ok(products::table.find(id).select(ProductRow::as_select()).first(conn).optional()?)
}

/// The product with this SKU, if any.
pub fn find_by_sku(conn: &mut DbConnection, sku: &str) -> StoreResult<Option<ProductRow>> {
    Ok(products::table.filter(products::sku.eq(sku)).select(ProductRow::as_select()).first(conn).optional()?)
}

/// Insert a new product.
pub fn insert(conn: &mut DbConnection, row: &ProductRow) -> StoreResult<()> {
    diesel::insert_into(products::table).values(row).execute(conn)?;
    Ok(())
}

crate::versioned::row_writes!(products, ProductRow, "product");
crate::versioned::deactivatable!(ProductRow);

/// The products among `ids`, active or not, in no particular order.
pub fn find_many(conn: &mut DbConnection, ids: &[String]) -> StoreResult<Vec<ProductRow>> {
    Ok(products::table.filter(products::id.eq_any(ids)).select(ProductRow::as_select()).load(conn)?)
}
