//! Product use cases: list, read, add, change and deactivate products
//! (managers and admins change them).

use super::dto::{CreateProduct, Product, ProductPatch};
use super::ENTITY;
use crate::app::error::taken;
use crate::app::precondition::IfMatch;
use crate::app::{Actor, AppError, AppResult};
use crate::audit::{self, snapshot};
use crate::pagination::{self, Page};
use salesops_domain::ids::ProductId;
use salesops_persistence::products::{self, ProductFilter, ProductRow};
use salesops_persistence::{DbConnection, StoreError};

/// A taken `external_id` is 422 `taken`; a SKU taken by a concurrent write is 409 `conflict`
/// (one taken before the write began is 409 `duplicate`, see [`refuse_taken_sku`]).
fn map_unique(e: StoreError) -> AppError {
    if e.is_unique_violation_on("sku") {
        return AppError::Conflict("another product took this sku meanwhile".into());
    }
    taken(&[("external_id", "another product has this external_id")])(e)
}

/// 409 `duplicate`, naming the product, when another product has `sku`.
fn refuse_taken_sku(conn: &mut DbConnection, sku: &str, own_id: Option<&str>) -> AppResult<()> {
    match products::find_by_sku(conn, sku)? {
        Some(other) if Some(other.id.as_str()) != own_id => Err(AppError::Duplicate {
            detail: format!("product {} has the sku `{sku}`", other.id),
            ids: vec![other.id],
        }),
        _ => Ok(()),
    }
}

/// One page of products matching `filter`, oldest first, at most `limit` long.
pub fn list(conn: &mut DbConnection, filter: &ProductFilter, limit: i64) -> AppResult<Page<Product>> {
    let rows = products::list(conn, filter, limit + 1)?;
    pagination::page_by_id(rows, limit, |r| r.id.clone(), |r| Ok(Product::from(r)))
}

/// The product `id`, active or not; 404 if there is none.
pub fn get(conn: &mut DbConnection, id: &ProductId) -> AppResult<Product> {
    products::find(conn, id)?.map(Product::from).ok_or(AppError::NotFound)
}

/// Add a product, created by `actor`, audited as `create`. Its SKU must be new (409 `duplicate`).
pub fn create(conn: &mut DbConnection, actor: &Actor, input: CreateProduct) -> AppResult<Product> {
    input.check()?;
    refuse_taken_sku(conn, &input.sku, None)?;
    let mut row =
        ProductRow::new(&input.sku, &input.name, input.list_price.amount, &input.list_price.currency, Some(actor.id()));
    input.write_to(&mut row);
    products::insert(conn, &row).map_err(map_unique)?;
    let product = Product::from(row);
    audit::record(conn, actor, "create", ENTITY, &product.id, &serde_json::Value::Null, &snapshot(&product))?;
    Ok(product)
}

/// Apply a merge patch to product `id`, checked as a create body is, audited as `update`.
/// `active` deactivates or reactivates it.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &ProductId,
    if_match: IfMatch,
    patch: ProductPatch,
) -> AppResult<Product> {
    let row = load_locked(conn, id)?;
    if_match.check(row.version)?;
    let input = patch.apply(CreateProduct::from_row(&row))?;
    input.check()?;
    refuse_taken_sku(conn, &input.sku, Some(&row.id))?;
    let mut after = row.clone();
    input.write_to(&mut after);
    audit::save_versioned::<_, Product>(conn, actor, ENTITY, "update", &row, after, map_unique)
}

/// Deactivate product `id`, audited as `deactivate`: it is never removed, so quotes and
/// orders keep their references. Deactivating an inactive product changes nothing.
pub fn deactivate(conn: &mut DbConnection, actor: &Actor, id: &ProductId, if_match: IfMatch) -> AppResult<()> {
    let row = load_locked(conn, id)?;
    if_match.check(row.version)?;
    audit::deactivate_versioned::<_, Product>(conn, actor, ENTITY, &row, map_unique)
}

/// The product `id` under its row lock; 404 if there is none.
fn load_locked(conn: &mut DbConnection, id: &str) -> AppResult<ProductRow> {
    products::lock(conn, id)?;
    products::find(conn, id)?.ok_or(AppError::NotFound)
}
