//! The priced lines of quotes and orders: one shape, stored per document table.

/// The amounts and inputs of one stored priced line, whatever document holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineFigures {
    /// Thousandths of a unit.
    pub quantity: i64,
    /// Price of one unit.
    pub unit_price: i64,
    /// Discount in basis points.
    pub discount_bps: i32,
    /// Tax rate in basis points.
    pub tax_rate_bps: i32,
    /// `unit_price × quantity`, rounded.
    pub gross: i64,
    /// `gross × discount_bps / 10000`, rounded.
    pub discount: i64,
    /// `gross − discount`.
    pub net: i64,
    /// `net × tax_rate_bps / 10000`, rounded.
    pub tax: i64,
    /// `net + tax`.
    pub total: i64,
}

/// A stored priced line: what the document services read and write through.
pub trait StoredLine {
    /// The line's id.
    fn id(&self) -> &str;
    /// The product sold.
    fn product_id(&self) -> &str;
    /// The product's name when priced.
    fn description(&self) -> &str;
    /// The product's unit when priced.
    fn unit(&self) -> &str;
    /// Its figures.
    fn figures(&self) -> LineFigures;
}

/// Declare a document's line row over `$table`, keyed to its document by `$parent`, with
/// the [`StoredLine`] shape plus any `$extra` fields (an order line's `delivered`).
macro_rules! line_row {
    ($(#[$meta:meta])* $name:ident, $table:ident, $parent:ident $(, $(#[$emeta:meta])* $extra:ident : $ty:ty)* $(,)?) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
        #[diesel(table_name = $table, treat_none_as_default_value = false)]
        pub struct $name {
            /// UUIDv7.
            pub id: String,
            /// The document.
            pub $parent: String,
            /// Its place on the document, from 1.
            pub position: i32,
            /// The product sold.
            pub product_id: String,
            /// The product's name when priced.
            pub description: String,
            /// The product's unit when priced.
            pub unit: String,
            /// Thousandths of a unit.
            pub quantity: i64,
            /// Price of one unit.
            pub unit_price: i64,
            /// Discount in basis points.
            pub discount_bps: i32,
            /// The product's tax rate when priced, in basis points.
            pub tax_rate_bps: i32,
            /// `unit_price × quantity`, rounded.
            pub gross: i64,
            /// `gross × discount_bps / 10000`, rounded.
            pub discount: i64,
            /// `gross − discount`.
            pub net: i64,
            /// `net × tax_rate_bps / 10000`, rounded.
            pub tax: i64,
            /// `net + tax`.
            pub total: i64,
            $($(#[$emeta])* pub $extra: $ty,)*
        }

        impl $crate::lines::StoredLine for $name {
            fn id(&self) -> &str {
                &self.id
            }

            fn product_id(&self) -> &str {
                &self.product_id
            }

            fn description(&self) -> &str {
                &self.description
            }

            fn unit(&self) -> &str {
                &self.unit
            }

            fn figures(&self) -> $crate::lines::LineFigures {
                $crate::lines::LineFigures {
                    quantity: self.quantity,
                    unit_price: self.unit_price,
                    discount_bps: self.discount_bps,
                    tax_rate_bps: self.tax_rate_bps,
                    gross: self.gross,
                    discount: self.discount,
                    net: self.net,
                    tax: self.tax,
                    total: self.total,
                }
            }
        }

        impl $name {
            /// A new line of document `parent` at `position`, from its product and figures.
            pub fn new(
                parent: &str,
                position: i32,
                (product_id, description, unit): (&str, &str, &str),
                f: $crate::lines::LineFigures,
                $($extra: $ty,)*
            ) -> $name {
                $name {
                    id: salesops_domain::new_id(),
                    $parent: parent.to_owned(),
                    position,
                    product_id: product_id.to_owned(),
                    description: description.to_owned(),
                    unit: unit.to_owned(),
                    quantity: f.quantity,
                    unit_price: f.unit_price,
                    discount_bps: f.discount_bps,
                    tax_rate_bps: f.tax_rate_bps,
                    gross: f.gross,
                    discount: f.discount,
                    net: f.net,
                    tax: f.tax,
                    total: f.total,
                    $($extra,)*
                }
            }
        }
    };
}
pub(crate) use line_row;

/// Define a document module's `lines_of_all` (the lines of several documents, in
/// document then line order) and `replace_lines` over its line table.
macro_rules! line_store {
    ($table:ident, $row:ident, $parent:ident, $noun:literal) => {
        #[doc = concat!("The lines of every ", $noun, " in `ids`, in ", $noun, " then line order.")]
        pub fn lines_of_all(conn: &mut $crate::DbConnection, ids: &[String]) -> $crate::StoreResult<Vec<$row>> {
            Ok($table::table
                .filter($table::$parent.eq_any(ids))
                .order(($table::$parent, $table::position))
                .select($row::as_select())
                .load(conn)?)
        }

        #[doc = concat!("Replace the lines of the ", $noun, " `id` with `lines`.")]
        pub fn replace_lines(conn: &mut $crate::DbConnection, id: &str, lines: &[$row]) -> $crate::StoreResult<()> {
            diesel::delete($table::table.filter($table::$parent.eq(id))).execute(conn)?;
            for line in lines {
                diesel::insert_into($table::table).values(line.clone()).execute(conn)?;
            }
            Ok(())
        }
    };
}
pub(crate) use line_store;
