//! Customers' wishlists.

use sqlx::{AnyPool, FromRow};

use super::sql::Sql;
use super::{DbError, flag_of};
use crate::domain::{Money, ProductId, UserId};

/// Adds a product (adding it again changes nothing); false when the product does not exist.
pub async fn add(
    pool: &AnyPool,
    user: UserId,
    product: ProductId,
    now: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "INSERT INTO wishlist_items (user_id, product_id, added_at) \
         SELECT $1, id, $3 FROM products WHERE id = $2 \
         ON CONFLICT (user_id, product_id) DO NOTHING",
    )
    .bind(user)
    .bind(product)
    .bind(now)
    .execute(pool)
    .await?;
    if done.rows_affected() == 1 {
        return Ok(true);
    }
    let exists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM products WHERE id = $1")
        .bind(product)
        .fetch_one(pool)
        .await?;
    Ok(exists == 1)
}

pub async fn remove(pool: &AnyPool, user: UserId, product: ProductId) -> Result<bool, DbError> {
    let done = sqlx::query("DELETE FROM wishlist_items WHERE user_id = $1 AND product_id = $2")
        .bind(user)
        .bind(product)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A wished-for product as the wishlist shows it (deactivated ones included, marked).
#[derive(Debug, Clone)]
pub struct WishedProduct {
    pub product_id: ProductId,
    pub name: String,
    pub brand: String,
    pub price: Money,
    pub stock: i64,
    pub active: bool,
    pub thumb: Option<String>,
    pub added_at: i64,
}

pub async fn list(pool: &AnyPool, user: UserId) -> Result<Vec<WishedProduct>, DbError> {
    #[derive(FromRow)]
    struct Row {
        product_id: ProductId,
        name: String,
        brand: String,
        price_cents: Money,
        stock: i64,
        active: i64,
        thumb: Option<String>,
        added_at: i64,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT w.product_id, p.name, p.brand, p.price_cents, p.stock, p.active, i.thumb, w.added_at \
         FROM wishlist_items w JOIN products p ON p.id = w.product_id \
         LEFT JOIN product_images i ON i.product_id = p.id AND i.position = 0 \
         WHERE w.user_id = $1 ORDER BY w.added_at DESC, w.product_id DESC",
    )
    .bind(user)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| WishedProduct {
            product_id: r.product_id,
            name: r.name,
            brand: r.brand,
            price: r.price_cents,
            stock: r.stock,
            active: flag_of(r.active),
            thumb: r.thumb,
            added_at: r.added_at,
        })
        .collect())
}

/// Which of these products the customer wishes for (to mark product cards).
pub async fn wished_among(
    pool: &AnyPool,
    user: UserId,
    products: &[ProductId],
) -> Result<Vec<ProductId>, DbError> {
    if products.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new("SELECT product_id FROM wishlist_items WHERE user_id = ");
    sql.int(user.get())
        .push(" AND product_id IN ")
        .int_list(products.iter().map(|p| p.get()));
    #[derive(FromRow)]
    struct Row {
        product_id: ProductId,
    }
    Ok(sql
        .fetch_all::<Row, _>(pool)
        .await?
        .into_iter()
        .map(|r| r.product_id)
        .collect())
}

pub async fn count(pool: &AnyPool, user: UserId) -> Result<i64, DbError> {
    sqlx::query_scalar("SELECT COUNT(*) FROM wishlist_items WHERE user_id = $1")
        .bind(user)
        .fetch_one(pool)
        .await
}
