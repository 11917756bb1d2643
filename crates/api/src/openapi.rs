//! The OpenAPI document: metadata, the bearer scheme, and the error responses every operation shares.

use crate::error::Problem;
use utoipa::openapi::path::Operation;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::security::{HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi as OpenApiDoc, Ref, RefOr};
use utoipa::{Modify, OpenApi};

/// Document-level metadata; paths are collected from the registered handlers.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "salesops",
        description = "The system of record for a company's sales: organisation and data scopes, leads and the lead pool, \
                       accounts (customers) and contacts, the customer pool (公海) with recall rules, follow-up activities, \
                       lead conversion, the opportunity pipeline with stage gates, and reports; in later versions quotes, \
                       orders, receivables, quotas and commissions.\n\n\
                       Errors are RFC 9457 `application/problem+json`. Lists use opaque keyset cursors. \
                       Single records carry `ETag: W/\"<version>\"`; send it back as `If-Match` to avoid lost updates.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    servers((url = "/", description = "This server")),
    components(schemas(Problem)),
    tags(
        (name = "auth", description = "Log in, rotate tokens, log out, and who am I"),
        (name = "departments", description = "The department tree"),
        (name = "users", description = "Users, roles and activation"),
        (name = "role-scopes", description = "Data scopes per role"),
        (name = "leads", description = "Leads, the lead pool, qualification"),
        (name = "accounts", description = "Accounts (customers), group structure, duplicates, ownership transfer and owner history"),
        (name = "contacts", description = "Contacts: the people at an account"),
        (name = "account-pools", description = "Customer pools (公海): rules, release, claim, assign, and the recall job"),
        (name = "activities", description = "Follow-ups (跟进记录): calls, visits, meetings, emails, notes and check-ins"),
        (name = "pipeline", description = "Pipeline stages and their gates, loss reasons, competitors"),
        (name = "opportunities", description = "Opportunities, stage commands and stage history"),
        (name = "reports", description = "Funnel, forecast, win/loss, lead conversion and forgotten accounts, over the caller's data scope"),
        (name = "audit", description = "The audit log"),
    )
)]
pub struct ApiDoc;

/// Adds the bearer scheme, and to every operation the problem responses it can give.
pub struct SecurityAndErrors;

fn problem(description: &str) -> RefOr<Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/problem+json",
                ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build(),
            )
            .build(),
    )
}

fn add_default(op: &mut Operation, status: &str, description: &str) {
    op.responses.responses.entry(status.to_owned()).or_insert_with(|| problem(description));
}

impl Modify for SecurityAndErrors {
    fn modify(&self, doc: &mut OpenApiDoc) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                utoipa::openapi::security::HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("An access token from `POST /api/v1/auth/login`."))
                    .build(),
            ),
        );
        for (path, item) in doc.paths.paths.iter_mut() {
            let has_id = path.contains('{');
            let ops =
                [item.get.as_mut(), item.post.as_mut(), item.put.as_mut(), item.patch.as_mut(), item.delete.as_mut()];
            for op in ops.into_iter().flatten() {
                let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
                if secured {
                    add_default(op, "401", "Missing, expired, revoked or invalid access token");
                }
                if has_id {
                    add_default(op, "404", "Not found, deleted, or outside the caller's data scope");
                }
                if op.request_body.is_some() {
                    add_default(op, "413", "The body is too large");
                    add_default(op, "415", "The body is not JSON");
                    add_default(op, "422", "A field is missing, unknown or invalid");
                }
                add_default(op, "400", "Malformed JSON or a bad query parameter");
                add_default(op, "500", "Internal error (details are logged, not returned)");
                add_default(op, "503", "The database is unavailable; retry after `Retry-After` seconds");
            }
        }
    }
}
