//! Product options (size, colour, …) and variants: each combination's SKU, price, stock and
//! picture. A product with variants keeps `products.stock` as the sum of its variants' stock.

use sqlx::FromRow;

use super::{DbError, Flag, Tx};
use crate::domain::{Money, ProductId};

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct VariantRow {
    pub id: i64,
    pub product_id: ProductId,
    pub sku: String,
    pub option1: String,
    pub option2: String,
    pub option3: String,
    /// None: the product's price.
    pub price_cents: Option<i64>,
    pub stock: i64,
    pub image: Option<String>,
    #[sqlx(try_from = "i64")]
    pub active: Flag,
}

impl VariantRow {
    /// "M / Blue".
    pub fn label(&self) -> String {
        [&self.option1, &self.option2, &self.option3]
            .into_iter()
            .filter(|o| !o.is_empty())
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(" / ")
    }

    pub fn values(&self) -> [&str; 3] {
        [&self.option1, &self.option2, &self.option3]
    }

    pub fn price(&self, product_price: Money) -> Money {
        self.price_cents
            .map(Money::from_cents)
            .unwrap_or(product_price)
    }
}

const VARIANT: &str = "SELECT id, product_id, sku, option1, option2, option3, price_cents, stock, image, active FROM product_variants";

/// The option names of a product, in order ("Size", "Colour").
pub async fn options<'e, E>(exec: E, product: ProductId) -> Result<Vec<String>, DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query_scalar("SELECT name FROM product_options WHERE product_id = $1 ORDER BY position")
        .bind(product)
        .fetch_all(exec)
        .await
}

pub async fn variants<'e, E>(exec: E, product: ProductId) -> Result<Vec<VariantRow>, DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{VARIANT} WHERE product_id = $1 ORDER BY position, id"
    )))
    .bind(product)
    .fetch_all(exec)
    .await
}

/// A variant of this product (another product's is not found).
pub async fn find<'e, E>(
    exec: E,
    product: ProductId,
    id: i64,
) -> Result<Option<VariantRow>, DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{VARIANT} WHERE id = $1 AND product_id = $2"
    )))
    .bind(id)
    .bind(product)
    .fetch_optional(exec)
    .await
}

/// Replaces a product's option names.
pub async fn set_options(tx: &mut Tx, product: ProductId, names: &[String]) -> Result<(), DbError> {
    sqlx::query("DELETE FROM product_options WHERE product_id = $1")
        .bind(product)
        .execute(&mut **tx)
        .await?;
    for (i, name) in names.iter().enumerate() {
        sqlx::query("INSERT INTO product_options (product_id, position, name) VALUES ($1, $2, $3)")
            .bind(product)
            .bind(i64::try_from(i).unwrap_or(0) + 1)
            .bind(name)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

pub struct NewVariant<'a> {
    pub product: ProductId,
    pub sku: &'a str,
    pub options: [&'a str; 3],
    pub price_cents: Option<i64>,
    pub stock: i64,
}

/// Adds a variant; its SKU or its combination existing already is a unique violation.
pub async fn insert(tx: &mut Tx, v: &NewVariant<'_>) -> Result<i64, DbError> {
    sqlx::query_scalar(
        "INSERT INTO product_variants (product_id, sku, option1, option2, option3, price_cents, stock, position) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, (SELECT COUNT(*) FROM product_variants WHERE product_id = $1)) RETURNING id",
    )
    .bind(v.product)
    .bind(v.sku)
    .bind(v.options[0])
    .bind(v.options[1])
    .bind(v.options[2])
    .bind(v.price_cents)
    .bind(v.stock)
    .fetch_one(&mut **tx)
    .await
}

/// Sets a variant's price, stock and whether it is sold; false when it is not this product's.
pub async fn update(
    tx: &mut Tx,
    product: ProductId,
    id: i64,
    price_cents: Option<i64>,
    stock: i64,
    active: bool,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE product_variants SET price_cents = $3, stock = $4, active = $5 WHERE id = $1 AND product_id = $2",
    )
    .bind(id)
    .bind(product)
    .bind(price_cents)
    .bind(stock)
    .bind(super::flag(active))
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Sets a product's stock to the sum of its variants' on sale (a product without variants
/// keeps its own).
pub async fn recount(tx: &mut Tx, product: ProductId) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE products SET stock = (SELECT COALESCE(SUM(stock), 0) FROM product_variants \
         WHERE product_id = $1 AND active = 1) \
         WHERE id = $1 AND EXISTS (SELECT 1 FROM product_variants WHERE product_id = $1)",
    )
    .bind(product)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Takes units of a variant only if that many are there and it is sold (one statement, so
/// concurrent buyers cannot oversell). The caller then takes them from the product's sum.
pub async fn take(tx: &mut Tx, id: i64, quantity: i64) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE product_variants SET stock = stock - $2 WHERE id = $1 AND active = 1 AND stock >= $2",
    )
    .bind(id)
    .bind(quantity)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn put_back(tx: &mut Tx, id: i64, quantity: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE product_variants SET stock = stock + $2 WHERE id = $1")
        .bind(id)
        .bind(quantity)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Which products of these have variants (listings show "more options").
pub async fn count_for(tx: &mut Tx, product: ProductId) -> Result<i64, DbError> {
    sqlx::query_scalar("SELECT COUNT(*) FROM product_variants WHERE product_id = $1")
        .bind(product)
        .fetch_one(&mut **tx)
        .await
}
