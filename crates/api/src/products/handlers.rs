//! The HTTP edge of `/products`: each handler extracts, authorises, runs one
//! use case from [`super::service`] and answers.

use super::dto::{CreateProduct, Product, ProductPatch};
use super::service;
use crate::app::permission::AssignRecords;
use crate::auth::{Authorized, Caller};
use crate::db;
use crate::error::ApiError;
use crate::etag::{self, with_etag, IfMatch};
use crate::extract::ValidJson;
use crate::pagination::{self, Page};
use crate::state::AppState;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use salesops_domain::ids::ProductId;
use salesops_persistence::products::ProductFilter;
use serde::Deserialize;
use utoipa::IntoParams;

/// Query parameters of `GET /products`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProductListQuery {
    /// Also list inactive products.
    #[serde(default)]
    pub include_inactive: bool,
    /// Only this product line (exact).
    pub category: Option<String>,
    /// Case-insensitive search in the SKU and the name.
    pub q: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// List products, oldest first.
///
/// Every signed-in role reads the catalogue. Inactive products are left out unless
/// `include_inactive=true`; `category` narrows to one product line, `q` searches the
/// SKU and the name. Pages follow `next_cursor`.
#[utoipa::path(
    tag = "products",
    operation_id = "list_products",
    params(ProductListQuery),
    responses((status = 200, description = "One page of products", body = Page<Product>)),
    security(("bearer" = []))
)]
#[get("/products")]
pub async fn list_products(
    state: web::Data<AppState>,
    _caller: Caller,
    query: web::Query<ProductListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    let filter = ProductFilter {
        include_inactive: q.include_inactive,
        category: crate::validation::tidy(q.category),
        q: crate::validation::tidy(q.q),
        after_id: pagination::after_id(q.cursor.as_deref())?,
    };
    let page = db::read(&state, move |conn| service::list(conn, &filter, limit)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Get a product, active or not.
///
/// Inactive products stay readable because quotes and orders keep referring to them.
#[utoipa::path(
    tag = "products",
    operation_id = "get_product",
    params(("id" = String, Path, description = "Product id")),
    responses((status = 200, description = "The product", body = Product, headers(("ETag" = String, description = "W/\"<version>\"")))),
    security(("bearer" = []))
)]
#[get("/products/{id}")]
pub async fn get_product(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<ProductId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let product = db::read(&state, move |conn| service::get(conn, &id)).await?;
    Ok(with_etag(HttpResponse::Ok(), &product))
}

/// Add a product (managers and admins).
///
/// The SKU must be new: one another product has is 409 `duplicate`, naming it. The list
/// price is money of at least 0 in an ISO 4217 currency; the tax rate is 0–10000 basis
/// points (1300 for 13% VAT). The caller is recorded as `created_by`.
#[utoipa::path(
    tag = "products",
    operation_id = "create_product",
    request_body = CreateProduct,
    responses(
        (status = 201, description = "Created", body = Product,
         headers(("Location" = String, description = "The new product's URL"), ("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Only managers and admins maintain the catalogue"),
        (status = 409, description = "`duplicate`: another product has this SKU"),
    ),
    security(("bearer" = []))
)]
#[post("/products")]
pub async fn create_product(
    state: web::Data<AppState>,
    caller: Authorized<AssignRecords>,
    body: ValidJson<CreateProduct>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let product = db::write(&state, move |conn| service::create(conn, &caller, input)).await?;
    Ok(etag::created(format!("/api/v1/products/{}", product.id), &product))
}

/// Change a product (managers and admins; JSON Merge Patch).
///
/// The result is checked by the same rules as a new product: the SKU, name, unit, list
/// price, tax rate and `active` cannot be cleared, and the SKU must stay unique (409
/// `duplicate`). `active: false` deactivates the product, `true` brings it back.
#[utoipa::path(
    tag = "products",
    operation_id = "update_product",
    params(
        ("id" = String, Path, description = "Product id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the change is based on"),
    ),
    request_body(content = ProductPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed product", body = Product, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Only managers and admins maintain the catalogue"),
        (status = 409, description = "`duplicate`: another product has this SKU"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[patch("/products/{id}")]
pub async fn update_product(
    state: web::Data<AppState>,
    caller: Authorized<AssignRecords>,
    id: web::Path<ProductId>,
    if_match: IfMatch,
    body: ValidJson<ProductPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let patch = body.0;
    let product = db::write(&state, move |conn| service::update(conn, &caller, &id, if_match, patch)).await?;
    Ok(with_etag(HttpResponse::Ok(), &product))
}

/// Deactivate a product (managers and admins).
///
/// Products are never removed, so quotes and orders keep their references; reactivate
/// with `PATCH {"active": true}`. Deactivating an inactive product is a no-op.
#[utoipa::path(
    tag = "products",
    operation_id = "delete_product",
    params(
        ("id" = String, Path, description = "Product id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the change is based on"),
    ),
    responses(
        (status = 204, description = "Deactivated"),
        (status = 403, description = "Only managers and admins maintain the catalogue"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[delete("/products/{id}")]
pub async fn delete_product(
    state: web::Data<AppState>,
    caller: Authorized<AssignRecords>,
    id: web::Path<ProductId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    db::write(&state, move |conn| service::deactivate(conn, &caller, &id, if_match)).await?;
    Ok(HttpResponse::NoContent().finish())
}
