//! Priced document lines: the line a client sends, the line the API answers with,
//! and pricing a document's lines against the catalogue in one currency.

use crate::app::{AppError, AppResult, FieldError};
use salesops_domain::money::Money;
use salesops_domain::pricing::{DocumentTotals, LineAmounts, LineInput as PricingInput, Quantity};
use salesops_persistence::lines::{LineFigures, StoredLine};
use salesops_persistence::products::{self, ProductRow};
use salesops_persistence::DbConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The most lines one document may have.
pub const MAX_LINES: usize = 200;

/// A line as sent: a product, how many, and the discount; the unit price defaults to the
/// product's list price.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"product_id": "0190f0c2-7000-7000-8000-000000000401", "quantity": "2.5", "discount_bps": 1500}))]
pub struct LineRequest {
    /// An active product of the catalogue.
    #[schema(value_type = String)]
    pub product_id: String,
    /// A decimal with at most 3 decimals, above 0 and at most 1000000000: `"3"`, `"2.5"`.
    #[schema(example = "2.5")]
    pub quantity: String,
    /// The price of one unit, in the document's currency; the product's list price when left out.
    #[serde(default)]
    pub unit_price: Option<Money>,
    /// The line's discount, 0–10000 basis points; 0 when left out.
    #[serde(default)]
    #[schema(example = 1500)]
    pub discount_bps: i32,
}

/// A priced line.
///
/// Per line, in minor units, each step rounded half away from zero:
/// `gross = unit_price × quantity`; `discount = gross × discount_bps / 10000`;
/// `net = gross − discount`; `tax = net × tax_rate_bps / 10000`; `total = net + tax`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f0c2-7000-7000-8000-000000000501", "product_id": "0190f0c2-7000-7000-8000-000000000401",
    "description": "CRM Enterprise, one year", "unit": "license", "quantity": "2.5",
    "unit_price": {"amount": 1_200_000, "currency": "CNY"}, "discount_bps": 1500, "tax_rate_bps": 600,
    "gross": {"amount": 3_000_000, "currency": "CNY"}, "discount": {"amount": 450_000, "currency": "CNY"},
    "net": {"amount": 2_550_000, "currency": "CNY"}, "tax": {"amount": 153_000, "currency": "CNY"},
    "total": {"amount": 2_703_000, "currency": "CNY"}
}))]
pub struct PricedLine {
    /// UUIDv7.
    pub id: String,
    /// The product sold.
    pub product_id: String,
    /// The product's name when the line was priced.
    pub description: String,
    /// The product's unit when the line was priced.
    pub unit: String,
    /// Decimal, at most 3 decimals.
    #[schema(example = "2.5")]
    pub quantity: String,
    /// The price of one unit.
    pub unit_price: Money,
    /// Discount, basis points.
    pub discount_bps: i32,
    /// The product's tax rate when priced, basis points.
    pub tax_rate_bps: i32,
    /// `unit_price × quantity`, rounded half away from zero.
    pub gross: Money,
    /// `gross × discount_bps / 10000`, rounded half away from zero.
    pub discount: Money,
    /// `gross − discount`.
    pub net: Money,
    /// `net × tax_rate_bps / 10000`, rounded half away from zero.
    pub tax: Money,
    /// `net + tax`.
    pub total: Money,
}

/// A line priced against the catalogue, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct Priced {
    /// The product.
    pub product_id: String,
    /// The product's name.
    pub description: String,
    /// The product's unit.
    pub unit: String,
    /// What it was priced from.
    pub input: PricingInput,
    /// What it came to.
    pub amounts: LineAmounts,
}

impl Priced {
    /// A stored line as priced; a stored quantity out of range is an internal error.
    pub fn stored(line: &impl StoredLine) -> AppResult<Priced> {
        let f = line.figures();
        let quantity = Quantity::from_thousandths(f.quantity).map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(Priced {
            product_id: line.product_id().to_owned(),
            description: line.description().to_owned(),
            unit: line.unit().to_owned(),
            input: PricingInput {
                unit_price: f.unit_price,
                quantity,
                discount_bps: f.discount_bps,
                tax_rate_bps: f.tax_rate_bps,
            },
            amounts: LineAmounts { gross: f.gross, discount: f.discount, net: f.net, tax: f.tax, total: f.total },
        })
    }

    /// The product (id, name, unit) and the figures to store the line with.
    pub fn to_store(&self) -> ((&str, &str, &str), LineFigures) {
        let (i, a) = (&self.input, &self.amounts);
        let figures = LineFigures {
            quantity: i.quantity.thousandths(),
            unit_price: i.unit_price,
            discount_bps: i.discount_bps,
            tax_rate_bps: i.tax_rate_bps,
            gross: a.gross,
            discount: a.discount,
            net: a.net,
            tax: a.tax,
            total: a.total,
        };
        ((&self.product_id, &self.description, &self.unit), figures)
    }

    /// The line as a request at its product's list price, to price it again (in another currency).
    pub fn at_list_price(&self) -> LineRequest {
        LineRequest {
            product_id: self.product_id.clone(),
            quantity: self.input.quantity.to_string(),
            unit_price: None,
            discount_bps: self.input.discount_bps,
        }
    }

    /// The line as the API shows it, under `id`, in `currency`.
    pub fn view(&self, id: String, currency: &str) -> PricedLine {
        let money = |amount: i64| Money::new(amount, currency);
        let a = &self.amounts;
        PricedLine {
            id,
            product_id: self.product_id.clone(),
            description: self.description.clone(),
            unit: self.unit.clone(),
            quantity: self.input.quantity.to_string(),
            unit_price: money(self.input.unit_price),
            discount_bps: self.input.discount_bps,
            tax_rate_bps: self.input.tax_rate_bps,
            gross: money(a.gross),
            discount: money(a.discount),
            net: money(a.net),
            tax: money(a.tax),
            total: money(a.total),
        }
    }
}

/// Lines priced in one currency, with the document's totals.
#[derive(Debug, Clone, PartialEq)]
pub struct PricedLines {
    /// Each line, in the order sent.
    pub lines: Vec<Priced>,
    /// Their sums.
    pub totals: DocumentTotals,
    /// The largest line discount, basis points.
    pub max_discount_bps: i32,
}

impl PricedLines {
    /// Priced lines with their totals and largest discount; 422 on `lines` when a total
    /// would exceed the amount cap.
    pub fn of(lines: Vec<Priced>) -> AppResult<PricedLines> {
        let amounts: Vec<LineAmounts> = lines.iter().map(|l| l.amounts).collect();
        let totals =
            DocumentTotals::of(&amounts).map_err(|e| AppError::invalid_field("lines", "range", e.to_string()))?;
        let max_discount_bps = lines.iter().map(|l| l.input.discount_bps).max().unwrap_or(0);
        Ok(PricedLines { lines, totals, max_discount_bps })
    }
}

/// The problems of line `i` before the catalogue is read: its quantity and discount.
fn line_shape(i: usize, line: &LineRequest, currency: &str) -> (Option<Quantity>, Vec<FieldError>) {
    let field = |name: &str| format!("lines[{i}].{name}");
    let mut errors = Vec::new();
    let quantity = match line.quantity.parse::<Quantity>() {
        Ok(q) => Some(q),
        Err(e) => {
            errors.push(FieldError::new(field("quantity"), "invalid_quantity", e.to_string()));
            None
        }
    };
    if !(0..=10_000).contains(&line.discount_bps) {
        errors.push(FieldError::new(field("discount_bps"), "range", "must be between 0 and 10000"));
    }
    if let Some(price) = &line.unit_price {
        if let Err(e) = price.validate(false) {
            errors.push(crate::money::field_error(&field("unit_price"), &e));
        } else if let Err(e) = crate::money::require_currency(price, &field("unit_price"), currency, "the document's") {
            errors.push(e);
        }
    }
    (quantity, errors)
}

/// Price `requests` in `currency` against the catalogue: every product must exist and be
/// active, and a list price used must be in `currency` (one document has one currency).
/// Every problem is one 422 field error naming its line, e.g. `lines[2].quantity`.
pub fn price(conn: &mut DbConnection, currency: &str, requests: &[LineRequest]) -> AppResult<PricedLines> {
    if requests.is_empty() || requests.len() > MAX_LINES {
        return Err(AppError::invalid_field("lines", "length", format!("must have 1 to {MAX_LINES} lines")));
    }
    let ids: Vec<String> = requests.iter().map(|l| l.product_id.clone()).collect();
    let catalogue = products::find_many(conn, &ids)?;
    let mut errors = Vec::new();
    let mut lines = Vec::with_capacity(requests.len());
    for (i, request) in requests.iter().enumerate() {
        let (quantity, mut problems) = line_shape(i, request, currency);
        let product = catalogue.iter().find(|p| p.id == request.product_id);
        match (product, quantity, product_problem(i, product, request, currency)) {
            (_, _, Some(problem)) => problems.push(problem),
            (Some(product), Some(quantity), None) if problems.is_empty() => {
                let unit_price = request.unit_price.as_ref().map_or(product.list_price, |m| m.amount);
                let input = PricingInput {
                    unit_price,
                    quantity,
                    discount_bps: request.discount_bps,
                    tax_rate_bps: product.tax_rate_bps,
                };
                match input.amounts() {
                    Ok(amounts) => lines.push(Priced {
                        product_id: product.id.clone(),
                        description: product.name.clone(),
                        unit: product.unit.clone(),
                        input,
                        amounts,
                    }),
                    Err(e) => problems.push(FieldError::new(format!("lines[{i}]"), "range", e.to_string())),
                }
            }
            _ => {}
        }
        errors.extend(problems);
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    PricedLines::of(lines)
}

/// What is wrong with line `i`'s product, if anything: unknown, inactive, or (when the
/// line takes its list price) priced in another currency.
fn product_problem(
    i: usize,
    product: Option<&ProductRow>,
    request: &LineRequest,
    currency: &str,
) -> Option<FieldError> {
    let field = format!("lines[{i}].product_id");
    match product {
        None => Some(FieldError::unknown(field, "product")),
        Some(p) if !p.active => Some(FieldError::new(field, "inactive", "the product is inactive and cannot be sold")),
        Some(p) if request.unit_price.is_none() && p.currency != currency => Some(FieldError::new(
            field,
            "currency",
            format!("the product's list price is in {}, not the document's {currency}; give a unit_price", p.currency),
        )),
        Some(_) => None,
    }
}
