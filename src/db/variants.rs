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

/// Sets a variant's price, stock (None: keep the live stock) and whether it is sold, and moves
/// the product's sum by the difference (the variant's row, then the product's: the order a
/// checkout locks them in, and no sum read from a snapshot that a checkout could outdate).
/// False when it is not this product's variant.
pub async fn update(
    tx: &mut Tx,
    product: ProductId,
    id: i64,
    price_cents: Option<i64>,
    stock: Option<i64>,
    active: bool,
) -> Result<bool, DbError> {
    let locked =
        sqlx::query("UPDATE product_variants SET stock = stock WHERE id = $1 AND product_id = $2")
            .bind(id)
            .bind(product)
            .execute(&mut **tx)
            .await?;
    if locked.rows_affected() != 1 {
        return Ok(false);
    }
    let (old_stock, old_active): (i64, i64) =
        sqlx::query_as("SELECT stock, active FROM product_variants WHERE id = $1")
            .bind(id)
            .fetch_one(&mut **tx)
            .await?;
    let new_stock = stock.unwrap_or(old_stock);
    sqlx::query(
        "UPDATE product_variants SET price_cents = $2, stock = $3, active = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(price_cents)
    .bind(new_stock)
    .bind(super::flag(active))
    .execute(&mut **tx)
    .await?;
    let counted = |s: i64, on: bool| if on { s } else { 0 };
    let delta = counted(new_stock, active) - counted(old_stock, old_active != 0);
    if delta != 0 {
        sqlx::query("UPDATE products SET stock = stock + $2 WHERE id = $1")
            .bind(product)
            .bind(delta)
            .execute(&mut **tx)
            .await?;
    }
    Ok(true)
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

/// Gives a variant its picture (a file of the media folder).
pub async fn set_image(tx: &mut Tx, id: i64, file: &str) -> Result<(), DbError> {
    sqlx::query("UPDATE product_variants SET image = $2 WHERE id = $1")
        .bind(id)
        .bind(file)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Moves a product's stock by `delta` (a variant added to a product that has variants).
pub async fn adjust(tx: &mut Tx, product: ProductId, delta: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE products SET stock = stock + $2 WHERE id = $1")
        .bind(product)
        .bind(delta)
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

/// A variant by its SKU (any product's).
pub async fn by_sku(tx: &mut Tx, sku: &str) -> Result<Option<VariantRow>, DbError> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{VARIANT} WHERE sku = $1")))
        .bind(sku)
        .fetch_optional(&mut **tx)
        .await
}

/// Sets everything of a variant an import names (its product stays).
pub async fn replace(
    tx: &mut Tx,
    id: i64,
    v: &NewVariant<'_>,
    active: bool,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE product_variants SET option1 = $2, option2 = $3, option3 = $4, price_cents = $5, \
         stock = $6, active = $7 WHERE id = $1",
    )
    .bind(id)
    .bind(v.options[0])
    .bind(v.options[1])
    .bind(v.options[2])
    .bind(v.price_cents)
    .bind(v.stock)
    .bind(super::flag(active))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Every variant with its product's SKU, for the CSV export (by product, then position).
pub async fn export_all(pool: &sqlx::AnyPool) -> Result<Vec<(String, VariantRow)>, DbError> {
    #[derive(FromRow)]
    struct Row {
        parent_sku: String,
        #[sqlx(flatten)]
        v: VariantRow,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT p.sku AS parent_sku, v.id, v.product_id, v.sku, v.option1, v.option2, v.option3, \
         v.price_cents, v.stock, v.image, v.active \
         FROM product_variants v JOIN products p ON p.id = v.product_id ORDER BY p.sku, v.position, v.id",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| (r.parent_sku, r.v)).collect())
}

/// Every product's option names, for the CSV export: (product SKU, "Size|Colour").
pub async fn export_options(pool: &sqlx::AnyPool) -> Result<Vec<(String, String)>, DbError> {
    let rows: Vec<(String, i64, String)> = sqlx::query_as(
        "SELECT p.sku, o.position, o.name FROM product_options o JOIN products p ON p.id = o.product_id \
         ORDER BY p.sku, o.position",
    )
    .fetch_all(pool)
    .await?;
    let mut out: Vec<(String, String)> = Vec::new();
    for (sku, _, name) in rows {
        match out.last_mut() {
            Some((s, names)) if *s == sku => {
                names.push('|');
                names.push_str(&name);
            }
            _ => out.push((sku, name)),
        }
    }
    Ok(out)
}
