//! Carts of customers and of guests (by session token), with their lines.

use sqlx::{AnyPool, FromRow};

use super::{DbError, Tx, flag_of};
use crate::domain::{CartId, CategoryId, Money, ProductId, TaxClass, UserId};

pub async fn id_for_user(pool: &AnyPool, user: UserId) -> Result<Option<CartId>, DbError> {
    sqlx::query_scalar("SELECT id FROM carts WHERE user_id = $1")
        .bind(user)
        .fetch_optional(pool)
        .await
}

pub async fn id_for_token(pool: &AnyPool, token: &str) -> Result<Option<CartId>, DbError> {
    sqlx::query_scalar("SELECT id FROM carts WHERE token = $1")
        .bind(token)
        .fetch_optional(pool)
        .await
}

/// The customer's cart, created when missing, and locked for this transaction: the upsert writes
/// the row, so on PostgreSQL a second change to the same cart waits until this one commits (no
/// lost updates, no two checkouts of one cart). SQLite's write lock already covers it.
pub async fn ensure_for_user(tx: &mut Tx, user: UserId, now: i64) -> Result<CartId, DbError> {
    sqlx::query_scalar(
        "INSERT INTO carts (user_id, created_at, updated_at) VALUES ($1, $2, $2) \
         ON CONFLICT (user_id) DO UPDATE SET updated_at = excluded.updated_at RETURNING id",
    )
    .bind(user)
    .bind(now)
    .fetch_one(&mut **tx)
    .await
}

/// The same for a guest's cart.
pub async fn ensure_for_token(tx: &mut Tx, token: &str, now: i64) -> Result<CartId, DbError> {
    sqlx::query_scalar(
        "INSERT INTO carts (token, created_at, updated_at) VALUES ($1, $2, $2) \
         ON CONFLICT (token) DO UPDATE SET updated_at = excluded.updated_at RETURNING id",
    )
    .bind(token)
    .bind(now)
    .fetch_one(&mut **tx)
    .await
}

/// Locks an existing cart for this transaction (see [`ensure_for_user`]).
pub async fn lock(tx: &mut Tx, cart: CartId, now: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE carts SET updated_at = $2 WHERE id = $1")
        .bind(cart)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A cart line: a product and its variant (0: a product without variants).
pub type LineKey = (ProductId, i64);

pub async fn quantity_of(
    tx: &mut Tx,
    cart: CartId,
    (product, variant): LineKey,
) -> Result<i64, DbError> {
    let q: Option<i64> = sqlx::query_scalar(
        "SELECT quantity FROM cart_items WHERE cart_id = $1 AND product_id = $2 AND variant_id = $3",
    )
    .bind(cart)
    .bind(product)
    .bind(variant)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(q.unwrap_or(0))
}

/// Sets a line's quantity; 0 removes it.
pub async fn set_quantity(
    tx: &mut Tx,
    cart: CartId,
    (product, variant): LineKey,
    quantity: i64,
    now: i64,
) -> Result<(), DbError> {
    if quantity <= 0 {
        sqlx::query(
            "DELETE FROM cart_items WHERE cart_id = $1 AND product_id = $2 AND variant_id = $3",
        )
        .bind(cart)
        .bind(product)
        .bind(variant)
        .execute(&mut **tx)
        .await?;
    } else {
        sqlx::query(
            "INSERT INTO cart_items (cart_id, product_id, variant_id, quantity, added_at) VALUES ($1, $2, $5, $3, $4) \
             ON CONFLICT (cart_id, product_id, variant_id) DO UPDATE SET quantity = excluded.quantity",
        )
        .bind(cart)
        .bind(product)
        .bind(quantity)
        .bind(now)
        .bind(variant)
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query("UPDATE carts SET updated_at = $2 WHERE id = $1")
        .bind(cart)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A cart line with the product as it is now.
#[derive(Debug, Clone)]
pub struct Line {
    pub product_id: ProductId,
    /// 0: the product has no variants.
    pub variant_id: i64,
    /// The variant's options ("M / Blue"); empty without a variant.
    pub variant: String,
    pub category_id: CategoryId,
    pub quantity: i64,
    pub sku: String,
    pub name: String,
    pub brand: String,
    pub price: Money,
    pub stock: i64,
    pub active: bool,
    pub thumb: Option<String>,
    pub tax_class: TaxClass,
}

#[derive(FromRow)]
struct LineRow {
    product_id: ProductId,
    variant_id: i64,
    option1: Option<String>,
    option2: Option<String>,
    option3: Option<String>,
    category_id: CategoryId,
    quantity: i64,
    sku: String,
    name: String,
    brand: String,
    price_cents: Money,
    stock: i64,
    active: i64,
    thumb: Option<String>,
    #[sqlx(try_from = "String")]
    tax_class: TaxClass,
}

impl From<LineRow> for Line {
    fn from(r: LineRow) -> Self {
        Self {
            product_id: r.product_id,
            variant_id: r.variant_id,
            variant: [r.option1, r.option2, r.option3]
                .into_iter()
                .flatten()
                .filter(|o| !o.is_empty())
                .collect::<Vec<_>>()
                .join(" / "),
            category_id: r.category_id,
            quantity: r.quantity,
            sku: r.sku,
            name: r.name,
            brand: r.brand,
            price: r.price_cents,
            stock: r.stock,
            active: flag_of(r.active),
            thumb: r.thumb,
            tax_class: r.tax_class,
        }
    }
}

/// A variant's SKU, price, stock and being on sale stand in for the product's; a variant that
/// was deleted reads as not on sale, and so does a line without a variant of a product that has
/// variants now (the shopper chooses one again).
const LINES: &str = "SELECT ci.product_id, ci.variant_id, v.option1, v.option2, v.option3, p.category_id, ci.quantity, \
     COALESCE(v.sku, p.sku) AS sku, p.name, p.brand, COALESCE(v.price_cents, p.price_cents) AS price_cents, \
     CASE WHEN ci.variant_id = 0 THEN p.stock ELSE COALESCE(v.stock, 0) END AS stock, \
     CASE WHEN ci.variant_id <> 0 THEN p.active * COALESCE(v.active, 0) \
          WHEN EXISTS (SELECT 1 FROM product_variants pv WHERE pv.product_id = p.id) THEN 0 \
          ELSE p.active END AS active, p.tax_class, \
     COALESCE(v.image, (SELECT thumb FROM product_images i WHERE i.product_id = p.id ORDER BY i.position, i.id LIMIT 1)) AS thumb \
     FROM cart_items ci JOIN products p ON p.id = ci.product_id \
     LEFT JOIN product_variants v ON v.id = ci.variant_id AND v.product_id = ci.product_id \
     WHERE ci.cart_id = $1 ORDER BY ci.added_at, ci.product_id, ci.variant_id";

/// A cart's lines, from the pool or inside a transaction (`&mut *tx`).
pub async fn lines<'e, E>(exec: E, cart: CartId) -> Result<Vec<Line>, DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let rows: Vec<LineRow> = sqlx::query_as(LINES).bind(cart).fetch_all(exec).await?;
    Ok(rows.into_iter().map(Line::from).collect())
}

pub async fn item_count(pool: &AnyPool, cart: CartId) -> Result<i64, DbError> {
    sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM cart_items WHERE cart_id = $1",
    )
    .bind(cart)
    .fetch_one(pool)
    .await
}

pub async fn clear(tx: &mut Tx, cart: CartId) -> Result<(), DbError> {
    sqlx::query("DELETE FROM cart_items WHERE cart_id = $1")
        .bind(cart)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn delete(tx: &mut Tx, cart: CartId) -> Result<(), DbError> {
    sqlx::query("DELETE FROM carts WHERE id = $1")
        .bind(cart)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// What the cart needs to know of a product.
#[derive(Debug, Clone)]
pub struct CartProduct {
    pub name: String,
    pub stock: i64,
    pub active: bool,
}

/// The product (or its variant) of a cart line; a product with variants cannot be bought
/// without choosing one.
pub async fn product(
    tx: &mut Tx,
    (product, variant): LineKey,
) -> Result<Option<CartProduct>, DbError> {
    #[derive(FromRow)]
    struct Row {
        name: String,
        stock: i64,
        active: i64,
    }
    let row: Option<Row> = if variant == 0 {
        sqlx::query_as(
            "SELECT name, stock, active FROM products p WHERE id = $1 \
             AND NOT EXISTS (SELECT 1 FROM product_variants v WHERE v.product_id = p.id)",
        )
        .bind(product)
        .fetch_optional(&mut **tx)
        .await?
    } else {
        sqlx::query_as(
            "SELECT p.name || ' (' || TRIM(v.option1 || ' ' || v.option2 || ' ' || v.option3) || ')' AS name, \
             v.stock, p.active * v.active AS active \
             FROM product_variants v JOIN products p ON p.id = v.product_id WHERE v.id = $2 AND p.id = $1",
        )
        .bind(product)
        .bind(variant)
        .fetch_optional(&mut **tx)
        .await?
    };
    Ok(row.map(|r| CartProduct {
        name: r.name,
        stock: r.stock,
        active: flag_of(r.active),
    }))
}

/// The voucher code a cart carries (none: `None`).
pub async fn voucher_code<'e, E>(exec: E, cart: CartId) -> Result<Option<String>, DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let code: Option<Option<String>> =
        sqlx::query_scalar("SELECT voucher_code FROM carts WHERE id = $1")
            .bind(cart)
            .fetch_optional(exec)
            .await?;
    Ok(code.flatten())
}

pub async fn set_voucher(tx: &mut Tx, cart: CartId, code: Option<&str>) -> Result<(), DbError> {
    sqlx::query("UPDATE carts SET voucher_code = $2 WHERE id = $1")
        .bind(cart)
        .bind(code)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
