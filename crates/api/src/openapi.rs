//! The OpenAPI document: metadata, the bearer scheme, the error responses every operation shares, and the
//! post-processing that gives client generators named types instead of inline copies.
//!
//! The handlers' `#[utoipa::path]` attributes say what is particular to each operation. What holds for all of
//! them is applied here, over the whole document, by [`SecurityAndErrors`] and [`ClientShapes`].

use crate::error::Problem;
use utoipa::openapi::path::{Operation, Parameter, ParameterBuilder, ParameterIn, ParameterStyle, PathItem};
use utoipa::openapi::request_body::RequestBody;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{AdditionalProperties, ArrayItems, Object, SchemaFormat, SchemaType, Type};
use utoipa::openapi::security::{HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{
    ArrayBuilder, ContentBuilder, ObjectBuilder, OpenApi as OpenApiDoc, Ref, RefOr, Required, Schema,
};
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
        (name = "products", description = "The product catalogue that quotes and orders sell from"),
        (name = "discount-authorities", description = "Discount authorities (折扣权限): the largest line discount each role may give without approval"),
        (name = "numbering-rules", description = "Document numbering rules (单据编号规则): prefix and counter width per document type"),
        (name = "quotes", description = "Quotes (报价): priced lines, totals, submission, discount approval, sending and the customer's answer"),
        (name = "approval-requests", description = "Approval requests (审批) of discounts beyond the submitter's authority, and the approver's inbox"),
        (name = "orders", description = "Orders and contracts (订单/合同): approval, activation (booking), deliveries, completion and cancellation"),
        (name = "payment-plans", description = "Payment plans (回款计划): an order's instalments, what each has been paid, and which are overdue"),
        (name = "payments", description = "Payments (回款): recorded by whoever sees the order, confirmed by finance; confirmed money settles the order's instalments"),
        (name = "refunds", description = "Refunds (退款) of confirmed payments, recorded by finance; they reopen the instalments the payment settled"),
        (name = "targets", description = "Sales targets (业绩目标) per subject, year and metric: twelve monthly amounts, and their breakdown to the children"),
        (name = "commission-plans", description = "Commission plans (提成方案): basis, period, tiers by attainment, cap, rule versions, and the users on each plan"),
        (name = "commission-runs", description = "Commission runs (提成核算): a plan's statements for a period, draft → approved → paid; a paid run never changes"),
        (name = "commission-statements", description = "Commission statements (提成明细): a user's lines for a run, each naming its source, split, tier, rate and earning, with clawbacks"),
        (name = "reports", description = "Funnel, forecast with its target, win/loss, lead conversion, forgotten accounts, receivables aging (应收账款账龄) with DSO, bookings (业绩) by month or quarter, attainment against targets, and the leaderboard, over the caller's data scope"),
        (name = "audit", description = "The audit log"),
    )
)]
pub struct ApiDoc;

/// Operations that take no token. They get an explicit empty `security`, so that "public" is stated rather
/// than forgotten; an operation with no `security` at all is still flagged by the linters.
pub const PUBLIC_OPERATIONS: &[&str] = &["login_user", "refresh_token"];

/// Adds the bearer scheme; marks the public operations; gives every operation the problem responses it can
/// give; and gives every error response without a body the problem body, so that a handler may write just
/// `(status = 403, description = "...")`.
pub struct SecurityAndErrors;

const PROBLEM_JSON: &str = "application/problem+json";

fn problem_content() -> utoipa::openapi::Content {
    ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build()
}

fn problem(description: &str) -> RefOr<Response> {
    RefOr::T(ResponseBuilder::new().description(description).content(PROBLEM_JSON, problem_content()).build())
}

fn add_default(op: &mut Operation, status: &str, description: &str) {
    op.responses.responses.entry(status.to_owned()).or_insert_with(|| problem(description));
}

/// Whether a response status (`"404"`, `"5XX"`) is an error.
fn is_error_status(status: &str) -> bool {
    status.starts_with('4') || status.starts_with('5')
}

/// Every operation of a path item, whatever its method.
fn operations_mut(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        item.get.as_mut(),
        item.put.as_mut(),
        item.post.as_mut(),
        item.delete.as_mut(),
        item.options.as_mut(),
        item.head.as_mut(),
        item.patch.as_mut(),
        item.trace.as_mut(),
        item.query.as_mut(),
    ]
    .into_iter()
    .flatten()
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
            for op in operations_mut(item) {
                if op.operation_id.as_deref().is_some_and(|id| PUBLIC_OPERATIONS.contains(&id)) {
                    op.security = Some(Vec::new());
                }
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
                for (status, response) in op.responses.responses.iter_mut() {
                    if let RefOr::T(response) = response {
                        if is_error_status(status) && response.content.is_empty() {
                            response.content.insert(PROBLEM_JSON.to_owned(), RefOr::T(problem_content()));
                        }
                    }
                }
            }
        }
    }
}

/// Query filters that take a comma-separated list (`status=new,working`), by operation: the operation id, the
/// parameter, and the enum schema its words come from (`None`: free words such as stage keys). They are
/// declared as arrays with `style: form, explode: false`, which is exactly the comma-separated form the
/// handlers parse with [`crate::pagination::enum_list`] and [`crate::pagination::comma_list`].
pub const LIST_FILTERS: &[(&str, &str, Option<&str>)] = &[
    ("list_accounts", "tier", Some("AccountTier")),
    ("list_accounts", "lifecycle", Some("AccountLifecycle")),
    ("list_activities", "kind", Some("ActivityKind")),
    ("list_leads", "status", Some("LeadStatus")),
    ("list_leads", "source", Some("LeadSource")),
    ("list_opportunities", "status", Some("OpportunityStatus")),
    ("list_opportunities", "forecast_category", Some("ForecastCategory")),
    ("list_opportunities", "stage", None),
    ("list_quotes", "status", Some("QuoteStatus")),
    ("list_approval_requests", "status", Some("ApprovalStatus")),
    ("list_orders", "status", Some("OrderStatus")),
    ("list_payments", "status", Some("PaymentStatus")),
    ("list_targets", "metric", Some("Metric")),
    ("list_targets", "subject_type", Some("SubjectType")),
    ("list_commission_runs", "status", Some("RunStatus")),
];

/// Fields and parameters ending in `_id` that are not our UUIDs: the integrator's own id, the client's
/// request id (echoed as sent), and the audited record's id (a role, a stage key or a loss-reason code for
/// some entity types).
const NOT_UUIDS: &[&str] = &["external_id", "request_id", "entity_id"];

/// Query parameters ending in `_id` that take a word besides a UUID: the approver filter also takes `me`.
const NOT_UUID_PARAMS: &[&str] = &["approver_id"];

/// The shape of an ISO 4217 currency code; [`salesops_domain::money::is_currency_code`] also
/// checks the code is on the list of active currencies, which the schema does not enumerate.
pub const CURRENCY_PATTERN: &str = "^[A-Z]{3}$";

/// Whether a field or parameter of this name holds one of our ids (a UUID).
fn is_uuid_name(name: &str) -> bool {
    (name == "id" || name.ends_with("_id")) && !NOT_UUIDS.contains(&name)
}

/// Whether a field or parameter of this name holds an ISO 4217 currency code.
fn is_currency_name(name: &str) -> bool {
    name == "currency" || name.ends_with("_currency")
}

/// Reshapes what utoipa generates into what client generators handle well, without changing what the API
/// accepts or returns:
/// - a list page's `data.items` refers to the resource's schema instead of copying it, so generators reuse
///   the resource's type instead of inventing `PageLeadDataItem`;
/// - comma-separated enum filters ([`LIST_FILTERS`]) are arrays of the enum, `style: form, explode: false`;
/// - an optional request body (`Option<T>`) is a plain `$ref` with `required: false` rather than
///   `oneOf: [T, null]`, which generators cannot leave unset;
/// - header parameters are plain strings, not `["string", "null"]`: an optional header is absent, never null;
/// - ids (`id`, `*_id`, `*_ids`) are `format: uuid`, and currency codes have their pattern.
pub struct ClientShapes;

impl Modify for ClientShapes {
    fn modify(&self, doc: &mut OpenApiDoc) {
        if let Some(components) = doc.components.as_mut() {
            refer_page_items(&mut components.schemas);
            for schema in components.schemas.values_mut() {
                if let RefOr::T(schema) = schema {
                    tag_fields(schema);
                }
            }
        }
        for item in doc.paths.paths.values_mut() {
            for op in operations_mut(item) {
                let operation_id = op.operation_id.clone().unwrap_or_default();
                if let Some(RefOr::T(body)) = op.request_body.as_mut() {
                    unwrap_optional_body(body);
                }
                for param in op.parameters.iter_mut().flatten() {
                    let RefOr::T(param) = param else { continue };
                    let filter =
                        LIST_FILTERS.iter().find(|(op_id, name, _)| *op_id == operation_id && *name == param.name);
                    if let (Some((_, _, items)), ParameterIn::Query) = (filter, &param.parameter_in) {
                        let items: RefOr<Schema> = match items {
                            Some(name) => Ref::from_schema_name(*name).into(),
                            None => ObjectBuilder::new().schema_type(Type::String).into(),
                        };
                        let example = list_example(param);
                        *param = ParameterBuilder::from(param.clone())
                            .schema(Some(ArrayBuilder::new().items(items)))
                            .style(Some(ParameterStyle::Form))
                            .explode(Some(false))
                            .example(example)
                            .build();
                        continue;
                    }
                    let Some(RefOr::T(Schema::Object(schema))) = param.schema.as_mut() else { continue };
                    if matches!(param.parameter_in, ParameterIn::Header) {
                        if let SchemaType::Array(types) = &schema.schema_type {
                            let types: Vec<Type> = types.iter().filter(|t| **t != Type::Null).cloned().collect();
                            if let [only] = types.as_slice() {
                                schema.schema_type = SchemaType::Type(only.clone());
                            }
                        }
                    }
                    let by_name = matches!(param.parameter_in, ParameterIn::Path | ParameterIn::Query);
                    if by_name && is_uuid_name(&param.name) && !NOT_UUID_PARAMS.contains(&param.name.as_str()) {
                        set_uuid(schema);
                    }
                    if by_name && is_currency_name(&param.name) {
                        set_currency(schema);
                    }
                }
            }
        }
    }
}

/// The example of a comma-list parameter (`"new,working"`) as the array it now is (`["new", "working"]`).
fn list_example(param: &Parameter) -> Option<serde_json::Value> {
    let example = serde_json::to_value(param).ok()?.get("example")?.clone();
    match example.as_str() {
        Some(words) => Some(words.split(',').map(|w| serde_json::Value::from(w.trim())).collect()),
        None => Some(example),
    }
}

/// Point each `Page_X`'s `data.items` at the component `X` when it is an inline copy of it.
fn refer_page_items(schemas: &mut std::collections::BTreeMap<String, RefOr<Schema>>) {
    let pages: Vec<String> = schemas.keys().filter(|name| name.starts_with("Page_")).cloned().collect();
    for page in pages {
        let item_name = &page["Page_".len()..];
        let Some(RefOr::T(item_schema)) = schemas.get(item_name).cloned() else { continue };
        let Some(RefOr::T(Schema::Object(page_schema))) = schemas.get_mut(&page) else { continue };
        let Some(RefOr::T(Schema::Array(data))) = page_schema.properties.get_mut("data") else { continue };
        if let ArrayItems::RefOrSchema(items) = &mut data.items {
            if **items == RefOr::T(item_schema) {
                **items = Ref::from_schema_name(item_name).into();
            }
        }
    }
}

/// Give the `id`/`*_id`/`*_ids` and currency fields of `schema`, at any depth, their format or pattern.
fn tag_fields(schema: &mut Schema) {
    match schema {
        Schema::Object(object) => {
            for (name, property) in object.properties.iter_mut() {
                let RefOr::T(property) = property else { continue };
                match property {
                    Schema::Object(field) if is_uuid_name(name) => set_uuid(field),
                    Schema::Object(field) if is_currency_name(name) => set_currency(field),
                    Schema::Array(list) if name.ends_with("_ids") => {
                        if let ArrayItems::RefOrSchema(items) = &mut list.items {
                            if let RefOr::T(Schema::Object(item)) = items.as_mut() {
                                set_uuid(item);
                            }
                        }
                    }
                    _ => {}
                }
                tag_fields(property);
            }
            if let Some(AdditionalProperties::RefOr(RefOr::T(values))) = object.additional_properties.as_deref_mut() {
                tag_fields(values);
            }
        }
        Schema::Array(list) => {
            if let ArrayItems::RefOrSchema(items) = &mut list.items {
                if let RefOr::T(items) = items.as_mut() {
                    tag_fields(items);
                }
            }
        }
        Schema::OneOf(one_of) => one_of.items.iter_mut().for_each(tag_inline),
        Schema::AllOf(all_of) => all_of.items.iter_mut().for_each(tag_inline),
        Schema::AnyOf(any_of) => any_of.items.iter_mut().for_each(tag_inline),
        _ => {}
    }
}

fn tag_inline(schema: &mut RefOr<Schema>) {
    if let RefOr::T(schema) = schema {
        tag_fields(schema);
    }
}

fn is_string(schema: &Object) -> bool {
    match &schema.schema_type {
        SchemaType::Type(t) => *t == Type::String,
        SchemaType::Array(types) => types.contains(&Type::String),
        SchemaType::AnyValue => false,
    }
}

fn set_uuid(schema: &mut Object) {
    if is_string(schema) && schema.format.is_none() {
        schema.format = Some(SchemaFormat::Custom("uuid".to_owned()));
    }
}

fn set_currency(schema: &mut Object) {
    if is_string(schema) && schema.pattern.is_none() {
        schema.pattern = Some(CURRENCY_PATTERN.to_owned());
    }
}

/// `oneOf: [{$ref: T}, {type: null}]`, what utoipa makes of `Option<T>`, becomes `{$ref: T}`; the body is
/// then optional through `required: false`, which is how OpenAPI says "may be omitted".
fn unwrap_optional_body(body: &mut RequestBody) {
    let mut unwrapped = false;
    for content in body.content.values_mut() {
        let RefOr::T(content) = content else { continue };
        let Some(RefOr::T(Schema::OneOf(one_of))) = content.schema.as_ref() else { continue };
        let is_null = |s: &RefOr<Schema>| matches!(s, RefOr::T(Schema::Object(o)) if o.schema_type == SchemaType::Type(Type::Null));
        if let [RefOr::Ref(target), null] | [null, RefOr::Ref(target)] = one_of.items.as_slice() {
            if is_null(null) {
                content.schema = Some(RefOr::Ref(target.clone()));
                unwrapped = true;
            }
        }
    }
    if unwrapped {
        body.required = Some(Required::False);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pagination::Page;
    use serde_json::{json, Value};
    use utoipa::ToSchema;

    /// A resource shaped like ours: ids, a foreign id, one that is not a UUID, money's currency.
    #[derive(ToSchema)]
    #[allow(dead_code)]
    struct Thing {
        id: String,
        owner_id: Option<String>,
        competitor_ids: Vec<String>,
        external_id: Option<String>,
        request_id: String,
        currency: String,
        status: ThingStatus,
    }

    #[derive(ToSchema)]
    #[allow(dead_code)]
    enum ThingStatus {
        Open,
    }

    #[derive(ToSchema)]
    #[allow(dead_code)]
    struct WinThing {
        note: Option<String>,
    }

    /// A command written the short way: error responses with a description alone.
    #[utoipa::path(
        post,
        path = "/things/{id}/win",
        operation_id = "win_thing",
        params(
            ("id" = String, Path, description = "Thing id"),
            ("If-Match" = Option<String>, Header, description = "W/\"<version>\""),
        ),
        request_body(content = Option<WinThing>, description = "Optional"),
        responses(
            (status = 200, description = "The won thing", body = Thing),
            (status = 403, description = "The role may not win things"),
            (status = 409, description = "Already won"),
        ),
        security(("bearer" = []))
    )]
    #[allow(dead_code)]
    fn win_thing() {}

    // Named like a real operation of `LIST_FILTERS`, so that the table applies.
    #[utoipa::path(
        get,
        path = "/things",
        operation_id = "list_leads",
        params(
            ("status" = Option<String>, Query, description = "Comma-separated statuses, e.g. `new,working`.", example = "new,working"),
            ("owner_id" = Option<String>, Query, description = "Only things owned by this user."),
            ("currency" = Option<String>, Query, description = "Only this currency."),
        ),
        responses((status = 200, description = "One page of things", body = Page<Thing>)),
        security(("bearer" = []))
    )]
    #[allow(dead_code)]
    fn list_things() {}

    #[utoipa::path(post, path = "/auth/login", operation_id = "login_user", responses((status = 200, description = "Tokens")))]
    #[allow(dead_code)]
    fn login() {}

    #[derive(OpenApi)]
    #[openapi(paths(win_thing, list_things, login), components(schemas(Problem, ThingStatus, LeadStatus)))]
    struct ThingDoc;

    /// The filter table names `LeadStatus`; a stand-in for it.
    #[derive(ToSchema)]
    #[allow(dead_code)]
    enum LeadStatus {
        New,
    }

    fn finished() -> Value {
        let mut doc = ThingDoc::openapi();
        SecurityAndErrors.modify(&mut doc);
        ClientShapes.modify(&mut doc);
        serde_json::to_value(doc).expect("json")
    }

    fn problem_body() -> Value {
        json!({ "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } })
    }

    #[test]
    fn an_error_response_without_a_body_gets_the_problem_body() {
        let doc = finished();
        let responses = &doc["paths"]["/things/{id}/win"]["post"]["responses"];
        assert_eq!(responses["403"]["content"], problem_body());
        assert_eq!(responses["403"]["description"], "The role may not win things");
        assert_eq!(responses["409"]["content"], problem_body(), "an explicit problem body stays as it was");
        for status in ["400", "401", "404", "413", "415", "422", "500", "503"] {
            assert_eq!(responses[status]["content"], problem_body(), "{status}");
        }
        assert_eq!(responses["200"]["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/Thing");
    }

    #[test]
    fn public_operations_say_so_and_others_keep_their_bearer() {
        let doc = finished();
        assert_eq!(doc["paths"]["/auth/login"]["post"]["security"], json!([]));
        assert!(doc["paths"]["/auth/login"]["post"]["responses"].get("401").is_none());
        assert_eq!(doc["paths"]["/things"]["get"]["security"], json!([{ "bearer": [] }]));
    }

    #[test]
    fn a_page_refers_to_its_resource_instead_of_copying_it() {
        let doc = finished();
        let data = &doc["components"]["schemas"]["Page_Thing"]["properties"]["data"];
        assert_eq!(data["items"], json!({ "$ref": "#/components/schemas/Thing" }));
    }

    #[test]
    fn an_optional_body_is_a_plain_ref_that_is_not_required() {
        let doc = finished();
        let body = &doc["paths"]["/things/{id}/win"]["post"]["requestBody"];
        assert_eq!(body["content"]["application/json"]["schema"], json!({ "$ref": "#/components/schemas/WinThing" }));
        assert_eq!(body["required"], false);
        assert_eq!(body["description"], "Optional");
    }

    #[test]
    fn header_parameters_are_plain_strings() {
        let doc = finished();
        let params = doc["paths"]["/things/{id}/win"]["post"]["parameters"].as_array().expect("params").clone();
        let if_match = params.iter().find(|p| p["name"] == "If-Match").expect("If-Match");
        assert_eq!(if_match["schema"], json!({ "type": "string" }));
        assert_eq!(if_match["required"], false);
    }

    #[test]
    fn a_comma_list_filter_is_an_array_of_its_enum_in_form_style() {
        let doc = finished();
        let params = doc["paths"]["/things"]["get"]["parameters"].as_array().expect("params").clone();
        let status = params.iter().find(|p| p["name"] == "status").expect("status");
        assert_eq!(
            status["schema"],
            json!({ "type": "array", "items": { "$ref": "#/components/schemas/LeadStatus" } })
        );
        assert_eq!((&status["style"], &status["explode"]), (&json!("form"), &json!(false)));
        assert_eq!(status["example"], json!(["new", "working"]));
        assert_eq!(status["description"], "Comma-separated statuses, e.g. `new,working`.");
    }

    #[test]
    fn ids_are_uuids_and_currencies_have_their_pattern() {
        let doc = finished();
        let thing = &doc["components"]["schemas"]["Thing"]["properties"];
        assert_eq!(thing["id"]["format"], "uuid");
        assert_eq!(thing["owner_id"], json!({ "type": ["string", "null"], "format": "uuid" }));
        assert_eq!(thing["competitor_ids"]["items"]["format"], "uuid");
        assert!(thing["external_id"].get("format").is_none(), "the integrator's id is theirs");
        assert!(thing["request_id"].get("format").is_none(), "request ids are echoed as the client sent them");
        assert_eq!(thing["currency"]["pattern"], CURRENCY_PATTERN);
        let params = doc["paths"]["/things"]["get"]["parameters"].as_array().expect("params").clone();
        let param = |name: &str| params.iter().find(|p| p["name"] == name).expect("param").clone();
        assert_eq!(param("owner_id")["schema"]["format"], "uuid");
        assert_eq!(param("currency")["schema"]["pattern"], CURRENCY_PATTERN);
        let win = doc["paths"]["/things/{id}/win"]["post"]["parameters"].as_array().expect("params").clone();
        assert_eq!(win[0]["schema"], json!({ "type": "string", "format": "uuid" }));
    }
}
